"""The official v2.1 SDK on an org whose schema was imported (issue 12's "done when"): from a
fresh database, ``crmlink schema import examples/schema/captured``, then the SDK creates a Lead
with every custom field, reads it back equal, and relates Skills to a Contact through the
multi-select lookup's related list. Both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import run_flow
from tests.live.server import LiveServer, fresh_pg_database, run_cli, serve

CAPTURED = Path(__file__).resolve().parents[3] / "examples" / "schema" / "captured"
SUCCESS = "SuccessResponse"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def custom_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    workdir: Path = tmp_path_factory.mktemp(f"custom-{request.param}")
    if request.param == "postgresql":
        request.getfixturevalue("pg_database")  # the suite's availability check
        with fresh_pg_database() as url, serve("postgresql", workdir, database_url=url) as server:
            yield server
    else:
        with serve("sqlite", workdir) as server:
            yield server


@pytest.fixture(scope="module")
def flow(
    custom_server: LiveServer, zohocrmsdk21_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    imported = run_cli(["schema", "import", str(CAPTURED), *custom_server.storage_args, "--json"])
    assert "added field Leads.Region (picklist)" in imported["changes"]
    workdir = tmp_path_factory.mktemp("custom-flow")
    return run_flow(
        zohocrmsdk21_python, "zohocrmsdk21_custom_flow", custom_server, custom_server.credentials(), workdir
    )


def _call(flow: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in flow["calls"] if c["name"] == name]
    assert found, f"the flow never made the call {name!r}; it stopped with:\n{flow['exception']}"
    return found[0]


def test_the_flow_ran_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])


def test_every_custom_field_reads_back_equal(flow: dict[str, Any]) -> None:
    created = _call(flow, "create Lead with every custom field")
    assert (created["status"], [i["class"] for i in created["items"]]) == (201, [SUCCESS]), created
    (lead,) = _call(flow, "get Lead")["records"]
    ids = flow["ids"]
    assert lead["Region"] == "EMEA" and lead["Partner_Tier"] == "Gold"
    assert lead["Interests"] == ["CRM", "Analytics"]
    assert lead["Lead_Score_Custom"] == 42 and lead["Big_Number"] == 9007199254740993
    assert lead["Discount_Rate"] == 12.5 and lead["Contract_Value"] == 1999.99 and lead["Weight"] == 1.125
    assert lead["Is_Partner"] is True
    assert lead["Renewal_Date"] == "2027-01-31"
    # The same instant (the SDK sends and reads datetimes in the machine's zone).
    assert datetime.fromisoformat(lead["Last_Demo"]) == datetime.fromisoformat("2026-11-30T10:15:00+05:30")
    assert lead["Long_Notes"] == "x" * 5000
    assert lead["Partner_Email"] == "partner@example.com" and lead["Partner_Phone"] == "+1 555 0100"
    assert lead["Partner_Site"] == "https://partner.example.com" and lead["Partner_Code"] == "P-001"
    assert (
        lead["Preferred_Account"]["id"] == ids["account"] and lead["Preferred_Account"]["$class"] == "Record"
    )
    assert lead["Account_Manager"]["id"] == ids["user"]
    assert lead["Contract_Files"] == [{"$class": "FileDetails", "file_id": f} for f in ("f1", "f2")]
    assert lead["Badge"] == [{"$class": "ImageUpload", "file_id": "img1"}]
    assert lead["Employee_Code"] == "EMP-1000"


def test_skills_related_through_the_multi_select_lookup(flow: dict[str, Any]) -> None:
    skills = flow["ids"]["skills"]
    relate = _call(flow, "relate Skills (bulk)")
    assert relate["status"] == 200 and [i["message"] for i in relate["items"]] == ["relation added"] * 3
    assert [int(i["details"]["id"]) for i in relate["items"]] == skills
    listed = _call(flow, "list Skills of Contact")["records"]
    assert sorted(r["id"] for r in listed) == sorted(skills)
    assert [i["message"] for i in _call(flow, "delink one Skill")["items"]] == ["relation removed"]
    assert [i["message"] for i in _call(flow, "delink another Skill (bulk form)")["items"]] == [
        "relation removed"
    ]
    assert [r["id"] for r in _call(flow, "list after delink")["records"]] == [skills[2]]


def test_skills_in_the_contact_body(flow: dict[str, Any]) -> None:
    """The SDK writes the multi-select lookup as linking rows and reads them back as Records of
    the linking module, each naming its Skill; the related list and the linking module agree."""
    skills, second = flow["ids"]["skills"], flow["ids"]["second_contact"]
    made = _call(flow, "create Contact with Skills in the body")
    assert (made["status"], [i["class"] for i in made["items"]]) == (201, [SUCCESS]), made
    (contact,) = _call(flow, "get Contact with Skills")["records"]
    rows = contact["Skills"]
    assert [r["$class"] for r in rows] == ["Record", "Record"]
    assert [int(r["Skills"]["id"]) for r in rows] == skills[:2]
    assert [r["Skills"]["name"] for r in rows] == ["Python", "SQL"]
    assert all(str(r["id"]).isdigit() for r in rows)
    listed = _call(flow, "list Skills of the second Contact")["records"]
    assert sorted(r["id"] for r in listed) == sorted(skills[:2])
    linking = _call(flow, "list linking records")["records"]
    pairs = {(int(r["Contacts"]["id"]), int(r["Skills"]["id"])) for r in linking}
    assert {(second, skills[0]), (second, skills[1]), (flow["ids"]["contact"], skills[2])} == pairs
    assert {r["id"] for r in rows} <= {r["id"] for r in linking}


def test_custom_module_fields_read_back_equal(flow: dict[str, Any]) -> None:
    (vehicle,) = _call(flow, "get Vehicle")["records"]
    assert vehicle["Name"] == "Truck" and vehicle["Plate"] == "KA-01-1234" and vehicle["Model_Year"] == 2024
    assert vehicle["Fuel"] == "Diesel"
    assert int(vehicle["Driver"]["id"]) == flow["ids"]["contact"] and vehicle["Driver"]["$class"] == "Record"
    (skill,) = _call(flow, "get Skill")["records"]
    assert skill["Name"] == "Rust" and skill["Skill_Level"] == "Expert"
