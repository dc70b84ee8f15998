"""The admin API (``/__crmlink/...``): what a test suite needs from the server it owns.

It exists only when an admin key is configured (``CRMLINK_ADMIN_KEY``; ``--demo`` and the
pytest plugin set one): without one every admin path answers ``404 INVALID_URL_PATTERN`` like
any unknown path, and the edge middleware (``testkit_edge``) is not installed at all. Each call
carries the key in ``X-Crmlink-Admin-Key``, compared in constant time. Zoho's own routes never
see any of this: the admin paths are outside ``/crm/`` and ``/oauth/``.

Through it a test:

* creates an org with an administrator, a self client and tokens in one call, and deletes or
  resets it (``/__crmlink/orgs``);
* moves an org's clock forward so that its tokens and grant codes expire
  (``/__crmlink/orgs/{org_id}/clock``);
* adds and removes fault rules (``/__crmlink/faults``, see ``crmlink.domain.faults``);
* reads the org's last API calls (``/__crmlink/orgs/{org_id}/requests``);
* loads records and links from CSV or JSON, as ``crmlink load`` does
  (``/__crmlink/orgs/{org_id}/load``, in ``admin_load.py``).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Any

import msgspec
from litestar import Response, delete, get, post
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from crmlink.api.context import Req, Services, services
from crmlink.api.limits import _token
from crmlink.api.params import decode_json
from crmlink.api.responses import JSON, json_response
from crmlink.domain import clock, oauth
from crmlink.domain.auth import digest
from crmlink.domain.faults import FaultAction, FaultRule
from crmlink.domain.orgs import add_user, create_org, find_user, org_exists
from crmlink.domain.requestlog import LoggedRequest, bounded, mask_text, safe_headers
from crmlink.errors import AuthenticationFailure, CRMError, InvalidData, InvalidUrlPattern
from crmlink.storage import snapshots
from crmlink.storage.connection import Connection
from crmlink.storage.org_rows import delete_org, org_of_token_digest, reset_org

ADMIN_HEADER = "x-crmlink-admin-key"
PREFIX = "/__crmlink"
FULL_SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL,ZohoCRM.org.ALL"


def _check_admin(request: Req) -> Services:
    svc = services(request)
    key = svc.settings.admin_key
    if not key:
        raise InvalidUrlPattern()
    given = request.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise AuthenticationFailure("the admin key is missing or wrong")
    return svc


def _origin(request: Req) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _body(request: Req) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    body = decode_json(raw)
    if not isinstance(body, dict):
        raise InvalidData("the body must be a JSON object")
    return body


def _org_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidData("the org id given seems to be invalid", {"param": "org_id"}) from None


def _text(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(f"{key} must be a non-empty string", {"api_name": key})
    return value.strip()


@post(f"{PREFIX}/orgs", status_code=201)
async def create_test_org(request: Req) -> Response[bytes]:
    """A fresh org with an administrator, a self client, a refresh token and an access token."""
    svc = _check_admin(request)
    body = await _body(request)
    suffix = str(svc.ids.next())[-8:]
    name = _text(body, "name", f"test-org-{suffix}")
    email = _text(body, "admin_email", "admin@example.com")
    admin_name = _text(body, "admin_name", "Admin User")
    scope = _text(body, "scope", FULL_SCOPE)
    ttl = svc.settings.access_token_ttl

    def work(conn: Connection) -> dict[str, Any]:
        org_id = create_org(conn, svc.ids, name, email, admin_name)
        user = find_user(conn, org_id, email)
        assert user is not None
        client = oauth.create_client(conn, org_id, "crmlink test client", [])
        tokens = oauth.mint_tokens(
            conn, org_id=org_id, user_id=user.id, scope=scope, client_id=client.client_id, access_ttl=ttl
        )
        return {
            "org_id": str(org_id),
            "org_name": name,
            "user": {"id": str(user.id), "email": user.email, "name": user.name, "profile": user.profile},
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "refresh_token": tokens.refresh_token,
            "access_token": tokens.access_token,
            "expires_in": tokens.expires_in,
            "scope": tokens.scope,
        }

    result = await svc.db.transact(work)
    origin = _origin(request)
    result["api_domain"] = svc.settings.api_domain or origin
    result["accounts_url"] = origin
    return json_response(result, 201)


@post(f"{PREFIX}/orgs/{{org_id:str}}/users", status_code=201)
async def add_test_user(request: Req) -> Response[bytes]:
    """Another user of a test org (``profile``: Administrator, Standard or a custom one)."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    body = await _body(request)
    email = _text(body, "email", f"user-{svc.ids.next()}@example.com")
    name = _text(body, "name", "Test User")
    profile = _text(body, "profile", "Standard")

    def work(conn: Connection) -> dict[str, Any]:
        user = add_user(conn, svc.ids, org_id, email, name, profile)
        return {"id": str(user.id), "email": user.email, "name": user.name, "profile": user.profile}

    return json_response(await svc.db.transact(work), 201)


