"""Upsert: ``POST /crm/{version}/{module}/upsert`` (spec records-more §3)."""

from __future__ import annotations

from typing import Any

from litestar import Response, post

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, data_items, decode_json, resolve_module
from crmlink.api.responses import results_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.domain import external as ext
from crmlink.domain import upsert as ups
from crmlink.domain.auth import Operation, actor_for_token
from crmlink.storage.connection import Connection

Req = Req


@post("/crm/{version:str}/{module:str}/upsert")
async def upsert_records(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, Any]]:
        # The checks in their order (token, module, scope and profile, body), in the write's
        # own transaction.
        actor = actor_for_token(conn, token)
        catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
        mod = resolve_module(catalog, module)
        authorize_module(actor, mod, Operation.CREATE)
        body = decode_json(raw)
        items = data_items(body)
        chain = ups.check_chain(mod, body.get("duplicate_check_fields"))
        # No header is needed for the record's own external fields (they are upsert keys); a
        # lookup given by its external value needs one (spec §12).
        external = ext.parse_header(catalog, mod, request.headers.get(ext.HEADER.lower()))
        prepared = ext.resolve_lookups(conn, actor.org_id, external, items)
        return ext.run_prepared(
            prepared, lambda good: ups.upsert_records(conn, catalog, svc.ids, actor, mod, good, chain)
        )

    return results_response(await svc.db.transact(work))


ROUTES = [upsert_records]

__all__ = ["ROUTES"]
