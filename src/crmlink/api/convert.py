"""Lead conversion: ``POST /crm/{version}/Leads/{record_id}/actions/convert`` (one transaction)."""

from __future__ import annotations

from typing import Any

from litestar import Response, post

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, data_items, decode_json, path_id, resolve_module
from crmlink.api.responses import json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import convert
from crmlink.domain.auth import Operation, actor_for_token
from crmlink.errors import InvalidUrlPattern
from crmlink.storage.connection import Connection


@post("/crm/{version:str}/{module:str}/{record_id:str}/actions/convert", status_code=200)
async def convert_lead(request: Req) -> Response[bytes]:
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    svc, token = services(request), bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> dict[str, Any]:
        actor = actor_for_token(conn, token)
        catalog = svc.catalog_in(conn, actor)
        module = resolve_module(catalog, params["module"])
        if module.api_name != "Leads":
            raise InvalidUrlPattern()  # only leads convert
        authorize_module(actor, module, Operation.UPDATE)
        lead_id = path_id(params["record_id"], 1)
        (item,) = data_items(decode_json(raw), max_items=1)
        return convert.convert_lead(conn, catalog, svc.ids, actor, lead_id, item)

    return json_response({"data": [await svc.db.transact(work)]})


ROUTES = [convert_lead]

__all__ = ["ROUTES"]
