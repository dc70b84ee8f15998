"""Layouts, custom views, profiles, roles and the org, in Zoho's v2.1 shapes (spec schema 5-7).

All of it is derived from the catalog and the org's rows; nothing here is stored apart from
them (see docs/schema.md for the decisions):

* one layout per module, ``Standard``, whose sections hold the module's fields (the module's
  information, the line items, the description); Leads' carries ``convert_mapping``;
* two custom views per module: ``All <Plural>`` (the default, no criteria) and ``My <Plural>``
  (records the caller owns);
* the org's profiles (Administrator, Standard, custom ones), with per-module permissions in the
  single-profile answer;
* two roles, ``CEO`` (top, the administrators') and ``Manager`` (reporting to CEO).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef, stable_id
from crmlink.domain.clock import iso
from crmlink.domain.metadata import CATALOG_MODIFIED_TIME, render_field
from crmlink.domain.orgs import BUILTIN_PROFILES
from crmlink.storage.settings_meta import OrgRow, ProfileRow

LAYOUT_NAME = "Standard"
LAYOUT_ACTIVE = 0  # Zoho's v2.1 ``status`` is an integer; 0 is the active layout here

# --- layouts -----------------------------------------------------------------------------------


def layout_id(module: str) -> str:
    return stable_id("layout", module)


def _is_description(f: FieldDef) -> bool:
    return f.data_type == "textarea" and f.api_name in {"Description", "Terms_and_Conditions"}


def _section(
    module: ModuleDef, name: str, label: str, seq: int, fields: Sequence[FieldDef], *, subform: bool
) -> dict[str, Any]:
    rendered = []
    for i, f in enumerate(fields, start=1):
        field = render_field(module, f, module.fields.index(f) + 1)
        field["required"] = f.mandatory
        field["sequence_number"] = i
        rendered.append(field)
    return {
        "display_label": label,
        "sequence_number": seq,
        "issubformsection": subform,
        "tab_traversal": 1,
        "api_name": name,
        "column_count": 1 if subform else 2,
        "name": name,
        "generated_type": "default",
        "type": "used",
        "properties": {"reorder_rows": True, "tooltip": None, "maximum_rows": 200} if subform else None,
        "fields": rendered,
    }


def render_layout(
    catalog: Catalog, module: ModuleDef, profiles: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    main = [f for f in module.fields if f.data_type != "subform" and not _is_description(f)]
    items = [f for f in module.fields if f.data_type == "subform"]
    description = [f for f in module.fields if _is_description(f)]
    sections = [
        _section(
            module,
            f"{module.singular_label} Information",
            f"{module.singular_label} Information",
            1,
            main,
            subform=False,
        )
    ]
    if items:
        sections.append(
            _section(module, items[0].label, items[0].label, len(sections) + 1, items, subform=True)
        )
    if description:
        sections.append(
            _section(
                module,
                "Description Information",
                "Description Information",
                len(sections) + 1,
                description,
                subform=False,
            )
        )
    for s in sections:  # Zoho's wire key is ``isSubformSection``
        s["isSubformSection"] = s.pop("issubformsection")
    layout: dict[str, Any] = {
        "created_time": None,
        "visible": True,
        "created_for": None,
        "profiles": [
            {
                "name": p["name"],
                "id": p["id"],
                "default": True,
                "_default_view": {"name": LAYOUT_NAME, "id": layout_id(module.api_name), "type": "layout"},
            }
            for p in profiles
        ],
        "name": LAYOUT_NAME,
        "modified_time": CATALOG_MODIFIED_TIME,
        "show_business_card": False,
        "modified_by": None,
        "id": layout_id(module.api_name),
        "created_by": None,
        "sections": sections,
        "status": LAYOUT_ACTIVE,
        "display_type": -1,
    }
    if module.api_name == "Leads":
        layout["convert_mapping"] = _convert_mapping(catalog)
    return layout


def _convert_mapping(catalog: Catalog) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("Contacts", "Deals", "Accounts"):
        target = catalog.module_map.get(name)
        if target is None:
            continue
        entry: dict[str, Any] = {"name": LAYOUT_NAME, "id": layout_id(name)}
        if name == "Deals":
            entry["fields"] = [
                {
                    "api_name": f.api_name,
                    "field_label": f.label,
                    "id": stable_id("field", name, f.api_name),
                    "required": True,
                }
                for f in target.mandatory_fields
            ]
        out[name] = entry
    return out


# --- custom views ------------------------------------------------------------------------------

TRANSLATION = {
    "public_views": "Public Views",
    "other_users_views": "Other Users' Views",
    "shared_with_me": "Shared With Me",
    "created_by_me": "Created By Me",
}


@dataclass(frozen=True, slots=True)
class View:
    """A custom view of a module: its id, names and whether it keeps the caller's records only."""

    id: str
    name: str
    system_name: str
    default: bool
    owner_only: bool


def views(module: ModuleDef) -> tuple[View, ...]:
    plural = module.plural_label
    return (
        View(stable_id("custom_view", module.api_name, "ALLVIEWS"), f"All {plural}", "ALLVIEWS", True, False),
        View(stable_id("custom_view", module.api_name, "MYVIEWS"), f"My {plural}", "MYVIEWS", False, True),
    )


