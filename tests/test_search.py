"""Search records (issue 11, item 1): every criteria operator per data type against a Python
reference over the same records, the other search params, paging, and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from crmlink.api.context import Services
from tests.factories import OrgFactory, TestOrg
from tests.helpers import assert_zoho_error
from tests.query_cases import ACCOUNTS, CASES, CONTACTS, LEADS, Case, lookup_cases


@dataclass
class QueryOrg:
    org: TestOrg
    records: dict[str, list[dict[str, Any]]]  # as GET renders them, per module
    cases: list[Case]


@pytest.fixture(scope="module")
def query_org(services: Services, client: Any) -> QueryOrg:
    """One org per engine holding the shared records (tests/query_cases.py)."""
    return make_query_org(services, client)


def make_query_org(services: Services, client: Any) -> QueryOrg:
    org = OrgFactory(services).create()
    h = org.headers
    accounts = [
        i["details"]["id"]
        for i in client.post("/crm/v2.1/Accounts", json={"data": ACCOUNTS}, headers=h).json()["data"]
    ]
    contacts = []
    for c in CONTACTS:
        item = {k: v for k, v in c.items() if k != "account"}
        if "account" in c:
            item["Account_Name"] = {"id": accounts[c["account"]]}
        contacts.append(item)
    for module, items in (("Leads", LEADS), ("Contacts", contacts)):
        response = client.post(f"/crm/v2.1/{module}", json={"data": items}, headers=h)
        assert response.status_code == 201, response.text
    records = {m: client.get(f"/crm/v2.1/{m}", headers=h).json()["data"] for m in ("Leads", "Contacts")}
    return QueryOrg(org, records, [*CASES, *lookup_cases(accounts, str(org.admin_id))])


def expected_ids(q: QueryOrg, case: Case) -> list[str]:
    return sorted((r["id"] for r in q.records[case.module] if case.expect(r)), key=int)


def search(client: Any, q: QueryOrg, module: str, **params: str) -> Any:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"/crm/v2.1/{module}/search?{query}", headers=q.org.headers)


def found_ids(response: Any) -> list[str]:
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


SEARCH_CASE_IDS = [c.id for c in CASES if c.search_op] + [
    "lookup-equals",
    "lookup-not_equal",
    "lookup-in",
    "owner-equals",
    "owner-not_equal",
    "created-greater_than",
    "created-less_than",
    "created-between",
]


@pytest.mark.parametrize("case_id", SEARCH_CASE_IDS)
def test_criteria_operator_matches_the_reference(client: Any, query_org: QueryOrg, case_id: str) -> None:
    case = next(c for c in query_org.cases if c.id == case_id)
    assert case.search_op is not None
    for form in (
        f"({case.field}:{case.search_op}:{case.search_value})",
        f"{case.field}:{case.search_op}:{case.search_value}",
    ):
        response = search(client, query_org, case.module, criteria=form)
        assert found_ids(response) == expected_ids(query_org, case), form


def test_nested_and_or(client: Any, query_org: QueryOrg) -> None:
    criteria = "(((Last_Name:equals:boyle)or(Last_Name:equals:gale))and(No_of_Employees:greater_than:5))"
    want = sorted(
        (
            r["id"]
            for r in query_org.records["Leads"]
            if (r["Last_Name"] or "").lower() in {"boyle", "gale"} and (r["No_of_Employees"] or -1e9) > 5
        ),
        key=int,
    )
    assert want  # the case must select something
    assert found_ids(search(client, query_org, "Leads", criteria=criteria)) == want
    spaced = (
        "( ( Last_Name:equals:boyle ) OR ( Last_Name:equals:gale ) ) AND (No_of_Employees:greater_than:5)"
    )
    assert found_ids(search(client, query_org, "Leads", criteria=spaced)) == want


def test_and_binds_tighter_than_or(client: Any, query_org: QueryOrg) -> None:
    criteria = "((Last_Name:equals:zed)or(Last_Name:equals:boyle)and(No_of_Employees:equals:250))"
    want = sorted(
        (
            r["id"]
            for r in query_org.records["Leads"]
            if (r["Last_Name"] or "").lower() == "zed"
            or ((r["Last_Name"] or "").lower() == "boyle" and r["No_of_Employees"] == 250)
        ),
        key=int,
    )
    assert len(want) == 2
    assert found_ids(search(client, query_org, "Leads", criteria=criteria)) == want


def test_email_phone_and_word_params(client: Any, query_org: QueryOrg) -> None:
    leads = query_org.records["Leads"]
    by_email = [r["id"] for r in leads if (r["Email"] or "").lower() == "gale@example.com"]
    assert found_ids(search(client, query_org, "Leads", email="GALE@example.com")) == by_email
    by_phone = sorted((r["id"] for r in leads if "555-0100" in (r["Phone"], r["Mobile"], r["Fax"])), key=int)
    assert len(by_phone) == 2
    assert found_ids(search(client, query_org, "Leads", phone="555-0100")) == by_phone
    by_word = [
        r["id"]
        for r in leads
        if any("zylker" in str(v).lower() for k, v in r.items() if isinstance(v, str) and k != "id")
    ]
    assert found_ids(search(client, query_org, "Leads", word="zylker")) == by_word
    # criteria wins over email, which wins over phone and word
    assert found_ids(
        search(client, query_org, "Leads", criteria="(Last_Name:equals:zed)", email="gale@example.com")
    ) == [r["id"] for r in leads if r["Last_Name"] == "Zed"]


def test_paging_fields_and_info(client: Any, query_org: QueryOrg) -> None:
    all_ids = [r["id"] for r in query_org.records["Leads"]]
    seen: list[str] = []
    for page in (1, 2, 3):
        response = search(
            client,
            query_org,
            "Leads",
            criteria="(Created_Time:greater_than:2001-01-01T00:00:00+00:00)",
            page=str(page),
            per_page="3",
            fields="Last_Name,Email",
        )
        body = response.json()
        assert body["info"] == {
            "per_page": 3,
            "count": len(body["data"]),
            "page": page,
            "more_records": page < 3,
        }
        for r in body["data"]:
            assert set(r) == {"Last_Name", "Email", "id"}
        seen += [r["id"] for r in body["data"]]
    assert seen == sorted(all_ids, key=int)
    assert (
        search(
            client, query_org, "Leads", criteria="(Last_Name:equals:zed)", page="4", per_page="3"
        ).status_code
        == 204
    )


def test_no_match_is_204(client: Any, query_org: QueryOrg) -> None:
    response = search(client, query_org, "Leads", criteria="(Email:equals:nobody@example.com)")
    assert response.status_code == 204 and response.content == b""


def test_converted_and_approved(client: Any, query_org: QueryOrg) -> None:
    crit = "(Last_Name:equals:zed)"
    assert (
        len(found_ids(search(client, query_org, "Leads", criteria=crit, converted="both", approved="both")))
        == 1
    )
    assert search(client, query_org, "Leads", criteria=crit, converted="true").status_code == 204
    assert search(client, query_org, "Leads", criteria=crit, approved="false").status_code == 204
    assert_zoho_error(
        search(client, query_org, "Leads", criteria=crit, converted="maybe"),
        400,
        "INVALID_DATA",
        details={"param_name": "converted"},
    )


def test_paging_past_2000_is_limit_reached(client: Any, query_org: QueryOrg) -> None:
    response = search(
        client, query_org, "Leads", criteria="(Last_Name:equals:zed)", page="11", per_page="200"
    )
    assert_zoho_error(
        response, 400, "LIMIT_REACHED", "maximum response iteration limit reached", {"limit": "2000"}
    )


BAD = [
    ("unbalanced", "((Last_Name:equals:x)", {"reason": "invalid criteria"}),
    ("unbalanced-close", "(Last_Name:equals:x))", {"reason": "invalid criteria"}),
    ("empty-value", "(Last_Name:equals:)", {"reason": "invalid criteria"}),
    ("no-operator", "(Last_Name)", {"reason": "invalid criteria"}),
    ("bare-and", "(Last_Name:equals:x)and", {"reason": "invalid criteria"}),
    ("unknown-field", "(Spaceship:equals:x)", {"reason": "invalid field found", "api_name": "Spaceship"}),
    (
        "unknown-operator",
        "(Last_Name:contains:x)",
        {"reason": "invalid operator found", "api_name": "Last_Name", "operator": "contains"},
    ),
    (
        "operator-for-type",
        "(Email_Opt_Out:greater_than:true)",
        {"reason": "invalid operator found", "api_name": "Email_Opt_Out", "operator": "greater_than"},
    ),
    (
        "wrong-type-int",
        "(No_of_Employees:equals:ten)",
        {"reason": "invalid value given", "api_name": "No_of_Employees", "expected_data_type": "integer"},
    ),
    (
        "wrong-type-date",
        "(Created_Time:greater_than:yesterday)",
        {"reason": "invalid value given", "api_name": "Created_Time", "expected_data_type": "datetime"},
    ),
    (
        "between-one-value",
        "(No_of_Employees:between:1)",
        {"reason": "invalid value given", "api_name": "No_of_Employees", "value": "1"},
    ),
    ("injection", "(Last_Name:equals:' or 1=1 --)", None),
    ("injection-paren", "(Last_Name:equals:x) or 1=1 --", {"reason": "invalid criteria"}),
    (
        "too-many-conditions",
        "(" + "or".join(["(Last_Name:equals:a)"] * 11) + ")",
        {"reason": "criteria limit exceeded", "limit": 10},
    ),
    (
        "over-long",
        "(Last_Name:equals:" + "x" * 10_001 + ")",
        {"reason": "criteria too long", "limit": 10_000},
    ),
]


@pytest.mark.parametrize(("criteria", "details"), [(c, d) for _, c, d in BAD], ids=[i for i, _, _ in BAD])
def test_bad_criteria_answers_invalid_query_and_changes_nothing(
    client: Any, query_org: QueryOrg, criteria: str, details: dict[str, Any] | None
) -> None:
    before = client.get("/crm/v2.1/Leads", headers=query_org.org.headers).content
    response = search(client, query_org, "Leads", criteria=criteria)
    if details is None:  # a well-formed criteria whose value is the text: nothing matches
        assert response.status_code == 204
    else:
        assert_zoho_error(response, 400, "INVALID_QUERY", "invalid query formed", details)
    assert client.get("/crm/v2.1/Leads", headers=query_org.org.headers).content == before


def test_too_many_in_values(client: Any, query_org: QueryOrg) -> None:
    response = search(client, query_org, "Leads", criteria="(Last_Name:in:" + ",".join(["a"] * 101) + ")")
    assert_zoho_error(
        response,
        400,
        "INVALID_QUERY",
        'Only 100 values are allowed in "IN" criteria',
        {"api_name": "Last_Name"},
    )


def test_missing_params_and_short_word(client: Any, query_org: QueryOrg) -> None:
    assert_zoho_error(
        search(client, query_org, "Leads"), 400, "REQUIRED_PARAM_MISSING", details={"param_name": "criteria"}
    )
    assert_zoho_error(
        search(client, query_org, "Leads", word="z"), 400, "INVALID_DATA", details={"param_name": "word"}
    )


def test_search_checks_token_and_module(client: Any, query_org: QueryOrg) -> None:
    assert_zoho_error(
        client.get("/crm/v2.1/Leads/search?criteria=(Last_Name:equals:x)"), 401, "AUTHENTICATION_FAILURE"
    )
    assert_zoho_error(
        client.get(
            "/crm/v2.1/Spaceships/search?criteria=(Last_Name:equals:x)", headers=query_org.org.headers
        ),
        400,
        "INVALID_MODULE",
    )


def test_v2_path_answers_the_same(client: Any, query_org: QueryOrg) -> None:
    crit = quote("(Last_Name:equals:boyle)", safe="")
    a = client.get(f"/crm/v2/Leads/search?criteria={crit}", headers=query_org.org.headers)
    b = client.get(f"/crm/v2.1/Leads/search?criteria={crit}", headers=query_org.org.headers)
    assert a.status_code == 200 and a.json() == b.json()


def test_a_nul_character_is_searched_for_not_a_500(client: Any, query_org: QueryOrg) -> None:
    """PostgreSQL's text cannot hold U+0000 (schemathesis found the 500): a stored value reads it
    as U+FFFD, and so does the value searched for."""
    h = query_org.org.headers
    made = client.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Nul\x00Byte"}]}, headers=h)
    assert made.status_code == 201, made.text
    lead = made.json()["data"][0]["details"]["id"]
    for params in ({"word": "l\x00b"}, {"phone": "\x00"}, {"criteria": "(Last_Name:equals:Nul\x00Byte)"}):
        answer = search(client, query_org, "Leads", **params)
        assert answer.status_code in (200, 204), answer.text
    assert found_ids(search(client, query_org, "Leads", word="Nul\x00Byte")) == [lead]
    assert found_ids(search(client, query_org, "Leads", criteria="(Last_Name:starts_with:Nul\x00)")) == [lead]
    coql = client.post(
        "/crm/v2.1/coql",
        json={"select_query": "select Last_Name from Leads where Last_Name = 'Nul\x00Byte'"},
        headers=h,
    )
    # Equality with a NUL inside is engine-defined (SQLite's text functions stop at U+0000):
    # docs/query.md. What holds on both is an answer, never a 500.
    assert coql.status_code in (200, 204), coql.text
    assert client.delete(f"/crm/v2.1/Leads?ids={lead}", headers=h).status_code == 200
    deleted = client.get("/crm/v2.1/Leads/deleted", headers=h).json()["data"]
    assert [d["display_name"] for d in deleted if d["id"] == lead] == ["Nul\ufffdByte"]
