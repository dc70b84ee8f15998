"""The web console (issue 16) over HTTP: sign-in, session cookie, CSRF, the read pages, relate /
edit / delink through the API's domain code, history, and what a Standard profile may not do.
Both databases (the shared ``client``); the real browser test is tests/test_browser_console.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from crmlink.app import create_app, open_services
from crmlink.config import Settings
from tests.factories import TestOrg

PASSWORD = "console-pass-1"
V = "/crm/v2.1"


@pytest.fixture
def web(client: Any) -> Iterator[Any]:
    """The shared test client without cookies (each test signs in itself)."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


def sign_in(web: Any, org: TestOrg, email: str | None = None) -> None:
    email = email or org.admin_email
    org.set_password(email, PASSWORD)
    form = web.get(f"/console/sign-in?org={org.org_id}")
    assert form.status_code == 200
    answer = web.post(
        "/console/sign-in",
        data={"csrf_token": csrf_of(form.text), "org": str(org.org_id), "email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def test_root_leads_to_the_sign_in_page(web: Any) -> None:
    root = web.get("/", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == "/console"
    page = web.get("/console", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/sign-in"
    form = web.get("/console/sign-in")
    assert form.status_code == 200 and "text/html" in form.headers["content-type"]
    csp = form.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in form.text and 'name="csrf_token"' in form.text
    assert 'for="email"' in form.text and 'for="password"' in form.text


def test_static_htmx_is_served_by_crmlink(web: Any) -> None:
    js = web.get("/console/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]
    assert web.get("/console/static/console.css").status_code == 200


def test_sign_in_sets_one_hardened_session_cookie(web: Any, org: TestOrg) -> None:
    org.set_password(org.admin_email, PASSWORD)
    form = web.get(f"/console/sign-in?org={org.org_id}")
    wrong = web.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_of(form.text),
            "org": str(org.org_id),
            "email": org.admin_email,
            "password": "nope",
        },
    )
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    forged = web.post(
        "/console/sign-in",
        data={"csrf_token": "forged", "org": str(org.org_id), "email": org.admin_email, "password": PASSWORD},
    )
    assert forged.status_code == 403
    again = web.get(f"/console/sign-in?org={org.org_id}")
    good = web.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_of(again.text),
            "org": str(org.org_id),
            "email": org.admin_email,
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    set_cookie = [v for k, v in good.headers.multi_items() if k == "set-cookie" and "crmlink_console=" in v]
    assert len(set_cookie) == 1
    cookie = set_cookie[0].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    value = web.cookies.get("crmlink_console")
    assert value is not None and value.startswith(f"{org.org_id}.")
    # Only the digest is stored.
    with org.services.db.read() as conn:
        stored = (
            conn.exec_driver_sql(f"SELECT session_hash FROM console_sessions WHERE org_id = {org.org_id}")
            .scalars()
            .all()
        )
    assert stored and value.split(".", 1)[1] not in stored
    home = web.get("/console")
    assert home.status_code == 200 and "Modules" in home.text


def test_forms_need_the_session_csrf_token(web: Any, org: TestOrg) -> None:
    sign_in(web, org)
    (product,) = org.create(web, "Products")
    (book,) = org.create(web, "Price_Books")
    url = f"/console/modules/Products/{product}/related/Price_Books"
    refused = web.post(url, data={"csrf_token": "x", "related_id": book, "list_price": "5"})
    assert refused.status_code == 403
    assert org.stored_links("products_price_books") == {}
    out = web.post("/console/sign-out", data={"csrf_token": "x"})
    assert out.status_code == 403


def test_modules_show_counts(web: Any, org: TestOrg) -> None:
    org.create(web, "Products", 3)
    sign_in(web, org)
    page = web.get("/console")
    row = re.search(r'href="/console/modules/Products">Products</a></td><td class="num">(\d+)<', page.text)
    assert row is not None and row.group(1) == "3"


def test_record_list_pages_sorts_searches_and_picks_columns(web: Any, org: TestOrg) -> None:
    for i in range(55):
        org.create(web, "Products", Product_Name=f"Widget {i:02d}", Product_Code=f"C{i:02d}")
    org.create(web, "Products", Product_Name="Gadget special")
    sign_in(web, org)
    first = web.get("/console/modules/Products?sort_by=Product_Name&sort_order=asc")
    assert first.status_code == 200
    names = re.findall(r">(Widget \d\d|Gadget special)</a>", first.text)
    assert names[0] == "Gadget special" and names[1] == "Widget 00" and len(names) == 50
    assert "Next page" in first.text
    second = web.get("/console/modules/Products?sort_by=Product_Name&sort_order=asc&page=2")
    assert re.findall(r">(Widget \d\d)</a>", second.text) == [f"Widget {i:02d}" for i in range(49, 55)]
    found = web.get("/console/modules/Products?word=special")
    assert re.findall(r">(Widget \d\d|Gadget special)</a>", found.text) == ["Gadget special"]
    picked = web.get(
        "/console/modules/Products?cols=Product_Code&cols=Product_Name&sort_by=Product_Code&sort_order=desc"
    )
    header = re.findall(r"<th scope=\"col\">\s*<a[^>]*>([^<]+)</a>", picked.text)
    assert [h.split(" ")[0] for h in header][:2] == ["Product", "Product"]
    assert ">C55<" not in picked.text and ">C54</a>" in picked.text  # first column links the record
    criteria = web.get("/console/modules/Products?criteria=(Product_Code:equals:C07)")
    assert re.findall(r">(Widget \d\d|Gadget special)</a>", criteria.text) == ["Widget 07"]
    wrong = web.get("/console/modules/Products?criteria=(Nope:equals:1)")
    api = web.get(f"{V}/Products/search?criteria=(Nope:equals:1)", headers=org.headers).json()
    assert wrong.status_code == 400 and api["code"] in wrong.text and api["message"] in wrong.text
    bad = web.get("/console/modules/Products?word=x")  # the API's word rule
    assert bad.status_code == 400 and "at least 2 characters" in bad.text
    unknown = web.get("/console/modules/Spaceships")
    assert unknown.status_code == 400 and "INVALID_MODULE" in unknown.text


def test_record_page_shows_fields_and_every_related_list(web: Any, org: TestOrg) -> None:
    (product,) = org.create(web, "Products", Product_Name="Lamp")
    (book,) = org.create(web, "Price_Books", Price_Book_Name="Retail")
    put = web.put(
        f"{V}/Products/{product}/Price_Books",
        json={"data": [{"id": book, "list_price": 9.5}]},
        headers=org.headers,
    )
    assert put.status_code == 200
    sign_in(web, org)
    page = web.get(f"/console/modules/Products/{product}")
    assert page.status_code == 200 and "<h1>Lamp</h1>" in page.text
    for label in ("Price Books", "Leads", "Accounts", "Contacts", "Deals", "Notes", "Cases"):
        assert f">{label}</h2>" in page.text, label
    assert ">Retail</a>" in page.text and "9.5" in page.text
    assert page.headers["server-timing"].startswith("app;dur=")
    missing = web.get("/console/modules/Products/123456789")
    assert missing.status_code == 404


def related_url(product: str) -> str:
    return f"/console/modules/Products/{product}/related/Price_Books"


def test_relate_edit_delink_go_through_the_api_rules(web: Any, org: TestOrg) -> None:
    (product,) = org.create(web, "Products", Product_Name="Desk")
    books = org.create(web, "Price_Books", 3)
    sign_in(web, org)
    url = related_url(product)
    form = web.get(url)
    assert form.status_code == 200 and 'id="related_id"' in form.text
    token = csrf_of(form.text)
    for i, book in enumerate(books):
        done = web.post(
            url,
            data={"csrf_token": token, "related_id": book, "list_price": f"{10 + i}.5"},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    bad = web.post(url, data={"csrf_token": token, "related_id": books[0], "list_price": "-3"})
    assert bad.status_code == 400 and "INVALID_DATA" in bad.text and "list_price" in bad.text
    bad_id = web.post(url, data={"csrf_token": token, "related_id": "12x"})
    assert bad_id.status_code == 400 and "the related id given seems to be invalid" in bad_id.text
    edited = web.post(
        f"{url}/{books[1]}", data={"csrf_token": token, "list_price": "99"}, follow_redirects=False
    )
    assert edited.status_code == 303
    htmx = web.post(f"{url}/{books[2]}/delink", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and 'id="related"' in htmx.text and "relation removed" in htmx.text
    refused = web.post(f"{url}/{books[0]}/delink", data={"csrf_token": "x"}, headers={"HX-Request": "true"})
    assert refused.status_code == 403 and refused.headers["hx-retarget"] == "#main"
    again = web.post(f"{url}/{books[2]}/delink", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert again.status_code == 400 and 'id="related"' in again.text and "record not deleted" in again.text
    api = web.get(f"{V}/Products/{product}/Price_Books", headers=org.headers).json()["data"]
    assert {(r["id"], r["list_price"]) for r in api} == {(books[0], 10.5), (books[1], 99)}
    history = web.get(f"/console/modules/Products/{product}/history")
    assert history.status_code == 200
    assert history.text.count("link added") == 3 and "link updated" in history.text
    assert "link removed" in history.text and "record created" in history.text


def test_standard_profile_gets_the_api_refusals(web: Any, org: TestOrg) -> None:
    (product,) = org.create(web, "Products")
    (book,) = org.create(web, "Price_Books")
    web.put(f"{V}/Products/{product}/Price_Books", json={"data": [{"id": book}]}, headers=org.headers)
    org.add_profile("No Books", {"*": ["view", "create", "edit"], "Price_Books": []})
    email = org.add_user("Standard")
    sign_in(web, org, email)
    url = related_url(product)
    page = web.get(url)
    assert page.status_code == 200 and "Delink" not in page.text  # Standard may not delete
    token = csrf_of(page.text)
    refused = web.post(f"{url}/{book}/delink", data={"csrf_token": token})
    api = web.delete(f"{V}/Products/{product}/Price_Books/{book}", headers=org.headers_for(email))
    assert refused.status_code == api.status_code == 403
    assert api.json()["message"] in refused.text and "NO_PERMISSION" in refused.text
    assert len(org.stored_links("products_price_books")) == 1
    # A profile that may not view Price Books: the list is hidden, its page refused as the API does.
    email = org.add_user("No Books")
    web.cookies.clear()
    sign_in(web, org, email)
    record = web.get(f"/console/modules/Products/{product}")
    assert "may not read Price Books" in record.text
    listed = web.get(url)
    api_list = web.get(f"{V}/Products/{product}/Price_Books", headers=org.headers_for(email))
    assert listed.status_code == api_list.status_code == 400
    assert api_list.json()["code"] in listed.text
    assert web.get("/console/modules/Price_Books").status_code == 403
    modules = web.get("/console")
    assert "/console/modules/Price_Books" not in modules.text


def test_sign_out_ends_the_session(web: Any, org: TestOrg) -> None:
    sign_in(web, org)
    page = web.get("/console")
    cookie = web.cookies.get("crmlink_console")
    out = web.post("/console/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    web.cookies.set("crmlink_console", cookie)
    again = web.get("/console", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/console/sign-in"


@contextmanager
def own_app(database_url: str, tmp_path: Path, **settings: Any) -> Iterator[Any]:
    """An app on its own services (the shared ones stay untouched by its shutdown)."""
    svc = open_services(Settings(database_url=database_url, data_dir=tmp_path, **settings))
    try:
        with TestClient(create_app(svc.settings, svc)) as test_client:
            yield test_client
    finally:
        svc.db.dispose()


def test_console_off_leaves_root_to_the_api(database_url: str, tmp_path: Path) -> None:
    with own_app(database_url, tmp_path, console=False) as off:
        for path in ("/", "/console", "/console/sign-in"):
            answer = off.get(path, follow_redirects=False)
            assert answer.status_code == 404 and answer.json()["code"] == "INVALID_URL_PATTERN"


def test_a_password_change_ends_console_sign_ins(web: Any, org: TestOrg) -> None:
    from crmlink.domain import access

    sign_in(web, org)
    assert web.get("/console", follow_redirects=False).status_code == 200
    with org.services.db.write() as conn:
        access.revoke_refresh_tokens(conn, org.org_id, org.admin_id)
    assert web.get("/console", follow_redirects=False).status_code == 303


def test_admin_page_users_profiles_clients(web: Any, org: TestOrg) -> None:
    standard = org.add_user("Standard", name="Stan Dard")
    sign_in(web, org)
    page = web.get("/console/admin")
    assert page.status_code == 200
    assert standard in page.text and "Standard" in page.text and "Administrator" in page.text
    token = csrf_of(page.text)
    assert web.post("/console/admin/clients", data={"csrf_token": "x", "name": "Nope"}).status_code == 403
    made = web.post(
        "/console/admin/clients",
        data={"csrf_token": token, "name": "Console App", "redirect_uris": "http://127.0.0.1:9/cb"},
    )
    assert made.status_code == 200
    client_id = re.search(r'id="new-client-id">([^<]+)<', made.text)
    secret = re.search(r'id="new-client-secret">([^<]+)<', made.text)
    assert client_id is not None and secret is not None
    bad_scope = web.post(
        "/console/admin/grants",
        data={
            "csrf_token": token,
            "client_id": client_id.group(1),
            "email": org.admin_email,
            "scope": "Nope",
        },
    )
    assert bad_scope.status_code == 400 and "malformed scope" in bad_scope.text
    granted = web.post(
        "/console/admin/grants",
        data={
            "csrf_token": token,
            "client_id": client_id.group(1),
            "email": org.admin_email,
            "scope": "ZohoCRM.modules.ALL",
        },
    )
    code = re.search(r'id="grant-code">([^<]+)<', granted.text)
    assert code is not None
    tokens = web.post(
        "/oauth/v2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id.group(1),
            "client_secret": secret.group(1),
            "code": code.group(1),
        },
    ).json()
    access = {"Authorization": f"Zoho-oauthtoken {tokens['access_token']}"}
    assert web.get(f"{V}/Leads", headers=access).status_code in (200, 204)
    revoked = web.post(f"/console/admin/clients/{client_id.group(1)}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and client_id.group(1) not in revoked.text.split("removed")[1]
    assert web.get(f"{V}/Leads", headers=access).status_code == 401
    refresh = web.post(
        "/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": client_id.group(1),
            "client_secret": secret.group(1),
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert "error" in refresh
    # A Standard-profile user: no admin link, the page refused.
    web.cookies.clear()
    sign_in(web, org, standard)
    assert "/console/admin" not in web.get("/console").text
    assert web.get("/console/admin").status_code == 403


def test_failed_sign_ins_wait_as_the_oauth_sign_in_does(web: Any, org: TestOrg) -> None:
    org.set_password(org.admin_email, PASSWORD)
    free = org.services.settings.sign_in_failures_per_email
    for _ in range(free):
        form = web.get(f"/console/sign-in?org={org.org_id}")
        data = {"csrf_token": csrf_of(form.text), "org": str(org.org_id), "email": org.admin_email}
        assert web.post("/console/sign-in", data={**data, "password": "wrong"}).status_code == 401
    form = web.get(f"/console/sign-in?org={org.org_id}")
    data = {"csrf_token": csrf_of(form.text), "org": str(org.org_id), "email": org.admin_email}
    waiting = web.post("/console/sign-in", data={**data, "password": PASSWORD})
    assert waiting.status_code == 429 and int(waiting.headers["retry-after"]) > 0
    assert "crmlink_console" not in web.cookies


def test_request_log_and_fault_rules_when_the_admin_api_is_on(
    database_url: str, tmp_path: Path, org: TestOrg
) -> None:
    with own_app(database_url, tmp_path, admin_key="console-test-key") as web:
        assert web.get(f"{V}/Leads?page=1", headers=org.headers).status_code in (200, 204)
        sign_in(web, org)
        page = web.get("/console/admin")
        assert page.status_code == 200
        assert 'id="requests"' in page.text and f"{V}/Leads?page=1" in page.text
        assert 'id="faults"' in page.text


def test_member_status_and_contact_role_as_the_api_takes_them(web: Any, org: TestOrg) -> None:
    (campaign,) = org.create(web, "Campaigns")
    (lead,) = org.create(web, "Leads")
    (deal,) = org.create(web, "Deals")
    (contact,) = org.create(web, "Contacts")
    sign_in(web, org)
    url = f"/console/modules/Campaigns/{campaign}/related/Leads"
    form = web.get(url)
    assert '<select id="new-Member_Status"' in form.text
    token = csrf_of(form.text)
    bad = web.post(url, data={"csrf_token": token, "related_id": lead, "Member_Status": "Bored"})
    assert bad.status_code == 400 and "Member_Status" in bad.text
    ok = web.post(url, data={"csrf_token": token, "related_id": lead, "Member_Status": "Responded"})
    assert ok.status_code == 200  # followed to the list page
    roles = f"/console/modules/Deals/{deal}/related/Contact_Roles"
    blank = web.post(roles, data={"csrf_token": token, "related_id": contact, "Contact_Role": "  x"})
    assert blank.status_code == 200
    edited = web.post(f"{roles}/{contact}", data={"csrf_token": token, "Contact_Role": "Decision Maker"})
    assert edited.status_code == 200
    members = web.get(f"{V}/Campaigns/{campaign}/Leads", headers=org.headers).json()["data"]
    assert [(m["id"], m["Member_Status"]) for m in members] == [(lead, "Responded")]
    people = web.get(f"{V}/Deals/{deal}/Contact_Roles", headers=org.headers).json()["data"]
    assert [(p["id"], p["Contact_Role"]) for p in people] == [(contact, "Decision Maker")]


def test_history_looks_at_the_orgs_last_changes_only(web: Any, org: TestOrg) -> None:
    from crmlink.domain import feed
    from crmlink.domain.auth import Actor
    from crmlink.domain.catalog_data import CATALOG
    from crmlink.domain.console_auth import CONSOLE_SCOPES

    (product,) = org.create(web, "Products")
    books = org.create(web, "Price_Books", 3)
    for book in books:
        web.put(f"{V}/Products/{product}/Price_Books", json={"data": [{"id": book}]}, headers=org.headers)
    actor = Actor(
        org.org_id,
        org.admin_id,
        "Admin",
        org.admin_email,
        "Administrator",
        {"*": frozenset({"view"})},
        CONSOLE_SCOPES,
    )
    with org.services.db.read() as conn:
        whole = feed.record_history(conn, CATALOG, org.org_id, int(product), actor)
        recent = feed.record_history(conn, CATALOG, org.org_id, int(product), actor, window=2)
    assert len(whole.changes) == 4 and not whole.cut  # created, three links added
    assert [c["right"]["id"] for c in recent.changes] == [books[2], books[1]] and recent.cut


def test_the_session_cookie_is_secure_over_https(client: Any, org: TestOrg) -> None:
    web = TestClient(client.app, base_url="https://testserver.local")
    org.set_password(org.admin_email, PASSWORD)
    form = web.get(f"/console/sign-in?org={org.org_id}")
    answer = web.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_of(form.text),
            "org": str(org.org_id),
            "email": org.admin_email,
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "crmlink_console=" in v)
    assert "secure" in cookie.lower()
