"""The OpenAPI 3.0 description of the API, built by hand from the catalog and one route table.

Litestar's generated description cannot be used: handlers parse raw bodies themselves so that
every error is Zoho's, so the framework knows nothing of bodies, parameters or error answers.

``ROUTE_DOCS`` is the route table: one entry per served route (method and Litestar path
template), each expanding into concrete OpenAPI operations. Per-module routes are expanded per
module (``/crm/{version}/Leads``), per related list (``/crm/{version}/Leads/{record_id}/
Campaigns``), so each operation names the exact body it accepts and the exact records it answers.
Every operation carries ``x-crmlink-route`` naming the server route that serves it; a test checks
that the routes the app registers and the routes described are the same set.

Where the server accepts more than the description says it is said in the ``description`` of
the schema or parameter (module and related-list names match case-insensitively; ids may be JSON
numbers or strings; unknown record fields are ignored).
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from crmlink.api import oauth as oauth_api
from crmlink.api import related as related_api
from crmlink.api import users as users_api
from crmlink.api.context import Req, services
from crmlink.api.openapi.admin import ADMIN_ROUTE_DOCS, ADMIN_SCHEME
from crmlink.api.openapi.oauth import OAUTH_ROUTE_DOCS, USERS_ROUTE_DOCS, user_schema
from crmlink.api.openapi.operations import Operation, RouteDoc, json_content
from crmlink.api.openapi.query import COQL_ROUTE_DOCS, SEARCH_ROUTE_DOCS
from crmlink.api.openapi.records import RECORD_ROUTE_DOCS
from crmlink.api.openapi.records_more import RECORDS_MORE_ROUTE_DOCS, more_schemas
from crmlink.api.openapi.related import RELATED_ROUTE_DOCS, related_out, related_schema_name, served_lists
from crmlink.api.openapi.schemas import common_schemas, record_out
from crmlink.api.openapi.settings import SETTINGS_ROUTE_DOCS, settings_schemas
from crmlink.api.responses import json_response
from crmlink.domain.catalog import Catalog, ListKind


def _openapi_op() -> Operation:
    """``GET /openapi.json`` itself: no token needed."""
    return {
        "operationId": "openapi",
        "summary": "This description.",
        "security": [],
        "parameters": [],
        "responses": {
            "200": {"description": "OpenAPI 3.0 document.", "content": json_content({"type": "object"})}
        },
    }


# A group of routes is described when its route module serves anything (the users, OAuth and
# related-records modules are built on their own branches); within a group, the test that the
# served and described routes are the same set holds route by route.
ROUTE_DOCS: tuple[RouteDoc, ...] = (
    *RECORD_ROUTE_DOCS,
    *SETTINGS_ROUTE_DOCS,
    *RECORDS_MORE_ROUTE_DOCS,
    *SEARCH_ROUTE_DOCS,
    *COQL_ROUTE_DOCS,
    *(RELATED_ROUTE_DOCS if related_api.ROUTES else ()),
    *(USERS_ROUTE_DOCS if users_api.ROUTES else ()),
    *(OAUTH_ROUTE_DOCS if oauth_api.ROUTES else ()),
    *ADMIN_ROUTE_DOCS,
    RouteDoc("GET", "/openapi.json", lambda _c: [("/openapi.json", _openapi_op())]),
)


def build_openapi(catalog: Catalog) -> dict[str, Any]:
    """The whole description; deterministic for a given catalog."""
    paths: dict[str, dict[str, Operation]] = {}
    for doc in ROUTE_DOCS:
        for path, operation in doc.expand(catalog):
            operation["x-crmlink-route"] = doc.route
            methods = paths.setdefault(path, {})
            key = doc.method.lower()
            if key in methods:
                raise ValueError(f"{doc.method} {path} described twice")
            methods[key] = operation
    schemas = {**common_schemas(), **more_schemas(), **settings_schemas()}
    for m in catalog.modules:
        schemas[f"Record_{m.api_name}"] = record_out(m)
    for m, rl in served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        schemas[related_schema_name(m, rl)] = related_out(catalog, m, rl)
    schemas["User"] = user_schema()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "crmlink",
            "version": "1",
            "description": (
                "Zoho CRM REST API v2 / v2.1 (records, metadata, related records) as served by crmlink. "
                "Authenticate with ``Authorization: Zoho-oauthtoken <access token>`` "
                "(``Bearer`` is accepted too)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"zoho_oauthtoken": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "zoho_oauthtoken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "``Zoho-oauthtoken <access token>``.",
                },
                "crmlink_admin": ADMIN_SCHEME,
            },
        },
    }


_built: dict[int, dict[str, Any]] = {}


def openapi_for(catalog: Catalog) -> dict[str, Any]:
    """``build_openapi`` once per catalog (the catalog is immutable)."""
    found = _built.get(id(catalog))
    if found is None:
        found = _built[id(catalog)] = build_openapi(catalog)
    return found


@get("/openapi.json", include_in_schema=False)
async def openapi_json(request: Req) -> Response[bytes]:
    """The description; needs no token."""
    return json_response(openapi_for(services(request).catalog))


ROUTES = [openapi_json]


__all__ = ["ROUTES", "ROUTE_DOCS", "build_openapi", "openapi_for"]
