"""COQL (issue 11, item 2): every comparator per data type against the Python reference of
tests/query_cases.py (the same records and expectations as search), lookups in Zoho's shape,
ordering, both LIMIT forms, the limits, and Zoho's errors with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from crmlink.api.context import Services
from tests.helpers import assert_zoho_error
from tests.query_cases import fold
from tests.test_search import QueryOrg, expected_ids, make_query_org


@pytest.fixture(scope="module")
def query_org(services: Services, client: Any) -> QueryOrg:
    return make_query_org(services, client)


COQL_CASE_IDS = [
    "text-equals",
    "text-not_equal",
    "text-starts_with",
    "text-in",
    "text-quote",
    "text-escaped-comma",
    "text-escaped-parens",
    "text-escaped-backslash",
    "text-percent-literal",
    "text-underscore-literal",
    "text-non-ascii-not-folded",
    "text-like-contains",
    "text-like-ends",
    "text-not-like",
    "text-is-null",
    "text-is-not-null",
    "text-not-in",
    "email-equals",
    "email-starts_with",
    "email-in",
    "phone-equals",
    "picklist-equals",
    "picklist-not_equal",
    "picklist-in",
    "int-equals",
    "int-not_equal",
    "int-greater_than",
    "int-greater_equal",
    "int-less_than",
    "int-less_equal",
    "int-between",
    "int-not-between",
    "int-in",
    "int-is-null",
    "currency-greater_than",
    "currency-less_equal",
    "currency-equals",
    "bool-equals-true",
    "bool-equals-false",
    "date-equals",
    "date-greater_than",
    "date-less_equal",
    "date-between",
    "date-in",
    "date-not_equal",
    "date-is-not-null",
    "lookup-equals",
    "lookup-not_equal",
    "lookup-in",
    "lookup-is-null",
    "owner-equals",
    "owner-not_equal",
    "created-greater_than",
    "created-less_than",
    "created-between",
]


def coql(client: Any, q: QueryOrg, query: str, version: str = "v2.1") -> Any:
    return client.post(f"/crm/{version}/coql", json={"select_query": query}, headers=q.org.headers)


def ids_of(response: Any) -> list[str]:
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


@pytest.mark.parametrize("case_id", COQL_CASE_IDS)
def test_comparator_matches_the_reference(client: Any, query_org: QueryOrg, case_id: str) -> None:
    case = next(c for c in query_org.cases if c.id == case_id)
    assert case.coql is not None
    response = coql(client, query_org, f"select Last_Name from {case.module} where {case.coql} limit 2000")
    assert ids_of(response) == expected_ids(query_org, case), case.coql


def test_search_and_coql_agree(client: Any, query_org: QueryOrg) -> None:
    """Where a case has both forms, both give the same ids (and the reference's)."""
    for case in query_org.cases:
        if case.search_op is None or case.coql is None or case.id == "text-percent-literal":
            continue
        crit = f"({case.field}:{case.search_op}:{case.search_value})"
        searched = client.get(
            f"/crm/v2.1/{case.module}/search", params={"criteria": crit}, headers=query_org.org.headers
        )
        found = [] if searched.status_code == 204 else [r["id"] for r in searched.json()["data"]]
        assert found == ids_of(coql(client, query_org, f"select id from {case.module} where {case.coql}")), (
            case.id
        )


def test_lookups_come_back_as_ids_and_dotted_columns_flat(client: Any, query_org: QueryOrg) -> None:
    response = coql(
        client,
        query_org,
        "select Last_Name, Account_Name, Account_Name.Account_Name, Owner, Owner.email, Created_Time "
        "from Contacts where Account_Name is not null order by Last_Name",
    )
    assert response.status_code == 200
    body = response.json()
    contacts = {r["id"]: r for r in query_org.records["Contacts"]}
    assert body["info"] == {"count": len(body["data"]), "more_records": False}
    assert [r["Last_Name"] for r in body["data"]] == sorted(
        r["Last_Name"] for r in contacts.values() if r["Account_Name"]
    )
    for row in body["data"]:
        rec = contacts[row["id"]]
        assert list(row) == [
            "Last_Name",
            "Account_Name",
            "Account_Name.Account_Name",
            "Owner",
            "Owner.email",
            "Created_Time",
            "id",
        ]
        assert row["Account_Name"] == {"id": rec["Account_Name"]["id"]}
        assert row["Account_Name.Account_Name"] == rec["Account_Name"]["name"]
        assert row["Owner"] == {"id": rec["Owner"]["id"]}
        assert row["Owner.email"] == rec["Owner"]["email"]
        assert row["Created_Time"] == rec["Created_Time"]


def test_where_on_a_lookup_field_of_the_target(client: Any, query_org: QueryOrg) -> None:
    response = coql(
        client,
        query_org,
        "select Last_Name from Contacts where (Account_Name.Account_Name = 'zylker' or Last_Name = 'Evans')",
    )
    want = sorted(
        (
            r["id"]
            for r in query_org.records["Contacts"]
            if (r["Account_Name"] or {}).get("name") == "Zylker" or r["Last_Name"] == "Evans"
        ),
        key=int,
    )
    assert len(want) == 3 and ids_of(response) == want


def test_nested_grouping_and_explicit_grouping_rule(client: Any, query_org: QueryOrg) -> None:
    leads = query_org.records["Leads"]
    want = sorted(
        (
            r["id"]
            for r in leads
            if fold(r["Last_Name"]) in {"boyle", "gale"}
            and (r["No_of_Employees"] is not None and r["No_of_Employees"] > 5)
        ),
        key=int,
    )
    q = "select id from Leads where ((Last_Name = 'boyle' or Last_Name = 'gale') and No_of_Employees > 5)"
    assert want and ids_of(coql(client, query_org, q)) == want
    bare = coql(
        client, query_org, "select id from Leads where Last_Name = 'a' and Last_Name = 'b' and id = 1"
    )
    assert_zoho_error(bare, 400, "SYNTAX_ERROR", "error occured while parsing the query")
    assert (
        set(bare.json()["details"]) == {"line", "column", "near"} and bare.json()["details"]["near"] == "and"
    )


@pytest.mark.parametrize("limit", ["limit 3 offset 2", "limit 2, 3"])
def test_both_limit_forms_and_ordering(client: Any, query_org: QueryOrg, limit: str) -> None:
    leads = query_org.records["Leads"]
    ordered = sorted(
        leads,
        key=lambda r: (
            -(r["No_of_Employees"] if r["No_of_Employees"] is not None else -(10**9)),
            int(r["id"]),
        ),
    )
    response = coql(
        client,
        query_org,
        f"select No_of_Employees from Leads where id is not null order by No_of_Employees desc {limit}",
    )
    body = response.json()
    assert [r["id"] for r in body["data"]] == [r["id"] for r in ordered[2:5]]
    assert body["info"] == {"count": 3, "more_records": True}


def test_text_order_is_code_point_order_with_nulls_first(client: Any, query_org: QueryOrg) -> None:
    leads = query_org.records["Leads"]
    want = sorted(leads, key=lambda r: (r["Company"] is not None, r["Company"] or "", int(r["id"])))
    response = coql(client, query_org, "select Company from Leads where id is not null order by Company asc")
    assert [r["id"] for r in response.json()["data"]] == [r["id"] for r in want]


def test_default_order_is_id_and_v2_answers_the_same(client: Any, query_org: QueryOrg) -> None:
    q = "select Last_Name from Leads where id is not null"
    a, b = coql(client, query_org, q, "v2"), coql(client, query_org, q)
    assert a.json() == b.json()
    assert [r["id"] for r in a.json()["data"]] == sorted(
        (r["id"] for r in query_org.records["Leads"]), key=int
    )


def test_no_rows_is_204(client: Any, query_org: QueryOrg) -> None:
    response = coql(client, query_org, "select Last_Name from Leads where Last_Name = 'nobody'")
    assert response.status_code == 204 and response.content == b""


def test_body_without_content_type(client: Any, query_org: QueryOrg) -> None:
    raw = b'{"select_query": "select Email from Leads where Email = \'GALE@example.com\'"}'
    response = client.post("/crm/v2.1/coql", content=raw, headers=query_org.org.headers)
    assert [r["Email"] for r in response.json()["data"]] == ["gale@example.com"]


SQ = "SYNTAX_ERROR"
IQ = "INVALID_QUERY"
LE = "LIMIT_EXCEEDED"
BAD: list[tuple[str, str, str, str, dict[str, Any] | None]] = [
    ("not-select", "update Leads set Last_Name = 'x'", SQ, "given coql query not supported", {}),
    ("no-from", "select Last_Name Leads where id = 1", SQ, "missing clause", {"clause": "from"}),
    ("no-where", "select Last_Name from Leads", SQ, "missing clause", {"clause": "where"}),
    (
        "unbalanced",
        "select Last_Name from Leads where (Last_Name = 'x'",
        SQ,
        "error occured while parsing the query",
        None,
    ),
    (
        "unterminated-string",
        "select Last_Name from Leads where Last_Name = 'x",
        SQ,
        "error occured while parsing the query",
        None,
    ),
    (
        "injection",
        "select Last_Name from Leads where Last_Name = '' or 1=1 --'",
        SQ,
        "error occured while parsing the query",
        None,
    ),
    (
        "injection-semicolon",
        "select Last_Name from Leads where id = 1; drop table records",
        SQ,
        "error occured while parsing the query",
        None,
    ),
    (
        "unknown-column",
        "select Testing from Leads where id = 1",
        IQ,
        "column given seems to be invalid",
        {"column_name": "Testing"},
    ),
    (
        "unknown-where-column",
        "select id from Leads where Testing = 1",
        IQ,
        "column given seems to be invalid",
        {"column_name": "Testing"},
    ),
    (
        "wrong-type",
        "select id from Leads where id = 'abc'",
        IQ,
        "value given seems to be invalid for the column",
        {"expected_data_type": "bigint", "column_name": "id"},
    ),
    (
        "wrong-type-int",
        "select id from Leads where No_of_Employees = 'ten'",
        IQ,
        "value given seems to be invalid for the column",
        {"expected_data_type": "integer", "column_name": "No_of_Employees"},
    ),
    (
        "operator-for-type",
        "select id from Leads where Email_Opt_Out != true",
        IQ,
        "invalid query formed",
        {"column_name": "Email_Opt_Out", "operator": "!="},
    ),
    (
        "like-on-number",
        "select id from Leads where No_of_Employees like '1%'",
        IQ,
        "invalid query formed",
        {"column_name": "No_of_Employees", "operator": "like"},
    ),
    (
        "textarea-in-where",
        "select id from Leads where Description = 'x'",
        IQ,
        "data type not supported",
        {"column_name": "Description", "data_type": "textarea"},
    ),
    (
        "unknown-module",
        "select id from Spaceships where id = 1",
        "INVALID_MODULE",
        "the module name given seems to be invalid",
        {"module": "Spaceships"},
    ),
    (
        "duplicate-column",
        "select Last_Name, Last_Name from Leads where id = 1",
        "DUPLICATE_DATA",
        "duplicate data",
        {},
    ),
    (
        "limit-over-2000",
        "select id from Leads where id is not null limit 2001",
        LE,
        "limit exceeded",
        {"clause": "limit", "limit": 2000},
    ),
    (
        "offset-past-reach",
        "select id from Leads where id is not null limit 200 offset 9801",
        LE,
        "limit exceeded",
        {"clause": "offset", "limit": 10000},
    ),
    (
        "too-many-columns",
        "select " + ", ".join(["id"] + [f"'c{i}'" for i in range(50)]) + " from Leads where id = 1",
        LE,
        "select columns limit exceeded",
        {"limit": 50},
    ),
    (
        "too-many-relations",
        "select Account_Name.Parent_Account.Parent_Account.Account_Name from Contacts where id = 1",
        LE,
        "join limit exceeded",
        {"limit": 2},
    ),
    (
        "too-many-in-values",
        "select id from Leads where Last_Name in (" + ", ".join(["'a'"] * 51) + ")",
        LE,
        "limit exceeded",
        {"clause": "in", "limit": 50},
    ),
]


@pytest.mark.parametrize(
    ("query", "code", "message", "details"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_query_answers_zohos_error_and_changes_nothing(
    client: Any,
    query_org: QueryOrg,
    query: str,
    code: str,
    message: str,
    details: dict[str, Any] | None,
) -> None:
    before = client.get("/crm/v2.1/Leads", headers=query_org.org.headers).content
    response = coql(client, query_org, query)
    body = assert_zoho_error(response, 400, code, message, details)
    if code == SQ and details is None:
        assert set(body["details"]) == {"line", "column", "near"}
    assert client.get("/crm/v2.1/Leads", headers=query_org.org.headers).content == before


def test_bad_bodies(client: Any, query_org: QueryOrg) -> None:
    h = query_org.org.headers
    assert_zoho_error(client.post("/crm/v2.1/coql", json={}, headers=h), 400, "MANDATORY_NOT_FOUND")
    assert_zoho_error(client.post("/crm/v2.1/coql", json={"select_query": 1}, headers=h), 400, "INVALID_DATA")
    assert_zoho_error(client.post("/crm/v2.1/coql", content=b"not json", headers=h), 400, "INVALID_DATA")
    assert_zoho_error(
        client.post("/crm/v2.1/coql", json={"select_query": "select id from Leads where id = 1"}),
        401,
        "AUTHENTICATION_FAILURE",
    )
