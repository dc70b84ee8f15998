"""Upsert: ``POST /crm/{version}/{module}/upsert`` (spec records-more §3)."""

from __future__ import annotations

from litestar import Response, post
from sqlalchemy import Connection

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, data_items, read_json, resolve_module
from crmlink.api.responses import results_response
from crmlink.api.security import authenticate, authorize_module
from crmlink.domain import upsert as ups
from crmlink.domain.auth import Operation

Req = Req


@post("/crm/{version:str}/{module:str}/upsert")
async def upsert_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    mod = resolve_module(svc.catalog, module)
    authorize_module(actor, mod, Operation.CREATE)
    body = await read_json(request)
    items = data_items(body)
    chain = ups.check_chain(mod, body.get("duplicate_check_fields"))

    def work(conn: Connection) -> list[dict[str, object]]:
        return ups.upsert_records(conn, svc.catalog, svc.ids, actor, mod, items, chain)

    return results_response(await svc.db.transact(work))


ROUTES = [upsert_records]

__all__ = ["ROUTES"]
