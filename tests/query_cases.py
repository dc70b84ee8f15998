"""The records search and COQL tests share, and a Python reference for every operator.

One org is filled once per engine (module-scoped fixture ``query_org``); each table row names a
field, an operator and a value, and the reference computes the expected ids from the records as
``GET /{module}/{id}`` renders them. Search and COQL must both give exactly those ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

LEADS: list[dict[str, Any]] = [
    {
        "Last_Name": "Boyle",
        "First_Name": "Patricia",
        "Email": "Patricia@Zylker.com",
        "Phone": "555-0100",
        "Lead_Source": "Advertisement",
        "No_of_Employees": 10,
        "Annual_Revenue": 1000.5,
        "Email_Opt_Out": True,
        "Company": "Zylker Inc",
        "Description": "first (lead), with commas",
    },
    {
        "Last_Name": "boyle",
        "Email": "pboyle@example.com",
        "Phone": "555-0101",
        "Lead_Source": "Cold Call",
        "No_of_Employees": 250,
        "Annual_Revenue": 99.99,
        "Email_Opt_Out": False,
        "Company": "ABC, Inc",
    },
    {"Last_Name": "Gale", "Email": "gale@example.com", "No_of_Employees": 0, "Company": "Gale (Holdings)"},
    {
        "Last_Name": "O'Hara",
        "Email": "ohara@example.org",
        "Lead_Source": "Cold Call",
        "No_of_Employees": -5,
        "Annual_Revenue": 0,
        "Email_Opt_Out": True,
        "Company": "100% Natural",
    },
    {
        "Last_Name": "Grant_x",
        "Phone": "555-0100",
        "Lead_Source": "Employee Referral",
        "Annual_Revenue": 5000,
        "Company": "under_score",
    },
    {"Last_Name": "Kate\\", "Email": "kate@example.com", "No_of_Employees": 10, "Company": "Back\\slash"},
    {"Last_Name": "Élodie", "Email": "elodie@example.com", "Company": "ÉCOLE"},
    {"Last_Name": "Zed", "No_of_Employees": 99, "Email_Opt_Out": False, "Company": ""},
]

CONTACTS: list[dict[str, Any]] = [
    {"Last_Name": "Adams", "Date_of_Birth": "1980-01-31", "Email": "adams@example.com"},
    {"Last_Name": "Baker", "Date_of_Birth": "1990-06-15", "account": 0},
    {"Last_Name": "Clark", "Date_of_Birth": "1990-06-16", "account": 1},
    {"Last_Name": "Davis", "account": 0},
    {"Last_Name": "Evans", "Date_of_Birth": "2001-12-01"},
]
ACCOUNTS = [{"Account_Name": "Zylker"}, {"Account_Name": "Acme"}]


def fold(text: str) -> str:
    return text.translate({c: c + 32 for c in range(65, 91)})


@dataclass(frozen=True)
class Case:
    """``field op value`` on ``module``: the search operator, the COQL form, the reference."""

    id: str
    module: str
    field: str
    search_op: str | None  # None: not a search operator for this type
    search_value: str
    coql: str | None  # the COQL WHERE clause (None: no COQL form)
    expect: Callable[[dict[str, Any]], bool]


def value(record: dict[str, Any], field: str) -> Any:
    v = record.get(field)
    if isinstance(v, dict):
        return int(v["id"])
    if field in {"Created_Time", "Modified_Time"} and isinstance(v, str):
        return int(datetime.fromisoformat(v).timestamp())
    return v


def _text(
    field: str, test: Callable[[str], bool], *, empty: bool = False
) -> Callable[[dict[str, Any]], bool]:
    def check(r: dict[str, Any]) -> bool:
        v = r.get(field)
        if v is None or v == "":
            return empty
        return test(fold(v))

    return check


def _num(
    field: str, test: Callable[[Decimal], bool], *, empty: bool = False
) -> Callable[[dict[str, Any]], bool]:
    def check(r: dict[str, Any]) -> bool:
        v = r.get(field)
        return empty if v is None else test(Decimal(str(v)))

    return check


def _val(field: str, test: Callable[[Any], bool], *, empty: bool = False) -> Callable[[dict[str, Any]], bool]:
    def check(r: dict[str, Any]) -> bool:
        v = value(r, field)
        return empty if v is None else test(v)

    return check


CASES: list[Case] = [
    # text
    Case(
        "text-equals",
        "Leads",
        "Last_Name",
        "equals",
        "BOYLE",
        "Last_Name = 'BOYLE'",
        _text("Last_Name", lambda v: v == "boyle"),
    ),
    Case(
        "text-not_equal",
        "Leads",
        "Last_Name",
        "not_equal",
        "boyle",
        "Last_Name != 'boyle'",
        _text("Last_Name", lambda v: v != "boyle", empty=True),
    ),
    Case(
        "text-starts_with",
        "Leads",
        "Last_Name",
        "starts_with",
        "g",
        "Last_Name like 'g%'",
        _text("Last_Name", lambda v: v.startswith("g")),
    ),
    Case(
        "text-in",
        "Leads",
        "Last_Name",
        "in",
        "gale,zed,nobody",
        "Last_Name in ('gale', 'zed', 'nobody')",
        _text("Last_Name", lambda v: v in {"gale", "zed", "nobody"}),
    ),
    Case(
        "text-quote",
        "Leads",
        "Last_Name",
        "equals",
        "o'hara",
        "Last_Name = 'O''Hara'",
        _text("Last_Name", lambda v: v == "o'hara"),
    ),
    Case(
        "text-escaped-comma",
        "Leads",
        "Company",
        "equals",
        "abc\\, inc",
        "Company = 'ABC, Inc'",
        _text("Company", lambda v: v == "abc, inc"),
    ),
    Case(
        "text-escaped-parens",
        "Leads",
        "Company",
        "equals",
        "Gale \\(Holdings\\)",
        "Company = 'Gale (Holdings)'",
        _text("Company", lambda v: v == "gale (holdings)"),
    ),
    Case(
        "text-escaped-backslash",
        "Leads",
        "Last_Name",
        "equals",
        "Kate\\\\",
        "Last_Name = 'Kate\\'",
        _text("Last_Name", lambda v: v == "kate\\"),
    ),
    Case(
        "text-percent-literal",
        "Leads",
        "Company",
        "starts_with",
        "100%",
        "Company like '100%'",
        _text("Company", lambda v: v.startswith("100")),
    ),
    Case(
        "text-underscore-literal",
        "Leads",
        "Last_Name",
        "starts_with",
        "grant_",
        "Last_Name like 'grant_%'",
        _text("Last_Name", lambda v: v.startswith("grant_")),
    ),
    Case(
        "text-non-ascii-not-folded",
        "Leads",
        "Last_Name",
        "equals",
        "élodie",
        "Last_Name = 'élodie'",
        _text("Last_Name", lambda v: v == "élodie"),
    ),
    Case(
        "text-like-contains",
        "Leads",
        "Company",
        None,
        "",
        "Company like '%inc%'",
        _text("Company", lambda v: "inc" in v),
    ),
    Case(
        "text-like-ends",
        "Leads",
        "Company",
        None,
        "",
        "Company like '%natural'",
        _text("Company", lambda v: v.endswith("natural")),
    ),
    Case(
        "text-not-like",
        "Leads",
        "Company",
        None,
        "",
        "Company not like '%inc%'",
        _text("Company", lambda v: "inc" not in v, empty=True),
    ),
    Case(
        "text-is-null",
        "Leads",
        "Company",
        None,
        "",
        "Company is null",
        _text("Company", lambda v: False, empty=True),
    ),
    Case("text-is-not-null", "Leads", "Phone", None, "", "Phone is not null", _text("Phone", lambda v: True)),
    Case(
        "text-not-in",
        "Leads",
        "Last_Name",
        None,
        "",
        "Last_Name not in ('gale', 'zed')",
        _text("Last_Name", lambda v: v not in {"gale", "zed"}, empty=True),
    ),
    # email / phone
    Case(
        "email-equals",
        "Leads",
        "Email",
        "equals",
        "patricia@zylker.COM",
        "Email = 'PATRICIA@zylker.com'",
        _text("Email", lambda v: v == "patricia@zylker.com"),
    ),
    Case(
        "email-starts_with",
        "Leads",
        "Email",
        "starts_with",
        "p",
        "Email like 'p%'",
        _text("Email", lambda v: v.startswith("p")),
    ),
    Case(
        "email-in",
        "Leads",
        "Email",
        "in",
        "gale@example.com,kate@example.com",
        "Email in ('gale@example.com', 'kate@example.com')",
        _text("Email", lambda v: v in {"gale@example.com", "kate@example.com"}),
    ),
    Case(
        "phone-equals",
        "Leads",
        "Phone",
        "equals",
        "555-0100",
        "Phone = '555-0100'",
        _text("Phone", lambda v: v == "555-0100"),
    ),
    # textarea
    Case(
        "textarea-starts_with",
        "Leads",
        "Description",
        "starts_with",
        "first \\(lead\\)",
        None,
        _text("Description", lambda v: v.startswith("first (lead)")),
    ),
    # picklist
    Case(
        "picklist-equals",
        "Leads",
        "Lead_Source",
        "equals",
        "Cold Call",
        "Lead_Source = 'Cold Call'",
        _text("Lead_Source", lambda v: v == "cold call"),
    ),
    Case(
        "picklist-not_equal",
        "Leads",
        "Lead_Source",
        "not_equal",
        "Cold Call",
        "Lead_Source != 'Cold Call'",
        _text("Lead_Source", lambda v: v != "cold call", empty=True),
    ),
    Case(
        "picklist-in",
        "Leads",
        "Lead_Source",
        "in",
        "Advertisement,Employee Referral",
        "Lead_Source in ('Advertisement', 'Employee Referral')",
        _text("Lead_Source", lambda v: v in {"advertisement", "employee referral"}),
    ),
    # integer
    Case(
        "int-equals",
        "Leads",
        "No_of_Employees",
        "equals",
        "10",
        "No_of_Employees = 10",
        _num("No_of_Employees", lambda v: v == 10),
    ),
    Case(
        "int-not_equal",
        "Leads",
        "No_of_Employees",
        "not_equal",
        "10",
        "No_of_Employees != 10",
        _num("No_of_Employees", lambda v: v != 10, empty=True),
    ),
    Case(
        "int-greater_than",
        "Leads",
        "No_of_Employees",
        "greater_than",
        "10",
        "No_of_Employees > 10",
        _num("No_of_Employees", lambda v: v > 10),
    ),
    Case(
        "int-greater_equal",
        "Leads",
        "No_of_Employees",
        "greater_equal",
        "10",
        "No_of_Employees >= 10",
        _num("No_of_Employees", lambda v: v >= 10),
    ),
    Case(
        "int-less_than",
        "Leads",
        "No_of_Employees",
        "less_than",
        "0",
        "No_of_Employees < 0",
        _num("No_of_Employees", lambda v: v < 0),
    ),
    Case(
        "int-less_equal",
        "Leads",
        "No_of_Employees",
        "less_equal",
        "0",
        "No_of_Employees <= 0",
        _num("No_of_Employees", lambda v: v <= 0),
    ),
    Case(
        "int-between",
        "Leads",
        "No_of_Employees",
        "between",
        "0,99",
        "No_of_Employees between 0 and 99",
        _num("No_of_Employees", lambda v: 0 <= v <= 99),
    ),
    Case(
        "int-not-between",
        "Leads",
        "No_of_Employees",
        None,
        "",
        "No_of_Employees not between 0 and 99",
        _num("No_of_Employees", lambda v: not 0 <= v <= 99, empty=True),
    ),
    Case(
        "int-in",
        "Leads",
        "No_of_Employees",
        "in",
        "0,250",
        "No_of_Employees in (0, 250)",
        _num("No_of_Employees", lambda v: v in {0, 250}),
    ),
    Case(
        "int-is-null",
        "Leads",
        "No_of_Employees",
        None,
        "",
        "No_of_Employees is null",
        _num("No_of_Employees", lambda v: False, empty=True),
    ),
    # currency
    Case(
        "currency-greater_than",
        "Leads",
        "Annual_Revenue",
        "greater_than",
        "99.99",
        "Annual_Revenue > 99.99",
        _num("Annual_Revenue", lambda v: v > Decimal("99.99")),
    ),
    Case(
        "currency-less_equal",
        "Leads",
        "Annual_Revenue",
        "less_equal",
        "1000.5",
        "Annual_Revenue <= 1000.5",
        _num("Annual_Revenue", lambda v: v <= Decimal("1000.5")),
    ),
    Case(
        "currency-equals",
        "Leads",
        "Annual_Revenue",
        "equals",
        "0",
        "Annual_Revenue = 0",
        _num("Annual_Revenue", lambda v: v == 0),
    ),
    # boolean
    Case(
        "bool-equals-true",
        "Leads",
        "Email_Opt_Out",
        "equals",
        "true",
        "Email_Opt_Out = 'true'",
        _val("Email_Opt_Out", lambda v: v is True),
    ),
    Case(
        "bool-equals-false",
        "Leads",
        "Email_Opt_Out",
        "equals",
        "false",
        "Email_Opt_Out = false",
        _val("Email_Opt_Out", lambda v: v is False),
    ),
    Case(
        "bool-not_equal",
        "Leads",
        "Email_Opt_Out",
        "not_equal",
        "true",
        None,
        _val("Email_Opt_Out", lambda v: v is not True, empty=True),
    ),
    # date
    Case(
        "date-equals",
        "Contacts",
        "Date_of_Birth",
        "equals",
        "1990-06-15",
        "Date_of_Birth = '1990-06-15'",
        _val("Date_of_Birth", lambda v: v == "1990-06-15"),
    ),
    Case(
        "date-greater_than",
        "Contacts",
        "Date_of_Birth",
        "greater_than",
        "1990-06-15",
        "Date_of_Birth > '1990-06-15'",
        _val("Date_of_Birth", lambda v: v > "1990-06-15"),
    ),
    Case(
        "date-less_equal",
        "Contacts",
        "Date_of_Birth",
        "less_equal",
        "1990-06-15",
        "Date_of_Birth <= '1990-06-15'",
        _val("Date_of_Birth", lambda v: v <= "1990-06-15"),
    ),
    Case(
        "date-between",
        "Contacts",
        "Date_of_Birth",
        "between",
        "1985-01-01,1995-01-01",
        "Date_of_Birth between '1985-01-01' and '1995-01-01'",
        _val("Date_of_Birth", lambda v: "1985-01-01" <= v <= "1995-01-01"),
    ),
    Case(
        "date-in",
        "Contacts",
        "Date_of_Birth",
        "in",
        "1980-01-31,2001-12-01",
        "Date_of_Birth in ('1980-01-31', '2001-12-01')",
        _val("Date_of_Birth", lambda v: v in {"1980-01-31", "2001-12-01"}),
    ),
    Case(
        "date-not_equal",
        "Contacts",
        "Date_of_Birth",
        "not_equal",
        "1980-01-31",
        "Date_of_Birth != '1980-01-31'",
        _val("Date_of_Birth", lambda v: v != "1980-01-31", empty=True),
    ),
    Case(
        "date-is-not-null",
        "Contacts",
        "Date_of_Birth",
        None,
        "",
        "Date_of_Birth is not null",
        _val("Date_of_Birth", lambda v: True),
    ),
]


def lookup_cases(account_ids: list[str], owner_id: str) -> list[Case]:
    a0 = account_ids[0]
    return [
        Case(
            "lookup-equals",
            "Contacts",
            "Account_Name",
            "equals",
            a0,
            f"Account_Name = '{a0}'",
            _val("Account_Name", lambda v: v == int(a0)),
        ),
        Case(
            "lookup-not_equal",
            "Contacts",
            "Account_Name",
            "not_equal",
            a0,
            f"Account_Name != '{a0}'",
            _val("Account_Name", lambda v: v != int(a0), empty=True),
        ),
        Case(
            "lookup-in",
            "Contacts",
            "Account_Name",
            "in",
            ",".join(account_ids),
            f"Account_Name in ('{account_ids[0]}', '{account_ids[1]}')",
            _val("Account_Name", lambda v: v in {int(a) for a in account_ids}),
        ),
        Case(
            "lookup-is-null",
            "Contacts",
            "Account_Name",
            None,
            "",
            "Account_Name is null",
            _val("Account_Name", lambda v: False, empty=True),
        ),
        Case(
            "owner-equals",
            "Leads",
            "Owner",
            "equals",
            owner_id,
            f"Owner = '{owner_id}'",
            _val("Owner", lambda v: v == int(owner_id)),
        ),
        Case(
            "owner-not_equal",
            "Leads",
            "Owner",
            "not_equal",
            owner_id,
            f"Owner != '{owner_id}'",
            _val("Owner", lambda v: v != int(owner_id)),
        ),
        Case(
            "created-greater_than",
            "Leads",
            "Created_Time",
            "greater_than",
            "2001-01-01T00:00:00+00:00",
            "Created_Time > '2001-01-01T00:00:00+00:00'",
            _val("Created_Time", lambda v: v > 978307200),
        ),
        Case(
            "created-less_than",
            "Leads",
            "Created_Time",
            "less_than",
            "2001-01-01T05:30:00+05:30",
            "Created_Time < '2001-01-01T05:30:00+05:30'",
            _val("Created_Time", lambda v: v < 978307200),
        ),
        Case(
            "created-between",
            "Leads",
            "Created_Time",
            "between",
            "2001-01-01T00:00:00+00:00,2999-01-01T00:00:00+00:00",
            "Created_Time between '2001-01-01T00:00:00+00:00' and '2999-01-01T00:00:00+00:00'",
            _val("Created_Time", lambda v: 978307200 <= v <= 32472144000),
        ),
    ]
