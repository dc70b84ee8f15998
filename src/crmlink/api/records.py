"""Records: ``/crm/{version}/{module}`` and ``/crm/{version}/{module}/{record_id}``."""

from __future__ import annotations

from typing import Any

from litestar import Response, delete, get, post, put

from crmlink.api.context import Req, Services, services
from crmlink.api.params import (
    MAX_ITEMS,
    check_record_segment,
    check_version,
    csv_param,
    data_items,
    decode_json,
    ids_param,
    modified_since,
    paging,
    path_id,
    resolve_module,
)
from crmlink.api.responses import empty_response, json_response, results_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import external as ext
from crmlink.domain import linking as lk
from crmlink.domain import records as rec
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef
from crmlink.domain.settings_meta import find_view
from crmlink.errors import InvalidData, LimitExceeded, RequiredParamMissing
from crmlink.storage.connection import Connection

Req = Req


def _external(request: Req, catalog: Catalog, mod: ModuleDef) -> ext.External | None:
    """The ``X-EXTERNAL`` header's meaning for ``mod`` in the org's ``catalog`` (``None``
    without it)."""
    return ext.parse_header(catalog, mod, request.headers.get(ext.HEADER.lower()))


def _record_external(request: Req, catalog: Catalog, mod: ModuleDef) -> FieldDef | None:
    found = _external(request, catalog, mod)
    return found.record if found is not None else None


def _external_ids(request: Req) -> list[str] | None:
    """``ids=`` as external values (at most 100)."""
    parts = csv_param(request, "ids")
    if parts is not None and len(parts) > MAX_ITEMS:
        raise LimitExceeded(
            f"Limit Exceeded, You cannot give more than {MAX_ITEMS} record ids",
            {"limit": str(MAX_ITEMS), "param_name": "ids"},
        )
    return parts or None


def _may_read(svc: Services, conn: Connection, token: str, module: str) -> tuple[Actor, ModuleDef, Catalog]:
    """The read routes' checks in their order: token, module, scope and profile; the org's
    catalog (docs/org-schema.md)."""
    actor = actor_for_token(conn, token)
    catalog = svc.catalog_in(conn, actor)
    mod = resolve_module(catalog, module, linking=True)
    authorize_module(actor, mod, Operation.READ)
    return actor, mod, catalog


def _may_write(
    svc: Services, conn: Connection, token: str, module: str, op: Operation
) -> tuple[Actor, ModuleDef, Catalog]:
    """The write routes' checks in their order (token, module, scope and profile), run in the
    write's own transaction: a write costs one connection and one transaction, and a token
    revoked meanwhile cannot slip a write in after it was checked."""
    actor = actor_for_token(conn, token)
    catalog = svc.catalog_in(conn, actor)
    mod = resolve_module(catalog, module, linking=True)
    authorize_module(actor, mod, op)
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
            if lk.is_linking(mod):
                return lk.list_page(
                    conn, catalog, actor, lk.linking_of(catalog, mod), page=page, per_page=per_page
                ), None
            key = _record_external(request, catalog, mod)
            fields = csv_param(request, "fields")
            if key is None:
                ids = ids_param(request, required=False)
            else:
                wanted = _external_ids(request)
                ids = (
                    list(ext.find_ids(conn, actor.org_id, mod, key, wanted).values())
                    if wanted is not None
                    else None
                )
            sort_by, sort_order = request.query_params.get("sort_by"), request.query_params.get("sort_order")
            if sort_order not in (None, "asc", "desc"):
                raise InvalidData(details={"param_name": "sort_order"})
            since = modified_since(request)
            owner = None
            cvid = request.query_params.get("cvid")
            if cvid is not None:
                view = find_view(mod, cvid)
                if view is None:
                    raise InvalidData(details={"param_name": "cvid"})
                owner = actor.user_id if view.owner_only else None
            converted = request.query_params.get("converted") or "false"
            if converted not in ("true", "false", "both"):
                raise InvalidData(details={"param_name": "converted"})
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
                owner_id=owner,
                reader=actor,
                converted=converted,
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
    check_record_segment(record_id)
    svc = services(request)
    token = bearer_token(request)

    def work() -> dict[str, object] | None:
        with svc.db.read() as conn:  # the checks, then the record, in one transaction
            actor, mod, catalog = _may_read(svc, conn, token, module)
            if lk.is_linking(mod):
                return lk.get_one(conn, catalog, actor, lk.linking_of(catalog, mod), path_id(record_id, 1))
            key = _record_external(request, catalog, mod)
            if key is None:
                rid = path_id(record_id, 1)
            else:
                found = ext.find_ids(conn, actor.org_id, mod, key, [record_id]).get(record_id)
                if found is None:
                    return None
                rid = found
            return rec.get_record(conn, catalog, actor.org_id, mod, rid, reader=actor)

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
    token = bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor, mod, catalog = _may_write(svc, conn, token, module, Operation.CREATE)
        items = data_items(decode_json(raw))
        if lk.is_linking(mod):
            return lk.insert(conn, catalog, svc.ids, actor, lk.linking_of(catalog, mod), items)
        external = _external(request, catalog, mod)
        prepared = ext.resolve_lookups(conn, actor.org_id, external, items)
        return ext.run_prepared(
            prepared, lambda good: rec.insert_records(conn, catalog, svc.ids, actor, mod, good)
        )

    return results_response(await svc.db.transact(work), all_ok_status=201)


