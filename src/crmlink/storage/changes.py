"""The change log: one ``changes`` row per record or link change, numbered per org in commit order.

Why not a sequence (or SQLite's rowid): on PostgreSQL a sequence hands out numbers when a
transaction asks, not when it commits. Transaction A takes 5, B takes 6, B commits first; a reader
that then sees 6 and moves its cursor past it would never see 5 once A commits. So each writing
transaction instead bumps its org's row of ``change_counters`` (``append`` below) as the *last*
thing it locks: the row lock is held until commit, so a second writer of the same org waits for
the first to commit before it gets its numbers, and numbers become visible in order, with no gaps
once committed (a rolled-back transaction gives its numbers back with its counter update). A
reader's ``seq > cursor`` therefore never skips or repeats a change. The cost is that writers of
one org serialize from their counter update to their commit (a few statements); writers of
different orgs do not. Taking the counter last also keeps it out of every other lock order, so it
cannot deadlock with the record and link row locks (storage/links.py) taken before it.

On PostgreSQL ``Database.write()`` runs its block inside ``deferred``: the appends of the
transaction are held and made at its end, in one statement per org, so "last" holds by
construction, also for calls that change records and then links (lead conversion inserts
records, then moves links: taking the counter at the insert would let it wait, counter in hand,
for a link a concurrent relate holds while that relate waits for the counter).

On SQLite write transactions already run one at a time (``BEGIN IMMEDIATE``, group commit); the
same counter row gives the same numbering there, and a unit rolled back to its savepoint returns
its numbers too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, literal_column, select, text

from crmlink.storage import tables
from crmlink.storage.hot import HotStatement

_c = tables.changes

# (at, actor_id, kind, action, module, record_id, relation, left_id, right_id, old_data, new_data)
ChangeTuple = tuple[
    int, int, str, str, str | None, int | None, str | None, int | None, int | None, str | None, str | None
]
_COLUMNS = (
    "org_id",
    "seq",
    "at",
    "actor_id",
    "kind",
    "action",
    "module",
    "record_id",
    "relation",
    "left_id",
    "right_id",
    "old_data",
    "new_data",
)

_BUMP = text(
    "INSERT INTO change_counters (org_id, value) VALUES (:org, :n)"
    " ON CONFLICT (org_id) DO UPDATE SET value = change_counters.value + excluded.value"
    " RETURNING value"
)
# PostgreSQL: the counter bumped and the rows (one array per column, ``ChangeTuple`` order)
# numbered after it, in one statement.
_PG_APPEND = (
    "WITH bumped AS (INSERT INTO change_counters (org_id, value) VALUES (%(org)s, %(n)s)"
    " ON CONFLICT (org_id) DO UPDATE SET value = change_counters.value + excluded.value"
    " RETURNING value)"
    " INSERT INTO changes (" + ", ".join(_COLUMNS) + ")"
    " SELECT %(org)s, bumped.value - %(n)s + t.n, t.c0, t.c1, t.c2, t.c3, t.c4, t.c5, t.c6, t.c7,"
    " t.c8, t.c9, t.c10"
    " FROM bumped, unnest(%(c0)s::bigint[], %(c1)s::bigint[], %(c2)s::text[], %(c3)s::text[],"
    " %(c4)s::text[], %(c5)s::bigint[], %(c6)s::text[], %(c7)s::bigint[], %(c8)s::bigint[],"
    " %(c9)s::text[], %(c10)s::text[])"
    " WITH ORDINALITY AS t(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, n)"
    " RETURNING seq"
)
_INSERT = HotStatement(lambda _dialect: _c.insert().values({name: bindparam(name) for name in _COLUMNS}))


_DEFERRED = "crmlink.changes.deferred"


@contextmanager
def deferred(conn: Connection) -> Iterator[None]:
    """Hold the ``append`` calls made on ``conn`` inside the block and make them when it ends
    without an exception: the org's counter is then the transaction's last lock (module
    docstring). Orgs in id order."""
    pending: list[tuple[int, ChangeTuple]] = []
    conn.info[_DEFERRED] = pending
    try:
        yield
    finally:
        conn.info.pop(_DEFERRED, None)
    by_org: dict[int, list[ChangeTuple]] = {}
    for org_id, row in pending:
        by_org.setdefault(org_id, []).append(row)
    for org_id in sorted(by_org):
        append(conn, org_id, by_org[org_id])


def append(conn: Connection, org_id: int, rows: Sequence[ChangeTuple]) -> int:
    """Number ``rows`` after the org's last change and store them; returns the last number
    (0 when held by ``deferred``, which stores them at its end). Call it after every other
    lock of the transaction is taken (module docstring)."""
    if not rows:
        return 0
    pending: list[tuple[int, ChangeTuple]] | None = conn.info.get(_DEFERRED)
    if pending is not None:
        pending.extend((org_id, row) for row in rows)
        return 0
    if conn.dialect.name == "postgresql":
        # The counter update and the rows in one statement: the org's counter is held from it
        # to the commit, nothing else, whatever the number of rows.
        columns = list(zip(*rows, strict=True))
        params = {"org": org_id, "n": len(rows), **{f"c{i}": list(col) for i, col in enumerate(columns)}}
        return max(int(row[0]) for row in conn.exec_driver_sql(_PG_APPEND, params))
    last = int(conn.execute(_BUMP, {"org": org_id, "n": len(rows)}).scalar_one())
    first = last - len(rows) + 1
    _INSERT.many_tuples(conn, _COLUMNS, [(org_id, first + i, *row) for i, row in enumerate(rows)])
    return last


def link_rows(events: Iterable[tuple[Any, ...]]) -> list[ChangeTuple]:
    """Change rows for link events shaped as ``relations.EVENT_COLUMNS`` tuples."""
    return [
        (at, actor, "link", action, None, None, relation, left, right, old, new)
        for _org, at, actor, relation, action, left, right, old, new in events
    ]


def record_texts(conn: Connection, org_id: int, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """``{id: (module, stored JSON)}`` of the records (read before a delete, for its event)."""
    if not ids:
        return {}
    r = tables.records
    rows = conn.execute(
        select(r.c.id, r.c.module, r.c.data)
        .where(r.c.org_id == org_id, r.c.id.in_(list(ids)))
        .order_by(r.c.id)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One stored change (JSON columns still as text)."""

    seq: int
    at: int
    actor_id: int
    kind: str
    action: str
    module: str | None
    record_id: int | None
    relation: str | None
    left_id: int | None
    right_id: int | None
    old_data: str | None
    new_data: str | None


