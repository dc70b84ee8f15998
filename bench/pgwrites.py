"""PostgreSQL bulk relate against its full-work floor, one process and two (issue 17).

In one run: the reference floor with ``--work full`` on PostgreSQL (token lookup, existence
check, links with a reverse index, one event per link, one statement per step), then crmlink
on a fresh PostgreSQL database loaded with the bench loader (which runs ``ANALYZE``), bulk
relate of 100 fresh links to random products at ``--connections``; then a second ``crmlink
serve`` on the same database and the same load split over the two; then the floor again (the
host's speed drifts; the ratio is taken against the mean of the two floor figures). Prints one
line per figure and the ratios, plus each crmlink process's CPU seconds over its figure.

    python -m bench.pgwrites --size 10k --connections 8 --duration 10
"""

from __future__ import annotations

import os
import random
import sys
import threading
import uuid
from pathlib import Path

import click
import psycopg

from bench.dataset import parse_size, plan_for
from bench.load import load
from bench.loadgen import Measure, Target, combine, ensure_wrk, run_wrk
from bench.run import DEFAULT_FLOOR
from bench.servers import Server, crmlink_server
from bench.tokens import mint_token

PRODUCTS_IN_FLOOR = 1000  # the floor's records 1..1000 are Products, the rest Price_Books


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Runner:
    def __init__(self, scratch: Path, duration: float, warmup: float) -> None:
        self.scratch, self.duration, self.warmup = scratch, duration, warmup
        self.wrk = ensure_wrk()
        self.offsets: dict[str, int] = {}

    def measure(self, target: Target, connections: int, *, warm: bool = True) -> Measure:
        key = f"{target.base_url}:{target.scenario}"
        if warm:
            target.offset = self.offsets.get(key, 0)
            done = run_wrk(
                target, connections=connections, duration=self.warmup, scratch=self.scratch, wrk=self.wrk
            )
            self.offsets[key] = target.offset + done.requests + connections
        target.offset = self.offsets.get(key, 0)
        m = run_wrk(
            target, connections=connections, duration=self.duration, scratch=self.scratch, wrk=self.wrk
        )
        self.offsets[key] = target.offset + m.requests + connections
        return m


def _new_database(dsn: str) -> tuple[str, str]:
    name = f"crmlink_pgwrites_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{dsn.rsplit('/', 1)[0]}/{name}"


def _drop(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _say(label: str, m: Measure, extra: str = "") -> None:
    click.echo(f"{label:<28} {m.rps:8.1f} calls/s  p50 {m.p50_ms:7.1f} ms  errors {m.errors}{extra}")


@click.command()
@click.option("--size", default="10k", show_default=True)
@click.option("--connections", type=int, default=8, show_default=True)
@click.option("--duration", type=float, default=10.0, show_default=True)
@click.option("--warmup", type=float, default=3.0, show_default=True)
@click.option("--floor", type=click.Path(path_type=Path), default=DEFAULT_FLOOR, show_default=True)
@click.option("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("bench/results/tmp/pgwrites"))
def main(
    size: str, connections: int, duration: float, warmup: float, floor: Path, pg_dsn: str, out: Path
) -> None:
    records = parse_size(size)
    out.mkdir(parents=True, exist_ok=True)
    runner = _Runner(out, duration, warmup)
    floors: list[float] = []

    def run_floor() -> None:
        name, url = _new_database(pg_dsn)
        argv = [sys.executable, str(floor), "--work", "full", "--db", url, "--records", str(records)]
        argv += ["--port", "{port}", "--connections", str(connections)]
        rng = random.Random(1)
        try:
            with Server(name="floor-pg", argv=argv, log_path=out / "floor.log") as server:
                books = rng.sample(range(PRODUCTS_IN_FLOOR + 1, records + 1), records - PRODUCTS_IN_FLOOR)
                target = Target(
                    server.base_url,
                    "relate100",
                    token="floor-token",
                    products=list(range(1, PRODUCTS_IN_FLOOR + 1)),
                    price_books=books,
                )
                m = runner.measure(target, connections)
                _say("floor (full work, pg)", m)
                floors.append(m.rps)
        finally:
            _drop(pg_dsn, name)

    run_floor()
    name, url = _new_database(pg_dsn)
    try:
        loaded = load(url, plan_for(records, hot_links=1000))
        token, _via = mint_token(url)
        rng = random.Random(loaded.records)
        products = rng.sample(loaded.ids["Products"][1:], min(len(loaded.ids["Products"]) - 1, 10_000))
        books = rng.sample(loaded.ids["Price_Books"], min(len(loaded.ids["Price_Books"]), 20_000))
        first = crmlink_server("crmlink-pg-1", url, out / "crmlink-1.log")
        with first:
            target = Target(first.base_url, "relate100", token=token, products=products, price_books=books)
            before = _cpu_seconds(first.pid)
            one = runner.measure(target, connections)
            cpu = _cpu_seconds(first.pid) - before
            _say("crmlink, one process", one, f"  (server CPU {cpu:.1f} s, warm-up included)")
            second = crmlink_server("crmlink-pg-2", url, out / "crmlink-2.log")
            with second:
                parts: list[Measure] = []
                threads = []
                for i, server in enumerate((first, second)):
                    half = Target(
                        server.base_url, "relate100", token=token, products=products, price_books=books
                    )
                    runner.offsets[f"{server.base_url}:relate100"] = (
                        runner.offsets.get(f"{first.base_url}:relate100", 0) + i * 10_000_000
                    )

                    def go(t: Target = half) -> None:
                        parts.append(runner.measure(t, max(1, connections // 2), warm=False))

                    threads.append(threading.Thread(target=go))
                cpus = [_cpu_seconds(s.pid) for s in (first, second)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                used = [_cpu_seconds(s.pid) - c for s, c in zip((first, second), cpus, strict=True)]
                two = combine(parts)
                _say("crmlink, two processes", two, f"  (server CPU {used[0]:.1f} + {used[1]:.1f} s)")
    finally:
        _drop(pg_dsn, name)
    run_floor()
    mean = sum(floors) / len(floors)
    ratio, scale = one.rps / mean, two.rps / one.rps
    click.echo(f"crmlink / floor (mean of {len(floors)}): {ratio:.0%}; two processes / one: {scale:.2f}x")


if __name__ == "__main__":
    main()
