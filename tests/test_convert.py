"""Converting a lead: what is created or reused, what moves (with change events), the flat
v2.1 answer, one transaction, and the errors."""

from __future__ import annotations

from typing import Any

from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

V = "v2.1"


def _convert(client: Any, org: TestOrg, lead: str, item: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/crm/{V}/Leads/{lead}/actions/convert", json={"data": [item or {}]}, headers=org.headers
    )


def _lead(client: Any, org: TestOrg, **fields: Any) -> str:
    body = {
        "data": [
            {"Last_Name": "Doe", "First_Name": "Jane", "Company": "Acme", "Email": "jane@acme.test", **fields}
        ]
    }
    response = client.post(f"/crm/{V}/Leads", json=body, headers=org.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["data"][0]["details"]["id"])


def _ids(client: Any, org: TestOrg, url: str) -> list[str]:
    response = client.get(url, headers=org.headers)
    return [] if response.status_code == 204 else [r["id"] for r in response.json()["data"]]


def test_convert_with_a_deal_moves_everything_to_the_contact(client: Any, org: TestOrg) -> None:
    lead = _lead(client, org)
    campaigns = org.create(client, "Campaigns", 2)
    products = org.create(client, "Products", 2)
    client.put(
        f"/crm/{V}/Leads/{lead}/Campaigns",
        json={
            "data": [
                {"id": campaigns[0], "Member_Status": "Responded"},
                {"id": campaigns[1], "Member_Status": "Sent"},
            ]
        },
        headers=org.headers,
    )
    client.put(
        f"/crm/{V}/Leads/{lead}/Products", json={"data": [{"id": p} for p in products]}, headers=org.headers
    )
    note = client.post(
        f"/crm/{V}/Leads/{lead}/Notes", json={"data": [{"Note_Content": "CV received"}]}, headers=org.headers
    )
    note_id = note.json()["data"][0]["details"]["id"]
    upload = client.post(
        f"/crm/{V}/Leads/{lead}/Attachments", files={"file": ("cv.pdf", b"%PDF cv")}, headers=org.headers
    )
    attachment = upload.json()["data"][0]["details"]["id"]
    client.post(
        f"/crm/{V}/Leads/{lead}/actions/add_tags", params={"tag_names": "webinar-2026"}, headers=org.headers
    )
    before = len(org.link_events())

    deal = {"Deal_Name": "Acme deal", "Closing_Date": "2026-12-31", "Stage": "Qualification", "Amount": 1000}
    response = _convert(client, org, lead, {"Deals": deal, "carry_over_tags": {"Contacts": ["webinar-2026"]}})
    assert response.status_code == 200, response.text
    (result,) = response.json()["data"]
    assert list(result) == ["Contacts", "Accounts", "Deals"] and all(result.values())
    contact, account, deal_id = result["Contacts"], result["Accounts"], result["Deals"]

    c = client.get(f"/crm/{V}/Contacts/{contact}", headers=org.headers).json()["data"][0]
    assert c["Last_Name"] == "Doe" and c["Email"] == "jane@acme.test" and c["Account_Name"]["id"] == account
    assert [t["name"] for t in c["Tag"]] == ["webinar-2026"]
    a = client.get(f"/crm/{V}/Accounts/{account}", headers=org.headers).json()["data"][0]
    assert a["Account_Name"] == "Acme"
    d = client.get(f"/crm/{V}/Deals/{deal_id}", headers=org.headers).json()["data"][0]
    assert (
        d["Contact_Name"]["id"] == contact
        and d["Account_Name"]["id"] == account
        and d["Stage"] == "Qualification"
    )

    members = client.get(f"/crm/{V}/Contacts/{contact}/Campaigns", headers=org.headers).json()["data"]
    assert {m["id"]: m["Member_Status"] for m in members} == {campaigns[0]: "Responded", campaigns[1]: "Sent"}
    assert sorted(_ids(client, org, f"/crm/{V}/Contacts/{contact}/Products")) == sorted(products)
    assert _ids(client, org, f"/crm/{V}/Contacts/{contact}/Notes") == [note_id]
    assert _ids(client, org, f"/crm/{V}/Contacts/{contact}/Attachments") == [attachment]
    download = client.get(f"/crm/{V}/Contacts/{contact}/Attachments/{attachment}", headers=org.headers)
    assert download.content == b"%PDF cv"
    assert _ids(client, org, f"/crm/{V}/Leads/{lead}/Campaigns") == []
    assert _ids(client, org, f"/crm/{V}/Leads/{lead}/Notes") == []

    moved = [(e.relation, e.action) for e in org.link_events()[before:]]
    for relation in ("campaigns_leads", "products_leads"):
        assert moved.count((relation, "removed")) == 2
    for relation in ("campaigns_contacts", "products_contacts"):
        assert moved.count((relation, "added")) == 2
    for relation in ("Notes.Parent_Id", "Attachments.Parent_Id"):
        assert moved.count((relation, "removed")) == 1 and moved.count((relation, "added")) == 1

    # The converted lead leaves the list unless asked for; converting again is refused.
    assert lead not in _ids(client, org, f"/crm/{V}/Leads")
    assert _ids(client, org, f"/crm/{V}/Leads?converted=true") == [lead]
    assert lead in _ids(client, org, f"/crm/{V}/Leads?converted=both")
    again = _convert(client, org, lead)
    assert_zoho_error(again, 400, "ID_ALREADY_CONVERTED", "id already converted", {"resource_path_index": 1})


