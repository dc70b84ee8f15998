"""The admin API (``/__crmlink/...``) in the description: test orgs, clock, faults, request log,
data loading.

Every admin operation answers 404 ``INVALID_URL_PATTERN`` when the server has no admin key, and
401 ``AUTHENTICATION_FAILURE`` without the right ``X-Crmlink-Admin-Key``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    Operation,
    RouteDoc,
    error_answer,
    json_content,
    make_op,
    path_param,
    query_param,
)
from crmlink.api.openapi.schemas import Schema
from crmlink.domain.catalog import Catalog

ADMIN_SECURITY: list[dict[str, list[str]]] = [{"crmlink_admin": []}]

ADMIN_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Crmlink-Admin-Key",
    "description": "The server's admin key (CRMLINK_ADMIN_KEY); without one configured the admin "
    "API answers 404 like any unknown path.",
}

ORG_ID = path_param("org_id", "The org's id.", {"type": "string", "pattern": "^[0-9]{1,19}$"})

_OBJECT: Schema = {"type": "object"}


def _body(schema: Schema, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "required": required,
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _answers(ok: int, description: str, *, body: bool) -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": description, "content": json_content(_OBJECT)}}
    for status in (400, 401, 404, *((413,) if body else ()), 500):
        out[str(status)] = error_answer(status)
    return out


def _op(
    op_id: str, summary: str, params: list[dict[str, Any]], ok: int, *, body: dict[str, Any] | None = None
) -> Operation:
    extra: dict[str, Any] = {"security": ADMIN_SECURITY, "tags": ["admin"]}
    if body is not None:
        extra["requestBody"] = body
    return make_op(op_id, summary, params, _answers(ok, summary, body=body is not None), **extra)


_ORG_BODY: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "admin_email": {"type": "string", "format": "email"},
        "admin_name": {"type": "string", "minLength": 1},
        "scope": {"type": "string", "minLength": 1},
    },
}

_USER_BODY: Schema = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "name": {"type": "string", "minLength": 1},
        "profile": {"type": "string", "minLength": 1},
    },
}

_CLOCK_BODY: Schema = {
    "type": "object",
    "properties": {"advance_seconds": {"type": "number", "minimum": 0}, "reset": {"type": "boolean"}},
}

_FAULT_BODY: Schema = {
    "type": "object",
    "required": ["action"],
    "properties": {
        "action": {"type": "string", "enum": ["error", "delay", "close"]},
        "path": {"type": "string", "description": "fnmatch pattern of the path, e.g. /crm/*/Leads*"},
        "method": {"type": "string"},
        "org_id": {"type": "string"},
        "times": {"type": "integer", "minimum": 0, "description": "Fire for the next N matches (default 1)."},
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "code": {"type": "string", "description": "Zoho's error code, e.g. TOO_MANY_REQUESTS."},
        "message": {"type": "string"},
        "delay_ms": {"type": "integer", "minimum": 0},
    },
}


def _create_org(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _body(_ORG_BODY, "All optional: the org's name, its administrator and the tokens' scope.")
    yield (
        "/__crmlink/orgs",
        _op("adminCreateOrg", "A fresh org with a user, a client and tokens", [], 201, body=body),
    )


def _add_user(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _body(_USER_BODY, "All optional; profile Administrator, Standard or a custom one.")
    yield (
        "/__crmlink/orgs/{org_id}/users",
        _op("adminAddUser", "Another user of the org", [ORG_ID], 201, body=body),
    )


def _delete_org(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield "/__crmlink/orgs/{org_id}", _op("adminDeleteOrg", "Delete the org and all it holds", [ORG_ID], 200)


def _reset_org(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield (
        "/__crmlink/orgs/{org_id}/reset",
        _op("adminResetOrg", "Empty the org's data, keeping users, clients and tokens", [ORG_ID], 200),
    )


SNAPSHOT_ID = path_param("snapshot_id", "The snapshot's id.", {"type": "string", "pattern": "^[0-9]{1,19}$"})


def _take_snapshot(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield (
        "/__crmlink/orgs/{org_id}/snapshots",
        _op("adminTakeSnapshot", "Snapshot the org's data", [ORG_ID], 201),
    )


def _restore_snapshot(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield (
        "/__crmlink/orgs/{org_id}/snapshots/{snapshot_id}/restore",
        _op("adminRestoreSnapshot", "Restore the org's data from a snapshot", [ORG_ID, SNAPSHOT_ID], 200),
    )


def _drop_snapshot(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield (
        "/__crmlink/orgs/{org_id}/snapshots/{snapshot_id}",
        _op("adminDropSnapshot", "Forget a snapshot", [ORG_ID, SNAPSHOT_ID], 200),
    )


def _get_clock(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield "/__crmlink/orgs/{org_id}/clock", _op("adminGetClock", "The org's clock", [ORG_ID], 200)


def _move_clock(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _body(_CLOCK_BODY, "advance_seconds moves the clock forward; reset puts it back.", required=True)
    yield (
        "/__crmlink/orgs/{org_id}/clock",
        _op("adminMoveClock", "Move the org's clock", [ORG_ID], 200, body=body),
    )


_ORG_FILTER = query_param("org_id", {"type": "string"}, "Only the rules (or firings) of this org.")


def _add_fault(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    body = _body(_FAULT_BODY, "A fault rule.", required=True)
    yield "/__crmlink/faults", _op("adminAddFault", "Add a fault rule", [], 201, body=body)


def _list_faults(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield "/__crmlink/faults", _op("adminListFaults", "The fault rules", [_ORG_FILTER], 200)


def _clear_faults(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield "/__crmlink/faults", _op("adminClearFaults", "Remove fault rules", [_ORG_FILTER], 200)


def _remove_fault(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    rule = path_param("rule_id", "The rule's id.", {"type": "string", "pattern": "^[0-9]{1,19}$"})
    yield "/__crmlink/faults/{rule_id}", _op("adminRemoveFault", "Remove one fault rule", [rule], 200)


def _fault_log(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    yield "/__crmlink/faults/log", _op("adminFaultLog", "Every firing of a fault rule", [_ORG_FILTER], 200)


def _requests(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        ORG_ID,
        query_param("since", {"type": "integer", "minimum": 0}, "Only entries after this seq."),
        query_param("limit", {"type": "integer", "minimum": 0}, "At most this many (the newest)."),
    ]
    yield "/__crmlink/orgs/{org_id}/requests", _op("adminRequestLog", "The org's last API calls", params, 200)


_LOAD_SUMMARY: Schema = {
    "type": "object",
    "required": ["loaded", "failed", "errors", "errors_truncated"],
    "properties": {
        "loaded": {"type": "integer", "minimum": 0, "description": "Rows stored."},
        "failed": {"type": "integer", "minimum": 0, "description": "Rows left out, all of them."},
        "errors": {
            "type": "array",
            "maxItems": 1000,
            "description": "The first 1,000 rows left out, with the error the API would answer.",
            "items": {
                "type": "object",
                "required": ["row", "code", "message", "details"],
                "properties": {
                    "row": {"type": "integer", "minimum": 1, "description": "1 is the first data row."},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                },
            },
        },
        "errors_truncated": {"type": "boolean", "description": "More rows failed than are listed."},
    },
}

_LOAD_TEXT = (
    "A data file as `crmlink load` reads it (docs/data.md): CSV with Zoho's import columns, JSON "
    '(`{"data": [...]}` or an array) or JSON lines; records of `module`, or links (`Module`, '
    "`Parent Id`, `Related List`, `Related Id`). At most CRMLINK_MAX_UPLOAD_BYTES (413 past it). "
    "Its format is `format`, else the Content-Type."
)


def _load(_c: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        ORG_ID,
        query_param("module", {"type": "string"}, "The records' module (not needed for a links file)."),
        query_param(
            "format",
            {"type": "string", "enum": ["csv", "json", "ndjson", "jsonl"]},
            "The body's format [default: from the Content-Type].",
        ),
    ]
    body = {
        "required": True,
        "description": _LOAD_TEXT,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": _OBJECT},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
    op = _op(
        "adminLoad",
        "Load records or links from CSV or JSON, as crmlink load does",
        params,
        200,
        body=body,
    )
    op["description"] = (
        "Each row is checked as the API checks it, in batches of 1,000 (one transaction each). "
        "200 even when rows were left out: `failed` counts them and `errors` lists the first "
        "1,000. 400 for an unreadable file (nothing stored), an unknown module or org, or a "
        "records file without `module`."
    )
    op["responses"]["200"]["content"] = json_content(_LOAD_SUMMARY)
    yield "/__crmlink/orgs/{org_id}/load", op


ADMIN_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("POST", "/__crmlink/orgs", _create_org),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/users", _add_user),
    RouteDoc("DELETE", "/__crmlink/orgs/{org_id}", _delete_org),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/reset", _reset_org),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/snapshots", _take_snapshot),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/snapshots/{snapshot_id}/restore", _restore_snapshot),
    RouteDoc("DELETE", "/__crmlink/orgs/{org_id}/snapshots/{snapshot_id}", _drop_snapshot),
    RouteDoc("GET", "/__crmlink/orgs/{org_id}/clock", _get_clock),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/clock", _move_clock),
    RouteDoc("POST", "/__crmlink/faults", _add_fault),
    RouteDoc("GET", "/__crmlink/faults", _list_faults),
    RouteDoc("DELETE", "/__crmlink/faults", _clear_faults),
    RouteDoc("DELETE", "/__crmlink/faults/{rule_id}", _remove_fault),
    RouteDoc("GET", "/__crmlink/faults/log", _fault_log),
    RouteDoc("GET", "/__crmlink/orgs/{org_id}/requests", _requests),
    RouteDoc("POST", "/__crmlink/orgs/{org_id}/load", _load),
)
