"""The description of upsert, deleted records, record count and mass update, per module."""

from __future__ import annotations

from collections.abc import Iterable

from crmlink.api.openapi.operations import (
    VERSION,
    Operation,
    RouteDoc,
    json_body,
    json_content,
    make_op,
    with_errors,
)
from crmlink.api.openapi.schemas import Schema, record_in, ref
from crmlink.api.params import MAX_ITEMS
from crmlink.domain.catalog import Catalog


def more_schemas() -> dict[str, Schema]:
    """Schemas these routes add to ``components``."""
    return {
        "UpsertSuccess": {
            "type": "object",
            "required": ["code", "duplicate_field", "action", "details", "message", "status"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": ["SUCCESS"]},
                "duplicate_field": {"type": "string", "nullable": True},
                "action": {"type": "string", "enum": ["insert", "update"]},
                "details": {"type": "object"},
                "message": {"type": "string", "enum": ["record added", "record updated"]},
                "status": {"type": "string", "enum": ["success"]},
            },
        },
        "UpsertResultList": {
            "type": "object",
            "description": "One result per input item, in input order.",
            "required": ["data"],
            "additionalProperties": False,
            "properties": {
                "data": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                    "items": {"oneOf": [ref("UpsertSuccess"), ref("Error")]},
                }
            },
        },
    }


def _upsert(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        if not m.key_fields:
            continue
        keys = [f.api_name for f in m.key_fields]
        body = json_body(
            {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_ITEMS,
                        "items": record_in(m, creating=False, with_id=False),
                    },
                    "duplicate_check_fields": {
                        "type": "array",
                        "items": {"type": "string", "enum": keys},
                        "description": "Fields checked in this order (default: "
                        + ", ".join(keys)
                        + "); others answer 400 INVALID_DATA.",
                    },
                    "trigger": {"type": "array", "items": {"type": "string"}},
                },
            },
            "1 to 100 records; each updates the record holding its first matching duplicate-check "
            "value, or is inserted (then the module's mandatory fields are required).",
        )
        results = {"description": "", "content": json_content(ref("UpsertResultList"))}
        responses = with_errors(
            {
                200: {**results, "description": "All inserted or updated."},
                207: {**results, "description": "Some succeeded."},
            },
            body=True,
        )
        responses["400"] = {
            "description": "None succeeded (result list) or a request-level error.",
            "content": json_content({"oneOf": [ref("UpsertResultList"), ref("Error")]}),
        }
        yield (
            f"/crm/{{version}}/{m.api_name}/upsert",
            make_op(
                f"upsert{m.api_name}", f"Upsert {m.plural_label}", [VERSION], responses, requestBody=body
            ),
        )


RECORDS_MORE_ROUTE_DOCS: tuple[RouteDoc, ...] = (RouteDoc("POST", "/crm/{version}/{module}/upsert", _upsert),)
