"""Nothing internal leaks: no traceback, SQL, file path or secret in any response or in the
logs at the default level, for bad input and for real internal errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import PG_ADMIN_DSN
from tests.factories import TestOrg
from tests.servers import crmlink_server
from tests.test_limits import live_org

V = "v2.1"
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/tmp/|\bSELECT\b|\bINSERT\b|\bUPDATE \w+ SET|"
    r"\bFROM (records|links|users|oauth)|psycopg|sqlalchemy|sqlite3|postgresql://",
    re.IGNORECASE,
)

BAD_CALLS = [
    ("POST", "/Leads", b'{"data": ['),
    ("POST", "/Leads", b"[" * 100_000 + b"]" * 100_000),
    ("POST", "/Leads", b'{"data": [{"Last_Name": "\xff"}]}'),
    ("PUT", "/Leads", b'{"data": [{"id": "1\' OR 1=1 --"}]}'),
    ("GET", "/Leads?sort_by=Last_Name;DROP TABLE records", None),
    ("GET", "/Leads/%27%3BSELECT%201", None),
    ("DELETE", "/Leads?ids=1,abc", None),
    ("GET", "/Le%00ads", None),
]


def _assert_clean(text: str, *secrets: str) -> None:
    found = LEAKS.search(text)
    assert found is None, text[max(0, found.start() - 200) : found.end() + 200]
    for secret in secrets:
        assert secret not in text


def test_in_process_errors_leave_nothing_internal_in_logs(
    client: Any, org: TestOrg, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crmlink.domain import records

    for method, path, body in BAD_CALLS:
        response = client.request(method, f"/crm/{V}{path}", content=body, headers=org.headers)
        assert 400 <= response.status_code < 500
        _assert_clean(response.text, org.token)

    def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError('SELECT token_hash FROM oauth_access_tokens -- File "/work/x.py"')

    monkeypatch.setattr(records, "list_records", explode)
    response = client.get(f"/crm/{V}/Leads", headers=org.headers)
    assert response.status_code == 500
    _assert_clean(response.text, org.token)
    # The server's own records (the test client's httpx logs the URLs it was asked to send).
    server_logs = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records
        if not r.name.startswith("httpx")
    )
    assert "internal error on GET /crm/v2.1/Leads: RuntimeError" in server_logs
    _assert_clean(server_logs, org.token)


def test_live_server_with_its_database_gone(tmp_path: Path, fresh_pg_url: str) -> None:
    """A real internal error: PostgreSQL refuses the server's connections mid-run."""
    org = live_org(fresh_pg_url)
    name = fresh_pg_url.rsplit("/", 1)[1]
    with (
        crmlink_server(tmp_path, database_url=fresh_pg_url) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        for method, path, body in BAD_CALLS:
            response = http.request(method, f"/crm/{V}{path}", content=body, headers=org.headers)
            assert 400 <= response.status_code < 500, (path, response.text)
            _assert_clean(response.text, org.token)
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
        try:
            for _ in range(3):
                response = http.get(f"/crm/{V}/Leads", headers=org.headers)
                assert response.status_code == 500
                assert response.json() == {
                    "code": "INTERNAL_ERROR",
                    "details": {},
                    "message": "Internal server error occurred.",
                    "status": "error",
                }
        finally:
            with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        # It recovers by itself once the database is back.
        assert http.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204
    log = server.log()
    assert "internal error on GET /crm/v2.1/Leads" in log
    _assert_clean(log, org.token, name)
