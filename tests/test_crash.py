"""Crash safety: SIGKILL the server at random moments while clients stream relate, update and
delink calls; restart it on the same database; nothing acknowledged is lost, nothing is
half-applied, and the change events agree with the links (checks in ``tests/linkdriver.py``).

Bounded for CI (``CRMLINK_CRASH_KILLS`` kills, default 12, per engine); ``make
reliability-long`` runs more.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.figures import record
from tests.linkdriver import Client, setup_records, stats, verify, verify_records
from tests.servers import free_port, spawn_server, wait_until_up
from tests.test_limits import live_org

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("CRMLINK_CRASH_KILLS", "12"))
CLIENTS = 4


def test_sigkill_during_a_stream_of_link_changes(tmp_path: Path, live_database_url: str) -> None:
    url = live_database_url
    org = live_org(url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    rng = random.Random(os.environ.get("CRMLINK_CRASH_SEED", "crash"))

    def start() -> None:
        nonlocal process
        for _attempt in range(50):
            process, _log = spawn_server(tmp_path, port, database_url=url)
            try:
                wait_until_up(base_url, process)
                return
            except RuntimeError:  # the port may still be held for a moment after a kill
                time.sleep(0.1)
        raise AssertionError("server did not restart")

    process = None
    start()
    products, price_books = setup_records(base_url, org, products=8, price_books=4)
    users: dict[int, int] = {}
    headers: dict[int, dict[str, str]] = {}
    for i in range(CLIENTS):
        email = org.add_user("Administrator")
        headers[i] = org.headers_for(email)
        users[i] = _user_id(org, email)
    stop, up = threading.Event(), threading.Event()
    up.set()
    # Each client owns two products: per link, its calls are made one at a time, in order.
    clients = [
        Client(i, headers[i], lambda _n: base_url, products[2 * i : 2 * i + 2], price_books, stop, up, seed=i)
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    kills = 0
    try:
        while kills < KILLS:
            time.sleep(rng.uniform(0.2, 1.2))
            assert process is not None
            # Clients stop starting calls first: the calls cut by the kill are the ones in flight.
            up.clear()
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            start()
            up.set()
        time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    for client in clients:
        assert client.error is None, repr(client.error)
    figures = stats(clients)
    assert not [s for s in figures.statuses if s >= 500], figures.statuses
    assert figures.lost > 0 or kills == 0  # some calls were in flight when the server died
    events = verify(url, org.org_id, clients, users)
    record_updates = verify_records(url, org.org_id, clients, sequential=True)
    log = (tmp_path / f"serve-{port}.log").read_text(errors="replace")
    assert "Traceback" not in log and "database is locked" not in log
    record(
        f"crash/{url.split(':', 1)[0]}",
        kills=kills,
        calls=figures.calls,
        answered=figures.answered,
        lost_in_kills=figures.lost,
        items_acknowledged=figures.items_ok,
        statuses={str(k): v for k, v in sorted(figures.statuses.items())},
        events_checked=events,
        record_updates_checked=record_updates,
    )


def _user_id(org: object, email: str) -> int:
    from crmlink.domain.orgs import find_user
    from tests.factories import TestOrg

    assert isinstance(org, TestOrg)
    with org.services.db.read() as conn:
        user = find_user(conn, org.org_id, email)
    assert user is not None
    return user.id
