"""Tags: settings CRUD per module, merge, counts, tagging one record and many, the record's
``Tag`` field, Zoho's limits and name rules, change events, and route precedence."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_success, assert_zoho_error

V = "v2.1"
S = f"/crm/{V}/settings/tags"


def create(client: Any, org: TestOrg, module: str, *tags: dict[str, Any]) -> Any:
    return client.post(S, params={"module": module}, json={"tags": list(tags)}, headers=org.headers)


def add(client: Any, org: TestOrg, module: str, rid: str, names: str, **extra: str) -> Any:
    url = f"/crm/{V}/{module}/{rid}/actions/add_tags"
    return client.post(url, params={"tag_names": names, **extra}, headers=org.headers)


def test_create_list_update_delete(client: Any, org: TestOrg) -> None:
    created = create(client, org, "Leads", {"name": "webinar-2026", "color_code": "#F48435"}, {"name": "Hot"})
    assert created.status_code == 201, created.text
    items = created.json()["tags"]
    assert_success(items[0], "tags created successfully")
    assert set(items[0]["details"]) == {"created_time", "modified_time", "modified_by", "id", "created_by"}
    listed = client.get(S, params={"module": "Leads"}, headers=org.headers).json()
    assert [t["name"] for t in listed["tags"]] == ["Hot", "webinar-2026"]
    assert listed["info"] == {"count": 2, "allowed_count": 100}
    assert listed["tags"][1]["color_code"] == "#F48435" and listed["tags"][0]["color_code"] == "#969696"
    assert client.get(S, params={"module": "Contacts"}, headers=org.headers).json()["tags"] == []
    hot = items[1]["details"]["id"]
    renamed = client.put(
        f"{S}/{hot}", params={"module": "Leads"}, json={"tags": [{"name": "Warm"}]}, headers=org.headers
    )
    assert renamed.status_code == 200
    assert_success(renamed.json()["tags"][0], "tags updated successfully")
    bulk = client.put(
        S,
        params={"module": "Leads"},
        json={"tags": [{"id": hot, "color_code": "#1DB9B4"}]},
        headers=org.headers,
    )
    assert bulk.status_code == 200
    names = {
        t["name"]: t["color_code"]
        for t in client.get(S, params={"module": "Leads"}, headers=org.headers).json()["tags"]
    }
    assert names == {"Warm": "#1DB9B4", "webinar-2026": "#F48435"}
    gone = client.delete(f"{S}/{hot}", headers=org.headers)
    assert gone.json() == {
        "tags": [
            {
                "code": "SUCCESS",
                "details": {"id": hot},
                "message": "tags deleted successfully",
                "status": "success",
            }
        ]
    }
    assert_zoho_error(client.delete(f"{S}/{hot}", headers=org.headers), 400, "INVALID_DATA", "tags not found")


def test_module_is_required(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.get(S, headers=org.headers), 400, "REQUIRED_PARAM_MISSING")
    assert_zoho_error(
        client.get(S, params={"module": "Spaceships"}, headers=org.headers), 400, "INVALID_MODULE"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("a" * 26, "Tag Name can contain only 25 characters", id="too-long"),
        pytest.param("a<b", "special characters found in the given name", id="angle"),
        pytest.param("a,b", "special characters found in the given name", id="comma"),
        pytest.param("party 🎉", "special characters found in the given name", id="emoji"),
        pytest.param("zero\u200bwidth", "special characters found in the given name", id="zero-width"),
        pytest.param("rtl\u202eevil", "special characters found in the given name", id="bidi-override"),
        pytest.param("bell\x07", "special characters found in the given name", id="control"),
        pytest.param("\ue000private", "special characters found in the given name", id="private-use"),
    ],
)
def test_odd_names_are_refused_and_nothing_stored(client: Any, org: TestOrg, name: str, message: str) -> None:
    response = create(client, org, "Leads", {"name": name})
    assert response.status_code == 400
    assert_item_error(response.json()["tags"][0], "INVALID_DATA", message)
    assert client.get(S, params={"module": "Leads"}, headers=org.headers).json()["tags"] == []
    lead = org.create(client, "Leads")[0]
    assert_zoho_error(add(client, org, "Leads", lead, name.replace(",", "<")), 400, "INVALID_DATA")
    assert client.get(S, params={"module": "Leads"}, headers=org.headers).json()["tags"] == []


def test_accented_and_cjk_names_are_fine_and_nfc_duplicates_clash(client: Any, org: TestOrg) -> None:
    ok = create(client, org, "Leads", {"name": "Café"}, {"name": "見込み客"})
    assert ok.status_code == 201, ok.text
    again = create(client, org, "Leads", {"name": "Cafe\u0301"}, {"name": "CAFÉ"})  # NFD form, other case
    for item in again.json()["tags"]:
        assert_item_error(item, "DUPLICATE_DATA")
    bad_colour = create(client, org, "Leads", {"name": "x", "color_code": "#000000"})
    assert_item_error(bad_colour.json()["tags"][0], "INVALID_DATA", "The colour is not supported")


def test_add_and_remove_on_one_record_and_tag_field_in_reads(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    response = add(client, org, "Leads", lead, "webinar-2026,Hot")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["wf_scheduler"] is False and body["success_count"] == "1" and body["locked_count"] == "0"
    item = body["data"][0]
    assert_success(item, "tags updated successfully")
    assert [t["name"] for t in item["details"]["tags"]] == ["Hot", "webinar-2026"]
    record = client.get(f"/crm/{V}/Leads/{lead}", headers=org.headers).json()["data"][0]
    assert [t["name"] for t in record["Tag"]] == ["Hot", "webinar-2026"]
    listed = client.get(f"/crm/{V}/Leads", params={"ids": lead}, headers=org.headers).json()["data"][0]
    assert listed["Tag"] == record["Tag"]
    only = client.get(f"/crm/{V}/Leads", params={"ids": lead, "fields": "Last_Name"}, headers=org.headers)
    assert "Tag" not in only.json()["data"][0]
    removed = client.post(
        f"/crm/{V}/Leads/{lead}/actions/remove_tags", params={"tag_names": "Hot"}, headers=org.headers
    ).json()["data"][0]
    assert [t["name"] for t in removed["details"]["tags"]] == ["webinar-2026"]
    over = add(client, org, "Leads", lead, "Cold", over_write="true").json()["data"][0]
    assert [t["name"] for t in over["details"]["tags"]] == ["Cold"]
    events = [(e.relation, e.action) for e in org.link_events() if e.relation == "tags"]
    assert events == [("tags", "added")] * 2 + [("tags", "removed")] * 2 + [("tags", "added")]


def test_add_to_many_answers_each_id_in_order(client: Any, org: TestOrg) -> None:
    leads = org.create(client, "Leads", 2)
    contact = org.create(client, "Contacts")[0]
    response = client.post(
        f"/crm/{V}/Leads/actions/add_tags",
        params={"ids": f"{leads[1]},{contact},{leads[0]}", "tag_names": "A"},
        headers=org.headers,
    )
    assert response.status_code == 207
    body = response.json()
    assert body["success_count"] == "2"
    assert [i["status"] for i in body["data"]] == ["success", "error", "success"]
    assert body["data"][0]["details"]["id"] == leads[1]
    tag_id = body["data"][0]["details"]["tags"][0]["id"]
    count = client.get(f"{S}/{tag_id}/actions/records_count", params={"module": "Leads"}, headers=org.headers)
    assert count.json() == {"count": "2"}
    many = client.post(
        f"/crm/{V}/Leads/actions/remove_tags",
        params={"ids": ",".join(leads), "tag_names": "A"},
        headers=org.headers,
    )
    assert many.status_code == 200
    assert client.get(
        f"{S}/{tag_id}/actions/records_count", params={"module": "Leads"}, headers=org.headers
    ).json() == {"count": "0"}


def test_ten_tags_per_record(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    assert add(client, org, "Leads", lead, ",".join(f"t{i}" for i in range(10))).status_code == 200
    response = add(client, org, "Leads", lead, "eleven")
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "LIMIT_EXCEEDED", "Tag limit for record has been exceeded.")
    record = client.get(f"/crm/{V}/Leads/{lead}", headers=org.headers).json()["data"][0]
    assert len(record["Tag"]) == 10


def test_merge_moves_records_and_removes_the_other_tag(client: Any, org: TestOrg) -> None:
    a, b = org.create(client, "Leads", 2)
    add(client, org, "Leads", a, "Hot")
    add(client, org, "Leads", b, "hot-lead,Hot")
    tags = {
        t["name"]: t["id"]
        for t in client.get(S, params={"module": "Leads"}, headers=org.headers).json()["tags"]
    }
    merged = client.post(
        f"{S}/{tags['Hot']}/actions/merge",
        json={"tags": [{"conflict_id": tags["hot-lead"]}]},
        headers=org.headers,
    )
    assert merged.status_code == 200, merged.text
    assert_success(merged.json()["tags"][0], "tags merged successfully")
    names = [t["name"] for t in client.get(S, params={"module": "Leads"}, headers=org.headers).json()["tags"]]
    assert names == ["Hot"]
    for rid in (a, b):
        assert [
            t["name"]
            for t in client.get(f"/crm/{V}/Leads/{rid}", headers=org.headers).json()["data"][0]["Tag"]
        ] == ["Hot"]


def test_action_paths_win_over_record_ids(client: Any, org: TestOrg) -> None:
    """``/{module}/actions/add_tags`` is not record ``actions``'s related list ``add_tags``."""
    lead = org.create(client, "Leads")[0]
    response = client.post(
        f"/crm/{V}/Leads/actions/add_tags", params={"ids": lead, "tag_names": "x"}, headers=org.headers
    )
    assert response.status_code == 200 and response.json()["success_count"] == "1"
    response = client.post(
        f"/crm/{V}/Leads/{lead}/actions/add_tags", params={"tag_names": "y"}, headers=org.headers
    )
    assert response.status_code == 200
    assert_zoho_error(
        client.post(f"/crm/{V}/Leads/{lead}/actions/add_tags", headers=org.headers),
        400,
        "REQUIRED_PARAM_MISSING",
    )