@delete(f"{PREFIX}/orgs/{{org_id:str}}", status_code=200)
async def delete_test_org(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])

    def work(conn: Connection) -> int:
        snapshots.drop_all(conn, org_id)
        return delete_org(conn, org_id)

    deleted = await svc.db.transact(work)
    if not deleted:
        raise InvalidData("the org id given seems to be invalid", {"param": "org_id"})
    clock.reset_org_clock(org_id)
    svc.requests.forget(org_id)
    svc.faults.clear(org_id)
    return json_response({"org_id": str(org_id), "deleted": True, "rows": deleted})


@post(f"{PREFIX}/orgs/{{org_id:str}}/reset", status_code=200)
async def reset_test_org(request: Req) -> Response[bytes]:
    """Empty the org's data (records, links, events), keeping its users, clients and tokens."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    rows = await svc.db.transact(lambda conn: reset_org(conn, org_id))
    return json_response({"org_id": str(org_id), "reset": True, "rows": rows})


@post(f"{PREFIX}/orgs/{{org_id:str}}/snapshots", status_code=201)
async def take_snapshot(request: Req) -> Response[bytes]:
    """Copy the org's data (not its users, clients or tokens) into a snapshot."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    snapshot_id = svc.ids.next()
    started = time.perf_counter()

    def work(conn: Connection) -> int:
        if not org_exists(conn, org_id):
            raise InvalidData("the org id given seems to be invalid", {"param": "org_id"})
        rows = snapshots.take(conn, org_id, snapshot_id)
        snapshots.record(conn, org_id, snapshot_id, clock.now_us(), rows)
        return rows

    rows = await svc.db.transact(work)
    took = round((time.perf_counter() - started) * 1000, 3)
    return json_response({"snapshot_id": str(snapshot_id), "rows": rows, "took_ms": took}, 201)


