"""Search and COQL through an official SDK, unmodified (issue 11, item 8): shared by
``zohocrmsdk21_query.py`` (v2.1 paths) and ``zcrmsdk31_query.py`` (v2 paths), whose SDKs have the
same classes for these calls. Standard library and the SDK only."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from _flowkit import Flow
from zcrmsdk.src.com.zoho.crm.api import ParameterMap
from zcrmsdk.src.com.zoho.crm.api.query import BodyWrapper as QueryBody
from zcrmsdk.src.com.zoho.crm.api.query import QueryOperations
from zcrmsdk.src.com.zoho.crm.api.record import Record, RecordOperations, SearchRecordsParam

Create = Callable[[Flow, str, str, list[dict[str, object]]], list[int]]


def _search(flow: Flow, name: str, **params: object) -> dict[str, object]:
    pm = ParameterMap()
    for key, value in params.items():
        pm.add(getattr(SearchRecordsParam, key), value)
    return flow.call(name, RecordOperations().search_records("Contacts", pm))


def _coql(flow: Flow, name: str, query: str) -> dict[str, object]:
    body = QueryBody()
    body.set_select_query(query)
    return flow.call(name, QueryOperations().get_records(body))


def main(flow: Flow, initialize: Callable[[Flow], None], create: Create) -> None:
    initialize(flow)
    # The flows of both SDKs may share a server: each run's records have their own domain.
    d = f"sdk-{secrets.token_hex(4)}.example"
    (account,) = create(flow, "Accounts", "create Account", [{"Account_Name": "Zylker SDK"}])
    ref = Record()
    ref.set_id(account)
    contacts = create(
        flow,
        "Contacts",
        "create Contacts",
        [
            {"Last_Name": "Boyle", "Email": f"pboyle@{d}", "Account_Name": ref},
            {"Last_Name": "Gale", "Email": f"gale@{d}"},
            {"Last_Name": "Burns,B", "Email": f"burns@{d}"},
        ],
    )
    flow.ids["account"], flow.ids["contacts"] = account, contacts
    _search(
        flow, "search nested criteria", criteria=f"((Last_Name:starts_with:b)and(Email:equals:PBOYLE@{d}))"
    )
    _search(flow, "search by email", email=f"gale@{d}")
    _search(
        flow, "search escaped comma", criteria=f"((Last_Name:equals:Burns\\,B)and(Email:equals:burns@{d}))"
    )
    _search(
        flow,
        "search page 1 of 2",
        criteria=f"((Last_Name:in:Boyle,Gale,Burns\\,B)and(Email:in:pboyle@{d},gale@{d},burns@{d}))",
        page=1,
        per_page=2,
    )
    _search(flow, "search nothing", criteria="(Email:equals:nobody@sdk.example)")
    _search(flow, "search bad criteria", criteria="((Last_Name:equals:x)")
    _coql(
        flow,
        "coql lookup page 1",
        "select Last_Name, Account_Name, Account_Name.Account_Name, Owner.email from Contacts "
        f"where Email like '%@{d}' order by Last_Name limit 2",
    )
    _coql(
        flow,
        "coql page 2",
        f"select Last_Name from Contacts where Email like '%@{d}' order by Last_Name limit 2, 2",
    )
    _coql(flow, "coql nothing", "select Last_Name from Contacts where Last_Name = 'nobody'")
    _coql(flow, "coql syntax error", "select Last_Name from Contacts where")
