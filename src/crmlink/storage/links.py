"""The SQL of many-to-many links (``links``) and their change events (``link_events``).

A link is one row of ``links``, oriented by its relation's left and right modules; every
function here takes ``parent_is_left`` to say on which side the caller's parent record is.
``domain/relations.py`` holds the rules (what to insert, update or remove, and which event each
change writes); this module runs the statements, in the caller's transaction.

On PostgreSQL no lock serializes the writers of a relation: correctness comes from the rows.
A relate locks its parent and related records ``FOR KEY SHARE`` (``lock_records``; a record
delete takes them ``FOR UPDATE`` first, ``records.lock_records_for_delete``), then claims every
link it touches in one ``INSERT ... ON CONFLICT DO UPDATE`` (``claim_links``) that inserts the
missing ones and locks the existing ones, returning their data as last committed. Delink deletes
with ``RETURNING`` (``remove_links``), so each call reports exactly the links it removed. Every
statement takes its locks in ascending key order (records by id, links by (left, right)), so
two writers cannot wait on each other in a cycle. SQLite runs one writer at a time
(``BEGIN IMMEDIATE``, group commit) and keeps its plain statements.

PostgreSQL's write statements are SQL text run on the driver's cursor, one statement per step
with arrays and ``unnest`` (prepared server-side from their second run). SQLite's statements of
a bulk relate or delink are built once and run through
``storage.hot.HotStatement`` on the driver's cursor, with the ids as one ``IN``-list parameter,
and so are the parent check and the page of a related list that ``GET`` runs (a page is 201
rows). Rows of those hot statements are plain tuples whose shape is named by the type aliases
below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import (
    ColumnElement,
    Connection,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from crmlink.storage import tables
from crmlink.storage.hot import SQLITE_RECORDS_PK, HotStatement, ids_value, in_ids
from crmlink.storage.records import RECORD_COLUMNS, RecordRow

_decode = msgspec.json.decode

_r, _l, _ev = tables.records, tables.links, tables.link_events

# ``(related or parent id, module, stored link data or None)``: one row per id asked for.
RecordLinkRow = tuple[int, str, str | None]
# A new ``links`` row, in the order of ``LINK_COLUMNS``.
LinkRow = tuple[int, str, int, int, str, int, int, int, int]
# ``(data, modified_by, modified_at, org_id, relation, left_id, right_id)``: an update of a
# link's relation data.
LinkUpdate = tuple[str, int, int, int, str, int, int]
# A new ``link_events`` row, in the order of ``EVENT_COLUMNS``.
EventRow = tuple[int, int, int, str, str, int, int, str | None, str | None]

LINK_COLUMNS = tuple(c.name for c in _l.columns)
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
assert LINK_COLUMNS == (
    "org_id",
    "relation",
    "left_id",
    "right_id",
    "data",
    "created_by",
    "modified_by",
    "created_at",
    "modified_at",
), LINK_COLUMNS
_UPDATE_COLUMNS = ("b_data", "b_by", "b_at", "b_org", "b_rel", "b_left", "b_right")


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _pg_rows(conn: Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (psycopg's ``%(name)s`` parameters) on the driver's cursor; its rows."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description is not None else []
    finally:
        cursor.close()


# --- statements, built once ------------------------------------------------------------------


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


# --- writes ----------------------------------------------------------------------------------


def records_with_links(
    conn: Connection, org_id: int, relation: str, parent_id: int, parent_is_left: bool, ids: Iterable[int]
) -> Sequence[RecordLinkRow]:
    """For each of ``ids`` that exists in the org (the parent among them): its module and the
    data of its link to ``parent_id``, if linked. One query whatever the number of ids."""
    params = {"org": org_id, "rel": relation, "parent": parent_id, "ids": ids_value(conn, ids)}
    return _LOOKUP[parent_is_left].rows(conn, params)


def links_of(
    conn: Connection, org_id: int, relation: str, parent_id: int, parent_is_left: bool, others: Iterable[int]
) -> dict[int, str]:
    """``{other id: stored link data}`` of the parent's links to any of ``others``."""
    params = {"org": org_id, "rel": relation, "parent": parent_id, "others": ids_value(conn, others)}
    return dict(_LINKS_OF[parent_is_left].rows(conn, params))


