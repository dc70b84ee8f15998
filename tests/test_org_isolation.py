"""Org isolation: with one org's token, the other org's ids reveal nothing and change nothing.

Every row is sent twice with org B's token: once naming org A's record (or user), once naming
an id that does not exist. The two answers must be the same (with the id masked), and org A's
data must read back unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import OrgFactory, TestOrg

V = "v2.1"
MISSING = "1999999999999999999"


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {id}: the foreign or missing id
    body: Any = None  # JSON, may hold "{id}" strings


ROWS = [
    pytest.param(Row("GET", "/Leads/{id}"), id="get-record"),
    pytest.param(Row("GET", "/Leads?ids={id}"), id="list-by-ids"),
    pytest.param(Row("GET", "/Leads?ids={id}&fields=Last_Name,Email"), id="list-by-ids-fields"),
    pytest.param(Row("PUT", "/Leads/{id}", {"data": [{"Last_Name": "Hijacked"}]}), id="update-single"),
    pytest.param(Row("PUT", "/Leads", {"data": [{"id": "{id}", "Last_Name": "Hijacked"}]}), id="update-bulk"),
    pytest.param(Row("DELETE", "/Leads/{id}"), id="delete-single"),
    pytest.param(Row("DELETE", "/Leads?ids={id}"), id="delete-bulk"),
    pytest.param(
        Row("POST", "/Leads", {"data": [{"Last_Name": "x", "Owner": "{user}"}]}), id="owner-of-other-org"
    ),
    pytest.param(
        Row("POST", "/Contacts", {"data": [{"Last_Name": "x", "Account_Name": "{account}"}]}),
        id="lookup-insert",
    ),
    pytest.param(
        Row("POST", "/Notes", {"data": [{"Note_Content": "x", "Parent_Id": "{id}", "$se_module": "Leads"}]}),
        id="note-on-other-org-record",
    ),
    pytest.param(
        Row("PUT", "/Contacts", {"data": [{"id": "{contact}", "Account_Name": "{account}"}]}),
        id="lookup-update",
    ),
    pytest.param(Row("GET", "/Accounts/{account}/Contacts"), id="lookup-related-list"),
]


def _snapshot(client: Any, org: TestOrg) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for module in ("Leads", "Contacts", "Accounts", "Notes"):
        response = client.get(f"/crm/{V}/{module}", headers=org.headers)
        out[module] = response.json() if response.status_code == 200 else response.status_code
    return out


def _fill(template: Any, names: dict[str, str]) -> Any:
    text = json.dumps(template) if not isinstance(template, str) else template
    for name, value in names.items():
        text = text.replace("{" + name + "}", value)
    return text if isinstance(template, str) else json.loads(text)


def _masked(response: Any, names: dict[str, str]) -> tuple[int, str, str]:
    text = response.text
    for value in names.values():
        text = text.replace(value, "<id>")
    return response.status_code, response.headers.get("content-type", ""), text


@pytest.mark.parametrize("row", ROWS)
def test_foreign_ids_answer_like_missing_ids_and_change_nothing(
    client: Any, org: TestOrg, orgs: OrgFactory, row: Row
) -> None:
    other = orgs.create()
    (account,) = org.create(client, "Accounts")
    (lead,) = org.create(client, "Leads", Email="secret@a.example")
    (contact,) = org.create(client, "Contacts", Account_Name=account)
    org.create(client, "Notes", Parent_Id=lead, **{"$se_module": "Leads"})
    (own_contact,) = other.create(client, "Contacts")
    foreign = {"id": lead, "account": account, "contact": own_contact, "user": str(org.admin_id)}
    missing = {"id": MISSING, "account": MISSING, "contact": own_contact, "user": MISSING}
    if row.path.startswith("/Accounts/{account}"):
        missing["account"] = MISSING
    before = _snapshot(client, org)

    def send(names: dict[str, str]) -> Any:
        body = _fill(row.body, names) if row.body is not None else None
        return client.request(
            row.method, f"/crm/{V}{_fill(row.path, names)}", json=body, headers=other.headers
        )

    with_foreign, with_missing = send(foreign), send(missing)
    assert _masked(with_foreign, foreign) == _masked(with_missing, missing)
    assert with_foreign.status_code != 500
    assert "secret@a.example" not in with_foreign.text and org.admin_email not in with_foreign.text
    assert _snapshot(client, org) == before
    assert contact  # org A's contact still points at its account (part of the snapshot)


RELATED_ROWS = [
    pytest.param(Row("GET", "/Price_Books/{pb}/Products"), id="list-of-foreign-parent"),
    pytest.param(Row("GET", "/Price_Books/{pb}/Products/{product}"), id="get-of-foreign-parent"),
    pytest.param(Row("GET", "/Price_Books/{own_pb}/Products/{product}"), id="get-foreign-related"),
    pytest.param(
        Row("PUT", "/Price_Books/{pb}/Products", {"data": [{"id": "{own_product}"}]}),
        id="relate-to-foreign-parent",
    ),
    pytest.param(
        Row("PUT", "/Price_Books/{own_pb}/Products", {"data": [{"id": "{product}", "list_price": 1}]}),
        id="relate-foreign-record",
    ),
    pytest.param(
        Row("PUT", "/Price_Books/{pb}/Products/{product}", {"data": [{"list_price": 0}]}),
        id="update-foreign-link",
    ),
    pytest.param(Row("DELETE", "/Price_Books/{pb}/Products?ids={product}"), id="delink-foreign-bulk"),
    pytest.param(Row("DELETE", "/Price_Books/{pb}/Products/{product}"), id="delink-foreign-single"),
    pytest.param(Row("GET", "/Leads/{lead}/Notes"), id="lookup-list-of-foreign-parent"),
]


@pytest.mark.parametrize("row", RELATED_ROWS)
def test_foreign_links_answer_like_missing_ones_and_change_nothing(
    client: Any, org: TestOrg, orgs: OrgFactory, row: Row
) -> None:
    other = orgs.create()
    (pb,), (product,), (lead,) = (org.create(client, m) for m in ("Price_Books", "Products", "Leads"))
    org.create(client, "Notes", Parent_Id=lead, **{"$se_module": "Leads"})
    linked = client.put(
        f"/crm/{V}/Price_Books/{pb}/Products",
        json={"data": [{"id": product, "list_price": 42}]},
        headers=org.headers,
    )
    assert linked.status_code == 200
    (own_pb,), (own_product,) = (other.create(client, m) for m in ("Price_Books", "Products"))
    foreign = {"pb": pb, "product": product, "lead": lead, "own_pb": own_pb, "own_product": own_product}
    missing = {**foreign, "pb": MISSING, "product": MISSING, "lead": MISSING}
    links_before = client.get(f"/crm/{V}/Price_Books/{pb}/Products", headers=org.headers).json()
    before = _snapshot(client, org)

    def send(names: dict[str, str]) -> Any:
        body = _fill(row.body, names) if row.body is not None else None
        return client.request(
            row.method, f"/crm/{V}{_fill(row.path, names)}", json=body, headers=other.headers
        )

    with_foreign, with_missing = send(foreign), send(missing)
    assert _masked(with_foreign, foreign) == _masked(with_missing, missing)
    assert with_foreign.status_code != 500
    assert _snapshot(client, org) == before
    assert client.get(f"/crm/{V}/Price_Books/{pb}/Products", headers=org.headers).json() == links_before
    # org B's own price book did not gain org A's product either.
    assert client.get(f"/crm/{V}/Price_Books/{own_pb}/Products", headers=other.headers).status_code == 204


def test_users_of_another_org_are_invisible(client: Any, org: TestOrg, orgs: OrgFactory) -> None:
    other = orgs.create()
    secret = org.add_user("Standard", email="hidden-user@a.example")
    hidden = _user_ids(org, secret)
    foreign = client.get(f"/crm/{V}/users/{hidden}", headers=other.headers)
    missing = client.get(f"/crm/{V}/users/{MISSING}", headers=other.headers)
    assert (foreign.status_code, foreign.text) == (missing.status_code, missing.text) == (204, "")
    listed = client.get(f"/crm/{V}/users", headers=other.headers)
    assert listed.status_code == 200
    assert "hidden-user@a.example" not in listed.text and org.admin_email not in listed.text
    assert [u["email"] for u in listed.json()["users"]] == [other.admin_email]


def _user_ids(org: TestOrg, email: str) -> str:
    from crmlink.domain.orgs import find_user

    with org.services.db.read() as conn:
        user = find_user(conn, org.org_id, email)
    assert user is not None
    return str(user.id)


def test_each_org_lists_only_its_own_records_and_profiles(
    client: Any, org: TestOrg, orgs: OrgFactory
) -> None:
    other = orgs.create()
    org.add_profile("Secret Profile A", {"*": ["view"]})
    org.create(client, "Leads", 3)
    assert client.get(f"/crm/{V}/Leads", headers=other.headers).status_code == 204
    assert client.get(f"/crm/{V}/Leads", headers=org.headers).json()["info"]["count"] == 3
    modules = client.get(f"/crm/{V}/settings/modules", headers=other.headers).json()["modules"]
    names = {p["name"] for m in modules for p in m["profiles"]}
    assert "Secret Profile A" not in names
    one = client.get(f"/crm/{V}/settings/modules/Leads", headers=other.headers).json()["modules"][0]
    assert "Secret Profile A" not in {p["name"] for p in one["profiles"]}


def test_a_token_works_only_for_its_own_org(client: Any, org: TestOrg, orgs: OrgFactory) -> None:
    other = orgs.create()
    (mine,) = other.create(client, "Leads")
    (theirs,) = org.create(client, "Leads")
    assert client.get(f"/crm/{V}/Leads/{mine}", headers=other.headers).status_code == 200
    assert client.get(f"/crm/{V}/Leads/{theirs}", headers=other.headers).status_code == 204
    assert client.get(f"/crm/{V}/Leads/{mine}", headers=org.headers).status_code == 204
