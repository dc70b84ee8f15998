"""Lookups by id probe the primary key on SQLite, whatever the org's size (no full scans).

SQLite without statistics answers ``org_id = ? AND id IN (...)`` selecting only id and module
by scanning the org's whole ``ix_records_module``; ``record_modules`` (the lookup-field check of
every insert and update) orders by id so that the key is the cheaper plan. The test runs the
real statement and asks SQLite for the plan of exactly what was sent. (The relate path's own
lookup names the index outright: tests/test_related_semantics.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from crmlink.storage import records as rec
from crmlink.storage.engine import Database
from crmlink.storage.migrations import migrate


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'plans.db'}")
    migrate(db)
    yield db
    db.dispose()


def _plans(db: Database, run: Callable[[Connection], Any]) -> list[str]:
    """The query plan of every statement ``run`` executes."""
    sent: list[tuple[str, Any]] = []
    with db.read() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def keep(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
            sent.append((sql, params))

        run(conn)
        event.remove(conn, "before_cursor_execute", keep)
        return [
            "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all())
            for sql, params in sent
        ]


BY_KEY = "sqlite_autoindex_records_1 (org_id=? AND id=?)"


def test_record_modules_looks_up_ids_by_primary_key(sqlite_db: Database) -> None:
    (plan,) = _plans(sqlite_db, lambda c: rec.record_modules(c, 1, [11, 12]))
    assert BY_KEY in plan and "ix_records_module" not in plan, plan
