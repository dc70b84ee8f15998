"""WAL checkpoints on a background thread (storage/checkpoints.py): committed pages reach the
database file without any request running a checkpoint, and without closing connections."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from crmlink.storage import tables
from crmlink.storage.checkpoints import BACKSTOP_PAGES
from crmlink.storage.engine import INLINE_CHECKPOINT_PAGES, Database
from crmlink.storage.migrations import migrate


def _in_main_file(path: Path, name: str) -> bool:
    """Whether the row is in the database file itself (``immutable=1`` ignores the WAL)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute("SELECT 1 FROM counters WHERE name = ?", (name,)).fetchone() is not None
    except sqlite3.OperationalError:  # not even the schema has been copied yet
        return False
    finally:
        conn.close()


def _write_and_wait(path: Path, background: bool, wait: float) -> tuple[bool, int]:
    db = Database(f"sqlite:///{path}", background_checkpoints=background)
    try:
        migrate(db)
        with db.write() as conn:
            conn.execute(tables.counters.insert().values(name="probe", value=1))
        deadline = time.monotonic() + wait
        while not _in_main_file(path, "probe") and time.monotonic() < deadline:
            time.sleep(0.02)
        with db.read() as conn:
            threshold = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        return _in_main_file(path, "probe"), int(threshold or 0)
    finally:
        db.dispose()


def test_commits_reach_the_database_file_in_the_background(tmp_path: Path) -> None:
    copied, threshold = _write_and_wait(tmp_path / "bg.db", background=True, wait=10)
    assert copied
    assert threshold == BACKSTOP_PAGES  # requests do not checkpoint unless the thread falls behind


def test_without_the_thread_small_commits_stay_in_the_wal(tmp_path: Path) -> None:
    # The control: the same write with inline checkpoints only stays in the WAL for now.
    copied, threshold = _write_and_wait(tmp_path / "inline.db", background=False, wait=0.5)
    assert not copied
    assert threshold == INLINE_CHECKPOINT_PAGES
