"""Upsert, deleted records, record count and mass update through Zoho's official SDKs,
unmodified, against a live ``crmlink serve`` on both engines (issue 11, item 8):
``RecordOperations.upsert_records``, ``get_deleted_records``, ``record_count`` (v2.1 only),
``mass_update_records`` and ``get_mass_update_status`` of ``zohocrmsdk2-1==3.0.0`` (v2.1) and
``zcrmsdk==3.1.0`` (v2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import run_flow
from tests.live.server import LiveServer

SDKS = [
    pytest.param(("zohocrmsdk21_python", "zohocrmsdk21_more", True), id="zohocrmsdk2-1==3.0.0"),
    pytest.param(("zcrmsdk31_python", "zcrmsdk31_more", False), id="zcrmsdk==3.1.0"),
]


@pytest.fixture(scope="module", params=SDKS)
def flow(
    request: pytest.FixtureRequest, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    python_fixture, script, has_count = request.param
    python: Path = request.getfixturevalue(python_fixture)
    workdir = tmp_path_factory.mktemp(f"{script}-{live_server.engine}")
    result = run_flow(python, script, live_server, live_server.credentials(), workdir)
    result["has_count"] = has_count
    return result


def _call(flow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in flow["calls"] if c["name"] == name]
    assert found, f"the flow never made the call {name!r}; it stopped with:\n{flow['exception']}"
    return found[0]


def test_the_flow_ran_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])


def test_upsert_records(flow: dict[str, Any]) -> None:
    first = _call(flow, "upsert insert")
    assert (first["status"], first["object"]) == (200, "ActionWrapper"), first
    assert [i["class"] for i in first["items"]] == ["SuccessResponse"] * 3
    assert {i["message"] for i in first["items"]} == {"record added"}
    assert first["upserted"] == [{"action": "insert", "duplicate_field": None}] * 3
    again = _call(flow, "upsert update")
    assert again["upserted"] == [{"action": "update", "duplicate_field": "Email"}] * 3
    assert [int(i["details"]["id"]) for i in again["items"]] == flow["ids"]["leads"]


def test_record_count(flow: dict[str, Any]) -> None:
    if not flow["has_count"]:
        pytest.skip("zcrmsdk 3.1.0 (v2) has no record count")
    before, after = _call(flow, "count before"), _call(flow, "count after")
    assert (before["status"], before["object"]) == (200, "CountWrapper"), before
    assert after["count"] == before["count"] + 3


def test_mass_update(flow: dict[str, Any]) -> None:
    mass = _call(flow, "mass update")
    assert (mass["status"], mass["object"]) == (200, "MassUpdateActionWrapper"), mass
    assert [m["class"] for m in mass["mass"]] == ["MassUpdateSuccessResponse"] * 2
    assert [int(m["details"]["id"]) for m in mass["mass"]] == flow["ids"]["leads"][:2]
    status = _call(flow, "mass update status unknown job")
    assert (status["status"], status["object"]) == (404, "APIException"), status
    assert status["error"] == {"code": "NOT_FOUND", "message": "Empty response"}


def test_deleted_records(flow: dict[str, Any]) -> None:
    assert _call(flow, "delete one")["items"][0]["message"] == "record deleted"
    listed = _call(flow, "deleted recycle")
    assert (listed["status"], listed["object"]) == (200, "DeletedRecordsWrapper"), listed
    mine = [r for r in listed["deleted"] if int(r["id"]) == flow["ids"]["leads"][0]]
    assert len(mine) == 1
    assert mine[0]["type"] == "recycle" and mine[0]["display_name"] == "Lead 0"
    assert mine[0]["deleted_by"]["$class"] == "User"
    permanent = _call(flow, "deleted permanent")
    assert (permanent["status"], permanent["object"]) == (204, None), permanent
