"""Applying the limits (``crmlink.domain.limits``) at the edge, as ASGI middleware, so that every
route is covered however its handler authenticates.

When a limit is in force, a request to ``/crm/`` carrying a valid token is charged one credit
and takes a concurrency slot for its user and client, given back when the response is done.
Requests without a valid token pass through untouched (the route answers its own 401), so
refused tokens cost nothing. With no limit configured the middleware does nothing at all.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from crmlink.api.context import Services
from crmlink.api.responses import JSON
from crmlink.domain.auth import Actor, actor_for_token
from crmlink.domain.limits import spend_credit
from crmlink.errors import TooManyRequests
from crmlink.storage.connection import Connection

_SCHEMES = frozenset({b"zoho-oauthtoken", b"bearer"})


def _token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            scheme, _, token = value.strip().partition(b" ")
            token = token.strip()
            if scheme.lower() in _SCHEMES and token and b" " not in token:
                return token.decode("latin-1")
            return None
    return None


async def _actor(svc: Services, token: str) -> Actor | None:
    def lookup() -> Actor | None:
        with svc.db.read() as conn:
            return actor_for_token(conn, token)

    try:
        return await svc.db.run(lookup)
    except Exception:  # an unknown token, or a database problem the route will answer itself
        return None


async def _refuse(send: Send, error: TooManyRequests) -> None:
    """Zoho's 429, written straight to ASGI (this runs outside the routes' error mapping)."""
    body = msgspec.json.encode(error.body())
    headers = [(b"content-type", JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    start: Message = {"type": "http.response.start", "status": error.status_code, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


def enforce_limits(app: ASGIApp) -> ASGIApp:
    """ASGI middleware applying the credit limit and the concurrency cap (module docstring)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/crm/"):
            await app(scope, receive, send)
            return
        svc: Services = scope["app"].state["crm"]
        credits, gate = svc.settings.credit_limit, svc.gate
        if not (credits or gate.limit):
            await app(scope, receive, send)
            return
        token = _token(scope)
        actor = await _actor(svc, token) if token else None
        if actor is None:
            await app(scope, receive, send)
            return
        key: Any = (actor.org_id, actor.user_id, actor.client_id)
        try:
            if gate.limit:
                gate.enter(key)
        except TooManyRequests as error:
            await _refuse(send, error)
            return
        try:
            if credits:

                def charge(conn: Connection) -> None:
                    spend_credit(conn, actor.org_id, time.time(), credits)

                try:
                    await svc.db.transact(charge)
                except TooManyRequests as error:
                    await _refuse(send, error)
                    return
            await app(scope, receive, send)
        finally:
            if gate.limit:
                gate.leave(key)

    return middleware
