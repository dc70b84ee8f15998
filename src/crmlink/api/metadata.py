"""Metadata: ``settings/modules``, ``settings/modules/{api_name}``, ``settings/fields``,
``settings/related_lists``."""

from __future__ import annotations

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, modified_since, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authenticate, authorize_settings
from crmlink.domain import metadata as meta
from crmlink.domain import orgs
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.clock import parse_iso
from crmlink.errors import RequiredParamMissing

Req = Req

_CATALOG_US = parse_iso(meta.CATALOG_MODIFIED_TIME)


def resolve_metadata_module(catalog: Catalog, name: str) -> ModuleDef:
    """The module the metadata endpoints describe: a served module or a subform module."""
    module = catalog.find_metadata_module(name)
    return module if module is not None else resolve_module(catalog, name, path_index=None)


def _module_param(request: Req) -> str:
    name: str | None = request.query_params.get("module")
    if not name:
        raise RequiredParamMissing(details={"param_name": "module"})
    return name


async def _profiles(request: Req, org_id: int) -> list[dict[str, str]]:
    svc = services(request)

    def work() -> list[dict[str, str]]:
        with svc.db.read() as conn:
            return [{"name": p.name, "id": str(p.id)} for p in orgs.profiles(conn, org_id)]

    return await svc.db.run(work)


@get("/crm/{version:str}/settings/modules")
async def list_modules(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_settings(actor, "modules")
    catalog = await svc.catalog_for(actor)
    since = modified_since(request)
    if since is not None and _CATALOG_US is not None and since >= max(_CATALOG_US, catalog.modified_us):
        return empty_response(304)
    profiles = await _profiles(request, actor.org_id)
    modules = [*catalog.modules, *catalog.subform_modules]
    return json_response({"modules": [meta.render_module(m, profiles) for m in modules]})


@get("/crm/{version:str}/settings/modules/{api_name:str}")
async def get_module(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    api_name = request.path_params["api_name"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_settings(actor, "modules")
    module = resolve_metadata_module(await svc.catalog_for(actor), api_name)
    profiles = await _profiles(request, actor.org_id)
    return json_response({"modules": [meta.render_module(module, profiles)]})


@get("/crm/{version:str}/settings/fields")
async def list_fields(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_settings(actor, "fields")
    module = resolve_metadata_module(await svc.catalog_for(actor), _module_param(request))
    return json_response({"fields": meta.render_fields(module)})


@get("/crm/{version:str}/settings/related_lists")
async def list_related_lists(request: Req) -> Response[bytes]:
    version = request.path_params["version"]
    check_version(version)
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_settings(actor, "related_lists")
    module = resolve_module(await svc.catalog_for(actor), _module_param(request), path_index=None)
    return json_response({"related_lists": meta.render_related_lists(module)})


ROUTES = [list_modules, get_module, list_fields, list_related_lists]
