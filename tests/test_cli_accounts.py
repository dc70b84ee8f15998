"""``crmlink users|profiles|clients|grant|token`` against the database a server uses: the JSON
contract other tools rely on, the text output, and credentials that work on the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from crmlink.api.context import Services
from crmlink.cli import main
from crmlink.domain.passwords import check_sign_in
from tests.factories import TestOrg


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def run_json(*args: str, input: str | None = None) -> Any:
    result = run(*args, "--json", input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def db_args(database_url: str, org: TestOrg) -> list[str]:
    """Point the CLI at the test database (SQLite file or PostgreSQL) and the test's org."""
    return ["--database-url", database_url, "--org", str(org.org_id)]


def test_users_add_json_shape(db_args: list[str], org: TestOrg) -> None:
    out = run_json("users", "add", "Ana@Example.com", "--name", "Ana Lima", "--profile", "Standard", *db_args)
    assert list(out) == ["id", "email", "name", "profile", "org_id"]
    assert (
        out["email"] == "ana@example.com"
        and out["profile"] == "Standard"
        and out["org_id"] == str(org.org_id)
    )
    assert out["id"] == str(org.user_id("ana@example.com"))


def test_users_add_text_and_refusals(db_args: list[str]) -> None:
    ok = run("users", "add", "bo@example.com", "--profile", "Administrator", *db_args)
    assert ok.exit_code == 0 and "added user bo@example.com (bo, Administrator)" in ok.output
    again = run("users", "add", "bo@example.com", *db_args)
    assert again.exit_code == 1 and "duplicate" in again.output
    unknown = run("users", "add", "cy@example.com", "--profile", "Pilots", *db_args)
    assert unknown.exit_code == 1 and "no profile named 'Pilots'" in unknown.output


