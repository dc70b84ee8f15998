"""Tags: ``/crm/{version}/settings/tags[...]`` and ``/{module}[/{id}]/actions/add_tags|remove_tags``.

The record actions take ``tag_names``, ``ids`` and ``over_write`` as query parameters with no
body (v2.1; v3+ moved them to a JSON body). Every call runs in one transaction.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, delete, get, post, put

from crmlink.api.context import Req, Services, services
from crmlink.api.params import check_version, decode_json, ids_param, path_id, resolve_module
from crmlink.api.responses import json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import tags
from crmlink.domain.auth import Actor, Operation, actor_for_token, settings_scope_allows
from crmlink.domain.catalog import ModuleDef
from crmlink.errors import OAuthScopeMismatch, RequiredParamMissing
from crmlink.storage.connection import Connection

SETTINGS = "/crm/{version:str}/settings/tags"
TAG = SETTINGS + "/{tag_id:str}"
_WRITE_SCOPES = ("all", "create", "write", "update", "delete")


def _start(request: Req) -> tuple[Services, str, dict[str, str]]:
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    return services(request), bearer_token(request), params


def _settings_actor(conn: Connection, token: str, *, write: bool) -> Actor:
    actor = actor_for_token(conn, token)
    scopes = actor.scopes
    if write:
        allowed = "zohocrm.settings.all" in scopes or any(
            f"zohocrm.settings.tags.{s}" in scopes for s in _WRITE_SCOPES
        )
    else:
        allowed = settings_scope_allows(scopes, "tags")
    if not allowed:
        raise OAuthScopeMismatch()
    return actor


def _module_param(svc: Services, request: Req, conn: Connection, actor: Actor) -> ModuleDef:
    """The ``module`` parameter, in the actor's org's catalog."""
    name = request.query_params.get("module")
    if not name:
        raise RequiredParamMissing(details={"param_name": "module"})
    return resolve_module(svc.catalog_in(conn, actor), name, path_index=None)


def _tag_id(params: dict[str, str]) -> int:
    return path_id(params["tag_id"], 3, tags.NOT_FOUND)


def _tags_response(results: list[dict[str, Any]], ok_status: int) -> Response[bytes]:
    ok = sum(1 for r in results if r["status"] == "success")
    status = ok_status if ok == len(results) else (400 if ok == 0 else 207)
    return json_response({"tags": results}, status)


@get(SETTINGS)
async def list_tags(request: Req) -> Response[bytes]:
    svc, token, _params = _start(request)

    def work() -> dict[str, Any]:
        with svc.db.read() as conn:
            actor = _settings_actor(conn, token, write=False)
            module = _module_param(svc, request, conn, actor)
            mine = request.query_params.get("my_tags", "").lower() == "true"
            return tags.list_tags(conn, actor, module, mine=mine)

    return json_response(await svc.db.run(work))


@post(SETTINGS, status_code=201)
async def create_tags(request: Req) -> Response[bytes]:
    svc, token, _params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _settings_actor(conn, token, write=True)
        module = _module_param(svc, request, conn, actor)
        return tags.create_tags(conn, svc.ids, actor, module, decode_json(raw))

    return _tags_response(await svc.db.transact(work), 201)


@put(SETTINGS)
async def update_tags(request: Req) -> Response[bytes]:
    svc, token, _params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _settings_actor(conn, token, write=True)
        module = _module_param(svc, request, conn, actor)
        return tags.update_tags(conn, actor, module, decode_json(raw))

    return _tags_response(await svc.db.transact(work), 200)


@put(TAG)
async def update_tag(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor = _settings_actor(conn, token, write=True)
        module = _module_param(svc, request, conn, actor)
        return tags.update_tags(conn, actor, module, decode_json(raw), path_tag_id=_tag_id(params))

    return _tags_response(await svc.db.transact(work), 200)


@delete(TAG, status_code=200)
async def delete_tag(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)

    def work(conn: Connection) -> dict[str, Any]:
        actor = _settings_actor(conn, token, write=True)
        return tags.delete_tag(conn, actor, _tag_id(params))

    return json_response({"tags": [await svc.db.transact(work)]})


@post(TAG + "/actions/merge", status_code=200)
async def merge_tags(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> dict[str, Any]:
        actor = _settings_actor(conn, token, write=True)
        return tags.merge_tags(conn, actor, _tag_id(params), decode_json(raw))

    return json_response({"tags": [await svc.db.transact(work)]})


@get(TAG + "/actions/records_count")
async def records_count(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)

    def work() -> dict[str, str]:
        with svc.db.read() as conn:
            actor = _settings_actor(conn, token, write=False)
            module = _module_param(svc, request, conn, actor)
            return tags.record_count(conn, actor, module, _tag_id(params))

    return json_response(await svc.db.run(work))


# --- tagging records -------------------------------------------------------------------------


async def _tag_records(request: Req, *, adding: bool, one: bool) -> Response[bytes]:
    svc, token, params = _start(request)

    def work(conn: Connection) -> dict[str, Any]:
        actor = actor_for_token(conn, token)
        module = resolve_module(svc.catalog_in(conn, actor), params["module"])
        authorize_module(actor, module, Operation.UPDATE)
        if one:
            record_ids = [path_id(params["record_id"], 1)]
        else:
            found = ids_param(request, required=True, max_items=tags.MAX_IDS)
            assert found is not None
            record_ids = found
        raw_names = request.query_params.get("tag_names")
        if not raw_names:
            raise RequiredParamMissing(details={"param_name": "tag_names"})
        names = tags.parse_tag_names(raw_names)
        over_write = request.query_params.get("over_write", "").lower() == "true"
        return tags.tag_records(
            conn, svc.ids, actor, module, record_ids, names, adding=adding, over_write=over_write
        )

    body = await svc.db.transact(work)
    ok = int(body["success_count"])
    return json_response(body, 200 if ok == len(body["data"]) else (400 if ok == 0 else 207))


RECORD_ACTION = "/crm/{version:str}/{module:str}/{record_id:str}/actions"
MODULE_ACTION = "/crm/{version:str}/{module:str}/actions"


@post(RECORD_ACTION + "/add_tags", status_code=200)
async def add_tags_to_record(request: Req) -> Response[bytes]:
    return await _tag_records(request, adding=True, one=True)


@post(RECORD_ACTION + "/remove_tags", status_code=200)
async def remove_tags_from_record(request: Req) -> Response[bytes]:
    return await _tag_records(request, adding=False, one=True)


@post(MODULE_ACTION + "/add_tags", status_code=200)
async def add_tags_to_records(request: Req) -> Response[bytes]:
    return await _tag_records(request, adding=True, one=False)


@post(MODULE_ACTION + "/remove_tags", status_code=200)
async def remove_tags_from_records(request: Req) -> Response[bytes]:
    return await _tag_records(request, adding=False, one=False)


ROUTES = [
    list_tags,
    create_tags,
    update_tags,
    update_tag,
    delete_tag,
    merge_tags,
    records_count,
    add_tags_to_record,
    remove_tags_from_record,
    add_tags_to_records,
    remove_tags_from_records,
]

__all__ = ["ROUTES"]
