"""Records: ``/crm/{version}/{module}`` and ``/crm/{version}/{module}/{record_id}``."""

from __future__ import annotations

from litestar import Response, delete, get, post, put
from sqlalchemy import Connection

from crmlink.api.context import Req, Services, services
from crmlink.api.params import (
    check_version,
    csv_param,
    data_items,
    ids_param,
    modified_since,
    paging,
    path_id,
    read_json,
    resolve_module,
)
from crmlink.api.responses import empty_response, json_response, results_response
from crmlink.api.security import authenticate, authorize_module, bearer_token
from crmlink.domain import records as rec
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.errors import InvalidData

Req = Req


def _may_read(svc: Services, conn: Connection, token: str, module: str) -> tuple[Actor, ModuleDef, Catalog]:
    """The read routes' checks in their order: token, module, scope and profile."""
    actor = actor_for_token(conn, token)
    catalog = svc.catalog_in(conn, actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.READ)
    return actor, mod, catalog


@get("/crm/{version:str}/{module:str}")
async def list_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work() -> tuple[rec.Page, int | None]:
        # The checks in their order (token, module, permission, query), then the page, in one
        # transaction: a call costs one connection and one transaction.
        with svc.db.read() as conn:
            actor, mod, catalog = _may_read(svc, conn, token, module)
            page, per_page = paging(request)
            fields, ids = csv_param(request, "fields"), ids_param(request, required=False)
            sort_by, sort_order = request.query_params.get("sort_by"), request.query_params.get("sort_order")
            if sort_order not in (None, "asc", "desc"):
                raise InvalidData(details={"param_name": "sort_order"})
            since = modified_since(request)
            found = rec.list_records(
                conn,
                catalog,
                actor.org_id,
                mod,
                page=page,
                per_page=per_page,
                fields=fields,
                ids=ids,
                sort_by=sort_by,
                sort_order=sort_order,
                modified_since=since,
            )
            return found, since

    result, since = await svc.db.run(work)
    if not result.data:
        return empty_response(304 if since is not None else 204)
    return json_response(
        {
            "data": result.data,
            "info": {
                "per_page": result.per_page,
                "count": len(result.data),
                "page": result.page,
                "more_records": result.more_records,
            },
        }
    )


@get("/crm/{version:str}/{module:str}/{record_id:str}")
async def get_record(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    record_id = request.path_params["record_id"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work() -> dict[str, object] | None:
        with svc.db.read() as conn:  # the checks, then the record, in one transaction
            actor, mod, catalog = _may_read(svc, conn, token, module)
            rid = path_id(record_id, 1)
            return rec.get_record(conn, catalog, actor.org_id, mod, rid)

    found = await svc.db.run(work)
    if found is None:
        # Zoho answers a well-formed id that names no record with 204 (its SDK samples test for it).
        return empty_response(204)
    return json_response({"data": [found]})


@post("/crm/{version:str}/{module:str}")
async def insert_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    catalog = await svc.catalog_for(actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.CREATE)
    items = data_items(await read_json(request))

    def work(conn: Connection) -> list[dict[str, object]]:
        return rec.insert_records(conn, catalog, svc.ids, actor, mod, items)

    return results_response(await svc.db.transact(work), all_ok_status=201)


@put("/crm/{version:str}/{module:str}")
async def update_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    catalog = await svc.catalog_for(actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.UPDATE)
    items = data_items(await read_json(request))

    def work(conn: Connection) -> list[dict[str, object]]:
        return rec.update_records(conn, catalog, actor, mod, items)

    return results_response(await svc.db.transact(work))


@put("/crm/{version:str}/{module:str}/{record_id:str}")
async def update_record(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    record_id = request.path_params["record_id"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    catalog = await svc.catalog_for(actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.UPDATE)
    rid = path_id(record_id, 1)
    items = data_items(await read_json(request), max_items=1)

    def work(conn: Connection) -> list[dict[str, object]]:
        return rec.update_records(conn, catalog, actor, mod, items, path_id=rid)

    return results_response(await svc.db.transact(work))


@delete("/crm/{version:str}/{module:str}", status_code=200)
async def delete_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    catalog = await svc.catalog_for(actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.DELETE)
    ids = ids_param(request, required=True)
    assert ids is not None

    def work(conn: Connection) -> list[dict[str, object]]:
        return rec.delete_records(conn, catalog, actor, mod, list(ids))

    return results_response(await svc.db.transact(work))


@delete("/crm/{version:str}/{module:str}/{record_id:str}", status_code=200)
async def delete_record(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    record_id = request.path_params["record_id"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    catalog = await svc.catalog_for(actor)
    mod = resolve_module(catalog, module)
    authorize_module(actor, mod, Operation.DELETE)
    rid = path_id(record_id, 1)

    def work(conn: Connection) -> list[dict[str, object]]:
        return rec.delete_records(conn, catalog, actor, mod, [rid])

    return results_response(await svc.db.transact(work))


ROUTES = [
    list_records,
    get_record,
    insert_records,
    update_records,
    update_record,
    delete_records,
    delete_record,
]

__all__ = ["ROUTES"]
