"""Related records: ``/crm/{version}/{module}/{record_id}/{related_list}[/{related_id}]``.

``GET`` lists (or fetches one) related record; ``PUT`` relates records or updates relation data;
``DELETE`` delinks. Lists backed by a lookup field (a Lead's Notes) answer ``GET`` only; the
request-level checks run in this order: version, token, module, scope and profile on the parent
module, related list, view permission on the related module, path ids, query and body. Each
call runs in one transaction (the token lookup included).
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Response, delete, get, post, put
from litestar.response import Stream

from crmlink.api import attachments
from crmlink.api.context import Req, Services, services
from crmlink.api.params import (
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
from crmlink.api.security import RELATED_NO_PERMISSION, authorize_module, authorize_related, bearer_token
from crmlink.api.uploads import drain
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.domain.catalog import Catalog, ListKind
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.errors import InvalidRequestMethod
from crmlink.storage.connection import Connection

ATTACHMENTS = "attachments"

Req = Req

LIST_PATH = "/crm/{version:str}/{module:str}/{record_id:str}/{related_list:str}"
ITEM_PATH = LIST_PATH + "/{related_id:str}"


@dataclass(frozen=True, slots=True)
class _Call:
    actor: Actor
    target: rel.Target
    parent_id: int
    catalog: Catalog  # the org's


def _start(request: Req) -> tuple[Services, str, dict[str, str]]:
    """What needs no database: the version, and a token in the Authorization header."""
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    check_record_segment(params["record_id"])
    return services(request), bearer_token(request), params


def _checks(svc: Services, conn: Connection, token: str, params: dict[str, str], op: Operation) -> _Call:
    """The request-level checks shared by every related-records route (module docstring), run
    in the call's own transaction so that a call costs one connection and one transaction."""
    actor = actor_for_token(conn, token)
    catalog = svc.catalog_in(conn, actor)
    parent = resolve_module(catalog, params["module"])
    authorize_module(actor, parent, op, message=RELATED_NO_PERMISSION[op])
    rl = rel.find_related_list(catalog, parent, params["related_list"])
    if rl.kind is not ListKind.LINK and op is not Operation.READ:
        # The URL exists (GET answers it); relating and delinking do not.
        raise InvalidRequestMethod()
    target = rel.target_for(catalog, parent, rl)
    authorize_related(actor, parent, target.related, op)
    parent_id = path_id(params["record_id"], 1, RELATED_ID_INVALID)
    return _Call(actor, target, parent_id, catalog)


def _is_attachments(params: dict[str, str]) -> bool:
    return params["related_list"].lower() == ATTACHMENTS


def _related_id(params: dict[str, str]) -> int:
    return path_id(params["related_id"], 3, RELATED_ID_INVALID)


def _page_response(page: rec.Page, since: int | None) -> Response[bytes]:
    if not page.data:
        return empty_response(304 if since is not None else 204)
    info = {
        "per_page": page.per_page,
        "count": len(page.data),
        "page": page.page,
        "more_records": page.more_records,
    }
    return json_response({"data": page.data, "info": info})


@get(LIST_PATH)
async def list_related(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    if _is_attachments(params):
        return await attachments.list_attachments(request, svc, token, params)

    def work() -> tuple[rec.Page, int | None]:
        with svc.db.read() as conn:
            call = _checks(svc, conn, token, params, Operation.READ)
            page, per_page = paging(request)
            fields, since = csv_param(request, "fields"), modified_since(request)
            org_id, target = call.actor.org_id, call.target
            if target.kind is ListKind.LOOKUP:
                rel.require_parent(conn, org_id, target.parent, call.parent_id)
                assert target.related_list.lookup_field is not None
                found = rec.list_lookup_related(
                    conn,
                    call.catalog,
                    org_id,
                    call.parent_id,
                    target.related,
                    target.related_list.lookup_field,
                    page=page,
                    per_page=per_page,
                    fields=fields,
                    modified_since=since,
                    reader=call.actor,
                )
            else:
                found = rel.list_related(
                    conn,
                    call.catalog,
                    org_id,
                    target,
                    call.parent_id,
                    page=page,
                    per_page=per_page,
                    fields=fields,
                    modified_since=since,
                    reader=call.actor,
                )
            return found, since

    return _page_response(*await svc.db.run(work))


@get(ITEM_PATH)
async def get_related(request: Req) -> Response[bytes] | Stream:
    svc, token, params = _start(request)
    if _is_attachments(params):
        return await attachments.download(request, svc, token, params)

    def work() -> tuple[list[dict[str, object]], int | None]:
        with svc.db.read() as conn:
            call = _checks(svc, conn, token, params, Operation.READ)
            related_id = _related_id(params)
            fields, since = csv_param(request, "fields"), modified_since(request)
            org_id, target = call.actor.org_id, call.target
            if target.kind is ListKind.LOOKUP:
                found = rel.get_lookup_related(
                    conn,
                    call.catalog,
                    org_id,
                    target,
                    call.parent_id,
                    related_id,
                    fields=fields,
                    modified_since=since,
                    reader=call.actor,
                )
            else:
                found = rel.list_related(
                    conn,
                    call.catalog,
                    org_id,
                    target,
                    call.parent_id,
                    fields=fields,
                    modified_since=since,
                    only=related_id,
                    reader=call.actor,
                ).data
            return found, since

    found, since = await svc.db.run(work)
    if not found:
        return empty_response(304 if since is not None else 204)
    return json_response({"data": found})


@put(LIST_PATH)
async def relate_records(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, object]]:
        call = _checks(svc, conn, token, params, Operation.UPDATE)
        items = data_items(decode_json(raw))
        return rel.relate(conn, call.actor, call.target, call.parent_id, items, ids=svc.ids)

    return results_response(await svc.db.transact(work))


