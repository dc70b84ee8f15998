"""Records: insert, read, list, update and delete, as Zoho answers them, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg, record_fields
from tests.helpers import JSON_TYPE, assert_item_error, assert_success, assert_zoho_error

VERSIONS = ["v2", "v2.1"]
MODULES = ["Leads", "Contacts", "Accounts", "Deals", "Products", "Campaigns", "Price_Books"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("module", MODULES)
def test_insert_then_get(client: Any, org: TestOrg, module: str, version: str) -> None:
    response = client.post(
        f"/crm/{version}/{module}", json={"data": [record_fields(module)]}, headers=org.headers
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == JSON_TYPE
    (item,) = response.json()["data"]
    assert_success(item, "record added")
    details = item["details"]
    assert set(details) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
    record_id = details["id"]
    assert record_id.isdigit() and len(record_id) == 19

    got = client.get(f"/crm/{version}/{module}/{record_id}", headers=org.headers)
    assert got.status_code == 200
    (record,) = got.json()["data"]
    assert record["id"] == record_id
    for key, value in record_fields(module).items():
        assert record[key] == value
    for key in ("Owner", "Created_By", "Modified_By"):
        assert record[key] == {"name": "Org Admin", "id": str(org.admin_id), "email": org.admin_email}
    assert record["Created_Time"].endswith("+00:00")


def test_ids_are_unique_and_time_ordered(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Leads", count=150)
    assert len(set(ids)) == 150
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)


def test_mixed_insert_is_207_and_stores_only_the_good_items(client: Any, org: TestOrg) -> None:
    body = {
        "data": [
            {"Last_Name": "Good"},
            {"First_Name": "No last name"},
            {"Last_Name": "Bad email", "Email": "not-an-email"},
            {"Last_Name": "Bad number", "No_of_Employees": "twelve"},
            {"Last_Name": "Bad picklist", "Lead_Status": "Thinking about it"},
        ]
    }
    response = client.post("/crm/v2.1/Leads", json=body, headers=org.headers)
    assert response.status_code == 207
    items = response.json()["data"]
    assert_success(items[0], "record added")
    assert_item_error(items[1], "MANDATORY_NOT_FOUND", "required field not found", api_name="Last_Name")
    assert_item_error(items[2], "INVALID_DATA", "invalid data", api_name="Email", expected_data_type="email")
    assert_item_error(
        items[3], "INVALID_DATA", "invalid data", api_name="No_of_Employees", expected_data_type="integer"
    )
    assert_item_error(
        items[4], "INVALID_DATA", "invalid data", api_name="Lead_Status", expected_data_type="picklist"
    )
    listed = client.get("/crm/v2.1/Leads", headers=org.headers).json()["data"]
    assert [r["Last_Name"] for r in listed] == ["Good"]


def test_all_failed_insert_is_400_with_results(client: Any, org: TestOrg) -> None:
    response = client.post("/crm/v2.1/Accounts", json={"data": [{"Phone": "1"}]}, headers=org.headers)
    assert response.status_code == 400
    (item,) = response.json()["data"]
    assert_item_error(
        item, "MANDATORY_NOT_FOUND", api_name="Account_Name", json_path="$.data[0].Account_Name"
    )
    assert client.get("/crm/v2.1/Accounts", headers=org.headers).status_code == 204


def test_ids_are_accepted_as_numbers_or_strings_in_lookups(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts")
    body = {
        "data": [
            {"Last_Name": "A", "Account_Name": int(account)},
            {"Last_Name": "B", "Account_Name": {"id": account}},
        ]
    }
    response = client.post("/crm/v2.1/Contacts", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    for item in response.json()["data"]:
        got = client.get(f"/crm/v2.1/Contacts/{item['details']['id']}", headers=org.headers).json()["data"][0]
        assert got["Account_Name"] == {"name": "Account 0", "id": account}


def test_lookup_must_point_at_an_existing_record_of_its_module(client: Any, org: TestOrg) -> None:
    (lead,) = org.create(client, "Leads")
    body = {
        "data": [
            {"Last_Name": "A", "Account_Name": {"id": lead}},
            {"Last_Name": "B", "Account_Name": "1234567890123456789"},
        ]
    }
    response = client.post("/crm/v2.1/Contacts", json=body, headers=org.headers)
    assert response.status_code == 400
    for item in response.json()["data"]:
        assert_item_error(item, "INVALID_DATA", api_name="Account_Name", expected_data_type="lookup")


def test_body_without_content_type_is_parsed(client: Any, org: TestOrg) -> None:
    response = client.post(
        "/crm/v2.1/Leads",
        content=b'{"data":[{"Last_Name":"Raw"}]}',
        headers={**org.headers, "Content-Type": ""},
    )
    assert response.status_code == 201


def test_list_paging_and_info(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Products", count=5)
    first = client.get("/crm/v2.1/Products?per_page=2&page=1", headers=org.headers).json()
    assert first["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    assert [r["id"] for r in first["data"]] == ids[:2]
    last = client.get("/crm/v2.1/Products?per_page=2&page=3", headers=org.headers).json()
    assert last["info"] == {"per_page": 2, "count": 1, "page": 3, "more_records": False}
    assert client.get("/crm/v2.1/Products?per_page=2&page=4", headers=org.headers).status_code == 204


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("per_page=201", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("sort_order=up", "sort_order"),
        ("sort_by=Nope", "sort_by"),
    ],
)
def test_bad_list_parameters(client: Any, org: TestOrg, query: str, param: str) -> None:
    response = client.get(f"/crm/v2.1/Leads?{query}", headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_DATA", details={"param_name": param})


def test_fields_ids_and_sort(client: Any, org: TestOrg) -> None:
    a, b, c = org.create(client, "Products", count=3)
    for record_id, price in ((a, 30.0), (b, 10.0), (c, 20.0)):
        client.put(
            f"/crm/v2.1/Products/{record_id}", json={"data": [{"Unit_Price": price}]}, headers=org.headers
        )
    listed = client.get(
        "/crm/v2.1/Products?sort_by=Unit_Price&sort_order=asc&fields=Unit_Price", headers=org.headers
    ).json()
    assert [r["id"] for r in listed["data"]] == [b, c, a]
    assert set(listed["data"][0]) == {"Unit_Price", "id"}
    desc = client.get("/crm/v2.1/Products?sort_by=Unit_Price", headers=org.headers).json()["data"]
    assert [r["id"] for r in desc] == [a, c, b]
    picked = client.get(f"/crm/v2.1/Products?ids={a},{c}", headers=org.headers).json()["data"]
    assert {r["id"] for r in picked} == {a, c}


def test_if_modified_since(client: Any, org: TestOrg) -> None:
    org.create(client, "Leads")
    assert (
        client.get(
            "/crm/v2.1/Leads", headers={**org.headers, "If-Modified-Since": "2100-01-01T00:00:00+00:00"}
        ).status_code
        == 304
    )
    since = client.get(
        "/crm/v2.1/Leads", headers={**org.headers, "If-Modified-Since": "2000-01-01T00:00:00+00:00"}
    )
    assert since.status_code == 200 and since.json()["info"]["count"] == 1


def test_update_bulk_and_single(client: Any, org: TestOrg) -> None:
    a, b = org.create(client, "Leads", count=2)
    response = client.put(
        "/crm/v2.1/Leads",
        json={
            "data": [
                {"id": a, "Company": "New Co"},
                {"id": "1234567890123456789", "Company": "X"},
                {"Company": "no id"},
            ]
        },
        headers=org.headers,
    )
    assert response.status_code == 207
    first, unknown, missing = response.json()["data"]
    assert_success(first, "record updated")
    assert first["details"]["id"] == a
    assert_item_error(unknown, "INVALID_DATA", "the id given seems to be invalid", api_name="id")
    assert_item_error(missing, "MANDATORY_NOT_FOUND", api_name="id")
    single = client.put(f"/crm/v2.1/Leads/{b}", json={"data": [{"First_Name": "Ada"}]}, headers=org.headers)
    assert single.status_code == 200
    assert_success(single.json()["data"][0], "record updated")
    got = {r["id"]: r for r in client.get("/crm/v2.1/Leads", headers=org.headers).json()["data"]}
    assert got[a]["Company"] == "New Co"
    assert got[b]["First_Name"] == "Ada" and got[b]["Full_Name"] == "Ada Lead 1"


def test_update_cannot_clear_a_mandatory_field(client: Any, org: TestOrg) -> None:
    (lead,) = org.create(client, "Leads")
    response = client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Last_Name": ""}]}, headers=org.headers)
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="Last_Name")
    assert (
        client.get(f"/crm/v2.1/Leads/{lead}", headers=org.headers).json()["data"][0]["Last_Name"] == "Lead 0"
    )


def test_update_of_a_record_of_another_module_is_invalid(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts")
    response = client.put(
        f"/crm/v2.1/Leads/{account}", json={"data": [{"Company": "x"}]}, headers=org.headers
    )
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "INVALID_DATA", "the id given seems to be invalid")


def test_delete_bulk_and_single(client: Any, org: TestOrg) -> None:
    a, b, c = org.create(client, "Campaigns", count=3)
    response = client.delete(f"/crm/v2.1/Campaigns?ids={a},1234567890123456789", headers=org.headers)
    assert response.status_code == 207
    ok, bad = response.json()["data"]
    assert ok == {"code": "SUCCESS", "details": {"id": a}, "message": "record deleted", "status": "success"}
    assert_item_error(bad, "INVALID_DATA", "the id given seems to be invalid", id="1234567890123456789")
    single = client.delete(f"/crm/v2.1/Campaigns/{b}", headers=org.headers)
    assert single.status_code == 200
    assert_success(single.json()["data"][0], "record deleted")
    remaining = client.get("/crm/v2.1/Campaigns", headers=org.headers).json()["data"]
    assert [r["id"] for r in remaining] == [c]
    assert client.get(f"/crm/v2.1/Campaigns/{a}", headers=org.headers).status_code == 204


def test_delete_more_than_100_ids_is_limit_exceeded(client: Any, org: TestOrg) -> None:
    ids = ",".join(str(10**18 + i) for i in range(101))
    assert_zoho_error(client.delete(f"/crm/v2.1/Leads?ids={ids}", headers=org.headers), 400, "LIMIT_EXCEEDED")


def test_delete_with_non_numeric_ids(client: Any, org: TestOrg) -> None:
    assert_zoho_error(
        client.delete("/crm/v2.1/Leads?ids=abc", headers=org.headers), 400, "UNABLE_TO_PARSE_DATA_TYPE"
    )


def test_notes_hang_on_their_parent(client: Any, org: TestOrg) -> None:
    (lead,) = org.create(client, "Leads")
    body = {"data": [{"Note_Content": "hello", "Parent_Id": {"id": lead}, "$se_module": "Leads"}]}
    response = client.post("/crm/v2.1/Notes", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    note = client.get(
        f"/crm/v2.1/Notes/{response.json()['data'][0]['details']['id']}", headers=org.headers
    ).json()["data"][0]
    assert note["Parent_Id"] == {"name": "Lead 0", "id": lead}
    assert note["$se_module"] == "Leads"
    wrong = client.post(
        "/crm/v2.1/Notes",
        json={"data": [{"Note_Content": "x", "Parent_Id": {"id": lead}, "$se_module": "Accounts"}]},
        headers=org.headers,
    )
    assert wrong.status_code == 400


def test_values_are_stored_verbatim(client: Any, org: TestOrg) -> None:
    hostile = "Robert'); DROP TABLE records;-- <script>alert(1)</script> \u00e9\u4e2d"
    (lead,) = org.create(client, "Leads", Last_Name=hostile, Description="\x00 nul and \\ backslash")
    got = client.get(f"/crm/v2.1/Leads/{lead}", headers=org.headers).json()["data"][0]
    assert got["Last_Name"] == hostile
    assert got["Description"] == "\x00 nul and \\ backslash"
