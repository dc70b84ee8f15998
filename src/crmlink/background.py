"""Work a server process does besides answering requests, started and stopped with the app.

* retention: every few minutes, drop changes, and finished notifications with their attempts,
  older than ``changes_retention_days``;
* deliveries: the notification delivery worker (``crmlink.delivery``), when enabled.

Each runs as an asyncio task of the server's event loop; blocking storage work goes to a worker
thread, so none of it holds up a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread

from crmlink.api.context import Services
from crmlink.domain.clock import now_us
from crmlink.storage import changes, deliveries

log = logging.getLogger("crmlink.background")

RETENTION_EVERY_SECONDS = 300.0


class Background:
    """The tasks of one server process (module docstring)."""

    def __init__(
        self, svc: Services, extra: list[Callable[[], Coroutine[Any, Any, None]]] | None = None
    ) -> None:
        self._svc = svc
        self._extra = list(extra or [])
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: Callable[[], None] | None = None

    async def start(self) -> None:
        if self._svc.settings.notify_worker:
            from crmlink.api.watch import policy_for
            from crmlink.delivery import DeliveryWorker

            worker = DeliveryWorker(self._svc, policy_for(self._svc, self._svc.settings.api_domain))
            self._svc.db.after_commit.append(worker.wake)
            self._wake = worker.wake
            self._tasks.append(asyncio.create_task(worker.run(), name="crmlink-deliveries"))
        if self._svc.settings.changes_retention_days > 0:
            self._tasks.append(asyncio.create_task(self._retention(), name="crmlink-retention"))
        for make in self._extra:
            self._tasks.append(asyncio.create_task(make()))

    async def stop(self) -> None:
        if self._wake is not None and self._wake in self._svc.db.after_commit:
            self._svc.db.after_commit.remove(self._wake)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    async def _retention(self) -> None:
        days = self._svc.settings.changes_retention_days
        while True:
            try:
                cutoff = now_us() - days * 86_400 * 1_000_000
                await anyio.to_thread.run_sync(self._prune, cutoff)
            except Exception:
                log.exception("change retention: pruning failed; will try again")
            await asyncio.sleep(RETENTION_EVERY_SECONDS)

    def _prune(self, cutoff: int) -> None:
        for prune in (changes.prune, deliveries.prune):
            while True:
                with self._svc.db.write() as conn:
                    if prune(conn, cutoff) == 0:
                        break
