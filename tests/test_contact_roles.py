"""The contact-role picklist, ``/Contacts/roles[/{id}]``: list, get, add, update, delete, with
Zoho's per-item results under ``contact_roles``, on both engines (spec schema section 8)."""

from __future__ import annotations

from typing import Any

from crmlink.storage.contact_roles import DEFAULT_ROLES
from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

URL = "/crm/v2.1/Contacts/roles"


def _roles(client: Any, org: TestOrg) -> list[dict[str, Any]]:
    response = client.get(URL, headers=org.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["contact_roles"]
    return found


def test_a_new_org_has_the_default_roles(client: Any, org: TestOrg) -> None:
    roles = _roles(client, org)
    assert [r["name"] for r in roles] == list(DEFAULT_ROLES)
    assert [r["sequence_number"] for r in roles] == list(range(1, len(DEFAULT_ROLES) + 1))
    for r in roles:
        assert set(r) == {"id", "name", "sequence_number"} and r["id"].isdigit()
    one = client.get(f"{URL}/{roles[0]['id']}", headers=org.headers)
    assert one.json() == {"contact_roles": [roles[0]]}


def test_add_update_delete(client: Any, org: TestOrg) -> None:
    body = {"contact_roles": [{"name": "Sales Lead", "sequence_number": 40}, {"name": "Champion"}]}
    response = client.post(URL, json=body, headers=org.headers)
    assert response.status_code == 200, response.text
    added = response.json()["contact_roles"]
    for item in added:
        assert_success(item, "contact role added")
    lead, champion = (item["details"]["id"] for item in added)
    by_id = {r["id"]: r for r in _roles(client, org)}
    assert by_id[lead] == {"sequence_number": 40, "name": "Sales Lead", "id": lead}
    assert by_id[champion]["sequence_number"] == 41

    response = client.put(
        URL, json={"contact_roles": [{"id": lead, "name": "Sales Head"}]}, headers=org.headers
    )
    assert response.status_code == 200
    assert_success(response.json()["contact_roles"][0], "contact role updated")
    response = client.put(
        f"{URL}/{champion}", json={"contact_roles": [{"sequence_number": 2}]}, headers=org.headers
    )
    assert_success(response.json()["contact_roles"][0], "contact role updated")
    by_id = {r["id"]: r for r in _roles(client, org)}
    assert by_id[lead]["name"] == "Sales Head" and by_id[champion]["sequence_number"] == 2

    response = client.delete(URL, params={"ids": f"{lead},{lead}"}, headers=org.headers)
    assert response.status_code == 207
    first, second = response.json()["contact_roles"]
    assert_success(first, "contact role deleted")
    assert_item_error(second, "INVALID_DATA", "contact role not deleted")
    response = client.delete(f"{URL}/{champion}", headers=org.headers)
    assert_success(response.json()["contact_roles"][0], "contact role deleted")
    assert {r["name"] for r in _roles(client, org)} == set(DEFAULT_ROLES)
    assert client.get(f"{URL}/{champion}", headers=org.headers).status_code == 204


def test_bad_items_store_nothing(client: Any, org: TestOrg) -> None:
    body = {
        "contact_roles": [
            {"sequence_number": 1},
            {"name": "purchasing"},
            {"name": "  "},
            {"name": "x" * 51},
            {"name": "Fine", "sequence_number": 0},
            {"name": "Twice"},
            {"name": "TWICE"},
        ]
    }
    response = client.post(URL, json=body, headers=org.headers)
    assert response.status_code == 207
    items = response.json()["contact_roles"]
    assert_item_error(items[0], "MANDATORY_NOT_FOUND", api_name="name", json_path="$.contact_roles[0].name")
    assert_item_error(items[1], "DUPLICATE_DATA", api_name="name")
    assert_item_error(items[2], "INVALID_DATA", api_name="name")
    assert_item_error(items[3], "INVALID_DATA", api_name="name")
    assert_item_error(items[4], "INVALID_DATA", api_name="sequence_number")
    assert_success(items[5], "contact role added")
    assert_item_error(items[6], "DUPLICATE_DATA", api_name="name")
    assert [r["name"] for r in _roles(client, org)] == [*DEFAULT_ROLES, "Twice"]
    update = {"contact_roles": [{"name": "No id"}, {"id": "1234567890123456789", "name": "Ghost"}]}
    items = client.put(URL, json=update, headers=org.headers).json()["contact_roles"]
    assert_item_error(items[0], "MANDATORY_NOT_FOUND", api_name="id")
    assert_item_error(items[1], "INVALID_DATA", "the id given seems to be invalid")


def test_request_level_errors(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.delete(URL, headers=org.headers), 400, "REQUIRED_PARAM_MISSING")
    assert_zoho_error(client.post(URL, json={"data": []}, headers=org.headers), 400, "MANDATORY_NOT_FOUND")
    assert_zoho_error(client.post(URL, json={"contact_roles": []}, headers=org.headers), 400, "INVALID_DATA")
    two = {"contact_roles": [{"name": "a"}, {"name": "b"}]}
    roles = _roles(client, org)
    assert_zoho_error(
        client.put(f"{URL}/{roles[0]['id']}", json=two, headers=org.headers), 400, "LIMIT_EXCEEDED"
    )
    leads_only = org.headers_for(scope="ZohoCRM.modules.leads.ALL")
    assert_zoho_error(client.get(URL, headers=leads_only), 401, "OAUTH_SCOPE_MISMATCH")
    contacts_read = org.headers_for(scope="ZohoCRM.modules.contacts.READ")
    assert client.get(URL, headers=contacts_read).status_code == 200
    assert_zoho_error(
        client.post(URL, json={"contact_roles": [{"name": "c"}]}, headers=contacts_read),
        401,
        "OAUTH_SCOPE_MISMATCH",
    )


def test_limit_of_100_roles(client: Any, org: TestOrg) -> None:
    room = 100 - len(DEFAULT_ROLES)
    body = {"contact_roles": [{"name": f"Role {i}"} for i in range(room + 1)]}
    items = client.post(URL, json=body, headers=org.headers).json()["contact_roles"]
    assert all(i["status"] == "success" for i in items[:room])
    assert_item_error(items[room], "LIMIT_EXCEEDED", "Contact Role feature limit exceeded")
    assert len(_roles(client, org)) == 100


def test_orgs_have_their_own_roles(client: Any, orgs: Any) -> None:
    a, b = orgs.create(), orgs.create()
    client.post(URL, json={"contact_roles": [{"name": "Only in A"}]}, headers=a.headers)
    assert "Only in A" in {r["name"] for r in _roles(client, a)}
    assert "Only in A" not in {r["name"] for r in _roles(client, b)}
    a_ids = {r["id"] for r in _roles(client, a)}
    assert not a_ids & {r["id"] for r in _roles(client, b)}
    some = next(iter(a_ids))
    assert client.get(f"{URL}/{some}", headers=b.headers).status_code == 204


def test_roles_of_another_module_is_a_bad_record_id(client: Any, org: TestOrg) -> None:
    for path in ("/crm/v2.1/Leads/roles", "/crm/v2.1/Leads/roles/123"):
        assert_zoho_error(
            client.get(path, headers=org.headers), 400, "INVALID_DATA", "the id given seems to be invalid"
        )
    assert_zoho_error(
        client.post("/crm/v2.1/Leads/roles", json={}, headers=org.headers), 400, "INVALID_REQUEST_METHOD"
    )
    assert_zoho_error(client.get("/crm/v2.1/Nope/roles", headers=org.headers), 400, "INVALID_MODULE")
    # The records routes of Contacts themselves are untouched.
    assert client.get("/crm/v2.1/contacts/roles", headers=org.headers).status_code == 200
    assert (
        client.post(
            "/crm/v2.1/Contacts", json={"data": [{"Last_Name": "X"}]}, headers=org.headers
        ).status_code
        == 201
    )