def find_view(module: ModuleDef, cvid: str) -> View | None:
    return next((v for v in views(module) if v.id == cvid.strip()), None)


def render_view(module: ModuleDef, view: View, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "display_value": view.name,
        "created_time": None,
        "system_name": view.system_name,
        "created_by": None,
        "default": view.default,
        "modified_time": CATALOG_MODIFIED_TIME,
        "name": view.name,
        "system_defined": True,
        "modified_by": None,
        "id": view.id,
        "category": "public_views",
        "last_accessed_time": None,
        "favorite": None,
    }
    if full:
        shown = [
            module.display_field,
            *(f.api_name for f in module.fields if f.api_name != module.display_field),
        ][:6]
        out.update(
            {
                "fields": [
                    {"api_name": name, "id": stable_id("field", module.api_name, name)} for name in shown
                ],
                "sort_by": None,
                "sort_order": None,
                "access_type": "public",
                "shared_to": None,
                "criteria": (
                    {
                        "comparator": "equal",
                        "field": {"api_name": "Owner", "id": stable_id("field", module.api_name, "Owner")},
                        "value": "${CURRENTUSER}",
                    }
                    if view.owner_only
                    else None
                ),
            }
        )
    return out


# --- profiles ----------------------------------------------------------------------------------

_PERMISSIONS = (("view", "View"), ("create", "Create"), ("edit", "Edit"), ("delete", "Delete"))


def _granted(permissions: str) -> Mapping[str, list[str]]:
    decoded: dict[str, list[str]] = msgspec.json.decode(permissions)
    return decoded


def render_profile(catalog: Catalog, row: ProfileRow, *, full: bool) -> dict[str, Any]:
    created = iso(row.created_at)
    out: dict[str, Any] = {
        "created_time": created,
        "_default_view": None,
        "custom": row.name not in BUILTIN_PROFILES,
        "description": None,
        "created_by": None,
        "_delete": None,
        "display_label": row.name,
        "default": row.name == "Administrator",
        "modified_time": created,
        "permission_type": "custom" if row.name not in BUILTIN_PROFILES else "default",
        "name": row.name,
        "modified_by": None,
        "id": str(row.id),
    }
    if full:
        granted = _granted(row.permissions)
        details = []
        sections = []
        for m in catalog.modules:
            allowed = set(granted.get(m.api_name, granted.get("*", [])))
            ids = []
            for key, label in _PERMISSIONS:
                pid = stable_id("permission", str(row.id), m.api_name, key)
                ids.append(pid)
                details.append(
                    {
                        "display_label": label,
                        "module": m.api_name,
                        "name": f"Crm_Implied_{label}_{m.api_name}",
                        "id": pid,
                        "enabled": key in allowed,
                    }
                )
            sections.append(
                {
                    "display_label": m.plural_label,
                    "permissions_details": ids,
                    "module": m.api_name,
                    "name": m.api_name,
                }
            )
        out["permissions_details"] = details
        out["sections"] = [{"name": "modules", "categories": sections}]
    return out


# --- roles -------------------------------------------------------------------------------------


def roles(org_id: int) -> list[dict[str, Any]]:
    ceo = stable_id("role", str(org_id), "CEO")
    return [
        {
            "display_label": "CEO",
            "forecast_manager": None,
            "share_with_peers": True,
            "name": "CEO",
            "description": "Users with this role have access to the data owned by all other users.",
            "reporting_to": None,
            "id": ceo,
            "admin_user": True,
        },
        {
            "display_label": "Manager",
            "forecast_manager": None,
            "share_with_peers": False,
            "name": "Manager",
            "description": "Users belonging to this role cannot see data for admin users.",
            "reporting_to": {"name": "CEO", "id": ceo},
            "id": stable_id("role", str(org_id), "Manager"),
            "admin_user": False,
        },
    ]


# --- org ---------------------------------------------------------------------------------------


def render_org(row: OrgRow) -> dict[str, Any]:
    return {
        "country": None,
        "hierarchy_preferences": {"type": "Role_Hierarchy"},
        "photo_id": None,
        "city": None,
        "description": None,
        "mc_status": False,
        "gapps_enabled": False,
        "domain_name": f"org{row.id}",
        "translation_enabled": False,
        "street": None,
        "alias": None,
        "currency": "US Dollar - USD",
        "id": str(row.id),
        "state": None,
        "fax": None,
        "employee_count": None,
        "zip": None,
        "website": None,
        "currency_symbol": "$",
        "mobile": None,
        "currency_locale": "en_US",
        "primary_zuid": str(row.admin_id) if row.admin_id is not None else None,
        "zia_portal_id": None,
        "time_zone": "UTC",
        "zgid": str(row.id),
        "country_code": "US",
        "license_details": {
            "paid_expiry": None,
            "users_license_purchased": 1000,
            "trial_type": None,
            "trial_expiry": None,
            "paid": True,
            "paid_type": "enterprise",
        },
        "phone": None,
        "company_name": row.name,
        "privacy_settings": False,
        "primary_email": row.admin_email,
        "hipaa_compliance_enabled": False,
        "iso_code": "USD",
    }
