"""Search and COQL: ``GET /crm/{version}/{module}/search`` and ``POST /crm/{version}/coql``."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, csv_param, decode_json, paging, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import search as srch
from crmlink.domain.auth import Operation, actor_for_token
from crmlink.domain.coql import parse_coql
from crmlink.domain.records import Page
from crmlink.errors import InvalidData, MandatoryNotFound


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
            catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
            mod = resolve_module(catalog, module)
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
            return srch.search_records(conn, catalog, actor.org_id, mod, params, reader=actor)

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


@post("/crm/{version:str}/coql", status_code=200)
async def coql(request: Req) -> Response[bytes]:
    check_version(request.path_params["version"])
    svc = services(request)
    token = bearer_token(request)
    raw = await request.body()

    def work() -> tuple[list[dict[str, Any]], bool]:
        with svc.db.read() as conn:  # token, body, query, permission, rows: one transaction
            actor = actor_for_token(conn, token)
            body = decode_json(raw)
            if not isinstance(body, dict):
                raise InvalidData(details={"expected_data_type": "jsonobject"})
            text = body.get("select_query")
            if text is None:
                raise MandatoryNotFound(details={"api_name": "select_query"})
            if not isinstance(text, str):
                raise InvalidData(details={"api_name": "select_query", "expected_data_type": "string"})
            query = parse_coql(svc.catalog_in(conn, actor), text)
            authorize_module(actor, query.module, Operation.READ)
            catalog = svc.catalog_in(conn, actor)
            for reached in sorted(query.reached):  # a lookup's fields read its target module
                authorize_module(actor, catalog.module_map[reached], Operation.READ)
            return srch.coql_records(conn, actor.org_id, query)

    data, more = await svc.db.run(work)
    if not data:
        return empty_response(204)
    return json_response({"data": data, "info": {"count": len(data), "more_records": more}})


ROUTES = [search_records, coql]

__all__ = ["ROUTES"]
