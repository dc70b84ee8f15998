"""Many-to-many relations: relate (with relation data), list, delink, and their change events.

A link is one row of ``links``, oriented by the relation's ``left``/``right`` modules, so that
``Products/{p}/Price_Books`` and ``Price_Books/{b}/Products`` address the same row. Every change
to a link appends one ``link_events`` row in the caller's transaction (``added``, ``updated``,
``removed``; ``removed_by_delete`` is written by ``records.remove_record_dependents``).

Writes run a fixed number of statements whatever the item count: one query for the parent, the
related records and their existing links together (the ids as one ``IN``-list parameter), then
at most one executemany each for inserted links, updated links and events. These hot statements
are built once here and run through ``storage.hot.HotStatement``, and so are the parent check
and the page of a related list that ``GET`` runs (a page is 201 rows).

Every public function takes an open connection; the caller owns the transaction. Per-item
outcomes are values in input order; request-level problems raise ``CRMError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, ListKind, ModuleDef, RelatedListDef, RelationDef
from crmlink.domain.clock import now_us
from crmlink.domain.records import RECORD_COLUMNS, Page, success
from crmlink.domain.relation_values import (
    RELATED_ID_INVALID,
    RelateItem,
    bad_related_id,
    merge_values,
    parse_relate_items,
)
from crmlink.domain.rendering import render
from crmlink.errors import CRMError, InvalidData
from crmlink.storage import tables
from crmlink.storage.hot import SQLITE_RECORDS_PK, HotStatement, ids_value, in_ids
from crmlink.storage.locks import lock

RELATION_NAME_INVALID = "The relation name given seems to be invalid"

_encode = msgspec.json.encode
_decode = msgspec.json.decode

_r, _l, _ev, _lk = tables.records, tables.links, tables.link_events, tables.lookups


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


# --- statements, built once ------------------------------------------------------------------

_MODULE_OF = HotStatement(
    lambda _dialect: select(_r.c.module).where(_r.c.org_id == bindparam("org"), _r.c.id == bindparam("id"))
)


def _columns(parent_is_left: bool) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(parent column, other column) of ``links`` for a parent on the left or the right."""
    return (_l.c.left_id, _l.c.right_id) if parent_is_left else (_l.c.right_id, _l.c.left_id)


def _records_with_links(parent_is_left: bool) -> HotStatement:
    """``(id, module, link data or NULL)`` for each of the ids (the parent among them)."""

    def build(dialect: str) -> Any:
        parent_col, other_col = _columns(parent_is_left)
        on_link = and_(
            _l.c.org_id == _r.c.org_id,
            _l.c.relation == bindparam("rel"),
            parent_col == bindparam("parent"),
            other_col == _r.c.id,
        )
        return (
            select(_r.c.id, _r.c.module, _l.c.data)
            .select_from(_r.outerjoin(_l, on_link))
            .where(_r.c.org_id == bindparam("org"), in_ids(_r.c.id, "ids", dialect))
        )

    return HotStatement(build, sqlite_indexed_by={"records": SQLITE_RECORDS_PK})


def _links_of(parent_is_left: bool) -> HotStatement:
    """``(other id, data)`` of the parent's links to any of the ids."""

    def build(dialect: str) -> Any:
        parent_col, other_col = _columns(parent_is_left)
        return select(other_col, _l.c.data).where(
            _l.c.org_id == bindparam("org"),
            _l.c.relation == bindparam("rel"),
            parent_col == bindparam("parent"),
            in_ids(other_col, "others", dialect),
        )

    return HotStatement(build)


def _delete_links(parent_is_left: bool) -> HotStatement:
    def build(dialect: str) -> Any:
        parent_col, other_col = _columns(parent_is_left)
        return delete(_l).where(
            _l.c.org_id == bindparam("org"),
            _l.c.relation == bindparam("rel"),
            parent_col == bindparam("parent"),
            in_ids(other_col, "others", dialect),
        )

    return HotStatement(build)


def _insert_all(table: Any, skip: tuple[str, ...] = ()) -> HotStatement:
    values: dict[str, Any] = {c.name: bindparam(c.name) for c in table.columns if c.name not in skip}
    return HotStatement(lambda _dialect: insert(table).values(values))