def test_passwords_are_read_from_stdin_and_hashed(
    db_args: list[str], org: TestOrg, services: Services
) -> None:
    run_json("users", "add", "dee@example.com", "--password-stdin", *db_args, input="dee-secret-1\n")
    with services.db.read() as conn:
        assert check_sign_in(conn, org.org_id, "dee@example.com", "dee-secret-1") is not None
    changed = run_json(
        "users", "set-password", "dee@example.com", "--password-stdin", *db_args, input="new-pass-22\n"
    )
    assert changed == {"email": "dee@example.com", "password_set": True, "refresh_tokens_revoked": 0}
    with services.db.read() as conn:
        assert check_sign_in(conn, org.org_id, "dee@example.com", "dee-secret-1") is None
        assert check_sign_in(conn, org.org_id, "dee@example.com", "new-pass-22") is not None
    short = run("users", "set-password", "dee@example.com", "--password-stdin", *db_args, input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_clients_add_json_shape(db_args: list[str]) -> None:
    out = run_json("clients", "add", "--name", "Sync", "--redirect-uri", "https://a.example/cb", *db_args)
    assert list(out) == ["client_id", "client_secret", "name", "redirect_uris"]
    assert out["client_id"].startswith("1000.") and len(out["client_id"]) == 35
    assert len(out["client_secret"]) == 42 and out["redirect_uris"] == ["https://a.example/cb"]
    text = run("clients", "add", *db_args)
    assert "client secret" in text.output and "(none: self client)" in text.output


def test_grant_then_exchange_then_refresh(client: Any, db_args: list[str], org: TestOrg) -> None:
    """The self-client flow of Zoho's console, end to end: what the official SDK is configured with."""
    c = run_json("clients", "add", *db_args)
    scope = "ZohoCRM.modules.ALL, ZohoCRM.users.READ"
    grant = run_json(
        "grant", "--client", c["client_id"], "--user", org.admin_email, "--scope", scope, *db_args
    )
    assert list(grant) == ["code", "expires_in", "scope"]
    assert grant["expires_in"] == 180 and grant["scope"] == "ZohoCRM.modules.ALL,ZohoCRM.users.READ"
    form = {"client_id": c["client_id"], "client_secret": c["client_secret"]}
    tokens = client.post(
        "/oauth/v2/token", data={**form, "grant_type": "authorization_code", "code": grant["code"]}
    )
    refresh_token = tokens.json()["refresh_token"]
    renewed = client.post(
        "/oauth/v2/token", data={**form, "grant_type": "refresh_token", "refresh_token": refresh_token}
    )
    access = renewed.json()["access_token"]
    me = client.get(
        "/crm/v2.1/users?type=CurrentUser", headers={"Authorization": f"Zoho-oauthtoken {access}"}
    )
    assert me.json()["users"][0]["email"] == org.admin_email


def test_token_json_shape_and_use(client: Any, db_args: list[str], org: TestOrg) -> None:
    out = run_json("token", "--user", org.admin_email, "--scope", "ZohoCRM.modules.leads.READ", *db_args)
    assert list(out) == ["access_token", "refresh_token", "expires_in", "api_domain", "token_type", "scope"]
    assert (
        out["expires_in"] == 3600
        and out["token_type"] == "Bearer"
        and out["api_domain"] == "http://127.0.0.1:8000"
    )
    headers = {"Authorization": f"Zoho-oauthtoken {out['access_token']}"}
    assert client.get("/crm/v2.1/Leads", headers=headers).status_code in (200, 204)
    denied = client.post(
        "/crm/v2.1/Leads", json={"data": [{"Last_Name": "x", "Company": "y"}]}, headers=headers
    )
    assert denied.status_code == 401 and denied.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    # Unbound refresh tokens work with any client of the org.
    c = run_json("clients", "add", *db_args)
    form = {
        "client_id": c["client_id"],
        "client_secret": c["client_secret"],
        "refresh_token": out["refresh_token"],
    }
    assert (
        "access_token" in client.post("/oauth/v2/token", data={**form, "grant_type": "refresh_token"}).json()
    )


def test_token_bound_to_a_client(client: Any, db_args: list[str], org: TestOrg) -> None:
    mine, other = run_json("clients", "add", *db_args), run_json("clients", "add", *db_args)
    out = run_json(
        "token",
        "--user",
        org.admin_email,
        "--scope",
        "ZohoCRM.modules.ALL",
        "--client",
        mine["client_id"],
        *db_args,
    )
    form = {"grant_type": "refresh_token", "refresh_token": out["refresh_token"]}
    theirs = {"client_id": other["client_id"], "client_secret": other["client_secret"]}
    assert client.post("/oauth/v2/token", data={**form, **theirs}).json() == {"error": "invalid_code"}
    ours = {"client_id": mine["client_id"], "client_secret": mine["client_secret"]}
    assert "access_token" in client.post("/oauth/v2/token", data={**form, **ours}).json()


def test_profiles_add_and_use(client: Any, db_args: list[str], org: TestOrg) -> None:
    out = run_json(
        "profiles",
        "add",
        "Lead Reader",
        "--permission",
        "*=view",
        "--permission",
        "leads=view,edit",
        *db_args,
    )
    assert out["permissions"] == {"*": ["view"], "Leads": ["view", "edit"]} and out["name"] == "Lead Reader"
    run_json("users", "add", "lr@example.com", "--profile", "Lead Reader", *db_args)
    token = run_json("token", "--user", "lr@example.com", "--scope", "ZohoCRM.modules.ALL", *db_args)[
        "access_token"
    ]
    lead = org.create(client, "Leads")[0]
    denied = client.delete(f"/crm/v2.1/Leads/{lead}", headers={"Authorization": f"Zoho-oauthtoken {token}"})
    assert denied.status_code == 403 and denied.json()["message"] == "Permission denied to delete records"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["profiles", "add", "X", "--permission", "Spaceships=view"], "unknown module", id="bad-module"
        ),
        pytest.param(
            ["profiles", "add", "X", "--permission", "Leads=fly"], "unknown permissions", id="bad-perm"
        ),
        pytest.param(["profiles", "add", "X", "--permission", "Leads"], "expected MODULE=", id="no-equals"),
        pytest.param(
            ["grant", "--client", "1000.NOPE", "--user", "a@b.c", "--scope", "ZohoCRM.modules.ALL"],
            "no client",
            id="grant-unknown-client",
        ),
        pytest.param(
            ["token", "--user", "nobody@example.com", "--scope", "ZohoCRM.modules.ALL"],
            "no user",
            id="token-unknown-user",
        ),
        pytest.param(
            ["token", "--user", "{admin}", "--scope", " , "], "a scope is required", id="token-empty-scope"
        ),
        pytest.param(
            ["token", "--user", "{admin}", "--scope", "ZohoCRM.modules.ALL,ZohoCRM.bogus.X"],
            "invalid scope 'ZohoCRM.bogus.X': the scope does not exist",
            id="token-unknown-scope",
        ),
        pytest.param(
            ["clients", "add", "--redirect-uri", "javascript:alert(1)"], "must be http", id="bad-redirect"
        ),
    ],
)
def test_cli_refusals(db_args: list[str], org: TestOrg, args: list[str], message: str) -> None:
    result = run(*[a.replace("{admin}", org.admin_email) for a in args], *db_args)
    assert result.exit_code != 0 and message in result.output, result.output


def test_unknown_org_is_refused(database_url: str) -> None:
    result = run("clients", "add", "--database-url", database_url, "--org", "42")
    assert result.exit_code == 1 and "no org with id 42" in result.output


def test_data_dir_from_the_environment(tmp_path: Path) -> None:
    """A fresh SQLite data directory: the default org and its administrator are there."""
    env = {"CRMLINK_DATA_DIR": str(tmp_path / "data")}
    result = run("token", "--user", "admin@example.com", "--scope", "ZohoCRM.modules.ALL", "--json", env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["access_token"].startswith("1000.")
    assert (tmp_path / "data" / "crmlink.db").exists()


@pytest.mark.parametrize(
    "scope", ["ZohoCRM.bogus.X", "ZohoCRM.modules.leads.VIEW", "ZohoCRM.modules.nosuch.ALL"]
)
def test_a_grant_for_an_unknown_scope_is_refused_and_nothing_stored(
    db_args: list[str], org: TestOrg, services: Services, scope: str
) -> None:
    from sqlalchemy import func, select

    from crmlink.storage import tables

    def stored() -> tuple[int, int, int]:
        with services.db.read() as conn:
            return tuple(  # type: ignore[return-value]
                conn.scalar(select(func.count()).select_from(t).where(t.c.org_id == org.org_id))
                for t in (tables.oauth_grants, tables.oauth_refresh_tokens, tables.oauth_access_tokens)
            )

    c = run_json("clients", "add", *db_args)
    before = stored()
    result = run("grant", "--client", c["client_id"], "--user", org.admin_email, "--scope", scope, *db_args)
    assert result.exit_code == 1, result.output
    assert f"invalid scope {scope!r}: the scope does not exist" in result.output
    assert stored() == before