@post(f"{PREFIX}/orgs/{{org_id:str}}/snapshots/{{snapshot_id:str}}/restore", status_code=200)
async def restore_snapshot(request: Req) -> Response[bytes]:
    """Put the org's data back as the snapshot holds it, in one transaction."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    snapshot_id = _org_id(request.path_params["snapshot_id"])
    started = time.perf_counter()
    rows = await svc.db.transact(lambda conn: snapshots.restore(conn, org_id, snapshot_id))
    if rows is None:
        raise InvalidData("the snapshot id given seems to be invalid", {"param": "snapshot_id"})
    took = round((time.perf_counter() - started) * 1000, 3)
    return json_response({"snapshot_id": str(snapshot_id), "rows": rows, "took_ms": took})


@delete(f"{PREFIX}/orgs/{{org_id:str}}/snapshots/{{snapshot_id:str}}", status_code=200)
async def drop_snapshot(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    snapshot_id = _org_id(request.path_params["snapshot_id"])
    if not await svc.db.transact(lambda conn: snapshots.drop(conn, org_id, snapshot_id)):
        raise InvalidData("the snapshot id given seems to be invalid", {"param": "snapshot_id"})
    return json_response({"snapshot_id": str(snapshot_id), "deleted": True})


@get(f"{PREFIX}/orgs/{{org_id:str}}/clock")
async def get_clock(request: Req) -> Response[bytes]:
    _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    return json_response(_clock_body(org_id))


@post(f"{PREFIX}/orgs/{{org_id:str}}/clock", status_code=200)
async def move_clock(request: Req) -> Response[bytes]:
    """``{"advance_seconds": N}`` moves the org's clock forward; ``{"reset": true}`` puts it back."""
    _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    body = await _body(request)
    if body.get("reset") is True:
        clock.reset_org_clock(org_id)
    else:
        seconds = body.get("advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise InvalidData("advance_seconds must be a number >= 0", {"api_name": "advance_seconds"})
        clock.advance_org_clock(org_id, seconds)
    return json_response(_clock_body(org_id))


def _clock_body(org_id: int) -> dict[str, Any]:
    offset = clock.org_clock_offset(org_id)
    return {
        "org_id": str(org_id),
        "offset_seconds": offset,
        "now": clock.iso(clock.org_now_us(org_id)),
    }


_ACTIONS = {a.value for a in FaultAction}


def _fault_spec(body: dict[str, Any]) -> dict[str, Any]:
    """A fault rule's fields from the admin body, checked."""
    action = body.get("action")
    if action not in _ACTIONS:
        raise InvalidData("action must be error, delay or close", {"api_name": "action"})
    spec: dict[str, Any] = {"action": FaultAction(action)}
    path = body.get("path", "*")
    if not isinstance(path, str) or not path:
        raise InvalidData("path must be a pattern such as /crm/*/Leads*", {"api_name": "path"})
    spec["path"] = path
    method = body.get("method")
    if method is not None:
        if not isinstance(method, str):
            raise InvalidData("method must be a string", {"api_name": "method"})
        spec["method"] = method.upper()
    if body.get("org_id") is not None:
        spec["org_id"] = _org_id(str(body["org_id"]))
    for key in ("times", "seed", "status", "delay_ms"):
        value = body.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidData(f"{key} must be an integer >= 0", {"api_name": key})
            spec[key] = value
    probability = body.get("probability")
    if probability is not None:
        if isinstance(probability, bool) or not isinstance(probability, int | float):
            raise InvalidData("probability must be a number", {"api_name": "probability"})
        if not 0 <= probability <= 1:
            raise InvalidData("probability must be between 0 and 1", {"api_name": "probability"})
        spec["probability"] = float(probability)
    for key in ("code", "message"):
        value = body.get(key)
        if value is not None:
            if not isinstance(value, str) or not value:
                raise InvalidData(f"{key} must be a string", {"api_name": key})
            spec[key] = value
    if spec["action"] is FaultAction.ERROR and "code" not in spec:
        raise InvalidData("an error rule needs a code (TOO_MANY_REQUESTS, ...)", {"api_name": "code"})
    if spec["action"] is FaultAction.DELAY and not spec.get("delay_ms"):
        raise InvalidData("a delay rule needs delay_ms", {"api_name": "delay_ms"})
    if "times" not in spec and "probability" not in spec:
        spec["times"] = 1
    return spec


@post(f"{PREFIX}/faults", status_code=201)
async def add_fault(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    rule = svc.faults.add(**_fault_spec(await _body(request)))
    return json_response(rule.as_dict(), 201)


@get(f"{PREFIX}/faults")
async def list_faults(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    raw = request.query_params.get("org_id")
    org_id = _org_id(raw) if raw else None
    return json_response({"faults": [r.as_dict() for r in svc.faults.rules(org_id)]})


@delete(f"{PREFIX}/faults", status_code=200)
async def clear_faults(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    raw = request.query_params.get("org_id")
    removed = svc.faults.clear(_org_id(raw) if raw else None)
    return json_response({"removed": removed})


@delete(f"{PREFIX}/faults/{{rule_id:str}}", status_code=200)
async def remove_fault(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    rule_id = _org_id(request.path_params["rule_id"])
    if not svc.faults.remove(rule_id):
        raise InvalidData("the fault rule id given seems to be invalid", {"param": "rule_id"})
    return json_response({"removed": 1})


@get(f"{PREFIX}/faults/log")
async def fault_log(request: Req) -> Response[bytes]:
    svc = _check_admin(request)
    raw = request.query_params.get("org_id")
    firings = svc.faults.log(_org_id(raw) if raw else None)
    return json_response({"firings": [f.as_dict() for f in firings]})


@get(f"{PREFIX}/orgs/{{org_id:str}}/requests")
async def request_log(request: Req) -> Response[bytes]:
    """The org's last API calls, oldest first; ``since`` (a ``seq``) and ``limit`` page through."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    try:
        since = int(request.query_params.get("since") or 0)
        limit = int(request.query_params.get("limit") or svc.requests.size)
    except ValueError:
        raise InvalidData("since and limit must be integers") from None
    entries = svc.requests.entries(org_id, since=since, limit=max(0, limit))
    return json_response({"requests": [e.as_dict() for e in entries]})


ROUTES = [
    create_test_org,
    add_test_user,
    delete_test_org,
    reset_test_org,
    take_snapshot,
    restore_snapshot,
    drop_snapshot,
    get_clock,
    move_clock,
    add_fault,
    list_faults,
    clear_faults,
    remove_fault,
    fault_log,
    request_log,
]


# --- the edge: faults and the request log, for /crm/ calls, installed only with an admin key ---


async def _answer(send: Send, error: CRMError) -> None:
    body = msgspec.json.encode(error.body())
    headers = [(b"content-type", JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    start: Message = {"type": "http.response.start", "status": error.status_code, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _close(receive: Receive, send: Send) -> None:
    """Close the connection without an answer.

    ASGI has no such message. Under uvicorn the ``receive`` callable belongs to the request's
    cycle, which holds the socket's transport: closing it drops the connection before a byte
    of the answer is written. Elsewhere (the in-process test client) the call fails instead.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.close()
        await asyncio.sleep(0)  # let the server see the connection is gone
        return
    raise ConnectionAbortedError("fault rule: connection closed without an answer")


async def _org_of_call(svc: Services, scope: Scope) -> int | None:
    """The org whose token the call carries, valid or not (None without a known token)."""
    token = _token(scope)
    if not token:
        return None
    wanted = digest(token)

    def lookup() -> int | None:
        with svc.db.read() as conn:
            return org_of_token_digest(conn, wanted)

    try:
        return await svc.db.run(lookup)
    except Exception:  # a database problem: the route answers it itself; the log is a help
        return None


def testkit_edge(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: fire fault rules and log each ``/crm/`` call of an org."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/crm/"):
            await app(scope, receive, send)
            return
        svc: Services = scope["app"].state["crm"]
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        org_id = await _org_of_call(svc, scope)
        request_chunks: list[bytes] = []
        answer_chunks: list[bytes] = []
        status = 0
        rule: FaultRule | None = svc.faults.take(method, path, org_id) if svc.faults else None

        async def logged_receive() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request" and sum(map(len, request_chunks)) <= 4096:
                request_chunks.append(message.get("body", b""))
            return message

        async def logged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and sum(map(len, answer_chunks)) <= 4096:
                answer_chunks.append(message.get("body", b""))
            await send(message)

        try:
            if rule is not None and rule.action is FaultAction.ERROR:
                await _answer(logged_send, rule.error())
            elif rule is not None and rule.action is FaultAction.CLOSE:
                await _close(receive, send)
            else:
                if rule is not None and rule.delay_ms:
                    await asyncio.sleep(rule.delay_ms / 1000)
                await app(scope, logged_receive, logged_send)
        finally:
            if org_id is not None:
                body, body_cut = bounded(b"".join(request_chunks))
                answer, answer_cut = bounded(b"".join(answer_chunks))
                svc.requests.add(
                    LoggedRequest(
                        seq=svc.requests.next_seq(),
                        at=time.time(),
                        org_id=org_id,
                        method=method,
                        path=path,
                        query=mask_text(scope.get("query_string", b"").decode("latin-1")),
                        headers=safe_headers(list(scope.get("headers", ()))),
                        body=body,
                        body_truncated=body_cut,
                        status=status,
                        answer=answer,
                        answer_truncated=answer_cut,
                        latency_ms=(time.perf_counter() - started) * 1000,
                        fault_rule=rule.id if rule is not None else None,
                    )
                )

    return middleware
