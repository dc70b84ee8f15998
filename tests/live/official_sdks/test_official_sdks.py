"""Zoho's official Python SDKs, unmodified, against a live ``crmlink serve``, on both engines.

Each SDK runs in its own venv (see ``venvs.py``) as a subprocess (``flows/*.py``), authenticates
with a refresh token at crmlink's ``POST /oauth/v2/token``, and does the issue's flows: a Product
and three Price Books, bulk relate with ``list_price``, one price updated with the single form,
prices read back, one book delinked singly and the rest in bulk; a Lead related to two Campaigns
with ``Member_Status``; records created and read. The SDKs swallow many problems, so every call
is checked for the object class the SDK returned, and the SDK's log must hold no ERROR line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import FLOWS, flow_env, run_flow, run_script
from tests.live.server import ADMIN_EMAIL, FULL_SCOPE, Credentials, LiveServer, serve

SDKS = [
    pytest.param(("zohocrmsdk21_python", "zohocrmsdk21_flow"), id="zohocrmsdk2-1==3.0.0"),
    pytest.param(("zcrmsdk31_python", "zcrmsdk31_flow"), id="zcrmsdk==3.1.0"),
]

# The prices the flows send, and the one they change with the single-record form.
PRICES = [10.5, 20.0, 30.75]
UPDATED_PRICE = 15.25

SUCCESS = "SuccessResponse"

#: (call, HTTP status, class of the SDK's object, classes of its items, message of every item)
CALLS: list[tuple[str, int, str | None, list[str] | None, str | None]] = [
    ("create Product", 201, "ActionWrapper", [SUCCESS], "record added"),
    ("create Price_Books", 201, "ActionWrapper", [SUCCESS] * 3, "record added"),
    ("get Product", 200, "ResponseWrapper", None, None),
    ("relate Price_Books (bulk)", 200, "ActionWrapper", [SUCCESS] * 3, "relation added"),
    ("update list_price (single)", 200, "ActionWrapper", [SUCCESS], "relation added"),
    ("list Price_Books", 200, "ResponseWrapper", None, None),
    ("list Price_Books page 1 of 2", 200, "ResponseWrapper", None, None),
    ("get one related Price_Book", 200, "ResponseWrapper", None, None),
    ("delink one (single)", 200, "ActionWrapper", [SUCCESS], "relation removed"),
    ("list after delink one", 200, "ResponseWrapper", None, None),
    ("delink the rest (bulk)", 200, "ActionWrapper", [SUCCESS] * 2, "relation removed"),
    # Nothing related any more: Zoho answers 204 with no body, which the SDKs return as no object.
    ("list after delink all", 204, None, None, None),
    ("create Lead", 201, "ActionWrapper", [SUCCESS], "record added"),
    ("create Campaigns", 201, "ActionWrapper", [SUCCESS] * 2, "record added"),
    ("get Lead", 200, "ResponseWrapper", None, None),
    ("relate Campaigns with Member_Status", 200, "ActionWrapper", [SUCCESS] * 2, "relation added"),
    ("list Campaigns of Lead", 200, "ResponseWrapper", None, None),
]


@pytest.fixture(scope="module", params=SDKS)
def flow(
    request: pytest.FixtureRequest, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One run of an SDK's flow script against ``live_server``: the JSON it printed."""
    python_fixture, script = request.param
    python: Path = request.getfixturevalue(python_fixture)
    workdir = tmp_path_factory.mktemp(f"{script}-{live_server.engine}")
    return run_flow(python, script, live_server, live_server.credentials(), workdir)


def _call(flow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in flow["calls"] if c["name"] == name]
    assert found, f"the flow never made the call {name!r}; it stopped with:\n{flow['exception']}"
    return found[0]


def test_the_flow_ran_to_the_end_without_sdk_errors(flow: dict[str, Any]) -> None:
    assert flow["exception"] is None, flow["exception"]
    # The SDK got its access token by refreshing at crmlink's /oauth/v2/token, once.
    assert flow["stored_access_tokens"] == 1
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])
    assert [c["name"] for c in flow["calls"]] == [row[0] for row in CALLS]


@pytest.mark.parametrize(
    ("name", "status", "object_class", "items", "message"), CALLS, ids=[r[0] for r in CALLS]
)
def test_each_call_returns_what_the_sdk_expects(
    flow: dict[str, Any],
    name: str,
    status: int,
    object_class: str | None,
    items: list[str] | None,
    message: str | None,
) -> None:
    call = _call(flow, name)
    assert (call["status"], call["object"]) == (status, object_class), call
    if items is not None:
        assert [i["class"] for i in call["items"]] == items, call
        assert {i["code"] for i in call["items"]} == {"SUCCESS"}, call
        assert {i["message"] for i in call["items"]} == {message}, call


