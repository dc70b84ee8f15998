"""Search and COQL: ``GET /crm/{version}/{module}/search`` and ``POST /crm/{version}/coql``."""

from __future__ import annotations

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, csv_param, paging, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import search as srch
from crmlink.domain.auth import Operation, actor_for_token
from crmlink.domain.records import Page


@get("/crm/{version:str}/{module:str}/search")
async def search_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)
    q = request.query_params

    def work() -> Page:
        with svc.db.read() as conn:  # the checks in their order, then the search: one transaction
            actor = actor_for_token(conn, token)
            mod = resolve_module(svc.catalog, module)
            authorize_module(actor, mod, Operation.READ)
            page, per_page = paging(request)
            params = srch.SearchParams(
                criteria=q.get("criteria"),
                email=q.get("email"),
                phone=q.get("phone"),
                word=q.get("word"),
                converted=q.get("converted") or "false",
                approved=q.get("approved") or "true",
                page=page,
                per_page=per_page,
                fields=csv_param(request, "fields"),
            )
            return srch.search_records(conn, svc.catalog, actor.org_id, mod, params)

    result = await svc.db.run(work)
    if not result.data:
        return empty_response(204)
    info = {
        "per_page": result.per_page,
        "count": len(result.data),
        "page": result.page,
        "more_records": result.more_records,
    }
    return json_response({"data": result.data, "info": info})


ROUTES = [search_records]

__all__ = ["ROUTES"]
