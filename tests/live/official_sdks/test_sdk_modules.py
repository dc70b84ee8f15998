"""Issue 12 through Zoho's ``zohocrmsdk2-1==3.0.0``, unmodified, against a live ``crmlink serve``
on both engines: a Task with ``What_Id``, a Quote with ``Quoted_Items`` (the SDK types the rows
from ``settings/fields?module=Quoted_Items``), and the metadata answers it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crmlink.storage.contact_roles import DEFAULT_ROLES
from tests.live.official_sdks.scripts import run_flow
from tests.live.server import LiveServer

CALLS = [
    ("create Account", 201, "ActionWrapper"),
    ("create Task", 201, "ActionWrapper"),
    ("get Task", 200, "ResponseWrapper"),
    ("create Product", 201, "ActionWrapper"),
    ("create Quote", 201, "ActionWrapper"),
    ("get Quote", 200, "ResponseWrapper"),
    ("get Quotes layouts", 200, "ResponseWrapper"),
    ("get Leads custom views", 200, "ResponseWrapper"),
    ("get org", 200, "ResponseWrapper"),
    ("get profiles", 200, "ResponseWrapper"),
    ("get roles", 200, "ResponseWrapper"),
    ("get contact roles", 200, "ResponseWrapper"),
]


@pytest.fixture(scope="module")
def flow(
    zohocrmsdk21_python: Path, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp(f"modules-{live_server.engine}")
    return run_flow(
        zohocrmsdk21_python, "zohocrmsdk21_modules", live_server, live_server.credentials(), workdir
    )


def test_the_flow_ran_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])
    assert [(c["name"], c["status"], c["object"]) for c in flow["calls"]] == CALLS
    for call in flow["calls"]:
        for item in call.get("items", []):
            assert (item["class"], item["code"]) == ("SuccessResponse", "SUCCESS"), call


def test_the_task_points_at_its_account(flow: dict[str, Any]) -> None:
    task = flow["facts"]["task"]
    assert task["what_id"] == flow["ids"]["account"]
    assert task["what_class"] == "Record" and task["se_module"] == "Accounts"


def test_the_quote_s_line_items_and_totals(flow: dict[str, Any]) -> None:
    quote = flow["facts"]["quote"]
    (row,) = quote["rows"]
    assert row["product_class"] == "LineItemProduct" and row["product_id"] == flow["ids"]["product"]
    # 4 x 12.50 = 50.00, 10% off = 45.00
    assert (row["quantity"], row["net_total"]) == (4.0, 45.0)
    assert (quote["sub_total"], quote["grand_total"]) == (45.0, 45.0)


def test_the_metadata_the_sdk_read(flow: dict[str, Any]) -> None:
    facts = flow["facts"]
    assert facts["layouts"] == [
        {"name": "Standard", "sections": ["Quote Information", "Quoted Items", "Description Information"]}
    ]
    assert facts["custom_views"] == ["All Leads", "My Leads"]
    assert len(facts["org"]) == 1
    assert set(facts["profiles"]) >= {"Administrator", "Standard"}
    assert facts["roles"] == ["CEO", "Manager"]
    assert facts["contact_roles"] == list(DEFAULT_ROLES)
