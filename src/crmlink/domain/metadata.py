"""Metadata in Zoho's shapes: ``settings/modules``, ``settings/fields``, ``settings/related_lists``.

Keys and types follow what the official v2.1 and v2 SDKs model (``json_details.json``): ids are
numeric strings, ``length`` an integer, ``lookup.module`` and related lists' ``module`` strings,
and ``layouts`` is left out (v2's SDK drops the whole reply if it is a list).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmlink.domain.catalog import FieldDef, ListKind, ModuleDef, RelatedListDef, stable_id

# The catalog is code: it changes only with a release. Its modified time is the release's.
CATALOG_MODIFIED_TIME = "2026-11-01T00:00:00+00:00"

_JSON_TYPES = {
    "integer": "integer",
    "long": "integer",
    "bigint": "integer",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "boolean": "boolean",
    "lookup": "jsonobject",
    "ownerlookup": "jsonobject",
    "userlookup": "jsonobject",
    "multiselectpicklist": "jsonarray",
    "multiselectlookup": "jsonarray",
    "fileupload": "jsonarray",
    "imageupload": "jsonarray",
    "subform": "jsonarray",
    "linetax": "jsonarray",
    "ALARM": "jsonobject",
    "RRULE": "jsonobject",
}


def _json_type(f: FieldDef) -> str:
    if f.data_type == "formula" and f.formula is not None:
        return _JSON_TYPES.get(f.formula.return_type, "string")
    return _JSON_TYPES.get(f.data_type, "string")


def render_field(module: ModuleDef, f: FieldDef, sequence: int) -> dict[str, Any]:
    field_id = f.id_in(module.api_name)
    lookup: dict[str, Any] = {}
    if f.lookup_module:
        lookup = {
            "display_label": f.lookup_label or f.label,
            "api_name": f.lookup_list or f.api_name,
            "module": f.lookup_module,
            "id": stable_id("lookup", module.api_name, f.api_name),
        }
    msl: dict[str, Any] = {}
    if f.msl is not None:
        msl = {
            "display_label": f.msl.list_label,
            "api_name": f.msl.list_api_name,
            "linking_module": f.msl.linking_module,
            "lookup_apiname": f.msl.lookup_apiname,
            "connected_module": f.msl.connected_module,
            "connectedlookup_apiname": f.msl.connectedlookup_apiname,
            "id": f.msl.id,
        }
    return {
        "system_mandatory": f.mandatory,
        "webhook": True,
        "json_type": _json_type(f),
        "crypt": None,
        "field_label": f.label,
        "tooltip": None,
        "created_source": "crm" if f.custom else "default",
        "field_read_only": f.read_only,
        "display_label": f.label,
        "read_only": f.read_only,
        "association_details": None,
        "quick_sequence_number": str(sequence),
        "businesscard_supported": False,
        "multi_module_lookup": {},
        "currency": {"rounding_option": "normal", "precision": 2} if f.data_type == "currency" else {},
        "id": field_id,
        "custom_field": f.custom,
        "lookup": lookup,
        "visible": True,
        "length": f.length if f.length is not None else 255,
        "view_type": {
            "view": True,
            "edit": not f.read_only,
            "quick_create": f.mandatory,
            "create": not f.read_only,
        },
        "subform": (
            {"module": f.subform_module, "id": stable_id("module", f.subform_module)}
            if f.subform_module
            else None
        ),
        "api_name": f.api_name,
        "unique": {"casesensitive": "false"} if f.unique else {},
        # Zoho's external-id attributes (spec records-more §12): null for an ordinary field.
        "external": (
            {"show": True, "type": f.external, "allow_multiple_config": False} if f.external else None
        ),
        "data_type": f.data_type,
        "formula": (
            {"return_type": f.formula.return_type, "expression": f.formula.expression} if f.formula else {}
        ),
        "decimal_place": f.decimal_place,
        "mass_update": False,
        "multiselectlookup": msl,
        "pick_list_values": [
            {"display_value": v, "sequence_number": i, "actual_value": v, "maps": []}
            for i, v in enumerate(f.picklist, start=1)
        ],
        "auto_number": (
            {
                "prefix": f.auto_number.prefix,
                "start_number": f.auto_number.start_number,
                "suffix": f.auto_number.suffix,
            }
            if f.auto_number
            else {}
        ),
        "sequence_number": sequence,
    }


def render_fields(module: ModuleDef) -> list[dict[str, Any]]:
    return [render_field(module, f, i) for i, f in enumerate(module.fields, start=1)]


def render_module(module: ModuleDef, profiles: Sequence[dict[str, str]]) -> dict[str, Any]:
    subform = module.generated_type == "subform"
    return {
        "global_search_supported": True,
        "deletable": not subform,
        "description": None,
        "creatable": module.api_supported and not subform,
        "inventory_template_supported": any(f.data_type == "subform" for f in module.fields),
        "modified_time": CATALOG_MODIFIED_TIME,
        "plural_label": module.plural_label,
        "presence_sub_menu": True,
        "triggers_supported": False,
        "id": module.id,
        "visible": True,
        "visibility": 1,
        "convertable": module.api_name == "Leads",
        "editable": not subform,
        "profiles": list(profiles),
        "filter_supported": True,
        "show_as_tab": not subform,
        "web_link": None,
        "sequence_number": module.sequence_number,
        "singular_label": module.singular_label,
        "viewable": True,
        "api_supported": module.api_supported and not subform,
        "api_name": module.api_name,
        "quick_create": not subform,
        "modified_by": None,
        "generated_type": module.generated_type,
        "feeds_required": False,
        "scoring_supported": module.api_name in {"Leads", "Contacts", "Accounts", "Deals"},
        "webform_supported": module.api_name in {"Leads", "Contacts"},
        "arguments": [],
        "module_name": module.module_name or module.api_name,
        "business_card_field_limit": 5,
        "parent_module": (
            {"api_name": module.parent_module, "id": stable_id("module", module.parent_module)}
            if module.parent_module
            else {}
        ),
    }


def related_list_href(module: ModuleDef, rl: RelatedListDef) -> str | None:
    if rl.kind is ListKind.UNSERVED:
        return None
    return f"{module.api_name}/{{ENTITYID}}/{rl.api_name}"


def render_related_lists(module: ModuleDef) -> list[dict[str, Any]]:
    return [
        {
            "sequence_number": str(i),
            "display_label": rl.label,
            "api_name": rl.api_name,
            "module": rl.module,
            "name": rl.api_name,
            "action": None,
            "id": rl.list_id or stable_id("related_list", module.api_name, rl.api_name),
            "href": related_list_href(module, rl),
            "type": rl.type,
            "connectedmodule": rl.connected_module,
            "linkingmodule": rl.linking_module,
        }
        for i, rl in enumerate(module.related_lists, start=1)
    ]
