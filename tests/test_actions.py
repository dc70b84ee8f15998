"""Module actions: record count and mass update (with its job status), on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error


def test_count_covers_the_module_of_the_org(client: Any, org: TestOrg, orgs: Any) -> None:
    response = client.get("/crm/v2.1/Leads/actions/count", headers=org.headers)
    assert response.status_code == 200 and response.json() == {"count": 0}
    ids = org.create(client, "Leads", count=7)
    org.create(client, "Contacts", count=2)
    other = orgs.create()
    other.create(client, "Leads", count=3)
    client.delete(f"/crm/v2.1/Leads/{ids[0]}", headers=org.headers)
    assert client.get("/crm/v2.1/Leads/actions/count", headers=org.headers).json() == {"count": 6}
    assert client.get("/crm/v2/Contacts/actions/count", headers=org.headers).json() == {"count": 2}


def test_count_errors(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.get("/crm/v2.1/Nope/actions/count", headers=org.headers), 400, "INVALID_MODULE")
    scoped = org.headers_for(scope="ZohoCRM.modules.contacts.READ")
    assert_zoho_error(
        client.get("/crm/v2.1/Leads/actions/count", headers=scoped), 401, "OAUTH_SCOPE_MISMATCH"
    )
    response = client.get("/crm/v2.1/Leads/actions/count?criteria=(Nope:equals:1)", headers=org.headers)
    assert_zoho_error(
        response, 400, "INVALID_QUERY", details={"reason": "invalid field found", "api_name": "Nope"}
    )


def test_count_takes_the_search_params(client: Any, org: TestOrg) -> None:
    body = {
        "data": [{"Last_Name": f"L{i}", "Email": f"p{i}@count.example", "Phone": "555-01"} for i in range(5)]
    }
    assert client.post("/crm/v2.1/Leads", json=body, headers=org.headers).status_code == 201

    def count(query: str) -> Any:
        return client.get(f"/crm/v2.1/Leads/actions/count?{query}", headers=org.headers).json()

    assert count("criteria=((Last_Name:in:L1,L2,L9)or(Email:equals:P4@count.example))") == {"count": 3}
    assert count("email=p0@count.example") == {"count": 1}
    assert count("phone=555-01") == {"count": 5}
    assert count("word=count.example") == {"count": 5}
    assert count("criteria=(Last_Name:equals:nobody)") == {"count": 0}


def _mass(client: Any, org: TestOrg, module: str, body: Any) -> Any:
    return client.post(f"/crm/v2.1/{module}/actions/mass_update", json=body, headers=org.headers)


def test_mass_update_by_ids_answers_each_id_in_order(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Leads", count=3)
    (contact,) = org.create(client, "Contacts")
    body = {
        "data": [{"Lead_Status": "Contacted"}],
        "ids": [ids[0], int(ids[2]), "1234567890123456789", contact],
    }
    response = _mass(client, org, "Leads", body)
    assert response.status_code == 207, response.text
    first, third, unknown, wrong_module = response.json()["data"]
    assert_success(first, "record updated")
    assert first["details"]["id"] == ids[0]
    assert set(first["details"]) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
    assert third["details"]["id"] == ids[2]
    assert_item_error(unknown, "INVALID_DATA", "the id given seems to be invalid")
    assert unknown["details"] == {"id": "1234567890123456789"}
    assert wrong_module["details"] == {"id": contact}
    statuses = {
        r["id"]: r.get("Lead_Status")
        for r in client.get("/crm/v2.1/Leads", headers=org.headers).json()["data"]
    }
    assert statuses == {ids[0]: "Contacted", ids[1]: None, ids[2]: "Contacted"}


def test_deals_take_three_fields(client: Any, org: TestOrg) -> None:
    (deal,) = org.create(client, "Deals")
    body = {"data": [{"Stage": "Closed Won", "Amount": 10.5, "Probability": 100}], "ids": [deal]}
    assert _mass(client, org, "Deals", body).status_code == 200
    got = client.get(f"/crm/v2.1/Deals/{deal}", headers=org.headers).json()["data"][0]
    assert (got["Stage"], got["Amount"], got["Probability"]) == ("Closed Won", 10.5, 100)


BAD = [
    pytest.param(
        {"ids": ["1"]},
        "MANDATORY_NOT_FOUND",
        "required field not found",
        {"api_name": "data", "json_path": "$.data"},
        id="no-data",
    ),
    pytest.param(
        {"data": [{"Company": "x"}, {"Company": "y"}], "ids": ["1"]},
        "INVALID_DATA",
        "invalid data",
        {"api_name": "data", "json_path": "$.data"},
        id="two-objects",
    ),
    pytest.param({"data": [{}], "ids": ["1"]}, "INVALID_DATA", "No field found", None, id="no-field"),
    pytest.param(
        {"data": [{"Nope": "x"}], "ids": ["1"]},
        "INVALID_DATA",
        "No field found",
        {"api_name": "Nope", "json_path": "$.data[0].Nope"},
        id="unknown-field",
    ),
    pytest.param(
        {"data": [{"Company": "x", "City": "y"}], "ids": ["1"]},
        "INVALID_DATA",
        "Max field limit exceeded",
        {"limit": 1, "json_path": "$.data[0]"},
        id="two-fields",
    ),
    pytest.param(
        {"data": [{"Email": "a@b.io"}], "ids": ["1"]},
        "INVALID_DATA",
        "invalid data",
        {"api_name": "Email", "json_path": "$.data[0].Email"},
        id="email-field",
    ),
    pytest.param(
        {"data": [{"Description": "x"}], "ids": ["1"]}, "INVALID_DATA", "invalid data", None, id="multi-line"
    ),
    pytest.param({"data": [{"Owner": "1"}], "ids": ["1"]}, "INVALID_DATA", "invalid data", None, id="owner"),
    pytest.param(
        {"data": [{"No_of_Employees": "many"}], "ids": ["1"]},
        "INVALID_DATA",
        "invalid data",
        {
            "api_name": "No_of_Employees",
            "expected_data_type": "integer",
            "json_path": "$.data[0].No_of_Employees",
        },
        id="wrong-type",
    ),
    pytest.param(
        {"data": [{"Company": "x"}]},
        "MANDATORY_NOT_FOUND",
        "required field not found",
        {"api_name": "ids", "json_path": "$.ids"},
        id="no-ids",
    ),
    pytest.param(
        {"data": [{"Company": "x"}], "cvid": "123"},
        "INVALID_DATA",
        "the id given seems to be invalid",
        {"api_name": "cvid", "json_path": "$.cvid"},
        id="cvid",
    ),
    pytest.param(
        {"data": [{"Company": "x"}], "ids": [str(i) for i in range(1, 502)]},
        "LIMIT_EXCEEDED",
        "Record count exceeded",
        {"api_name": "ids", "limit": 500},
        id="501-ids",
    ),
    pytest.param(
        {"data": [{"Company": "x"}], "ids": "1,2"}, "INVALID_DATA", "invalid data", None, id="ids-not-list"
    ),
]


@pytest.mark.parametrize(("body", "code", "message", "details"), BAD)
def test_mass_update_bad_requests_change_nothing(
    client: Any, org: TestOrg, body: dict[str, Any], code: str, message: str, details: dict[str, Any] | None
) -> None:
    (lead,) = org.create(client, "Leads", Company="Before")
    if "ids" in body and isinstance(body["ids"], list) and len(body["ids"]) == 1:
        body = {**body, "ids": [lead]}
    assert_zoho_error(_mass(client, org, "Leads", body), 400, code, message, details)
    got = client.get(f"/crm/v2.1/Leads/{lead}", headers=org.headers).json()["data"][0]
    assert got["Company"] == "Before"


def test_mass_update_status(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/Leads/actions/mass_update", headers=org.headers)
    assert_zoho_error(
        response, 400, "MANDATORY_NOT_FOUND", "mandatory param missing", {"param_name": "job_id"}
    )
    response = client.get(
        "/crm/v2.1/Leads/actions/mass_update?job_id=1234567890123456789", headers=org.headers
    )
    assert_zoho_error(response, 404, "NOT_FOUND", "Empty response")


def test_actions_words_are_reserved(client: Any, org: TestOrg) -> None:
    for method, path in [
        ("PUT", "actions/count"),
        ("DELETE", "actions/mass_update"),
        ("PUT", "actions/mass_update"),
    ]:
        response = client.request(method, f"/crm/v2.1/Leads/{path}", headers=org.headers)
        assert_zoho_error(response, 400, "INVALID_REQUEST_METHOD")


def test_answers_conform_to_the_served_description(client: Any, org: TestOrg) -> None:
    import schemathesis

    described = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    ids = org.create(client, "Leads", count=2)
    described["/crm/{version}/Leads/actions/count"]["GET"].validate_response(
        client.get("/crm/v2.1/Leads/actions/count", headers=org.headers)
    )
    body = {"data": [{"Company": "Zylker"}], "ids": [*ids, "1"]}
    described["/crm/{version}/Leads/actions/mass_update"]["POST"].validate_response(
        _mass(client, org, "Leads", body)
    )
