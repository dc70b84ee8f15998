"""An org's own schema: custom fields of every type on records, custom modules, per-org
metadata, isolation between orgs, and schema changes on an org with data. Both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crmlink.api.context import Services
from crmlink.domain.org_catalogs import Applied, OrgCatalogs, apply_schema
from crmlink.domain.schema import doc_from_object
from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "schema" / "hand-written.json"


def example_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return doc


def apply(
    services: Services, org: TestOrg, doc: dict[str, Any], catalogs: OrgCatalogs | None = None
) -> Applied:
    with services.db.write() as conn:
        return apply_schema(conn, catalogs or services.catalogs, org.org_id, doc_from_object(doc))


@pytest.fixture
def custom_org(services: Services, org: TestOrg) -> TestOrg:
    applied = apply(services, org, example_doc())
    assert applied.ok and applied.version == 1, applied
    return org


def _insert(client: Any, org: TestOrg, module: str, *items: dict[str, Any]) -> Any:
    return client.post(f"/crm/v2.1/{module}", json={"data": list(items)}, headers=org.headers)


def _get(client: Any, org: TestOrg, module: str, record_id: str) -> dict[str, Any]:
    response = client.get(f"/crm/v2.1/{module}/{record_id}", headers=org.headers)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()["data"][0]
    return record


def _account(client: Any, org: TestOrg) -> str:
    response = _insert(client, org, "Accounts", {"Account_Name": "Zylker"})
    return str(response.json()["data"][0]["details"]["id"])


def valid_values(account_id: str, user_id: int) -> dict[str, Any]:
    """A value for every custom field of the example's Leads, and what reads back."""
    return {
        "Region": "EMEA",
        "Lead_Score_Custom": 42,
        "Partner_Tier": "Gold",
        "Preferred_Account": {"id": account_id},
        "Big_Number": 9007199254740993,
        "Discount_Rate": 12.5,
        "Contract_Value": 1999.99,
        "Weight": 1.125,
        "Is_Partner": True,
        "Renewal_Date": "2027-01-31",
        "Last_Demo": "2026-11-30T10:15:00+05:30",
        "Interests": ["CRM", "Analytics"],
        "Long_Notes": "x" * 5000,
        "Partner_Email": "partner@example.com",
        "Partner_Phone": "+1 555 0100",
        "Partner_Site": "https://partner.example.com",
        "Account_Manager": {"id": str(user_id)},
        "Contract_Files": [{"file_Id": "f1"}, {"file_Id": "f2"}],
        "Badge": [{"File_Id": "img1", "Encrypted_Id": "enc1"}],
        "Partner_Code": "P-001",
    }


