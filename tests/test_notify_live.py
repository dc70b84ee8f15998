"""Deliveries from real ``crmlink serve`` processes: a SIGKILL mid-delivery loses nothing, and two
processes on one PostgreSQL send each notification once."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from crmlink.storage import tables
from crmlink.storage.engine import Database
from tests.factories import TestOrg, record_fields
from tests.receiver import Receiver, running
from tests.servers import crmlink_server, free_port, spawn_server, wait_until_up
from tests.test_limits import live_org

pytestmark = pytest.mark.slow

SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL"
# A short POST timeout: a worker's lease on a channel is that plus 5 s.
ENV = {
    "CRMLINK_NOTIFY_ALLOW": "loopback",
    "CRMLINK_NOTIFY_TIMEOUT_MS": "1000",
    "CRMLINK_LOG_LEVEL": "warning",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running()


def _subscribe(base: str, org: TestOrg, channel: str, url: str) -> None:
    item = {"channel_id": channel, "events": ["Leads.create"], "notify_url": url}
    r = httpx.post(
        f"{base}/crm/v2.1/actions/watch", json={"watch": [item]}, headers=org.headers_for(scope=SCOPE)
    )
    assert r.status_code == 201, r.text


def _create(base: str, org: TestOrg, n: int, start: int) -> list[str]:
    items = [record_fields("Leads", start + i) for i in range(n)]
    r = httpx.post(f"{base}/crm/v2.1/Leads", json={"data": items}, headers=org.headers, timeout=30)
    assert r.status_code == 201, r.text
    return [item["details"]["id"] for item in r.json()["data"]]


def _ids(received: list[Any]) -> list[str]:
    return [i for got in received for i in got.body["ids"]]


def _wait_for_ids(receiver: Receiver, path: str, wanted: list[str], timeout: float = 40.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = _ids(receiver.got(path))
        if set(wanted) <= set(seen):
            return seen
        time.sleep(0.05)
    missing = set(wanted) - set(_ids(receiver.got(path)))
    raise AssertionError(f"{len(missing)} of {len(wanted)} ids never arrived")


def test_sigkill_mid_delivery_then_restart_delivers_every_committed_change(
    tmp_path: Path, live_database_url: str, receiver: Receiver
) -> None:
    org = live_org(live_database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, _log = spawn_server(tmp_path, port, env=ENV, database_url=live_database_url)
    try:
        wait_until_up(base, process)
        path, url = receiver.url()
        receiver.hold(path)  # the first POST hangs: the kill comes while it is in flight
        _subscribe(base, org, "7001", url)
        created: list[str] = []
        for batch in range(5):
            created += _create(base, org, 3, batch * 3)
        receiver.wait_for(path, 1)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        receiver.release(path)
        for _attempt in range(50):
            process, _log = spawn_server(tmp_path, port, env=ENV, database_url=live_database_url)
            try:
                wait_until_up(base, process)
                break
            except RuntimeError:
                time.sleep(0.1)
        created += _create(base, org, 3, 100)
        seen = _wait_for_ids(receiver, path, created)
        # Every committed change arrived; the first copies came in change order.
        first = list(dict.fromkeys(seen))
        assert first == created
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(10)


def test_two_processes_on_one_postgresql_deliver_each_notification_once(
    tmp_path: Path, fresh_pg_url: str, receiver: Receiver
) -> None:
    org = live_org(fresh_pg_url)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # A longer lease (timeout + 5 s) than the kill test's: on a loaded machine a worker thread
    # starved past its lease is not "healthy", and the other would rightly send again.
    env = {**ENV, "CRMLINK_NOTIFY_TIMEOUT_MS": "10000"}
    with (
        crmlink_server(tmp_path / "a", env=env, database_url=fresh_pg_url) as a,
        crmlink_server(tmp_path / "b", env=env, database_url=fresh_pg_url) as b,
    ):
        paths: list[str] = []
        for n in range(8):
            path, url = receiver.url()
            paths.append(path)
            _subscribe(a.base_url if n % 2 else b.base_url, org, str(8000 + n), url)
        created: list[str] = []
        for n in range(12):
            created += _create(a.base_url if n % 2 else b.base_url, org, 2, n * 2)
        for path in paths:
            _wait_for_ids(receiver, path, created)
        time.sleep(1.0)  # anything sent twice would have arrived by now
        for path in paths:
            seen = _ids(receiver.got(path))
            assert seen == created, "a notification was sent twice, lost or out of order"
    db = Database(fresh_pg_url)
    try:
        with db.read() as conn:
            workers = set(conn.scalars(select(tables.delivery_attempts.c.worker).distinct()))
    finally:
        db.dispose()
    # Which process takes which channel is a matter of timing (the first to look may take all
    # eight); what matters is that each notification went out once, checked above.
    assert 1 <= len(workers) <= 2, workers
