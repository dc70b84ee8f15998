"""The SQL of records (``records``) and the lookups they make (``lookups``).

``domain/records.py`` validates and decides; this module reads and writes rows in the caller's
transaction. A record row as read for rendering is a ``RecordRow``: a plain tuple in the order
of ``RECORD_COLUMNS`` (pages of 200 are read on the driver's cursor and rendered by position,
``domain/rendering.py``, the hottest loop of every read); elsewhere rows come back named
(``StoredRecord``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, bindparam, cast, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB

from crmlink.storage import tables
from crmlink.storage.hot import SQLITE_RECORDS_PK, HotStatement, ids_value, in_ids, pg_insert_unnest

_r, _lk = tables.records, tables.lookups

RECORD_COLUMNS = (
    _r.c.id,
    _r.c.module,
    _r.c.data,
    _r.c.owner_id,
    _r.c.created_by,
    _r.c.modified_by,
    _r.c.created_at,
    _r.c.modified_at,
)
# ``(id, module, data, owner_id, created_by, modified_by, created_at, modified_at)``, the order of
# ``RECORD_COLUMNS``; a related list's rows carry the link's data after them.
RecordRow = Sequence[Any]

# Sort keys that are columns; any other sort key is a module field, read from the JSON data.
SORT_COLUMNS = {"id": _r.c.id, "Created_Time": _r.c.created_at, "Modified_Time": _r.c.modified_at}


class StoredRecord(NamedTuple):
    """One ``records`` row (``data`` is the stored JSON text)."""

    id: int
    module: str
    data: str
    owner_id: int
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


class NamedRecord(NamedTuple):
    """A record's module and stored data, for the display names of lookups."""

    id: int
    module: str
    data: str


# --- reading one or a few --------------------------------------------------------------------

_MODULE_OF = HotStatement(
    lambda _dialect: select(_r.c.module).where(_r.c.org_id == bindparam("org"), _r.c.id == bindparam("id"))
)


def record_module(conn: Connection, org_id: int, record_id: int) -> str | None:
    """The module of one record, None when it does not exist in the org (run on the driver's
    cursor: every related-list call checks its parent this way)."""
    found = _MODULE_OF.rows(conn, {"org": org_id, "id": record_id})
    return found[0][0] if found else None


def org_has_records(conn: Connection, org_id: int) -> bool:
    return conn.scalar(select(_r.c.id).where(_r.c.org_id == org_id).limit(1)) is not None


def record_modules(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, str]:
    """``{id: module}`` for the ids that exist in the org."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    # ORDER BY id steers SQLite to the primary key instead of scanning the org's whole
    # ix_records_module, which covers id and module (see storage/hot.py, SQLITE_RECORDS_PK).
    rows = conn.execute(
        select(_r.c.id, _r.c.module).where(_r.c.org_id == org_id, _r.c.id.in_(wanted)).order_by(_r.c.id)
    )
    return {row.id: row.module for row in rows}


def lock_records_for_delete(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, str]:
    """``{id: module}`` of the records about to be deleted, locked ``FOR UPDATE`` until the
    transaction ends on PostgreSQL (in id order): a relate, which locks its records ``FOR KEY
    SHARE`` before it links them (storage/links.py), waits for the delete and then finds them
    gone, so no link to a deleted record is ever committed. SQLite needs no lock."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(_r.c.id, _r.c.module).where(_r.c.org_id == org_id, _r.c.id.in_(wanted)).order_by(_r.c.id)
    return {row.id: row.module for row in conn.execute(query.with_for_update())}


