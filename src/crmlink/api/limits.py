"""Applying the limits at the edge (``crmlink.domain.limits``): credits and the concurrency
cap after authentication, and the release of a held concurrency slot when the response is done."""

from __future__ import annotations

import time
from typing import Any, cast

from litestar.types import ASGIApp, Receive, Scope, Send

from crmlink.api.context import Req, Services
from crmlink.domain.auth import Actor
from crmlink.domain.limits import ConcurrencyGate, spend_credit

# Scope key holding (gate, key) of a concurrency slot this request holds.
_HELD = "crmlink.concurrency"


async def apply_limits(request: Req, svc: Services, actor: Actor) -> None:
    """Charge a credit and take a concurrency slot, or raise ``TooManyRequests``."""
    limit = svc.settings.credit_limit
    if limit:

        def charge() -> None:
            with svc.db.write() as conn:
                spend_credit(conn, actor.org_id, time.time(), limit)

        await svc.db.run(charge)
    if svc.gate.limit:
        key = (actor.org_id, actor.user_id, actor.client_id)
        svc.gate.enter(key)
        scope: dict[str, Any] = request.scope  # type: ignore[assignment]
        scope[_HELD] = (svc.gate, key)


def release_concurrency(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: whatever happened, give back the slot the request took."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        finally:
            held = cast("tuple[ConcurrencyGate, Any] | None", scope.get(_HELD))
            if held is not None:
                gate, key = held
                gate.leave(key)

    return middleware