def test_every_type_reads_back(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    account = _account(client, org)
    values = valid_values(account, org.admin_id)
    response = _insert(client, org, "Leads", {"Last_Name": "Custom", **values})
    assert response.status_code == 201, response.text
    record = _get(client, org, "Leads", response.json()["data"][0]["details"]["id"])
    for key, value in values.items():
        if key == "Preferred_Account":
            assert record[key] == {"name": "Zylker", "id": account}
        elif key == "Account_Manager":
            assert record[key] == {"name": "Org Admin", "id": str(org.admin_id), "email": org.admin_email}
        else:
            assert record[key] == value, key
    assert record["Employee_Code"] == "EMP-1000"  # autonumber, generated
    assert record["Margin"] is None  # formula: not evaluated (docs/org-schema.md)
    assert "Skills" not in record  # Leads has no such field
    # A numeric string is a bigint too (Zoho's wire form for big numbers).
    second = _insert(client, org, "Leads", {"Last_Name": "Two", "Big_Number": "12345678901234567"})
    again = _get(client, org, "Leads", second.json()["data"][0]["details"]["id"])
    assert again["Big_Number"] == 12345678901234567 and again["Employee_Code"] == "EMP-1001"


INVALID = [
    ("Region", "Mars", "picklist"),
    ("Lead_Score_Custom", "ten", "integer"),
    ("Lead_Score_Custom", 1.5, "integer"),
    ("Partner_Tier", 3, "picklist"),
    ("Preferred_Account", {"id": "1234567890123456789"}, "lookup"),
    ("Preferred_Account", "not-an-id", "lookup"),
    ("Big_Number", "12a", "bigint"),
    ("Discount_Rate", "12%", "percent"),
    ("Contract_Value", "lots", "currency"),
    ("Weight", True, "double"),
    ("Is_Partner", "yes", "boolean"),
    ("Renewal_Date", "2027-02-30", "date"),
    ("Last_Demo", "yesterday", "datetime"),
    ("Interests", ["CRM", "Gardening"], "multiselectpicklist"),
    ("Interests", "CRM", "multiselectpicklist"),
    ("Long_Notes", "x" * 32001, "textarea"),
    ("Partner_Email", "not-an-email", "email"),
    ("Partner_Phone", 5550100, "phone"),
    ("Partner_Site", "not a site", "website"),
    ("Account_Manager", {"id": "1234567890123456789"}, "lookup"),
    (
        "Contract_Files",
        [{"file_Id": "a"}, {"file_Id": "b"}, {"file_Id": "c"}, {"file_Id": "d"}],
        "fileupload",
    ),
    ("Contract_Files", [{"name": "no id"}], "fileupload"),
    ("Badge", "img", "imageupload"),
    ("Partner_Code", "x" * 21, "text"),
]


@pytest.mark.parametrize(
    ("field", "value", "expected"), INVALID, ids=[f"{f}-{e}-{i}" for i, (f, _, e) in enumerate(INVALID)]
)
def test_invalid_values_are_refused(
    client: Any, custom_org: TestOrg, field: str, value: Any, expected: str
) -> None:
    org = custom_org
    response = _insert(client, org, "Leads", {"Last_Name": "Bad", field: value}, {"Last_Name": "Good"})
    assert response.status_code == 207, response.text
    bad, good = response.json()["data"]
    assert_item_error(bad, "INVALID_DATA", api_name=field, expected_data_type=expected)
    assert_success(good, "record added")
    listed = client.get("/crm/v2.1/Leads", headers=org.headers).json()["data"]
    assert [r["Last_Name"] for r in listed] == ["Good"]  # nothing of the bad item was stored


def test_read_only_custom_fields_are_ignored(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    response = _insert(client, org, "Leads", {"Last_Name": "R", "Employee_Code": "MINE", "Margin": 5})
    record = _get(client, org, "Leads", response.json()["data"][0]["details"]["id"])
    assert record["Employee_Code"] == "EMP-1000" and record["Margin"] is None


def test_unique_fields(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    first = _insert(client, org, "Leads", {"Last_Name": "A", "Partner_Code": "U-1"})
    first_id = first.json()["data"][0]["details"]["id"]
    again = _insert(
        client,
        org,
        "Leads",
        {"Last_Name": "B", "Partner_Code": "U-1"},
        {"Last_Name": "C", "Partner_Code": "U-2"},
        {"Last_Name": "D", "Partner_Code": "U-2"},
    )
    dup, ok, dup2 = again.json()["data"]
    assert_item_error(dup, "DUPLICATE_DATA", "duplicate data", api_name="Partner_Code")
    assert dup["details"]["duplicate_record"]["id"] == first_id
    assert_success(ok, "record added")
    assert_item_error(dup2, "DUPLICATE_DATA", api_name="Partner_Code")
    # A record keeps its own value on update.
    same = client.put(
        f"/crm/v2.1/Leads/{first_id}", json={"data": [{"Partner_Code": "U-1"}]}, headers=org.headers
    )
    assert_success(same.json()["data"][0], "record updated")
    # The custom module's unique Plate, too.
    _insert(client, org, "Vehicles", {"Name": "Van", "Plate": "AB-1"})
    taken = _insert(client, org, "Vehicles", {"Name": "Car", "Plate": "AB-1"})
    assert_item_error(taken.json()["data"][0], "DUPLICATE_DATA", api_name="Plate")


def test_custom_module_records_and_lookup_list(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    contact = _insert(client, org, "Contacts", {"Last_Name": "Driver"}).json()["data"][0]["details"]["id"]
    missing = _insert(client, org, "Vehicles", {"Plate": "X"})
    assert_item_error(missing.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="Name")
    made = _insert(
        client,
        org,
        "Vehicles",
        {"Name": "Truck", "Model_Year": 2024, "Fuel": "Diesel", "Driver": {"id": contact}},
    )
    assert made.status_code == 201, made.text
    vehicle = _get(client, org, "Vehicles", made.json()["data"][0]["details"]["id"])
    assert vehicle["Driver"] == {"name": "Driver", "id": contact}
    assert vehicle["Owner"]["id"] == str(org.admin_id)
    listed = client.get(f"/crm/v2.1/Contacts/{contact}/Driven_Vehicles", headers=org.headers)
    assert listed.status_code == 200 and [r["Name"] for r in listed.json()["data"]] == ["Truck"]


def test_metadata_answers_from_the_org_catalog(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    fields = client.get("/crm/v2.1/settings/fields?module=Leads", headers=org.headers).json()["fields"]
    by_name = {f["api_name"]: f for f in fields}
    assert by_name["Last_Name"]["custom_field"] is False
    region = by_name["Region"]
    assert region["custom_field"] is True and region["id"] == "3652397000003217001"
    assert [v["display_value"] for v in region["pick_list_values"]] == ["-None-", "EMEA", "APAC", "AMER"]
    assert (
        by_name["Partner_Code"]["unique"] == {"casesensitive": "false"}
        and by_name["Partner_Code"]["length"] == 20
    )
    assert by_name["Weight"]["decimal_place"] == 3
    assert by_name["Employee_Code"]["auto_number"] == {"prefix": "EMP-", "start_number": 1000, "suffix": ""}
    assert by_name["Employee_Code"]["read_only"] is True
    assert (
        by_name["Margin"]["formula"]["return_type"] == "double" and by_name["Margin"]["json_type"] == "double"
    )
    assert by_name["Preferred_Account"]["lookup"]["module"] == "Accounts"
    assert by_name["Preferred_Account"]["lookup"]["api_name"] == "Preferred_Account_Leads"
    assert {f["data_type"] for f in fields if f["custom_field"]} >= {
        "text", "textarea", "email", "phone", "website", "autonumber", "integer", "bigint", "double",
        "percent", "currency", "boolean", "date", "datetime", "picklist", "multiselectpicklist",
        "lookup", "userlookup", "formula", "fileupload", "imageupload",
    }  # fmt: skip
    msl = {
        f["api_name"]: f
        for f in client.get("/crm/v2.1/settings/fields?module=Contacts", headers=org.headers).json()["fields"]
    }["Skills"]
    assert msl["data_type"] == "multiselectlookup" and msl["json_type"] == "jsonarray"
    assert msl["multiselectlookup"] == {
        "display_label": "Skills",
        "api_name": "Skills",
        "linking_module": "ContactsXSkills",
        "lookup_apiname": "Contacts",
        "connected_module": "Skills",
        "connectedlookup_apiname": "Skills",
        "id": "5725767000003466150",
    }
    modules = {
        m["api_name"]: m
        for m in client.get("/crm/v2.1/settings/modules", headers=org.headers).json()["modules"]
    }
    assert (
        modules["Vehicles"]["generated_type"] == "custom"
        and modules["Vehicles"]["module_name"] == "CustomModule3"
    )
    assert modules["ContactsXSkills"]["generated_type"] == "linking"
    lists = client.get("/crm/v2.1/settings/related_lists?module=Contacts", headers=org.headers).json()[
        "related_lists"
    ]
    skills = next(rl for rl in lists if rl["api_name"] == "Skills")
    assert skills["type"] == "multiselectlookup" and skills["module"] == "Skills"
    assert skills["connectedmodule"] == "Skills" and skills["linkingmodule"] == "ContactsXSkills"
    assert skills["href"] == "Contacts/{ENTITYID}/Skills"
    accounts = client.get("/crm/v2.1/settings/related_lists?module=Accounts", headers=org.headers).json()[
        "related_lists"
    ]
    assert any(rl["api_name"] == "Preferred_Account_Leads" and rl["module"] == "Leads" for rl in accounts)


def test_two_orgs_never_see_each_other(client: Any, services: Services, orgs: Any) -> None:
    plain, custom = orgs.create(), orgs.create()
    assert apply(services, custom, example_doc()).ok
    made = _insert(client, plain, "Leads", {"Last_Name": "Plain", "Region": "EMEA", "Partner_Tier": "Nope"})
    assert made.status_code == 201  # unknown fields are dropped, as Zoho drops them
    record = _get(client, plain, "Leads", made.json()["data"][0]["details"]["id"])
    assert "Region" not in record and "Partner_Tier" not in record
    fields = client.get("/crm/v2.1/settings/fields?module=Leads", headers=plain.headers).json()["fields"]
    assert not any(f["custom_field"] for f in fields)
    assert_zoho_error(client.get("/crm/v2.1/Vehicles", headers=plain.headers), 400, "INVALID_MODULE")
    modules = client.get("/crm/v2.1/settings/modules", headers=plain.headers).json()["modules"]
    assert "Vehicles" not in {m["api_name"] for m in modules}
    # ... while the custom org keeps its fields, and a record id of the other org is not its.
    kept = _insert(client, custom, "Leads", {"Last_Name": "Custom", "Region": "APAC"})
    assert _get(client, custom, "Leads", kept.json()["data"][0]["details"]["id"])["Region"] == "APAC"
    assert (
        client.get(
            f"/crm/v2.1/Leads/{made.json()['data'][0]['details']['id']}", headers=custom.headers
        ).status_code
        == 204
    )


def test_another_process_change_is_seen(client: Any, services: Services, org: TestOrg) -> None:
    """A change made through another process's catalogs reaches this one by the version."""
    other = OrgCatalogs(services.catalog)
    fields_url = "/crm/v2.1/settings/fields?module=Deals"
    assert apply(
        services, org, {"fields": {"Deals": [{"api_name": "Lost_Reason", "data_type": "text"}]}}, other
    ).ok
    names = [f["api_name"] for f in client.get(fields_url, headers=org.headers).json()["fields"]]
    assert "Lost_Reason" in names
    assert apply(
        services, org, {"fields": {"Deals": [{"api_name": "Won_Reason", "data_type": "text"}]}}, other
    ).ok
    names = [f["api_name"] for f in client.get(fields_url, headers=org.headers).json()["fields"]]
    assert "Won_Reason" in names and "Lost_Reason" not in names


def test_schema_changes_on_an_org_with_data(client: Any, services: Services, org: TestOrg) -> None:
    def leads_fields(*specs: dict[str, Any]) -> dict[str, Any]:
        return {"fields": {"Leads": list(specs)}}

    tier = {
        "api_name": "Tier",
        "data_type": "picklist",
        "field_label": "Tier",
        "pick_list_values": ["Gold", "Silver"],
    }
    score = {"api_name": "Score", "data_type": "text", "field_label": "Score", "length": 50}
    assert apply(services, org, leads_fields(tier, score)).ok
    made = _insert(client, org, "Leads", {"Last_Name": "Data", "Tier": "Silver", "Score": "high"})
    lead = made.json()["data"][0]["details"]["id"]

    # Add a field, rename a label, drop a pick-list value that a record holds.
    changed = apply(
        services,
        org,
        leads_fields(
            {**tier, "field_label": "Partner Tier", "pick_list_values": ["Gold", "Platinum"]},
            score,
            {"api_name": "Added", "data_type": "integer"},
        ),
    )
    assert changed.ok, changed
    assert "added field Leads.Added (integer)" in changed.changes
    assert "renamed Leads.Tier: label 'Tier' -> 'Partner Tier'" in changed.changes
    assert any("removed ['Silver']" in c for c in changed.changes)
    record = _get(client, org, "Leads", lead)
    assert record["Tier"] == "Silver" and record["Added"] is None  # Zoho keeps the removed value
    bad = client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Tier": "Silver"}]}, headers=org.headers)
    assert_item_error(bad.json()["data"][0], "INVALID_DATA", api_name="Tier")  # but takes no new one

    # Narrowing a type with values present is refused, and nothing changes.
    refused = apply(services, org, leads_fields(tier, {**score, "data_type": "integer"}))
    assert not refused.ok and "would lose 1 stored value(s)" in refused.refused[0]
    shorter = apply(services, org, leads_fields(tier, {**score, "length": 3}))
    assert not shorter.ok
    assert _get(client, org, "Leads", lead)["Score"] == "high"
    # Widening is fine.
    assert apply(services, org, leads_fields(tier, {**score, "data_type": "textarea", "length": 2000})).ok

    # Deleting a field hides its values; they are never lost, and come back with the field.
    removed = apply(services, org, leads_fields(tier))
    assert removed.ok and "removed field Leads.Score (stored values kept, hidden)" in removed.changes
    assert "Score" not in _get(client, org, "Leads", lead)
    client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Last_Name": "Edited"}]}, headers=org.headers)
    assert apply(services, org, leads_fields(tier, score)).ok
    assert _get(client, org, "Leads", lead)["Score"] == "high"


def test_invalid_schemas_are_refused(services: Services, org: TestOrg) -> None:
    from crmlink.domain.schema import SchemaError

    bad_docs: list[dict[str, Any]] = [
        {"fields": {"Nope": [{"api_name": "X", "data_type": "text"}]}},
        {"fields": {"Leads": [{"api_name": "X", "data_type": "lookup", "lookup": {"module": "Nope"}}]}},
        {"fields": {"Leads": [{"api_name": "X", "data_type": "picklist"}]}},
        {"fields": {"Leads": [{"api_name": "X", "data_type": "subform"}]}},
        {"fields": {"Leads": [{"api_name": "Bad__Name", "data_type": "text"}]}},
        {"fields": {"Leads": [{"api_name": "Last_Name", "data_type": "integer", "custom_field": False}]}},
        {"modules": [{"api_name": "Leads"}]},
    ]
    for doc in bad_docs:
        with pytest.raises(SchemaError):
            apply(services, org, doc)


def test_multi_select_lookup_through_related_records(
    client: Any, services: Services, custom_org: TestOrg
) -> None:
    """Contacts.Skills (MxN to the custom module Skills): links related, listed both ways and
    delinked through the related-records routes, each change an event, like built-in ones."""
    from sqlalchemy import select

    from crmlink.storage import tables

    org = custom_org
    contact = _insert(client, org, "Contacts", {"Last_Name": "Ana"}).json()["data"][0]["details"]["id"]
    made = _insert(client, org, "Skills", {"Name": "Python", "Skill_Level": "Expert"}, {"Name": "SQL"})
    python, sql = (item["details"]["id"] for item in made.json()["data"])
    url = f"/crm/v2.1/Contacts/{contact}/Skills"
    assert client.get(url, headers=org.headers).status_code == 204
    related = client.put(url, json={"data": [{"id": python}, {"id": sql}]}, headers=org.headers)
    assert related.status_code == 200, related.text
    for item in related.json()["data"]:
        assert_success(item, "relation added")
    listed = client.get(url, headers=org.headers).json()
    assert [r["Name"] for r in listed["data"]] == ["Python", "SQL"] and listed["info"]["count"] == 2
    one = client.get(f"{url}/{sql}", headers=org.headers).json()["data"]
    assert [r["id"] for r in one] == [sql]
    back = client.get(f"/crm/v2.1/Skills/{python}/ContactsXSkills", headers=org.headers).json()["data"]
    assert [r["id"] for r in back] == [contact]
    # A record of the wrong module is refused per item; nothing is linked.
    wrong = client.put(url, json={"data": [{"id": contact}]}, headers=org.headers)
    assert wrong.json()["data"][0]["status"] == "error"
    removed = client.delete(f"{url}?ids={python}", headers=org.headers)
    assert_success(removed.json()["data"][0], "relation removed")
    assert [r["Name"] for r in client.get(url, headers=org.headers).json()["data"]] == ["SQL"]
    # Deleting the Skill removes its link, with an event.
    client.delete(f"/crm/v2.1/Skills/{sql}", headers=org.headers)
    assert client.get(url, headers=org.headers).status_code == 204
    ev = tables.link_events
    with services.db.read() as conn:
        events = conn.execute(
            select(ev.c.relation, ev.c.action).where(ev.c.org_id == org.org_id).order_by(ev.c.seq)
        ).all()
    assert [tuple(e) for e in events] == [
        ("msl:ContactsXSkills", "added"),
        ("msl:ContactsXSkills", "added"),
        ("msl:ContactsXSkills", "removed"),
        ("msl:ContactsXSkills", "removed_by_delete"),
    ]


def _events(services: Services, org: TestOrg) -> list[tuple[str, int, int, str | None, str | None]]:
    from sqlalchemy import select

    from crmlink.storage import tables

    ev = tables.link_events
    with services.db.read() as conn:
        rows = conn.execute(
            select(ev.c.action, ev.c.left_id, ev.c.right_id, ev.c.old_data, ev.c.new_data)
            .where(ev.c.org_id == org.org_id, ev.c.relation == "msl:ContactsXSkills")
            .order_by(ev.c.seq)
        ).all()
    return [tuple(r) for r in rows]


def _skills(client: Any, org: TestOrg, *names: str) -> list[str]:
    made = _insert(client, org, "Skills", *({"Name": n} for n in names))
    return [item["details"]["id"] for item in made.json()["data"]]


def test_multi_select_lookup_in_the_record_body(client: Any, services: Services, custom_org: TestOrg) -> None:
    """Contacts.Skills in the Contact's body: linking rows on read; elements with the Skill's
    lookup add links, ``{"id", "_delete": null}`` removes one, on insert and update; the same
    links as the related lists', with their events; bad elements refused, nothing stored."""
    org = custom_org
    python, sql, go = _skills(client, org, "Python", "SQL", "Go")
    made = _insert(
        client, org, "Contacts", {"Last_Name": "Ana", "Skills": [{"Skills": {"id": python}}, {"Skills": sql}]}
    )
    assert made.status_code == 201, made.text
    contact = made.json()["data"][0]["details"]["id"]
    body = _get(client, org, "Contacts", contact)["Skills"]
    assert [(r["Skills"], list(r)) for r in body] == [
        ({"name": "Python", "id": python}, ["Skills", "id"]),
        ({"name": "SQL", "id": sql}, ["Skills", "id"]),
    ]
    by_skill = {r["Skills"]["id"]: r["id"] for r in body}
    assert all(v and v.isdigit() and len(v) == 19 for v in by_skill.values())
    listed = client.get(f"/crm/v2.1/Contacts/{contact}/Skills", headers=org.headers).json()["data"]
    assert [r["id"] for r in listed] == [python, sql]
    # Update: add Go, remove Python by its linking id, keep SQL.
    updated = client.put(
        f"/crm/v2.1/Contacts/{contact}",
        json={
            "data": [
                {
                    "Skills": [
                        {"Skills": {"id": go}},
                        {"id": by_skill[python], "_delete": None},
                        {"id": by_skill[sql]},
                    ]
                }
            ]
        },
        headers=org.headers,
    )
    assert_success(updated.json()["data"][0], "record updated")
    body = _get(client, org, "Contacts", contact)["Skills"]
    assert [r["Skills"]["id"] for r in body] == [sql, go]
    back = client.get(f"/crm/v2.1/Skills/{go}/ContactsXSkills", headers=org.headers).json()["data"]
    assert [r["id"] for r in back] == [contact]
    # A link made through the related list shows in the body, with its own linking id.
    client.put(f"/crm/v2.1/Contacts/{contact}/Skills", json={"data": [{"id": python}]}, headers=org.headers)
    body = _get(client, org, "Contacts", contact)["Skills"]
    assert [r["Skills"]["id"] for r in body] == [sql, go, python]
    assert body[2]["id"] not in (None, by_skill[python])
    # fields= keeps it out unless named; list reads carry it.
    only = client.get(f"/crm/v2.1/Contacts?fields=Last_Name&ids={contact}", headers=org.headers).json()[
        "data"
    ]
    assert "Skills" not in only[0]
    page = client.get(f"/crm/v2.1/Contacts?fields=Skills&ids={contact}", headers=org.headers).json()["data"]
    assert len(page[0]["Skills"]) == 3
    found = client.get("/crm/v2.1/Contacts/search?criteria=(Last_Name:equals:Ana)", headers=org.headers)
    assert [r["Skills"]["id"] for r in found.json()["data"][0]["Skills"]] == [sql, go, python]
    plain = _insert(client, org, "Contacts", {"Last_Name": "Bo"}).json()["data"][0]["details"]["id"]
    assert _get(client, org, "Contacts", plain)["Skills"] == []
    events = _events(services, org)
    assert [e[0] for e in events] == ["added", "added", "removed", "added", "added"]
    assert json.loads(events[0][4]) == {"id": by_skill[python]}
    # Bad values: per-item INVALID_DATA naming the field; nothing stored.
    before = len(_events(services, org))
    for value, path in [
        ("x", "$.data[0].Skills"),
        ([{"Skills": {"id": contact}}], "$.data[0].Skills.Skills"),  # not a Skill
        ([{"Skills": {"id": "12"}}], "$.data[0].Skills.Skills"),  # no such record
        ([{"Skills": "abc"}], "$.data[0].Skills[0].Skills"),
        ([{"id": "123", "_delete": None}], "$.data[0].Skills.id"),  # not this record's link
        ([{"id": by_skill[sql], "_delete": None}], "$.data[0].Skills.id"),  # on insert: no links yet
        ([{"name": "x"}], "$.data[0].Skills[0]"),
    ]:
        bad = _insert(client, org, "Contacts", {"Last_Name": "Bad", "Skills": value})
        assert_item_error(bad.json()["data"][0], "INVALID_DATA", api_name="Skills", json_path=path)
    other = _insert(client, org, "Contacts", {"Last_Name": "Cy"}).json()["data"][0]["details"]["id"]
    stolen = client.put(
        f"/crm/v2.1/Contacts/{other}",
        json={"data": [{"Skills": [{"id": by_skill[sql], "_delete": None}]}]},
        headers=org.headers,
    )
    assert_item_error(stolen.json()["data"][0], "INVALID_DATA", api_name="Skills")
    assert len(_events(services, org)) == before
    assert [r["Skills"]["id"] for r in _get(client, org, "Contacts", contact)["Skills"]] == [sql, go, python]


def test_linking_module_records(client: Any, services: Services, custom_org: TestOrg) -> None:
    """``/ContactsXSkills``: the links as records; POST, PUT and DELETE write them through the
    relation (both related lists, the body and events agree)."""
    org = custom_org
    python, sql = _skills(client, org, "Python", "SQL")
    contact = _insert(client, org, "Contacts", {"Last_Name": "Ana"}).json()["data"][0]["details"]["id"]
    assert client.get("/crm/v2.1/ContactsXSkills", headers=org.headers).status_code == 204
    made = client.post(
        "/crm/v2.1/ContactsXSkills",
        json={
            "data": [
                {"Contacts": {"id": contact}, "Skills": {"id": python}},
                {"Contacts": contact, "Skills": {"id": python}},  # the same pair again
                {"Contacts": {"id": contact}},
                {"Contacts": {"id": python}, "Skills": {"id": sql}},
            ]
        },
        headers=org.headers,
    )
    assert made.status_code == 207, made.text
    first, again, missing, wrong = made.json()["data"]
    assert_success(first, "record added")
    link_id = first["details"]["id"]
    assert_item_error(again, "DUPLICATE_DATA", api_name="Skills")
    assert again["details"]["duplicate_record"]["id"] == link_id
    assert_item_error(missing, "MANDATORY_NOT_FOUND", api_name="Skills", json_path="$.data[2].Skills")
    assert_item_error(wrong, "INVALID_DATA", api_name="Contacts")
    record = client.get(f"/crm/v2.1/ContactsXSkills/{link_id}", headers=org.headers).json()["data"][0]
    assert record["id"] == link_id
    assert record["Contacts"] == {"name": "Ana", "id": contact} and record["Skills"] == {
        "name": "Python",
        "id": python,
    }
    assert record["Created_By"]["id"] == str(org.admin_id) and record["Created_Time"]
    listed = client.get("/crm/v2.1/ContactsXSkills", headers=org.headers).json()
    assert [r["id"] for r in listed["data"]] == [link_id] and listed["info"]["count"] == 1
    assert [
        r["id"]
        for r in client.get(f"/crm/v2.1/Contacts/{contact}/Skills", headers=org.headers).json()["data"]
    ] == [python]
    assert [
        r["id"]
        for r in client.get(f"/crm/v2.1/Skills/{python}/ContactsXSkills", headers=org.headers).json()["data"]
    ] == [contact]
    assert [r["id"] for r in _get(client, org, "Contacts", contact)["Skills"]] == [link_id]
    # A link made through the related list is a linking record too.
    client.put(f"/crm/v2.1/Contacts/{contact}/Skills", json={"data": [{"id": sql}]}, headers=org.headers)
    listed = client.get("/crm/v2.1/ContactsXSkills?per_page=1&page=2", headers=org.headers).json()
    assert listed["data"][0]["Skills"]["id"] == sql and listed["info"]["more_records"] is False
    sql_link = listed["data"][0]["id"]
    # PUT re-points a link (same id); to a pair already linked: DUPLICATE_DATA.
    dup = client.put(
        f"/crm/v2.1/ContactsXSkills/{link_id}", json={"data": [{"Skills": {"id": sql}}]}, headers=org.headers
    )
    assert_item_error(dup.json()["data"][0], "DUPLICATE_DATA", api_name="Skills")
    other = _insert(client, org, "Contacts", {"Last_Name": "Bo"}).json()["data"][0]["details"]["id"]
    moved = client.put(
        "/crm/v2.1/ContactsXSkills",
        json={"data": [{"id": link_id, "Contacts": {"id": other}}, {"id": "1234"}]},
        headers=org.headers,
    )
    ok, unknown = moved.json()["data"]
    assert_success(ok, "record updated")
    assert_item_error(unknown, "INVALID_DATA", "the id given seems to be invalid")
    no_id = client.put("/crm/v2.1/ContactsXSkills", json={"data": [{"Skills": sql}]}, headers=org.headers)
    assert_item_error(no_id.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="id", json_path="$.data[0].id")
    assert [r["Skills"]["id"] for r in _get(client, org, "Contacts", other)["Skills"]] == [python]
    assert _get(client, org, "Contacts", other)["Skills"][0]["id"] == link_id
    assert [r["Skills"]["id"] for r in _get(client, org, "Contacts", contact)["Skills"]] == [sql]
    # DELETE by id(s).
    gone = client.delete(f"/crm/v2.1/ContactsXSkills?ids={link_id},{link_id},99", headers=org.headers).json()[
        "data"
    ]
    assert_success(gone[0], "record deleted")
    assert_item_error(gone[1], "INVALID_DATA")
    assert_item_error(gone[2], "INVALID_DATA")
    one = client.delete(f"/crm/v2.1/ContactsXSkills/{sql_link}", headers=org.headers).json()["data"][0]
    assert_success(one, "record deleted")
    assert client.get(f"/crm/v2.1/ContactsXSkills/{sql_link}", headers=org.headers).status_code == 204
    assert client.get(f"/crm/v2.1/Contacts/{contact}/Skills", headers=org.headers).status_code == 204
    assert [e[0] for e in _events(services, org)] == [
        "added",
        "added",
        "removed",
        "added",
        "removed",
        "removed",
    ]
    # Other record routes do not serve a linking module; metadata calls it API-supported.
    assert_zoho_error(
        client.get("/crm/v2.1/ContactsXSkills/search?word=x", headers=org.headers),
        400,
        "INVALID_MODULE",
        "The given module is not supported in API",
    )
    modules = client.get("/crm/v2.1/settings/modules", headers=org.headers).json()["modules"]
    linking = next(m for m in modules if m["api_name"] == "ContactsXSkills")
    assert linking["api_supported"] is True and linking["creatable"] is True
    fields = client.get("/crm/v2.1/settings/fields?module=ContactsXSkills", headers=org.headers).json()[
        "fields"
    ]
    assert [(f["api_name"], f["lookup"]["module"]) for f in fields] == [
        ("Contacts", "Contacts"),
        ("Skills", "Skills"),
    ]


def test_file_upload_keys_from_the_sdk(client: Any, custom_org: TestOrg) -> None:
    """The v2.1 SDK sends a file item's keys lower-cased (``file_id``) and reads ``file_Id``."""
    org = custom_org
    made = _insert(
        client, org, "Leads", {"Last_Name": "F", "Contract_Files": [{"file_id": "abc", "junk": 1}]}
    )
    record = _get(client, org, "Leads", made.json()["data"][0]["details"]["id"])
    assert record["Contract_Files"] == [{"file_Id": "abc"}]


def test_notes_and_sorting_on_custom_data(client: Any, custom_org: TestOrg) -> None:
    org = custom_org
    made = _insert(
        client, org, "Vehicles", {"Name": "B", "Model_Year": 2020}, {"Name": "A", "Model_Year": 2024}
    )
    first, second = (i["details"]["id"] for i in made.json()["data"])
    note = _insert(
        client,
        org,
        "Notes",
        {"Note_Content": "serviced", "Parent_Id": {"id": first}, "$se_module": "Vehicles"},
    )
    assert note.status_code == 201, note.text
    notes = client.get(f"/crm/v2.1/Vehicles/{first}/Notes", headers=org.headers).json()["data"]
    assert [n["Note_Content"] for n in notes] == ["serviced"] and notes[0]["$se_module"] == "Vehicles"
    listed = client.get("/crm/v2.1/Vehicles?sort_by=Model_Year&sort_order=desc", headers=org.headers).json()[
        "data"
    ]
    assert [r["id"] for r in listed] == [second, first]


def test_search_coql_and_count_on_a_custom_module(client: Any, custom_org: TestOrg) -> None:
    """The routes beyond plain records resolve the org's modules and fields too."""
    org = custom_org
    _insert(client, org, "Vehicles", {"Name": "Van", "Fuel": "Diesel"}, {"Name": "Car", "Fuel": "Petrol"})
    found = client.get(
        "/crm/v2.1/Vehicles/search", params={"criteria": "(Fuel:equals:Diesel)"}, headers=org.headers
    )
    assert found.status_code == 200, found.text
    assert [r["Name"] for r in found.json()["data"]] == ["Van"]
    coql = client.post(
        "/crm/v2.1/coql",
        json={"select_query": "select Name, Fuel from Vehicles where Fuel = 'Petrol'"},
        headers=org.headers,
    )
    assert coql.status_code == 200, coql.text
    assert [r["Name"] for r in coql.json()["data"]] == ["Car"]
    count = client.get("/crm/v2.1/Vehicles/actions/count", headers=org.headers)
    assert count.status_code == 200 and count.json()["count"] == 2


def test_layouts_and_x_external_use_the_org_catalog(
    client: Any, custom_org: TestOrg, services: Services
) -> None:
    """``settings/layouts`` lists the org's custom fields, field-by-id finds a custom field by
    its kept id, and ``X-EXTERNAL`` names a custom external-id field (all from the org's
    catalog, not the standard one)."""
    org = custom_org
    doc = example_doc()
    doc["fields"]["Contacts"].append(
        {
            "api_name": "Crm_Ref",
            "data_type": "text",
            "length": 40,
            "external": "org",
            "id": "3652397000009990001",
        }
    )
    assert apply(services, org, doc).ok
    layout = client.get("/crm/v2.1/settings/layouts?module=Leads", headers=org.headers).json()["layouts"][0]
    names = {f["api_name"] for s in layout["sections"] for f in s["fields"]}
    assert {"Region", "Partner_Tier", "Employee_Code", "Last_Name"} <= names
    single = client.get(f"/crm/v2.1/settings/layouts/{layout['id']}?module=Leads", headers=org.headers)
    assert single.status_code == 200 and single.json()["layouts"][0]["sections"] == layout["sections"]
    by_id = client.get("/crm/v2.1/settings/fields/3652397000009990001?module=Contacts", headers=org.headers)
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["fields"][0]["external"] == {
        "show": True,
        "type": "org",
        "allow_multiple_config": False,
    }

    ext = {**org.headers, "X-EXTERNAL": "Contacts.Crm_Ref"}
    made = _insert(client, org, "Contacts", {"Last_Name": "Ext", "Crm_Ref": "ref-1"})
    assert made.status_code == 201, made.text
    contact = made.json()["data"][0]["details"]["id"]
    got = client.get("/crm/v2.1/Contacts/ref-1", headers=ext)
    assert got.status_code == 200 and got.json()["data"][0]["id"] == contact
    updated = client.put("/crm/v2.1/Contacts/ref-1", json={"data": [{"First_Name": "Ext"}]}, headers=ext)
    assert_success(updated.json()["data"][0], "record updated")
    assert _get(client, org, "Contacts", contact)["First_Name"] == "Ext"
    assert client.get("/crm/v2.1/Contacts/ref-2", headers=ext).status_code == 204
    bad = client.get("/crm/v2.1/Contacts/ref-1", headers={**org.headers, "X-EXTERNAL": "Contacts.Last_Name"})
    assert_zoho_error(bad, 400, "INVALID_DATA")
    other = client.get("/crm/v2.1/settings/fields?module=Contacts", headers=org.headers).json()["fields"]
    assert next(f for f in other if f["api_name"] == "Crm_Ref")["custom_field"] is True


def test_attachments_notes_tags_and_convert_on_the_org_catalog(client: Any, custom_org: TestOrg) -> None:
    """The routes around records resolve modules in the org's catalog: a custom module's
    records take attachments, notes and tags; a Lead with custom fields converts."""
    org = custom_org
    made = _insert(client, org, "Vehicles", {"Name": "Van", "Plate": "V-1"})
    vehicle = made.json()["data"][0]["details"]["id"]
    base = f"/crm/v2.1/Vehicles/{vehicle}"
    uploaded = client.post(f"{base}/Attachments", files={"file": ("log.txt", b"km 100")}, headers=org.headers)
    assert uploaded.status_code == 200, uploaded.text
    listed = client.get(f"{base}/Attachments", headers=org.headers).json()["data"]
    assert [a["File_Name"] for a in listed] == ["log.txt"]
    attachment = listed[0]["id"]
    assert client.get(f"{base}/Attachments/{attachment}", headers=org.headers).content == b"km 100"
    noted = client.post(f"{base}/Notes", json={"data": [{"Note_Content": "serviced"}]}, headers=org.headers)
    assert noted.status_code == 201, noted.text
    notes = client.get(f"{base}/Notes", headers=org.headers).json()["data"]
    assert [n["Note_Content"] for n in notes] == ["serviced"]
    tagged = client.post(f"{base}/actions/add_tags?tag_names=fleet", headers=org.headers)
    assert tagged.status_code == 200, tagged.text
    assert [t["name"] for t in _get(client, org, "Vehicles", vehicle)["Tag"]] == ["fleet"]
    tags = client.get("/crm/v2.1/settings/tags?module=Vehicles", headers=org.headers).json()["tags"]
    assert [t["name"] for t in tags] == ["fleet"]
    lead = _insert(client, org, "Leads", {"Last_Name": "Conv", "Company": "Zylker", "Region": "EMEA"})
    lead_id = lead.json()["data"][0]["details"]["id"]
    converted = client.post(
        f"/crm/v2.1/Leads/{lead_id}/actions/convert", json={"data": [{}]}, headers=org.headers
    )
    assert converted.status_code == 200, converted.text
    assert converted.json()["data"][0]["Contacts"]
