"""The contact-role picklist: ``/crm/{version}/Contacts/roles[/{id}]`` (GET, POST, PUT, DELETE).

Scope and profile are those of the Contacts module.

The routes are ``/crm/{version}/{module}/roles[/{role_id}]``: a static ``Contacts`` segment
would shadow ``/crm/{version}/Contacts`` itself in the router (which does not backtrack from a
static segment to a parameter). For any other module they answer what the records and
related-records routes answer for the record id ``roles``: INVALID_DATA "the id given seems
to be invalid" (``resource_path_index`` 1), or INVALID_REQUEST_METHOD for POST. Bodies and
answers use the wrapper key ``contact_roles``; a write answers 200 when every item succeeded
(the spec: 200, not 201), 207 when some did, 400 when none did.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, delete, get, post, put

from crmlink.api.context import Req, Services, services
from crmlink.api.params import MAX_ITEMS, check_version, decode_json, ids_param, path_id, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import contact_roles as roles
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.errors import InvalidData, InvalidRequestMethod, LimitExceeded, MandatoryNotFound
from crmlink.storage.connection import Connection

Req = Req

_BASE = "/crm/{version:str}/{module:str}/roles"


async def _actor(request: Req, op: Operation) -> Actor:
    """The read routes' checks (their own read transaction)."""
    svc, token = _start(request)

    def check() -> Actor:
        with svc.db.read() as conn:
            return _check(svc, conn, token, request, op)

    return await svc.db.run(check)


def _start(request: Req) -> tuple[Services, str]:
    """What needs no database: the version, and a token in the Authorization header."""
    check_version(request.path_params["version"])
    return services(request), bearer_token(request)


def _check(svc: Services, conn: Connection, token: str, request: Req, op: Operation) -> Actor:
    """The checks in their order (token, module, scope and profile); the write routes run them
    in the write's own transaction."""
    actor = actor_for_token(conn, token)
    module = resolve_module(svc.catalog_in(conn, actor), request.path_params["module"])
    if module.api_name != "Contacts":
        if op is Operation.CREATE:
            raise InvalidRequestMethod()
        authorize_module(actor, module, op)
        raise InvalidData("the id given seems to be invalid", {"resource_path_index": 1})
    authorize_module(actor, module, op)
    return actor


def _items(body: Any, *, max_items: int = MAX_ITEMS) -> list[Any]:
    """The ``contact_roles`` list of a write body, 1 to ``max_items`` long."""
    key = roles.KEY
    if not isinstance(body, dict):
        raise InvalidData(details={"expected_data_type": "jsonobject"})
    if key not in body:
        raise MandatoryNotFound(details={"api_name": key, "json_path": f"$.{key}"})
    items = body[key]
    if not isinstance(items, list) or not items:
        raise InvalidData(
            details={"api_name": key, "expected_data_type": "jsonarray", "json_path": f"$.{key}"}
        )
    if len(items) > max_items:
        raise LimitExceeded(
            f"Limit Exceeded, You cannot give more than {max_items} records",
            {"api_name": key, "limit": max_items},
        )
    return items


def _results(results: list[dict[str, Any]]) -> Response[bytes]:
    ok = sum(1 for r in results if r.get("status") == "success")
    status = 200 if ok == len(results) else 400 if ok == 0 else 207
    return json_response({roles.KEY: results}, status)


@get(_BASE)
async def list_contact_roles(request: Req) -> Response[bytes]:
    actor = await _actor(request, Operation.READ)
    svc = services(request)

    def work() -> list[dict[str, Any]]:
        with svc.db.read() as conn:
            return roles.list_roles(conn, actor.org_id)

    found = await svc.db.run(work)
    return json_response({roles.KEY: found}) if found else empty_response(204)


@get(_BASE + "/{role_id:str}")
async def get_contact_role(request: Req) -> Response[bytes]:
    actor = await _actor(request, Operation.READ)
    svc = services(request)
    rid = path_id(request.path_params["role_id"], 3)

    def work() -> dict[str, Any] | None:
        with svc.db.read() as conn:
            return roles.get_role(conn, actor.org_id, rid)

    found = await svc.db.run(work)
    return json_response({roles.KEY: [found]}) if found else empty_response(204)


@post(_BASE)
async def add_contact_roles(request: Req) -> Response[bytes]:
    svc, token = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _check(svc, conn, token, request, Operation.CREATE)
        items = _items(decode_json(raw))
        return roles.add_roles(conn, svc.ids, actor.org_id, items)

    return _results(await svc.db.transact(work))


@put(_BASE)
async def update_contact_roles(request: Req) -> Response[bytes]:
    svc, token = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _check(svc, conn, token, request, Operation.UPDATE)
        items = _items(decode_json(raw))
        return roles.update_roles(conn, actor.org_id, items)

    return _results(await svc.db.transact(work))


@put(_BASE + "/{role_id:str}")
async def update_contact_role(request: Req) -> Response[bytes]:
    svc, token = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _check(svc, conn, token, request, Operation.UPDATE)
        rid = path_id(request.path_params["role_id"], 3)
        items = _items(decode_json(raw), max_items=1)
        return roles.update_roles(conn, actor.org_id, items, path_id=rid)

    return _results(await svc.db.transact(work))


@delete(_BASE, status_code=200)
async def delete_contact_roles(request: Req) -> Response[bytes]:
    svc, token = _start(request)

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _check(svc, conn, token, request, Operation.DELETE)
        ids = ids_param(request, required=True)
        assert ids is not None
        return roles.delete_roles(conn, actor.org_id, list(ids))

    return _results(await svc.db.transact(work))


@delete(_BASE + "/{role_id:str}", status_code=200)
async def delete_contact_role(request: Req) -> Response[bytes]:
    svc, token = _start(request)

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _check(svc, conn, token, request, Operation.DELETE)
        rid = path_id(request.path_params["role_id"], 3)
        return roles.delete_roles(conn, actor.org_id, [rid])

    return _results(await svc.db.transact(work))


ROUTES = [
    list_contact_roles,
    get_contact_role,
    add_contact_roles,
    update_contact_roles,
    update_contact_role,
    delete_contact_roles,
    delete_contact_role,
]

__all__ = ["ROUTES"]
