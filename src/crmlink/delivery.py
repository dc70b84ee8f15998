"""The notification delivery worker: one asyncio task per server process (``crmlink serve``).

The change log is the outbox: a change's row is written in the change's own transaction, so
nothing is notified for a rolled-back change and nothing committed is lost. The worker:

1. claims channels that have work (storage/deliveries.py: a lease per channel; on PostgreSQL
   several processes share channels with ``FOR UPDATE SKIP LOCKED``);
2. per claimed channel, turns the changes after the channel's cursor into notifications
   (domain/notify.py) and queues them, moving the cursor in the same transaction;
3. POSTs the channel's oldest pending notification with ``httpx.AsyncClient`` (a timeout per
   POST, redirects not followed, at most ``notify_max_response_bytes`` of the answer read), logs
   the attempt (status, latency, error), and on a non-2xx answer retries it later with
   exponential backoff, holding back the channel's later notifications meanwhile: per channel,
   notifications arrive in order. After ``notify_max_attempts`` the notification is marked
   ``failed`` and the channel moves on.

Delivery is at least once: a process killed between a POST and its log entry sends that
notification again once its lease has run out (``notify_timeout_ms`` + 5 s), so receivers must
accept duplicates (Zoho says the same). Channels are served concurrently; the API never waits
for a receiver (storage work runs on worker threads, POSTs are asynchronous).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import os
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import httpx
import msgspec

from crmlink.api.context import Services
from crmlink.domain import notify
from crmlink.domain.clock import now_us
from crmlink.domain.url_policy import UrlPolicy
from crmlink.storage import changes, deliveries
from crmlink.storage.watch import Channel

log = logging.getLogger("crmlink.delivery")

BATCH_CHANGES = 500
CHANNELS_AT_ONCE = 16
# Channels claimed per round: small, so that workers of other processes get their share; a full
# round starts the next one at once.
CLAIM_BATCH = 4
IDLE_POLL_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 300.0
USER_AGENT = "crmlink-notifications/1"


def backoff_us(attempts: int) -> int:
    """Wait before try ``attempts + 1``: 1 s, 2 s, 4 s, ... at most five minutes."""
    return int(min(MAX_BACKOFF_SECONDS, 2.0 ** max(attempts - 1, 0)) * 1_000_000)


class DeliveryWorker:
    """See the module docstring. ``run()`` until cancelled; ``wake()`` after a commit."""

    def __init__(self, svc: Services, policy: UrlPolicy) -> None:
        self._svc = svc
        self._policy = policy
        s = svc.settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._timeout = s.notify_timeout_ms / 1000
        self._lease_us = (s.notify_timeout_ms + 5_000) * 1000
        self._max_attempts = max(1, s.notify_max_attempts)
        self._max_bytes = s.notify_max_response_bytes
        self._event = asyncio.Event()
        self._busy: dict[tuple[int, int], asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle = True  # the last claim found no channel with work (and none is being served)

    def wake(self) -> None:
        """Look for work now (callable from any thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._event.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=self._timeout, limits=limits, headers={"User-Agent": USER_AGENT}
        ) as client:
            self._client = client
            try:
                while True:
                    self._event.clear()
                    try:
                        await self._claim_and_start()
                    except Exception:
                        log.exception("notifications: claiming channels failed; will retry")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._event.wait(), IDLE_POLL_SECONDS)
            finally:
                for task in self._busy.values():
                    task.cancel()
                for task in list(self._busy.values()):
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    async def _claim_and_start(self) -> None:
        room = min(CLAIM_BATCH, CHANNELS_AT_ONCE - len(self._busy))
        if room <= 0:
            return
        skip = set(self._busy)

        def claim() -> list[Channel]:
            # Every commit wakes the worker. While the last claim found nothing (an org with no
            # channel, say), a read looks for work first, so those wakes take no write lock;
            # while claims find work, they go straight to the write.
            if self._idle:
                with self._svc.db.read() as conn:
                    if not deliveries.due(conn, self.owner, now_us(), skip):
                        return []
            with self._svc.db.write() as conn:
                return deliveries.claim(conn, self.owner, now_us(), self._lease_us, skip, room)

        claimed = await anyio.to_thread.run_sync(claim)
        self._idle = not claimed and not self._busy
        if len(claimed) == room:
            self._event.set()
        for channel in claimed:
            key = (channel.org_id, channel.channel_id)
            task = asyncio.create_task(self._serve(channel), name=f"crmlink-notify-{channel.channel_id}")
            self._busy[key] = task
            task.add_done_callback(functools.partial(self._done, key))

    def _done(self, key: tuple[int, int], _task: asyncio.Task[None]) -> None:
        self._busy.pop(key, None)
        self._event.set()  # maybe more work for it (or others) by now

    async def _serve(self, channel: Channel) -> None:
        """Send the channel's notifications in order until none is due; then let it go."""
        try:
            while True:
                step = await anyio.to_thread.run_sync(self._next, channel)
                if step is None:
                    return
                current, pending = step
                if pending is None or pending.next_at > now_us():
                    await anyio.to_thread.run_sync(self._release, current)
                    return
                await self._send(current, pending)
                channel = current
        except Exception:
            log.exception("notifications: channel %s failed; its lease will lapse", channel.channel_id)

    def _next(self, channel: Channel) -> tuple[Channel, deliveries.Pending | None] | None:
        """Queue what the channel's new changes call for; its head notification. None when the
        lease was lost (another worker has the channel now)."""
        with self._svc.db.write() as conn:
            now = now_us()
            current = deliveries.hold(conn, channel, self.owner, now, self._lease_us)
            if current is None:
                return None
            rows = changes.read(conn, current.org_id, current.cursor, BATCH_CHANGES)
            if rows:
                record_ids = [r.record_id for r in rows if r.kind == "record" and r.record_id is not None]
                lookups = deliveries.lookup_targets(conn, current.org_id, record_ids)
                catalog = self._svc.catalogs.get(conn, current.org_id)  # the org's: custom modules too
                built = notify.build(catalog, current, rows, lookups)
                ids = self._svc.ids.take(len(built)) if built else []
                items = [
                    deliveries.NewDelivery(
                        id=i,
                        first_seq=n.first_seq,
                        last_seq=n.last_seq,
                        module=n.module,
                        operation=n.operation,
                        payload=msgspec.json.encode(n.payload(current)).decode(),
                    )
                    for i, n in zip(ids, built, strict=True)
                ]
                deliveries.queue(conn, current, items, rows[-1].seq, now)
            return current, deliveries.head(conn, current)

    def _release(self, channel: Channel) -> None:
        with self._svc.db.write() as conn:
            deliveries.release(conn, channel, self.owner)

    async def _send(self, channel: Channel, pending: deliveries.Pending) -> None:
        started = time.perf_counter()
        at = now_us()
        status: int | None = None
        error: str | None = None
        refused = await self._refusal(pending.notify_url)
        if refused is not None:
            error = f"refused: {refused}"
        else:
            body = b'{"server_time":%d,' % (at // 1000) + pending.payload.encode()[1:]
            try:
                # The timeout holds for the whole POST, not just for each read of a slow answer.
                status = await asyncio.wait_for(self._post(pending.notify_url, body), self._timeout)
            except (httpx.HTTPError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        latency = int((time.perf_counter() - started) * 1_000_000)
        ok = status is not None and 200 <= status < 300
        attempts = pending.attempts + 1
        if ok:
            state, next_at = "delivered", at
        elif refused is not None or attempts >= self._max_attempts:
            state, next_at = "failed", at
        else:
            state, next_at = "pending", now_us() + backoff_us(attempts)
        if status is not None and not ok:
            error = f"answered {status}"

        def record() -> None:
            with self._svc.db.write() as conn:
                if deliveries.hold(conn, channel, self.owner, now_us(), self._lease_us) is None:
                    return  # another worker has the channel now; it will send again
                deliveries.record_attempt(
                    conn,
                    pending,
                    at=at,
                    status_code=status,
                    latency_us=latency,
                    error=error,
                    worker=self.owner,
                    state=state,
                    next_at=next_at,
                )

        await anyio.to_thread.run_sync(record)

    async def _refusal(self, url: str) -> str | None:
        """Why the URL may not be called now (its host resolved, checked against the policy)."""
        reason = self._policy.check_url(url)
        if reason is not None:
            return reason
        host = urlsplit(url).hostname or ""
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host)
            return None  # an address as written: check_url judged it already
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            return None if self._policy.any else f"cannot resolve {host}: {exc}"
        return self._policy.check_resolved(url, [str(info[4][0]) for info in infos])

    async def _post(self, url: str, body: bytes) -> int:
        """POST, read at most the configured bytes of the answer, return its status."""
        assert self._client is not None
        headers: dict[str, Any] = {"Content-Type": "application/json"}
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read >= self._max_bytes:
                    break
            return response.status_code
