"""docs/sdk-routes.md says which of the official v2.1 SDK's routes crmlink serves: keep it true."""

from __future__ import annotations

import pytest

from tests.sdk_routes import DOC_PATH, SdkRoute, _matches, _segments, render, sdk_routes, served


def test_the_csv_holds_the_sdks_146_distinct_routes() -> None:
    routes = sdk_routes()
    assert len(routes) == 146
    assert len({(r.method, r.relative_path) for r in routes}) == 146


def test_the_page_matches_what_the_app_serves() -> None:
    expected = render(served(sdk_routes()))
    assert DOC_PATH.read_text() == expected, "run `python -m tests.sdk_routes` to refresh docs/sdk-routes.md"


@pytest.mark.parametrize(
    ("template", "path", "ok"),
    [
        ("/crm/{version:str}/{module:str}", "/crm/v2.1/{module_api_name}", True),
        ("/crm/{version:str}/{module:str}", "/crm/v2.1/Notes", True),
        ("/crm/{version:str}/{module:str}/{record_id:str}", "/crm/v2.1/Contacts/roles", False),
        ("/crm/{version:str}/{module:str}/{record_id:str}", "/crm/v2.1/{module_api_name}/search", False),
        ("/crm/{version:str}/{module:str}/search", "/crm/v2.1/{module_api_name}/search", True),
        (
            "/crm/{version:str}/{module:str}/{record_id:str}/{related_list:str}",
            "/crm/v2.1/Deals/{deal_id}/Contact_Roles",
            True,
        ),
        ("/crm/{version:str}/settings/modules", "/crm/v2.1/settings/fields", False),
        ("/crm/{version:str}/coql", "/crm/bulk/v2.1/read", False),
    ],
)
def test_matching_rule(template: str, path: str, ok: bool) -> None:
    assert _matches(_segments(template), _segments(path)) is ok


def test_a_host_in_the_sdks_path_is_left_out() -> None:
    route = SdkRoute("X", "POST", "https://content.zohoapis.com/crm/v2.1/upload", "upload_file")
    assert route.relative_path == "/crm/v2.1/upload"