# PostgreSQL: the records of a relate, locked against deletion (not against field updates,
# which take FOR NO KEY UPDATE), in id order.
_PG_LOCK_RECORDS = (
    "SELECT id, module FROM records WHERE org_id = %(org)s AND id = ANY(%(ids)s::bigint[])"
    " ORDER BY id FOR KEY SHARE"
)
# PostgreSQL: insert the missing links, lock the existing ones. The no-op update makes
# PostgreSQL lock the existing row (waiting for a concurrent writer of it to finish) and return
# its data as last committed; ``xmax = 0`` only on the rows this statement inserted.
_PG_CLAIM_LINKS = (
    "INSERT INTO links (org_id, relation, left_id, right_id, data, created_by, modified_by,"
    " created_at, modified_at)"
    " SELECT %(org)s, %(rel)s, t.l, t.r, t.d, %(by)s, %(by)s, %(at)s, %(at)s"
    " FROM unnest(%(lefts)s::bigint[], %(rights)s::bigint[], %(datas)s::text[]) AS t(l, r, d)"
    " ORDER BY t.l, t.r"
    " ON CONFLICT (org_id, relation, left_id, right_id) DO UPDATE SET data = links.data"
    " RETURNING left_id, right_id, xmax = 0, data"
)
_PG_UPDATE_LINKS = (
    "UPDATE links SET data = t.d, modified_by = t.b, modified_at = t.a"
    " FROM unnest(%(orgs)s::bigint[], %(rels)s::text[], %(lefts)s::bigint[], %(rights)s::bigint[],"
    " %(datas)s::text[], %(bys)s::bigint[], %(ats)s::bigint[]) AS t(o, n, l, r, d, b, a)"
    " WHERE links.org_id = t.o AND links.relation = t.n AND links.left_id = t.l"
    " AND links.right_id = t.r"
)
_PG_REMOVE_LINKS = {
    side: (
        "DELETE FROM links WHERE org_id = %(org)s AND relation = %(rel)s"
        f" AND {parent} = %(parent)s AND {other} IN ("
        f"SELECT {other} FROM links WHERE org_id = %(org)s AND relation = %(rel)s"
        f" AND {parent} = %(parent)s AND {other} = ANY(%(others)s::bigint[])"
        f" ORDER BY {other} FOR UPDATE)"
        f" RETURNING {other}, data"
    )
    for side, (parent, other) in ((True, ("left_id", "right_id")), (False, ("right_id", "left_id")))
}
_PG_INSERT_EVENTS = (
    "INSERT INTO link_events (org_id, at, actor_id, relation, action, left_id, right_id,"
    " old_data, new_data)"
    " SELECT * FROM unnest(%(orgs)s::bigint[], %(ats)s::bigint[], %(actors)s::bigint[],"
    " %(rels)s::text[], %(actions)s::text[], %(lefts)s::bigint[], %(rights)s::bigint[],"
    " %(olds)s::text[], %(news)s::text[])"
)


def lock_records(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, str]:
    """PostgreSQL: ``{id: module}`` of those of ``ids`` that exist in the org, each locked
    ``FOR KEY SHARE`` until the transaction ends (in id order, one statement): a concurrent
    delete of one of them waits for this transaction, or has already removed it."""
    rows = _pg_rows(conn, _PG_LOCK_RECORDS, {"org": org_id, "ids": sorted(set(ids))})
    return {int(row[0]): str(row[1]) for row in rows}


@dataclass(frozen=True, slots=True)
class ClaimedLink:
    left_id: int
    right_id: int
    inserted: bool  # True: this call inserted it with the data given
    data: str  # inserted: the data given; otherwise the data as last committed (now locked)


def claim_links(
    conn: Connection, org_id: int, relation: str, actor_id: int, at: int, rows: Iterable[tuple[int, int, str]]
) -> list[ClaimedLink]:
    """PostgreSQL: insert the links ``(left_id, right_id, data)`` that do not exist and lock
    those that do, in (left, right) order, one statement; what each one is now."""
    ordered = sorted(rows)
    if not ordered:
        return []
    params = {
        "org": org_id,
        "rel": relation,
        "by": actor_id,
        "at": at,
        "lefts": [r[0] for r in ordered],
        "rights": [r[1] for r in ordered],
        "datas": [r[2] for r in ordered],
    }
    return [ClaimedLink(*row) for row in _pg_rows(conn, _PG_CLAIM_LINKS, params)]