_LOOKUP = {side: _records_with_links(side) for side in (True, False)}
_LINKS_OF = {side: _links_of(side) for side in (True, False)}
_DELETE_LINKS = {side: _delete_links(side) for side in (True, False)}
_INSERT_LINKS = _insert_all(_l)
_INSERT_EVENTS = _insert_all(_ev, skip=("seq",))
# Parameter orders of the executemany statements (SQLite's own order: rows go to it as is).
EVENT_COLUMNS = (
    "org_id",
    "at",
    "actor_id",
    "relation",
    "action",
    "left_id",
    "right_id",
    "old_data",
    "new_data",
)
LINK_COLUMNS = tuple(c.name for c in _l.columns)
_UPDATE_COLUMNS = ("b_data", "b_by", "b_at", "b_org", "b_rel", "b_left", "b_right")
_UPDATE_LINK = HotStatement(
    lambda _dialect: (
        update(_l)
        .where(
            _l.c.org_id == bindparam("b_org"),
            _l.c.relation == bindparam("b_rel"),
            _l.c.left_id == bindparam("b_left"),
            _l.c.right_id == bindparam("b_right"),
        )
        .values(data=bindparam("b_data"), modified_by=bindparam("b_by"), modified_at=bindparam("b_at"))
    )
)


def require_parent(conn: Connection, org_id: int, parent: ModuleDef, parent_id: int) -> None:
    """The parent record must exist in the org and be of ``parent``'s module; otherwise
    ``INVALID_DATA`` "the related id given seems to be invalid" naming path segment 1."""
    found = _MODULE_OF.rows(conn, {"org": org_id, "id": parent_id})
    if not found or found[0][0] != parent.api_name:
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
) -> list[dict[str, Any]]:
    """Relate records to ``parent_id`` or update the relation data of existing links.

    Items are applied in input order and answered one each: ``relation added`` (also when the
    link existed; its relation data is then updated) or the item's own error. A duplicate id
    is applied again on top of the earlier item. Raises ``INVALID_DATA`` (path index 1) when the
    parent record is missing.
    """
    relation = target.link_relation()
    org, parent_is_left = actor.org_id, target.parent_is_left
    parsed = parse_relate_items(relation, items, path_id=path_related_id)
    lock(conn, "links", org, relation.name)
    wanted = {p.other_id for p in parsed if type(p) is RelateItem}
    wanted.add(parent_id)
    params = {"org": org, "rel": relation.name, "parent": parent_id, "ids": ids_value(conn, wanted)}
    modules: dict[int, str] = {}
    stored: dict[int, str] = {}
    for other, module, data in _LOOKUP[parent_is_left].rows(conn, params):
        modules[other] = module
        if data is not None:
            stored[other] = data
    if modules.get(parent_id) != target.parent.api_name:
        raise _parent_missing()
    related = target.related.api_name
    # Relation data per linked id before the call, and as it stands after each item (as a dict
    # and as its stored JSON text).
    before: dict[int, dict[str, Any]] = {k: _decode(v) for k, v in stored.items()}
    state: dict[int, tuple[dict[str, Any], str]] = {k: (before[k], v) for k, v in stored.items()}
    now = now_us()
    results: list[dict[str, Any]] = []
    events: list[tuple[Any, ...]] = []
    # ``links`` rows to insert, by related id: a later duplicate item replaces its row.
    inserts: dict[int, tuple[Any, ...]] = {}
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
            # the cleared ones.
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
    if events:
        _write(conn, actor, relation, parent_id, parent_is_left, before, state, inserts, now)
        _INSERT_EVENTS.many_tuples(conn, EVENT_COLUMNS, events)
    return results


def _write(
    conn: Connection,
    actor: Actor,
    relation: RelationDef,
    parent_id: int,
    parent_is_left: bool,
    before: dict[int, dict[str, Any]],
    state: dict[int, tuple[dict[str, Any], str]],
    inserts: dict[int, tuple[Any, ...]],
    now: int,
) -> None:
    """Insert the new links (rows built by ``relate``) and update the existing ones whose data
    ended up different (one executemany each)."""
    updates: list[tuple[Any, ...]] = []
    org, user, name = actor.org_id, actor.user_id, relation.name
    for other, old in before.items():
        data, data_text = state[other]
        if old != data:
            left, right = (parent_id, other) if parent_is_left else (other, parent_id)
            updates.append((data_text, user, now, org, name, left, right))
    _INSERT_LINKS.many_tuples(conn, LINK_COLUMNS, list(inserts.values()))
    _UPDATE_LINK.many_tuples(conn, _UPDATE_COLUMNS, updates)


# --- delink ----------------------------------------------------------------------------------


