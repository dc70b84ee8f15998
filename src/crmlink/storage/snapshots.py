"""Snapshots of an org's data, taken and restored inside the database.

A snapshot copies every data table's rows of the org (``org_rows.ACCOUNT_TABLES`` are left
alone, so tokens issued after a snapshot keep working after a restore) into a shadow table of
the same columns plus ``snapshot_id``: ``crmlink_snap_links`` for ``links``, and so on, keyed
by (org, snapshot, the table's key). Both directions are ``INSERT ... SELECT`` statements run by
the database, so no row travels through Python, and both engines do the same. Only tables the
org has rows in are copied; ``crmlink_snap__tables`` keeps each table's row count, which lets a
restore skip what cannot have changed. A table added by a later migration gets its shadow the
first time a snapshot is taken after it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy import (
    exists as exists_,
)
from sqlalchemy.schema import CreateTable

from crmlink.storage import tables
from crmlink.storage.org_rows import ACCOUNT_TABLES

_shadow_metadata = MetaData()
# ``crmlink_snap_``: the keyed layout below; snapshots in the first layout's tables
# (``crmlink_snapshot_*``) are not read.
_PREFIX = "crmlink_snap_"


# Up to this many changed rows of a table are put back by key; more take the full second step.
_TARGETED = 500


@cache
def _data_tables() -> tuple[Table, ...]:
    return tuple(
        t
        for t in tables.metadata.sorted_tables
        if "org_id" in t.c and t.name not in ACCOUNT_TABLES and not t.name.startswith(_PREFIX)
    )


@cache
def _shadow(table: Table) -> Table:
    """The shadow of ``table``: its columns after ``snapshot_id``, keyed by (org, snapshot, the
    table's key). On SQLite it is a WITHOUT ROWID table, so a copied row goes into one b-tree
    (not a rowid table and an index) and restore's probes find the row itself."""
    name = _PREFIX + table.name
    key = [c.name for c in table.primary_key.columns if c.name != "org_id"]
    columns = [Column("snapshot_id", BigInteger, nullable=False)]
    columns += [
        Column(c.name, c.type, nullable=c.name not in key and c.name != "org_id") for c in table.columns
    ]
    return Table(
        name,
        _shadow_metadata,
        *columns,
        PrimaryKeyConstraint("org_id", "snapshot_id", *key, name=f"pk_{name}"),
        sqlite_with_rowid=False,
    )


@cache
def _counts() -> Table:
    """Rows each table had in a snapshot (a table the snapshot does not name is newer than it)."""
    return Table(
        _PREFIX + "_tables",
        _shadow_metadata,
        Column("org_id", BigInteger, nullable=False),
        Column("snapshot_id", BigInteger, nullable=False),
        Column("name", Text, nullable=False),
        Column("rows", BigInteger, nullable=False),
        PrimaryKeyConstraint("org_id", "snapshot_id", "name"),
        sqlite_with_rowid=False,
    )


def _ensure(conn: Connection, table: Table) -> None:
    # One statement, no reflection: CREATE TABLE IF NOT EXISTS.
    conn.execute(CreateTable(table, if_not_exists=True))


def _org_rows(conn: Connection, table: Table, org_id: int) -> int:
    return conn.scalar(select(func.count()).select_from(table).where(table.c.org_id == org_id)) or 0


def take(conn: Connection, org_id: int, snapshot_id: int) -> int:
    """Copy the org's data into snapshot ``snapshot_id``; the number of rows copied. Tables the
    org has no rows in are only counted (0), not copied."""
    counts = _counts()
    _ensure(conn, counts)
    copied = 0
    per_table: list[dict[str, object]] = []
    for table in _data_tables():
        has_rows = conn.scalar(select(literal(1)).where(table.c.org_id == org_id).limit(1)) is not None
        n = 0
        if has_rows:
            shadow = _shadow(table)
            _ensure(conn, shadow)
            names = [c.name for c in table.columns]
            source = select(literal(snapshot_id, BigInteger), *[table.c[n] for n in names]).where(
                table.c.org_id == org_id
            )
            result = conn.execute(insert(shadow).from_select(["snapshot_id", *names], source))
            n = result.rowcount
            if n < 0:  # a driver that does not count INSERT ... SELECT
                n = (
                    conn.scalar(
                        select(func.count())
                        .select_from(shadow)
                        .where(shadow.c.org_id == org_id, shadow.c.snapshot_id == snapshot_id)
                    )
                    or 0
                )
        copied += n
        per_table.append({"org_id": org_id, "snapshot_id": snapshot_id, "name": table.name, "rows": n})
    conn.execute(insert(counts), per_table)
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
    counts = _counts()
    had = {
        name: int(n)
        for name, n in conn.execute(
            select(counts.c.name, counts.c.rows).where(
                counts.c.org_id == org_id, counts.c.snapshot_id == snapshot_id
            )
        )
    }
    # A test changes few rows between a snapshot and its restore, so the restore undoes the
    # difference rather than rewriting the org: rows that the snapshot does not hold as they are
    # go, then the snapshot's rows that are missing come back, each step one statement a table.
    # A table empty in the snapshot is emptied (a range delete, nothing when it still is empty).
    # The first step answers the keys it removed; the snapshot's rows of those keys come back by
    # key. Then, when the rows are as many as the snapshot's, none is missing (each is equal to a
    # distinct snapshot row: they differ by key) and the full second step is skipped; it runs
    # only when rows were deleted since the snapshot.
    for table in reversed(_data_tables()):
        before = had.get(table.name, 0)
        if before == 0:
            conn.execute(delete(table).where(table.c.org_id == org_id))
            continue
        shadow = _shadow(table)
        same_row = and_(
            shadow.c.org_id == org_id,
            shadow.c.snapshot_id == snapshot_id,
            *[shadow.c[c.name].is_not_distinct_from(c) for c in table.columns if c.name != "org_id"],
        )
        key = [c for c in table.primary_key.columns if c.name != "org_id"]
        gone = conn.execute(
            delete(table)
            .where(table.c.org_id == org_id, ~exists_().where(same_row))
            .returning(*(key or [table.c.org_id]))
        ).all()
        names = [c.name for c in table.columns]
        if key and 0 < len(gone) <= _TARGETED:
            # Rows changed since the snapshot (or new): put back the snapshot's version of those
            # keys (the ones it has), found by key rather than by a probe of every row.
            conn.execute(
                insert(table).from_select(
                    names,
                    select(*[shadow.c[n] for n in names]).where(
                        shadow.c.org_id == org_id,
                        shadow.c.snapshot_id == snapshot_id,
                        tuple_(*[shadow.c[c.name] for c in key]).in_([tuple(k) for k in gone]),
                    ),
                )
            )
        if _org_rows(conn, table, org_id) == before:
            continue
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
    counts = _counts()
    copied = conn.execute(
        select(counts.c.name).where(
            counts.c.org_id == org_id, counts.c.snapshot_id == snapshot_id, counts.c.rows > 0
        )
    ).scalars()
    by_name = {t.name: t for t in _data_tables()}
    for name in list(copied):
        shadow = _shadow(by_name[name])
        conn.execute(delete(shadow).where(shadow.c.org_id == org_id, shadow.c.snapshot_id == snapshot_id))
    conn.execute(delete(counts).where(counts.c.org_id == org_id, counts.c.snapshot_id == snapshot_id))
    marker = _marker()
    conn.execute(delete(marker).where(marker.c.org_id == org_id, marker.c.snapshot_id == snapshot_id))
    return True


def drop_all(conn: Connection, org_id: int) -> None:
    """Forget every snapshot of an org (when the org is deleted)."""
    marker = _marker()
    if not conn.dialect.has_table(conn, marker.name):
        return
    counts = _counts()
    copied = conn.execute(
        select(counts.c.name).where(counts.c.org_id == org_id, counts.c.rows > 0).distinct()
    ).scalars()
    by_name = {t.name: t for t in _data_tables()}
    for name in list(copied):
        shadow = _shadow(by_name[name])
        conn.execute(delete(shadow).where(shadow.c.org_id == org_id))
    conn.execute(delete(counts).where(counts.c.org_id == org_id))
    conn.execute(delete(marker).where(marker.c.org_id == org_id))
