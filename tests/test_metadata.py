"""Metadata endpoints, checked against what Zoho's official SDKs read from them."""

from __future__ import annotations

from typing import Any

import pytest

from crmlink.domain.catalog import DATA_TYPES, ListKind
from crmlink.domain.catalog_data import CATALOG
from tests.factories import TestOrg
from tests.helpers import assert_zoho_error

MODULES = [m.api_name for m in (*CATALOG.modules, *CATALOG.subform_modules)]
SERVED = [m.api_name for m in CATALOG.modules]  # the records API's modules (no line-item subforms)

# Keys the SDKs type-check when present (official-sdks.md §4): wrong types drop the whole reply.
FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "api_name": str,
    "data_type": str,
    "system_mandatory": bool,
    "custom_field": bool,
    "length": int,
    "id": str,
    "lookup": dict,
    "pick_list_values": list,
    "currency": dict,
    "formula": dict,
    "read_only": bool,
    "field_label": str,
    "display_label": str,
    "visible": bool,
}


@pytest.mark.parametrize("version", ["v2", "v2.1"])
def test_modules_list(client: Any, org: TestOrg, version: str) -> None:
    response = client.get(f"/crm/{version}/settings/modules", headers=org.headers)
    assert response.status_code == 200
    modules = response.json()["modules"]
    assert [m["api_name"] for m in modules] == MODULES
    for m in modules:
        assert m["api_supported"] is (m["generated_type"] != "subform")
        assert m["generated_type"] in {"default", "web", "custom", "linking", "subform"}
        assert m["id"].isdigit()
        assert {p["name"] for p in m["profiles"]} >= {"Administrator", "Standard"}
    deals = next(m for m in modules if m["api_name"] == "Deals")
    assert deals["module_name"] == "Potentials"


def test_single_module_and_unknown_module(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/settings/modules/Price_Books", headers=org.headers)
    assert [m["api_name"] for m in response.json()["modules"]] == ["Price_Books"]
    assert_zoho_error(
        client.get("/crm/v2.1/settings/modules/Nope", headers=org.headers), 400, "INVALID_MODULE"
    )


def test_modules_if_modified_since_is_304(client: Any, org: TestOrg) -> None:
    headers = {**org.headers, "If-Modified-Since": "2099-01-01T00:00:00+00:00"}
    assert client.get("/crm/v2.1/settings/modules", headers=headers).status_code == 304


@pytest.mark.parametrize("module", MODULES)
def test_fields_have_sdk_types(client: Any, org: TestOrg, module: str) -> None:
    response = client.get(f"/crm/v2.1/settings/fields?module={module}", headers=org.headers)
    assert response.status_code == 200
    fields = response.json()["fields"]
    assert fields, module
    names = set()
    for f in fields:
        for key, kind in FIELD_TYPES.items():
            assert isinstance(f[key], kind), (module, f["api_name"], key)
        assert f["data_type"] in DATA_TYPES
        assert f["id"].isdigit()
        assert "layouts" not in f  # the v2 SDK drops the reply when layouts is a list
        if f["data_type"] == "lookup":
            assert isinstance(f["lookup"]["module"], str)
        if f["data_type"] in {"picklist", "multiselectpicklist"}:
            assert all(isinstance(v["display_value"], str) for v in f["pick_list_values"])
        names.add(f["api_name"])
    assert not names & {"Created_Time", "Modified_Time", "Created_By", "Modified_By"}
    mandatory = {f["api_name"] for f in fields if f["system_mandatory"]}
    described = CATALOG.find_metadata_module(module)
    assert described is not None
    assert mandatory == {f.api_name for f in described.mandatory_fields}


def test_mandatory_fields_are_zohos(client: Any, org: TestOrg) -> None:
    expected = {
        "Leads": {"Last_Name"},
        "Contacts": {"Last_Name"},
        "Accounts": {"Account_Name"},
        "Deals": {"Deal_Name", "Stage"},
        "Products": {"Product_Name"},
        "Campaigns": {"Campaign_Name"},
        "Price_Books": {"Price_Book_Name"},
    }
    for module, names in expected.items():
        fields = client.get(f"/crm/v2.1/settings/fields?module={module}", headers=org.headers).json()[
            "fields"
        ]
        assert {f["api_name"] for f in fields if f["system_mandatory"]} == names, module


@pytest.mark.parametrize("module", SERVED)
def test_related_lists(client: Any, org: TestOrg, module: str) -> None:
    response = client.get(f"/crm/v2.1/settings/related_lists?module={module}", headers=org.headers)
    assert response.status_code == 200
    lists = response.json()["related_lists"]
    spec = CATALOG.module_map[module].related_lists
    assert [rl["api_name"] for rl in lists] == [rl.api_name for rl in spec]
    for rl, defn in zip(lists, spec, strict=True):
        assert isinstance(rl["module"], str)
        assert set(rl) >= {
            "api_name",
            "module",
            "href",
            "type",
            "display_label",
            "sequence_number",
            "id",
            "name",
        }
        if defn.kind is ListKind.UNSERVED:
            assert rl["href"] is None
        else:
            assert rl["href"] == f"{module}/{{ENTITYID}}/{rl['api_name']}"


def test_products_related_lists_include_price_books(client: Any, org: TestOrg) -> None:
    lists = client.get("/crm/v2.1/settings/related_lists?module=Products", headers=org.headers).json()[
        "related_lists"
    ]
    price_books = next(rl for rl in lists if rl["api_name"] == "Price_Books")
    assert price_books["module"] == "Price_Books"
    assert price_books["href"] == "Products/{ENTITYID}/Price_Books"


@pytest.mark.parametrize(
    ("path", "scope", "ok"),
    [
        ("/crm/v2.1/settings/fields?module=Leads", "ZohoCRM.settings.fields.READ", True),
        ("/crm/v2.1/settings/fields?module=Leads", "ZohoCRM.settings.modules.READ", False),
        ("/crm/v2.1/settings/related_lists?module=Leads", "ZohoCRM.settings.related_lists.ALL", True),
        ("/crm/v2.1/settings/modules", "ZohoCRM.settings.ALL", True),
        ("/crm/v2.1/settings/modules", "ZohoCRM.modules.ALL", False),
    ],
)
def test_settings_scopes(client: Any, org: TestOrg, path: str, scope: str, ok: bool) -> None:
    response = client.get(path, headers=org.headers_for(scope=scope))
    if ok:
        assert response.status_code == 200
    else:
        assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")
