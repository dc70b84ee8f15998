"""Many-to-many relations: relate (with relation data), list, delink, and their change events.

A link is one row of ``links``, oriented by the relation's ``left``/``right`` modules, so that
``Products/{p}/Price_Books`` and ``Price_Books/{b}/Products`` address the same row. Every change
to a link appends one ``link_events`` row in the caller's transaction (``added``, ``updated``,
``removed``; ``removed_by_delete`` is written by ``records.remove_record_dependents``).

Writes run a fixed number of statements whatever the item count. On SQLite (one writer at a
time): one query for the parent, the related records and their existing links together, then at
most one statement each for inserted links, updated links and events. On PostgreSQL (writers
run concurrently, with no lock shared by a relation's other parents): the parent and related
records locked against deletion, the links claimed (inserted or locked) in one statement, then
updates and events. The statements live in ``storage/links.py``; this module decides what they
write.

Every public function takes an open connection; the caller owns the transaction. Per-item
outcomes are values in input order; request-level problems raise ``CRMError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from crmlink.domain import change_log
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, ListKind, ModuleDef, RelatedListDef, RelationDef
from crmlink.domain.clock import now_us
from crmlink.domain.ids import IdGenerator
from crmlink.domain.msl_values import link_data
from crmlink.domain.records import Page, success
from crmlink.domain.relation_values import (
    RELATED_ID_INVALID,
    RelateItem,
    bad_related_id,
    merge_values,
    parse_relate_items,
)
from crmlink.domain.rendering import render
from crmlink.errors import CRMError, InvalidData
from crmlink.storage import links as store
from crmlink.storage import records as record_store
from crmlink.storage.connection import Connection
from crmlink.storage.links import EventRow, LinkRow, LinkUpdate

RELATION_NAME_INVALID = "The relation name given seems to be invalid"

_encode = msgspec.json.encode
_decode = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class Target:
    """A related list of a parent module, resolved against the catalog."""

    parent: ModuleDef
    related_list: RelatedListDef
    related: ModuleDef
    relation: RelationDef | None  # set for LINK lists

    @property
    def kind(self) -> ListKind:
        return self.related_list.kind

    @property
    def parent_is_left(self) -> bool:
        assert self.relation is not None
        return self.relation.left == self.parent.api_name

    def link_relation(self) -> RelationDef:
        assert self.relation is not None, "only LINK lists have a relation"
        return self.relation


def find_related_list(catalog: Catalog, parent: ModuleDef, name: str) -> RelatedListDef:
    """The related list ``name`` of ``parent`` (case-insensitive; a module's old name such as
    ``Potentials`` names the list of that module). Unknown lists, and lists this server does
    not serve (Attachments), raise ``INVALID_DATA`` "The relation name given seems to be
    invalid" with ``resource_path_index`` 2."""
    rl = parent.related_list_map.get(name.lower())
    if rl is None:
        module = catalog.find_module(name)
        if module is not None:
            rl = parent.related_list_map.get(module.api_name.lower())
    if rl is None or rl.kind in (ListKind.UNSERVED, ListKind.ATTACHMENTS):
        raise InvalidData(RELATION_NAME_INVALID, {"resource_path_index": 2})
    return rl


def target_for(catalog: Catalog, parent: ModuleDef, rl: RelatedListDef) -> Target:
    relation = catalog.relation_map[rl.relation] if rl.kind is ListKind.LINK and rl.relation else None
    return Target(parent, rl, catalog.module_map[rl.module], relation)


def _parent_missing() -> InvalidData:
    return InvalidData(RELATED_ID_INVALID, {"resource_path_index": 1})


def require_parent(conn: Connection, org_id: int, parent: ModuleDef, parent_id: int) -> None:
    """The parent record must exist in the org and be of ``parent``'s module; otherwise
    ``INVALID_DATA`` "the related id given seems to be invalid" naming path segment 1."""
    if record_store.record_module(conn, org_id, parent_id) != parent.api_name:
        raise _parent_missing()


# --- relate ----------------------------------------------------------------------------------


