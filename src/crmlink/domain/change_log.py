"""Writing the change log: what records.py and relations.py call, in the change's transaction.

Each function is called once per API call, after the call's other writes and locks (the log's
numbering takes its org-wide lock last; storage/changes.py says why). A record change stores:
on create, the record's fields as stored (``new``); on update, the fields whose value changed,
before (``old``) and after (``new``), ``Owner`` as ``{"id"}`` when the owner changed; on delete,
the record's fields as they were (``old``). Link changes store the relation data, as
``link_events`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from crmlink.storage import changes
from crmlink.storage.changes import ChangeTuple
from crmlink.storage.connection import Connection

_encode = msgspec.json.encode


def records_created(
    conn: Connection, org_id: int, actor_id: int, module: str, rows: Sequence[dict[str, Any]], at: int
) -> None:
    """``rows``: the ``records`` rows just inserted (``id`` and ``data`` as stored)."""
    changes.append(
        conn,
        org_id,
        [
            (at, actor_id, "record", "created", module, row["id"], None, None, None, None, row["data"])
            for row in rows
        ],
    )


def diff(
    old: dict[str, Any], new: dict[str, Any], old_owner: int, new_owner: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed fields' values before and after."""
    before = {k: old.get(k) for k in new if old.get(k) != new[k]}
    after = {k: new.get(k) for k in before}
    if old_owner != new_owner:
        before["Owner"], after["Owner"] = {"id": str(old_owner)}, {"id": str(new_owner)}
    return before, after


def records_updated(
    conn: Connection,
    org_id: int,
    actor_id: int,
    module: str,
    updates: Iterable[tuple[int, dict[str, Any], dict[str, Any]]],
    at: int,
) -> None:
    """``updates``: ``(record id, changed fields before, after)`` per updated record (an update
    that changed no field is still a change: Zoho moves its Modified_Time and notifies it)."""
    changes.append(
        conn,
        org_id,
        [
            (at, actor_id, "record", "updated", module, rid, None, None, None, _text(old), _text(new))
            for rid, old, new in updates
        ],
    )


def records_deleted(
    conn: Connection,
    org_id: int,
    actor_id: int,
    stored: dict[int, tuple[str, str]],
    link_events: Sequence[tuple[Any, ...]],
    at: int,
) -> None:
    """The links the delete removed (``relations.EVENT_COLUMNS`` tuples), then the records
    (``stored``: ``{id: (module, stored JSON)}`` read before the delete)."""
    rows: list[ChangeTuple] = changes.link_rows(link_events)
    rows += [
        (at, actor_id, "record", "deleted", module, rid, None, None, None, data, None)
        for rid, (module, data) in sorted(stored.items())
    ]
    changes.append(conn, org_id, rows)


def links_changed(conn: Connection, org_id: int, events: Sequence[tuple[Any, ...]]) -> None:
    """Link events of one call, as ``relations.EVENT_COLUMNS`` tuples."""
    changes.append(conn, org_id, changes.link_rows(events))


def read_records(conn: Connection, org_id: int, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """What ``records_deleted`` needs, read before the records go."""
    return changes.record_texts(conn, org_id, ids)


def _text(value: dict[str, Any]) -> str:
    return _encode(value).decode()
