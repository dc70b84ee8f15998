"""The web console (issue 16): server-rendered pages over the API's own domain functions.

``route_handlers()`` gives the route handlers (``/``, ``/console/...``, ``/console/static/...``);
``template_config()`` the Jinja templates. ``create_app`` adds both unless ``Settings.console``
is off. Handlers are thin: the rules (validation, access, change events) are the domain's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

HERE = Path(__file__).parent


def is_console_path(path: str) -> bool:
    """Is ``path`` (a route's) one of the console's rather than the API's?"""
    return path == "/" or path == "/console" or path.startswith("/console/")


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    from crmlink.console.views import FILTERS

    def setup(engine: JinjaTemplateEngine) -> None:
        engine.engine.filters.update(FILTERS)

    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=setup)


def route_handlers() -> list[Any]:
    from crmlink.console import admin, pages, relations, signin
    from crmlink.console.web import build_router

    return [build_router([*signin.ROUTES, *pages.ROUTES, *relations.ROUTES, *admin.ROUTES])]