def relate(
    conn: Connection,
    actor: Actor,
    target: Target,
    parent_id: int,
    items: Sequence[Any],
    *,
    path_related_id: int | None = None,
    ids: IdGenerator | None = None,
    linking_ids: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Relate records to ``parent_id`` or update the relation data of existing links.

    A multi-select lookup's new link gets its linking record id (``msl_values.link_data``):
    ``linking_ids[related id]`` when given (a linking record re-pointed), else one from ``ids``.

    Items are applied in input order and answered one each: ``relation added`` (also when the
    link existed; its relation data is then updated) or the item's own error. A duplicate id
    is applied again on top of the earlier item. Raises ``INVALID_DATA`` (path index 1) when the
    parent record is missing.

    On PostgreSQL the parent and related records are locked against deletion and the links
    claimed (inserted when missing, locked when present) before the events are worked out from
    what is stored; no lock is shared by other parents of the relation (``storage/links.py``).
    """
    relation = target.link_relation()
    org, parent_is_left = actor.org_id, target.parent_is_left
    parsed = parse_relate_items(relation, items, path_id=path_related_id)
    wanted = {p.other_id for p in parsed if type(p) is RelateItem}
    wanted.add(parent_id)
    pg = store.is_postgresql(conn)
    stored: dict[int, str] = {}
    if pg:
        modules = store.lock_records(conn, org, wanted)
    else:
        modules = {}
        for other, module, data in store.records_with_links(
            conn, org, relation.name, parent_id, parent_is_left, wanted
        ):
            modules[other] = module
            if data is not None:
                stored[other] = data
    if modules.get(parent_id) != target.parent.api_name:
        raise _parent_missing()
    now = now_us()
    link_ids = LinkingIds(ids, linking_ids)  # one id per new link, however often it is worked out
    if pg:
        # What each link would hold if it were new: inserted as such when missing; the links
        # that exist come back locked with their data, and the call is worked out again on it.
        fresh = _apply(actor, target, parent_id, parsed, modules, {}, now, link_ids)
        claimed = store.claim_links(
            conn,
            org,
            relation.name,
            actor.user_id,
            now,
            ((row[2], row[3], row[4]) for row in fresh.inserts.values()),
        )
        stored = {(c.right_id if parent_is_left else c.left_id): c.data for c in claimed if not c.inserted}
        if not stored:
            outcome = fresh
        else:
            outcome = _apply(actor, target, parent_id, parsed, modules, stored, now, link_ids)
            _update(conn, actor, relation, parent_id, parent_is_left, outcome, now)
    else:
        outcome = _apply(actor, target, parent_id, parsed, modules, stored, now, link_ids)
        if outcome.events:
            store.insert_links(conn, list(outcome.inserts.values()))
            _update(conn, actor, relation, parent_id, parent_is_left, outcome, now)
    if outcome.events:
        store.insert_events(conn, outcome.events)
        change_log.links_changed(conn, org, outcome.events)
    return outcome.results


class LinkingIds:
    """The linking record id of each new multi-select lookup link: the one given for the related
    id (a linking record re-pointed), else one drawn from ``ids``, drawn once per related id."""

    def __init__(self, ids: IdGenerator | None, given: Mapping[int, int] | None) -> None:
        self._ids = ids
        self._chosen: dict[int, int] = dict(given or {})

    def for_link(self, other: int) -> int:
        chosen = self._chosen.get(other)
        if chosen is None:
            assert self._ids is not None, "a multi-select lookup's links need ids"
            chosen = self._chosen[other] = self._ids.next()
        return chosen


@dataclass(slots=True)
class _Outcome:
    """A relate worked out against the stored links: answers, events, rows to write."""

    results: list[dict[str, Any]]
    events: list[EventRow]
    # ``links`` rows to insert, by related id: a later duplicate item replaces its row.
    inserts: dict[int, LinkRow]
    # Relation data per linked id before the call, and as it stands after the call (as a dict
    # and as its stored JSON text).
    before: dict[int, dict[str, Any]]
    state: dict[int, tuple[dict[str, Any], str]]


def _apply(
    actor: Actor,
    target: Target,
    parent_id: int,
    parsed: Sequence[RelateItem | CRMError],
    modules: dict[int, str],
    stored: dict[int, str],
    now: int,
    link_ids: LinkingIds,
) -> _Outcome:
    """The items applied in order on the links as ``stored`` (``{related id: data}``)."""
    relation = target.link_relation()
    org, parent_is_left = actor.org_id, target.parent_is_left
    related = target.related.api_name
    before: dict[int, dict[str, Any]] = {k: _decode(v) for k, v in stored.items()}
    state: dict[int, tuple[dict[str, Any], str]] = {k: (before[k], v) for k, v in stored.items()}
    results: list[dict[str, Any]] = []
    events: list[EventRow] = []
    inserts: dict[int, LinkRow] = {}
    name, user = relation.name, actor.user_id
    for p in parsed:
        if isinstance(p, CRMError):
            results.append(p.as_item())
            continue
        other = p.other_id
        if modules.get(other) != related:
            results.append(bad_related_id(p.shown_id).as_item())
            continue
        if p.value_error is not None:
            results.append(p.value_error.as_item())
            continue
        results.append(
            {
                "code": "SUCCESS",
                "details": {"id": str(other)},
                "message": "relation added",
                "status": "success",
            }
        )
        values = p.values
        current = state.get(other)
        left, right = (parent_id, other) if parent_is_left else (other, parent_id)
        if current is None:
            # A new link: its data is the item's values (a fresh dict no one else changes), less
            # the cleared ones; a linking record's id for a multi-select lookup's link.
            if relation.linking:
                new_text = link_data(link_ids.for_link(other))
                new = _decode(new_text)
            else:
                new = values if None not in values.values() else merge_values({}, values)
                new_text = _encode(new).decode()
            events.append((org, now, user, name, "added", left, right, None, new_text))
        else:
            old, old_text = current
            # Each (key, value) already stored (compared with ==, as values come from JSON
            # they are never NaN): nothing changes, nothing is written.
            if values.items() <= old.items():
                continue
            new = merge_values(old, values)
            if new == old:
                continue
            new_text = _encode(new).decode()
            events.append((org, now, user, name, "updated", left, right, old_text, new_text))
        if other not in before:
            inserts[other] = (org, name, left, right, new_text, user, user, now, now)
        state[other] = (new, new_text)
    return _Outcome(results, events, inserts, before, state)


def _update(
    conn: Connection,
    actor: Actor,
    relation: RelationDef,
    parent_id: int,
    parent_is_left: bool,
    outcome: _Outcome,
    now: int,
) -> None:
    """Update the existing links whose data ended up different (one statement)."""
    updates: list[LinkUpdate] = []
    org, user = actor.org_id, actor.user_id
    for other, old in outcome.before.items():
        data, data_text = outcome.state[other]
        if old != data:
            left, right = (parent_id, other) if parent_is_left else (other, parent_id)
            updates.append((data_text, user, now, org, relation.name, left, right))
    store.update_links(conn, updates)


# --- delink ----------------------------------------------------------------------------------


def delink(
    conn: Connection, actor: Actor, target: Target, parent_id: int, related_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Remove links. Each id answers ``relation removed`` or, when it is not linked (or was
    already removed earlier in the same call), ``INVALID_DATA`` "record not deleted"."""
    relation = target.link_relation()
    org, parent_is_left = actor.org_id, target.parent_is_left
    require_parent(conn, org, target.parent, parent_id)
    removed = store.remove_links(conn, org, relation.name, parent_id, parent_is_left, related_ids)
    now = now_us()
    reported: set[int] = set()
    results: list[dict[str, Any]] = []
    events: list[EventRow] = []
    name, user = relation.name, actor.user_id
    for other in related_ids:
        data = removed.get(other)
        if data is None or other in reported:
            results.append(InvalidData("record not deleted", {"id": str(other)}).as_item())
            continue
        reported.add(other)
        left, right = (parent_id, other) if parent_is_left else (other, parent_id)
        events.append((org, now, user, name, "removed", left, right, data, None))
        results.append(success("relation removed", {"id": str(other)}))
    if events:
        store.insert_events(conn, events)
        change_log.links_changed(conn, org, events)
    return results


# --- reading ---------------------------------------------------------------------------------


def list_related(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    target: Target,
    parent_id: int,
    *,
    page: int = 1,
    per_page: int = 200,
    fields: Sequence[str] | None = None,
    modified_since: int | None = None,
    only: int | None = None,
    reader: Actor | None = None,
) -> Page:
    """Related records of a LINK list, ordered by id, each the related module's full record
    plus the relation fields under their api_names (``null`` when unset). With
    ``modified_since``, only records whose link or record changed after that time. With
    ``only``, just that related record (if linked)."""
    relation = target.link_relation()
    require_parent(conn, org_id, target.parent, parent_id)
    rows = store.linked_records(
        conn,
        org_id,
        relation.name,
        parent_id,
        target.parent_is_left,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
        modified_since=modified_since,
        only=only,
    )
    records = render(conn, catalog, org_id, rows[:per_page], fields, relation, reader=reader)
    return Page(records, page, per_page, len(rows) > per_page)


def get_lookup_related(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    target: Target,
    parent_id: int,
    related_id: int,
    *,
    fields: Sequence[str] | None = None,
    modified_since: int | None = None,
    reader: Actor | None = None,
) -> list[dict[str, Any]]:
    """One record of a LOOKUP list (a Lead's Note), if its lookup names the parent."""
    require_parent(conn, org_id, target.parent, parent_id)
    field = target.related_list.lookup_field
    assert field is not None, "LOOKUP lists name their lookup field"
    rows = record_store.records_looking_up(
        conn,
        org_id,
        parent_id,
        target.related.api_name,
        field,
        limit=1,
        modified_since=modified_since,
        only=related_id,
    )
    return render(conn, catalog, org_id, rows, fields, reader=reader)
