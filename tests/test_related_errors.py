# ruff: noqa: E501  (one table row per line reads best)
"""Every error of the related-records API: request-level envelopes and per-item results, each
with Zoho's code, HTTP status, message and details, and nothing stored afterwards.

Paths and bodies are templates over the records of the ``world`` fixture (``{product}``,
``{book}``, ...), so each row reads like the request a user sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import OrgFactory, TestOrg
from tests.helpers import assert_zoho_error

RELATED_ID = "the related id given seems to be invalid"
RELATION_NAME = "The relation name given seems to be invalid"
BAD_METHOD = "The http request method type is not a valid one"
BAD_URL = "Please check if the URL trying to access is a correct one"
NOT_SERVED = "The given module is not supported in API"
BAD_MODULE = "the module name given seems to be invalid"
PARSE = "either the request body or parameters is in wrong format"


@pytest.fixture
def world(client: Any, org: TestOrg, orgs: OrgFactory) -> dict[str, str]:
    """One record of each module (a Note on the lead), plus a Product of another org."""
    ids = {name.lower(): org.create(client, module)[0] for name, module in _MODULES.items()}
    ids["book2"] = org.create(client, "Price_Books")[0]
    lead = ids["lead"]
    ids["note"] = org.create(client, "Notes", Parent_Id={"id": lead}, **{"$se_module": "Leads"})[0]
    stranger = orgs.create()
    ids["foreign_product"] = stranger.create(client, "Products")[0]
    ids["foreign_book"] = stranger.create(client, "Price_Books")[0]
    return ids


_MODULES = {
    "Product": "Products",
    "Book": "Price_Books",
    "Lead": "Leads",
    "Contact": "Contacts",
    "Account": "Accounts",
    "Deal": "Deals",
    "Campaign": "Campaigns",
}


def _send(client: Any, org: TestOrg, method: str, path: str, body: Any, world: dict[str, str]) -> Any:
    url = "/crm/" + path.format(**world)
    kwargs: dict[str, Any] = {"headers": org.headers}
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        kwargs["content"] = raw.replace(b"{book}", world["book"].encode())
    return client.request(method, url, **kwargs)


def _assert_nothing_stored(org: TestOrg) -> None:
    assert org.all_links() == {}
    assert org.link_events() == []


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    status: int
    code: str
    message: str
    details: dict[str, Any]
    body: Any = None


_PB = "v2.1/Products/{product}/Price_Books"
_ONE_BOOK = {"data": [{"id": "{book}", "list_price": 1}]}

REQUEST_ERRORS = [
    # Module segment.
    *[
        pytest.param(Row(m, "v2.1/Spaceships/{product}/Products", 400, "INVALID_MODULE", BAD_MODULE, {"resource_path_index": 0}, b), id=f"unknown-module-{m}")
        for m, b in (("GET", None), ("PUT", _ONE_BOOK), ("DELETE", None))
    ],
    pytest.param(Row("GET", "v2.1/Documents/{product}/Products", 400, "INVALID_MODULE", NOT_SERVED, {"resource_path_index": 0}), id="unserved-module"),
    # URL shape and method.
    pytest.param(Row("GET", "v3/Products/{product}/Price_Books", 404, "INVALID_URL_PATTERN", BAD_URL, {}), id="unknown-version"),
    pytest.param(Row("GET", _PB + "/{book}/extra", 404, "INVALID_URL_PATTERN", BAD_URL, {}), id="extra-segment"),
    pytest.param(Row("POST", _PB, 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}, _ONE_BOOK), id="post-list"),
    pytest.param(Row("PATCH", _PB + "/{book}", 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}, _ONE_BOOK), id="patch-item"),
    pytest.param(Row("PUT", "v2.1/Leads/{lead}/Notes", 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}, {"data": [{"id": "{book}"}]}), id="put-lookup-list"),
    pytest.param(Row("PUT", "v2.1/Leads/{lead}/Notes/{note}", 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}, {"data": [{}]}), id="put-lookup-item"),
    pytest.param(Row("DELETE", "v2.1/Leads/{lead}/Notes?ids={note}", 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}), id="delete-lookup-list"),
    pytest.param(Row("DELETE", "v2.1/Accounts/{account}/Deals/{deal}", 400, "INVALID_REQUEST_METHOD", BAD_METHOD, {}), id="delete-lookup-item"),
    # Related list segment.
    *[
        pytest.param(Row(m, f"v2.1/Products/{{product}}/{rl}", 400, "INVALID_DATA", RELATION_NAME, {"resource_path_index": 2}, b), id=f"{rl}-{m}")
        for rl in ("Spaceships", "Attachments", "Campaigns")
        for m, b in (("GET", None), ("PUT", _ONE_BOOK), ("DELETE", None))
    ],
    pytest.param(Row("PUT", "v2.1/Leads/{lead}/Attachments/{book}", 400, "INVALID_DATA", RELATION_NAME, {"resource_path_index": 2}, {"data": [{}]}), id="attachments-item"),
    # Parent record segment.
    *[
        pytest.param(Row(m, path + q, 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 1}, b), id=f"parent-{name}-{m}")
        for name, path in (
            ("missing", "v2.1/Products/1234567890123456789/Price_Books"),
            ("other-module", "v2.1/Products/{book}/Price_Books"),
            ("other-org", "v2.1/Products/{foreign_product}/Price_Books"),
            ("not-numeric", "v2.1/Products/abc/Price_Books"),
            ("too-long", "v2.1/Products/12345678901234567890/Price_Books"),
        )
        for m, b, q in (("GET", None, ""), ("PUT", _ONE_BOOK, ""), ("DELETE", None, "?ids={book}"))
    ],
    pytest.param(Row("PUT", "v2.1/Products/{book}/Price_Books/{book2}", 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 1}, {"data": [{}]}), id="parent-other-module-single"),
    pytest.param(Row("GET", "v2.1/Leads/1234567890123456789/Notes", 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 1}), id="parent-missing-lookup-list"),
    pytest.param(Row("DELETE", "v2.1/Products/1234567890123456789/Price_Books/{book}", 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 1}), id="parent-missing-delete-single"),
    # Related record segment of the single forms.
    *[
        pytest.param(Row(m, _PB + "/abc", 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 3}, b), id=f"related-not-numeric-{m}")
        for m, b in (("GET", None), ("PUT", {"data": [{}]}), ("DELETE", None))
    ],
    # Body.
    pytest.param(Row("PUT", _PB, 400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data", "json_path": "$.data"}, {"records": []}), id="body-without-data"),
    pytest.param(Row("PUT", _PB, 400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data"}, b""), id="empty-body"),
    pytest.param(Row("PUT", _PB + "/{book}", 400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data", "json_path": "$.data"}, {}), id="single-body-without-data"),
    pytest.param(Row("PUT", _PB, 400, "INVALID_DATA", "invalid data", {"api_name": "data", "json_path": "$.data"}, {"data": []}), id="data-empty"),
    pytest.param(Row("PUT", _PB + "/{book}", 400, "INVALID_DATA", "invalid data", {"api_name": "data", "json_path": "$.data"}, {"data": []}), id="single-data-empty"),
    pytest.param(Row("PUT", _PB, 400, "INVALID_DATA", "invalid data", {"api_name": "data", "expected_data_type": "jsonarray", "json_path": "$.data"}, {"data": {"id": "1"}}), id="data-not-a-list"),
    pytest.param(Row("PUT", _PB, 400, "INVALID_DATA", "invalid data", {"expected_data_type": "jsonobject"}, [1]), id="body-not-an-object"),
    pytest.param(Row("PUT", _PB, 400, "INVALID_DATA", "body is not valid JSON", {"expected_data_type": "jsonobject"}, b'{"data": ['), id="malformed-json"),
    pytest.param(Row("PUT", _PB, 400, "LIMIT_EXCEEDED", "Limit Exceeded, You cannot give more than 100 records", {"api_name": "data", "limit": 100}, {"data": [{"id": "{book}"}] * 101}), id="101-items"),
    pytest.param(Row("PUT", _PB + "/{book}", 400, "LIMIT_EXCEEDED", "Limit Exceeded, You cannot give more than 1 records", {"api_name": "data", "limit": 1}, {"data": [{}, {}]}), id="single-two-items"),
    # Query parameters.
    pytest.param(Row("DELETE", _PB, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": "ids"}), id="delete-without-ids"),
    pytest.param(Row("DELETE", _PB + "?ids=", 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": "ids"}), id="delete-empty-ids"),
    pytest.param(Row("DELETE", _PB + "?ids={book},abc", 400, "UNABLE_TO_PARSE_DATA_TYPE", PARSE, {"param_name": "ids"}), id="delete-non-numeric-ids"),
    pytest.param(Row("DELETE", _PB + "?ids=" + ",".join(str(10**18 + i) for i in range(101)), 400, "LIMIT_EXCEEDED", "Limit Exceeded, You cannot give more than 100 record ids", {"limit": "100", "param_name": "ids"}), id="delete-101-ids"),
    pytest.param(Row("GET", _PB + "?per_page=201", 400, "INVALID_DATA", "invalid data", {"param_name": "per_page"}), id="per-page-over-200"),
    pytest.param(Row("GET", _PB + "?page=0", 400, "INVALID_DATA", "invalid data", {"param_name": "page"}), id="page-zero"),
]  # fmt: skip


@pytest.mark.parametrize("row", REQUEST_ERRORS)
def test_request_level_errors(client: Any, org: TestOrg, world: dict[str, str], row: Row) -> None:
    response = _send(client, org, row.method, row.path, row.body, world)
    assert_zoho_error(response, row.status, row.code, row.message, row.details)
    _assert_nothing_stored(org)


def test_bad_if_modified_since_header(client: Any, org: TestOrg, world: dict[str, str]) -> None:
    headers = {**org.headers, "If-Modified-Since": "yesterday"}
    response = client.get("/crm/v2.1/Products/{product}/Price_Books".format(**world), headers=headers)
    assert_zoho_error(response, 400, "INVALID_DATA", "invalid data", {"header_name": "If-Modified-Since"})


# --- per-item errors of the bulk PUT -----------------------------------------------------------------

_BIG = "1" * 30


@dataclass(frozen=True)
class ItemRow:
    path: str  # bulk PUT path
    item: Any
    code: str
    message: str
    details: dict[str, Any]


def _lp(value: Any) -> ItemRow:
    return ItemRow(
        _PB,
        {"id": "{book}", "list_price": value},
        "INVALID_DATA",
        "invalid data",
        {"api_name": "list_price", "json_path": "$.data[0].list_price"},
    )


def _ms(value: Any) -> ItemRow:
    return ItemRow(
        "v2.1/Campaigns/{campaign}/Leads",
        {"id": "{lead}", "Member_Status": value},
        "INVALID_DATA",
        "invalid data",
        {"api_name": "Member_Status", "json_path": "$.data[0].Member_Status"},
    )


def _cr(value: Any) -> ItemRow:
    return ItemRow(
        "v2.1/Deals/{deal}/Contact_Roles",
        {"id": "{contact}", "Contact_Role": value},
        "INVALID_DATA",
        "invalid data",
        {"api_name": "Contact_Role", "json_path": "$.data[0].Contact_Role"},
    )


def _bad_id(raw: Any, details: dict[str, Any]) -> ItemRow:
    return ItemRow(_PB, {"id": raw, "list_price": 1}, "INVALID_DATA", RELATED_ID, details)


_AT_ID = {"api_name": "id", "json_path": "$.data[0].id"}

ITEM_ERRORS = [
    pytest.param(ItemRow(_PB, "{book}", "INVALID_DATA", "invalid data", {"expected_data_type": "jsonobject", "json_path": "$.data[0]"}), id="item-not-an-object"),
    pytest.param(ItemRow(_PB, {"list_price": 1}, "MANDATORY_NOT_FOUND", "required field not found", _AT_ID), id="item-without-id"),
    pytest.param(_bad_id("abc", {"id": "abc"}), id="id-not-numeric"),
    pytest.param(_bad_id(-5, {"id": "-5"}), id="id-negative"),
    pytest.param(_bad_id("0", {"id": "0"}), id="id-zero"),
    pytest.param(_bad_id(_BIG, {"id": _BIG}), id="id-30-digits"),
    pytest.param(_bad_id(1.5, _AT_ID), id="id-float"),
    pytest.param(_bad_id(None, _AT_ID), id="id-null"),
    pytest.param(_bad_id(True, _AT_ID), id="id-bool"),
    pytest.param(_bad_id({"id": "{book}"}, _AT_ID), id="id-object"),
    pytest.param(_bad_id("1234567890123456789", {"id": "1234567890123456789"}), id="id-missing-record"),
    pytest.param(_bad_id("{lead}", {"id": "{lead}"}), id="id-of-another-module"),
    pytest.param(_bad_id("{product}", {"id": "{product}"}), id="id-of-the-parent"),
    pytest.param(_bad_id("{foreign_book}", {"id": "{foreign_book}"}), id="id-of-another-org"),
    pytest.param(ItemRow("v2.1/Deals/{deal}/Contact_Roles", {"id": "{lead}", "Contact_Role": "x"}, "INVALID_DATA", RELATED_ID, {"id": "{lead}"}), id="contact-role-for-a-lead"),
    pytest.param(ItemRow("v2.1/Leads/{lead}/Campaigns", {"id": "{contact}"}, "INVALID_DATA", RELATED_ID, {"id": "{contact}"}), id="campaign-list-given-a-contact"),
    pytest.param(_lp("100"), id="list-price-string"),
    pytest.param(_lp(-0.01), id="list-price-negative"),
    pytest.param(_lp(True), id="list-price-bool"),
    pytest.param(_lp(1e300), id="list-price-huge"),
    pytest.param(_lp([1]), id="list-price-list"),
    pytest.param(_ms("Nope"), id="member-status-not-in-picklist"),
    pytest.param(_ms(5), id="member-status-number"),
    pytest.param(_ms("active"), id="member-status-wrong-case"),
    pytest.param(_cr(5), id="contact-role-number"),
    pytest.param(_cr(""), id="contact-role-empty"),
    pytest.param(_cr("   "), id="contact-role-blank"),
    pytest.param(_cr("x" * 121), id="contact-role-too-long"),
    pytest.param(_cr({"name": "Evaluator", "id": "1"}), id="contact-role-v4-object"),
]  # fmt: skip


def _fill(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("row", ITEM_ERRORS)
def test_per_item_errors(client: Any, org: TestOrg, world: dict[str, str], row: ItemRow) -> None:
    url = "/crm/" + row.path.format(**world)
    response = client.put(url, json={"data": [_fill(row.item, world)]}, headers=org.headers)
    assert response.status_code == 400, response.text  # the one item failed
    body = response.json()
    assert list(body) == ["data"]
    (item,) = body["data"]
    assert item == {
        "code": row.code,
        "details": _fill(row.details, world),
        "message": row.message,
        "status": "error",
    }
    _assert_nothing_stored(org)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"data":[{"id":"{book}","list_price":1e400}]}', id="infinite"),
        pytest.param(b'{"data":[{"id":"{book}","list_price":-1e400}]}', id="minus-infinite"),
    ],
)
def test_non_finite_list_price_is_invalid_data(
    client: Any, org: TestOrg, world: dict[str, str], raw: bytes
) -> None:
    # JSON has no NaN or infinity; a number too large for a double is refused with the body.
    response = _send(client, org, "PUT", _PB, raw, world)
    assert_zoho_error(
        response, 400, "INVALID_DATA", "body is not valid JSON", {"expected_data_type": "jsonobject"}
    )
    _assert_nothing_stored(org)


def test_single_form_with_a_missing_related_record(client: Any, org: TestOrg, world: dict[str, str]) -> None:
    response = client.put(
        "/crm/v2.1/Products/{product}/Price_Books/1234567890123456789".format(**world),
        json={"data": [{"list_price": 1}]},
        headers=org.headers,
    )
    assert response.status_code == 400
    assert response.json() == {
        "data": [
            {
                "code": "INVALID_DATA",
                "details": {"id": "1234567890123456789"},
                "message": RELATED_ID,
                "status": "error",
            }
        ]
    }
    _assert_nothing_stored(org)


def test_single_form_with_a_bad_relation_value(client: Any, org: TestOrg, world: dict[str, str]) -> None:
    response = client.put(
        "/crm/v2.1/Products/{product}/Price_Books/{book}".format(**world),
        json={"data": [{"list_price": "cheap"}]},
        headers=org.headers,
    )
    assert response.status_code == 400
    (item,) = response.json()["data"]
    assert item["details"] == {"api_name": "list_price", "json_path": "$.data[0].list_price"}
    assert item["message"] == "invalid data"
    _assert_nothing_stored(org)


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        pytest.param(_PB, "1234567890123456789", id="not-a-record"),
        pytest.param(_PB, "{book}", id="record-not-linked"),
        pytest.param(_PB, "{lead}", id="record-of-another-module"),
        pytest.param(_PB + "/{book}", None, id="single-not-linked"),
    ],
)
def test_delink_of_what_is_not_linked(
    client: Any, org: TestOrg, world: dict[str, str], path: str, ids: str | None
) -> None:
    url = "/crm/" + path.format(**world) + (f"?ids={ids.format(**world)}" if ids else "")
    response = client.delete(url, headers=org.headers)
    assert response.status_code == 400
    shown = ids.format(**world) if ids else world["book"]
    assert response.json() == {
        "data": [
            {
                "code": "INVALID_DATA",
                "details": {"id": shown},
                "message": "record not deleted",
                "status": "error",
            }
        ]
    }
    _assert_nothing_stored(org)


# --- who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "scope", "code", "status"),
    [
        pytest.param(
            "GET", "ZohoCRM.modules.leads.ALL", "OAUTH_SCOPE_MISMATCH", 401, id="get-other-module-scope"
        ),
        pytest.param(
            "PUT", "ZohoCRM.modules.products.READ", "OAUTH_SCOPE_MISMATCH", 401, id="put-read-scope"
        ),
        pytest.param(
            "DELETE", "ZohoCRM.modules.products.UPDATE", "OAUTH_SCOPE_MISMATCH", 401, id="delete-update-scope"
        ),
        # The related module's scope is needed too (issue 18): the parent's alone is not enough.
        pytest.param(
            "GET", "ZohoCRM.modules.products.READ", "OAUTH_SCOPE_MISMATCH", 401, id="get-parent-scope-only"
        ),
        pytest.param(
            "PUT",
            "ZohoCRM.modules.products.UPDATE,ZohoCRM.modules.pricebooks.READ",
            "OAUTH_SCOPE_MISMATCH",
            401,
            id="put-related-read-scope-only",
        ),
        pytest.param(
            "DELETE",
            "ZohoCRM.modules.products.DELETE",
            "OAUTH_SCOPE_MISMATCH",
            401,
            id="delete-parent-scope-only",
        ),
        pytest.param(
            "GET",
            "ZohoCRM.modules.products.READ,ZohoCRM.modules.pricebooks.READ",
            None,
            204,
            id="get-read-scope",
        ),
        pytest.param(
            "PUT",
            "ZohoCRM.modules.products.UPDATE,ZohoCRM.modules.pricebooks.UPDATE",
            None,
            200,
            id="put-update-scope",
        ),
        pytest.param(
            "PUT",
            "ZohoCRM.modules.products.WRITE,ZohoCRM.modules.pricebooks.WRITE",
            None,
            200,
            id="put-write-scope",
        ),
        pytest.param(
            "DELETE",
            "ZohoCRM.modules.products.DELETE,ZohoCRM.modules.pricebooks.DELETE",
            None,
            400,
            id="delete-delete-scope",
        ),
    ],
)
def test_scopes(
    client: Any, org: TestOrg, world: dict[str, str], method: str, scope: str, code: str | None, status: int
) -> None:
    url = "/crm/v2.1/Products/{product}/Price_Books".format(**world)
    headers = org.headers_for(scope=scope)
    if method == "PUT":
        response = client.put(url, json={"data": [{"id": world["book"]}]}, headers=headers)
    elif method == "DELETE":
        response = client.delete(url + f"?ids={world['book']}", headers=headers)  # not linked: item error
    else:
        response = client.get(url, headers=headers)
    if code is not None:
        assert_zoho_error(response, status, code, "invalid oauth scope to access this URL", {})
        _assert_nothing_stored(org)
    else:
        assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("method", "permissions", "status", "code", "message"),
    [
        pytest.param("GET", {"Price_Books": ["view"]}, 403, "NO_PERMISSION", "Permission denied to read related records", id="get-no-view-on-parent"),
        pytest.param("PUT", {"Products": ["view"], "Price_Books": ["view"]}, 403, "NO_PERMISSION", "Permission denied to update records", id="put-no-edit-on-parent"),
        pytest.param("DELETE", {"Products": ["view", "edit"], "Price_Books": ["view"]}, 403, "NO_PERMISSION", "Permission denied to delete records", id="delete-no-delete-on-parent"),
        pytest.param("GET", {"Products": ["view"]}, 400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege to read related records data", id="get-no-view-on-related"),
        pytest.param("PUT", {"Products": ["view", "edit"]}, 400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege to update related records data", id="put-no-view-on-related"),
        pytest.param("DELETE", {"Products": ["view", "delete"]}, 400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege to delete related records data", id="delete-no-view-on-related"),
        # The operation is needed on the related module too (issue 18: both sides alike).
        pytest.param("PUT", {"Products": ["view", "edit"], "Price_Books": ["view"]}, 400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege to update related records data", id="put-no-edit-on-related"),
        pytest.param("DELETE", {"Products": ["view", "delete"], "Price_Books": ["view", "edit"]}, 400, "AUTHORIZATION_FAILED", "User does not have sufficient privilege to delete related records data", id="delete-no-delete-on-related"),
    ],
)  # fmt: skip
def test_profile_permissions(
    client: Any,
    org: TestOrg,
    world: dict[str, str],
    method: str,
    permissions: dict[str, list[str]],
    status: int,
    code: str,
    message: str,
) -> None:
    org.add_profile("Restricted", permissions)
    email = org.add_user("Restricted")
    headers = org.headers_for(email)
    url = "/crm/v2.1/Products/{product}/Price_Books".format(**world)
    if method == "PUT":
        response = client.put(url, json={"data": [{"id": world["book"]}]}, headers=headers)
    elif method == "DELETE":
        response = client.delete(url + f"?ids={world['book']}", headers=headers)
    else:
        response = client.get(url, headers=headers)
    assert_zoho_error(response, status, code, message, {})
    _assert_nothing_stored(org)


def test_no_token_is_authentication_failure(client: Any, world: dict[str, str]) -> None:
    response = client.put(
        "/crm/v2.1/Products/{product}/Price_Books".format(**world), json={"data": [{"id": world["book"]}]}
    )
    assert_zoho_error(response, 401, "AUTHENTICATION_FAILURE", "Authentication failed", {})


def test_another_orgs_token_sees_no_such_parent(client: Any, orgs: OrgFactory, world: dict[str, str]) -> None:
    stranger = orgs.create()
    response = client.get(
        "/crm/v2.1/Products/{product}/Price_Books".format(**world), headers=stranger.headers
    )
    assert_zoho_error(response, 400, "INVALID_DATA", RELATED_ID, {"resource_path_index": 1})
