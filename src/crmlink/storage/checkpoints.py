"""WAL checkpoints on a background thread, so that no request waits for one.

In WAL mode every commit appends pages to the ``-wal`` file; a checkpoint copies them back into
the database file and fsyncs it. SQLite's own (automatic) checkpoint runs inside the commit that
crosses the threshold, so one request in a few hundred waits tens of milliseconds for the copy
and the fsync: the tail latency of every write route. Here the server's connections leave that
to a thread of their own, which after commits runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own
connection: a passive checkpoint copies what is committed without taking the write lock, so
writers go on meanwhile (``sqlite3`` releases the GIL while it works). Checkpoints stay small
(what was committed since the last one), and the WAL restarts from its beginning once one has
caught up. The connections keep a large automatic threshold as a backstop, for when readers
hold the WAL back or the thread is gone.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

# The connections' own threshold while the thread runs: pages (~200 MB); reached only when
# checkpoints cannot keep up.
BACKSTOP_PAGES = 50_000


class Checkpointer:
    """A daemon thread checkpointing ``path`` at most every ``interval`` seconds after commits."""

    def __init__(self, path: str, *, interval: float = 0.05) -> None:
        self._path = path
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crmlink-checkpoints", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Something was committed: checkpoint soon."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stop.wait(self._interval):  # let a burst of commits accumulate first
                    break
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # a busy database or a vanished file: try after the next commit
                    log.debug("background checkpoint failed", exc_info=True)
        finally:
            conn.close()
