"""Zoho's notification API: ``POST|GET|PUT|PATCH|DELETE /crm/{version}/actions/watch``.

Scopes: ``ZohoCRM.notifications.ALL`` or the operation's own (``READ`` for GET, ``CREATE`` for
POST, ``UPDATE`` for PUT/PATCH, ``DELETE`` for DELETE; ``WRITE`` covers the three writes).
Item errors come back inside ``watch`` with status 202 (spec §11); request-level errors (no
``watch`` list, bad ``channel_ids``) are 400 in Zoho's envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Response, delete, get, patch, post, put

from crmlink.api.context import Req, Services, services
from crmlink.api.oauth import api_domain
from crmlink.api.params import check_version, decode_json, paging
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import bearer_token
from crmlink.domain import watch as w
from crmlink.domain.auth import Actor, actor_for_token
from crmlink.domain.clock import now_us
from crmlink.domain.ids import parse_id
from crmlink.domain.url_policy import UrlPolicy
from crmlink.errors import (
    InvalidData,
    InvalidModule,
    LimitExceeded,
    MandatoryNotFound,
    OAuthScopeMismatch,
    RequiredParamMissing,
)
from crmlink.storage.connection import Connection

Req = Req

WATCH_PATH = "/crm/{version:str}/actions/watch"
MAX_ITEMS = 100

_GRANTS = {
    "GET": {"all", "read"},
    "POST": {"all", "write", "create"},
    "PUT": {"all", "write", "update"},
    "PATCH": {"all", "write", "update"},
    "DELETE": {"all", "write", "delete"},
}


def policy_for(svc: Services, origin: str) -> UrlPolicy:
    s = svc.settings
    own = [origin, s.api_domain, f"{s.host}:{s.port}"]
    if s.host in ("0.0.0.0", "::"):
        own += [f"127.0.0.1:{s.port}", f"localhost:{s.port}"]
    return UrlPolicy.parse(s.notify_allow, own)


async def _start(request: Req, method: str) -> tuple[Services, Actor, w.Context]:
    """The read route's checks (their own read transaction)."""
    svc, token = _begin(request)

    def check() -> tuple[Actor, w.Context]:
        with svc.db.read() as conn:
            return _check(svc, conn, token, request, method)

    actor, ctx = await svc.db.run(check)
    return svc, actor, ctx


def _begin(request: Req) -> tuple[Services, str]:
    """What needs no database: the version, and a token in the Authorization header."""
    check_version(request.path_params["version"])
    return services(request), bearer_token(request)


def _check(svc: Services, conn: Connection, token: str, request: Req, method: str) -> tuple[Actor, w.Context]:
    """The token and its scope; the write routes run them in the write's own transaction."""
    actor = actor_for_token(conn, token)
    if not any(f"zohocrm.notifications.{g}" in actor.scopes for g in _GRANTS[method]):
        raise OAuthScopeMismatch()
    origin = api_domain(request)
    ctx = w.Context(
        catalog=svc.catalog_in(conn, actor),  # the org's: custom modules' events too
        policy=policy_for(svc, origin),
        resource_base=f"{origin}/crm/v2/",
        org_id=actor.org_id,
        actor_id=actor.user_id,
        now=now_us(),
    )
    return actor, ctx


def _watch_items(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise InvalidData(details={"expected_data_type": "jsonobject"})
    if "watch" not in body:
        raise MandatoryNotFound(details={"api_name": "watch", "json_path": "$.watch"})
    items = body["watch"]
    if not isinstance(items, list) or not items:
        raise InvalidData(
            details={"api_name": "watch", "expected_data_type": "jsonarray", "json_path": "$.watch"}
        )
    if len(items) > MAX_ITEMS:
        raise LimitExceeded(details={"api_name": "watch", "limit": MAX_ITEMS})
    return items


def _answer(results: list[dict[str, Any]], ok_status: int) -> Response[bytes]:
    failed = any(r.get("status") != "success" for r in results)
    return json_response({"watch": results}, 202 if failed else ok_status)


async def _write(
    request: Req, method: str, op: Callable[[Connection, w.Context, list[Any]], list[dict[str, Any]]], ok: int
) -> Response[bytes]:
    svc, token = _begin(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        _actor, ctx = _check(svc, conn, token, request, method)
        return op(conn, ctx, _watch_items(decode_json(raw)))

    return _answer(await svc.db.transact(work), ok)


@post(WATCH_PATH, status_code=201)
async def enable_notifications(request: Req) -> Response[bytes]:
    return await _write(request, "POST", w.enable, 201)


@put(WATCH_PATH)
async def replace_notifications(request: Req) -> Response[bytes]:
    return await _write(request, "PUT", w.replace_all, 200)


@patch(WATCH_PATH)
async def update_notifications(request: Req) -> Response[bytes]:
    return await _write(request, "PATCH", w.patch, 200)


@get(WATCH_PATH)
async def get_notifications(request: Req) -> Response[bytes]:
    svc, _actor, ctx = await _start(request, "GET")
    page, per_page = paging(request)
    raw_channel = request.query_params.get("channel_id")
    channel_id = parse_id(raw_channel) if raw_channel else None
    if raw_channel and channel_id is None:
        raise InvalidData(details={"param_name": "channel_id"})
    raw_module = request.query_params.get("module")
    module = None
    if raw_module:
        found = ctx.catalog.find_module(raw_module)
        if found is None:
            raise InvalidModule(details={"param_name": "module"})
        module = found.api_name

    def work() -> list[dict[str, Any]]:
        with svc.db.read() as conn:
            return w.details(conn, ctx, channel_id=channel_id, module=module)

    entries = await svc.db.run(work)
    chunk = entries[(page - 1) * per_page : page * per_page]
    if not chunk:
        return empty_response(204)
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": len(entries) > page * per_page,
    }
    return json_response({"watch": chunk, "info": info})


@delete(WATCH_PATH, status_code=200)
async def disable_notifications(request: Req) -> Response[bytes]:
    svc, token = _begin(request)

    def work(conn: Connection) -> list[dict[str, Any]]:
        _actor, ctx = _check(svc, conn, token, request, "DELETE")
        return w.disable(conn, ctx, _channel_ids(request))

    return _answer(await svc.db.transact(work), 200)


def _channel_ids(request: Req) -> list[int]:
    # ``channel_ids=1,2`` or the parameter repeated (as an SDK's ParameterMap may send it).
    raw = ",".join(request.query_params.getall("channel_ids", []))
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts:
        raise RequiredParamMissing(details={"param_name": "channel_ids"})
    ids: list[int] = []
    for part in parts:
        value = parse_id(part)
        if value is None:
            raise InvalidData(details={"param_name": "channel_ids"})
        ids.append(value)
    if len(ids) > MAX_ITEMS:
        raise LimitExceeded(details={"param_name": "channel_ids", "limit": MAX_ITEMS})
    return ids


ROUTES = [
    enable_notifications,
    get_notifications,
    replace_notifications,
    update_notifications,
    disable_notifications,
]

__all__ = ["ROUTES"]
