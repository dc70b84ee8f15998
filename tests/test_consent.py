"""The browser authorization over HTTP (the headless-browser test drives the same pages):
sign-in, consent, refusal, CSRF, redirect URI checks, lockout."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from crmlink.api.context import Services
from crmlink.domain.consent import MAX_FAILURES
from crmlink.domain.oauth import NewClient
from crmlink.storage import tables
from tests.factories import TestOrg

CALLBACK = "https://app.example/callback"
PASSWORD = "correct horse battery"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.users.READ"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _start(client: Any, c: NewClient, **params: str) -> Any:
    client.cookies.clear()
    query = {
        "scope": SCOPE,
        "client_id": c.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "access_type": "offline",
        "state": "st-42",
        **params,
    }
    return client.get("/oauth/v2/auth", params=query, follow_redirects=False)


def _sign_in(client: Any, csrf: str, email: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/oauth/v2/auth/signin", data={"csrf_token": csrf, "email": email, "password": password}
    )


def _decide(client: Any, csrf: str, decision: str) -> Any:
    return client.post(
        "/oauth/v2/auth/consent", data={"csrf_token": csrf, "decision": decision}, follow_redirects=False
    )


def _grants(services: Services, client_id: str) -> int:
    g = tables.oauth_grants
    with services.db.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(g).where(g.c.client_id == client_id)) or 0)


@pytest.fixture
def browser_client(org: TestOrg) -> NewClient:
    org.set_password(org.admin_email, PASSWORD)
    return org.add_client("Zylker Sync", redirect_uris=[CALLBACK])


def test_sign_in_consent_and_exchange(client: Any, org: TestOrg, browser_client: NewClient) -> None:
    page = _start(client, browser_client)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/oauth/v2/auth" in cookie
    assert "Zylker Sync" in page.text
    consent = _sign_in(client, _csrf(page.text), org.admin_email.upper())
    assert (
        consent.status_code == 200
        and "ZohoCRM.users.READ" in consent.text
        and org.admin_email in consent.text
    )
    done = _decide(client, _csrf(consent.text), "allow")
    assert done.status_code == 302
    location = urlsplit(done.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["st-42"] and set(query) == {"code", "state"}
    tokens = client.post(
        "/oauth/v2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": browser_client.client_id,
            "client_secret": browser_client.client_secret,
            "redirect_uri": CALLBACK,
            "code": query["code"][0],
        },
    ).json()
    me = client.get(
        "/crm/v2.1/users?type=CurrentUser",
        headers={"Authorization": f"Zoho-oauthtoken {tokens['access_token']}"},
    )
    assert me.json()["users"][0]["email"] == org.admin_email


def test_refusal_redirects_with_access_denied(
    client: Any, org: TestOrg, browser_client: NewClient, services: Services
) -> None:
    consent = _sign_in(client, _csrf(_start(client, browser_client).text), org.admin_email)
    done = _decide(client, _csrf(consent.text), "deny")
    assert done.status_code == 302
    assert parse_qs(urlsplit(done.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["st-42"],
    }
    assert _grants(services, browser_client.client_id) == 0


def test_forged_csrf_tokens_are_rejected(
    client: Any, org: TestOrg, browser_client: NewClient, services: Services
) -> None:
    page = _start(client, browser_client)
    assert _sign_in(client, "forged", org.admin_email).status_code == 403
    consent = _sign_in(client, _csrf(page.text), org.admin_email)
    assert consent.status_code == 200
    forged = _decide(client, "forged", "allow")
    assert forged.status_code == 403 and "location" not in forged.headers
    # The sign-in form's token was rotated away: it cannot approve either.
    assert _decide(client, _csrf(page.text), "allow").status_code == 403
    assert _grants(services, browser_client.client_id) == 0


def test_a_form_without_the_session_cookie_is_rejected(
    client: Any, org: TestOrg, browser_client: NewClient
) -> None:
    csrf = _csrf(_start(client, browser_client).text)
    client.cookies.clear()
    assert _sign_in(client, csrf, org.admin_email).status_code == 403


def test_a_consent_cannot_be_replayed(
    client: Any, org: TestOrg, browser_client: NewClient, services: Services
) -> None:
    csrf = _csrf(_sign_in(client, _csrf(_start(client, browser_client).text), org.admin_email).text)
    assert _decide(client, csrf, "allow").status_code == 302
    assert _decide(client, csrf, "allow").status_code == 403
    assert _grants(services, browser_client.client_id) == 1


def test_wrong_passwords_then_lockout(client: Any, org: TestOrg, browser_client: NewClient) -> None:
    page = _start(client, browser_client)
    csrf = _csrf(page.text)
    for _ in range(MAX_FAILURES - 1):
        wrong = _sign_in(client, csrf, org.admin_email, "not the password")
        assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
        csrf = _csrf(wrong.text)
    locked = _sign_in(client, csrf, org.admin_email, "not the password")
    assert locked.status_code == 403 and "Too many failed sign-ins" in locked.text
    assert _sign_in(client, csrf, org.admin_email).status_code == 403


def test_a_user_without_a_password_cannot_sign_in(
    client: Any, org: TestOrg, browser_client: NewClient
) -> None:
    email = org.add_user("Standard")
    refused = _sign_in(client, _csrf(_start(client, browser_client).text), email, "")
    assert refused.status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"client_id": "1000.NOSUCHCLIENT"}, id="unknown-client"),
        pytest.param({"redirect_uri": "https://evil.example/callback"}, id="unregistered-redirect-uri"),
        pytest.param({"redirect_uri": ""}, id="no-redirect-uri"),
    ],
)
def test_untrusted_requests_get_an_error_page_never_a_redirect(
    client: Any, browser_client: NewClient, params: dict[str, str]
) -> None:
    page = _start(client, browser_client, **params)
    assert page.status_code == 400 and "location" not in page.headers and "set-cookie" not in page.headers


@pytest.mark.parametrize(
    ("params", "error"),
    [
        pytest.param({"response_type": "token"}, "unsupported_response_type", id="implicit-flow"),
        pytest.param({"scope": ""}, "invalid_scope", id="no-scope"),
        pytest.param({"scope": "ZohoCRM.modules.ALL,ZohoCRM.bogus.X"}, "invalid_scope", id="unknown-scope"),
        pytest.param({"scope": "ZohoCRM.modules.leads.VIEW"}, "invalid_scope", id="unknown-operation"),
    ],
)
def test_client_mistakes_go_back_to_the_client(
    client: Any, browser_client: NewClient, params: dict[str, str], error: str
) -> None:
    page = _start(client, browser_client, **params)
    assert page.status_code == 302
    assert parse_qs(urlsplit(page.headers["location"]).query) == {"error": [error], "state": ["st-42"]}


def test_client_names_are_escaped(client: Any, org: TestOrg) -> None:
    org.set_password(org.admin_email, PASSWORD)
    c = org.add_client("<script>alert(1)</script>", redirect_uris=[CALLBACK])
    page = _start(client, c)
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
