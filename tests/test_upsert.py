"""Upsert (``POST /{module}/upsert``): the duplicate-check chain, answers, bad input and
concurrency, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_zoho_error

UPSERT_KEYS = ["code", "duplicate_field", "action", "details", "message", "status"]


def _upsert(client: Any, org: TestOrg, module: str, data: list[Any], **extra: Any) -> Any:
    return client.post(f"/crm/v2.1/{module}/upsert", json={"data": data, **extra}, headers=org.headers)


def _leads(client: Any, org: TestOrg) -> list[dict[str, Any]]:
    response = client.get("/crm/v2.1/Leads", headers=org.headers)
    return [] if response.status_code == 204 else list(response.json()["data"])


def test_insert_then_update_by_email(client: Any, org: TestOrg) -> None:
    first = _upsert(client, org, "Leads", [{"Last_Name": "Boyle", "Email": "p@zylker.com", "Company": "Z"}])
    assert first.status_code == 200, first.text
    (item,) = first.json()["data"]
    assert list(item) == UPSERT_KEYS
    assert (item["code"], item["action"], item["duplicate_field"], item["message"], item["status"]) == (
        "SUCCESS",
        "insert",
        None,
        "record added",
        "success",
    )
    record_id = item["details"]["id"]
    again = _upsert(client, org, "Leads", [{"Last_Name": "Boyle", "Email": "p@zylker.com", "Company": "Y"}])
    assert again.status_code == 200
    (item,) = again.json()["data"]
    assert (item["action"], item["duplicate_field"], item["message"]) == ("update", "Email", "record updated")
    assert item["details"]["id"] == record_id
    assert set(item["details"]) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
    (lead,) = _leads(client, org)
    assert (lead["id"], lead["Company"], lead["Last_Name"]) == (record_id, "Y", "Boyle")


@pytest.mark.parametrize(
    ("module", "key", "fields"),
    [
        ("Leads", "Email", {"Last_Name": "L", "Email": "k@x.io"}),
        ("Contacts", "Email", {"Last_Name": "C", "Email": "k@x.io"}),
        ("Accounts", "Account_Name", {"Account_Name": "Zylker"}),
        ("Deals", "Deal_Name", {"Deal_Name": "Big", "Stage": "Qualification"}),
        ("Campaigns", "Campaign_Name", {"Campaign_Name": "Spring"}),
        ("Products", "Product_Name", {"Product_Name": "Widget"}),
        ("Price_Books", "Price_Book_Name", {"Price_Book_Name": "Retail"}),
    ],
)
def test_each_module_upserts_on_its_system_defined_field(
    client: Any, org: TestOrg, module: str, key: str, fields: dict[str, Any]
) -> None:
    first = _upsert(client, org, module, [fields]).json()["data"][0]
    second = _upsert(client, org, module, [{**fields, "Description": "again"}]).json()["data"][0]
    assert (first["action"], second["action"], second["duplicate_field"]) == ("insert", "update", key)
    assert first["details"]["id"] == second["details"]["id"]
    got = client.get(f"/crm/v2.1/{module}/{first['details']['id']}", headers=org.headers).json()["data"][0]
    assert got["Description"] == "again"


def test_batch_answers_in_input_order_and_later_items_see_earlier_ones(client: Any, org: TestOrg) -> None:
    (existing,) = org.create(client, "Leads", Email="old@x.io")
    data = [
        {"Last_Name": "A", "Email": "new@x.io"},
        {"Last_Name": "B", "Email": "old@x.io"},
        {"Last_Name": "C", "Email": "new@x.io", "Company": "Second"},
        {"Last_Name": "D"},
    ]
    response = _upsert(client, org, "Leads", data)
    assert response.status_code == 200, response.text
    items = response.json()["data"]
    assert [(i["action"], i["duplicate_field"]) for i in items] == [
        ("insert", None),
        ("update", "Email"),
        ("update", "Email"),
        ("insert", None),
    ]
    assert items[1]["details"]["id"] == existing
    assert items[2]["details"]["id"] == items[0]["details"]["id"]
    leads = {lead["id"]: lead for lead in _leads(client, org)}
    assert len(leads) == 3
    assert leads[items[0]["details"]["id"]]["Company"] == "Second"
    assert leads[existing]["Last_Name"] == "B"


def test_listing_only_a_user_field_leaves_the_system_field_unchecked(client: Any, org: TestOrg) -> None:
    """Spec §3.1: a list without the system field does not check it. Standard Leads has no
    user-defined unique field, so naming none of Email is refused and Email alone is the default."""
    org.create(client, "Leads", Email="same@x.io")
    listed = _upsert(
        client, org, "Leads", [{"Last_Name": "X", "Email": "same@x.io"}], duplicate_check_fields=["Email"]
    )
    assert listed.json()["data"][0]["action"] == "update"
    empty = _upsert(
        client, org, "Leads", [{"Last_Name": "X", "Email": "same@x.io"}], duplicate_check_fields=[]
    )
    assert empty.json()["data"][0]["action"] == "update"


def test_mixed_batch_is_207_with_paths_of_the_request(client: Any, org: TestOrg) -> None:
    org.create(client, "Leads", Email="old@x.io")
    data = [
        {"Last_Name": "Fine", "Email": "fine@x.io"},
        {"Email": "nolast@x.io"},
        {"Email": "old@x.io", "No_of_Employees": "many"},
    ]
    response = _upsert(client, org, "Leads", data)
    assert response.status_code == 207, response.text
    ok, missing, bad = response.json()["data"]
    assert ok["action"] == "insert"
    assert_item_error(missing, "MANDATORY_NOT_FOUND", "required field not found", api_name="Last_Name")
    assert missing["details"]["json_path"] == "$.data[1].Last_Name"
    assert_item_error(bad, "INVALID_DATA", "invalid data", api_name="No_of_Employees")
    assert bad["details"]["json_path"] == "$.data[2].No_of_Employees"
    assert sorted(lead["Email"] for lead in _leads(client, org)) == ["fine@x.io", "old@x.io"]


BAD_BODIES = [
    pytest.param(
        {"data": [{"Last_Name": "x"}], "duplicate_check_fields": ["Nope"]},
        400,
        "INVALID_DATA",
        {"api_name": "Nope", "json_path": "$.duplicate_check_fields[0]"},
        id="unknown-field",
    ),
    pytest.param(
        {"data": [{"Last_Name": "x"}], "duplicate_check_fields": ["Company"]},
        400,
        "INVALID_DATA",
        {"api_name": "Company", "json_path": "$.duplicate_check_fields[0]"},
        id="not-unique",
    ),
    pytest.param(
        {"data": [{"Last_Name": "x"}], "duplicate_check_fields": "Email"},
        400,
        "INVALID_DATA",
        {
            "api_name": "duplicate_check_fields",
            "expected_data_type": "jsonarray",
            "json_path": "$.duplicate_check_fields",
        },
        id="not-a-list",
    ),
    pytest.param(
        {"data": [{"Last_Name": "x"}], "duplicate_check_fields": [7]},
        400,
        "INVALID_DATA",
        {"api_name": "duplicate_check_fields", "json_path": "$.duplicate_check_fields[0]"},
        id="not-a-name",
    ),
    pytest.param(
        {"data": [{"Last_Name": "x", "Email": f"{i}@x.io"} for i in range(101)]},
        400,
        "LIMIT_EXCEEDED",
        {"api_name": "data", "limit": 100},
        id="101-items",
    ),
    pytest.param({"data": []}, 400, "INVALID_DATA", {"api_name": "data", "json_path": "$.data"}, id="empty"),
    pytest.param(
        {"data": {"Last_Name": "x"}},
        400,
        "INVALID_DATA",
        {"api_name": "data", "expected_data_type": "jsonarray", "json_path": "$.data"},
        id="data-object",
    ),
    pytest.param(
        {"duplicate_check_fields": ["Email"]},
        400,
        "MANDATORY_NOT_FOUND",
        {"api_name": "data", "json_path": "$.data"},
        id="no-data",
    ),
]


@pytest.mark.parametrize(("body", "status", "code", "details"), BAD_BODIES)
def test_bad_requests_answer_zoho_errors_and_store_nothing(
    client: Any, org: TestOrg, body: dict[str, Any], status: int, code: str, details: dict[str, Any]
) -> None:
    response = client.post("/crm/v2.1/Leads/upsert", json=body, headers=org.headers)
    assert_zoho_error(response, status, code, details=details)
    assert _leads(client, org) == []


def test_wrong_types_fail_per_item_and_store_nothing(client: Any, org: TestOrg) -> None:
    data = [{"Last_Name": "x", "Email": "not-an-email"}, {"Last_Name": 5}, "not an object"]
    response = _upsert(client, org, "Leads", data)
    assert response.status_code == 400
    email, last, obj = response.json()["data"]
    assert_item_error(email, "INVALID_DATA", api_name="Email", expected_data_type="email")
    assert_item_error(last, "INVALID_DATA", api_name="Last_Name", expected_data_type="text")
    assert_item_error(obj, "INVALID_DATA", expected_data_type="jsonobject", json_path="$.data[2]")
    assert _leads(client, org) == []


def test_modules_without_upsert_and_unknown_modules(client: Any, org: TestOrg) -> None:
    for module in ("Notes", "Nope"):
        response = client.post(
            f"/crm/v2.1/{module}/upsert", json={"data": [{"Note_Content": "x"}]}, headers=org.headers
        )
        assert_zoho_error(response, 400, "INVALID_MODULE", details={"resource_path_index": 0})


def test_upsert_is_a_reserved_path_word_not_a_record_id(client: Any, org: TestOrg) -> None:
    """The static ``upsert`` segment wins over ``/{module}/{record_id}``: other methods on it
    answer INVALID_REQUEST_METHOD, never an id error."""
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, "/crm/v2.1/Leads/upsert", headers=org.headers)
        assert_zoho_error(response, 400, "INVALID_REQUEST_METHOD")


def test_scope_and_profile(client: Any, org: TestOrg) -> None:
    read_only = org.headers_for(scope="ZohoCRM.modules.leads.READ")
    response = client.post("/crm/v2.1/Leads/upsert", json={"data": [{"Last_Name": "x"}]}, headers=read_only)
    assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")
    create_only = org.headers_for(scope="ZohoCRM.modules.leads.CREATE")
    response = client.post("/crm/v2.1/Leads/upsert", json={"data": [{"Last_Name": "x"}]}, headers=create_only)
    assert response.status_code == 200


def test_the_key_lookup_uses_the_field_index(services: Any) -> None:
    """The duplicate check probes ix_records_key_leads_email on both engines, never a scan of
    the module (PostgreSQL is asked with sequential scans discouraged: a test table is small)."""
    from sqlalchemy import text

    from crmlink.storage.unique_keys import index_name, lookup_sql

    sql = lookup_sql(services.db.dialect, "Leads", "Email").replace(":values", "('a@x.io', 'b@x.io')")
    with services.db.read() as conn:
        if services.db.is_sqlite:
            plan = "\n".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql), {"org": 1}))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql), {"org": 1}))
    # Either expression index on the field serves it (upsert's own, or search's
    # ix_records_f_email on the same folded expression): never a scan of the module.
    assert index_name("Leads", "Email") in plan or "ix_records_f_email" in plan, plan


def test_answers_conform_to_the_served_description(client: Any, org: TestOrg) -> None:
    import schemathesis

    described = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    operation = described["/crm/{version}/Leads/upsert"]["POST"]
    for data in (
        [{"Last_Name": "A", "Email": "d@x.io"}],
        [{"Last_Name": "A", "Email": "d@x.io"}, {"Email": "e@x.io"}],
    ):
        operation.validate_response(_upsert(client, org, "Leads", data))


def test_text_keys_match_with_ascii_letters_folded(client: Any, org: TestOrg) -> None:
    """Decision (docs/records.md): keys compare case-insensitively (ASCII), as search does."""
    (existing,) = org.create(client, "Leads", Email="Pat.Boyle@Zylker.com")
    data = [
        {"Last_Name": "B", "Email": "pat.boyle@zylker.COM"},
        {"Last_Name": "C", "Email": "PAT.BOYLE@zylker.com"},
    ]
    items = _upsert(client, org, "Leads", data).json()["data"]
    assert [(i["action"], i["details"]["id"]) for i in items] == [("update", existing), ("update", existing)]
    (lead,) = _leads(client, org)
    assert (lead["Email"], lead["Last_Name"]) == ("PAT.BOYLE@zylker.com", "C")
