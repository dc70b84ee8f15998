"""SQL for lead conversion: finding matches, re-parenting notes, moving links, the mark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, cast, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crmlink.storage import tables

_r, _lk, _l, _ev, _c = (
    tables.records,
    tables.lookups,
    tables.links,
    tables.link_events,
    tables.converted_leads,
)


def is_converted(conn: Connection, org_id: int, lead_id: int) -> bool:
    query = select(_c.c.lead_id).where(_c.c.org_id == org_id, _c.c.lead_id == lead_id)
    return conn.execute(query.with_for_update()).first() is not None


def mark_converted(
    conn: Connection,
    org_id: int,
    lead_id: int,
    contact_id: int,
    account_id: int | None,
    deal_id: int | None,
    actor_id: int,
    at: int,
) -> None:
    conn.execute(
        insert(_c).values(
            org_id=org_id,
            lead_id=lead_id,
            contact_id=contact_id,
            account_id=account_id,
            deal_id=deal_id,
            converted_by=actor_id,
            converted_at=at,
        )
    )


def _field_text(conn: Connection, field: str) -> Any:
    if conn.dialect.name == "sqlite":
        return func.lower(func.json_extract(_r.c.data, f'$."{field}"'))
    return func.lower(cast(func.replace(_r.c.data, "\\u0000", "\\ufffd"), JSONB)[field].astext)


def find_by_text(conn: Connection, org_id: int, module: str, field: str, value: str) -> int | None:
    """The first record of ``module`` whose ``field`` equals ``value`` (case-insensitive).
    A scan of the module's records: conversion is rare next to reads and writes."""
    query = (
        select(_r.c.id)
        .where(_r.c.org_id == org_id, _r.c.module == module, _field_text(conn, field) == value.lower())
        .order_by(_r.c.id)
        .limit(1)
    )
    found = conn.scalar(query)
    return None if found is None else int(found)


def event(
    conn: Connection,
    org_id: int,
    relation: str,
    action: str,
    left: int,
    right: int,
    data: str | None,
    actor: int,
    at: int,
) -> EventTuple:
    """Write one ``link_events`` row; the same event as a ``links.EVENT_COLUMNS`` tuple, for the
    change log."""
    row = _event_row(org_id, relation, action, left, right, data, actor, at)
    conn.execute(insert(_ev).values(**row))
    return _as_tuple(row)


# A link event as ``links.EVENT_COLUMNS`` orders it (what ``change_log.links_changed`` takes).
EventTuple = tuple[int, int, int, str, str, int, int, str | None, str | None]


def _as_tuple(row: dict[str, Any]) -> EventTuple:
    return (
        row["org_id"],
        row["at"],
        row["actor_id"],
        row["relation"],
        row["action"],
        row["left_id"],
        row["right_id"],
        row["old_data"],
        row["new_data"],
    )


def _event_row(
    org_id: int, relation: str, action: str, left: int, right: int, data: str | None, actor: int, at: int
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "at": at,
        "actor_id": actor,
        "relation": relation,
        "action": action,
        "left_id": left,
        "right_id": right,
        "old_data": data if action != "added" else None,
        "new_data": data if action == "added" else None,
    }


def reparent_notes(
    conn: Connection, org_id: int, lead_id: int, contact_id: int, actor: int, at: int
) -> list[int]:
    """Notes whose Parent_Id is the lead now name the contact; the notes moved."""
    where = and_(
        _lk.c.org_id == org_id,
        _lk.c.target_id == lead_id,
        _lk.c.module == "Notes",
        _lk.c.field == "Parent_Id",
    )
    notes = list(conn.scalars(select(_lk.c.record_id).where(where).order_by(_lk.c.record_id)))
    for note_id in notes:
        raw = conn.scalar(select(_r.c.data).where(_r.c.org_id == org_id, _r.c.id == note_id))
        data = msgspec.json.decode(raw) if raw else {}
        data["Parent_Id"] = {"id": str(contact_id)}
        data["$se_module"] = "Contacts"
        conn.execute(
            update(_r)
            .where(_r.c.org_id == org_id, _r.c.id == note_id)
            .values(data=msgspec.json.encode(data).decode(), modified_at=at, modified_by=actor)
        )
    if notes:
        conn.execute(update(_lk).where(where).values(target_id=contact_id))
    return notes


def move_links(
    conn: Connection,
    org_id: int,
    from_relation: str,
    to_relation: str,
    lead_id: int,
    contact_id: int,
    actor: int,
    at: int,
) -> list[EventTuple]:
    """Move the lead's links of ``from_relation`` (lead on the right) to the contact in
    ``to_relation`` (contact on the right), keeping relation data; a link the contact already
    has is kept as it is. Events: ``removed`` for the lead's link, ``added`` for the contact's,
    written to ``link_events`` and returned for the change log."""
    where = and_(_l.c.org_id == org_id, _l.c.relation == from_relation, _l.c.right_id == lead_id)
    # Locked in (left, right) order, the order relates take links in (storage/links.py): a
    # concurrent delink of one of them waits, and nothing is reported removed twice.
    rows = conn.execute(
        select(_l.c.left_id, _l.c.data).where(where).order_by(_l.c.left_id).with_for_update()
    ).all()
    if not rows:
        return []
    conn.execute(delete(_l).where(where, _l.c.left_id.in_([left for left, _data in rows])))
    new_rows = [
        {
            "org_id": org_id,
            "relation": to_relation,
            "left_id": left,
            "right_id": contact_id,
            "data": data,
            "created_by": actor,
            "modified_by": actor,
            "created_at": at,
            "modified_at": at,
        }
        for left, data in rows
    ]
    if conn.dialect.name == "postgresql":
        # A link the contact already has (or gets from a concurrent relate) is kept as it is.
        added = set(
            conn.scalars(pg_insert(_l).values(new_rows).on_conflict_do_nothing().returning(_l.c.left_id))
        )
    else:
        have = set(
            conn.scalars(
                select(_l.c.left_id).where(
                    _l.c.org_id == org_id, _l.c.relation == to_relation, _l.c.right_id == contact_id
                )
            )
        )
        added = {left for left, _data in rows if left not in have}
        if added:
            conn.execute(insert(_l), [row for row in new_rows if row["left_id"] in added])
    moved = [(left, data) for left, data in rows if left in added]
    events = [
        _event_row(org_id, from_relation, "removed", left, lead_id, data, actor, at) for left, data in rows
    ]
    events += [
        _event_row(org_id, to_relation, "added", left, contact_id, data, actor, at) for left, data in moved
    ]
    conn.execute(insert(_ev), events)  # one executemany for every moved link's events
    return [_as_tuple(e) for e in events]


def converted_ids(conn: Connection, org_id: int, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(conn.scalars(select(_c.c.lead_id).where(_c.c.org_id == org_id, _c.c.lead_id.in_(list(ids)))))