@put(ITEM_PATH)
async def relate_record(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, object]]:
        call = _checks(svc, conn, token, params, Operation.UPDATE)
        related_id = _related_id(params)
        items = data_items(decode_json(raw), max_items=1)
        return rel.relate(
            conn, call.actor, call.target, call.parent_id, items, path_related_id=related_id, ids=svc.ids
        )

    return results_response(await svc.db.transact(work))


@delete(LIST_PATH, status_code=200)
async def delink_records(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    if _is_attachments(params):
        return await attachments.delete_attachments(request, svc, token, params, one=False)

    def work(conn: Connection) -> list[dict[str, object]]:
        call = _checks(svc, conn, token, params, Operation.DELETE)
        ids = ids_param(request, required=True)
        assert ids is not None
        return rel.delink(conn, call.actor, call.target, call.parent_id, ids)

    return results_response(await svc.db.transact(work))


@delete(ITEM_PATH, status_code=200)
async def delink_record(request: Req) -> Response[bytes]:
    svc, token, params = _start(request)
    if _is_attachments(params):
        return await attachments.delete_attachments(request, svc, token, params, one=True)

    def work(conn: Connection) -> list[dict[str, object]]:
        call = _checks(svc, conn, token, params, Operation.DELETE)
        return rel.delink(conn, call.actor, call.target, call.parent_id, [_related_id(params)])

    return results_response(await svc.db.transact(work))


# No Litestar body limit here: an attachment upload has its own (``max_upload_bytes``), enforced
# while streaming (api/uploads.py); a Notes body is held to ``max_body_bytes`` by ``drain``.
@post(LIST_PATH, status_code=200, request_max_body_size=None)
async def add_related(request: Req) -> Response[bytes]:
    """``POST .../Attachments`` uploads; ``POST .../Notes`` creates notes on the parent record."""
    svc, token, params = _start(request)
    if _is_attachments(params):
        return await attachments.upload(request, svc, token, params)
    raw = await drain(request, svc.settings.max_body_bytes)

    def work(conn: Connection) -> list[dict[str, object]]:
        actor = actor_for_token(conn, token)
        catalog = svc.catalog_in(conn, actor)
        parent = resolve_module(catalog, params["module"])
        rl = rel.find_related_list(catalog, parent, params["related_list"])
        if rl.kind is not ListKind.LOOKUP or rl.module != NOTES:
            raise InvalidRequestMethod()
        notes = catalog.module_map[NOTES]
        authorize_module(actor, parent, Operation.READ)
        authorize_module(actor, notes, Operation.CREATE)
        parent_id = path_id(params["record_id"], 1, RELATED_ID_INVALID)
        rel.require_parent(conn, actor.org_id, parent, parent_id)
        items = [
            {**item, "Parent_Id": {"id": str(parent_id)}, "$se_module": parent.api_name}
            if isinstance(item, dict)
            else item
            for item in data_items(decode_json(raw))
        ]
        return rec.insert_records(conn, catalog, svc.ids, actor, notes, items)

    return results_response(await svc.db.transact(work), all_ok_status=201)


NOTES = "Notes"

ROUTES = [
    list_related,
    get_related,
    add_related,
    relate_records,
    relate_record,
    delink_records,
    delink_record,
]

__all__ = ["ROUTES"]
