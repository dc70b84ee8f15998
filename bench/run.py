"""One benchmark run: for each size, crmlink on each engine beside its floors, then scale-out.

For each data-set size, in one run on one machine:

1. for each engine: load the data set (bulk loader), mint a real token, start the reference
   floors that belong to the engine (``reference_server.py --work seed`` and ``--work full`` on
   SQLite; ``--work full`` on PostgreSQL) and ``crmlink serve``; run every scenario at each
   connection count from wrk in its own process. Bulk relate is measured back to back, at each
   connection count: each floor, then crmlink, with the same request pattern (fresh links,
   random parents and related ids) and the same load generator; read the peak RSS; stop them;
2. on PostgreSQL: a second ``crmlink serve`` on the same database, the same load split over the
   two (bulk relate to disjoint sets of parents of one relation), and a check that every record
   inserted through either is there exactly once.
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
from bench.servers import FLOOR_TOKEN, Server, crmlink_server, floor_server, stop_all
from bench.tokens import mint_token
from crmlink.storage.engine import Database

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FLOOR = REPO.parent / "shared" / "bench" / "reference_server.py"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
ALL_SCENARIOS = ("relate100", "relate1", "list200", "delink100", "insert100", "search_email", "coql_email")
SCALEOUT_SCENARIOS = ("relate100", "insert100")
PRODUCT_SAMPLE = 5_000
BOOK_SAMPLE = 20_000
# reference_server.py --work full: records 1..1000 are Products, the rest Price_Books.
FLOOR_PRODUCTS = 1_000
# The floors, by key: (--work, engine). Each runs beside crmlink on its engine.
FLOORS: dict[str, tuple[str, str]] = {
    "seed": ("seed", "sqlite"),
    "full_sqlite": ("full", "sqlite"),
    "full_postgresql": ("full", "postgresql"),
}


def fresh_books(books: Sequence[int], products: int) -> list[int]:
    """The price books a relate scenario cycles over, cut so that its (parent, window of 100)
    pairs do not repeat for ``products`` x windows requests: the scenario's request i relates
    product i mod P to the window starting at 100 i mod B, so with B = 100 W and W coprime with
    P every request until P x W writes fresh links (with W sharing a factor with P they would
    repeat after lcm(P, W) requests and turn into updates)."""
    windows = len(books) // 100
    while windows > 1 and math.gcd(windows, products) != 1:
        windows -= 1
    return list(books[: windows * 100]) if windows >= 1 else list(books)


def floors_for(engine: str, engines: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The floors run beside crmlink on ``engine``: its full-work floor, and the seed floor
    (engine-independent, SQLite) beside the first engine of the run."""
    keys = [k for k, (work, on) in FLOORS.items() if work == "full" and on == engine]
    if engines and engine == engines[0]:
        keys.insert(0, "seed")
    return [k for k in keys if k in wanted]


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
    floors: list[str] = field(default_factory=lambda: list(FLOORS))
    rounds: int = 1  # bulk relate beside the floors: floor(s) then crmlink, this many times in turn
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
        self.floor_rows: dict[str, dict[str, Any]] = {}  # this size's floors, by key

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

    # ------------------------------------------------------------------ the floors

    def start_floor(self, key: str, size: int, scratch: Path) -> tuple[Server, Target, Callable[[], None]]:
        """Start one floor on its own database, with its relate target (the same request pattern
        as crmlink's: shuffled parents, a fresh window of 100 random related ids per request)."""
        work, engine = FLOORS[key]
        records = max(size, FLOOR_PRODUCTS + 2_000)
        if engine == "sqlite":
            db_path = scratch / f"floor-{key}.db"
            for stale in scratch.glob(f"floor-{key}.db*"):
                stale.unlink()
            db = str(db_path)

            def cleanup() -> None:
                for stale in scratch.glob(f"floor-{key}.db*"):
                    stale.unlink()

        else:
            db, cleanup = self.database("postgresql", f"floor_{size_label(size)}", scratch)
        rng = random.Random(size)
        products = rng.sample(range(1, FLOOR_PRODUCTS + 1), FLOOR_PRODUCTS)
        books = rng.sample(range(FLOOR_PRODUCTS + 1, records + 1), min(BOOK_SAMPLE, records - FLOOR_PRODUCTS))
        server = floor_server(self.c.floor, db, records, scratch / f"floor-{key}.log", work=work)
        try:
            server.launch()  # the caller waits for it, with crmlink's servers
        except BaseException:
            cleanup()
            raise
        self.floor_rows.setdefault(key, {"rows": {"relate100": {}}})["records"] = records
        target = Target(
            server.base_url,
            "relate100",
            token=FLOOR_TOKEN,
            products=products,
            price_books=fresh_books(books, len(products)),
        )
        return server, target, cleanup

    def floor_label(self, key: str) -> str:
        work, engine = FLOORS[key]
        return "seed" if work == "seed" else f"full-{'pg' if engine == 'postgresql' else engine}"

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
        """Load, serve and measure crmlink on ``engine``, with that engine's floors beside it."""
        label = size_label(size)
        url, cleanup = self.database(engine, label, scratch)
        try:
            self.c.log(f"  loading {label} into {engine}")
            loaded = load(url, plan_for(size, hot_links=self.c.hot_links))
            self.c.log(
                f"  loaded {loaded.records:,} records in {loaded.record_seconds:.1f}s, "
                f"{loaded.links:,} links, {loaded.seconds:.1f}s in all"
            )
            floors: dict[str, tuple[Server, Target, Callable[[], None]]] = {}
            servers: list[Server] = []
            try:
                # The floors load their own databases while the token is minted and crmlink's
                # servers start; all of them are up before the first figure.
                for key in floors_for(engine, self.c.engines, self.c.floors):
                    floors[key] = self.start_floor(key, size, scratch)
                    servers.append(floors[key][0])
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
                servers.append(server.launch())
                second = None
                if engine == "postgresql" and self.c.scaleout:
                    second = crmlink_server("crmlink-pg-2", url, scratch / "crmlink-postgresql-2.log")
                    servers.append(second.launch())
                for started in servers:
                    started.wait_ready()
                out["rows"] = self.scenarios(server, url, loaded, token, engine, floors)
                out["rss_mb"] = round(server.peak_rss_mb, 1)
                for key, (floor, _target, _cleanup) in floors.items():
                    self.floor_rows.setdefault(key, {"rows": {"relate100": {}}})
                    self.floor_rows[key]["rss_mb"] = round(floor.peak_rss_mb, 1)
                    floor.stop()
                if second is not None:
                    out["scaleout"] = self.scaleout(server, second, url, loaded, token)
                return out
            finally:
                stop_all(servers)
                for _floor, _target, floor_cleanup in floors.values():
                    floor_cleanup()
        finally:
            cleanup()

    def targets_for(self, loaded: Loaded, base_url: str, token: str) -> dict[str, Target]:
        rng = random.Random(loaded.records)
        products = loaded.ids["Products"][1:]
        chosen = rng.sample(products, min(len(products), 2 * PRODUCT_SAMPLE))
        relate_products, pool_products = chosen[: len(chosen) // 2], chosen[len(chosen) // 2 :]
        books = loaded.ids["Price_Books"]
        book_sample = fresh_books(rng.sample(books, min(len(books), BOOK_SAMPLE)), len(relate_products))

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
        self,
        server: Server,
        url: str,
        loaded: Loaded,
        token: str,
        engine: str,
        floors: dict[str, tuple[Server, Target, Callable[[], None]]],
    ) -> dict[str, dict[str, Any]]:
        targets = self.targets_for(loaded, server.base_url, token)
        rows: dict[str, dict[str, Any]] = {}
        for scenario in self.c.scenarios:
            rows[scenario] = {}
            for conns in self.c.connections:
                target = targets[scenario]
                if scenario == "relate100" and floors:
                    m = self._relate_beside_floors(engine, target, conns, floors)
                elif scenario == "delink100":
                    relate = rows.get("relate100", {}).get(str(conns))
                    m = self._measure_delink(url, loaded, target, conns, relate["rps"] if relate else None)
                    self._say(engine, scenario, conns, m)
                else:
                    m = self.measure(target, conns)
                    self._say(engine, scenario, conns, m)
                rows[scenario][str(conns)] = m.as_dict()
        return rows

    def _relate_beside_floors(
        self,
        engine: str,
        target: Target,
        conns: int,
        floors: dict[str, tuple[Server, Target, Callable[[], None]]],
    ) -> Measure:
        """Bulk relate: each floor, then crmlink, back to back, ``rounds`` times in turn; each
        server's figure is its round with the median throughput (all rounds' rates kept), and
        the log prints crmlink's ratio to each floor per round."""
        per: dict[str, list[Measure]] = {key: [] for key in floors}
        mine: list[Measure] = []
        for round_no in range(self.c.rounds):
            warm = round_no == 0
            ratios = []
            for key, (_floor, floor_target, _cleanup) in floors.items():
                fm = self.measure(floor_target, conns, warm=warm)
                self._say(self.floor_label(key), "relate100", conns, fm)
                per[key].append(fm)
            m = self.measure(target, conns, warm=warm)
            self._say(engine, "relate100", conns, m)
            mine.append(m)
            for key in floors:
                rps = per[key][-1].rps
                ratios.append(f"x {self.floor_label(key)} {m.rps / rps:.2f}" if rps else "")
            self.c.log("    " + " " * 10 + " ratio     " + "  ".join(ratios))
        for key, measures in per.items():
            entry = self.floor_rows.setdefault(key, {"rows": {"relate100": {}}})
            entry["rows"]["relate100"][str(conns)] = _median(measures).as_dict()
        return _median(mine)

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

    def scaleout(self, first: Server, second: Server, url: str, loaded: Loaded, token: str) -> dict[str, Any]:
        """One process, then two (``second``, started beside ``first``) on the same database."""
        conns = self.c.scaleout_connections
        half = max(1, conns // 2)
        out: dict[str, Any] = {"connections": conns, "one": {}, "two": {}}
        for scenario in SCALEOUT_SCENARIOS:
            one_target = self.targets_for(loaded, first.base_url, token)[scenario]
            one = self.measure(one_target, conns)
            self._say("pg x1", scenario, conns, one)
            before = _count_leads(url)
            parts: list[Measure] = []
            threads = []
            for i, server in enumerate((first, second)):
                target = self.targets_for(loaded, server.base_url, token)[scenario]
                if scenario == "relate100":
                    # Different parents of one relation: each process relates its own half
                    # of the products (the single process above cycled over both halves).
                    half_products = list(target.products[i::2])
                    target.products = half_products
                    target.price_books = fresh_books(target.price_books, len(half_products))
                # Disjoint request sequences for the two load generators (the second one's
                # windows of related ids start elsewhere too).
                self.offsets[f"{server.base_url}:{scenario}"] = (
                    self.offsets.get(f"{first.base_url}:{scenario}", 0) + i * 10_000_037
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
                "floors": self.c.floors,
                "floor_rounds": self.c.rounds,
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
                "floors": {},
                "engines": {},
            }
            self.floor_rows = {}
            for engine in self.c.engines:
                entry["engines"][engine] = self.crmlink(engine, size, scratch)
            for key, data in self.floor_rows.items():
                work, engine = FLOORS[key]
                entry["floors"][key] = {"work": work, "engine": engine, **data}
            results["sizes"].append(entry)
        results["seconds"] = round(time.monotonic() - started, 1)
        return results


def _median(measures: Sequence[Measure]) -> Measure:
    """The measure with the median throughput (the lower middle of an even count), with every
    round's throughput in ``extra['rounds_rps']`` when there was more than one."""
    ordered = sorted(measures, key=lambda m: m.rps)
    chosen = ordered[(len(ordered) - 1) // 2]
    if len(measures) > 1:
        chosen.extra["rounds_rps"] = [round(m.rps, 1) for m in measures]
    return chosen


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
