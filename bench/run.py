"""One benchmark run: for each size, the floor, then crmlink on each engine, then scale-out.

For each data-set size, in one run on one machine:

1. the reference floor (``--records N``) on its own SQLite file: bulk relate of 100 at each
   connection count;
2. for each engine: load the data set (bulk loader), mint a real token, start ``crmlink serve``,
   run every scenario at each connection count from wrk in its own process, read the server's
   peak RSS, stop it;
3. on PostgreSQL: a second ``crmlink serve`` on the same database, the same load split over the
   two, and a check that every record inserted through either is there exactly once.
"""

from __future__ import annotations

import math
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from bench.dataset import plan_for, size_label
from bench.load import Loaded, add_links, load
from bench.loadgen import ITEMS, Measure, Target, combine, ensure_wrk, run_wrk
from bench.servers import Server, crmlink_server, floor_server
from bench.tokens import mint_token
from crmlink.storage.engine import Database

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FLOOR = REPO.parent / "shared" / "bench" / "reference_server.py"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
ALL_SCENARIOS = ("relate100", "relate1", "list200", "delink100", "insert100", "search_email", "coql_email")
SCALEOUT_SCENARIOS = ("relate100", "insert100")
PRODUCT_SAMPLE = 5_000
BOOK_SAMPLE = 20_000


@dataclass
class Config:
    sizes: list[int]
    engines: list[str] = field(default_factory=lambda: ["sqlite", "postgresql"])
    connections: list[int] = field(default_factory=lambda: [1, 8, 32])
    scenarios: list[str] = field(default_factory=lambda: list(ALL_SCENARIOS))
    duration: float = 10.0
    warmup: float = 2.0
    floor: Path = DEFAULT_FLOOR
    out_dir: Path = REPO / "bench" / "results"
    pg_dsn: str = DEFAULT_PG
    scaleout: bool = True
    scaleout_connections: int = 8
    hot_links: int = 10_000
    log: Callable[[str], None] = print

    @property
    def scratch(self) -> Path:
        return self.out_dir / "tmp"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0

    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
        except OSError:
            return ""
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""

    commit = version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    import os

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": version(["psql", "--version"]),
        "wrk": version(["wrk", "--version"]),
        "commit": commit,
    }