def remove_links(
    conn: Connection, org_id: int, relation: str, parent_id: int, parent_is_left: bool, others: Iterable[int]
) -> dict[int, str]:
    """Delete the parent's links to ``others``; ``{other id: its data}`` of those this call
    removed. On PostgreSQL one statement that locks them in order first (a link a concurrent
    call removed first is not reported twice); on SQLite a read then a delete."""
    wanted = sorted(set(others))
    if not wanted:
        return {}
    if is_postgresql(conn):
        params = {"org": org_id, "rel": relation, "parent": parent_id, "others": wanted}
        return {int(o): str(d) for o, d in _pg_rows(conn, _PG_REMOVE_LINKS[parent_is_left], params)}
    found = links_of(conn, org_id, relation, parent_id, parent_is_left, wanted)
    if found:
        delete_links(conn, org_id, relation, parent_id, parent_is_left, found)
    return found


def insert_links(conn: Connection, rows: Sequence[LinkRow]) -> None:
    """Insert new links (one executemany)."""
    _INSERT_LINKS.many_tuples(conn, LINK_COLUMNS, rows)


def update_links(conn: Connection, rows: Sequence[LinkUpdate]) -> None:
    """Set the relation data of existing links (one statement)."""
    if rows and is_postgresql(conn):
        names = ("datas", "bys", "ats", "orgs", "rels", "lefts", "rights")
        _pg_rows(conn, _PG_UPDATE_LINKS, {n: [r[i] for r in rows] for i, n in enumerate(names)})
        return
    _UPDATE_LINK.many_tuples(conn, _UPDATE_COLUMNS, rows)


def delete_links(
    conn: Connection, org_id: int, relation: str, parent_id: int, parent_is_left: bool, others: Iterable[int]
) -> None:
    """Delete the parent's links to ``others`` (one statement)."""
    params = {"org": org_id, "rel": relation, "parent": parent_id, "others": ids_value(conn, others)}
    _DELETE_LINKS[parent_is_left].many(conn, [params])


def insert_events(conn: Connection, rows: Sequence[EventRow]) -> None:
    """Append change events (one statement)."""
    if rows and is_postgresql(conn):
        names = ("orgs", "ats", "actors", "rels", "actions", "lefts", "rights", "olds", "news")
        _pg_rows(conn, _PG_INSERT_EVENTS, {n: [r[i] for r in rows] for i, n in enumerate(names)})
        return
    _INSERT_EVENTS.many_tuples(conn, EVENT_COLUMNS, rows)


@dataclass(frozen=True, slots=True)
class RemovedLink:
    left_id: int
    right_id: int
    data: str  # the stored relation data (JSON text)


def delete_links_of_records(
    conn: Connection, org_id: int, relation: str, records_on_left: bool, record_ids: Sequence[int]
) -> list[RemovedLink]:
    """Delete every link of ``relation`` whose left (or right) record is one of ``record_ids``;
    the links removed. The caller has locked the records first (on PostgreSQL, ``FOR UPDATE``:
    no relate can add a link to them meanwhile)."""
    column = _l.c.left_id if records_on_left else _l.c.right_id
    where = and_(_l.c.org_id == org_id, _l.c.relation == relation, column.in_(list(record_ids)))
    removed = [
        RemovedLink(row.left_id, row.right_id, row.data)
        for row in conn.execute(select(_l.c.left_id, _l.c.right_id, _l.c.data).where(where))
    ]
    if removed:
        conn.execute(delete(_l).where(where))
    return removed


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


def linked_records(
    conn: Connection,
    org_id: int,
    relation: str,
    parent_id: int,
    parent_is_left: bool,
    *,
    limit: int,
    offset: int,
    modified_since: int | None = None,
    only: int | None = None,
) -> Sequence[RecordRow]:
    """Records linked to the parent, ordered by id, each a ``RecordRow`` followed by the link's
    data. With ``modified_since``, only those whose link or record changed after it; with
    ``only``, just that related record (if linked)."""
    params: dict[str, Any] = {
        "org": org_id,
        "rel": relation,
        "parent": parent_id,
        "limit": limit,
        "offset": offset,
    }
    if modified_since is not None:
        params["since"] = modified_since
    if only is not None:
        params["other"] = only
    return _LIST_HOT[(parent_is_left, modified_since is not None, only is not None)].rows(conn, params)


def relate_lookup_sql(conn: Connection, parent_is_left: bool) -> str:
    """The SQL of the lookup ``records_with_links`` runs (for query-plan checks)."""
    return _LOOKUP[parent_is_left].sql(conn)


