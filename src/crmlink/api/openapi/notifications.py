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


CHANGES_ROUTE_DOCS: tuple[RouteDoc, ...] = (RouteDoc("GET", "/crm/{version}/__crmlink/changes", _changes),)
