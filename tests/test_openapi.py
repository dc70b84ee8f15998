"""The served OpenAPI description covers exactly the routes the app serves, and the catalog."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar

from crmlink.api.openapi import build_openapi
from crmlink.console import is_console_path
from crmlink.domain.catalog_data import CATALOG
from tests.helpers import JSON_TYPE

_TYPE_ANNOTATION = re.compile(r"\{(\w+):\w+\}")
# Litestar answers OPTIONS (CORS preflight) itself on every path; it is not part of Zoho's API.
_FRAMEWORK_METHODS = {"OPTIONS", "HEAD"}


def registered_routes(app: Litestar) -> set[tuple[str, str]]:
    """The API's routes; the web console's pages (``/``, ``/console/...``) are no part of the
    API and are left out of its description (docs/console.md)."""
    out: set[tuple[str, str]] = set()
    for route in app.routes:
        if is_console_path(route.path):
            continue
        path = _TYPE_ANNOTATION.sub(r"{\1}", route.path)
        for method in getattr(route, "methods", ()):
            if method not in _FRAMEWORK_METHODS:
                out.add((method, path))
    return out


def described_routes(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), operation["x-crmlink-route"])
        for item in spec["paths"].values()
        for method, operation in item.items()
    }


def test_every_registered_route_is_described_and_vice_versa(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    registered = registered_routes(client.app)
    described = described_routes(spec)
    assert registered - described == set(), "served but not described"
    assert described - registered == set(), "described but not served"


def test_console_pages_are_not_described(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert any(is_console_path(route.path) for route in client.app.routes)
    assert not any(is_console_path(path) for path in spec["paths"])


def test_description_is_served_without_a_token_as_zoho_json(client: Any) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_TYPE
    spec = response.json()
    assert spec["openapi"].startswith("3.0")
    assert spec == build_openapi(CATALOG)


def test_every_module_has_its_record_routes_with_catalog_fields() -> None:
    spec = build_openapi(CATALOG)
    for module in CATALOG.modules:
        item = spec["paths"][f"/crm/{{version}}/{module.api_name}"]
        assert set(item) == {"get", "post", "put", "delete"}, module.api_name
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        record = body["properties"]["data"]["items"]
        writable = {f.api_name for f in module.fields if not f.read_only}
        assert writable <= set(record["properties"]), module.api_name
        assert set(record["required"]) == {f.api_name for f in module.mandatory_fields}
        rendered = spec["components"]["schemas"][f"Record_{module.api_name}"]["properties"]
        assert {f.api_name for f in module.fields} <= set(rendered)


def test_every_operation_documents_its_errors_in_zoho_envelope() -> None:
    spec = build_openapi(CATALOG)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not path.startswith("/crm/"):
                continue  # the description itself and OAuth answer in their own shapes
            statuses = set(operation["responses"])
            assert {"400", "401", "404", "429", "500"} <= statuses, (method, path)
            if "requestBody" in operation:
                assert "413" in statuses, (method, path)
            retry = operation["responses"]["429"]["headers"]["Retry-After"]
            assert retry["required"] is True
            for status in ("401", "429", "500"):
                content = operation["responses"][status]["content"]
                assert list(content) == [JSON_TYPE]
                assert content[JSON_TYPE]["schema"] == {"$ref": "#/components/schemas/Error"}