def test_without_company_no_account_and_without_deal_null(client: Any, org: TestOrg) -> None:
    lead = _lead(client, org, Company=None, Email="solo@example.test")
    response = _convert(client, org, lead)
    assert response.status_code == 200
    (result,) = response.json()["data"]
    assert result["Accounts"] is None and result["Deals"] is None and result["Contacts"]


def test_existing_account_and_contact_are_reused(client: Any, org: TestOrg) -> None:
    account = client.post(
        f"/crm/{V}/Accounts", json={"data": [{"Account_Name": "acme"}]}, headers=org.headers
    )
    account_id = account.json()["data"][0]["details"]["id"]
    contact = client.post(
        f"/crm/{V}/Contacts",
        json={"data": [{"Last_Name": "Other", "Email": "JANE@acme.test"}]},
        headers=org.headers,
    )
    contact_id = contact.json()["data"][0]["details"]["id"]
    result = _convert(client, org, _lead(client, org)).json()["data"][0]
    assert result == {"Contacts": contact_id, "Accounts": account_id, "Deals": None}
    given = org.create(client, "Accounts")[0]
    result = _convert(
        client, org, _lead(client, org, Email="new@x.test"), {"Accounts": given, "overwrite": True}
    ).json()["data"][0]
    assert result["Accounts"] == given
    assert (
        client.get(f"/crm/{V}/Accounts/{given}", headers=org.headers).json()["data"][0]["Account_Name"]
        == "Acme"
    )


def test_bad_conversions_change_nothing(client: Any, orgs: Any) -> None:
    org, other = orgs.create(), orgs.create()
    missing = _convert(client, org, "111111111111111111")
    assert_zoho_error(missing, 400, "INVALID_DATA", details={"resource_path_index": 1})
    foreign_account = other.create(client, "Accounts")[0]
    lead = _lead(client, org)
    campaign = org.create(client, "Campaigns")[0]
    client.put(f"/crm/{V}/Leads/{lead}/Campaigns", json={"data": [{"id": campaign}]}, headers=org.headers)
    events = len(org.link_events())
    response = _convert(client, org, lead, {"Accounts": foreign_account})
    assert_zoho_error(
        response, 400, "INVALID_DATA", details={"api_name": "Accounts", "json_path": "$.data[0].Accounts"}
    )
    bad_deal = _convert(client, org, lead, {"Deals": {"Deal_Name": "x", "Stage": "Qualification"}})
    assert_zoho_error(
        bad_deal,
        400,
        "MANDATORY_NOT_FOUND",
        details={"api_name": "Closing_Date", "json_path": "$.data[0].Deals.Closing_Date"},
    )
    # Nothing was created, nothing moved, the lead is still a lead.
    assert client.get(f"/crm/{V}/Contacts", headers=org.headers).status_code == 204
    assert client.get(f"/crm/{V}/Accounts", headers=org.headers).status_code == 204
    assert len(org.link_events()) == events
    assert lead in _ids(client, org, f"/crm/{V}/Leads")
    assert_zoho_error(
        client.post(f"/crm/{V}/Contacts/{lead}/actions/convert", json={"data": [{}]}, headers=org.headers),
        404,
        "INVALID_URL_PATTERN",
    )
    assert _convert(client, org, lead).status_code == 200
