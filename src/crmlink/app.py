"""``create_app(settings)``: the ASGI application, its routes and the one error mapper."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from crmlink import console
from crmlink.api import (
    actions,
    admin,
    admin_load,
    changes,
    contact_roles,
    convert,
    deleted,
    metadata,
    oauth,
    openapi,
    photos,
    query,
    records,
    related,
    tags,
    upsert,
    users,
    watch,
)
from crmlink.api import settings as settings_api
from crmlink.api.context import Services
from crmlink.api.errors import handle_crm_error, handle_http_exception, handle_unexpected
from crmlink.api.limits import enforce_limits
from crmlink.background import Background
from crmlink.config import Settings
from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.ids import ids_for_process
from crmlink.domain.orgs import ensure_default_org
from crmlink.errors import CRMError
from crmlink.storage.engine import Database
from crmlink.storage.migrations import migrate


def open_services(settings: Settings) -> Services:
    """Connect, migrate, draw an id-generator node and make sure the default org exists."""
    db = Database(
        settings.resolved_database_url, pool_size=settings.db_pool_size, background_checkpoints=True
    )
    migrate(db)
    ids = ids_for_process(db)
    with db.write() as conn:
        ensure_default_org(conn, ids)
    return Services(settings=settings, db=db, catalog=CATALOG, ids=ids)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    svc = services or open_services(settings)
    logging.getLogger("crmlink").setLevel(settings.log_level.upper())
    routes = [
        *openapi.ROUTES,
        *metadata.ROUTES,
        *settings_api.ROUTES,
        *contact_roles.ROUTES,
        *users.ROUTES,
        *changes.ROUTES,
        *watch.ROUTES,
        *records.ROUTES,
        *query.ROUTES,
        *upsert.ROUTES,
        *deleted.ROUTES,
        *actions.ROUTES,
        *related.ROUTES,
        *photos.ROUTES,
        *tags.ROUTES,
        *convert.ROUTES,
        *oauth.ROUTES,
        *admin.ROUTES,
        *admin_load.ROUTES,
        *(console.route_handlers() if settings.console else []),
    ]
    return _build(svc, settings, routes)


def _build(svc: Services, settings: Settings, routes: list[Any]) -> Litestar:
    background = Background(svc)
    return Litestar(
        route_handlers=routes,
        exception_handlers={
            CRMError: handle_crm_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
        },
        request_max_body_size=settings.max_body_bytes,
        # The testkit's edge (faults, request log) only when the admin API is on: nothing otherwise.
        middleware=[*([admin.testkit_edge] if settings.admin_key else []), enforce_limits],
        openapi_config=None,
        template_config=console.template_config() if settings.console else None,
        on_startup=[background.start],
        on_shutdown=[background.stop, svc.db.dispose],
        state=State({"crm": svc}),
        debug=False,
    )


def app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory crmlink.app:app_from_env`` (several workers)."""
    return create_app(Settings.from_env())
