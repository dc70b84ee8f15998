"""The database handle: one small interface over SQLite and PostgreSQL, chosen by URL.

``Database.write()`` is one transaction (``BEGIN IMMEDIATE`` on SQLite, so that concurrent
writers in other processes queue on the lock instead of failing half-way); ``Database.read()``
is a plain read transaction. From async code, ``Database.transact(fn)`` runs ``fn(conn)`` as one
atomic write: on SQLite through group commit (``storage/group_commit.py``: the calls ready
together share a transaction, each in its own savepoint), on PostgreSQL in its own transaction
on a worker thread. ``Database.run()`` runs other blocking storage work (reads): inline on SQLite
(statements take microseconds), on a worker thread with a connection pool on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeAlias, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from crmlink.storage import changes
from crmlink.storage.checkpoints import BACKSTOP_PAGES, Checkpointer
from crmlink.storage.files import prepare_sqlite_files
from crmlink.storage.group_commit import GroupCommit

# The connection type domain/ names in signatures without importing SQLAlchemy itself.
Conn: TypeAlias = Connection

P = ParamSpec("P")
T = TypeVar("T")


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    """An engine plus the transaction discipline every caller uses."""

    def __init__(self, url: str, *, pool_size: int = 10, background_checkpoints: bool = False) -> None:
        """``pool_size``: connections kept to PostgreSQL (``CRMLINK_DB_POOL_SIZE``; as many again
        may open for bursts); SQLite keeps a pool of its own size. ``background_checkpoints``
        (servers): WAL checkpoints on a thread of their own (``storage/checkpoints.py``) instead
        of inside the commit that crosses SQLite's threshold."""
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self._checkpointer: Checkpointer | None = None
        self._readers: dict[int, Connection] = {}
        self._readers_busy: set[int] = set()
        self._readers_lock = threading.Lock()
        # Called (on the event loop) after each ``transact`` committed: wakes the notification
        # worker, which otherwise looks for new changes only every half second.
        self.after_commit: list[Callable[[], None]] = []
        if self.dialect == "sqlite":
            on_disk = bool(parsed.database) and parsed.database != ":memory:"
            if on_disk:
                assert parsed.database
                prepare_sqlite_files(Path(parsed.database))
                if background_checkpoints:
                    self._checkpointer = Checkpointer(parsed.database)
            self.engine: Engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=_SQLITE_POOL_SIZE,
                max_overflow=0,
                # Last in, first out: requests run one at a time on SQLite, so they keep reusing
                # one connection and its warm page cache. First in, first out would rotate over
                # all of them, and a connection's cache is discarded whenever another
                # connection has written since it last ran, so every request re-read its pages.
                pool_use_lifo=True,
            )
            autocheckpoint = BACKSTOP_PAGES if self._checkpointer else INLINE_CHECKPOINT_PAGES
            event.listen(
                self.engine,
                "connect",
                lambda dbapi, record: _sqlite_on_connect(dbapi, record, autocheckpoint),
            )
            event.listen(self.engine, "begin", _sqlite_on_begin)
            self._group = GroupCommit(self.write)
        elif self.dialect == "postgresql":
            self.engine = create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                # No ping before each checkout (a round trip per transaction): a connection
                # the server dropped fails its first statement, SQLAlchemy then discards the
                # whole pool, and that one call answers 500. Connections older than an hour
                # are replaced rather than reused.
                pool_recycle=3600,
                # Server-side prepared statements from a statement's second run on a connection
                # (psycopg's default waits for the sixth): a bulk relate's few statements are
                # then planned once per connection instead of once per call. psycopg keeps the
                # 100 most recent per connection.
                connect_args={"prepare_threshold": PREPARE_THRESHOLD},
            )
        else:
            raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(crmlink_begin="BEGIN IMMEDIATE")
                with conn.begin():
                    yield conn
            else:
                # The change log's rows are written at the end, its org counter the last lock
                # (storage/changes.py).
                with conn.begin(), changes.deferred(conn):
                    yield conn
        if self._checkpointer is not None:
            self._checkpointer.nudge()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read-only transaction (a consistent snapshot on both engines)."""
        kept = self._kept_reader() if self.is_sqlite else None
        if kept is None:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        try:
            with kept.begin():
                yield kept
        finally:
            self._readers_busy.discard(threading.get_ident())

    def _kept_reader(self) -> Connection | None:
        """SQLite: the calling thread's own read connection, kept open between reads; None when
        it is busy (a read inside a read) or too many threads already keep one.

        Checking a connection out of the pool and back in for every read cost ~50 us of the
        ~75 us a read transaction took (most requests are a few hundred microseconds). Reads
        run on the event loop's thread on SQLite, so in a server this is one connection.
        """
        me = threading.get_ident()
        with self._readers_lock:
            if me in self._readers_busy:
                return None
            conn = self._readers.get(me)
            if conn is None or conn.invalidated or conn.closed:
                if len(self._readers) >= _MAX_KEPT_READERS:
                    return None
                conn = self.engine.connect()
                self._readers[me] = conn
            self._readers_busy.add(me)
            return conn

    async def transact(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` as one atomic write transaction (see the module docstring); its
        result once committed. ``fn`` may raise to roll its writes back."""
        if self.is_sqlite:
            result = await self._group.submit(fn)
        else:

            def call() -> T:
                with self.write() as conn:
                    return fn(conn)

            result = await anyio.to_thread.run_sync(call)
        for callback in self.after_commit:
            callback()
        return result

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking storage work from async code (see the module docstring)."""
        if self.is_sqlite:
            return fn(*args, **kwargs)
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))

    def dispose(self) -> None:
        with self._readers_lock:
            for conn in self._readers.values():
                conn.close()
            self._readers.clear()
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()


# Without the background thread: checkpoint every ~40 MB of WAL instead of SQLite's default 4 MB.
# A bulk relate dirties a page of ix_links_right per related record, and the default made every
# few calls wait for a checkpoint (measured: 100-link relates 4.4 -> 3.3 ms wall).
INLINE_CHECKPOINT_PAGES = 10_000

# Threads that may keep a read connection of their own (the pool holds 10 connections).
_MAX_KEPT_READERS = 4
_SQLITE_POOL_SIZE = 10

# psycopg: executions of one statement text on a connection before it is prepared server-side.
PREPARE_THRESHOLD = 1


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry, autocheckpoint: int) -> None:
    # Autocommit at the driver level: transactions are begun explicitly in _sqlite_on_begin,
    # which lets writers take the write lock up front (BEGIN IMMEDIATE).
    assert isinstance(dbapi_connection, sqlite3.Connection)
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _enable_wal(cur)
    # NORMAL in WAL mode: a committed transaction survives a crash of the process (the WAL is
    # in the OS cache); only a power loss may lose the last few, never corrupting the file.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
    cur.close()


def _enable_wal(cur: sqlite3.Cursor) -> None:
    # Switching a fresh file to WAL takes an exclusive lock that the busy handler does not wait
    # for; several processes opening a new database at once retry here instead of failing.
    for attempt in range(200):
        if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            time.sleep(0.01 * min(attempt + 1, 10))
    raise sqlite3.OperationalError("could not switch the database to WAL mode")


def _sqlite_on_begin(conn: Connection) -> None:
    # Straight to the driver: this runs at the start of every transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute(conn.get_execution_options().get("crmlink_begin", "BEGIN"))
