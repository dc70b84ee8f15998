"""Module actions: ``GET /crm/{version}/{module}/actions/count`` and mass update,
``POST|GET /crm/{version}/{module}/actions/mass_update`` (spec records-more §5, §6)."""

from __future__ import annotations

from litestar import Response, get, post

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, decode_json, resolve_module
from crmlink.api.responses import json_response, results_response
from crmlink.api.security import NO_PERMISSION_MESSAGES, authorize_module, bearer_token
from crmlink.domain import mass_update as mu
from crmlink.domain import search as srch
from crmlink.domain.auth import PERMISSION_FOR, Actor, Operation, actor_for_token
from crmlink.domain.catalog import ModuleDef
from crmlink.errors import NoPermission
from crmlink.storage.connection import Connection
from crmlink.storage.counts import count_records

Req = Req

# Search parameters of the count: Zoho's count takes search's criteria, email, phone and word,
# with search's grammar and errors (docs/query.md).
SEARCH_PARAMS = ("criteria", "email", "phone", "word")


def _authorize_mass_update(actor: Actor, mod: ModuleDef, op: Operation) -> None:
    """Zoho's own mass update scopes (``ZohoCRM.mass_update.{module}.UPDATE``, ``...READ`` for
    the status, or the module-less and ``ALL`` forms) grant it as the module scopes do; the
    profile must allow editing (viewing, for the status) either way."""
    verb = "update" if op is Operation.UPDATE else "read"
    granted = {
        "zohocrm.mass_update.all",
        f"zohocrm.mass_update.{verb}",
        f"zohocrm.mass_update.{mod.scope_name}.all",
        f"zohocrm.mass_update.{mod.scope_name}.{verb}",
    }
    if granted & actor.scopes:
        if not actor.may(mod.api_name, PERMISSION_FOR[op]):
            raise NoPermission(NO_PERMISSION_MESSAGES[op])
        return
    authorize_module(actor, mod, op)


@get("/crm/{version:str}/{module:str}/actions/count")
async def record_count(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work() -> int:
        with svc.db.read() as conn:
            actor = actor_for_token(conn, token)
            catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            q = request.query_params
            if any(q.get(name) is not None for name in SEARCH_PARAMS):
                params = srch.SearchParams(
                    criteria=q.get("criteria"), email=q.get("email"), phone=q.get("phone"), word=q.get("word")
                )
                return srch.count_matching(conn, actor.org_id, mod, params)
            return count_records(conn, actor.org_id, mod.api_name)

    return json_response({"count": await svc.db.run(work)})


@post("/crm/{version:str}/{module:str}/actions/mass_update")
async def mass_update(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)
    raw = await request.body()

    def work(conn: Connection) -> list[dict[str, object]]:
        # The checks in their order, in the write's own transaction.
        actor = actor_for_token(conn, token)
        catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
        mod = resolve_module(catalog, module)
        _authorize_mass_update(actor, mod, Operation.UPDATE)
        values, ids = mu.check_request(mod, decode_json(raw))
        return mu.mass_update(conn, catalog, actor, mod, values, ids)

    return results_response(await svc.db.transact(work))


@get("/crm/{version:str}/{module:str}/actions/mass_update")
async def mass_update_status(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    module = request.path_params["module"]
    check_version(version)
    svc = services(request)
    token = bearer_token(request)

    def work() -> dict[str, object]:
        with svc.db.read() as conn:
            actor = actor_for_token(conn, token)
            catalog = svc.catalog_in(conn, actor)  # the org's (docs/org-schema.md)
            mod = resolve_module(catalog, module)
            _authorize_mass_update(actor, mod, Operation.READ)
            return mu.job_status(conn, actor.org_id, mod, request.query_params.get("job_id"))

    return json_response({"data": [await svc.db.run(work)]})


ROUTES = [record_count, mass_update, mass_update_status]

__all__ = ["ROUTES"]
