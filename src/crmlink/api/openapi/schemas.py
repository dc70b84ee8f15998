"""JSON schemas of the description: Zoho's envelopes, metadata, and record fields from the catalog."""

from __future__ import annotations

from typing import Any

from crmlink.domain.catalog import SYSTEM_FIELDS, FieldDef, ModuleDef
from crmlink.domain.values import INTEGER_TYPES, LOOKUP_TYPES, NUMBER_TYPES, TEXT_TYPES

Schema = dict[str, Any]

MAX_ITEMS = 100
MAX_PER_PAGE = 200
ID_PATTERN = "^[0-9]{1,19}$"
IDS_PATTERN = "^[0-9]{1,19}(,[0-9]{1,19}){0,99}$"
ERROR_CODES = [
    "INVALID_DATA",
    "UNABLE_TO_PARSE_DATA_TYPE",
    "INVALID_MODULE",
    "MANDATORY_NOT_FOUND",
    "REQUIRED_PARAM_MISSING",
    "LIMIT_EXCEEDED",
    "INVALID_REQUEST_METHOD",
    "AUTHORIZATION_FAILED",
    "DUPLICATE_DATA",
    "INVALID_QUERY",
    "SYNTAX_ERROR",
    "LIMIT_REACHED",
    "PATTERN_NOT_MATCHED",
    "NOT_FOUND",
    "AUTHENTICATION_FAILURE",
    "INVALID_TOKEN",
    "OAUTH_SCOPE_MISMATCH",
    "NO_PERMISSION",
    "INVALID_URL_PATTERN",
    "REQUEST_ENTITY_TOO_LARGE",
    "TOO_MANY_REQUESTS",
    "INTERNAL_ERROR",
]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


# --------------------------------------------------------------------------- shared schemas

ID_STRING: Schema = {"type": "string", "pattern": ID_PATTERN, "description": "A record id: 1-19 digits."}
ID_IN: Schema = {
    "description": "A record id: a string of 1-19 digits or a positive integer (both accepted).",
    "oneOf": [ID_STRING, {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}],
}


def common_schemas() -> dict[str, Schema]:
    envelope = {
        "code": {"type": "string"},
        "details": {"type": "object"},
        "message": {"type": "string"},
    }
    return {
        "Error": {
            "type": "object",
            "description": "Zoho's error envelope (request-level, or one item of a result list).",
            "required": ["code", "details", "message", "status"],
            "additionalProperties": False,
            "properties": {
                **envelope,
                "code": {"type": "string", "enum": ERROR_CODES},
                "status": {"type": "string", "enum": ["error"]},
            },
        },
        "Success": {
            "type": "object",
            "required": ["code", "details", "message", "status"],
            "additionalProperties": False,
            "properties": {
                **envelope,
                "code": {"type": "string", "enum": ["SUCCESS"]},
                "status": {"type": "string", "enum": ["success"]},
            },
        },
        "ResultList": {
            "type": "object",
            "description": "One result per input item, in input order.",
            "required": ["data"],
            "additionalProperties": False,
            "properties": {
                "data": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                    "items": {"oneOf": [ref("Success"), ref("Error")]},
                }
            },
        },
        "Info": {
            "type": "object",
            "required": ["per_page", "count", "page", "more_records"],
            "additionalProperties": False,
            "properties": {
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "count": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "page": {"type": "integer", "minimum": 1},
                "more_records": {"type": "boolean"},
            },
        },
        "UserRef": {
            "type": "object",
            "required": ["name", "id", "email"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "id": ID_STRING, "email": {"type": "string"}},
        },
        "LookupRef": {
            "type": "object",
            "required": ["name", "id"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "nullable": True}, "id": ID_STRING},
        },
        "LookupIn": {
            "description": "A lookup value: an id (string or number) or an object with ``id``.",
            "oneOf": [
                ID_STRING,
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                {"type": "object", "required": ["id"], "properties": {"id": ID_IN}},
            ],
        },
        **metadata_schemas(),
    }


