"""The accounts server: ``POST /oauth/v2/token`` and ``/oauth/v2/token/revoke``, every flow and refusal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from crmlink.api.context import Services
from crmlink.domain.oauth import NewClient
from crmlink.storage import tables
from tests.factories import OrgFactory, TestOrg
from tests.helpers import JSON_TYPE, assert_zoho_error

TOKEN_URL = "/oauth/v2/token"
REVOKE_URL = "/oauth/v2/token/revoke"
TOKEN_SHAPE = re.compile(r"^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$")
CALLBACK = "https://app.example/callback"


def exchange(client: Any, c: NewClient, code: str, **extra: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "code": code,
        **extra,
    }
    return client.post(TOKEN_URL, data=form)


def refresh(client: Any, c: NewClient, refresh_token: str, **extra: str) -> Any:
    form = {
        "grant_type": "refresh_token",
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "refresh_token": refresh_token,
        **extra,
    }
    return client.post(TOKEN_URL, data=form)


def current_user(client: Any, access_token: str, scheme: str = "Zoho-oauthtoken") -> Any:
    return client.get(
        "/crm/v2.1/users?type=CurrentUser", headers={"Authorization": f"{scheme} {access_token}"}
    )


def test_authorization_code_answers_zohos_shape(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    response = exchange(client, c, org.grant(c.client_id))
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_TYPE
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == ["access_token", "refresh_token", "api_domain", "token_type", "expires_in"]
    assert TOKEN_SHAPE.match(body["access_token"]) and TOKEN_SHAPE.match(body["refresh_token"])
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "expires_in_sec" not in body  # the SDK would then read expires_in as milliseconds
    assert body["api_domain"] == "http://testserver.local"  # the request's own origin by default
    me = current_user(client, body["access_token"])
    assert me.status_code == 200 and me.json()["users"][0]["email"] == org.admin_email


def test_parameters_in_the_query_string_work_too(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    params = {
        "grant_type": "authorization_code",
        "client_id": c.client_id,
        "client_secret": c.client_secret,
        "code": org.grant(c.client_id),
    }
    body = client.post(TOKEN_URL, params=params).json()
    assert TOKEN_SHAPE.match(body["access_token"]), body


def test_multipart_form_bodies_work_too(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    tokens = org.mint(client_id=c.client_id)
    files = {
        "grant_type": (None, "refresh_token"),
        "client_id": (None, c.client_id),
        "client_secret": (None, c.client_secret),
        "refresh_token": (None, tokens.refresh_token or ""),
    }
    body = client.post(TOKEN_URL, files=files).json()
    assert TOKEN_SHAPE.match(body["access_token"]), body


def test_refresh_answers_a_new_access_token_and_no_refresh_token(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    first = exchange(client, c, org.grant(c.client_id)).json()
    response = refresh(client, c, first["refresh_token"])
    body = response.json()
    assert response.status_code == 200
    assert list(body) == ["access_token", "api_domain", "token_type", "expires_in"]
    assert body["access_token"] != first["access_token"] and body["expires_in"] == 3600
    # Both access tokens work; Bearer is accepted as well as Zoho-oauthtoken.
    assert current_user(client, body["access_token"], "Bearer").status_code == 200
    assert current_user(client, first["access_token"]).status_code == 200


def test_a_grant_token_works_once(client: Any, org: TestOrg, services: Services) -> None:
    c = org.add_client()
    code = org.grant(c.client_id)
    assert "access_token" in exchange(client, c, code).json()
    assert exchange(client, c, code).json() == {"error": "invalid_code"}
    rt = tables.oauth_refresh_tokens
    with services.db.read() as conn:
        issued = conn.execute(select(rt.c.token_hash).where(rt.c.client_id == c.client_id)).all()
    assert len(issued) == 1


def test_a_grant_token_expires(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    still_valid = org.grant(c.client_id, ttl=180, issued_ago=179)
    expired = org.grant(c.client_id, ttl=180, issued_ago=181)
    assert exchange(client, c, expired).json() == {"error": "invalid_code"}
    assert "access_token" in exchange(client, c, still_valid).json()


@dataclass
class Refusal:
    """One way to be refused: builds the form from a fresh org; the expected ``error``."""

    build: Callable[[TestOrg, OrgFactory], dict[str, str]]
    error: str


def _code_form(o: TestOrg, c: NewClient, code: str, **extra: str) -> dict[str, str]:
    form = {"grant_type": "authorization_code", "client_id": c.client_id, "client_secret": c.client_secret}
    return {**form, "code": code, **extra}


def _refresh_form(c: NewClient, token: str | None, **extra: str) -> dict[str, str]:
    form = {"grant_type": "refresh_token", "client_id": c.client_id, "client_secret": c.client_secret}
    return {**form, "refresh_token": token or "", **extra}


def _used_code(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    c = o.add_client()
    code = o.grant(c.client_id)
    with o.services.db.write() as conn:
        from crmlink.domain.oauth import exchange_code

        exchange_code(conn, client_id=c.client_id, client_secret=c.client_secret, code=code,
                      redirect_uri=None, access_ttl=60)  # fmt: skip
    return _code_form(o, c, code)


def _other_clients_code(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    mine, theirs = o.add_client(), o.add_client()
    return _code_form(o, mine, o.grant(theirs.client_id))


def _revoked_refresh(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    c = o.add_client()
    tokens = o.mint(client_id=c.client_id)
    with o.services.db.write() as conn:
        from crmlink.domain.oauth import revoke_token

        assert revoke_token(conn, tokens.refresh_token or "")
    return _refresh_form(c, tokens.refresh_token)


def _other_orgs_refresh(o: TestOrg, f: OrgFactory) -> dict[str, str]:
    # An unbound refresh token (crmlink token without --client) works with clients of its own org only.
    other = f.create()
    return _refresh_form(other.add_client(), o.mint().refresh_token)


def _other_client_refresh(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    mine, theirs = o.add_client(), o.add_client()
    return _refresh_form(mine, o.mint(client_id=theirs.client_id).refresh_token)


def _code(o: TestOrg, **changes: str) -> dict[str, str]:
    """A valid authorization_code form with ``changes`` applied."""
    c = o.add_client()
    return {**_code_form(o, c, o.grant(c.client_id)), **changes}


def _without_grant_type(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    return {k: v for k, v in _code(o).items() if k != "grant_type"}


def _expired_code(o: TestOrg, _f: OrgFactory) -> dict[str, str]:
    c = o.add_client()
    return _code_form(o, c, o.grant(c.client_id, ttl=180, issued_ago=200))


def _browser_code(o: TestOrg, **extra: str) -> dict[str, str]:
    c = o.add_client(redirect_uris=[CALLBACK])
    return _code_form(o, c, o.grant(c.client_id, redirect_uri=CALLBACK), **extra)


UNKNOWN = "1000." + "a" * 32 + "." + "b" * 32

REFUSALS = [
    pytest.param(
        Refusal(lambda o, f: _code(o, grant_type="password"), "unsupported_grant_type"),
        id="grant-type-unknown",
    ),
    pytest.param(Refusal(_without_grant_type, "unsupported_grant_type"), id="grant-type-missing"),
    pytest.param(
        Refusal(lambda o, f: _code(o, client_id="1000.NOSUCHCLIENT"), "invalid_client"),
        id="code-unknown-client",
    ),
    pytest.param(
        Refusal(lambda o, f: _code(o, client_secret="0" * 42), "invalid_client"), id="code-wrong-secret"
    ),
    pytest.param(Refusal(lambda o, f: _code(o, client_secret=""), "invalid_client"), id="code-no-secret"),
    pytest.param(Refusal(lambda o, f: _code(o, code=UNKNOWN), "invalid_code"), id="code-unknown"),
    pytest.param(Refusal(lambda o, f: _code(o, code=""), "invalid_code"), id="code-missing"),
    pytest.param(Refusal(_used_code, "invalid_code"), id="code-used"),
    pytest.param(Refusal(_expired_code, "invalid_code"), id="code-expired"),
    pytest.param(Refusal(_other_clients_code, "invalid_code"), id="code-of-another-client"),
    pytest.param(
        Refusal(
            lambda o, f: _browser_code(o, redirect_uri="https://evil.example/cb"), "invalid_redirect_uri"
        ),
        id="code-other-redirect-uri",
    ),
    pytest.param(
        Refusal(lambda o, f: _browser_code(o), "invalid_redirect_uri"), id="code-missing-redirect-uri"
    ),
    pytest.param(
        Refusal(lambda o, f: _refresh_form(o.add_client(), UNKNOWN), "invalid_code"), id="refresh-unknown"
    ),
    pytest.param(
        Refusal(lambda o, f: _refresh_form(o.add_client(), ""), "invalid_code"), id="refresh-missing"
    ),
    pytest.param(Refusal(_revoked_refresh, "invalid_code"), id="refresh-revoked"),
    pytest.param(Refusal(_other_client_refresh, "invalid_code"), id="refresh-of-another-client"),
    pytest.param(Refusal(_other_orgs_refresh, "invalid_code"), id="refresh-unbound-other-org"),
    pytest.param(
        Refusal(
            lambda o, f: _refresh_form(o.add_client(), o.mint().refresh_token, client_secret="f" * 42),
            "invalid_client",
        ),
        id="refresh-wrong-secret",
    ),
]


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_answer_200_with_zohos_error(
    client: Any, org: TestOrg, orgs: OrgFactory, services: Services, case: Refusal
) -> None:
    form = case.build(org, orgs)
    acc = tables.oauth_access_tokens
    with services.db.read() as conn:
        before = len(conn.execute(select(acc.c.token_hash)).all())
    response = client.post(TOKEN_URL, data=form)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_TYPE
    assert response.json() == {"error": case.error}
    with services.db.read() as conn:
        assert len(conn.execute(select(acc.c.token_hash)).all()) == before, "a refusal minted a token"


def test_the_browser_grants_redirect_uri_must_be_repeated(client: Any, org: TestOrg) -> None:
    c = org.add_client(redirect_uris=[CALLBACK])
    code = org.grant(c.client_id, redirect_uri=CALLBACK)
    assert "access_token" in exchange(client, c, code, redirect_uri=CALLBACK).json()


def test_revoking_a_refresh_token_revokes_its_access_tokens(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    first = exchange(client, c, org.grant(c.client_id)).json()
    second = refresh(client, c, first["refresh_token"]).json()
    unrelated = exchange(client, c, org.grant(c.client_id)).json()
    response = client.post(REVOKE_URL, params={"token": first["refresh_token"]})
    assert response.status_code == 200 and response.json() == {"status": "success"}
    for token in (first["access_token"], second["access_token"]):
        assert_zoho_error(current_user(client, token), 401, "INVALID_TOKEN", "invalid oauth token")
    assert refresh(client, c, first["refresh_token"]).json() == {"error": "invalid_code"}
    assert current_user(client, unrelated["access_token"]).status_code == 200
    again = client.post(REVOKE_URL, params={"token": first["refresh_token"]})
    assert again.status_code == 400 and again.json() == {"error": "invalid_token"}


def test_revoking_one_access_token_keeps_the_refresh_token(client: Any, org: TestOrg) -> None:
    c = org.add_client()
    tokens = exchange(client, c, org.grant(c.client_id)).json()
    assert client.post(REVOKE_URL, data={"token": tokens["access_token"]}).status_code == 200
    assert_zoho_error(current_user(client, tokens["access_token"]), 401, "INVALID_TOKEN")
    renewed = refresh(client, c, tokens["refresh_token"]).json()
    assert current_user(client, renewed["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({}, "invalid_request", id="no-token"),
        pytest.param({"token": "1000." + "e" * 32 + "." + "f" * 32}, "invalid_token", id="unknown-token"),
    ],
)
def test_revoke_refusals_answer_400(client: Any, params: dict[str, str], error: str) -> None:
    response = client.post(REVOKE_URL, params=params)
    assert response.status_code == 400 and response.json() == {"error": error}


def _all_stored_text(services: Services) -> str:
    """Every value of every row of every table, as one string."""
    parts: list[str] = []
    with services.db.read() as conn:
        for table in tables.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def _flow(client: Any, org: TestOrg) -> list[str]:
    """A full flow with refusals in between; every secret it saw."""
    c = org.add_client(redirect_uris=[CALLBACK])
    code = org.grant(c.client_id, redirect_uri=CALLBACK)
    assert exchange(client, c, code, redirect_uri="https://wrong.example").json()["error"]
    first = exchange(client, c, code, redirect_uri=CALLBACK).json()
    second = refresh(client, c, first["refresh_token"]).json()
    assert refresh(client, c, first["refresh_token"], client_secret="0" * 42).json()["error"]
    assert current_user(client, second["access_token"]).status_code == 200
    assert client.post(REVOKE_URL, params={"token": first["refresh_token"]}).status_code == 200
    assert current_user(client, second["access_token"]).status_code == 401
    assert exchange(client, c, code, redirect_uri=CALLBACK).json() == {"error": "invalid_code"}
    return [c.client_secret, code, first["access_token"], first["refresh_token"], second["access_token"]]


def test_secrets_are_stored_as_digests_only(client: Any, org: TestOrg, services: Services) -> None:
    secrets = _flow(client, org)
    stored = _all_stored_text(services)
    for secret in secrets:
        assert secret not in stored
        # Not even one half of a 1000.<hex>.<hex> token.
        for part in secret.split(".")[1:]:
            assert part not in stored
    assert org.token not in stored


def test_nothing_secret_is_logged(client: Any, org: TestOrg, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        secrets = _flow(client, org)
        client.get("/crm/v2.1/Leads", headers={"Authorization": f"Zoho-oauthtoken {secrets[2]}"})
    # The test's own HTTP client (httpx) logs the URLs it requests; everything else is the server's.
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in server)
    for secret in secrets:
        assert secret not in logged


def test_concurrent_exchanges_of_one_code_mint_once(org: TestOrg, services: Services) -> None:
    """Eight clients racing to exchange one grant token: exactly one gets tokens."""
    from concurrent.futures import ThreadPoolExecutor

    from crmlink.domain.oauth import Tokens, exchange_code

    c = org.add_client()
    code = org.grant(c.client_id)

    def attempt(_: int) -> bool:
        with services.db.write() as conn:
            result = exchange_code(
                conn,
                client_id=c.client_id,
                client_secret=c.client_secret,
                code=code,
                redirect_uri=None,
                access_ttl=60,
            )
        return isinstance(result, Tokens)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count(True) == 1
    rt = tables.oauth_refresh_tokens
    with services.db.read() as conn:
        assert len(conn.execute(select(rt.c.token_hash).where(rt.c.client_id == c.client_id)).all()) == 1


KNOWN_SCOPES = [
    "ZohoCRM.modules.ALL",
    "zohocrm.modules.leads.read",
    "ZohoCRM.modules.pricebooks.WRITE",
    "ZohoCRM.modules.custom.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoCRM.settings.related_lists.READ",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.ALL",
    "ZohoCRM.bulk.CREATE",
    "ZohoCRM.notifications.DELETE",
    "ZohoCRM.coql.READ",
    "ZohoCRM.Files.CREATE",
    "AaaServer.profile.READ",
    "ZohoCRM.mass_update.ALL",
    "ZohoCRM.mass_update.Leads.UPDATE",
]
UNKNOWN_SCOPES = [
    "ZohoCRM.bogus.X",
    "ZohoCRM.bogus.ALL",
    "ZohoCRM.modules.leads.VIEW",
    "ZohoCRM.modules.nosuch.ALL",
    "ZohoCRM.modules.leads",
    "ZohoCRM.modules.leads.READ.ALL",
    "ZohoCRM.settings.nosuch.READ",
    "ZohoCRM.coql.WRITE",
    "ZohoCRM.users",
    "ZohoMail.messages.ALL",
    "ZohoCRM.mass_update.Leads.DELETE",
    "ZohoCRM.mass_update.nosuch.READ",
]


@pytest.mark.parametrize("scope", KNOWN_SCOPES)
def test_scopes_zoho_knows_are_granted(scope: str) -> None:
    from crmlink.domain.oauth import normalize_scope

    assert normalize_scope(f"ZohoCRM.modules.ALL, {scope}") == f"ZohoCRM.modules.ALL,{scope}"


@pytest.mark.parametrize("scope", UNKNOWN_SCOPES)
def test_unknown_scopes_are_refused(scope: str) -> None:
    from crmlink.domain.oauth import normalize_scope
    from crmlink.errors import InvalidData

    with pytest.raises(InvalidData) as refused:
        normalize_scope(f"ZohoCRM.modules.ALL,{scope}")
    assert refused.value.message == f"invalid scope {scope!r}: the scope does not exist"
    assert refused.value.details == {"param_name": "scope"}
