"""zohocrmsdk2-1's attachments, photo, tags and convert_lead, unmodified, against a live
``crmlink serve`` on both engines (``flows/zohocrmsdk21_files_flow.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import run_flow
from tests.live.server import LiveServer


@pytest.fixture(scope="module")
def flow(
    zohocrmsdk21_python: Path, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp(f"files-{live_server.engine}")
    return run_flow(
        zohocrmsdk21_python, "zohocrmsdk21_files_flow", live_server, live_server.credentials(), workdir
    )


def _call(flow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in flow["calls"] if c["name"] == name]
    assert found, f"the flow never made the call {name!r}; it stopped with:\n{flow['exception']}"
    return found[0]


def test_the_flow_ran_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])


def test_attachments_upload_list_download_delete(flow: dict[str, Any]) -> None:
    upload = _call(flow, "upload attachment")
    assert upload["status"] == 200 and upload["items"][0]["message"] == "attachment uploaded successfully", (
        upload
    )
    assert _call(flow, "upload link attachment")["items"][0]["code"] == "SUCCESS"
    rows = flow["facts"]["attachments"]
    assert [r["File_Name"] for r in rows] == ["cv 2026.pdf", "https://example.com/portfolio"]
    assert rows[0]["Size"] == 200_007
    downloaded = flow["facts"]["downloaded"]
    assert downloaded == {"name": "cv 2026.pdf", "sha256": flow["facts"]["uploaded_sha256"], "size": 200_007}
    assert _call(flow, "delete attachment")["items"][0]["message"] == "record deleted"


def test_photo_upload_download_delete(flow: dict[str, Any]) -> None:
    up = _call(flow, "upload photo")
    assert up["status"] == 200 and up["result"]["message"] == "photo uploaded successfully", up
    assert flow["facts"]["photo_equal"] is True
    assert _call(flow, "delete photo")["result"]["message"] == "Photo deleted"


def test_tags(flow: dict[str, Any]) -> None:
    created = _call(flow, "create tag")
    assert created["status"] == 201 and created["items"][0]["message"] == "tags created successfully", created
    added = _call(flow, "add tags to record")
    assert added["status"] == 200 and added["items"][0]["code"] == "SUCCESS", added
    assert flow["facts"]["tag_names"] == ["cv", "webinar-2026"]
    lead = _call(flow, "get tagged lead")["records"][0]
    assert sorted(t["name"] if isinstance(t, dict) else t for t in _names(lead["Tag"])) == [
        "cv",
        "webinar-2026",
    ]


def _names(tags: Any) -> list[str]:
    return [t.get("name") if isinstance(t, dict) else str(t) for t in tags]


def test_convert_lead(flow: dict[str, Any]) -> None:
    converted = flow["facts"]["converted"]
    assert converted["class"] == "SuccessfulConvert", converted
    assert all(converted[k] for k in ("Contacts", "Accounts", "Deals")), converted
    assert flow["facts"]["contact_attachments"] == [str(flow["ids"]["attachment"])]
    again = _call(flow, "convert again")
    assert again["status"] == 400 and again["error"]["code"] == "ID_ALREADY_CONVERTED", again