def delink(
    conn: Connection, actor: Actor, target: Target, parent_id: int, related_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Remove links. Each id answers ``relation removed`` or, when it is not linked (or was
    already removed earlier in the same call), ``INVALID_DATA`` "record not deleted"."""
    relation = target.link_relation()
    org, parent_is_left = actor.org_id, target.parent_is_left
    lock(conn, "links", org, relation.name)
    require_parent(conn, org, target.parent, parent_id)
    params = {
        "org": org,
        "rel": relation.name,
        "parent": parent_id,
        "others": ids_value(conn, set(related_ids)),
    }
    stored: dict[int, str] = {row[0]: row[1] for row in _LINKS_OF[parent_is_left].rows(conn, params)}
    now = now_us()
    removed: dict[int, str] = {}
    results: list[dict[str, Any]] = []
    events: list[tuple[Any, ...]] = []
    name, user = relation.name, actor.user_id
    for other in related_ids:
        data = stored.get(other)
        if data is None or other in removed:
            results.append(InvalidData("record not deleted", {"id": str(other)}).as_item())
            continue
        removed[other] = data
        left, right = (parent_id, other) if parent_is_left else (other, parent_id)
        events.append((org, now, user, name, "removed", left, right, data, None))
        results.append(success("relation removed", {"id": str(other)}))
    if removed:
        _DELETE_LINKS[parent_is_left].many(conn, [{**params, "others": ids_value(conn, removed)}])
        _INSERT_EVENTS.many_tuples(conn, EVENT_COLUMNS, events)
    return results


# --- reading ---------------------------------------------------------------------------------


def _of_parent(links: Any, parent_is_left: bool, *, single: bool) -> tuple[Any, list[Any]]:
    """(other column, conditions) selecting the parent's links in ``links`` (the table or an
    alias of it); with ``single``, only the link to ``other``."""
    parent_col, other_col = (
        links.c[_columns(parent_is_left)[0].name],
        links.c[_columns(parent_is_left)[1].name],
    )
    where = [
        links.c.org_id == bindparam("org"),
        links.c.relation == bindparam("rel"),
        parent_col == bindparam("parent"),
    ]
    if single:
        where.append(other_col == bindparam("other"))
    return other_col, where


def _list_statement(parent_is_left: bool, *, since: bool, single: bool) -> Any:
    other_col, where = _of_parent(_l, parent_is_left, single=single)
    if since:
        # Rare path: a link counts as modified when it or its related record changed.
        query = (
            select(*RECORD_COLUMNS, _l.c.data)
            .select_from(_l.join(_r, and_(_r.c.org_id == _l.c.org_id, _r.c.id == other_col)))
            .where(*where, or_(_l.c.modified_at > bindparam("since"), _r.c.modified_at > bindparam("since")))
        )
        return query.order_by(other_col).limit(bindparam("limit")).offset(bindparam("offset"))
    # The page's first related id comes from skipping ``offset`` entries of the index whose
    # order is the related id (the primary key when the parent is on the left, ix_links_right
    # when it is on the right), without reading the skipped links or their records. The page is
    # then read from that id on in the same index order, with its records by primary key: a page
    # costs its own size whatever the list's length, and nothing is materialized or sorted.
    first_links = _l.alias("page_start")
    first_other, first_where = _of_parent(first_links, parent_is_left, single=single)
    first = (
        select(first_other)
        .where(*first_where)
        .order_by(first_other)
        .limit(literal_column("1"))  # literals: a bound LIMIT/OFFSET would be a parameter of its own
        .offset(bindparam("offset"))
        .scalar_subquery()
    )
    # "+ 0": SQLite would otherwise carry the range on the related id over to records.id and
    # could then, with statistics, drive the join from records and sort.
    on_record = and_(_r.c.org_id == _l.c.org_id, _r.c.id == other_col + literal_column("0"))
    return (
        select(*RECORD_COLUMNS, _l.c.data)
        .select_from(_l.join(_r, on_record))
        .where(*where, other_col >= first)
        .order_by(other_col)
        .limit(bindparam("limit"))
        .offset(literal_column("0"))
    )


_LIST = {
    (side, since, single): _list_statement(side, since=since, single=single)
    for side in (True, False)
    for since in (True, False)
    for single in (True, False)
}


def _hot(statement: Any, parent_is_left: bool) -> HotStatement:
    # With the parent on the right, SQLite may walk the primary key from the page's first
    # related id (a range over every parent's links) instead of ix_links_right, which holds
    # exactly the parent's links in that order: name it.
    pinned = None if parent_is_left else {"links": "ix_links_right"}
    return HotStatement(lambda _dialect: statement, sqlite_indexed_by=pinned)


# Run on the driver's cursor: a page is 201 rows, which SQLAlchemy's result machinery would
# wrap one by one (storage/hot.py); all its columns are integers and text.
_LIST_HOT = {key: _hot(statement, key[0]) for key, statement in _LIST.items()}


def relate_lookup_sql(conn: Connection, parent_is_left: bool) -> str:
    """The SQL of the lookup ``relate`` runs first (for query-plan checks)."""
    return _LOOKUP[parent_is_left].sql(conn)


def list_statement(parent_is_left: bool, *, since: bool = False, single: bool = False) -> Any:
    """The statement ``list_related`` runs (for query-plan checks)."""
    return _LIST[(parent_is_left, since, single)]


def list_sql(conn: Connection, parent_is_left: bool, *, since: bool = False, single: bool = False) -> str:
    """The SQL text ``list_related`` runs on ``conn``'s engine, index hints included (for
    query-plan checks; the parameters are those of ``list_statement``)."""
    return _LIST_HOT[(parent_is_left, since, single)].sql(conn)


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
) -> Page:
    """Related records of a LINK list, ordered by id, each the related module's full record
    plus the relation fields under their api_names (``null`` when unset). With
    ``modified_since``, only records whose link or record changed after that time. With
    ``only``, just that related record (if linked)."""
    relation = target.link_relation()
    require_parent(conn, org_id, target.parent, parent_id)
    stmt = _LIST_HOT[(target.parent_is_left, modified_since is not None, only is not None)]
    params: dict[str, Any] = {
        "org": org_id,
        "rel": relation.name,
        "parent": parent_id,
        "limit": per_page + 1,
        "offset": (page - 1) * per_page,
    }
    if modified_since is not None:
        params["since"] = modified_since
    if only is not None:
        params["other"] = only
    rows = stmt.rows(conn, params)
    records = render(conn, catalog, org_id, rows[:per_page], fields, relation)
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
) -> list[dict[str, Any]]:
    """One record of a LOOKUP list (a Lead's Note), if its lookup names the parent."""
    require_parent(conn, org_id, target.parent, parent_id)
    query = (
        select(*RECORD_COLUMNS)
        .select_from(_lk.join(_r, and_(_r.c.org_id == _lk.c.org_id, _r.c.id == _lk.c.record_id)))
        .where(
            _lk.c.org_id == org_id,
            _lk.c.target_id == parent_id,
            _lk.c.module == target.related.api_name,
            _lk.c.field == target.related_list.lookup_field,
            _lk.c.record_id == related_id,
        )
    )
    if modified_since is not None:
        query = query.where(_r.c.modified_at > modified_since)
    return render(conn, catalog, org_id, conn.execute(query).all(), fields)


# --- change events ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """One change of one link, as stored (relation data decoded; ``None`` when absent)."""

    seq: int
    org_id: int
    at: int
    actor_id: int
    relation: str
    action: str  # added | updated | removed | removed_by_delete
    left_id: int
    right_id: int
    old_data: dict[str, Any] | None
    new_data: dict[str, Any] | None


def events(conn: Connection, org_id: int, after_seq: int | None = None, limit: int = 1000) -> list[LinkEvent]:
    """The org's link events in the order they were written, after ``after_seq`` if given."""
    query = select(
        _ev.c.seq,
        _ev.c.org_id,
        _ev.c.at,
        _ev.c.actor_id,
        _ev.c.relation,
        _ev.c.action,
        _ev.c.left_id,
        _ev.c.right_id,
        _ev.c.old_data,
        _ev.c.new_data,
    ).where(_ev.c.org_id == org_id)
    if after_seq is not None:
        query = query.where(_ev.c.seq > after_seq)
    rows = conn.execute(query.order_by(_ev.c.seq).limit(limit))
    return [
        LinkEvent(
            seq=row[0],
            org_id=row[1],
            at=row[2],
            actor_id=row[3],
            relation=row[4],
            action=row[5],
            left_id=row[6],
            right_id=row[7],
            old_data=_decode(row[8]) if row[8] is not None else None,
            new_data=_decode(row[9]) if row[9] is not None else None,
        )
        for row in rows
    ]


def link_pairs(conn: Connection, org_id: int, relation: RelationDef) -> dict[tuple[int, int], dict[str, Any]]:
    """Every link of ``relation`` in the org: ``{(left_id, right_id): relation data}``."""
    rows = conn.execute(
        select(_l.c.left_id, _l.c.right_id, _l.c.data).where(
            _l.c.org_id == org_id, _l.c.relation == relation.name
        )
    )
    return {(row[0], row[1]): _decode(row[2]) for row in rows}