@put("/crm/{version:str}/{module:str}")
async def update_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor, mod, catalog = _may_write(svc, conn, token, module, Operation.UPDATE)
        items = data_items(decode_json(raw))
        if lk.is_linking(mod):
            return lk.update(conn, catalog, actor, lk.linking_of(catalog, mod), items)
        external = _external(request, catalog, mod)
        prepared = ext.resolve_lookups(conn, actor.org_id, external, items)
        key = external.record if external is not None else None
        if key is not None:
            prepared = ext.resolve_items(conn, actor.org_id, mod, key, prepared)
        results = ext.run_prepared(
            prepared, lambda good: rec.update_records(conn, catalog, actor, mod, good, ids=svc.ids)
        )
        if key is not None:
            values = [item.get(key.api_name) if isinstance(item, dict) else None for item in items]
            results = ext.echo(results, key, values)
        return results

    return results_response(await svc.db.transact(work))


@put("/crm/{version:str}/{module:str}/{record_id:str}")
async def update_record(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    record_id = request.path_params["record_id"]
    check_version(version)
    check_record_segment(record_id)
    svc = services(request)
    token = bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor, mod, catalog = _may_write(svc, conn, token, module, Operation.UPDATE)
        if lk.is_linking(mod):
            linking_id = path_id(record_id, 1)
            one = data_items(decode_json(raw), max_items=1)
            return lk.update(conn, catalog, actor, lk.linking_of(catalog, mod), one, path_id=linking_id)
        external = _external(request, catalog, mod)
        key = external.record if external is not None else None
        rid = path_id(record_id, 1) if key is None else 0
        items = data_items(decode_json(raw), max_items=1)
        target = rid
        if key is not None:
            found = ext.find_ids(conn, actor.org_id, mod, key, [record_id]).get(record_id)
            if found is None:
                return [InvalidData(ext.INVALID_VALUE, {"api_name": key.api_name}).as_item()]
            target = found
        prepared = ext.resolve_lookups(conn, actor.org_id, external, items)
        results = ext.run_prepared(
            prepared,
            lambda good: rec.update_records(conn, catalog, actor, mod, good, path_id=target, ids=svc.ids),
        )
        return ext.echo(results, key, [record_id]) if key is not None else results

    return results_response(await svc.db.transact(work))


@delete("/crm/{version:str}/{module:str}", status_code=200)
async def delete_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor, mod, catalog = _may_write(svc, conn, token, module, Operation.DELETE)
        if lk.is_linking(mod):
            wanted = ids_param(request, required=True)
            assert wanted is not None
            return lk.delete(conn, catalog, actor, lk.linking_of(catalog, mod), list(wanted))
        key = _record_external(request, catalog, mod)
        if key is not None:
            values = _external_ids(request)
            if values is None:
                raise RequiredParamMissing(details={"param_name": "ids"})
            return _delete_external(svc, conn, actor, mod, key, values)
        ids = ids_param(request, required=True)
        assert ids is not None
        return rec.delete_records(conn, catalog, actor, mod, list(ids), svc.retention)

    return results_response(await svc.db.transact(work))


@delete("/crm/{version:str}/{module:str}/{record_id:str}", status_code=200)
async def delete_record(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    record_id = request.path_params["record_id"]
    check_version(version)
    check_record_segment(record_id)
    svc = services(request)
    token = bearer_token(request)

    def work(conn: Connection) -> list[dict[str, Any]]:
        actor, mod, catalog = _may_write(svc, conn, token, module, Operation.DELETE)
        if lk.is_linking(mod):
            return lk.delete(conn, catalog, actor, lk.linking_of(catalog, mod), [path_id(record_id, 1)])
        key = _record_external(request, catalog, mod)
        if key is not None:
            return _delete_external(svc, conn, actor, mod, key, [record_id])
        rid = path_id(record_id, 1)
        return rec.delete_records(conn, catalog, actor, mod, [rid], svc.retention)

    return results_response(await svc.db.transact(work))


def _delete_external(
    svc: Services, conn: Connection, actor: Actor, mod: ModuleDef, key: FieldDef, values: list[str]
) -> list[dict[str, Any]]:
    """Delete by external values: one result per value, in order; a value no record holds
    answers ``INVALID_DATA`` naming it, as an unknown id does."""
    found = ext.find_ids(conn, actor.org_id, mod, key, values)
    prepared: list[Any] = [
        found[v] if v in found else InvalidData("the id given seems to be invalid", {"id": v}) for v in values
    ]
    results = ext.run_prepared(
        prepared,
        lambda good: rec.delete_records(conn, svc.catalog_in(conn, actor), actor, mod, good, svc.retention),
    )
    return ext.echo(results, key, values)


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
