"""Layouts, custom views (and ``cvid``), profiles, roles, the org, and fields / related lists by
id: shapes as the spec's examples and the official v2.1 SDK's models have them, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from crmlink.domain.catalog_data import CATALOG
from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

V = "/crm/v2.1"
SERVED = [m.api_name for m in CATALOG.modules]


def _get(client: Any, org: TestOrg, path: str, **params: Any) -> Any:
    response = client.get(f"{V}/{path}", params=params, headers=org.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("module", SERVED)
def test_layouts(client: Any, org: TestOrg, module: str) -> None:
    (layout,) = _get(client, org, "settings/layouts", module=module)["layouts"]
    assert layout["id"].isdigit() and layout["name"] == "Standard"
    assert isinstance(layout["status"], int) and layout["visible"] is True
    assert {p["name"] for p in layout["profiles"]} >= {"Administrator", "Standard"}
    for p in layout["profiles"]:
        assert p["_default_view"] == {"name": "Standard", "id": layout["id"], "type": "layout"}
    in_sections = []
    for i, section in enumerate(layout["sections"], start=1):
        assert section["sequence_number"] == i
        assert isinstance(section["isSubformSection"], bool)
        assert {"display_label", "name", "api_name", "column_count", "tab_traversal", "fields"} <= set(
            section
        )
        for j, f in enumerate(section["fields"], start=1):
            assert f["sequence_number"] == j and isinstance(f["required"], bool)
            assert f["required"] == f["system_mandatory"]
            in_sections.append(f["api_name"])
    assert sorted(in_sections) == sorted(f.api_name for f in CATALOG.module_map[module].fields)
    assert ("convert_mapping" in layout) is (module == "Leads")
    single = _get(client, org, f"settings/layouts/{layout['id']}", module=module)["layouts"]
    assert single == [layout]


def test_leads_convert_mapping(client: Any, org: TestOrg) -> None:
    (layout,) = _get(client, org, "settings/layouts", module="Leads")["layouts"]
    mapping = layout["convert_mapping"]
    assert set(mapping) == {"Contacts", "Deals", "Accounts"}
    assert {f["api_name"] for f in mapping["Deals"]["fields"]} == {"Deal_Name", "Stage"}


def test_layout_errors(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.get(f"{V}/settings/layouts", headers=org.headers), 400, "REQUIRED_PARAM_MISSING")
    assert_zoho_error(
        client.get(f"{V}/settings/layouts?module=Nope", headers=org.headers), 400, "INVALID_MODULE"
    )
    (leads,) = _get(client, org, "settings/layouts", module="Leads")["layouts"]
    assert_zoho_error(
        client.get(f"{V}/settings/layouts/{leads['id']}?module=Contacts", headers=org.headers),
        400,
        "INVALID_DATA",
        "Layout does not belongs to the given module",
    )


def test_custom_views_list_and_single(client: Any, org: TestOrg) -> None:
    body = _get(client, org, "settings/custom_views", module="Leads")
    views = body["custom_views"]
    assert [v["name"] for v in views] == ["All Leads", "My Leads"]
    info = body["info"]
    assert info["default"] == views[0]["id"] and info["count"] == 2 and info["more_records"] is False
    assert set(info["translation"]) == {
        "public_views",
        "other_users_views",
        "shared_with_me",
        "created_by_me",
    }
    for v in views:
        assert {"id", "name", "display_value", "system_name", "system_defined", "default", "category"} <= set(
            v
        )
        assert v["category"] == "public_views" and "criteria" not in v
    mine = _get(client, org, f"settings/custom_views/{views[1]['id']}", module="Leads")["custom_views"][0]
    assert mine["criteria"]["comparator"] == "equal" and mine["criteria"]["field"]["api_name"] == "Owner"
    assert all(set(f) == {"api_name", "id"} for f in mine["fields"])
    assert mine["sort_order"] is None
    assert_zoho_error(
        client.get(f"{V}/settings/custom_views/123?module=Leads", headers=org.headers),
        400,
        "INVALID_DATA",
        "Invalid ID",
    )


def test_records_by_cvid(client: Any, org: TestOrg) -> None:
    views = _get(client, org, "settings/custom_views", module="Leads")["custom_views"]
    everyone, mine = views[0]["id"], views[1]["id"]
    other = org.add_user(profile="Administrator")
    org.create(client, "Leads", 2)
    (theirs,) = org.create(client, "Leads", Owner={"id": str(org.user_id(other))})
    listed = client.get(f"{V}/Leads", params={"cvid": everyone}, headers=org.headers).json()["data"]
    assert len(listed) == 3
    listed = client.get(f"{V}/Leads", params={"cvid": mine}, headers=org.headers).json()["data"]
    assert len(listed) == 2 and theirs not in {r["id"] for r in listed}
    listed = client.get(f"{V}/Leads", params={"cvid": mine}, headers=org.headers_for(other)).json()["data"]
    assert [r["id"] for r in listed] == [theirs]
    assert_zoho_error(
        client.get(f"{V}/Leads", params={"cvid": "42"}, headers=org.headers), 400, "INVALID_DATA"
    )
    contacts_view = _get(client, org, "settings/custom_views", module="Contacts")["custom_views"][0]["id"]
    assert_zoho_error(
        client.get(f"{V}/Leads", params={"cvid": contacts_view}, headers=org.headers), 400, "INVALID_DATA"
    )


def test_profiles(client: Any, org: TestOrg) -> None:
    profiles = _get(client, org, "settings/profiles")["profiles"]
    names = {p["name"]: p for p in profiles}
    assert set(names) >= {"Administrator", "Standard"}
    for p in profiles:
        assert p["id"].isdigit() and isinstance(p["custom"], bool) and "permissions_details" not in p
    single = _get(client, org, f"settings/profiles/{names['Standard']['id']}")["profiles"][0]
    enabled = {(d["module"], d["display_label"]): d["enabled"] for d in single["permissions_details"]}
    assert enabled[("Leads", "Edit")] is True and enabled[("Leads", "Delete")] is False
    assert single["sections"][0]["categories"][0]["module"] == "Leads"
    assert_zoho_error(client.get(f"{V}/settings/profiles/1", headers=org.headers), 400, "INVALID_DATA")


def test_roles(client: Any, org: TestOrg) -> None:
    roles = _get(client, org, "settings/roles")["roles"]
    ceo, manager = roles
    assert ceo["reporting_to"] is None and ceo["admin_user"] is True
    assert manager["reporting_to"] == {"name": "CEO", "id": ceo["id"]}
    for r in roles:
        assert set(r) == {
            "display_label",
            "forecast_manager",
            "share_with_peers",
            "name",
            "description",
            "reporting_to",
            "id",
            "admin_user",
        }
    assert _get(client, org, f"settings/roles/{manager['id']}")["roles"] == [manager]
    assert_zoho_error(client.get(f"{V}/settings/roles/1", headers=org.headers), 400, "INVALID_DATA")


def test_org(client: Any, org: TestOrg) -> None:
    headers = org.headers_for(scope="ZohoCRM.org.READ")
    response = client.get(f"{V}/org", headers=headers)
    assert response.status_code == 200, response.text
    (found,) = response.json()["org"]
    assert found["id"] == str(org.org_id) and found["primary_email"] == org.admin_email
    assert found["currency"] == "US Dollar - USD" and found["iso_code"] == "USD"
    assert found["hierarchy_preferences"] == {"type": "Role_Hierarchy"}
    assert found["license_details"]["paid"] is True
    assert_zoho_error(client.get(f"{V}/org", headers=org.headers), 401, "OAUTH_SCOPE_MISMATCH")


def test_orgs_see_their_own_org(client: Any, orgs: Any) -> None:
    a, b = orgs.create(), orgs.create()
    for one in (a, b):
        found = client.get(f"{V}/org", headers=one.headers_for(scope="ZohoCRM.org.ALL")).json()["org"][0]
        assert found["id"] == str(one.org_id)


@pytest.mark.parametrize("module", ["Leads", "Quotes", "Quoted_Items", "Tasks"])
def test_field_by_id(client: Any, org: TestOrg, module: str) -> None:
    fields = _get(client, org, "settings/fields", module=module)["fields"]
    for f in fields[:3]:
        assert _get(client, org, f"settings/fields/{f['id']}", module=module)["fields"] == [f]
    assert_zoho_error(
        client.get(f"{V}/settings/fields/1?module={module}", headers=org.headers), 400, "INVALID_DATA"
    )


@pytest.mark.parametrize("module", ["Contacts", "Vendors", "Cases"])
def test_related_list_by_id(client: Any, org: TestOrg, module: str) -> None:
    lists = _get(client, org, "settings/related_lists", module=module)["related_lists"]
    for rl in lists:
        assert _get(client, org, f"settings/related_lists/{rl['id']}", module=module)["related_lists"] == [rl]
    assert_zoho_error(
        client.get(f"{V}/settings/related_lists/1?module={module}", headers=org.headers), 400, "INVALID_DATA"
    )


@pytest.mark.parametrize(
    "path",
    [
        "settings/layouts?module=Leads",
        "settings/custom_views?module=Leads",
        "settings/profiles",
        "settings/roles",
    ],
)
def test_settings_scopes(client: Any, org: TestOrg, path: str) -> None:
    area = path.split("/")[1].split("?")[0]
    assert (
        client.get(f"{V}/{path}", headers=org.headers_for(scope=f"ZohoCRM.settings.{area}.READ")).status_code
        == 200
    )
    other = org.headers_for(scope="ZohoCRM.settings.fields.READ")
    assert_zoho_error(client.get(f"{V}/{path}", headers=other), 401, "OAUTH_SCOPE_MISMATCH")
