"""Deleted records: ``GET /crm/{version}/{module}/deleted`` (spec records-more §4)."""

from __future__ import annotations

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, modified_since, paging, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import recycle_bin as bin_
from crmlink.domain.auth import Operation, actor_for_token
from crmlink.domain.clock import org_now_us

Req = Req


@get("/crm/{version:str}/{module:str}/deleted")
async def list_deleted(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work() -> tuple[bin_.DeletedPage, int | None]:
        with svc.db.read() as conn:
            actor = actor_for_token(conn, token)
            catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            kind = bin_.parse_type(request.query_params.get("type"))
            page, per_page = paging(request)
            since = modified_since(request)
            found = bin_.list_deleted(
                conn,
                actor.org_id,
                mod,
                kind=kind,
                page=page,
                per_page=per_page,
                since=since,
                now=org_now_us(actor.org_id),
                retention=svc.retention,
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


ROUTES = [list_deleted]

__all__ = ["ROUTES"]
