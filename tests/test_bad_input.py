"""Bad input, table-driven: each row is answered with Zoho's error and nothing is stored.

Every row runs on both engines against a fresh org holding one Lead, one Contact and one
Account. The read-back compares every module the row could touch before and after the call, so
a row also fails when the error is right but something was written (or half-written).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import TestOrg
from tests.helpers import assert_item_error, assert_zoho_error

V = "v2.1"
LONG = "1" * 30
DEEP = 100_000  # nesting depth of the deeply nested bodies


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # may name {lead}, {contact}, {account}
    body: bytes | None = None
    status: int = 400
    code: str = "INVALID_DATA"
    message: str | None = None
    item: bool = False  # the error is a per-item result in data[0], not request-level
    headers: tuple[tuple[str, str], ...] = ()


def j(value: Any) -> bytes:
    return json.dumps(value).encode()


def lead(**fields: Any) -> bytes:
    return j({"data": [{"Last_Name": "Bad", "Company": "Input", **fields}]})


def update(id_value: Any, **fields: Any) -> bytes:
    return j({"data": [{"id": id_value, **fields}]})


BAD_ID = "the id given seems to be invalid"

ROWS = [
    # --- the body as a whole
    pytest.param(Row("POST", "/Leads", b'{"data": ['), id="malformed-json"),
    pytest.param(Row("POST", "/Leads", b'{"data": [{"Last_Name": "x"}]'), id="truncated-json"),
    pytest.param(Row("POST", "/Leads", b"{'data': []}"), id="single-quoted-json"),
    pytest.param(Row("POST", "/Leads", b"[1, 2]"), id="body-is-a-list"),
    pytest.param(Row("POST", "/Leads", b'"data"'), id="body-is-a-string"),
    pytest.param(Row("POST", "/Leads", b"null"), id="body-is-null"),
    pytest.param(Row("POST", "/Leads", b"42"), id="body-is-a-number"),
    pytest.param(Row("POST", "/Leads", b'{"data": [{"Last_Name": "\xff\xfe"}]}'), id="invalid-utf8"),
    pytest.param(Row("POST", "/Leads", b"\xef\xbb\xbf" + lead()), id="utf8-bom"),
    pytest.param(Row("POST", "/Leads", b"[" * DEEP + b"]" * DEEP), id="deeply-nested-body"),
    pytest.param(
        Row(
            "POST",
            "/Leads",
            b'{"data": [{"Last_Name": "x", "Description": ' + b"[" * DEEP + b"]" * DEEP + b"}]}",
        ),
        id="deeply-nested-field",
    ),
    pytest.param(
        Row("POST", "/Leads", b"", code="MANDATORY_NOT_FOUND", message="required field not found"),
        id="empty-body",
    ),
    pytest.param(Row("POST", "/Leads", j({"records": []}), code="MANDATORY_NOT_FOUND"), id="data-missing"),
    pytest.param(Row("POST", "/Leads", j({"data": None})), id="data-null"),
    pytest.param(Row("POST", "/Leads", j({"data": {"Last_Name": "x"}})), id="data-is-an-object"),
    pytest.param(Row("POST", "/Leads", j({"data": "Last_Name"})), id="data-is-a-string"),
    pytest.param(Row("POST", "/Leads", j({"data": []})), id="data-empty-list"),
    pytest.param(
        Row(
            "POST",
            "/Leads",
            j({"data": [{"Last_Name": f"L{i}", "Company": "C"} for i in range(101)]}),
            code="LIMIT_EXCEEDED",
        ),
        id="101-items",
    ),
    pytest.param(
        Row("PUT", "/Leads", j({"data": [{"id": "{lead}", "Company": "C"}] * 101}), code="LIMIT_EXCEEDED"),
        id="101-items-update",
    ),
    pytest.param(
        Row("PUT", "/Leads/{lead}", j({"data": [{"Company": "A"}, {"Company": "B"}]}), code="LIMIT_EXCEEDED"),
        id="two-items-on-single-update",
    ),
    # --- items and values
    pytest.param(Row("POST", "/Leads", j({"data": ["Last_Name"]}), item=True), id="item-is-a-string"),
    pytest.param(Row("POST", "/Leads", j({"data": [None]}), item=True), id="item-is-null"),
    pytest.param(Row("POST", "/Leads", j({"data": [[{"Last_Name": "x"}]]}), item=True), id="item-is-a-list"),
    pytest.param(
        Row("POST", "/Leads", lead(Last_Name=None), code="MANDATORY_NOT_FOUND", item=True),
        id="mandatory-null",
    ),
    pytest.param(
        Row("POST", "/Leads", lead(Last_Name="   "), code="MANDATORY_NOT_FOUND", item=True),
        id="mandatory-blank",
    ),
    pytest.param(Row("POST", "/Leads", lead(Last_Name=42), item=True), id="text-as-number"),
    pytest.param(Row("POST", "/Leads", lead(Last_Name="x" * 81), item=True), id="text-over-length"),
    pytest.param(Row("POST", "/Leads", lead(Email="not-an-email"), item=True), id="bad-email"),
    pytest.param(Row("POST", "/Leads", b'{"data": [{"Last_Name": "a\\ud800b"}]}'), id="lone-surrogate"),
    pytest.param(
        Row("POST", "/Leads", lead(Lead_Status="Sort of interested"), item=True), id="picklist-outside"
    ),
    pytest.param(Row("POST", "/Leads", lead(Lead_Status=["Contacted"]), item=True), id="picklist-as-list"),
    pytest.param(Row("POST", "/Leads", lead(Annual_Revenue="1000"), item=True), id="currency-as-string"),
    pytest.param(
        Row("POST", "/Leads", b'{"data": [{"Last_Name": "x", "Annual_Revenue": NaN}]}'), id="currency-nan"
    ),
    pytest.param(
        Row("POST", "/Leads", b'{"data": [{"Last_Name": "x", "Annual_Revenue": Infinity}]}'),
        id="currency-infinity",
    ),
    pytest.param(
        Row("POST", "/Leads", b'{"data": [{"Last_Name": "x", "Annual_Revenue": 1e309}]}'),
        id="currency-1e309",
    ),
    pytest.param(Row("POST", "/Leads", lead(Annual_Revenue=1e16), item=True), id="currency-too-large"),
    pytest.param(Row("POST", "/Leads", lead(No_of_Employees=1.5), item=True), id="integer-as-float"),
    pytest.param(Row("POST", "/Leads", lead(No_of_Employees=True), item=True), id="integer-as-boolean"),
    pytest.param(Row("POST", "/Leads", lead(No_of_Employees=2**63), item=True), id="integer-over-64-bit"),
    pytest.param(Row("POST", "/Leads", lead(Email_Opt_Out="true"), item=True), id="boolean-as-string"),
    pytest.param(Row("POST", "/Leads", lead(Owner="abc"), item=True), id="owner-non-numeric"),
    pytest.param(Row("POST", "/Leads", lead(Owner="123"), item=True), id="owner-unknown-user"),
    pytest.param(
        Row("POST", "/Contacts", j({"data": [{"Last_Name": "x", "Account_Name": LONG}]}), item=True),
        id="lookup-30-digits",
    ),
    pytest.param(
        Row("POST", "/Contacts", j({"data": [{"Last_Name": "x", "Account_Name": -5}]}), item=True),
        id="lookup-negative",
    ),
    pytest.param(
        Row("POST", "/Contacts", j({"data": [{"Last_Name": "x", "Account_Name": 1.5}]}), item=True),
        id="lookup-float",
    ),
    pytest.param(
        Row("POST", "/Contacts", j({"data": [{"Last_Name": "x", "Account_Name": True}]}), item=True),
        id="lookup-boolean",
    ),
    pytest.param(
        Row("POST", "/Contacts", j({"data": [{"Last_Name": "x", "Account_Name": "{lead}"}]}), item=True),
        id="lookup-wrong-module",
    ),
    # --- ids in bodies
    pytest.param(
        Row("PUT", "/Leads", update("abc", Company="X"), message=BAD_ID, item=True), id="id-non-numeric"
    ),
    pytest.param(Row("PUT", "/Leads", update(-5, Company="X"), message=BAD_ID, item=True), id="id-negative"),
    pytest.param(
        Row("PUT", "/Leads", update(LONG, Company="X"), message=BAD_ID, item=True), id="id-30-digits"
    ),
    pytest.param(
        Row("PUT", "/Leads", update(int(LONG), Company="X"), message=BAD_ID, item=True),
        id="id-30-digit-number",
    ),
    pytest.param(Row("PUT", "/Leads", update(1.5, Company="X"), message=BAD_ID, item=True), id="id-float"),
    pytest.param(Row("PUT", "/Leads", update(None, Company="X"), message=BAD_ID, item=True), id="id-null"),
    pytest.param(Row("PUT", "/Leads", update(True, Company="X"), message=BAD_ID, item=True), id="id-boolean"),
    pytest.param(
        Row("PUT", "/Leads", update({"id": "{lead}"}, Company="X"), message=BAD_ID, item=True), id="id-object"
    ),
    pytest.param(
        Row("PUT", "/Leads", update("{contact}", Company="X"), message=BAD_ID, item=True),
        id="id-of-another-module",
    ),
    pytest.param(
        Row("PUT", "/Leads", j({"data": [{"Company": "X"}]}), code="MANDATORY_NOT_FOUND", item=True),
        id="id-missing",
    ),
    pytest.param(
        Row("PUT", "/Leads", update("{lead}", Last_Name=""), code="MANDATORY_NOT_FOUND", item=True),
        id="update-clears-mandatory",
    ),
    pytest.param(
        Row("PUT", "/Leads", update("{lead}", Lead_Status="Nope"), item=True), id="update-picklist-outside"
    ),
    # --- junk in paths and query strings
    pytest.param(Row("GET", "/Leads/abc", message=BAD_ID), id="path-id-non-numeric"),
    pytest.param(Row("GET", "/Leads/-1", message=BAD_ID), id="path-id-negative"),
    pytest.param(Row("GET", f"/Leads/{LONG}", message=BAD_ID), id="path-id-30-digits"),
    pytest.param(Row("PUT", "/Leads/1.5", lead(), message=BAD_ID), id="path-id-float-update"),
    pytest.param(Row("DELETE", "/Leads/%27%20OR%201=1", message=BAD_ID), id="path-id-sql"),
    pytest.param(Row("DELETE", "/Leads/%3Cscript%3E", message=BAD_ID), id="path-id-script"),
    pytest.param(
        Row("DELETE", "/Leads?ids=abc", code="UNABLE_TO_PARSE_DATA_TYPE"), id="query-ids-non-numeric"
    ),
    pytest.param(
        Row("DELETE", "/Leads?ids={lead},-2", code="UNABLE_TO_PARSE_DATA_TYPE"), id="query-ids-negative"
    ),
    pytest.param(
        Row("DELETE", f"/Leads?ids={LONG}", code="UNABLE_TO_PARSE_DATA_TYPE"), id="query-ids-30-digits"
    ),
    pytest.param(
        Row("DELETE", "/Leads?ids=" + ",".join(["{lead}"] * 101), code="LIMIT_EXCEEDED"), id="query-ids-101"
    ),
    pytest.param(Row("GET", "/Leads?page=abc"), id="query-page-non-numeric"),
    pytest.param(Row("GET", "/Leads?per_page=201"), id="query-per-page-over-200"),
    pytest.param(Row("GET", "/Leads?sort_by=Nope"), id="query-sort-by-unknown"),
    pytest.param(
        Row("GET", "/Leads", headers=(("If-Modified-Since", "yesterday"),)), id="header-if-modified-since"
    ),
    pytest.param(Row("POST", "/Le%00ads", lead(), code="INVALID_MODULE"), id="module-with-nul"),
    pytest.param(Row("POST", "/Leads%27%3B--", lead(), code="INVALID_MODULE"), id="module-sql"),
]


def _snapshot(client: Any, org: TestOrg, ids: dict[str, str]) -> dict[str, Any]:
    paths = [
        f"/{module}" for module in ("Leads", "Contacts", "Accounts", "Products", "Price_Books", "Campaigns")
    ]
    if "pricebook" in ids:
        paths += [
            f"/Price_Books/{ids['pricebook']}/Products",
            f"/Campaigns/{ids['campaign']}/Leads",
            f"/Leads/{ids['lead']}/Campaigns",
        ]
    out: dict[str, Any] = {}
    for path in paths:
        response = client.get(f"/crm/{V}{path}", headers=org.headers)
        out[path] = response.json() if response.status_code == 200 else response.status_code
    return out


def _check_row(client: Any, org: TestOrg, row: Row, ids: dict[str, str]) -> None:
    path, body = row.path, row.body
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
        if body is not None:
            body = body.replace(b"{" + name.encode() + b"}", value.encode())
    before = _snapshot(client, org, ids)
    headers = {**org.headers, **dict(row.headers)}
    response = client.request(row.method, f"/crm/{V}{path}", content=body, headers=headers)
    if row.item:
        assert response.status_code == row.status, response.text
        items = response.json()["data"]
        assert len(items) == 1
        assert_item_error(items[0], row.code, row.message)
    else:
        assert_zoho_error(response, row.status, row.code, row.message)
    assert _snapshot(client, org, ids) == before


@pytest.mark.parametrize("row", ROWS)
def test_bad_input_gets_zoho_error_and_stores_nothing(client: Any, org: TestOrg, row: Row) -> None:
    ids = {
        "lead": org.create(client, "Leads")[0],
        "contact": org.create(client, "Contacts")[0],
        "account": org.create(client, "Accounts")[0],
    }
    _check_row(client, org, row, ids)


RELATED_ID = "the related id given seems to be invalid"
PB = "/Price_Books/{pricebook}/Products"


def relate(*items: Any) -> bytes:
    return j({"data": list(items)})


RELATED_ROWS = [
    pytest.param(Row("PUT", PB, b'{"data": [{"id": '), id="malformed-json"),
    pytest.param(Row("PUT", PB, b"[]"), id="body-is-a-list"),
    pytest.param(Row("PUT", PB, b"null"), id="body-is-null"),
    pytest.param(Row("PUT", PB, b"", code="MANDATORY_NOT_FOUND"), id="empty-body"),
    pytest.param(Row("PUT", PB, j({"items": []}), code="MANDATORY_NOT_FOUND"), id="data-missing"),
    pytest.param(Row("PUT", PB, j({"data": {"id": "1"}})), id="data-is-an-object"),
    pytest.param(Row("PUT", PB, j({"data": []})), id="data-empty-list"),
    pytest.param(Row("PUT", PB, relate(*[{"id": "{product}"}] * 101), code="LIMIT_EXCEEDED"), id="101-items"),
    pytest.param(
        Row("PUT", PB + "/{product}", relate({}, {}), code="LIMIT_EXCEEDED"), id="two-items-on-single"
    ),
    pytest.param(Row("PUT", PB, b"[" * DEEP + b"]" * DEEP), id="deeply-nested-body"),
    pytest.param(Row("PUT", PB, b'{"data": [{"id": "\xff"}]}'), id="invalid-utf8"),
    pytest.param(Row("PUT", PB, relate("{product}"), item=True), id="item-is-a-string"),
    pytest.param(
        Row("PUT", PB, relate({"list_price": 5}), code="MANDATORY_NOT_FOUND", item=True), id="id-missing"
    ),
    pytest.param(Row("PUT", PB, relate({"id": "abc"}), message=RELATED_ID, item=True), id="id-non-numeric"),
    pytest.param(Row("PUT", PB, relate({"id": -7}), message=RELATED_ID, item=True), id="id-negative"),
    pytest.param(Row("PUT", PB, relate({"id": LONG}), message=RELATED_ID, item=True), id="id-30-digits"),
    pytest.param(Row("PUT", PB, relate({"id": 1.5}), message=RELATED_ID, item=True), id="id-float"),
    pytest.param(Row("PUT", PB, relate({"id": None}), message=RELATED_ID, item=True), id="id-null"),
    pytest.param(Row("PUT", PB, relate({"id": True}), message=RELATED_ID, item=True), id="id-boolean"),
    pytest.param(
        Row("PUT", PB, relate({"id": "{lead}"}), message=RELATED_ID, item=True), id="id-of-another-module"
    ),
    pytest.param(
        Row("PUT", PB, relate({"id": "{product}", "list_price": "12.5"}), item=True), id="list-price-string"
    ),
    pytest.param(
        Row("PUT", PB, relate({"id": "{product}", "list_price": -1}), item=True), id="list-price-negative"
    ),
    pytest.param(Row("PUT", PB, b'{"data": [{"id": "{product}", "list_price": NaN}]}'), id="list-price-nan"),
    pytest.param(
        Row("PUT", PB, b'{"data": [{"id": "{product}", "list_price": 1e309}]}'), id="list-price-1e309"
    ),
    pytest.param(
        Row("PUT", PB, relate({"id": "{product}", "list_price": True}), item=True), id="list-price-boolean"
    ),
    pytest.param(
        Row(
            "PUT",
            "/Campaigns/{campaign}/Leads",
            relate({"id": "{lead}", "Member_Status": "Maybe"}),
            item=True,
        ),
        id="member-status-outside-picklist",
    ),
    pytest.param(
        Row("PUT", "/Leads/{lead}/Campaigns/{campaign}", relate({"Member_Status": 3}), item=True),
        id="member-status-number-single",
    ),
    pytest.param(
        Row("PUT", "/Price_Books/abc/Products", relate({"id": "{product}"}), message=RELATED_ID),
        id="path-parent-junk",
    ),
    pytest.param(
        Row("PUT", "/Price_Books/-1/Products", relate({"id": "{product}"}), message=RELATED_ID),
        id="path-parent-negative",
    ),
    pytest.param(Row("PUT", PB + "/abc", relate({}), message=RELATED_ID), id="path-related-junk"),
    pytest.param(Row("PUT", PB + f"/{LONG}", relate({}), message=RELATED_ID), id="path-related-30-digits"),
    pytest.param(Row("DELETE", PB + "/%27%20OR%201=1", message=RELATED_ID), id="path-related-sql"),
    pytest.param(
        Row(
            "PUT",
            "/Price_Books/{pricebook}/Nope",
            relate({"id": "{product}"}),
            message="The relation name given seems to be invalid",
        ),
        id="path-related-list-unknown",
    ),
    pytest.param(
        Row("DELETE", PB + "?ids=abc", code="UNABLE_TO_PARSE_DATA_TYPE"), id="delink-ids-non-numeric"
    ),
    pytest.param(Row("DELETE", PB + "?ids=-3", code="UNABLE_TO_PARSE_DATA_TYPE"), id="delink-ids-negative"),
    pytest.param(
        Row("DELETE", PB + "?ids=" + ",".join(["{product}"] * 101), code="LIMIT_EXCEEDED"),
        id="delink-ids-101",
    ),
    pytest.param(Row("DELETE", PB, code="REQUIRED_PARAM_MISSING"), id="delink-ids-missing"),
    pytest.param(Row("GET", PB + "?per_page=500"), id="list-per-page-over-200"),
    pytest.param(Row("GET", PB + "/abc", message=RELATED_ID), id="get-related-junk"),
]


@pytest.mark.parametrize("row", RELATED_ROWS)
def test_bad_related_input_gets_zoho_error_and_stores_nothing(client: Any, org: TestOrg, row: Row) -> None:
    ids = {
        "lead": org.create(client, "Leads")[0],
        "product": org.create(client, "Products")[0],
        "pricebook": org.create(client, "Price_Books")[0],
        "campaign": org.create(client, "Campaigns")[0],
    }
    # Existing links whose data a bad call must not touch.
    linked = client.put(
        f"/crm/{V}/Price_Books/{ids['pricebook']}/Products",
        json={"data": [{"id": ids["product"], "list_price": 10}]},
        headers=org.headers,
    )
    assert linked.status_code == 200
    member = client.put(
        f"/crm/{V}/Campaigns/{ids['campaign']}/Leads",
        json={"data": [{"id": ids["lead"], "Member_Status": "Sent"}]},
        headers=org.headers,
    )
    assert member.status_code == 200
    _check_row(client, org, row, ids)


def test_enough_rows() -> None:
    assert len(ROWS) >= 40 and len(RELATED_ROWS) >= 30


INJECTIONS = [
    "'; DROP TABLE records; --",
    "Robert'); DELETE FROM links WHERE ('1'='1",
    '" OR ""="',
    "1 UNION SELECT token_hash FROM oauth_access_tokens",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} ${7*7} %s %n",
    "\u202e bidi override \u200b zero width",
    "nul \u0000 inside",
    "../../../../etc/passwd",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_strings_are_stored_and_returned_verbatim(client: Any, org: TestOrg, text: str) -> None:
    created = client.post(
        f"/crm/{V}/Leads",
        json={"data": [{"Last_Name": text, "Company": text, "Description": text}]},
        headers=org.headers,
    )
    assert created.status_code == 201, created.text
    lead_id = created.json()["data"][0]["details"]["id"]
    got = client.get(f"/crm/{V}/Leads/{lead_id}", headers=org.headers)
    record = got.json()["data"][0]
    assert (record["Last_Name"], record["Company"], record["Description"]) == (text, text, text)
    # Sorting and filtering on the value do not break either; the tables are still there.
    listed = client.get(
        f"/crm/{V}/Leads", params={"sort_by": "Last_Name", "fields": "Last_Name"}, headers=org.headers
    )
    assert [r["Last_Name"] for r in listed.json()["data"]] == [text]
    assert got.headers["content-type"] == "application/json;charset=utf-8"


def test_unknown_fields_are_ignored_and_not_stored(client: Any, org: TestOrg) -> None:
    """Zoho ignores fields it does not know (and system fields); nothing of them is stored."""
    body = {
        "data": [
            {"Last_Name": "Known", "Not_A_Field": "x", "Created_Time": "2000-01-01T00:00:00+00:00", "id": "1"}
        ]
    }
    created = client.post(f"/crm/{V}/Leads", json=body, headers=org.headers)
    assert created.status_code == 201
    lead_id = created.json()["data"][0]["details"]["id"]
    record = client.get(f"/crm/{V}/Leads/{lead_id}", headers=org.headers).json()["data"][0]
    assert "Not_A_Field" not in record
    assert record["id"] == lead_id and not record["Created_Time"].startswith("2000")


def test_duplicated_ids_in_one_call_are_answered_per_item_in_order(client: Any, org: TestOrg) -> None:
    """Decision (docs/reliability.md): a repeated id is not refused; items apply in input order,
    like related records' relate. An update's last occurrence wins; a repeated delete is
    answered ``the id given seems to be invalid`` for the repeat."""
    lead_id = org.create(client, "Leads")[0]
    body = {"data": [{"id": lead_id, "Company": "First"}, {"id": lead_id, "Company": "Last"}]}
    updated = client.put(f"/crm/{V}/Leads", json=body, headers=org.headers)
    assert updated.status_code == 200
    assert [item["code"] for item in updated.json()["data"]] == ["SUCCESS", "SUCCESS"]
    record = client.get(f"/crm/{V}/Leads/{lead_id}", headers=org.headers).json()["data"][0]
    assert record["Company"] == "Last"
    deleted = client.delete(f"/crm/{V}/Leads", params={"ids": f"{lead_id},{lead_id}"}, headers=org.headers)
    assert deleted.status_code == 207
    first, repeat = deleted.json()["data"]
    assert first["code"] == "SUCCESS"
    assert_item_error(repeat, "INVALID_DATA", BAD_ID, id=lead_id)
    assert client.get(f"/crm/{V}/Leads/{lead_id}", headers=org.headers).status_code == 204
