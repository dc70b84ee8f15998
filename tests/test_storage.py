"""Storage: migrations, ids unique across processes, transactions all-or-nothing."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crmlink.domain.ids import BASE, IdGenerator, allocate_node, ids_for_process
from crmlink.storage import tables
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