def test_deleting_a_record_removes_its_tag_links_with_events(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads")[0]
    tag_id = add(client, org, "Leads", lead, "gone").json()["data"][0]["details"]["tags"][0]["id"]
    client.delete(f"/crm/{V}/Leads/{lead}", headers=org.headers)
    assert client.get(
        f"{S}/{tag_id}/actions/records_count", params={"module": "Leads"}, headers=org.headers
    ).json() == {"count": "0"}
    assert [e.action for e in org.link_events() if e.relation == "tags"] == ["added", "removed_by_delete"]


def test_other_orgs_tags_are_invisible(client: Any, orgs: Any) -> None:
    a, b = orgs.create(), orgs.create()
    tag_id = create(client, a, "Leads", {"name": "mine"}).json()["tags"][0]["details"]["id"]
    assert client.get(S, params={"module": "Leads"}, headers=b.headers).json()["tags"] == []
    assert_zoho_error(
        client.delete(f"{S}/{tag_id}", headers=b.headers), 400, "INVALID_DATA", "tags not found"
    )


def test_search_and_coql_by_tag_are_not_served(client: Any, org: TestOrg) -> None:
    """Decision (docs/api-coverage.md#tags): the v2.1 contract names no ``Tag`` criterion for
    search or COQL, so ``Tag`` is an unknown field there, as in any other criterion."""
    lead = org.create(client, "Leads")[0]
    client.post(f"/crm/v2.1/Leads/{lead}/actions/add_tags?tag_names=webinar", headers=org.headers)
    found = client.get("/crm/v2.1/Leads/search?criteria=(Tag:equals:webinar)", headers=org.headers)
    assert_zoho_error(found, 400, "INVALID_QUERY")
    assert found.json()["details"]["api_name"] == "Tag"
    query = {"select_query": "select Last_Name from Leads where Tag = 'webinar'"}
    answered = client.post("/crm/v2.1/coql", json=query, headers=org.headers)
    assert_zoho_error(
        answered, 400, "INVALID_QUERY", "column given seems to be invalid", {"column_name": "Tag"}
    )
