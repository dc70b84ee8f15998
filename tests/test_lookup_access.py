"""Issue 18, finding 2: lookups follow the target module's profile permission and token scope.

Writing a lookup needs view permission on the target's module and a token that may read it; a
target the caller may not read is answered like one that does not exist, so a write cannot
probe for ids. Reading renders a lookup's name only when the reader may read the target's
module (``{"name": null, "id"}`` otherwise). Both engines.
"""

from __future__ import annotations

from typing import Any

import pytest

from crmlink.domain.auth import ALL_PERMISSIONS
from tests.factories import FULL_SCOPE, TestOrg

V = "v2.1"
NOTES_ONLY = "ZohoCRM.modules.notes.ALL"


def _no_leads_user(org: TestOrg) -> dict[str, str]:
    org.add_profile("No Leads", {"*": list(ALL_PERMISSIONS), "Leads": []})
    return org.headers_for(org.add_user("No Leads"))


def _callers(org: TestOrg) -> dict[str, dict[str, str]]:
    return {
        "profile-without-leads": _no_leads_user(org),
        "token-notes-only": org.headers_for(scope=NOTES_ONLY),
    }


def _note(lead: str, **extra: Any) -> dict[str, Any]:
    return {"Note_Content": "probe", "Parent_Id": {"id": lead}, "$se_module": "Leads", **extra}


def _notes(client: Any, org: TestOrg) -> list[Any]:
    answer = client.get(f"/crm/{V}/Notes", headers=org.headers)
    return answer.json()["data"] if answer.status_code == 200 else []


@pytest.mark.parametrize("caller", ["profile-without-leads", "token-notes-only"])
def test_a_lookup_to_an_unreadable_module_is_refused_like_a_missing_record(
    client: Any, org: TestOrg, caller: str
) -> None:
    (lead,) = org.create(client, "Leads")
    headers = _callers(org)[caller]
    real = client.post(f"/crm/{V}/Notes", json={"data": [_note(lead)]}, headers=headers)
    missing = client.post(f"/crm/{V}/Notes", json={"data": [_note("1234567890123")]}, headers=headers)
    assert real.status_code == missing.status_code == 400, real.text
    # Same answer as for an id that names nothing: the write learns nothing about which leads exist.
    assert real.json() == missing.json()
    assert real.json()["data"][0]["code"] == "INVALID_DATA"
    assert real.json()["data"][0]["details"]["api_name"] == "Parent_Id"
    assert _notes(client, org) == []  # nothing stored


