"""The description of upsert, deleted records, record count and mass update, per module."""

from __future__ import annotations

from collections.abc import Iterable

from crmlink.api.openapi.operations import (
    IF_MODIFIED_SINCE,
    PAGE,
    PER_PAGE,
    VERSION,
    Operation,
    RouteDoc,
    empty_answer,
    json_body,
    json_content,
    make_op,
    query_param,
    with_errors,
)
from crmlink.api.openapi.schemas import ID_STRING, Schema, nullable, record_in, ref
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
        "DeletedRecord": {
            "type": "object",
            "required": ["deleted_by", "id", "display_name", "type", "created_by", "deleted_time"],
            "additionalProperties": False,
            "properties": {
                "deleted_by": nullable(ref("UserName")),
                "id": ID_STRING,
                "display_name": {"type": "string", "nullable": True},
                "type": {"type": "string", "enum": ["recycle", "permanent"]},
                "created_by": nullable(ref("UserName")),
                "deleted_time": {"type": "string", "format": "date-time"},
            },
        },
        "UserName": {
            "type": "object",
            "required": ["name", "id"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "id": ID_STRING},
        },
        "DeletedList": {
            "type": "object",
            "required": ["data", "info"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "minItems": 1, "maxItems": 200, "items": ref("DeletedRecord")},
                "info": ref("Info"),
            },
        },
        "Count": {
            "type": "object",
            "required": ["count"],
            "additionalProperties": False,
            "properties": {"count": {"type": "integer", "minimum": 0}},
        },
        "MassUpdateStatus": {
            "type": "object",
            "required": ["data"],
            "additionalProperties": False,
            "properties": {
                "data": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": {
                        "type": "object",
                        "required": [
                            "Status",
                            "Failed_Count",
                            "Updated_Count",
                            "Not_Updated_Count",
                            "Total_Count",
                        ],
                        "additionalProperties": False,
                        "properties": {
                            "Status": {
                                "type": "string",
                                "enum": ["SCHEDULED", "RUNNING", "COMPLETED", "FAILED"],
                            },
                            "Failed_Count": {"type": "integer"},
                            "Updated_Count": {"type": "integer"},
                            "Not_Updated_Count": {"type": "integer"},
                            "Total_Count": {"type": "integer"},
                        },
                    },
                }
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


def _deleted(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    kind = query_param(
        "type",
        {"type": "string", "enum": ["all", "recycle", "permanent"]},
        "Which deleted records (default all); others answer 400 PATTERN_NOT_MATCHED.",
    )
    for m in catalog.modules:
        ok = {
            200: {
                "description": "Deleted records, newest first.",
                "content": json_content(ref("DeletedList")),
            },
            204: empty_answer(204, "None."),
            304: empty_answer(304, "None deleted since If-Modified-Since."),
        }
        yield (
            f"/crm/{{version}}/{m.api_name}/deleted",
            make_op(
                f"deleted{m.api_name}",
                f"Deleted {m.plural_label}",
                [VERSION, kind, PAGE, PER_PAGE, IF_MODIFIED_SINCE],
                with_errors(ok, body=False),
            ),
        )


def _count(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        ok = {
            200: {"description": "How many records the module holds.", "content": json_content(ref("Count"))}
        }
        yield (
            f"/crm/{{version}}/{m.api_name}/actions/count",
            make_op(f"count{m.api_name}", f"Count {m.plural_label}", [VERSION], with_errors(ok, body=False)),
        )


def _mass_update(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m in catalog.modules:
        body = json_body(
            {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1,
                        "items": {"type": "object"},
                        "description": "One object: the field(s) to set (1; 3 in Deals). Email, lookup, "
                        "owner, multi-line and read-only fields answer 400 INVALID_DATA.",
                    },
                    "ids": {"type": "array", "minItems": 1, "maxItems": 500, "items": {}},
                    "cvid": {
                        "type": "string",
                        "description": "No custom views are served: 400 INVALID_DATA.",
                    },
                    "over_write": {"type": "boolean"},
                },
            },
            "The values to set and the records (ids, at most 500).",
        )
        results = {"description": "", "content": json_content(ref("ResultList"))}
        responses = with_errors(
            {
                200: {**results, "description": "All updated."},
                207: {**results, "description": "Some updated."},
            },
            body=True,
        )
        responses["400"] = {
            "description": "None updated (result list) or a request-level error.",
            "content": json_content({"oneOf": [ref("ResultList"), ref("Error")]}),
        }
        yield (
            f"/crm/{{version}}/{m.api_name}/actions/mass_update",
            make_op(
                f"massUpdate{m.api_name}",
                f"Mass update {m.plural_label}",
                [VERSION],
                responses,
                requestBody=body,
            ),
        )


def _mass_update_status(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    job = query_param("job_id", {"type": "string"}, "The job's id (404 NOT_FOUND when unknown).")
    for m in catalog.modules:
        ok = {200: {"description": "The job's counts.", "content": json_content(ref("MassUpdateStatus"))}}
        responses = with_errors(ok, body=False)
        yield (
            f"/crm/{{version}}/{m.api_name}/actions/mass_update",
            make_op(
                f"massUpdateStatus{m.api_name}",
                f"Mass update status ({m.plural_label})",
                [VERSION, job],
                responses,
            ),
        )


RECORDS_MORE_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", "/crm/{version}/{module}/actions/count", _count),
    RouteDoc("POST", "/crm/{version}/{module}/actions/mass_update", _mass_update),
    RouteDoc("GET", "/crm/{version}/{module}/actions/mass_update", _mass_update_status),
    RouteDoc("GET", "/crm/{version}/{module}/deleted", _deleted),
    RouteDoc("POST", "/crm/{version}/{module}/upsert", _upsert),
)
