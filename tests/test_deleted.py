"""Deleted records: deletes go to the recycle bin; ``GET /{module}/deleted`` lists them, with
who deleted them and when, by type, as Zoho answers (both engines)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from crmlink.domain.recycle_bin import DAY_US
from crmlink.storage import tables
from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

KEYS = ["deleted_by", "id", "display_name", "type", "created_by", "deleted_time"]


def _deleted(client: Any, org: TestOrg, module: str = "Leads", **params: Any) -> Any:
    return client.get(f"/crm/v2.1/{module}/deleted", params=params, headers=org.headers)


def _age(org: TestOrg, record_id: str, days: int) -> None:
    """Move a deletion ``days`` into the past (the clock, not the data, is what we fake)."""
    d = tables.deleted_records
    with org.services.db.write() as conn:
        conn.execute(
            update(d)
            .where(d.c.org_id == org.org_id, d.c.id == int(record_id))
            .values(deleted_at=d.c.deleted_at - days * DAY_US)
        )


def test_a_delete_lands_in_the_recycle_bin_with_who_and_when(client: Any, org: TestOrg) -> None:
    assert _deleted(client, org).status_code == 204
    ids = org.create(client, "Leads", count=3, First_Name="Pat")
    other = org.add_user("Administrator", name="Del Eater")
    response = client.delete(f"/crm/v2.1/Leads?ids={ids[0]},{ids[1]}", headers=org.headers_for(other))
    assert response.status_code == 200
    response = _deleted(client, org)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["info"] == {"per_page": 200, "count": 2, "page": 1, "more_records": False}
    for item in body["data"]:
        assert list(item) == KEYS
        assert item["type"] == "recycle"
        assert item["deleted_by"] == {"name": "Del Eater", "id": str(org.user_id(other))}
        assert item["created_by"] == {"name": "Org Admin", "id": str(org.admin_id)}
        assert item["deleted_time"].endswith("+00:00")
    assert sorted(i["id"] for i in body["data"]) == sorted(ids[:2])
    assert {i["display_name"] for i in body["data"]} == {"Pat Lead 0", "Pat Lead 1"}
    # Gone from the module, and other modules' bins are empty.
    assert client.get(f"/crm/v2.1/Leads/{ids[0]}", headers=org.headers).status_code == 204
    assert _deleted(client, org, "Contacts").status_code == 204


def test_types_age_and_purge(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Accounts", count=3)
    for record_id in ids:
        assert client.delete(f"/crm/v2.1/Accounts/{record_id}", headers=org.headers).status_code == 200
    _age(org, ids[1], 61)  # out of the recycle bin: permanently deleted
    _age(org, ids[2], 60 + 121)  # past the listing of permanent deletes
    everything = _deleted(client, org, "Accounts").json()["data"]
    assert [(i["id"], i["type"]) for i in everything] == [(ids[0], "recycle"), (ids[1], "permanent")]
    (permanent,) = _deleted(client, org, "Accounts", type="permanent").json()["data"]
    assert permanent == {**permanent, "deleted_by": None, "display_name": None, "created_by": None}
    (recycle,) = _deleted(client, org, "Accounts", type="recycle").json()["data"]
    assert recycle["id"] == ids[0] and recycle["display_name"] == "Account 0"
    # The next delete in the module purges: the expired row is gone, the permanent one forgets.
    (more,) = org.create(client, "Accounts")
    client.delete(f"/crm/v2.1/Accounts/{more}", headers=org.headers)
    d = tables.deleted_records
    with org.services.db.read() as conn:
        rows = dict(
            conn.execute(
                select(d.c.id, d.c.data).where(d.c.org_id == org.org_id, d.c.module == "Accounts")
            ).all()
        )
    assert set(rows) == {int(ids[0]), int(ids[1]), int(more)}
    assert rows[int(ids[1])] is None and rows[int(ids[0])] is not None


def test_paging_newest_first(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Leads", count=5)
    for record_id in ids:
        client.delete(f"/crm/v2.1/Leads/{record_id}", headers=org.headers)
    first = _deleted(client, org, per_page=2).json()
    second = _deleted(client, org, per_page=2, page=2).json()
    third = _deleted(client, org, per_page=2, page=3).json()
    assert first["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    assert third["info"] == {"per_page": 2, "count": 1, "page": 3, "more_records": False}
    listed = [i["id"] for page in (first, second, third) for i in page["data"]]
    assert listed == list(reversed(ids))
    assert _deleted(client, org, page=4).status_code == 204


@pytest.mark.parametrize(
    ("params", "status", "code", "details"),
    [
        ({"type": "gone"}, 400, "PATTERN_NOT_MATCHED", {"param_name": "type"}),
        ({"per_page": "201"}, 400, "INVALID_DATA", {"param_name": "per_page"}),
        ({"page": "x"}, 400, "INVALID_DATA", {"param_name": "page"}),
    ],
)
def test_bad_parameters(
    client: Any, org: TestOrg, params: dict[str, str], status: int, code: str, details: dict[str, Any]
) -> None:
    response = _deleted(client, org, **params)
    body = assert_zoho_error(response, status, code, details=details)
    if code == "PATTERN_NOT_MATCHED":
        assert body["message"] == "Please check whether the input values are correct"


def test_unknown_module_and_scope(client: Any, org: TestOrg) -> None:
    assert_zoho_error(_deleted(client, org, "Nope"), 400, "INVALID_MODULE")
    other_scope = org.headers_for(scope="ZohoCRM.modules.contacts.READ")
    response = client.get("/crm/v2.1/Leads/deleted", headers=other_scope)
    assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")
    response = client.get("/crm/v2.1/Contacts/deleted", headers=other_scope)
    assert response.status_code == 204


def test_deleted_is_a_reserved_path_word(client: Any, org: TestOrg) -> None:
    for method in ("PUT", "DELETE", "POST"):
        response = client.request(method, "/crm/v2.1/Leads/deleted", headers=org.headers)
        assert_zoho_error(response, 400, "INVALID_REQUEST_METHOD")


def test_answers_conform_to_the_served_description(client: Any, org: TestOrg) -> None:
    import schemathesis

    (record_id,) = org.create(client, "Leads")
    client.delete(f"/crm/v2.1/Leads/{record_id}", headers=org.headers)
    _age(org, record_id, 70)
    (second,) = org.create(client, "Leads")
    client.delete(f"/crm/v2.1/Leads/{second}", headers=org.headers)
    described = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    described["/crm/{version}/Leads/deleted"]["GET"].validate_response(_deleted(client, org))


def test_the_org_clock_of_the_testkit_ages_the_bin(client: Any, org: TestOrg) -> None:
    from crmlink.domain.clock import advance_org_clock, reset_org_clock

    (record_id,) = org.create(client, "Leads")
    client.delete(f"/crm/v2.1/Leads/{record_id}", headers=org.headers)
    try:
        # (Tokens age with the org's clock too: each step signs in again.)
        advance_org_clock(org.org_id, 61 * 86_400)
        response = client.get("/crm/v2.1/Leads/deleted", headers=org.headers_for())
        (item,) = response.json()["data"]
        assert (item["id"], item["type"], item["deleted_by"]) == (record_id, "permanent", None)
        advance_org_clock(org.org_id, 120 * 86_400)
        assert client.get("/crm/v2.1/Leads/deleted", headers=org.headers_for()).status_code == 204
    finally:
        reset_org_clock(org.org_id)
