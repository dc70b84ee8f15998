"""Zoho's limits: API credits per org over a rolling 24 hours (shared by processes) and the
concurrency cap per user and client (per process), both answering 429 in Zoho's envelope."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.config import STRICT_API_CREDITS_PER_DAY, STRICT_MAX_CONCURRENT_REQUESTS, Settings
from crmlink.domain.limits import WINDOW_MINUTES, spend_credit
from crmlink.errors import TooManyRequests
from crmlink.storage import tables
from tests.factories import OrgFactory, TestOrg
from tests.helpers import assert_zoho_error
from tests.servers import crmlink_server

V = "v2.1"


@pytest.fixture
def limited(database_url: str) -> Iterator[tuple[Services, TestClient]]:  # type: ignore[type-arg]
    svc = open_services(Settings(database_url=database_url, api_credits_per_day=3))
    with TestClient(create_app(svc.settings, svc)) as client:
        yield svc, client
    svc.db.dispose()


def assert_too_many(response: Any) -> int:
    assert_zoho_error(response, 429, "TOO_MANY_REQUESTS", "too many requests", {})
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 24 * 3600
    return retry_after


def test_credits_run_out_per_org_and_refused_calls_are_not_charged(
    limited: tuple[Services, Any], database_url: str
) -> None:
    svc, client = limited
    org, other = OrgFactory(svc).create(), OrgFactory(svc).create()
    for _ in range(3):
        assert client.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204
    assert_too_many(client.get(f"/crm/{V}/Leads", headers=org.headers))
    assert_too_many(client.post(f"/crm/{V}/Leads", json={"data": [{"Last_Name": "x"}]}, headers=org.headers))
    # Nothing was stored by the refused insert, and the other org still has its credits.
    assert client.get(f"/crm/{V}/Leads", headers=other.headers).status_code == 204
    with svc.db.read() as conn:
        c = tables.api_credits
        used = conn.scalars(select(c.c.used).where(c.c.org_id == org.org_id)).all()
    assert sum(used) == 3


def test_credits_are_shared_by_processes_on_one_database(
    limited: tuple[Services, Any], database_url: str
) -> None:
    svc, client = limited
    org = OrgFactory(svc).create()
    second = open_services(Settings(database_url=database_url, api_credits_per_day=3))
    try:
        with TestClient(create_app(second.settings, second)) as other_process:
            assert client.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204
            assert other_process.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204
            assert client.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204
            assert_too_many(other_process.get(f"/crm/{V}/Leads", headers=org.headers))
    finally:
        second.db.dispose()


def test_the_window_rolls_over_24_hours(services: Services, org: TestOrg) -> None:
    start = 1_900_000_000.0  # a fixed clock: the domain function takes the time as an argument
    with services.db.write() as conn:
        spend_credit(conn, org.org_id, start, 2)
    with services.db.write() as conn:
        spend_credit(conn, org.org_id, start + 3600, 2)
    with pytest.raises(TooManyRequests) as refused, services.db.write() as conn:
        spend_credit(conn, org.org_id, start + 7200, 2)
    # The first credit leaves the window at the end of its minute plus 24 hours.
    leaves = (int(start // 60) + WINDOW_MINUTES) * 60
    assert int(refused.value.headers["Retry-After"]) == leaves - int(start + 7200)
    with pytest.raises(TooManyRequests), services.db.write() as conn:
        spend_credit(conn, org.org_id, leaves - 1, 2)
    with services.db.write() as conn:
        spend_credit(conn, org.org_id, leaves, 2)  # one credit back
    with pytest.raises(TooManyRequests), services.db.write() as conn:
        spend_credit(conn, org.org_id, leaves + 1, 2)


def test_strict_mode_turns_on_zoho_like_defaults() -> None:
    strict = Settings.from_env({"CRMLINK_STRICT": "true"})
    assert (strict.credit_limit, strict.concurrency_limit) == (5_000, 10)
    assert (STRICT_API_CREDITS_PER_DAY, STRICT_MAX_CONCURRENT_REQUESTS) == (5_000, 10)
    assert (Settings().credit_limit, Settings().concurrency_limit) == (0, 0)
    explicit = Settings(strict=True, api_credits_per_day=7, max_concurrent_requests=2)
    assert (explicit.credit_limit, explicit.concurrency_limit) == (7, 2)


def live_org(database_url: str) -> TestOrg:
    svc = open_services(Settings(database_url=database_url))
    try:
        return OrgFactory(svc).create()
    finally:
        svc.db.dispose()


def _stalled_post(base_url: str, org: TestOrg, body: bytes) -> socket.socket:
    """A POST whose body stops half-way: the request holds its slot until the rest comes."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (
        f"POST /crm/{V}/Leads HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: {org.headers['Authorization']}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[: len(body) // 2])
    return sock


def _finish(sock: socket.socket, body: bytes) -> bytes:
    sock.sendall(body[len(body) // 2 :])
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return data


def test_concurrency_cap_per_user_and_client(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cap.db'}"
    org = live_org(url)
    body = b'{"data": [{"Last_Name": "Slow", "Company": "Upload"}]}'
    env = {"CRMLINK_MAX_CONCURRENT_REQUESTS": "2"}
    with (
        crmlink_server(tmp_path, env=env, database_url=url) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        held = [_stalled_post(server.base_url, org, body) for _ in range(2)]
        deadline = time.monotonic() + 10
        while True:  # the two stalled requests reach the gate asynchronously
            third = http.get(f"/crm/{V}/Leads", headers=org.headers)
            if third.status_code == 429 or time.monotonic() > deadline:
                break
        assert third.headers["retry-after"] == "1"
        assert_too_many(third)
        # Another user of the same org is not held back by them.
        other = live_org(url)
        assert http.get(f"/crm/{V}/Leads", headers=other.headers).status_code == 204
        answers = [_finish(sock, body) for sock in held]
        assert all(a.startswith(b"HTTP/1.1 201") for a in answers), answers
        # Slots are given back, also by requests that ended in an error.
        for _ in range(5):
            bad = http.post(f"/crm/{V}/Leads", content=b"{", headers=org.headers)
            assert bad.status_code == 400
        assert http.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 200


def test_serve_strict_charges_credits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'strict.db'}"
    org = live_org(url)
    with crmlink_server(tmp_path, "--strict", database_url=url) as server:
        for _ in range(3):
            assert httpx.get(f"{server.base_url}/crm/{V}/Leads", headers=org.headers).status_code == 204
    svc = open_services(Settings(database_url=url))
    try:
        with svc.db.read() as conn:
            c = tables.api_credits
            used = conn.scalars(select(c.c.used).where(c.c.org_id == org.org_id)).all()
    finally:
        svc.db.dispose()
    assert sum(used) == 3


def test_limits_cover_every_crm_route(limited: tuple[Services, Any]) -> None:
    """The middleware charges whatever the route, related records and users included."""
    svc, client = limited
    org = OrgFactory(svc).create()
    paths = [f"/crm/{V}/settings/modules", f"/crm/{V}/Products/1/Price_Books", f"/crm/{V}/users"]
    for path in paths:
        assert client.get(path, headers=org.headers).status_code != 429
    assert_too_many(client.get(f"/crm/{V}/Leads", headers=org.headers))
    # No valid token: the route answers its own 401, and nothing is charged.
    assert client.get(f"/crm/{V}/Leads", headers={"Authorization": "Zoho-oauthtoken nope"}).status_code == 401
    assert client.get("/openapi.json").status_code == 200
