"""Group commit for SQLite: the write calls that are ready together share one transaction.

SQLite takes one writer at a time, and on the relate path the fixed cost of a write transaction
(``BEGIN IMMEDIATE``, then the commit writing every dirtied page to the WAL, and now and then a
checkpoint) is as large as the work of a small call. So write calls are not run one transaction
each: each is queued as a unit, and the units queued while the event loop was busy run one after
another in one transaction, each inside its own savepoint:

* a unit that raises is rolled back to its savepoint and gets its exception; the other units of
  the group are not affected (each call stays atomic, and sees the units before it as if they
  had committed first, exactly as serial transactions would);
* every unit is answered only after the group's ``COMMIT`` returned, so nothing is acknowledged
  that is not committed; if the commit fails, every unit of the group fails with that error and
  nothing of the group is stored.

The commit itself runs on a worker thread (``sqlite3`` releases the GIL while it writes), so the
event loop parses and answers other requests meanwhile; units queued during a commit form the
next group. Units run on the event loop's thread, one at a time, never two groups at once (one
``GroupCommit`` serves one event loop, as in a server process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

Unit = Callable[[Connection], Any]

log = logging.getLogger(__name__)


class GroupCommit:
    """Queues write units and runs them in groups (module docstring).

    ``begin()`` opens the write transaction (a context manager yielding its connection that
    commits on a clean exit); it is entered on the event loop and left on a worker thread.
    """

    def __init__(self, begin: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._begin = begin
        self._queue: list[tuple[Unit, asyncio.Future[Any]]] = []
        self._running: asyncio.Task[None] | None = None
        self.groups = 0  # committed so far (for tests and diagnostics)

    async def submit(self, unit: Callable[[Connection], T]) -> T:
        """Run ``unit(conn)`` atomically in the next group; its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((unit, future))
        if self._running is None or self._running.done():
            self._running = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        # Let every request that is ready in this turn of the loop queue its unit first.
        await asyncio.sleep(0)
        while self._queue:
            group, self._queue = self._queue, []
            try:
                await self._run_group(group)
            except Exception:  # answering the group failed; keep serving the queue
                log.exception("group commit: a group could not be answered")

    async def _run_group(self, group: list[tuple[Unit, asyncio.Future[Any]]]) -> None:
        live = list(_live(group))
        loop = asyncio.get_running_loop()
        try:
            tx, outcomes = self._run_units(live)
            await loop.run_in_executor(None, _exit, tx, None)
        except BaseException as error:  # nothing of the group is stored
            _fail(group, error)
            return
        self.groups += 1
        for future, ok, value in outcomes:
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _run_units(
        self, live: list[tuple[Unit, asyncio.Future[Any]]]
    ) -> tuple[AbstractContextManager[Connection], list[_Outcome]]:
        """Open the transaction and run the units; raises (rolled back) unless all went through
        their savepoints."""
        tx = self._begin()
        conn = tx.__enter__()
        outcomes: list[_Outcome] = []
        try:
            for unit, future in live:
                outcomes.append((future, *_run_unit(conn, unit, alone=len(live) == 1)))
        except BaseException as error:
            # Not a unit's own error (those are caught per unit), or the only unit's: roll
            # everything back.
            _exit(tx, error)
            raise
        return tx, outcomes


_Outcome = tuple[asyncio.Future[Any], bool, Any]


def _live(group: list[tuple[Unit, asyncio.Future[Any]]]) -> Iterator[tuple[Unit, asyncio.Future[Any]]]:
    # A caller that went away (its request was cancelled) has nothing to write.
    return ((unit, future) for unit, future in group if not future.done())


def _run_unit(conn: Connection, unit: Unit, *, alone: bool) -> tuple[bool, Any]:
    """``(True, result)`` or ``(False, exception)``; on an exception the unit's writes are undone.
    A unit alone in its group needs no savepoint: its error rolls back the whole transaction,
    which the caller does by re-raising."""
    if alone:
        try:
            return True, unit(conn)
        except Exception as error:
            raise _UnitFailed(error) from error
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("SAVEPOINT crmlink_unit")
    try:
        value = unit(conn)
    except Exception as error:
        raw.execute("ROLLBACK TO crmlink_unit")
        raw.execute("RELEASE crmlink_unit")
        return False, error
    raw.execute("RELEASE crmlink_unit")
    return True, value


class _UnitFailed(Exception):
    """The only unit of a group raised: the transaction is rolled back, the unit gets its error."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _exit(tx: AbstractContextManager[Connection], error: BaseException | None) -> None:
    if error is None:
        tx.__exit__(None, None, None)
    else:
        tx.__exit__(type(error), error, error.__traceback__)


def _fail(group: list[tuple[Unit, asyncio.Future[Any]]], error: BaseException) -> None:
    if isinstance(error, _UnitFailed):
        error = error.error
    for _unit, future in group:
        if not future.done():
            future.set_exception(error)