def metadata_schemas() -> dict[str, Schema]:
    def obj(props: dict[str, Schema]) -> Schema:
        return {"type": "object", "required": list(props), "additionalProperties": False, "properties": props}

    s, b, i, o = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}, {"type": "object"}
    ns, no = {"type": "string", "nullable": True}, {"type": "object", "nullable": True}

    def optional(props: dict[str, Schema], description: str) -> Schema:
        """An attribute object that is ``{}`` when the field does not use it."""
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": props,
            "description": description,
        }

    field = obj(
        {
            "system_mandatory": b,
            "webhook": b,
            "json_type": s,
            "crypt": no,
            "field_label": s,
            "tooltip": no,
            "created_source": s,
            "field_read_only": b,
            "display_label": s,
            "read_only": b,
            "association_details": no,
            "quick_sequence_number": s,
            "businesscard_supported": b,
            "multi_module_lookup": o,
            "currency": o,
            "id": ID_STRING,
            "custom_field": b,
            "lookup": o,
            "visible": b,
            "length": i,
            "view_type": obj({"view": b, "edit": b, "quick_create": b, "create": b}),
            "subform": no,
            "api_name": s,
            "unique": optional({"casesensitive": s}, 'Set on a unique field ("false").'),
            "external": {
                "type": "object",
                "nullable": True,
                "description": "Zoho's external-id attributes; null for an ordinary field.",
                "properties": {
                    "show": b,
                    "type": {"type": "string", "enum": ["org", "user"]},
                    "allow_multiple_config": b,
                },
            },
            "data_type": s,
            "formula": optional({"return_type": s, "expression": s}, "A formula field's (not evaluated)."),
            "decimal_place": {"type": "integer", "nullable": True},
            "mass_update": b,
            "multiselectlookup": optional(
                {
                    "display_label": s,
                    "api_name": s,
                    "linking_module": s,
                    "lookup_apiname": s,
                    "connected_module": s,
                    "connectedlookup_apiname": s,
                    "id": ID_STRING,
                },
                "A multi-select lookup's linking module and its two lookup fields (docs/org-schema.md).",
            ),
            "pick_list_values": {
                "type": "array",
                "items": obj(
                    {"display_value": s, "sequence_number": i, "actual_value": s, "maps": {"type": "array"}}
                ),
            },
            "auto_number": optional(
                {"prefix": s, "start_number": i, "suffix": s}, "An autonumber field's numbering."
            ),
            "sequence_number": i,
        }
    )
    module = obj(
        {
            "global_search_supported": b,
            "deletable": b,
            "description": ns,
            "creatable": b,
            "inventory_template_supported": b,
            "modified_time": s,
            "plural_label": s,
            "presence_sub_menu": b,
            "triggers_supported": b,
            "id": ID_STRING,
            "visible": b,
            "visibility": i,
            "convertable": b,
            "editable": b,
            "profiles": {"type": "array", "items": obj({"name": s, "id": ID_STRING})},
            "filter_supported": b,
            "show_as_tab": b,
            "web_link": ns,
            "sequence_number": i,
            "singular_label": s,
            "viewable": b,
            "api_supported": b,
            "api_name": s,
            "quick_create": b,
            "modified_by": no,
            "generated_type": s,
            "feeds_required": b,
            "scoring_supported": b,
            "webform_supported": b,
            "arguments": {"type": "array"},
            "module_name": s,
            "business_card_field_limit": i,
            "parent_module": o,
        }
    )
    related_list = obj(
        {
            "sequence_number": s,
            "display_label": s,
            "api_name": s,
            "module": s,
            "name": s,
            "action": ns,
            "id": ID_STRING,
            "href": ns,
            "type": s,
            "connectedmodule": ns,
            "linkingmodule": ns,
        }
    )
    return {
        "Field": field,
        "Module": module,
        "RelatedList": related_list,
        "Modules": obj({"modules": {"type": "array", "items": ref("Module")}}),
        "Fields": obj({"fields": {"type": "array", "items": ref("Field")}}),
        "RelatedLists": obj({"related_lists": {"type": "array", "items": ref("RelatedList")}}),
    }


# --------------------------------------------------------------------------- per-field schemas