def list_statement(parent_is_left: bool, *, since: bool = False, single: bool = False) -> Any:
    """The statement ``linked_records`` runs (for query-plan checks)."""
    return _LIST[(parent_is_left, since, single)]


def list_sql(conn: Connection, parent_is_left: bool, *, since: bool = False, single: bool = False) -> str:
    """The SQL text ``linked_records`` runs on ``conn``'s engine, index hints included (for
    query-plan checks; the parameters are those of ``list_statement``)."""
    return _LIST_HOT[(parent_is_left, since, single)].sql(conn)


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
            seq=row.seq,
            org_id=row.org_id,
            at=row.at,
            actor_id=row.actor_id,
            relation=row.relation,
            action=row.action,
            left_id=row.left_id,
            right_id=row.right_id,
            old_data=_decode(row.old_data) if row.old_data is not None else None,
            new_data=_decode(row.new_data) if row.new_data is not None else None,
        )
        for row in rows
    ]


def link_pairs(conn: Connection, org_id: int, relation: str) -> dict[tuple[int, int], dict[str, Any]]:
    """Every link of ``relation`` in the org: ``{(left_id, right_id): relation data}``."""
    rows = conn.execute(
        select(_l.c.left_id, _l.c.right_id, _l.c.data).where(_l.c.org_id == org_id, _l.c.relation == relation)
    )
    return {(row.left_id, row.right_id): _decode(row.data) for row in rows}


# --- multi-select lookups: links as the linking module's records --------------------------------


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A link with its audit columns: one record of a linking module (domain/linking.py)."""

    left_id: int
    right_id: int
    data: str
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


_STORED = (
    _l.c.left_id,
    _l.c.right_id,
    _l.c.data,
    _l.c.created_by,
    _l.c.modified_by,
    _l.c.created_at,
    _l.c.modified_at,
)
_ORDER = (_l.c.created_at, _l.c.left_id, _l.c.right_id)
# The predicate of the partial index ``ix_links_msl_data`` (migration 90), written the same way
# in the index and in the query, as SQLite needs to use it.
MSL_LINKS = "relation LIKE 'msl:%'"


def _stored(rows: Iterable[Any]) -> list[StoredLink]:
    return [StoredLink(*row) for row in rows]


def links_of_lefts(conn: Connection, org_id: int, relation: str, left_ids: Sequence[int]) -> list[StoredLink]:
    """The links of ``relation`` whose left record is one of ``left_ids``, oldest first."""
    if not left_ids:
        return []
    where = and_(_l.c.org_id == org_id, _l.c.relation == relation, _l.c.left_id.in_(list(left_ids)))
    return _stored(conn.execute(select(*_STORED).where(where).order_by(*_ORDER)))


def _links_with_data(dialect: str) -> Any:
    datas: ColumnElement[bool]
    if dialect == "sqlite":
        datas = _l.c.data.in_(select(literal_column("value")).select_from(func.json_each(bindparam("datas"))))
    else:
        datas = _l.c.data == any_(cast(bindparam("datas"), ARRAY(Text)))
    return select(*_STORED).where(
        _l.c.org_id == bindparam("org"), _l.c.relation == bindparam("rel"), text(MSL_LINKS), datas
    )


# SQLite without statistics prefers the relation's primary-key range (it covers every column)
# to the partial index: named outright, as for records (storage/hot.py).
_LINKS_WITH_DATA = HotStatement(_links_with_data, sqlite_indexed_by={"links": "ix_links_msl_data"})


def links_with_data(conn: Connection, org_id: int, relation: str, datas: Sequence[str]) -> list[StoredLink]:
    """The links of ``relation`` (a multi-select lookup's) whose stored data is one of ``datas``
    (exact JSON texts: a linking record's ``{"id":"..."}``), through migration 90's partial
    index (the literal ``MSL_LINKS`` term is its predicate)."""
    if not datas:
        return []
    value: Any = list(datas)
    if conn.dialect.name == "sqlite":
        value = msgspec.json.encode(value).decode()
    return _stored(_LINKS_WITH_DATA.rows(conn, {"org": org_id, "rel": relation, "datas": value}))


def links_page(conn: Connection, org_id: int, relation: str, *, limit: int, offset: int) -> list[StoredLink]:
    """A page of the links of ``relation``, oldest first."""
    where = and_(_l.c.org_id == org_id, _l.c.relation == relation)
    return _stored(conn.execute(select(*_STORED).where(where).order_by(*_ORDER).limit(limit).offset(offset)))
