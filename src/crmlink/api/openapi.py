"""The OpenAPI 3.0 description of the API, built by hand from the catalog and one route table.

Litestar's generated description cannot be used: handlers parse raw bodies themselves so that
every error is Zoho's, so the framework knows nothing of bodies, parameters or error answers.

``ROUTE_DOCS`` is the route table: one entry per served route (method and Litestar path
template), each expanding into concrete OpenAPI operations. Per-module routes are expanded per
module (``/crm/{version}/Leads``), per related list (``/crm/{version}/Leads/{record_id}/
Campaigns``), so each operation names the exact body it accepts and the exact records it answers.
Every operation carries ``x-crmlink-route`` naming the server route that serves it; a test checks
that the routes the app registers and the routes described are the same set.

Where the server accepts more than the description says it is said in the ``description`` of
the schema or parameter (module and related-list names match case-insensitively; ids may be JSON
numbers or strings; unknown record fields are ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.responses import JSON, json_response
from crmlink.domain.catalog import SYSTEM_FIELDS, Catalog, FieldDef, ListKind, ModuleDef, RelatedListDef
from crmlink.domain.values import INTEGER_TYPES, LOOKUP_TYPES, NUMBER_TYPES, TEXT_TYPES

Schema = dict[str, Any]
Operation = dict[str, Any]

MAX_ITEMS = 100
MAX_PER_PAGE = 200
_ID_PATTERN = "^[0-9]{1,19}$"
_IDS_PATTERN = "^[0-9]{1,19}(,[0-9]{1,19}){0,99}$"
_ERROR_CODES = [
    "INVALID_DATA",
    "UNABLE_TO_PARSE_DATA_TYPE",
    "INVALID_MODULE",
    "MANDATORY_NOT_FOUND",
    "REQUIRED_PARAM_MISSING",
    "LIMIT_EXCEEDED",
    "INVALID_REQUEST_METHOD",
    "AUTHORIZATION_FAILED",
    "DUPLICATE_DATA",
    "AUTHENTICATION_FAILURE",
    "INVALID_TOKEN",
    "OAUTH_SCOPE_MISMATCH",
    "NO_PERMISSION",
    "INVALID_URL_PATTERN",
    "REQUEST_ENTITY_TOO_LARGE",
    "TOO_MANY_REQUESTS",
    "INTERNAL_ERROR",
]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


# --------------------------------------------------------------------------- shared schemas

_ID_STRING: Schema = {"type": "string", "pattern": _ID_PATTERN, "description": "A record id: 1-19 digits."}
_ID_IN: Schema = {
    "description": "A record id: a string of 1-19 digits or a positive integer (both accepted).",
    "oneOf": [_ID_STRING, {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}],
}


def _common_schemas() -> dict[str, Schema]:
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
                "code": {"type": "string", "enum": _ERROR_CODES},
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
                    "items": {"oneOf": [_ref("Success"), _ref("Error")]},
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
            "properties": {"name": {"type": "string"}, "id": _ID_STRING, "email": {"type": "string"}},
        },
        "LookupRef": {
            "type": "object",
            "required": ["name", "id"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "nullable": True}, "id": _ID_STRING},
        },
        "LookupIn": {
            "description": "A lookup value: an id (string or number) or an object with ``id``.",
            "oneOf": [
                _ID_STRING,
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                {"type": "object", "required": ["id"], "properties": {"id": _ID_IN}},
            ],
        },
        **_metadata_schemas(),
    }


def _metadata_schemas() -> dict[str, Schema]:
    def obj(props: dict[str, Schema]) -> Schema:
        return {"type": "object", "required": list(props), "additionalProperties": False, "properties": props}

    s, b, i, o = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}, {"type": "object"}
    ns, no = {"type": "string", "nullable": True}, {"type": "object", "nullable": True}
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
            "id": _ID_STRING,
            "custom_field": b,
            "lookup": o,
            "visible": b,
            "length": i,
            "view_type": obj({"view": b, "edit": b, "quick_create": b, "create": b}),
            "subform": no,
            "api_name": s,
            "unique": o,
            "data_type": s,
            "formula": o,
            "decimal_place": {"type": "integer", "nullable": True},
            "mass_update": b,
            "multiselectlookup": o,
            "pick_list_values": {
                "type": "array",
                "items": obj(
                    {"display_value": s, "sequence_number": i, "actual_value": s, "maps": {"type": "array"}}
                ),
            },
            "auto_number": o,
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
            "id": _ID_STRING,
            "visible": b,
            "visibility": i,
            "convertable": b,
            "editable": b,
            "profiles": {"type": "array", "items": obj({"name": s, "id": _ID_STRING})},
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
            "id": _ID_STRING,
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
        "Modules": obj({"modules": {"type": "array", "items": _ref("Module")}}),
        "Fields": obj({"fields": {"type": "array", "items": _ref("Field")}}),
        "RelatedLists": obj({"related_lists": {"type": "array", "items": _ref("RelatedList")}}),
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
        schema = _ref("UserRef")
    elif kind in LOOKUP_TYPES:
        schema = _ref("LookupRef")
    else:
        schema = {}
    return _nullable(schema) if schema else schema


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
        schema = _ref("LookupIn")
    else:
        schema = {}
    if f.mandatory:
        if schema.get("type") == "string":
            # Blank strings count as missing (MANDATORY_NOT_FOUND).
            schema = {**schema, "minLength": 1, "pattern": schema.get("pattern", r"\S")}
        return schema
    return _nullable(schema) if schema else schema


def record_out(module: ModuleDef) -> Schema:
    props: dict[str, Schema] = {f.api_name: field_out(f) for f in module.fields}
    props.update(
        {
            "$se_module": {"type": "string"},
            "Created_Time": {"type": "string"},
            "Modified_Time": {"type": "string"},
            "Created_By": _nullable(_ref("UserRef")),
            "Modified_By": _nullable(_ref("UserRef")),
            "id": _ID_STRING,
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
        props["id"] = _ID_IN
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


def _data_body(item: Schema, *, max_items: int = MAX_ITEMS) -> Schema:
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "minItems": 1, "maxItems": max_items, "items": item}},
    }


def _record_list(module_schema: str) -> Schema:
    return {
        "type": "object",
        "required": ["data", "info"],
        "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "minItems": 1, "maxItems": MAX_PER_PAGE, "items": _ref(module_schema)},
            "info": _ref("Info"),
        },
    }


def _record_single(module_schema: str) -> Schema:
    return {
        "type": "object",
        "required": ["data"],
        "additionalProperties": False,
        "properties": {"data": {"type": "array", "minItems": 1, "maxItems": 1, "items": _ref(module_schema)}},
    }


# --------------------------------------------------------------------------- parameters and responses

_VERSION = {
    "name": "version",
    "in": "path",
    "required": True,
    "description": "API version; any other value answers 404 INVALID_URL_PATTERN.",
    "schema": {"type": "string", "enum": ["v2", "v2.1"]},
}


def _path(name: str, description: str, schema: Schema | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or _ID_STRING,
    }


def _query(name: str, schema: Schema, description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_IF_MODIFIED_SINCE = {
    "name": "If-Modified-Since",
    "in": "header",
    "required": False,
    "description": "ISO-8601 date-time with offset; 304 when nothing changed since (400 if unparsable; "
    "an empty value is ignored).",
    "schema": {"type": "string", "format": "date-time"},
}
_PAGE = _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "Page number, from 1.")
_PER_PAGE = _query(
    "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Records per page (max 200)."
)
_FIELDS = _query("fields", {"type": "string"}, "Comma-separated field api names; unknown names are ignored.")
_IDS = _query(
    "ids",
    {"type": "string", "pattern": _IDS_PATTERN},
    "Comma-separated record ids, at most 100.",
    required=True,
)

_JSON_HEADER = {
    "Content-Type": {"schema": {"type": "string", "enum": [JSON]}, "description": "Always Zoho's JSON type."}
}

_ERROR_TEXT = {
    400: "Bad request: INVALID_DATA, INVALID_MODULE, MANDATORY_NOT_FOUND, REQUIRED_PARAM_MISSING, "
    "LIMIT_EXCEEDED, "
    "UNABLE_TO_PARSE_DATA_TYPE, AUTHORIZATION_FAILED, INVALID_REQUEST_METHOD.",
    401: "AUTHENTICATION_FAILURE (no usable Authorization header), INVALID_TOKEN, OAUTH_SCOPE_MISMATCH.",
    403: "NO_PERMISSION: the user's profile lacks the permission.",
    404: "INVALID_URL_PATTERN: unknown version or path.",
    413: "REQUEST_ENTITY_TOO_LARGE: the body is over the configured limit (not read further).",
    429: "TOO_MANY_REQUESTS: API credits or the concurrency cap are exhausted (when enabled).",
    500: "INTERNAL_ERROR: nothing internal is revealed.",
}


def _content(schema: Schema) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def _error(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _ERROR_TEXT[status], "content": _content(_ref("Error"))}
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 1},
                "required": True,
                "description": "Seconds to wait.",
            }
        }
    return response


def _empty(status: int, description: str) -> dict[str, Any]:
    return {"description": description, "headers": _JSON_HEADER}


def _responses(
    ok: dict[int, dict[str, Any]], *, body: bool, auth: bool = True, forbidden: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {str(k): v for k, v in ok.items()}
    errors = [400, 404, 429, 500]
    if auth:
        errors.append(401)
    if forbidden:
        errors.append(403)
    if body:
        errors.append(413)
    for status in sorted(errors):
        out.setdefault(str(status), _error(status))
    return out


def _results(status: int, text: str) -> dict[str, Any]:
    return {"description": text, "content": _content(_ref("ResultList"))}


def _json_body(schema: Schema, description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description + " Parsed whatever the Content-Type says (Zoho's SDKs send none).",
        "content": {"application/json": {"schema": schema}},
    }


# --------------------------------------------------------------------------- the route table


@dataclass(frozen=True, slots=True)
class RouteDoc:
    """One served route and how it expands into OpenAPI operations."""

    method: str
    route: str  # the Litestar path, without type annotations
    expand: Callable[[Catalog], Iterable[tuple[str, Operation]]]


def _op(
    op_id: str, summary: str, params: list[dict[str, Any]], responses: dict[str, Any], **extra: Any
) -> Operation:
    return {"operationId": op_id, "summary": summary, "parameters": params, "responses": responses, **extra}


def _module_path(module: ModuleDef) -> str:
    return f"/crm/{{version}}/{module.api_name}"


_RECORD_ID = _path("record_id", "The record's id (1-19 digits; anything else answers 400 INVALID_DATA).")


def _list_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        sortable = ["id", "Created_Time", "Modified_Time", *(f.api_name for f in m.fields)]
        params = [
            _VERSION,
            _PAGE,
            _PER_PAGE,
            _FIELDS,
            _query(
                "ids",
                {"type": "string", "pattern": "^$|" + _IDS_PATTERN},
                "Comma-separated record ids, at most 100 (empty: no filter).",
            ),
            _query("sort_by", {"type": "string", "enum": sortable}, "Field to sort by."),
            _query(
                "sort_order", {"type": "string", "enum": ["asc", "desc"]}, "Sort direction (default desc)."
            ),
            _IF_MODIFIED_SINCE,
        ]
        ok = {
            200: {
                "description": "A page of records.",
                "content": _content(_record_list(f"Record_{m.api_name}")),
            },
            204: _empty(204, "No records."),
            304: _empty(304, "Nothing modified since If-Modified-Since."),
        }
        yield (
            _module_path(m),
            _op(f"list{m.api_name}", f"List {m.plural_label}", params, _responses(ok, body=False)),
        )


def _get_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        ok = {
            200: {"description": "The record.", "content": _content(_record_single(f"Record_{m.api_name}"))},
            204: _empty(204, "No such record."),
        }
        yield (
            _module_path(m) + "/{record_id}",
            _op(
                f"get{m.api_name}",
                f"Get a {m.singular_label}",
                [_VERSION, _RECORD_ID],
                _responses(ok, body=False),
            ),
        )


def _insert_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        ok = {
            201: _results(201, "All created."),
            207: _results(207, "Some created."),
            400: _results(400, "None created, or a request-level error."),
        }
        responses = _responses(ok, body=True)
        responses["400"] = {
            "description": "None created (result list) or a request-level error.",
            "content": _content({"oneOf": [_ref("ResultList"), _ref("Error")]}),
        }
        body = _json_body(_data_body(record_in(m, creating=True, with_id=False)), "1 to 100 records.")
        yield (
            _module_path(m),
            _op(f"insert{m.api_name}", f"Insert {m.plural_label}", [_VERSION], responses, requestBody=body),
        )


def _write_results(ok_text: str) -> dict[str, Any]:
    responses = _responses({200: _results(200, ok_text), 207: _results(207, "Some succeeded.")}, body=True)
    responses["400"] = {
        "description": "None succeeded (result list) or a request-level error.",
        "content": _content({"oneOf": [_ref("ResultList"), _ref("Error")]}),
    }
    return responses


def _update_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        body = _json_body(
            _data_body(record_in(m, creating=False, with_id=True)), "1 to 100 records, each with its id."
        )
        yield (
            _module_path(m),
            _op(
                f"update{m.api_name}",
                f"Update {m.plural_label}",
                [_VERSION],
                _write_results("All updated."),
                requestBody=body,
            ),
        )


def _update_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        body = _json_body(
            _data_body(record_in(m, creating=False, with_id=False), max_items=1), "Exactly one record."
        )
        yield (
            _module_path(m) + "/{record_id}",
            _op(
                f"updateOne{m.api_name}",
                f"Update a {m.singular_label}",
                [_VERSION, _RECORD_ID],
                _write_results("Updated."),
                requestBody=body,
            ),
        )


def _delete_results() -> dict[str, Any]:
    responses = _responses(
        {200: _results(200, "All deleted."), 207: _results(207, "Some deleted.")}, body=False
    )
    responses["400"] = {
        "description": "None deleted (result list) or a request-level error.",
        "content": _content({"oneOf": [_ref("ResultList"), _ref("Error")]}),
    }
    return responses


def _delete_records(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        yield (
            _module_path(m),
            _op(f"delete{m.api_name}", f"Delete {m.plural_label}", [_VERSION, _IDS], _delete_results()),
        )


def _delete_record(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        yield (
            _module_path(m) + "/{record_id}",
            _op(
                f"deleteOne{m.api_name}",
                f"Delete a {m.singular_label}",
                [_VERSION, _RECORD_ID],
                _delete_results(),
            ),
        )


def _module_names(catalog: Catalog) -> Schema:
    return {
        "type": "string",
        "enum": [m.api_name for m in catalog.modules],
        "description": "A module api name (matched case-insensitively; others answer 400 INVALID_MODULE).",
    }


def _settings(
    path: str,
    op_id: str,
    summary: str,
    schema: str,
    extra: list[dict[str, Any]] | None = None,
    *,
    since: bool = False,
) -> Callable[[Catalog], Iterable[tuple[str, Operation]]]:
    def expand(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
        params = [_VERSION]
        if extra:
            params += [
                p if p.get("name") != "module" else {**p, "schema": _module_names(catalog)} for p in extra
            ]
        ok: dict[int, dict[str, Any]] = {200: {"description": summary, "content": _content(_ref(schema))}}
        if since:
            params.append(_IF_MODIFIED_SINCE)
            ok[304] = _empty(304, "The catalog has not changed since If-Modified-Since.")
        yield path, _op(op_id, summary, params, _responses(ok, body=False, forbidden=False))

    return expand


# --------------------------------------------------------------------------- related records


def _served_lists(catalog: Catalog, *kinds: ListKind) -> Iterable[tuple[ModuleDef, RelatedListDef]]:
    for m in catalog.modules:
        for rl in m.related_lists:
            if rl.kind in kinds:
                yield m, rl


def _relation_fields(catalog: Catalog, rl: RelatedListDef) -> tuple[FieldDef, ...]:
    return catalog.relation_map[rl.relation].fields if rl.kind is ListKind.LINK and rl.relation else ()


def _related_schema_name(m: ModuleDef, rl: RelatedListDef) -> str:
    return f"Related_{m.api_name}_{rl.api_name}"


def related_out(catalog: Catalog, m: ModuleDef, rl: RelatedListDef) -> Schema:
    """A related record: the related module's record plus the relation's fields (null unset)."""
    schema = record_out(catalog.module_map[rl.module])
    props = dict(schema["properties"])
    for f in _relation_fields(catalog, rl):
        props[f.api_name] = field_out(f) or {"nullable": True}
    return {
        **schema,
        "description": f"A record of {rl.module} related to a {m.singular_label}.",
        "properties": props,
    }


def relation_field_in(f: FieldDef) -> Schema:
    """Relation values are stricter than record values: numbers not negative, texts not blank."""
    schema = dict(field_in(f))
    if schema.get("type") in ("number", "integer"):
        schema.update(minimum=0, exclusiveMinimum=False)
    elif schema.get("type") == "string" and "enum" not in schema:
        schema["pattern"] = r"\S"
    return schema


def relate_item(catalog: Catalog, rl: RelatedListDef, *, with_id: bool) -> Schema:
    props: dict[str, Schema] = {f.api_name: relation_field_in(f) for f in _relation_fields(catalog, rl)}
    required: list[str] = []
    if with_id:
        props["id"] = {**_ID_IN, "description": "The related record's id (a string or a number)."}
        required.append("id")
    return {
        "type": "object",
        "description": "Relation values: an absent key keeps the stored value, null clears it; "
        "other keys are ignored (as Zoho does)" + ("." if with_id else "; an ``id`` key is ignored."),
        "required": required,
        "additionalProperties": True,
        "properties": props,
    }


def _related_path(m: ModuleDef, rl: RelatedListDef) -> str:
    return f"/crm/{{version}}/{m.api_name}/{{record_id}}/{rl.api_name}"


_PARENT_ID = _path("record_id", "The parent record's id (anything else: 400 INVALID_DATA).")
_RELATED_ID = _path("related_id", "The related record's id.")


def _list_related(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        name = _related_schema_name(m, rl)
        ok = {
            200: {"description": "A page of related records.", "content": _content(_record_list(name))},
            204: _empty(204, "No related records."),
            304: _empty(304, "Nothing modified since If-Modified-Since."),
        }
        params = [_VERSION, _PARENT_ID, _PAGE, _PER_PAGE, _FIELDS, _IF_MODIFIED_SINCE]
        op_id = f"listRelated{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl),
            _op(op_id, f"{rl.label} of a {m.singular_label}", params, _responses(ok, body=False)),
        )


def _get_related(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        ok = {
            200: {
                "description": "The related record.",
                "content": _content(_record_single(_related_schema_name(m, rl))),
            },
            204: _empty(204, "Not related."),
            304: _empty(304, "Not modified since If-Modified-Since."),
        }
        params = [_VERSION, _PARENT_ID, _RELATED_ID, _FIELDS, _IF_MODIFIED_SINCE]
        op_id = f"getRelated{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl) + "/{related_id}",
            _op(op_id, f"One of {rl.label}", params, _responses(ok, body=False)),
        )


def _relate(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK):
        body = _json_body(_data_body(relate_item(catalog, rl, with_id=True)), "1 to 100 related records.")
        op_id = f"relate{m.api_name}{rl.api_name}"
        summary = f"Relate {rl.label} to a {m.singular_label} (or update relation data)"
        yield (
            _related_path(m, rl),
            _op(op_id, summary, [_VERSION, _PARENT_ID], _write_results("All related."), requestBody=body),
        )


def _relate_one(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK):
        body = _json_body(
            _data_body(relate_item(catalog, rl, with_id=False), max_items=1), "Exactly one item."
        )
        op_id = f"relateOne{m.api_name}{rl.api_name}"
        params = [_VERSION, _PARENT_ID, _RELATED_ID]
        yield (
            _related_path(m, rl) + "/{related_id}",
            _op(op_id, "Relate one", params, _write_results("Related."), requestBody=body),
        )


def _delink(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK):
        op_id = f"delink{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl),
            _op(op_id, f"Delink {rl.label}", [_VERSION, _PARENT_ID, _IDS], _delete_results()),
        )


def _delink_one(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in _served_lists(catalog, ListKind.LINK):
        op_id = f"delinkOne{m.api_name}{rl.api_name}"
        params = [_VERSION, _PARENT_ID, _RELATED_ID]
        yield _related_path(m, rl) + "/{related_id}", _op(op_id, "Delink one", params, _delete_results())


_RELATED_LIST = "/crm/{version}/{module}/{record_id}/{related_list}"
RELATED_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", _RELATED_LIST, _list_related),
    RouteDoc("GET", _RELATED_LIST + "/{related_id}", _get_related),
    RouteDoc("PUT", _RELATED_LIST, _relate),
    RouteDoc("PUT", _RELATED_LIST + "/{related_id}", _relate_one),
    RouteDoc("DELETE", _RELATED_LIST, _delink),
    RouteDoc("DELETE", _RELATED_LIST + "/{related_id}", _delink_one),
)


# --------------------------------------------------------------------------- users and OAuth

_HTML = "text/html"
_USER_TYPES = [
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
]


def _user_schema() -> Schema:
    s, b, ns = {"type": "string"}, {"type": "boolean"}, {"type": "string", "nullable": True}
    props: dict[str, Schema] = {
        "id": _ID_STRING,
        "zuid": _ID_STRING,
        "first_name": ns,
        "last_name": ns,
        "full_name": s,
        "email": s,
        "status": {"type": "string", "enum": ["active", "disabled"]},
        "confirm": b,
        "profile": {
            "type": "object",
            "required": ["name", "id"],
            "additionalProperties": False,
            "properties": {"name": s, "id": _ID_STRING},
        },
        "role": {"type": "object", "nullable": True},
        "created_time": s,
        "Modified_Time": s,
        "time_zone": s,
        "locale": s,
        "language": s,
        "country_locale": s,
        "date_format": s,
        "time_format": s,
        "territories": {"type": "array"},
    }
    return {"type": "object", "required": list(props), "additionalProperties": False, "properties": props}


def _users_body(*, single: bool) -> Schema:
    users: Schema = {"type": "array", "minItems": 1, "items": _ref("User")}
    if single:
        return {
            "type": "object",
            "required": ["users"],
            "additionalProperties": False,
            "properties": {"users": {**users, "maxItems": 1}},
        }
    return {
        "type": "object",
        "required": ["users", "info"],
        "additionalProperties": False,
        "properties": {"users": {**users, "maxItems": MAX_PER_PAGE}, "info": _ref("Info")},
    }


def _list_users(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        _VERSION,
        _query("type", {"type": "string", "enum": _USER_TYPES}, "Which users (default AllUsers)."),
        _PAGE,
        _PER_PAGE,
    ]
    ok = {
        200: {"description": "A page of users.", "content": _content(_users_body(single=False))},
        204: _empty(204, "No users of that type."),
    }
    yield (
        "/crm/{version}/users",
        _op("listUsers", "The org's users", params, _responses(ok, body=False, forbidden=False)),
    )


def _get_user(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [_VERSION, _path("user_id", "The user's id.")]
    ok = {
        200: {"description": "The user.", "content": _content(_users_body(single=True))},
        204: _empty(204, "No such user."),
    }
    yield (
        "/crm/{version}/users/{user_id}",
        _op("getUser", "One user", params, _responses(ok, body=False, forbidden=False)),
    )


def _form(props: dict[str, Schema], description: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": props}
    return {
        "required": False,
        "description": description + " Query-string parameters are read too; the body wins.",
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "multipart/form-data": {"schema": schema},
        },
    }


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_HTML: {"schema": {"type": "string"}}}}


# A multipart body that cannot be parsed is refused before the handler, in Zoho's envelope.
_MALFORMED_FORM = {"description": "A malformed form body.", "content": _content(_ref("Error"))}


def _html_or_malformed(description: str) -> dict[str, Any]:
    return {
        "description": description + " A malformed form body gets Zoho's error envelope (JSON).",
        "content": {_HTML: {"schema": {"type": "string"}}, JSON: {"schema": _ref("Error")}},
    }


_REDIRECT = {
    "description": "Redirect to the client's redirect_uri (or back to sign-in).",
    "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
}


def _oauth_op(op_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> Operation:
    responses = {**responses, "500": _error(500)}
    return {
        "operationId": op_id,
        "summary": summary,
        "security": [],
        "parameters": extra.pop("parameters", []),
        "responses": responses,
        **extra,
    }


def _token(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form(
        {
            "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
            "client_id": s,
            "client_secret": s,
            "code": s,
            "redirect_uri": s,
            "refresh_token": s,
        },
        "The grant to exchange.",
    )
    tokens = {
        "type": "object",
        "required": ["access_token", "api_domain", "token_type", "expires_in"],
        "additionalProperties": False,
        "properties": {
            "access_token": s,
            "refresh_token": s,
            "api_domain": s,
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer", "minimum": 0},
        },
    }
    refusal = {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "string",
                "enum": ["unsupported_grant_type", "invalid_client", "invalid_code", "invalid_redirect_uri"],
            }
        },
    }
    responses = {
        "200": {
            "description": 'Tokens, or a refusal ``{"error"}`` (200, as Zoho\'s accounts server).',
            "content": _content({"oneOf": [tokens, refusal]}),
        },
        "400": _MALFORMED_FORM,
        "413": _error(413),
    }
    yield (
        "/oauth/v2/token",
        _oauth_op("token", "Exchange a grant token or a refresh token", responses, requestBody=body),
    )


def _revoke(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _form(
        {"token": {"type": "string"}}, "A refresh token (revokes its access tokens too) or an access token."
    )
    responses = {
        "200": {
            "description": "Revoked.",
            "content": _content(
                {
                    "type": "object",
                    "required": ["status"],
                    "additionalProperties": False,
                    "properties": {"status": {"type": "string", "enum": ["success"]}},
                }
            ),
        },
        "400": {
            "description": "No token, or an unknown or already revoked one; or a malformed form body "
            "(then Zoho's error envelope).",
            "content": _content(
                {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["error"],
                            "additionalProperties": False,
                            "properties": {
                                "error": {"type": "string", "enum": ["invalid_request", "invalid_token"]}
                            },
                        },
                        _ref("Error"),
                    ]
                }
            ),
        },
        "413": _error(413),
    }
    yield "/oauth/v2/token/revoke", _oauth_op("revoke", "Revoke a token", responses, requestBody=body)


def _authorize(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    params = [
        _query("response_type", {"type": "string", "enum": ["code"]}, "Must be ``code``.", required=True),
        _query("client_id", s, "The client.", required=True),
        _query("scope", s, "Comma-separated scopes.", required=True),
        _query("redirect_uri", s, "A redirect URI registered for the client.", required=True),
        _query("state", s, "Returned unchanged."),
        _query(
            "access_type", {"type": "string", "enum": ["offline", "online"]}, "offline: a refresh token too."
        ),
        _query("prompt", s, "Accepted and ignored."),
    ]
    responses = {
        "200": _html("The sign-in page."),
        "302": _REDIRECT,
        "400": _html("Unknown client or redirect_uri (shown, not redirected)."),
    }
    yield (
        "/oauth/v2/auth",
        _oauth_op("authorize", "Start the browser sign-in and consent", responses, parameters=params),
    )


def _sign_in(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form({"email": s, "password": s, "csrf_token": s}, "The sign-in form.")
    responses = {
        "200": _html("The consent page, or the sign-in page again with an error."),
        "400": _html_or_malformed("A problem with the request."),
        "403": _html("Expired or forged form, or too many failed sign-ins."),
        "413": _error(413),
    }
    yield "/oauth/v2/auth/signin", _oauth_op("signIn", "Sign in", responses, requestBody=body)


def _consent(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    s = {"type": "string"}
    body = _form(
        {"decision": {"type": "string", "enum": ["allow", "deny"]}, "csrf_token": s}, "The consent form."
    )
    responses = {
        "302": _REDIRECT,
        "400": _html_or_malformed("A problem with the request."),
        "403": _html("Expired or forged form."),
        "413": _error(413),
    }
    yield "/oauth/v2/auth/consent", _oauth_op("consent", "Allow or deny", responses, requestBody=body)


def _demo_callback(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        _query("code", {"type": "string"}, "The grant token."),
        _query("error", {"type": "string"}, "A refusal."),
    ]
    responses = {"200": _html("Shows the grant token to copy.")}
    yield (
        "/oauth/v2/demo-callback",
        _oauth_op("demoCallback", "Where the demo client's browser flow lands", responses, parameters=params),
    )


OAUTH_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", "/crm/{version}/users", _list_users),
    RouteDoc("GET", "/crm/{version}/users/{user_id}", _get_user),
    RouteDoc("POST", "/oauth/v2/token", _token),
    RouteDoc("POST", "/oauth/v2/token/revoke", _revoke),
    RouteDoc("GET", "/oauth/v2/auth", _authorize),
    RouteDoc("POST", "/oauth/v2/auth/signin", _sign_in),
    RouteDoc("POST", "/oauth/v2/auth/consent", _consent),
    RouteDoc("GET", "/oauth/v2/demo-callback", _demo_callback),
)


_MODULE_QUERY = _query("module", {"type": "string"}, "The module's api name.", required=True)

ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc(
        "GET",
        "/crm/{version}/settings/modules",
        _settings("/crm/{version}/settings/modules", "listModules", "All modules.", "Modules", since=True),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/modules/{api_name}",
        lambda c: _settings(
            "/crm/{version}/settings/modules/{api_name}",
            "getModule",
            "One module.",
            "Modules",
            [
                {
                    "name": "api_name",
                    "in": "path",
                    "required": True,
                    "description": "The module's api name.",
                    "schema": _module_names(c),
                }
            ],
        )(c),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/fields",
        _settings(
            "/crm/{version}/settings/fields", "listFields", "A module's fields.", "Fields", [_MODULE_QUERY]
        ),
    ),
    RouteDoc(
        "GET",
        "/crm/{version}/settings/related_lists",
        _settings(
            "/crm/{version}/settings/related_lists",
            "listRelatedLists",
            "A module's related lists.",
            "RelatedLists",
            [_MODULE_QUERY],
        ),
    ),
    RouteDoc("GET", "/crm/{version}/{module}", _list_records),
    RouteDoc("GET", "/crm/{version}/{module}/{record_id}", _get_record),
    RouteDoc("POST", "/crm/{version}/{module}", _insert_records),
    RouteDoc("PUT", "/crm/{version}/{module}", _update_records),
    RouteDoc("PUT", "/crm/{version}/{module}/{record_id}", _update_record),
    RouteDoc("DELETE", "/crm/{version}/{module}", _delete_records),
    RouteDoc("DELETE", "/crm/{version}/{module}/{record_id}", _delete_record),
    RouteDoc("GET", "/openapi.json", lambda _c: [("/openapi.json", _openapi_op())]),
)


def _openapi_op() -> Operation:
    return {
        "operationId": "openapi",
        "summary": "This description.",
        "security": [],
        "parameters": [],
        "responses": {
            "200": {"description": "OpenAPI 3.0 document.", "content": _content({"type": "object"})}
        },
    }


def build_openapi(catalog: Catalog) -> dict[str, Any]:
    """The whole description; deterministic for a given catalog."""
    paths: dict[str, dict[str, Operation]] = {}
    for doc in ROUTE_DOCS:
        for path, operation in doc.expand(catalog):
            operation["x-crmlink-route"] = doc.route
            methods = paths.setdefault(path, {})
            key = doc.method.lower()
            if key in methods:
                raise ValueError(f"{doc.method} {path} described twice")
            methods[key] = operation
    schemas = _common_schemas()
    for m in catalog.modules:
        schemas[f"Record_{m.api_name}"] = record_out(m)
    for m, rl in _served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        schemas[_related_schema_name(m, rl)] = related_out(catalog, m, rl)
    schemas["User"] = _user_schema()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "crmlink",
            "version": "1",
            "description": (
                "Zoho CRM REST API v2 / v2.1 (records, metadata, related records) as served by crmlink. "
                "Authenticate with ``Authorization: Zoho-oauthtoken <access token>`` "
                "(``Bearer`` is accepted too)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"zoho_oauthtoken": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "zoho_oauthtoken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "``Zoho-oauthtoken <access token>``.",
                }
            },
        },
    }


_built: dict[int, dict[str, Any]] = {}


def openapi_for(catalog: Catalog) -> dict[str, Any]:
    """``build_openapi`` once per catalog (the catalog is immutable)."""
    found = _built.get(id(catalog))
    if found is None:
        found = _built[id(catalog)] = build_openapi(catalog)
    return found


@get("/openapi.json", include_in_schema=False)
async def openapi_json(request: Req) -> Response[bytes]:
    """The description; needs no token."""
    return json_response(openapi_for(services(request).catalog))


ROUTES = [openapi_json]
