"""Concurrency: 32 clients relate, update and delink overlapping links on the same records for
a bounded time. No 5xx, no "database is locked" anywhere, and each link's final state is its
last acknowledged write in the event log's order: replaying the events (strictly: each starts
from the state the previous left) gives the links table, and each client's acknowledged writes
appear in the events in the order it made them (``tests/linkdriver.py``). Also with two server
processes sharing one PostgreSQL database.

Bounded for CI (``CRMLINK_CONCURRENCY_SECONDS``, default 12, per variant); ``make
reliability-long`` runs longer.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.figures import record
from tests.linkdriver import Client, setup_records, stats, verify, verify_records
from tests.servers import crmlink_server
from tests.test_crash import _user_id
from tests.test_limits import live_org

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("CRMLINK_CONCURRENCY_SECONDS", "12"))
CLIENTS = 32


def _run(tmp_path: Path, url: str, processes: int, name: str) -> None:
    org = live_org(url)
    with ExitStack() as stack:
        dirs = [tmp_path / f"p{i}" for i in range(processes)]
        for d in dirs:
            d.mkdir()
        servers = [stack.enter_context(crmlink_server(d, database_url=url)) for d in dirs]
        bases = [s.base_url for s in servers]
        # Few records, many clients: every link is fought over.
        products, price_books = setup_records(bases[0], org, products=4, price_books=3)
        users: dict[int, int] = {}
        clients: list[Client] = []
        stop = threading.Event()
        for i in range(CLIENTS):
            email = org.add_user("Administrator")
            users[i] = _user_id(org, email)
            # With several processes each client alternates between them, call by call.
            clients.append(
                Client(
                    i,
                    org.headers_for(email),
                    lambda n, i=i: bases[(i + n) % len(bases)],
                    products,
                    price_books,
                    stop,
                    seed=7,
                )
            )
        for client in clients:
            client.start()
        time.sleep(SECONDS)
        stop.set()
        for client in clients:
            client.join(timeout=120)
        logs = "".join(s.log() for s in servers)
    for client in clients:
        assert client.error is None, repr(client.error)
    figures = stats(clients)
    assert figures.lost == 0
    assert set(figures.statuses) <= {200, 207, 400}, figures.statuses
    texts = [call.text for c in clients for call in c.calls]
    assert not any("database is locked" in t for t in texts)
    assert "database is locked" not in logs and "Traceback" not in logs and "internal error" not in logs
    # A 400 is only ever a delink whose every id was not linked (per-item "record not deleted").
    for c in clients:
        for call in c.calls:
            if call.status == 400:
                assert call.kind == "delink" and not any(call.ok), call.text
    events = verify(url, org.org_id, clients, users)
    record_updates = verify_records(url, org.org_id, clients, sequential=False)
    record(
        f"concurrency/{name}",
        clients=CLIENTS,
        processes=processes,
        seconds=SECONDS,
        calls=figures.calls,
        items_acknowledged=figures.items_ok,
        statuses={str(k): v for k, v in sorted(figures.statuses.items())},
        events_checked=events,
        record_updates_checked=record_updates,
    )


def test_32_clients_on_overlapping_links(tmp_path: Path, live_database_url: str) -> None:
    _run(tmp_path, live_database_url, 1, live_database_url.split(":", 1)[0])


def test_32_clients_on_two_processes_sharing_postgresql(tmp_path: Path, fresh_pg_url: str) -> None:
    _run(tmp_path, fresh_pg_url, 2, "postgresql-2-processes")