def test_created_records_read_back(flow: dict[str, Any]) -> None:
    ids = flow["ids"]
    product = _call(flow, "get Product")["records"]
    assert [(r["id"], r["Product_Name"], r["Unit_Price"]) for r in product] == [
        (ids["product"], product[0]["Product_Name"], 9.99)
    ]
    assert product[0]["Product_Name"].endswith("widget")
    assert product[0]["Owner"]["$class"] == "User"
    lead = _call(flow, "get Lead")["records"]
    assert [(r["id"], r["Company"]) for r in lead] == [(ids["lead"], "Zylker")]


def test_bulk_relate_answers_each_price_book_in_input_order(flow: dict[str, Any]) -> None:
    books = flow["ids"]["price_books"]
    relate = _call(flow, "relate Price_Books (bulk)")
    assert [i["details"]["id"] for i in relate["items"]] == books
    single = _call(flow, "update list_price (single)")
    assert [i["details"]["id"] for i in single["items"]] == [books[0]]


def test_prices_read_back_include_the_single_update(flow: dict[str, Any]) -> None:
    books = [str(b) for b in flow["ids"]["price_books"]]
    expected = dict(zip(books, [UPDATED_PRICE, *PRICES[1:]], strict=True))
    assert flow["facts"].get("prices_after_update") == expected
    listing = _call(flow, "list Price_Books")
    assert listing["info"]["count"] == 3 and listing["info"]["more_records"] is False
    first_page = _call(flow, "list Price_Books page 1 of 2")
    assert first_page["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    assert {str(r["id"]) for r in first_page["records"]} < set(books)
    one = _call(flow, "get one related Price_Book")["records"]
    assert [(str(r["id"]), r["list_price"]) for r in one] == [(books[1], PRICES[1])]


def test_delinked_price_books_are_gone(flow: dict[str, Any]) -> None:
    books = flow["ids"]["price_books"]
    assert flow["facts"].get("after_delink_one") == sorted(str(b) for b in books[:2])
    assert [i["details"]["id"] for i in _call(flow, "delink one (single)")["items"]] == [books[2]]
    assert [i["details"]["id"] for i in _call(flow, "delink the rest (bulk)")["items"]] == books[:2]


def test_lead_campaigns_keep_their_member_status(flow: dict[str, Any]) -> None:
    campaigns = [str(c) for c in flow["ids"]["campaigns"]]
    assert flow["facts"].get("member_status") == dict(zip(campaigns, ["Invited", "Planned"], strict=True))


def _stored_access_token(sdk_dir: Path) -> str:
    with (sdk_dir / "sdk_tokens.csv").open(newline="") as f:
        (row,) = [r for r in csv.DictReader(f) if r["access_token"]]
    return row["access_token"]


def test_the_sdk_token_store_survives_a_restart_but_not_a_new_database(
    zohocrmsdk21_python: Path, tmp_path: Path
) -> None:
    """What docs/clients.md says about keeping a FileStore: tokens live in crmlink's database."""
    sdk_dir = tmp_path / "sdk"
    with serve("sqlite", tmp_path / "server") as first:
        creds = first.credentials()
        before = run_flow(zohocrmsdk21_python, "zohocrmsdk21_one_call", first, creds, sdk_dir)
        assert (before["calls"][0]["status"], before["stored_access_tokens"]) == (201, 1), before
        token = _stored_access_token(sdk_dir)

    with serve("sqlite", tmp_path / "server") as restarted:  # same data, new process and port
        after = run_flow(zohocrmsdk21_python, "zohocrmsdk21_one_call", restarted, creds, sdk_dir)
        assert after["calls"][0]["status"] == 201, after
        assert [i["class"] for i in after["calls"][0]["items"]] == [SUCCESS]
        assert _stored_access_token(sdk_dir) == token  # reused as it was: no refresh needed

    with serve("sqlite", tmp_path / "other") as new_database:
        stale = run_flow(zohocrmsdk21_python, "zohocrmsdk21_one_call", new_database, creds, sdk_dir)
        # The SDK sends the stored token and never refreshes on a 401. Here its first request is
        # the new URL's metadata fetch, whose 401 surfaces as an SDKException from create_records.
        assert stale["calls"] == [] and "SDKException" in stale["exception"], stale
        assert _stored_access_token(sdk_dir) == token


@pytest.mark.parametrize(
    ("python_fixture", "script"),
    [
        pytest.param("zohocrmsdk21_python", "zohocrmsdk21_one_call", id="zohocrmsdk2-1==3.0.0"),
        pytest.param("zcrmsdk31_python", "zcrmsdk31_one_call", id="zcrmsdk==3.1.0"),
    ],
)
def test_the_sdk_can_start_from_a_grant_token(
    request: pytest.FixtureRequest, live_server: LiveServer, python_fixture: str, script: str, tmp_path: Path
) -> None:
    """The other token mode of docs/clients.md: the SDK exchanges a ``crmlink grant`` code itself
    (3.0.0 insists on a refresh_token in that reply) and then works as with a refresh token."""
    python: Path = request.getfixturevalue(python_fixture)
    client = live_server.cli("clients", "add", "--name", "grant-mode")
    grant = live_server.cli(
        "grant", "--client", client["client_id"], "--user", ADMIN_EMAIL, "--scope", FULL_SCOPE
    )
    creds = Credentials(client["client_id"], client["client_secret"], "", ADMIN_EMAIL, FULL_SCOPE)
    done = run_script(
        python,
        FLOWS / f"{script}.py",
        workdir=tmp_path,
        env={**flow_env(live_server, creds, tmp_path), "CRMLINK_GRANT_TOKEN": grant["code"]},
    )
    result = json.loads(done.stdout)
    assert result["exception"] is None and result["log_errors"] == [], result
    call = result["calls"][0]
    assert (call["status"], call["object"], [i["class"] for i in call["items"]]) == (
        201,
        "ActionWrapper",
        [SUCCESS],
    )
    assert result["stored_access_tokens"] == 1


NOTIFY_SCOPE = FULL_SCOPE + ",ZohoCRM.notifications.ALL"


def test_zohocrmsdk21_notification_methods_run_unmodified(
    zohocrmsdk21_python: Path, live_server: LiveServer, tmp_path: Path
) -> None:
    """Zoho's v2.1 SDK subscribes, lists, replaces, updates, removes events and disables."""
    creds = live_server.credentials(scope=NOTIFY_SCOPE)
    flow = run_flow(zohocrmsdk21_python, "zohocrmsdk21_notifications", live_server, creds, tmp_path)
    assert flow["exception"] is None, flow["exception"]
    assert flow["log_errors"] == [], "\n".join(flow["log_errors"])
    calls = {c["name"]: c for c in flow["calls"]}

    def items(name: str) -> list[tuple[str, str, str]]:
        call = calls[name]
        return [(i["class"], i["code"], i["message"]) for i in call["items"]]

    assert (calls["enable"]["status"], calls["enable"]["object"]) == (201, "ActionWrapper")
    assert items("enable") == [
        ("SuccessResponse", "SUCCESS", "Successfully subscribed for actions-watch of the given module")
    ]
    assert len(calls["enable"]["items"][0]["details"]["events"]) == 2  # one per module
    details = calls["details"]
    assert (details["status"], details["object"], details["count"]) == (200, "ResponseWrapper", 2)
    leads, contacts = details["watch"]
    assert leads["channel_id"] == 1000000068001 and leads["resource_name"] == "Leads"
    assert leads["events"] == ["Leads.create", "Leads.edit", "Leads.delete"]
    assert leads["token"] == "tok-1" and leads["expiry_class"] == "datetime"
    assert leads["notify_on_related_action"] is True
    assert contacts["events"] == ["Contacts.edit"]
    assert [w["resource_name"] for w in calls["details of Contacts"]["watch"]] == ["Contacts"]
    updated = "Successfully updated the subscribe details"
    assert items("replace (PUT)") == [("SuccessResponse", "SUCCESS", updated)]
    assert items("update (PATCH)") == [("SuccessResponse", "SUCCESS", updated)]
    assert items("remove events") == [
        ("SuccessResponse", "SUCCESS", "Successfully removed the subscribe details")
    ]
    (after,) = calls["details after updates"]["watch"]
    assert (after["resource_name"], after["events"], after["token"]) == ("Leads", ["Leads.create"], "tok-2")
    assert items("disable") == [
        ("SuccessResponse", "SUCCESS", "Successfully un-subscribed from actions-watch")
    ]
    assert (calls["details after disable"]["status"], calls["details after disable"]["object"]) == (204, None)
    unknown = calls["disable unknown"]
    assert unknown["status"] == 202
    assert items("disable unknown") == [
        ("APIException", "NOT_SUBSCRIBED", "Not subscribed for actions-watch of the given channel")
    ]
