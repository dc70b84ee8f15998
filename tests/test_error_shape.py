"""Every request-level error envelope the foundation answers, pinned one test per path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import JSON_TYPE, assert_zoho_error

V = "v2.1"


def test_unknown_path_is_invalid_url_pattern(client: Any, org: TestOrg) -> None:
    response = client.get("/crm/v2.1/Leads/1/Notes/2/extra/segments", headers=org.headers)
    assert_zoho_error(
        response, 404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
    )


def test_unknown_version_is_invalid_url_pattern(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.get("/crm/v9/Leads", headers=org.headers), 404, "INVALID_URL_PATTERN")


def test_wrong_method_is_invalid_request_method(client: Any, org: TestOrg) -> None:
    response = client.patch(f"/crm/{V}/Leads", headers=org.headers)
    assert_zoho_error(
        response, 400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
    )


def test_unknown_module_is_invalid_module(client: Any, org: TestOrg) -> None:
    response = client.get(f"/crm/{V}/Spaceships", headers=org.headers)
    assert_zoho_error(
        response,
        400,
        "INVALID_MODULE",
        "the module name given seems to be invalid",
        {"resource_path_index": 0},
    )


def test_known_but_unserved_module_is_not_supported(client: Any, org: TestOrg) -> None:
    response = client.get(f"/crm/{V}/Documents", headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_MODULE", "The given module is not supported in API")


def test_more_than_100_items_is_limit_exceeded(client: Any, org: TestOrg) -> None:
    body = {"data": [{"Last_Name": f"L{i}"} for i in range(101)]}
    response = client.post(f"/crm/{V}/Leads", json=body, headers=org.headers)
    assert_zoho_error(response, 400, "LIMIT_EXCEEDED")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(b'{"data": [', "INVALID_DATA", id="malformed-json"),
        pytest.param(b"[1, 2]", "INVALID_DATA", id="not-an-object"),
        pytest.param(b'{"data": {"Last_Name": "x"}}', "INVALID_DATA", id="data-not-a-list"),
        pytest.param(b'{"data": []}', "INVALID_DATA", id="data-empty"),
        pytest.param(b'{"records": []}', "MANDATORY_NOT_FOUND", id="data-missing"),
        pytest.param(b"", "MANDATORY_NOT_FOUND", id="no-body"),
        pytest.param(b'{"data": [{"Last_Name": "\xff"}]}', "INVALID_DATA", id="invalid-utf8"),
    ],
)
def test_bad_bodies(client: Any, org: TestOrg, raw: bytes, code: str) -> None:
    response = client.post(f"/crm/{V}/Leads", content=raw, headers=org.headers)
    assert_zoho_error(response, 400, code)
    assert client.get(f"/crm/{V}/Leads", headers=org.headers).status_code == 204


def test_missing_ids_is_required_param_missing(client: Any, org: TestOrg) -> None:
    response = client.delete(f"/crm/{V}/Leads", headers=org.headers)
    assert_zoho_error(
        response,
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param_name": "ids"},
    )


def test_missing_module_param_is_required_param_missing(client: Any, org: TestOrg) -> None:
    response = client.get(f"/crm/{V}/settings/fields", headers=org.headers)
    assert_zoho_error(response, 400, "REQUIRED_PARAM_MISSING", details={"param_name": "module"})


def test_no_authorization_is_authentication_failure(client: Any) -> None:
    assert_zoho_error(client.get(f"/crm/{V}/Leads"), 401, "AUTHENTICATION_FAILURE", "Authentication failed")


def test_unknown_token_is_invalid_token(client: Any) -> None:
    headers = {"Authorization": "Zoho-oauthtoken 1000.deadbeef.deadbeef"}
    assert_zoho_error(
        client.get(f"/crm/{V}/Leads", headers=headers), 401, "INVALID_TOKEN", "invalid oauth token"
    )


def test_expired_token_is_invalid_token(client: Any, org: TestOrg) -> None:
    headers = org.headers_for(ttl=-1)
    assert_zoho_error(client.get(f"/crm/{V}/Leads", headers=headers), 401, "INVALID_TOKEN")


def test_scope_mismatch(client: Any, org: TestOrg) -> None:
    headers = org.headers_for(scope="ZohoCRM.modules.contacts.READ")
    assert_zoho_error(
        client.get(f"/crm/{V}/Leads", headers=headers),
        401,
        "OAUTH_SCOPE_MISMATCH",
        "invalid oauth scope to access this URL",
    )


def test_body_over_the_limit_is_413(client: Any, org: TestOrg) -> None:
    limit = client.app.state["crm"].settings.max_body_bytes
    response = client.post(f"/crm/{V}/Leads", content=b" " * (limit + 1), headers=org.headers)
    assert_zoho_error(response, 413, "REQUEST_ENTITY_TOO_LARGE")


def test_204_carries_json_content_type(client: Any, org: TestOrg) -> None:
    response = client.get(f"/crm/{V}/Leads", headers=org.headers)
    assert response.status_code == 204
    assert response.headers["content-type"] == JSON_TYPE
    assert response.content == b""


def test_unexpected_errors_are_internal_error_with_nothing_internal(
    client: Any, org: TestOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crmlink.domain import records

    def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM /etc/passwd")

    monkeypatch.setattr(records, "list_records", explode)
    response = client.get(f"/crm/{V}/Leads", headers=org.headers)
    body = assert_zoho_error(response, 500, "INTERNAL_ERROR", "Internal server error occurred.", {})
    assert "SELECT" not in response.text and "passwd" not in str(body)