_READ = HotStatement(
    lambda _dialect: (
        select(*(_c.c[name] for name in _COLUMNS[1:]))
        .where(_c.c.org_id == bindparam("org"), _c.c.seq > bindparam("after"))
        .order_by(_c.c.seq)
        .limit(bindparam("limit"))
        .offset(literal_column("0"))
    )  # SQLite would otherwise add an OFFSET parameter of its own
)


def read(conn: Connection, org_id: int, after: int, limit: int) -> list[ChangeRow]:
    """The org's changes numbered above ``after``, oldest first, at most ``limit``."""
    return [ChangeRow(*row) for row in _READ.rows(conn, {"org": org_id, "after": after, "limit": limit})]


def last_seq(conn: Connection, org_id: int) -> int:
    """The number of the org's latest committed change (0 when none yet)."""
    cc = tables.change_counters
    value = conn.execute(select(cc.c.value).where(cc.c.org_id == org_id)).scalar()
    return int(value or 0)


def first_seq(conn: Connection, org_id: int) -> int | None:
    """The number of the org's oldest change still kept (None when none is kept)."""
    value = conn.execute(select(func.min(_c.c.seq)).where(_c.c.org_id == org_id)).scalar()
    return int(value) if value is not None else None


def prune(conn: Connection, before_at: int, batch: int = 5000) -> int:
    """Delete up to ``batch`` changes per org older than ``before_at`` (microseconds), oldest
    first along each org's numbering, so that what is kept is always a suffix of the log (a
    cursor is either still valid or older than everything kept). Returns how many went."""
    cc = tables.change_counters
    removed = 0
    for org_id in conn.scalars(select(cc.c.org_id)).all():
        head = conn.execute(
            select(_c.c.seq, _c.c.at).where(_c.c.org_id == org_id).order_by(_c.c.seq).limit(batch)
        ).all()
        cut = None
        for seq, at in head:
            if at >= before_at:
                break
            cut = seq
        if cut is not None:
            result = conn.execute(delete(_c).where(_c.c.org_id == org_id, _c.c.seq <= cut))
            removed += result.rowcount
    return removed


def of_record(conn: Connection, org_id: int, record_id: int, limit: int, after: int = 0) -> list[ChangeRow]:
    """The org's changes numbered above ``after`` of one record and of its links, newest first,
    at most ``limit`` (the console's history: a range of the primary key, no index of its own,
    so that writing a change costs nothing more)."""
    rows = conn.execute(
        select(*(_c.c[name] for name in _COLUMNS[1:]))
        .where(
            _c.c.org_id == org_id,
            _c.c.seq > after,
            (_c.c.record_id == record_id) | (_c.c.left_id == record_id) | (_c.c.right_id == record_id),
        )
        .order_by(_c.c.seq.desc())
        .limit(limit)
    )
    return [ChangeRow(*row) for row in rows]
