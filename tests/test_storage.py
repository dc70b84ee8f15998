"""Storage: migrations, ids unique across processes, transactions all-or-nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from crmlink.domain.ids import BASE, IdGenerator, allocate_node, ids_for_process
from crmlink.storage import migrations, tables
from crmlink.storage.engine import Database
from crmlink.storage.migrations import MIGRATIONS, current_version, migrate


def test_migrate_is_idempotent(database_url: str) -> None:
    db = Database(database_url)
    try:
        migrate(db)
        assert migrate(db) == []
        assert current_version(db) == max(MIGRATIONS)
    finally:
        db.dispose()


def test_concurrent_migrations_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    dbs = [Database(url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(migrate, dbs))
    assert sorted(len(r) for r in results) == [0, 0, 0, len(MIGRATIONS)]
    for db in dbs:
        db.dispose()


def test_each_process_draws_its_own_node(database_url: str) -> None:
    db = Database(database_url)
    try:
        nodes = {allocate_node(db) for _ in range(20)}
        assert len(nodes) == 20
    finally:
        db.dispose()


def test_ids_are_19_digits_unique_and_ordered() -> None:
    gen = IdGenerator(5)
    ids = gen.take(20_000)  # several milliseconds' worth, past the 4,096-per-ms sequence
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(len(str(i)) == 19 and i >= BASE for i in ids)


_MINT = """
import sys
from crmlink.domain.ids import ids_for_process
from crmlink.storage.engine import Database
db = Database(sys.argv[1])
print("\\n".join(str(i) for i in ids_for_process(db).take(5000)))
"""


def test_two_processes_on_one_database_never_mint_the_same_id(database_url: str) -> None:
    procs = [
        subprocess.run(
            [sys.executable, "-c", _MINT, database_url], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    first, second = ({int(x) for x in p.stdout.split()} for p in procs)
    assert len(first) == len(second) == 5000
    assert not first & second


def test_write_rolls_back_entirely_on_error(database_url: str) -> None:
    db = Database(database_url)
    try:
        ids = ids_for_process(db)
        org_id = ids.next()
        with pytest.raises(RuntimeError), db.write() as conn:
            conn.execute(tables.orgs.insert().values(id=org_id, name="half", created_at=1))
            raise RuntimeError("boom")
        with db.read() as conn:
            count = conn.scalar(
                select(func.count()).select_from(tables.orgs).where(tables.orgs.c.id == org_id)
            )
        assert count == 0
    finally:
        db.dispose()


_LINK_ROWS = [
    {
        "org_id": 1,
        "relation": "products_price_books",
        "left_id": left,
        "right_id": right,
        "data": f'{{"list_price":{left}.5}}',
        "created_by": 9,
        "modified_by": 9,
        "created_at": 100 + right,
        "modified_at": 200 + right,
    }
    for left in (30, 10, 20)
    for right in (6, 4, 5)
]


def _links_schema(db: Database) -> dict[str, str | None]:
    """``{name: sql}`` of ``links`` and its indexes, as SQLite keeps them."""
    with db.read() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'links'"))
        return {row[0]: row[1] for row in rows}


def _all_links(db: Database) -> list[dict[str, object]]:
    with db.read() as conn:
        rows = conn.execute(select(tables.links).order_by(tables.links.c.left_id, tables.links.c.right_id))
        return [dict(row._mapping) for row in rows]


@pytest.fixture()
def old_links_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A SQLite database as migrations 1-3 made it before migration 4: ``links`` a rowid table
    (plus the autoindex of its key), holding a few links."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    with monkeypatch.context() as old:
        old.setitem(tables.links.dialect_options["sqlite"], "with_rowid", True)
        for later in [v for v in MIGRATIONS if v >= 4]:  # 4 and whatever came after it
            old.delitem(MIGRATIONS, later)
        assert migrate(db) == [1, 2, 3]
    with db.write() as conn:
        conn.execute(tables.links.insert(), _LINK_ROWS)
    schema = _links_schema(db)
    assert "WITHOUT ROWID" not in (schema["links"] or "") and "sqlite_autoindex_links_1" in schema
    yield db
    db.dispose()


def test_migration_4_rebuilds_links_without_rowid(old_links_db: Database) -> None:
    before = _links_schema(old_links_db)
    assert migrate(old_links_db) == [v for v in sorted(MIGRATIONS) if v >= 4]
    after = _links_schema(old_links_db)
    assert "WITHOUT ROWID" in (after["links"] or "")
    # The key is the table itself now; the reverse index is back as it was.
    assert set(after) == {"links", "ix_links_right", "ix_links_msl_data"}  # the last: migration 90
    assert after["ix_links_right"] == before["ix_links_right"]
    assert _all_links(old_links_db) == sorted(_LINK_ROWS, key=lambda r: (r["left_id"], r["right_id"]))
    with old_links_db.read() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT left_id FROM links"
            " WHERE org_id = 1 AND relation = 'x' AND right_id = 4"
        ).all()
    assert "USING COVERING INDEX ix_links_right" in str(plan), plan
    assert migrate(old_links_db) == []


def test_migration_4_is_all_or_nothing(old_links_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _links_schema(old_links_db)
    # Fail at the migration's last check, after the old table is gone: the rollback restores it.
    monkeypatch.setattr(migrations, "_links_without_rowid", lambda _conn: False)
    with pytest.raises(RuntimeError, match="WITHOUT ROWID"):
        migrate(old_links_db)
    assert _links_schema(old_links_db) == before
    assert len(_all_links(old_links_db)) == len(_LINK_ROWS)
    assert current_version(old_links_db) == 3


def test_fresh_sqlite_links_are_without_rowid(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert migrate(db) == sorted(MIGRATIONS)
        schema = _links_schema(db)
        assert "WITHOUT ROWID" in (schema["links"] or "")
        assert set(schema) == {"links", "ix_links_right", "ix_links_msl_data"}
    finally:
        db.dispose()


def test_migration_20_gives_existing_orgs_the_default_contact_roles(
    live_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crmlink.storage.contact_roles import DEFAULT_ROLES, list_roles

    db = Database(live_database_url)
    try:
        with monkeypatch.context() as old:
            old.delitem(MIGRATIONS, 20)
            migrate(db)
        with db.write() as conn:  # a database from before migration 20, holding two orgs
            tables.contact_roles.drop(conn)
            conn.execute(
                tables.orgs.insert(), [{"id": i, "name": f"org {i}", "created_at": 1} for i in (7, 8)]
            )
        assert migrate(db) == [20]
        with db.read() as conn:
            for org_id in (7, 8):
                assert [r.name for r in list_roles(conn, org_id)] == list(DEFAULT_ROLES)
    finally:
        db.dispose()


def test_migration_25_adds_the_org_schema_to_an_older_database(live_database_url: str) -> None:
    """A database from before migration 25: ``orgs`` without the schema columns, no schema
    tables. Migrating adds them; existing orgs are at schema version 0 (the standard catalog)."""
    db = Database(live_database_url)
    try:
        migrate(db)
        with db.write() as conn:
            conn.execute(text("INSERT INTO orgs (id, name, created_at) VALUES (7, 'old', 1)"))
            for table in ("org_counters", "org_schema_fields", "org_schema_modules"):
                conn.execute(text(f"DROP TABLE {table}"))
            conn.execute(text("ALTER TABLE orgs DROP COLUMN schema_version"))
            conn.execute(text("ALTER TABLE orgs DROP COLUMN schema_modified_at"))
            conn.execute(text("DELETE FROM schema_migrations WHERE version = 25"))
        assert migrate(db) == [25]
        with db.read() as conn:
            assert conn.execute(text("SELECT schema_version FROM orgs WHERE id = 7")).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM org_schema_fields")).scalar_one() == 0
        assert migrate(db) == []
    finally:
        db.dispose()