def test_an_update_cannot_point_a_lookup_at_an_unreadable_module(client: Any, org: TestOrg) -> None:
    (lead,) = org.create(client, "Leads")
    (account,) = org.create(client, "Accounts")
    headers = _no_leads_user(org)
    made = client.post(
        f"/crm/{V}/Notes",
        json={"data": [{"Note_Content": "ok", "Parent_Id": {"id": account}, "$se_module": "Accounts"}]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    note = made.json()["data"][0]["details"]["id"]
    moved = client.put(f"/crm/{V}/Notes/{note}", json={"data": [_note(lead)]}, headers=headers)
    assert moved.status_code == 400 and moved.json()["data"][0]["code"] == "INVALID_DATA"
    stored = client.get(f"/crm/{V}/Notes/{note}", headers=org.headers).json()["data"][0]
    assert stored["Parent_Id"]["id"] == account


def test_plain_lookups_follow_the_target_module_too(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts")
    org.add_profile("No Accounts", {"*": list(ALL_PERMISSIONS), "Accounts": []})
    headers = org.headers_for(org.add_user("No Accounts"))
    refused = client.post(
        f"/crm/{V}/Contacts",
        json={"data": [{"Last_Name": "C", "Account_Name": {"id": account}}]},
        headers=headers,
    )
    assert refused.status_code == 400 and refused.json()["data"][0]["details"]["api_name"] == "Account_Name"
    allowed = client.post(
        f"/crm/{V}/Contacts",
        json={"data": [{"Last_Name": "C", "Account_Name": {"id": account}}]},
        headers=org.headers,
    )
    assert allowed.status_code == 201


@pytest.mark.parametrize("caller", ["profile-without-leads", "token-notes-only"])
def test_a_lookups_name_follows_the_readers_access(client: Any, org: TestOrg, caller: str) -> None:
    (lead,) = org.create(client, "Leads", Last_Name="Secret Lead")
    made = client.post(f"/crm/{V}/Notes", json={"data": [_note(lead)]}, headers=org.headers)
    note = made.json()["data"][0]["details"]["id"]
    headers = _callers(org)[caller]
    one = client.get(f"/crm/{V}/Notes/{note}", headers=headers).json()["data"][0]
    listed = client.get(f"/crm/{V}/Notes", headers=headers).json()["data"][0]
    for seen in (one, listed):
        assert seen["Parent_Id"] == {"name": None, "id": lead}
        assert "Secret Lead" not in str(seen)
    # A reader who may read Leads sees the name.
    full = client.get(f"/crm/{V}/Notes/{note}", headers=org.headers_for(scope=FULL_SCOPE)).json()["data"][0]
    assert full["Parent_Id"] == {"name": "Secret Lead", "id": lead}


def test_names_in_related_lists_follow_the_readers_access(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts", Account_Name="Secret Account")
    (campaign,) = org.create(client, "Campaigns")
    (contact,) = org.create(client, "Contacts", Account_Name={"id": account})
    linked = client.put(
        f"/crm/{V}/Campaigns/{campaign}/Contacts/{contact}", json={"data": [{}]}, headers=org.headers
    )
    assert linked.status_code == 200, linked.text
    headers = org.headers_for(scope="ZohoCRM.modules.campaigns.READ,ZohoCRM.modules.contacts.READ")
    listed = client.get(f"/crm/{V}/Campaigns/{campaign}/Contacts", headers=headers).json()["data"][0]
    assert listed["Account_Name"] == {"name": None, "id": account}


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("profile-without-accounts", 403, "NO_PERMISSION"),
        ("token-contacts-only", 401, "OAUTH_SCOPE_MISMATCH"),
    ],
)
def test_coql_reads_a_lookups_fields_only_where_the_reader_may_read_its_module(
    client: Any, org: TestOrg, caller: str, status: int, code: str
) -> None:
    (account,) = org.create(client, "Accounts", Account_Name="Secret Account", Website="secret.example")
    org.create(client, "Contacts", Last_Name="Visible", Account_Name={"id": account})
    org.add_profile("No Accounts", {"*": list(ALL_PERMISSIONS), "Accounts": []})
    headers = {
        "profile-without-accounts": org.headers_for(org.add_user("No Accounts")),
        "token-contacts-only": org.headers_for(scope="ZohoCRM.modules.contacts.READ,ZohoCRM.coql.READ"),
    }[caller]
    queries = [
        "select Last_Name, Account_Name.Account_Name from Contacts where Last_Name = 'Visible'",
        # Filtering on the target's fields would tell them apart as well as reading them.
        "select Last_Name from Contacts where Account_Name.Website = 'secret.example'",
        "select Last_Name from Contacts where Last_Name is not null order by Account_Name.Account_Name",
    ]
    for query in queries:
        answer = client.post(f"/crm/{V}/coql", json={"select_query": query}, headers=headers)
        assert answer.status_code == status, (query, answer.text)
        assert answer.json()["code"] == code
        assert "Secret" not in answer.text
    # The lookup's id is the Contact's own field: readable without the target module.
    plain = client.post(
        f"/crm/{V}/coql",
        json={"select_query": "select Last_Name, Account_Name from Contacts where Last_Name = 'Visible'"},
        headers=headers,
    )
    assert plain.status_code == 200, plain.text
    assert plain.json()["data"][0]["Account_Name"] == {"id": account}
    full = client.post(f"/crm/{V}/coql", json={"select_query": queries[0]}, headers=org.headers)
    assert full.json()["data"][0]["Account_Name.Account_Name"] == "Secret Account"