def field_out(f: FieldDef) -> Schema:
    """The JSON schema of a field's value as the server renders it (null when empty)."""
    kind = f.data_type
    schema: Schema
    if kind in TEXT_TYPES:
        schema = {"type": "string"}
    elif kind in INTEGER_TYPES:
        schema = {"type": "integer"}
    elif kind in NUMBER_TYPES:
        schema = {"type": "number"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "datetime":
        schema = {"type": "string"}
    elif kind == "picklist":
        schema = {"type": "string", "enum": list(f.picklist)}
    elif kind == "multiselectpicklist":
        schema = {"type": "array", "items": {"type": "string", "enum": list(f.picklist)}}
    elif kind == "ownerlookup":
        schema = ref("UserRef")
    elif kind in LOOKUP_TYPES:
        schema = ref("LookupRef")
    else:
        schema = {}
    return nullable(schema) if schema else schema


def field_in(f: FieldDef) -> Schema:
    """The JSON schema of the values the server accepts for a field (null clears it)."""
    kind = f.data_type
    schema: Schema
    if kind in TEXT_TYPES:
        schema = {"type": "string"}
        if f.length is not None:
            schema["maxLength"] = f.length
        if kind == "email":
            schema["pattern"] = r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"  # empty is accepted
    elif kind in INTEGER_TYPES:
        schema = {"type": "integer", "minimum": -(2**63) + 1, "maximum": 2**63 - 1}
    elif kind in NUMBER_TYPES:
        schema = {
            "type": "number",
            "minimum": -1e15,
            "maximum": 1e15,
            "exclusiveMinimum": True,
            "exclusiveMaximum": True,
        }
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
    elif kind == "picklist":
        schema = {"type": "string", "enum": list(f.picklist)}
    elif kind == "multiselectpicklist":
        schema = {"type": "array", "items": {"type": "string", "enum": list(f.picklist)}}
    elif kind in LOOKUP_TYPES:
        schema = ref("LookupIn")
    else:
        schema = {}
    if f.mandatory:
        if schema.get("type") == "string":
            # Blank strings count as missing (MANDATORY_NOT_FOUND).
            schema = {**schema, "minLength": 1, "pattern": schema.get("pattern", r"\S")}
        return schema
    return nullable(schema) if schema else schema


def record_out(module: ModuleDef) -> Schema:
    props: dict[str, Schema] = {f.api_name: field_out(f) for f in module.fields}
    if any(f.data_type == "subform" for f in module.fields):
        props["$line_tax"] = {
            "type": "array",
            "nullable": True,
            "description": "The order's taxes: name, percentage and the computed value.",
        }
    props.update(
        {
            "$se_module": {"type": "string"},
            "Created_Time": {"type": "string"},
            "Modified_Time": {"type": "string"},
            "Created_By": nullable(ref("UserRef")),
            "Modified_By": nullable(ref("UserRef")),
            "id": ID_STRING,
            "Tag": {
                "type": "array",
                "description": "The record's tags (record reads).",
                "items": {
                    "type": "object",
                    "required": ["name", "id"],
                    "properties": {"name": {"type": "string"}, "id": ID_STRING},
                },
            },
        }
    )
    return {
        "type": "object",
        "description": f"A {module.singular_label} record; with ``fields``, only those (and id).",
        "required": ["id"],
        "additionalProperties": False,
        "properties": props,
    }


def record_in(module: ModuleDef, *, creating: bool, with_id: bool) -> Schema:
    writable = [f for f in module.fields if not f.read_only]
    props: dict[str, Schema] = {f.api_name: field_in(f) for f in writable}
    props["$se_module"] = {"type": "string"}
    required = [f.api_name for f in module.mandatory_fields] if creating else []
    if with_id:
        props["id"] = ID_IN
        required.append("id")
    return {
        "type": "object",
        "description": (
            f"A {module.singular_label}. Unknown and read-only fields ({', '.join(sorted(SYSTEM_FIELDS))} "
            "and derived ones) are accepted and ignored, as Zoho does."
        ),
        "required": required,
        "additionalProperties": True,
        "properties": props,
    }


def data_body(item: Schema, *, max_items: int = MAX_ITEMS) -> Schema:
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "minItems": 1, "maxItems": max_items, "items": item}},
    }


def record_list(module_schema: str) -> Schema:
    return {
        "type": "object",
        "required": ["data", "info"],
        "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "minItems": 1, "maxItems": MAX_PER_PAGE, "items": ref(module_schema)},
            "info": ref("Info"),
        },
    }


def record_single(module_schema: str) -> Schema:
    return {
        "type": "object",
        "required": ["data"],
        "additionalProperties": False,
        "properties": {"data": {"type": "array", "minItems": 1, "maxItems": 1, "items": ref(module_schema)}},
    }