class Bench:
    def __init__(self, config: Config) -> None:
        self.c = config
        self.wrk = ensure_wrk()
        self.offsets: dict[str, int] = {}

    # ------------------------------------------------------------------ measuring

    def measure(self, target: Target, connections: int, *, warm: bool = True) -> Measure:
        key = f"{target.base_url}:{target.scenario}"
        if warm and self.c.warmup > 0 and not target.limit:
            target.offset = self.offsets.get(key, 0)
            done = run_wrk(
                target,
                connections=connections,
                duration=self.c.warmup,
                scratch=self.c.scratch,
                wrk=self.wrk,
            )
            self.offsets[key] = target.offset + done.requests + connections
        target.offset = self.offsets.get(key, 0)
        duration = self.c.duration
        result = run_wrk(
            target, connections=connections, duration=duration, scratch=self.c.scratch, wrk=self.wrk
        )
        self.offsets[key] = target.offset + result.requests + connections
        return result

    def _say(self, label: str, scenario: str, connections: int, m: Measure) -> None:
        bad = f"  ERRORS {m.errors}: {m.first_error[:160]}" if m.errors else ""
        self.c.log(
            f"    {label:<10} {scenario:<10} c={connections:<3} {m.rps:>9,.1f} req/s"
            f"  p50 {m.p50_ms:>7.2f} ms  p99 {m.p99_ms:>7.2f} ms{bad}"
        )

    # ------------------------------------------------------------------ the floor

    def floor(self, size: int, scratch: Path) -> dict[str, Any]:
        db = scratch / "floor.db"
        for stale in scratch.glob("floor.db*"):
            stale.unlink()
        rng = random.Random(size)
        books = rng.sample(range(1, size + 1), min(BOOK_SAMPLE, size))
        products = list(range(1, min(size, PRODUCT_SAMPLE) + 1))
        rows: dict[str, dict[str, Any]] = {"relate100": {}}
        with floor_server(self.c.floor, db, size, scratch / "floor.log") as server:
            for conns in self.c.connections:
                target = Target(server.base_url, "relate100", products=products, price_books=books)
                m = self.measure(target, conns)
                self._say("floor", "relate100", conns, m)
                rows["relate100"][str(conns)] = m.as_dict()
            rss = server.peak_rss_mb
        for stale in scratch.glob("floor.db*"):
            stale.unlink()
        return {"rss_mb": round(rss, 1), "rows": rows}

    # ------------------------------------------------------------------ crmlink

    def database(self, engine: str, label: str, scratch: Path) -> tuple[str, Callable[[], None]]:
        if engine == "sqlite":
            folder = scratch / "sqlite"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            return f"sqlite:///{folder / 'crmlink.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
        name = f"crmlink_bench_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.c.pg_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(self.c.pg_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{self.c.pg_dsn.rsplit('/', 1)[0]}/{name}", drop

    def crmlink(self, engine: str, size: int, scratch: Path) -> dict[str, Any]:
        label = size_label(size)
        url, cleanup = self.database(engine, label, scratch)
        try:
            self.c.log(f"  loading {label} into {engine}")
            loaded = load(url, plan_for(size, hot_links=self.c.hot_links))
            self.c.log(
                f"  loaded {loaded.records:,} records in {loaded.record_seconds:.1f}s, "
                f"{loaded.links:,} links, {loaded.seconds:.1f}s in all"
            )
            token, via = mint_token(url)
            out: dict[str, Any] = {
                "load": {
                    "records": loaded.records,
                    "links": loaded.links,
                    "record_seconds": round(loaded.record_seconds, 2),
                    "seconds": round(loaded.seconds, 2),
                },
                "token_via": via,
            }
            server = crmlink_server(f"crmlink-{engine}", url, scratch / f"crmlink-{engine}.log")
            with server:
                out["rows"] = self.scenarios(server, url, loaded, token, engine)
                out["rss_mb"] = round(server.peak_rss_mb, 1)
                if engine == "postgresql" and self.c.scaleout:
                    out["scaleout"] = self.scaleout(server, url, loaded, token, scratch)
            return out
        finally:
            cleanup()

    def targets_for(self, loaded: Loaded, base_url: str, token: str) -> dict[str, Target]:
        rng = random.Random(loaded.records)
        products = loaded.ids["Products"][1:]
        chosen = rng.sample(products, min(len(products), 2 * PRODUCT_SAMPLE))
        relate_products, pool_products = chosen[: len(chosen) // 2], chosen[len(chosen) // 2 :]
        books = loaded.ids["Price_Books"]
        book_sample = rng.sample(books, min(len(books), BOOK_SAMPLE))

        def target(scenario: str, **kw: Any) -> Target:
            return Target(base_url, scenario, token=token, price_books=book_sample, **kw)

        return {
            "relate100": target("relate100", products=relate_products),
            "relate1": target("relate1", products=relate_products),
            "list200": target(
                "list200", hot=loaded.hot_product, pages=max(1, math.ceil(self.c.hot_links / 200))
            ),
            "delink100": target("delink100", pool_products=pool_products),
            "insert100": target("insert100"),
            "search_email": target("search_email", leads=len(loaded.ids["Leads"])),
            "coql_email": target("coql_email", leads=len(loaded.ids["Leads"])),
        }

    def scenarios(
        self, server: Server, url: str, loaded: Loaded, token: str, engine: str
    ) -> dict[str, dict[str, Any]]:
        targets = self.targets_for(loaded, server.base_url, token)
        rows: dict[str, dict[str, Any]] = {}
        for scenario in self.c.scenarios:
            rows[scenario] = {}
            for conns in self.c.connections:
                target = targets[scenario]
                if scenario == "delink100":
                    relate = rows.get("relate100", {}).get(str(conns))
                    m = self._measure_delink(url, loaded, target, conns, relate["rps"] if relate else None)
                else:
                    m = self.measure(target, conns)
                self._say(engine, scenario, conns, m)
                rows[scenario][str(conns)] = m.as_dict()
        return rows

    def _measure_delink(
        self, url: str, loaded: Loaded, target: Target, connections: int, estimate: float | None
    ) -> Measure:
        """Delink 100 for a full ``duration``, every call removing 100 real links.

        Before the figure the harness links a pool of (product, 100 price books) groups straight
        into the database, sized from ``estimate`` (requests/s; bulk relate's figure, delink
        costs about the same) with room to spare; wrk stops at the pool's size so that no call
        ever finds nothing to remove. A figure that used the whole pool before the time was up
        counts requests over a duration they did not fill, so it is thrown away, and measured
        again with a pool sized from it."""
        rate = float(estimate) if estimate else 150.0
        for _attempt in range(4):
            wanted = int(rate * self.c.duration * 2) + 200
            self._fill_pool(url, loaded, target, wanted)
            m = self.measure(target, connections)
            self.offsets.pop(f"{target.base_url}:delink100", None)
            m.extra["pool_requests"] = target.limit
            if m.requests < target.limit or target.limit < wanted:  # done, or as large as it gets
                return m
            self.c.log(f"    pool       delink100 used up before {self.c.duration:g} s; again, larger")
            rate = max(rate, target.limit / self.c.duration) * 2
        return m

    def _fill_pool(self, url: str, loaded: Loaded, target: Target, wanted: int) -> None:
        """Link ``wanted`` (product, 100 price books) groups (fewer on a data set too small for
        them), the ones delink's requests address in order; set the request limit to that."""
        pool, books = target.pool_products, target.price_books
        margin = max(self.c.connections) + 8  # wrk may send one request per connection past the limit
        # Request j delinks pool[j % P] from the 100 books at window (j // P) * 100 (scenario.lua);
        # distinct (product, window) groups run out at P * W on a tiny data set.
        groups = len(pool) * max(1, len(books) // 100)
        needed = max(1, min(wanted, groups - margin))
        pairs = (
            (pool[j % len(pool)], books[((j // len(pool)) * 100 + k) % len(books)])
            for j in range(needed + margin)
            for k in range(100)
        )
        added = add_links(url, loaded, pairs)
        target.limit = needed
        self.c.log(f"    pool       delink100 {needed:,} requests ({added:,} links)")

    # ------------------------------------------------------------------ scale-out

    def scaleout(self, first: Server, url: str, loaded: Loaded, token: str, scratch: Path) -> dict[str, Any]:
        conns = self.c.scaleout_connections
        half = max(1, conns // 2)
        out: dict[str, Any] = {"connections": conns, "one": {}, "two": {}}
        second = crmlink_server("crmlink-pg-2", url, scratch / "crmlink-postgresql-2.log")
        with second:
            for scenario in SCALEOUT_SCENARIOS:
                one_target = self.targets_for(loaded, first.base_url, token)[scenario]
                one = self.measure(one_target, conns)
                self._say("pg x1", scenario, conns, one)
                before = _count_leads(url)
                parts: list[Measure] = []
                threads = []
                for i, server in enumerate((first, second)):
                    target = self.targets_for(loaded, server.base_url, token)[scenario]
                    # Disjoint request sequences for the two load generators.
                    self.offsets[f"{server.base_url}:{scenario}"] = (
                        self.offsets.get(f"{first.base_url}:{scenario}", 0) + i * 10_000_000
                    )

                    def go(t: Target = target, into: list[Measure] = parts) -> None:
                        into.append(self.measure(t, half, warm=False))

                    threads.append(threading.Thread(target=go))
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                both = combine(parts)
                self._say("pg x2", scenario, conns, both)
                out["one"][scenario] = one.as_dict()
                out["two"][scenario] = both.as_dict()
                if scenario == "insert100":
                    # Every insert answered 201 through either process is there, once (requests
                    # still in flight when wrk stopped are stored but not counted by wrk).
                    expected = sum(p.requests - p.errors for p in parts) * 100
                    found = _count_leads(url) - before
                    duplicates = _duplicate_emails(url)
                    out["check"] = {
                        "records_expected": expected,
                        "records_found": found,
                        "duplicates": duplicates,
                        "ok": found >= expected and duplicates == 0,
                    }
                    self.c.log(
                        f"    scale-out check: {expected:,} leads answered 201, {found:,} stored,"
                        f" {duplicates} stored twice"
                    )
            out["rss_mb"] = [round(first.peak_rss_mb, 1), round(second.peak_rss_mb, 1)]
        return out

    # ------------------------------------------------------------------ the run

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        results: dict[str, Any] = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "config": {
                "sizes": [size_label(s) for s in self.c.sizes],
                "engines": self.c.engines,
                "connections": self.c.connections,
                "scenarios": self.c.scenarios,
                "duration_s": self.c.duration,
                "warmup_s": self.c.warmup,
                "floor": str(self.c.floor),
                "load_generator": "wrk (1 thread), bench/wrk/scenario.lua",
            },
            "sizes": [],
        }
        for size in self.c.sizes:
            label = size_label(size)
            scratch = self.c.scratch / label
            scratch.mkdir(parents=True, exist_ok=True)
            plan = plan_for(size, hot_links=self.c.hot_links)
            self.c.log(f"== {label}: {plan.total_records:,} records, {plan.total_links:,} links")
            entry: dict[str, Any] = {
                "size": size,
                "label": label,
                "records": plan.total_records,
                "links": plan.total_links,
                "floor": self.floor(size, scratch),
                "engines": {},
            }
            for engine in self.c.engines:
                entry["engines"][engine] = self.crmlink(engine, size, scratch)
            results["sizes"].append(entry)
        results["seconds"] = round(time.monotonic() - started, 1)
        return results


def _count_leads(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as conn:
            return int(conn.execute(text("SELECT count(*) FROM records WHERE module = 'Leads'")).scalar_one())
    finally:
        db.dispose()


def _duplicate_emails(url: str) -> int:
    """Leads inserted twice (the same generated e-mail stored more than once) would mean a lost or
    doubled write; the generated e-mails are unique per request sequence."""
    db = Database(url)
    try:
        with db.read() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM (SELECT data FROM records WHERE module = 'Leads'"
                        " AND data LIKE '%@bench.example%' GROUP BY data HAVING count(*) > 1) d"
                    )
                ).scalar_one()
            )
    finally:
        db.dispose()


def run(config: Config) -> dict[str, Any]:
    return Bench(config).run()


def items(scenario: str) -> int:
    return ITEMS[scenario]


def scenario_names() -> Sequence[str]:
    return ALL_SCENARIOS


__all__ = ["ALL_SCENARIOS", "DEFAULT_FLOOR", "Config", "machine", "run"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: python -m bench run")
