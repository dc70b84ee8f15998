"""Snapshots of an org's data, taken and restored inside the database.

A snapshot copies every data table's rows of the org (``org_rows.ACCOUNT_TABLES`` are left
alone, so tokens issued after a snapshot keep working after a restore) into a shadow table of
the same columns plus ``snapshot_id``: ``crmlink_snapshot_links`` for ``links``, and so on. Both
directions are ``INSERT ... SELECT`` statements run by the database, so no row travels through
Python, and both engines do the same. A table added by a later migration gets its shadow the
first time a snapshot is taken after it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    MetaData,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import (
    exists as exists_,
)

from crmlink.storage import tables
from crmlink.storage.org_rows import ACCOUNT_TABLES

_shadow_metadata = MetaData()
_PREFIX = "crmlink_snapshot_"


def _data_tables() -> list[Table]:
    return [
        t
        for t in tables.metadata.sorted_tables
        if "org_id" in t.c and t.name not in ACCOUNT_TABLES and not t.name.startswith(_PREFIX)
    ]


def _shadow(table: Table) -> Table:
    name = _PREFIX + table.name
    found = _shadow_metadata.tables.get(name)
    if found is not None:
        return found
    columns = [Column("snapshot_id", BigInteger, nullable=False)]
    columns += [Column(c.name, c.type, nullable=True) for c in table.columns]
    shadow = Table(name, _shadow_metadata, *columns)
    # Restore probes a shadow row by the table's key (see ``restore``).
    key = [shadow.c[c.name] for c in table.primary_key.columns if c.name != "org_id"]
    Index(f"ix_{name}", shadow.c.org_id, shadow.c.snapshot_id, *key)
    return shadow


def take(conn: Connection, org_id: int, snapshot_id: int) -> int:
    """Copy the org's data into snapshot ``snapshot_id``; the number of rows copied."""
    copied = 0
    for table in _data_tables():
        shadow = _shadow(table)
        shadow.create(conn, checkfirst=True)
        names = [c.name for c in table.columns]
        source = select(literal(snapshot_id, BigInteger), *[table.c[n] for n in names]).where(
            table.c.org_id == org_id
        )
        conn.execute(insert(shadow).from_select(["snapshot_id", *names], source))
        # psycopg answers -1 as the rowcount of INSERT ... SELECT: count what was copied.
        copied += (
            conn.scalar(
                select(func.count())
                .select_from(shadow)
                .where(shadow.c.org_id == org_id, shadow.c.snapshot_id == snapshot_id)
            )
            or 0
        )
    return copied


def restore(conn: Connection, org_id: int, snapshot_id: int) -> int | None:
    """Put the org's data back as snapshot ``snapshot_id`` holds it; the rows it holds (None:
    the org has no such snapshot)."""
    marker = _marker()
    if not conn.dialect.has_table(conn, marker.name):
        return None
    rows = conn.scalar(
        select(marker.c.rows).where(marker.c.org_id == org_id, marker.c.snapshot_id == snapshot_id)
    )
    if rows is None:
        return None
    # A test changes few rows between a snapshot and its restore, so the restore undoes the
    # difference rather than rewriting the org: rows that the snapshot does not hold as they are
    # go, then the snapshot's rows that are missing come back. Each step is one statement.
    data = _data_tables()
    for table in reversed(data):
        shadow = _shadow(table)
        if not conn.dialect.has_table(conn, shadow.name):
            # a table newer than the snapshot: it was empty then
            conn.execute(delete(table).where(table.c.org_id == org_id))
            continue
        same_row = and_(
            shadow.c.snapshot_id == snapshot_id,
            *[shadow.c[c.name].is_not_distinct_from(c) for c in table.columns],
        )
        conn.execute(delete(table).where(table.c.org_id == org_id, ~exists_().where(same_row)))
    for table in data:
        shadow = _shadow(table)
        if not conn.dialect.has_table(conn, shadow.name):
            continue
        names = [c.name for c in table.columns]
        same_key = and_(*[table.c[c.name] == shadow.c[c.name] for c in table.primary_key.columns])
        source = select(*[shadow.c[n] for n in names]).where(
            shadow.c.org_id == org_id,
            shadow.c.snapshot_id == snapshot_id,
            ~exists_().where(same_key),
        )
        conn.execute(insert(table).from_select(names, source))
    return int(rows)


def exists(conn: Connection, org_id: int, snapshot_id: int) -> bool:
    """Whether the org has that snapshot (a marker row is kept in the orgs' shadow of records)."""
    marker = _marker()
    if not conn.dialect.has_table(conn, marker.name):
        return False
    return (
        conn.scalar(
            select(marker.c.snapshot_id).where(marker.c.org_id == org_id, marker.c.snapshot_id == snapshot_id)
        )
        is not None
    )


def _marker() -> Table:
    name = _PREFIX + "_index"
    found = _shadow_metadata.tables.get(name)
    if found is not None:
        return found
    marker = Table(
        name,
        _shadow_metadata,
        Column("org_id", BigInteger, primary_key=True),
        Column("snapshot_id", BigInteger, primary_key=True),
        Column("created_at", BigInteger, nullable=False),
        Column("rows", BigInteger, nullable=False),
    )
    return marker


def record(conn: Connection, org_id: int, snapshot_id: int, created_at: int, rows: int) -> None:
    marker = _marker()
    marker.create(conn, checkfirst=True)
    conn.execute(
        insert(marker).values(org_id=org_id, snapshot_id=snapshot_id, created_at=created_at, rows=rows)
    )


def drop(conn: Connection, org_id: int, snapshot_id: int) -> bool:
    """Forget a snapshot; False when the org has no such snapshot."""
    if not exists(conn, org_id, snapshot_id):
        return False
    for table in _data_tables():
        shadow = _shadow(table)
        if conn.dialect.has_table(conn, shadow.name):
            conn.execute(delete(shadow).where(shadow.c.org_id == org_id, shadow.c.snapshot_id == snapshot_id))
    marker = _marker()
    conn.execute(delete(marker).where(marker.c.org_id == org_id, marker.c.snapshot_id == snapshot_id))
    return True


def drop_all(conn: Connection, org_id: int) -> None:
    """Forget every snapshot of an org (when the org is deleted)."""
    marker = _marker()
    if not conn.dialect.has_table(conn, marker.name):
        return
    for table in _data_tables():
        shadow = _shadow(table)
        if conn.dialect.has_table(conn, shadow.name):
            conn.execute(delete(shadow).where(shadow.c.org_id == org_id))
    conn.execute(delete(marker).where(marker.c.org_id == org_id))
