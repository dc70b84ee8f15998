"""Search and COQL through Zoho's official SDKs, unmodified, against a live ``crmlink serve`` on
both engines (issue 11, item 8): ``RecordOperations.search_records`` and
``QueryOperations.get_records`` of ``zohocrmsdk2-1==3.0.0`` (v2.1) and ``zcrmsdk==3.1.0`` (v2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import run_flow
from tests.live.server import LiveServer

SDKS = [
    pytest.param(("zohocrmsdk21_python", "zohocrmsdk21_query"), id="zohocrmsdk2-1==3.0.0"),
    pytest.param(("zcrmsdk31_python", "zcrmsdk31_query"), id="zcrmsdk==3.1.0"),
]


@pytest.fixture(scope="module", params=SDKS)
def flow(
    request: pytest.FixtureRequest, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    python_fixture, script = request.param
    python: Path = request.getfixturevalue(python_fixture)
    workdir = tmp_path_factory.mktemp(f"{script}-{live_server.engine}")
    return run_flow(python, script, live_server, live_server.credentials(), workdir)


def _call(flow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in flow["calls"] if c["name"] == name]
    assert found, f"the flow never made the call {name!r}; it stopped with:\n{flow['exception']}"
    return found[0]


def _names(call: dict[str, Any]) -> list[str]:
    return [r["Last_Name"] for r in call["records"]]


def test_the_flow_ran_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    # The two error calls below are answered as Zoho does; the SDK logs nothing as an ERROR.
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])


def test_search_records(flow: dict[str, Any]) -> None:
    boyle, gale, burns = (str(i) for i in flow["ids"]["contacts"])
    nested = _call(flow, "search nested criteria")
    assert (nested["status"], nested["object"]) == (200, "ResponseWrapper"), nested
    assert [str(r["id"]) for r in nested["records"]] == [boyle]
    assert nested["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    assert [str(r["id"]) for r in _call(flow, "search by email")["records"]] == [gale]
    assert [str(r["id"]) for r in _call(flow, "search escaped comma")["records"]] == [burns]
    page = _call(flow, "search page 1 of 2")
    assert [str(r["id"]) for r in page["records"]] == [boyle, gale]
    assert page["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    assert (_call(flow, "search nothing")["status"], _call(flow, "search nothing")["object"]) == (204, None)
    bad = _call(flow, "search bad criteria")
    assert (bad["status"], bad["object"]) == (400, "APIException"), bad
    assert bad["error"]["code"] == "INVALID_QUERY"


def test_coql_get_records(flow: dict[str, Any]) -> None:
    first = _call(flow, "coql lookup page 1")
    assert (first["status"], first["object"]) == (200, "ResponseWrapper"), first
    assert _names(first) == ["Boyle", "Burns,B"]
    boyle = first["records"][0]
    assert str(boyle["Account_Name"]["id"]) == str(flow["ids"]["account"])
    assert boyle["Account_Name.Account_Name"] == "Zylker SDK"
    assert "@" in boyle["Owner.email"]
    assert first["info"]["count"] == 2 and first["info"]["more_records"] is True
    second = _call(flow, "coql page 2")
    assert _names(second) == ["Gale"] and second["info"]["more_records"] is False
    nothing = _call(flow, "coql nothing")
    assert (nothing["status"], nothing["object"]) == (204, None)
    bad = _call(flow, "coql syntax error")
    assert (bad["status"], bad["object"]) == (400, "APIException"), bad
    assert bad["error"]["code"] == "SYNTAX_ERROR"
