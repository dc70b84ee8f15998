"""The server's own cost per call, without sockets: drive the ASGI app in this process.

wrk's figures include the HTTP server, the kernel and whatever else shares the machine; this
drives ``crmlink.app.create_app`` directly with ASGI messages, one call after another, on a
loaded data set, and prints wall and CPU time per call (optionally a cProfile listing). It is
how the per-call figures in docs/benchmarks.md were taken. Calls run one at a time, so each is
its own group commit; use wrk (``python -m bench run``) for behaviour under concurrency.

Upsert against plain insert (issue 11: upsert of 100 keyed by Email at >= 50% of the speed of
inserting 100): ``insert100`` posts 100 new Leads; ``upsert100`` upserts 100 new Leads keyed by
Email (all inserts); ``upsert100u`` upserts 100 Leads whose Emails the warm-up calls inserted
(all updates, each key seen once per 50 calls).

\b
    python -m bench.inproc relate100 --calls 300
    python -m bench.inproc list200 --calls 500 --profile
    python -m bench.inproc insert100 --calls 200 && python -m bench.inproc upsert100 --calls 200
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pickle
import pstats
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bench.dataset import parse_size, plan_for
from bench.load import Loaded, load
from bench.tokens import mint_token

Request = tuple[str, str, bytes, bytes]  # method, path, body, query string


def _requests(loaded: Loaded, salt: int) -> dict[str, Callable[[int], Request]]:
    rng = random.Random(1)
    products = loaded.ids["Products"][1:]
    books = rng.sample(loaded.ids["Price_Books"], min(20_000, len(loaded.ids["Price_Books"])))

    def relate100(i: int) -> Request:
        i += salt
        window = [(books[(i * 100 + k) % len(books)], 10 + (i * 100 + k) % 990) for k in range(100)]
        items = ",".join(f'{{"id":"{book}","list_price":{price}.5}}' for book, price in window)
        path = f"/crm/v2.1/Products/{products[i % len(products)]}/Price_Books"
        return "PUT", path, ('{"data":[' + items + "]}").encode(), b""

    def relate1(i: int) -> Request:
        i += salt
        path = (
            f"/crm/v2.1/Products/{products[i % len(products)]}/Price_Books/{books[(i * 7 + 3) % len(books)]}"
        )
        return "PUT", path, b'{"data":[{"list_price":%d.25}]}' % (10 + i % 990), b""

    def list200(i: int) -> Request:
        path = f"/crm/v2.1/Products/{loaded.hot_product}/Price_Books"
        return "GET", path, b"", b"page=%d&per_page=200" % (i % 50 + 1)

    def _leads(keys: list[str]) -> bytes:
        items = ",".join(
            f'{{"Last_Name":"Bench {k}","Company":"Zylker","Email":"{k}@bench.example"}}' for k in keys
        )
        return ('{"data":[' + items + '],"duplicate_check_fields":["Email"]}').encode()

    def insert100(i: int) -> Request:
        i += salt
        return "POST", "/crm/v2.1/Leads", _leads([f"i{i}-{k}" for k in range(100)]), b""

    def upsert100(i: int) -> Request:
        i += salt
        return "POST", "/crm/v2.1/Leads/upsert", _leads([f"n{i}-{k}" for k in range(100)]), b""

    def upsert100u(i: int) -> Request:
        # The 50 warm-up calls insert 50 x 100 keys; every later call updates 100 of them.
        return "POST", "/crm/v2.1/Leads/upsert", _leads([f"u{salt}-{i % 50}-{k}" for k in range(100)]), b""

    return {
        "relate100": relate100,
        "relate1": relate1,
        "list200": list200,
        "insert100": insert100,
        "upsert100": upsert100,
        "upsert100u": upsert100u,
    }


async def _call(app: Any, token: str, request: Request) -> int:
    method, path, body, query = request
    sent: list[dict[str, Any]] = []
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [
            (b"authorization", f"Zoho-oauthtoken {token}".encode()),
            (b"content-type", b"application/json"),
            (b"host", b"bench"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    await app(scope, receive, send)
    status = int(sent[0]["status"])
    if status >= 300:
        raise click.ClickException(f"{method} {path} answered {status}: {sent[1:]!r}"[:500])
    return status


@click.command()
@click.argument(
    "scenario",
    type=click.Choice(["relate100", "relate1", "list200", "insert100", "upsert100", "upsert100u"]),
)
@click.option("--calls", type=int, default=300, show_default=True)
@click.option("--size", default="10k", show_default=True)
@click.option("--dir", "work", type=click.Path(path_type=Path), default=Path("bench/results/tmp/inproc"))
@click.option("--fresh", is_flag=True, help="Load the data set again (every call then writes new links).")
@click.option("--profile", is_flag=True, help="Print cProfile's top functions by own time.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also merge {scenario: {wall_ms, cpu_ms, calls}} into this JSON file (make bench's inproc.json).",
)
def main(
    scenario: str, calls: int, size: str, work: Path, fresh: bool, profile: bool, out: Path | None
) -> None:
    """Time SCENARIO in process on a SQLite data set kept in --dir."""
    work.mkdir(parents=True, exist_ok=True)
    db, meta = work / "crmlink.db", work / "loaded.pickle"
    url = f"sqlite:///{db.resolve()}"
    if fresh or not meta.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        meta.write_bytes(pickle.dumps(load(url, plan_for(parse_size(size)))))
    loaded: Loaded = pickle.loads(meta.read_bytes())
    token, _ = mint_token(url)
    os.environ["CRMLINK_DATABASE_URL"] = url
    from crmlink.app import create_app
    from crmlink.config import Settings

    app = create_app(Settings.from_env())
    build = _requests(loaded, salt=int(time.time()) % 100_000 * 1_000)[scenario]
    requests = [build(i) for i in range(calls + 50)]

    async def drive() -> None:
        for request in requests[:50]:  # warm up
            await _call(app, token, request)
        profiler = cProfile.Profile() if profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for request in requests[50:]:
            await _call(app, token, request)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        click.echo(
            f"{scenario}: {wall / calls * 1000:.3f} ms/call wall, {cpu / calls * 1000:.3f} ms/call CPU"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        if out is not None:
            figures = json.loads(out.read_text()) if out.exists() else {}
            figures["size"] = size
            figures[scenario] = {
                "wall_ms": round(wall / calls * 1000, 3),
                "cpu_ms": round(cpu / calls * 1000, 3),
                "calls": calls,
            }
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(figures, indent=2) + "\n")

    asyncio.run(drive())


if __name__ == "__main__":
    main()