def records_for_update(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, StoredRecord]:
    """Rows by id, locked until the transaction ends on PostgreSQL (in id order, one lock order
    for every transaction: no deadlock between two), so that a read-merge-write of a record's
    fields cannot interleave with another process's and lose its fields. SQLite needs no lock:
    a write transaction there holds the whole database. The lock is ``FOR NO KEY UPDATE``: it
    does not wait for relates, which hold their records ``FOR KEY SHARE``."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(*RECORD_COLUMNS).where(_r.c.org_id == org_id, _r.c.id.in_(wanted)).order_by(_r.c.id)
    return {row.id: StoredRecord(*row) for row in conn.execute(query.with_for_update(key_share=True))}


def record_row(conn: Connection, org_id: int, module: str, record_id: int) -> RecordRow | None:
    """One record of ``module``, as a ``RecordRow``."""
    return conn.execute(
        select(*RECORD_COLUMNS).where(_r.c.org_id == org_id, _r.c.id == record_id, _r.c.module == module)
    ).first()


_NAMES = HotStatement(
    lambda dialect: select(_r.c.id, _r.c.module, _r.c.data).where(
        _r.c.org_id == bindparam("org"), in_ids(_r.c.id, "ids", dialect)
    ),
    sqlite_indexed_by={"records": SQLITE_RECORDS_PK},
)


def named_records(conn: Connection, org_id: int, ids: Iterable[int]) -> list[NamedRecord]:
    """Module and data of the records among ``ids`` that exist (lookup targets to name)."""
    return [NamedRecord(*row) for row in _NAMES.rows(conn, {"org": org_id, "ids": ids_value(conn, ids)})]


# --- pages -----------------------------------------------------------------------------------


def _converted_filter(converted: str | None) -> Any:
    """``false`` hides converted leads, ``true`` keeps only them, ``None`` does not look."""
    c = tables.converted_leads
    found = exists().where(c.c.org_id == _r.c.org_id, c.c.lead_id == _r.c.id)
    if converted == "false":
        return ~found
    if converted == "true":
        return found
    return None


def _module_page(since: bool, converted: str | None) -> HotStatement:
    """A page of a module's records by id (optionally modified after ``since``): the plain
    ``GET /{module}``, the common case, run on the driver's cursor (storage/hot.py)."""
    query = select(*RECORD_COLUMNS).where(_r.c.org_id == bindparam("org"), _r.c.module == bindparam("module"))
    if since:
        query = query.where(_r.c.modified_at > bindparam("since"))
    where = _converted_filter(converted)
    if where is not None:
        query = query.where(where)
    page = query.order_by(_r.c.id).limit(bindparam("limit")).offset(bindparam("offset"))
    return HotStatement(lambda _dialect: page)


_MODULE_PAGE = {
    (since, converted): _module_page(since, converted)
    for since in (False, True)
    for converted in (None, "false", "true")
}


def _sort_expression(conn: Connection, sort_by: str) -> Any:
    """A column or, for module fields, the JSON value (engine-specific extraction)."""
    column = SORT_COLUMNS.get(sort_by)
    if column is not None:
        return column
    data = _r.c.data
    if conn.dialect.name == "sqlite":
        return func.json_extract(data, f'$."{sort_by}"')
    # PostgreSQL: data is text holding JSON. jsonb cannot hold U+0000, which text fields may
    # contain (stored verbatim), so each ``\u0000`` escape is read as U+FFFD for sorting; the
    # replacement keeps the text valid JSON whatever precedes it.
    return cast(func.replace(data, "\\u0000", "\\ufffd"), JSONB)[sort_by].astext


def module_records(
    conn: Connection,
    org_id: int,
    module: str,
    *,
    limit: int,
    offset: int,
    ids: Sequence[int] | None = None,
    modified_since: int | None = None,
    sort_by: str | None = None,
    descending: bool = True,
    owner_id: int | None = None,
    converted: str | None = None,
) -> Sequence[RecordRow]:
    """A page of ``module``'s records: by id, or by ``sort_by`` (a ``SORT_COLUMNS`` key or a
    field of the module, checked by the caller) then id; optionally only ``ids``, only records
    modified after ``modified_since`` and only records owned by ``owner_id``."""
    if ids is None and not sort_by and owner_id is None:
        params = {"org": org_id, "module": module, "limit": limit, "offset": offset}
        if modified_since is not None:
            params["since"] = modified_since
        return _MODULE_PAGE[(modified_since is not None, converted)].rows(conn, params)
    query = select(*RECORD_COLUMNS).where(_r.c.org_id == org_id, _r.c.module == module)
    converted_where = _converted_filter(converted)
    if converted_where is not None:
        query = query.where(converted_where)
    if ids is not None:
        query = query.where(_r.c.id.in_(list(ids)))
    if owner_id is not None:
        query = query.where(_r.c.owner_id == owner_id)
    if modified_since is not None:
        query = query.where(_r.c.modified_at > modified_since)
    if sort_by:
        expr = _sort_expression(conn, sort_by)
        query = query.order_by(expr.desc() if descending else expr.asc(), _r.c.id)
    else:
        query = query.order_by(_r.c.id)
    return conn.execute(query.limit(limit).offset(offset)).all()


