"""More metadata: ``settings/layouts``, ``settings/custom_views``, ``settings/profiles``,
``settings/roles`` (each with ``/{id}``), ``settings/fields/{id}``, ``settings/related_lists/{id}``
and ``GET /org``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Response, get

from crmlink.api.context import Req, Services, services
from crmlink.api.metadata import resolve_metadata_module
from crmlink.api.params import check_version, paging, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authenticate, authorize_settings
from crmlink.domain import metadata as meta
from crmlink.domain import settings_meta as sm
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.errors import InvalidData, OAuthScopeMismatch, RequiredParamMissing
from crmlink.storage import settings_meta as store

Req = Req
T = TypeVar("T")

INVALID_ID = "the id given seems to be invalid"


async def _settings_actor(request: Req, area: str) -> tuple[Services, Actor]:
    check_version(request.path_params["version"])
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_settings(actor, area)
    return svc, actor


async def _module(
    request: Req, svc: Services, actor: Actor, *, subforms: bool = False
) -> tuple[Catalog, ModuleDef]:
    """The ``module`` parameter, resolved in the actor's org's catalog (with that catalog)."""
    name: str | None = request.query_params.get("module")
    if not name:
        raise RequiredParamMissing(details={"param_name": "module"})
    catalog = await svc.catalog_for(actor)
    if subforms:
        return catalog, resolve_metadata_module(catalog, name)
    return catalog, resolve_module(catalog, name, path_index=None)


async def _read(svc: Services, work: Callable[[Any], T]) -> T:
    def run() -> T:
        with svc.db.read() as conn:
            return work(conn)

    return await svc.db.run(run)


async def _profile_refs(svc: Services, org_id: int) -> list[dict[str, str]]:
    rows = await _read(svc, lambda conn: store.profiles(conn, org_id))
    return [{"name": r.name, "id": str(r.id)} for r in rows]


# --- fields and related lists by id ------------------------------------------------------------


@get("/crm/{version:str}/settings/fields/{field_id:str}")
async def get_field(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "fields")
    _catalog, module = await _module(request, svc, actor, subforms=True)
    field_id = request.path_params["field_id"].strip()
    for i, f in enumerate(module.fields, start=1):
        if f.id_in(module.api_name) == field_id:
            return json_response({"fields": [meta.render_field(module, f, i)]})
    raise InvalidData(INVALID_ID, {"resource_path_index": 2})


@get("/crm/{version:str}/settings/related_lists/{list_id:str}")
async def get_related_list(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "related_lists")
    _catalog, module = await _module(request, svc, actor)
    list_id = request.path_params["list_id"].strip()
    found = [rl for rl in meta.render_related_lists(module) if rl["id"] == list_id]
    if not found:
        raise InvalidData(INVALID_ID, {"resource_path_index": 2})
    return json_response({"related_lists": found})


# --- layouts -----------------------------------------------------------------------------------


@get("/crm/{version:str}/settings/layouts")
async def list_layouts(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "layouts")
    catalog, module = await _module(request, svc, actor)
    profiles = await _profile_refs(svc, actor.org_id)
    return json_response({"layouts": [sm.render_layout(catalog, module, profiles)]})


@get("/crm/{version:str}/settings/layouts/{layout_id:str}")
async def get_layout(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "layouts")
    catalog, module = await _module(request, svc, actor)
    if request.path_params["layout_id"].strip() != sm.layout_id(module.api_name):
        raise InvalidData("Layout does not belongs to the given module", {"resource_path_index": 2})
    profiles = await _profile_refs(svc, actor.org_id)
    return json_response({"layouts": [sm.render_layout(catalog, module, profiles)]})


# --- custom views ------------------------------------------------------------------------------


@get("/crm/{version:str}/settings/custom_views")
async def list_custom_views(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "custom_views")
    _catalog, module = await _module(request, svc, actor)
    page, per_page = paging(request)
    views = sm.views(module)
    shown = views[(page - 1) * per_page : page * per_page]
    if not shown:
        return empty_response(204)
    return json_response(
        {
            "custom_views": [sm.render_view(module, v, full=False) for v in shown],
            "info": {
                "per_page": per_page,
                "count": len(shown),
                "page": page,
                "more_records": page * per_page < len(views),
                "default": next(v.id for v in views if v.default),
                "translation": sm.TRANSLATION,
            },
        }
    )


@get("/crm/{version:str}/settings/custom_views/{cvid:str}")
async def get_custom_view(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "custom_views")
    _catalog, module = await _module(request, svc, actor)
    view = sm.find_view(module, request.path_params["cvid"])
    if view is None:
        raise InvalidData("Invalid ID", {"resource_path_index": 2})
    return json_response({"custom_views": [sm.render_view(module, view, full=True)]})


# --- profiles and roles ------------------------------------------------------------------------


@get("/crm/{version:str}/settings/profiles")
async def list_profiles(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "profiles")
    rows = await _read(svc, lambda conn: store.profiles(conn, actor.org_id))
    catalog = await svc.catalog_for(actor)
    return json_response({"profiles": [sm.render_profile(catalog, r, full=False) for r in rows]})


@get("/crm/{version:str}/settings/profiles/{profile_id:str}")
async def get_profile(request: Req) -> Response[bytes]:
    svc, actor = await _settings_actor(request, "profiles")
    wanted = request.path_params["profile_id"].strip()
    rows = await _read(svc, lambda conn: store.profiles(conn, actor.org_id))
    found = [r for r in rows if str(r.id) == wanted]
    if not found:
        raise InvalidData(INVALID_ID, {"resource_path_index": 2})
    catalog = await svc.catalog_for(actor)
    return json_response({"profiles": [sm.render_profile(catalog, found[0], full=True)]})


@get("/crm/{version:str}/settings/roles")
async def list_roles(request: Req) -> Response[bytes]:
    _svc, actor = await _settings_actor(request, "roles")
    return json_response({"roles": sm.roles(actor.org_id)})


@get("/crm/{version:str}/settings/roles/{role_id:str}")
async def get_role(request: Req) -> Response[bytes]:
    _svc, actor = await _settings_actor(request, "roles")
    wanted = request.path_params["role_id"].strip()
    found = [r for r in sm.roles(actor.org_id) if r["id"] == wanted]
    if not found:
        raise InvalidData(INVALID_ID, {"resource_path_index": 2})
    return json_response({"roles": found})


# --- org ---------------------------------------------------------------------------------------


@get("/crm/{version:str}/org")
async def get_org(request: Req) -> Response[bytes]:
    check_version(request.path_params["version"])
    svc = services(request)
    actor = await authenticate(request, svc)
    if not {"zohocrm.org.all", "zohocrm.org.read"} & actor.scopes:
        raise OAuthScopeMismatch()
    row = await _read(svc, lambda conn: store.org(conn, actor.org_id))
    assert row is not None, "a token's org exists"
    return json_response({"org": [sm.render_org(row)]})


ROUTES = [
    get_field,
    get_related_list,
    list_layouts,
    get_layout,
    list_custom_views,
    get_custom_view,
    list_profiles,
    get_profile,
    list_roles,
    get_role,
    get_org,
]

__all__ = ["ROUTES"]
