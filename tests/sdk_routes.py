"""Which of the official v2.1 SDK's routes the app serves, read from the app's own route table.

``tests/data/sdk-v2.1-routes.csv`` is a copy of the 146 distinct (method, path) pairs that
Zoho's ``zohocrmsdk2-1`` can call (``../shared/spec/sdk-v2.1-routes.csv``). A pair is *served*
when one of the app's routes has the method and a path template that matches it segment by
segment: a literal matches the same literal, a parameter matches a parameter, and a route's
parameter also takes a capitalised literal of the SDK's path (a module or related-list API name
such as ``Notes`` or ``Contact_Roles``, which crmlink serves through its generic module routes).
A lowercase literal (``actions``, ``roles``, ``search``) never falls to a parameter, so a
generic ``/{module}/{record_id}`` route does not count as serving ``/Leads/search``.

``python -m tests.sdk_routes`` rewrites ``docs/sdk-routes.md``; ``tests/test_sdk_routes.py``
checks that the committed page is what the app serves now.
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "tests" / "data" / "sdk-v2.1-routes.csv"
DOC_PATH = ROOT / "docs" / "sdk-routes.md"

_PARAM = re.compile(r"^\{[^}]+\}$")


@dataclass(frozen=True)
class SdkRoute:
    operations_class: str
    method: str
    path: str
    sdk_methods: str

    @property
    def relative_path(self) -> str:
        """The path without a host (the SDK's file upload names content.zohoapis.com)."""
        return re.sub(r"^https?://[^/]+", "", self.path)


def sdk_routes() -> list[SdkRoute]:
    with CSV_PATH.open(newline="") as handle:
        return [
            SdkRoute(row["operations_class"], row["method"], row["path_template"], row["sdk_methods"])
            for row in csv.DictReader(handle)
        ]


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _matches(template: list[str], sdk: list[str], names: frozenset[str] | None = None) -> bool:
    """Whether a route template serves the SDK's path; ``names`` are the API names (modules and
    served related lists) that a parameter of ours may stand for (any capitalised one if None)."""
    if len(template) != len(sdk):
        return False
    for ours, theirs in zip(template, sdk, strict=True):
        ours_param = _PARAM.match(ours) is not None
        theirs_param = _PARAM.match(theirs) is not None
        named = theirs[:1].isupper() and (names is None or theirs in names)
        if ours_param and (theirs_param or named or theirs in {"v2", "v2.1"}):
            continue
        if not ours_param and not theirs_param and ours == theirs:
            continue
        return False
    return True


def app_routes() -> tuple[list[tuple[frozenset[str], list[str]]], frozenset[str]]:
    """(methods, path segments) of every route the app registers, on a throwaway database, and
    the names its generic routes serve: modules, and related lists that are not left unserved."""
    from crmlink.app import create_app, open_services
    from crmlink.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(database_url=f"sqlite:///{tmp}/routes.db"))
        try:
            app = create_app(services.settings, services)
            routes = [
                (frozenset(getattr(route, "methods", ())), _segments(route.path)) for route in app.routes
            ]
            names = {module.api_name for module in services.catalog.modules}
            names |= {
                related.api_name
                for module in services.catalog.modules
                for related in module.related_lists
                if related.kind != "unserved"
            }
            return routes, frozenset(names)
        finally:
            services.db.dispose()


def served(routes: list[SdkRoute]) -> dict[SdkRoute, bool]:
    ours, names = app_routes()
    return {
        route: any(
            route.method in methods and _matches(segments, _segments(route.relative_path), names)
            for methods, segments in ours
        )
        for route in routes
    }


def render(status: dict[SdkRoute, bool]) -> str:
    count = sum(status.values())
    lines = [
        "# The official v2.1 SDK's routes",
        "",
        "Zoho's official Python SDK for v2.1 (`zohocrmsdk2-1`) can call "
        f"{len(status)} distinct (method, path) pairs. crmlink serves **{count} of {len(status)}**.",
        "",
        "This page is generated from the app's own route table by `python -m tests.sdk_routes`,",
        "and `tests/test_sdk_routes.py` fails when it no longer matches what the server serves.",
        "A route counts as served when a route of the app has its method and path (module and",
        "related-list names such as `Notes` or `Contact_Roles` are served through the generic",
        "module routes). What each served route does, and where it differs from Zoho, is in",
        "[api-coverage.md](api-coverage.md).",
        "",
        "| SDK class | Method | Path | SDK methods | Served |",
        "|---|---|---|---|---|",
    ]
    for route, ok in status.items():
        methods = ", ".join(f"`{m}`" for m in route.sdk_methods.split(";") if m)
        lines.append(
            f"| {route.operations_class} | {route.method} | `{route.path}` | {methods} | "
            f"{'yes' if ok else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    text = render(served(sdk_routes()))
    DOC_PATH.write_text(text)
    count = text.split("**", 2)[1]
    sys.stdout.write(f"wrote {DOC_PATH.relative_to(ROOT)}: {count}\n")


if __name__ == "__main__":
    main()
