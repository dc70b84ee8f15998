"""External ids (``X-EXTERNAL``): get, list, update, delete and upsert by an external field's
value, lookups given by a target's external value, on both engines.

Zoho's standard modules have no external field (they are custom fields), so these tests serve
a catalog whose Contacts and Accounts carry one each, as Zoho's documents name them, through a
second app over the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app
from crmlink.domain.catalog import Catalog, FieldDef
from crmlink.domain.catalog_data import CATALOG
from crmlink.storage.unique_keys import ensure_field_index
from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

EXT_CONTACT = {"X-EXTERNAL": "Contacts.External_Contact_ID"}


def _with_external(module: str, name: str) -> Any:
    m = CATALOG.module_map[module]
    extra = FieldDef(name, name.replace("_", " "), "text", length=255, external="org")
    return replace(m, fields=(*m.fields, extra))


EXTERNAL_CATALOG = Catalog(
    modules=tuple(
        _with_external("Contacts", "External_Contact_ID")
        if m.api_name == "Contacts"
        else _with_external("Accounts", "External_Account_ID")
        if m.api_name == "Accounts"
        else m
        for m in CATALOG.modules
    ),
    relations=CATALOG.relations,
    unsupported_modules=CATALOG.unsupported_modules,
)


@pytest.fixture(scope="module")
def ext_client(services: Services) -> Iterator[Any]:
    with services.db.write() as conn:
        ensure_field_index(conn, "Contacts", "External_Contact_ID")
        ensure_field_index(conn, "Accounts", "External_Account_ID")
    svc = Services(settings=services.settings, db=services.db, catalog=EXTERNAL_CATALOG, ids=services.ids)
    with TestClient(create_app(services.settings, svc)) as client:
        yield client


def _contacts(client: Any, org: TestOrg, *ext_ids: str) -> list[str]:
    body = {"data": [{"Last_Name": f"C {e}", "External_Contact_ID": e} for e in ext_ids]}
    response = client.post("/crm/v2.1/Contacts", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    return [i["details"]["id"] for i in response.json()["data"]]


def _h(org: TestOrg, header: dict[str, str] = EXT_CONTACT) -> dict[str, str]:
    return {**org.headers, **header}


def test_field_metadata_marks_the_external_field(ext_client: Any, org: TestOrg) -> None:
    fields = ext_client.get("/crm/v2.1/settings/fields?module=Contacts", headers=org.headers).json()["fields"]
    by_name = {f["api_name"]: f for f in fields}
    assert by_name["External_Contact_ID"]["external"] == {
        "show": True,
        "type": "org",
        "allow_multiple_config": False,
    }
    assert by_name["Last_Name"]["external"] is None


def test_get_one_and_many_by_external_value(ext_client: Any, org: TestOrg) -> None:
    first, second = _contacts(ext_client, org, "ext-1", "ext-2")
    got = ext_client.get("/crm/v2.1/Contacts/ext-1", headers=_h(org))
    assert got.status_code == 200 and got.json()["data"][0]["id"] == first
    assert ext_client.get("/crm/v2.1/Contacts/ext-404", headers=_h(org)).status_code == 204
    # Without the header the segment is an id, as always.
    assert_zoho_error(ext_client.get("/crm/v2.1/Contacts/ext-1", headers=org.headers), 400, "INVALID_DATA")
    listed = ext_client.get("/crm/v2.1/Contacts?ids=ext-2,ext-1,nope", headers=_h(org)).json()["data"]
    assert sorted(r["id"] for r in listed) == sorted([first, second])
    assert ext_client.get("/crm/v2.1/Contacts?ids=nope", headers=_h(org)).status_code == 204


def test_update_one_and_many_by_external_value(ext_client: Any, org: TestOrg) -> None:
    first, second = _contacts(ext_client, org, "u-1", "u-2")
    one = ext_client.put("/crm/v2.1/Contacts/u-1", json={"data": [{"Title": "CEO"}]}, headers=_h(org))
    assert one.status_code == 200, one.text
    (item,) = one.json()["data"]
    assert_success(item, "record updated")
    assert list(item["details"])[:2] == ["External_Contact_ID", "Modified_Time"]
    assert item["details"]["External_Contact_ID"] == "u-1" and item["details"]["id"] == first
    body = {
        "data": [{"External_Contact_ID": "u-2", "Title": "CTO"}, {"External_Contact_ID": "u-9", "Title": "x"}]
    }
    many = ext_client.put("/crm/v2.1/Contacts", json=body, headers=_h(org))
    assert many.status_code == 207
    ok, unknown = many.json()["data"]
    assert ok["details"]["id"] == second
    assert_item_error(
        unknown,
        "INVALID_DATA",
        "The value of the external field is invalid.",
        api_name="External_Contact_ID",
        json_path="$.data[1].External_Contact_ID",
    )
    titles = {
        r["id"]: r["Title"] for r in ext_client.get("/crm/v2.1/Contacts", headers=org.headers).json()["data"]
    }
    assert titles == {first: "CEO", second: "CTO"}
    missing = ext_client.put("/crm/v2.1/Contacts/u-9", json={"data": [{"Title": "x"}]}, headers=_h(org))
    assert missing.status_code == 400
    assert_item_error(
        missing.json()["data"][0], "INVALID_DATA", "The value of the external field is invalid."
    )


def test_delete_by_external_values(ext_client: Any, org: TestOrg) -> None:
    first, second, third = _contacts(ext_client, org, "d-1", "d-2", "d-3")
    response = ext_client.delete("/crm/v2.1/Contacts?ids=d-1,nope,d-2", headers=_h(org))
    assert response.status_code == 207
    a, nope, b = response.json()["data"]
    assert a == {
        "code": "SUCCESS",
        "details": {"External_Contact_ID": "d-1", "id": first},
        "message": "record deleted",
        "status": "success",
    }
    assert_item_error(nope, "INVALID_DATA", "the id given seems to be invalid", id="nope")
    assert b["details"] == {"External_Contact_ID": "d-2", "id": second}
    one = ext_client.delete("/crm/v2.1/Contacts/d-3", headers=_h(org))
    assert one.json()["data"][0]["details"] == {"External_Contact_ID": "d-3", "id": third}
    deleted = ext_client.get("/crm/v2.1/Contacts/deleted", headers=org.headers).json()["data"]
    assert sorted(i["id"] for i in deleted) == sorted([first, second, third])


def test_upsert_checks_the_external_field_without_a_header(ext_client: Any, org: TestOrg) -> None:
    (existing,) = _contacts(ext_client, org, "up-1")
    body = {
        "data": [
            {"Last_Name": "New name", "External_Contact_ID": "up-1"},
            {"Last_Name": "Other", "External_Contact_ID": "up-2"},
        ]
    }
    items = ext_client.post("/crm/v2.1/Contacts/upsert", json=body, headers=org.headers).json()["data"]
    assert [(i["action"], i["duplicate_field"]) for i in items] == [
        ("update", "External_Contact_ID"),
        ("insert", None),
    ]
    assert items[0]["details"]["id"] == existing
    chosen = {**body, "duplicate_check_fields": ["External_Contact_ID"]}
    again = ext_client.post("/crm/v2.1/Contacts/upsert", json=chosen, headers=org.headers).json()["data"]
    assert [i["action"] for i in again] == ["update", "update"]


def test_lookups_given_by_external_value(ext_client: Any, org: TestOrg) -> None:
    body = {"data": [{"Account_Name": "Zylker", "External_Account_ID": "acc-1"}]}
    (account,) = [
        i["details"]["id"]
        for i in ext_client.post("/crm/v2.1/Accounts", json=body, headers=org.headers).json()["data"]
    ]
    header = {"X-EXTERNAL": "Contacts.Account_Name.External_Account_ID"}
    body = {
        "data": [
            {"Last_Name": "A", "Account_Name": {"External_Account_ID": "acc-1"}},
            {"Last_Name": "B", "Account_Name": {"External_Account_ID": "acc-404"}},
        ]
    }
    response = ext_client.post("/crm/v2.1/Contacts", json=body, headers=_h(org, header))
    assert response.status_code == 207, response.text
    ok, bad = response.json()["data"]
    got = ext_client.get(f"/crm/v2.1/Contacts/{ok['details']['id']}", headers=org.headers).json()["data"][0]
    assert got["Account_Name"] == {"name": "Zylker", "id": account}
    assert_item_error(
        bad,
        "INVALID_DATA",
        "The external ID of the lookup field or the Price Book is incorrect",
        api_name="Account_Name",
        json_path="$.data[1].Account_Name",
    )
    # Both headers at once, comma-separated (a space after the comma is allowed).
    both = {"X-EXTERNAL": "Contacts.External_Contact_ID, Contacts.Account_Name.External_Account_ID"}
    upsert = {
        "data": [
            {
                "Last_Name": "C",
                "External_Contact_ID": "lk-1",
                "Account_Name": {"External_Account_ID": "acc-1"},
            }
        ]
    }
    assert ext_client.post("/crm/v2.1/Contacts/upsert", json=upsert, headers=_h(org, both)).status_code == 200
    got = ext_client.get("/crm/v2.1/Contacts/lk-1", headers=_h(org)).json()["data"][0]
    assert got["Account_Name"]["id"] == account


@pytest.mark.parametrize(
    "header",
    [
        "Contacts.Last_Name",
        "Leads.External_Contact_ID",
        "Contacts",
        "Contacts.Account_Name.Account_Name",
        "Contacts.a.b.c",
    ],
)
def test_a_header_naming_no_external_field_is_refused(ext_client: Any, org: TestOrg, header: str) -> None:
    (record,) = _contacts(ext_client, org, f"h-{len(header)}")
    response = ext_client.get(f"/crm/v2.1/Contacts/{record}", headers=_h(org, {"X-EXTERNAL": header}))
    assert_zoho_error(response, 400, "INVALID_DATA", details={"header_name": "X-EXTERNAL", "value": header})


def test_the_standard_catalog_has_no_external_field(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/Contacts/1", headers=_h(org))
    assert_zoho_error(
        response,
        400,
        "INVALID_DATA",
        details={"header_name": "X-EXTERNAL", "value": "Contacts.External_Contact_ID"},
    )
