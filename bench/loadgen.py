"""The load generator: wrk (from Debian), in its own process, driven by ``wrk/scenario.lua``.

``ensure_wrk()`` installs wrk with apt-get when it is missing, like the rest of the set-up.
``run_wrk()`` writes the scenario's ids into a generated Lua file, runs wrk for a duration (or
until a pool of requests is used up) and returns the figures wrk measured.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("wrk") / "scenario.lua"

# Scenario -> the statuses that mean every item succeeded.
SCENARIOS: dict[str, tuple[int, ...]] = {
    "relate100": (200,),
    "relate1": (200,),
    "list200": (200,),
    "delink100": (200,),
    "insert100": (201,),
    "search_email": (200,),
    "coql_email": (200,),
}
# Scenario -> items per request (related ids, records or list rows).
ITEMS: dict[str, int] = {
    "relate100": 100,
    "relate1": 1,
    "list200": 200,
    "delink100": 100,
    "insert100": 100,
    "search_email": 1,
    "coql_email": 1,
}


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first when it is not there."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("wrk is not installed and apt-get is not available: install wrk")
    subprocess.run([apt, "update", "-qq"], check=False, capture_output=True)
    subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get install wrk did not provide wrk")
    return found


@dataclass
class Target:
    """What one wrk run needs: where, which scenario, with which ids."""

    base_url: str
    scenario: str
    token: str = ""
    products: Sequence[int] = ()
    price_books: Sequence[int] = ()
    hot: int = 0
    pages: int = 50
    pool_products: Sequence[int] = ()
    limit: int = 0
    offset: int = 0
    leads: int = 1  # Leads in the data set: their Emails are person0..person{leads-1}@example.com


@dataclass
class Measure:
    """What wrk measured for one scenario at one concurrency."""

    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: int = 0
    first_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "errors": self.errors,
            "first_error": self.first_error,
            **self.extra,
        }


def _lua_strings(values: Sequence[int]) -> str:
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def write_data(target: Target, path: Path, threads: int) -> Path:
    ok = ",".join(str(s) for s in SCENARIOS[target.scenario])
    path.write_text(
        "return {\n"
        f'  scenario = "{target.scenario}",\n'
        f'  token = "{target.token}",\n'
        '  prefix = "/crm/v2.1",\n'
        f"  ok_status = {{{ok}}},\n"
        f'  hot = "{target.hot}",\n'
        f"  pages = {target.pages},\n"
        f"  limit = {target.limit // max(1, threads) if target.limit else 0},\n"
        f"  offset = {target.offset},\n"
        f"  step = {threads},\n"
        f"  leads = {target.leads},\n"
        f"  products = {_lua_strings(target.products or [1])},\n"
        f"  price_books = {_lua_strings(target.price_books or [1])},\n"
        f"  pool_products = {_lua_strings(target.pool_products or [1])},\n"
        "}\n"
    )
    return path


def run_wrk(
    target: Target,
    *,
    connections: int,
    duration: float,
    scratch: Path,
    threads: int = 1,
    wrk: str = "wrk",
) -> Measure:
    """Run one scenario; blocks for ``duration`` seconds (less when a ``limit`` pool runs out)."""
    threads = max(1, min(threads, connections))
    scratch.mkdir(parents=True, exist_ok=True)
    data = write_data(target, scratch / f"wrk-{target.scenario}-{connections}-{target.offset}.lua", threads)
    argv = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(SCRIPT),
        target.base_url,
    ]
    try:
        proc = subprocess.run(
            argv,
            env={"BENCH_DATA": str(data), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=duration + 120,
            check=False,
        )
    finally:
        data.unlink(missing_ok=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    raw = json.loads(line.removeprefix("BENCH-RESULT "))
    seconds = raw["duration_us"] / 1e6
    return Measure(
        requests=raw["requests"],
        seconds=seconds,
        rps=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=raw["bad_status"] + raw["socket_errors"] + raw["timeouts"],
        first_error=raw["first_bad"],
    )


def combine(parts: Sequence[Measure]) -> Measure:
    """Several wrk processes run side by side (one per server): summed throughput; the
    request-weighted mean of the medians and the worst p99 (wrk reports no raw samples)."""
    total = sum(m.requests for m in parts) or 1
    return Measure(
        requests=sum(m.requests for m in parts),
        seconds=max(m.seconds for m in parts),
        rps=sum(m.rps for m in parts),
        p50_ms=sum(m.p50_ms * m.requests for m in parts) / total,
        p90_ms=max(m.p90_ms for m in parts),
        p99_ms=max(m.p99_ms for m in parts),
        max_ms=max(m.max_ms for m in parts),
        errors=sum(m.errors for m in parts),
        first_error=next((m.first_error for m in parts if m.first_error), ""),
    )


__all__ = ["ITEMS", "SCENARIOS", "Measure", "Target", "combine", "ensure_wrk", "run_wrk"]