def records_looking_up(
    conn: Connection,
    org_id: int,
    parent_id: int,
    module: str,
    field: str,
    *,
    limit: int,
    offset: int = 0,
    modified_since: int | None = None,
    only: int | None = None,
) -> Sequence[RecordRow]:
    """Records of ``module`` whose lookup ``field`` points at ``parent_id`` (a Lead's Notes), by
    id; with ``only``, just that record."""
    query = (
        select(*RECORD_COLUMNS)
        .select_from(_lk.join(_r, and_(_r.c.org_id == _lk.c.org_id, _r.c.id == _lk.c.record_id)))
        .where(
            _lk.c.org_id == org_id,
            _lk.c.target_id == parent_id,
            _lk.c.module == module,
            _lk.c.field == field,
        )
    )
    if only is not None:
        query = query.where(_lk.c.record_id == only)
    if modified_since is not None:
        query = query.where(_r.c.modified_at > modified_since)
    return conn.execute(query.order_by(_r.c.id).limit(limit).offset(offset)).all()


# --- writes ----------------------------------------------------------------------------------


def insert_records(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``records`` rows (dicts keyed by column name; one statement)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        pg_insert_unnest(conn, _r, rows)
        return
    conn.execute(insert(_r), list(rows))


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A record's new field values and audit columns (``update_records``)."""

    record_id: int
    data: str
    modified_by: int
    modified_at: int
    owner_id: int


# One statement for every updated row of a call (executemany): building and compiling an UPDATE
# per item cost ~0.7 ms of CPU each, most of a 100-item update (bench.inproc upsert100u).
_UPDATE_RECORD = (
    update(_r)
    .where(_r.c.org_id == bindparam("k_org"), _r.c.id == bindparam("k_id"))
    .values(
        data=bindparam("v_data"),
        modified_by=bindparam("v_by"),
        modified_at=bindparam("v_at"),
        owner_id=bindparam("v_owner"),
    )
)


def update_records(conn: Connection, org_id: int, changes: Sequence[RecordChange]) -> None:
    """Write ``changes`` in order, in one executemany."""
    if not changes:
        return
    conn.execute(
        _UPDATE_RECORD,
        [
            {
                "k_org": org_id,
                "k_id": c.record_id,
                "v_data": c.data,
                "v_by": c.modified_by,
                "v_at": c.modified_at,
                "v_owner": c.owner_id,
            }
            for c in changes
        ],
    )


def insert_lookups(
    conn: Connection, org_id: int, module: str, record_id: int, refs: Mapping[str, int]
) -> None:
    """The lookups ``record_id`` makes: ``{field: target id}``."""
    if refs:
        conn.execute(
            insert(_lk),
            [
                {"org_id": org_id, "target_id": t, "module": module, "field": f, "record_id": record_id}
                for f, t in refs.items()
            ],
        )


def delete_lookups(conn: Connection, org_id: int, record_id: int, fields: Iterable[str]) -> None:
    """Forget the lookups ``record_id`` makes through ``fields``."""
    conn.execute(
        delete(_lk).where(_lk.c.org_id == org_id, _lk.c.record_id == record_id, _lk.c.field.in_(list(fields)))
    )


def delete_records(conn: Connection, org_id: int, record_ids: Sequence[int]) -> None:
    """Delete the records and every lookup from or to them (their links are the caller's)."""
    ids = list(record_ids)
    conn.execute(
        delete(_lk).where(_lk.c.org_id == org_id, or_(_lk.c.record_id.in_(ids), _lk.c.target_id.in_(ids)))
    )
    conn.execute(delete(_r).where(_r.c.org_id == org_id, _r.c.id.in_(ids)))
