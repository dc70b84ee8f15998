"""The change feed (crmlink's own) and Zoho's notification routes (``/actions/watch``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmlink.api.openapi.operations import (
    VERSION,
    Operation,
    RouteDoc,
    json_content,
    make_op,
    query_param,
    with_errors,
)
from crmlink.api.openapi.schemas import Schema
from crmlink.domain.catalog import Catalog

_ID_REF: Schema = {
    "type": "object",
    "properties": {"module": {"type": "string"}, "id": {"type": "string"}},
}

CHANGE: Schema = {
    "type": "object",
    "description": "One record or link change. Records: ``module`` and ``id``; links: ``relation``, "
    "``left`` and ``right``. ``old``/``new``: the whole record on create (new) and delete (old), the "
    "changed fields before and after on update, the relation data for links.",
    "properties": {
        "cursor": {"type": "string", "pattern": "^[0-9]+$"},
        "time": {"type": "string", "format": "date-time"},
        "actor": {"type": "object", "properties": {"id": {"type": "string"}}},
        "type": {"type": "string", "enum": ["record", "link"]},
        "action": {
            "type": "string",
            "enum": ["created", "updated", "deleted", "added", "removed", "removed_by_delete"],
        },
        "module": {"type": "string"},
        "id": {"type": "string"},
        "relation": {"type": "string"},
        "left": _ID_REF,
        "right": _ID_REF,
        "old": {"type": "object", "nullable": True, "additionalProperties": True},
        "new": {"type": "object", "nullable": True, "additionalProperties": True},
    },
    "required": ["cursor", "time", "actor", "type", "action", "old", "new"],
}


def _changes(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        VERSION,
        query_param(
            "since",
            {"type": "string", "pattern": "^[0-9]+$"},
            "Cursor: the changes after it (absent or 0: from the oldest kept). INVALID_DATA when it is "
            "past the last change or older than retention keeps (details.oldest_cursor).",
        ),
        query_param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (200)."),
    ]
    body: Schema = {
        "type": "object",
        "properties": {
            "changes": {"type": "array", "items": CHANGE},
            "info": {
                "type": "object",
                "properties": {
                    "count": {"type": "integer"},
                    "next_cursor": {"type": "string", "pattern": "^[0-9]+$"},
                    "more_changes": {"type": "boolean"},
                },
            },
        },
    }
    ok: dict[int, dict[str, Any]] = {
        200: {"description": "Changes in commit order (crmlink only).", "content": json_content(body)}
    }
    yield (
        "/crm/{version}/__crmlink/changes",
        make_op(
            "listChanges",
            "The change feed: every record and link change after a cursor (crmlink only)",
            params,
            with_errors(ok, body=False, forbidden=False),
        ),
    )


_ATTEMPT: Schema = {
    "type": "object",
    "properties": {
        "attempt": {"type": "integer"},
        "time": {"type": "string", "format": "date-time"},
        "status_code": {"type": "integer", "nullable": True, "description": "null: no answer."},
        "latency_ms": {"type": "number"},
        "error": {"type": "string", "nullable": True},
    },
}
_DELIVERY: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "channel_id": {"type": "string"},
        "module": {"type": "string"},
        "operation": {"type": "string", "enum": ["insert", "update", "delete"]},
        "ids": {"type": "array", "items": {"type": "string"}},
        "changes": {
            "type": "object",
            "properties": {"first_cursor": {"type": "string"}, "last_cursor": {"type": "string"}},
        },
        "notify_url": {"type": "string"},
        "state": {"type": "string", "enum": ["pending", "delivered", "failed", "cancelled"]},
        "attempts": {"type": "array", "items": _ATTEMPT},
        "created_time": {"type": "string", "format": "date-time"},
        "done_time": {"type": "string", "format": "date-time", "nullable": True},
    },
}


def _deliveries(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    params = [
        VERSION,
        query_param("after", {"type": "string", "pattern": "^[0-9]+$"}, "Only notifications after this id."),
        query_param("channel_id", {"type": "string", "pattern": "^[0-9]+$"}, "Only this channel's."),
        query_param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many (200)."),
    ]
    body: Schema = {
        "type": "object",
        "properties": {
            "deliveries": {"type": "array", "items": _DELIVERY},
            "info": {
                "type": "object",
                "properties": {"count": {"type": "integer"}, "more_deliveries": {"type": "boolean"}},
            },
        },
    }
    ok: dict[int, dict[str, Any]] = {
        200: {
            "description": "Notifications with every attempt (crmlink only).",
            "content": json_content(body),
        }
    }
    yield (
        "/crm/{version}/__crmlink/deliveries",
        make_op(
            "listDeliveries",
            "The delivery log: notifications and their attempts (crmlink only)",
            params,
            with_errors(ok, body=False, forbidden=False),
        ),
    )


CHANGES_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", "/crm/{version}/__crmlink/changes", _changes),
    RouteDoc("GET", "/crm/{version}/__crmlink/deliveries", _deliveries),
)


_NOTIFICATION: Schema = {
    "type": "object",
    "properties": {
        "channel_id": {
            "type": "string",
            "description": "A long, chosen by the subscriber (number or string).",
        },
        "events": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^\w+\.(create|edit|delete|all)$"},
            "description": "``Module.create|edit|delete|all`` (``all`` is expanded).",
        },
        "notify_url": {
            "type": "string",
            "description": "http(s) URL the callbacks are POSTed to (allowed by CRMLINK_NOTIFY_ALLOW).",
        },
        "token": {"type": "string", "maxLength": 50, "nullable": True},
        "channel_expiry": {
            "type": "string",
            "format": "date-time",
            "description": "At most one day ahead; missing or later: one hour.",
        },
        "notify_on_related_action": {"type": "boolean", "default": True},
        "return_affected_field_values": {"type": "boolean", "default": False},
        "_delete_events": {"type": "boolean", "description": "PATCH only: remove the events given."},
    },
}
_WATCH_BODY: Schema = {
    "type": "object",
    "required": ["watch"],
    "properties": {"watch": {"type": "array", "minItems": 1, "maxItems": 100, "items": _NOTIFICATION}},
}
_WATCH_RESULTS: Schema = {
    "type": "object",
    "properties": {"watch": {"type": "array", "items": {"type": "object", "additionalProperties": True}}},
}


def _watch_op(method: str, op_id: str, summary: str, ok: int) -> RouteDoc:
    def expand(_catalog: Catalog) -> Iterable[tuple[str, Operation]]:
        params: list[dict[str, Any]] = [VERSION]
        extra: dict[str, Any] = {}
        if method in ("POST", "PUT", "PATCH"):
            extra["requestBody"] = {
                "required": True,
                "description": "Parsed whatever the Content-Type says (Zoho's SDKs send none).",
                "content": {"application/json": {"schema": _WATCH_BODY}},
            }
        if method == "DELETE":
            params.append(
                query_param("channel_ids", {"type": "string"}, "Comma-separated channel ids.", required=True)
            )
        if method == "GET":
            params += [
                query_param("page", {"type": "integer", "minimum": 1}, "Page, from 1."),
                query_param("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "Per page (200)."),
                query_param("channel_id", {"type": "string"}, "Only this channel."),
                query_param("module", {"type": "string"}, "Only this module."),
            ]
        answers: dict[int, dict[str, Any]] = {
            ok: {"description": summary, "content": json_content(_WATCH_RESULTS)},
        }
        if method == "GET":
            answers[204] = {"description": "No live channel."}
        else:
            answers[202] = {
                "description": "Some items failed: each item's own error in ``watch`` (input order).",
                "content": json_content(_WATCH_RESULTS),
            }
        yield (
            "/crm/{version}/actions/watch",
            make_op(
                op_id, summary, params, with_errors(answers, body=method != "GET", forbidden=False), **extra
            ),
        )

    return RouteDoc(method, "/crm/{version}/actions/watch", expand)


WATCH_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    _watch_op("POST", "enableNotifications", "Subscribe channels to module events", 201),
    _watch_op("GET", "getNotificationDetails", "The live channels, one entry per channel and module", 200),
    _watch_op("PUT", "updateNotifications", "Replace channels' whole subscriptions", 200),
    _watch_op("PATCH", "updateNotificationDetails", "Change the keys given, or remove events", 200),
    _watch_op("DELETE", "disableNotifications", "Unsubscribe channels", 200),
)
