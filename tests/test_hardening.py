"""Issue 18, findings 6 and 7: private data files, a reused code revokes what it issued,
``crmlink users deactivate``, ``crmlink tokens revoke --user``, and ``set-password`` ending the
user's sessions. On both engines (the file permissions on SQLite only: PostgreSQL keeps no
files of ours)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmlink.storage.engine import Database
from crmlink.storage.migrations import migrate
from tests.factories import TestOrg
from tests.test_cli_accounts import run_json
from tests.test_oauth_token import current_user, exchange, refresh


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    value: int = request.param
    old = os.umask(value)
    try:
        yield value
    finally:
        os.umask(old)


@pytest.mark.parametrize("umask", [0o022, 0o000], indirect=True, ids=["umask-022", "umask-000"])
def test_the_data_directory_and_database_files_are_private(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    db = Database(f"sqlite:///{data / 'crmlink.db'}")
    try:
        migrate(db)
        with db.write() as conn:  # the write-ahead log and its index exist while connections are open
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        assert _mode(data) == 0o700
        files = sorted(data.iterdir())
        assert {f.name for f in files} >= {"crmlink.db", "crmlink.db-wal", "crmlink.db-shm"}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        db.dispose()


def test_an_existing_open_data_directory_gets_a_warning(tmp_path: Path, caplog: Any) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, 0o755)
    (data / "crmlink.db").touch()
    os.chmod(data / "crmlink.db", 0o644)
    with caplog.at_level(logging.WARNING, logger="crmlink"):
        Database(f"sqlite:///{data / 'crmlink.db'}").dispose()
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("data directory" in w and "0755" in w for w in warned), warned
    assert any("database file" in w and "0644" in w for w in warned), warned
    # Left as found: crmlink warns, the operator decides.
    assert _mode(data) == 0o755


def _exchanged(client: Any, org: TestOrg) -> tuple[Any, str, dict[str, str]]:
    c = org.add_client()
    code = org.grant(c.client_id)
    tokens = exchange(client, c, code).json()
    assert "refresh_token" in tokens
    return c, code, tokens


def test_a_reused_code_revokes_the_tokens_it_issued(client: Any, org: TestOrg) -> None:
    c, code, tokens = _exchanged(client, org)
    assert current_user(client, tokens["access_token"]).status_code == 200
    assert exchange(client, c, code).json() == {"error": "invalid_code"}
    # RFC 6749 10.5: one of the two presenters stole the code; what it issued no longer works.
    assert current_user(client, tokens["access_token"]).json()["code"] == "INVALID_TOKEN"
    assert refresh(client, c, tokens["refresh_token"]).json() == {"error": "invalid_code"}


def test_a_code_presented_by_another_client_revokes_nothing(client: Any, org: TestOrg) -> None:
    _, code, tokens = _exchanged(client, org)
    other = org.add_client("Other")
    assert exchange(client, other, code).json() == {"error": "invalid_code"}
    assert current_user(client, tokens["access_token"]).status_code == 200


def _db_args(database_url: str, org: TestOrg) -> list[str]:
    return ["--database-url", database_url, "--org", str(org.org_id)]


def test_set_password_ends_the_users_sessions(client: Any, org: TestOrg, database_url: str) -> None:
    c, _, tokens = _exchanged(client, org)
    out = run_json(
        "users",
        "set-password",
        org.admin_email,
        "--password-stdin",
        *_db_args(database_url, org),
        input="a-new-password\n",
    )
    assert out["refresh_tokens_revoked"] >= 1
    assert refresh(client, c, tokens["refresh_token"]).json() == {"error": "invalid_code"}
    assert current_user(client, tokens["access_token"]).json()["code"] == "INVALID_TOKEN"
    # Tokens minted without a refresh token (scripts, the test org's own) are not sessions: kept.
    assert client.get("/crm/v2.1/users?type=CurrentUser", headers=org.headers).status_code == 200


def test_tokens_revoke_user(client: Any, org: TestOrg, database_url: str) -> None:
    c, _, tokens = _exchanged(client, org)
    other = org.add_user("Standard")
    others = org.headers_for(other)
    out = run_json("tokens", "revoke", "--user", org.admin_email, *_db_args(database_url, org))
    assert out["email"] == org.admin_email and out["refresh_tokens_revoked"] == 1
    assert out["access_tokens_revoked"] >= 2  # the exchange's and the test org's own
    assert current_user(client, tokens["access_token"]).json()["code"] == "INVALID_TOKEN"
    assert client.get("/crm/v2.1/Leads", headers=org.headers).json()["code"] == "INVALID_TOKEN"
    assert refresh(client, c, tokens["refresh_token"]).json() == {"error": "invalid_code"}
    assert client.get("/crm/v2.1/users?type=CurrentUser", headers=others).status_code == 200


def test_users_deactivate(client: Any, org: TestOrg, database_url: str) -> None:
    email = org.add_user("Standard")
    headers = org.headers_for(email)
    out = run_json("users", "deactivate", email, *_db_args(database_url, org))
    assert out == {"email": email, "active": False, "refresh_tokens_revoked": 0, "access_tokens_revoked": 1}
    assert client.get("/crm/v2.1/Leads", headers=headers).json()["code"] == "INVALID_TOKEN"
    listed = client.get("/crm/v2.1/users?type=DeactiveUsers", headers=org.headers).json()["users"]
    assert [u["email"] for u in listed] == [email]
