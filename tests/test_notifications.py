"""Notification deliveries to a real HTTP receiver in the test process (spec §11.1).

Each row subscribes a channel, does one operation, then creates a Price Book (the sentinel, which
the channel also watches). Notifications of one channel arrive in order, so once the sentinel's
arrives, everything the operation caused has arrived: the row then checks it got exactly that.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import TestOrg, record_fields
from tests.receiver import Receiver, running

WATCH = "/crm/v2.1/actions/watch"
SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.notifications.ALL"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from running()


def _subscribe(client: Any, org: TestOrg, url: str, events: list[str], **extra: Any) -> str:
    channel = str(random.randrange(10**12, 10**13))
    item = {"channel_id": channel, "events": events, "notify_url": url, **extra}
    response = client.post(WATCH, json={"watch": [item]}, headers=org.headers_for(scope=SCOPE))
    assert response.status_code == 201, response.text
    return channel


def _sentinel(client: Any, org: TestOrg) -> str:
    return org.create(client, "Price_Books")[0]


def _until_sentinel(receiver: Receiver, path: str, sentinel: str) -> list[dict[str, Any]]:
    count = 1
    while True:
        got = receiver.wait_for(path, count)
        bodies = [g.body for g in got]
        if any(b["module"] == "Price_Books" and sentinel in b["ids"] for b in bodies):
            index = next(i for i, b in enumerate(bodies) if b["module"] == "Price_Books")
            return bodies[:index]
        count = len(got) + 1


@dataclass
class Row:
    events: list[str]
    # (client, org) -> setup state; then (client, org, state) -> the expected notifications
    setup: Callable[[Any, TestOrg], dict[str, str]]
    act: Callable[[Any, TestOrg, dict[str, str]], list[tuple[str, str, list[str], list[Any]]]]
    related: bool = True


def _lead(client: Any, org: TestOrg) -> dict[str, str]:
    return {"lead": org.create(client, "Leads")[0]}


def _lead_campaign(client: Any, org: TestOrg) -> dict[str, str]:
    return {"lead": org.create(client, "Leads")[0], "campaign": org.create(client, "Campaigns")[0]}


def _nothing(client: Any, org: TestOrg) -> dict[str, str]:
    return {}


def _create_lead(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    lead = org.create(client, "Leads")[0]
    return [("Leads", "insert", [lead], [])]


def _create_three(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    leads = org.create(client, "Leads", count=3)
    return [("Leads", "insert", leads, [])]


def _update_lead(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    r = client.put(
        f"/crm/v2.1/Leads/{s['lead']}", json={"data": [{"Company": "New Co"}]}, headers=org.headers
    )
    assert r.status_code == 200
    return [("Leads", "update", [s["lead"]], [{s["lead"]: ["Company"]}])]


def _delete_lead(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    assert client.delete(f"/crm/v2.1/Leads/{s['lead']}", headers=org.headers).status_code == 200
    return [("Leads", "delete", [s["lead"]], [])]


def _relate(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    url = f"/crm/v2.1/Campaigns/{s['campaign']}/Leads/{s['lead']}"
    assert client.put(url, json={"data": [{"Member_Status": "Sent"}]}, headers=org.headers).status_code == 200
    return []


def _none(fn: Callable[..., Any]) -> Callable[..., list[Any]]:
    def run(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
        fn(client, org, s)
        return []

    return run


def _relate_lead_side(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    _relate(client, org, s)
    return [("Leads", "update", [s["lead"]], [{s["lead"]: ["Campaigns"]}])]


def _relate_campaign_side(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    _relate(client, org, s)
    return [("Campaigns", "update", [s["campaign"]], [{s["campaign"]: ["Leads"]}])]


def _account(client: Any, org: TestOrg) -> dict[str, str]:
    return {"account": org.create(client, "Accounts")[0]}


def _contact_of_account(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    item = record_fields("Contacts", Account_Name={"id": s["account"]})
    r = client.post("/crm/v2.1/Contacts", json={"data": [item]}, headers=org.headers)
    assert r.status_code == 201, r.text
    return [("Accounts", "update", [s["account"]], [{s["account"]: ["Contacts"]}])]


def _delete_linked_lead(client: Any, org: TestOrg, s: dict[str, str]) -> list[Any]:
    _relate(client, org, s)
    assert client.delete(f"/crm/v2.1/Leads/{s['lead']}", headers=org.headers).status_code == 200
    # The relate is an update of the Lead (related action); the delete is a delete, not also an
    # update of the record being deleted.
    return [
        ("Leads", "update", [s["lead"]], [{s["lead"]: ["Campaigns"]}]),
        ("Leads", "delete", [s["lead"]], []),
    ]


ROWS = {
    "create x Leads.all": Row(["Leads.all"], _nothing, _create_lead),
    "create x Leads.create": Row(["Leads.create"], _nothing, _create_lead),
    "create x Leads.edit": Row(["Leads.edit"], _nothing, _none(_create_lead)),
    "create x Contacts.all": Row(["Contacts.all"], _nothing, _none(_create_lead)),
    "bulk create x Leads.all": Row(["Leads.all"], _nothing, _create_three),
    "update x Leads.edit": Row(["Leads.edit"], _lead, _update_lead),
    "update x Leads.all": Row(["Leads.all"], _lead, _update_lead),
    "update x Leads.create": Row(["Leads.create"], _lead, _none(_update_lead)),
    "update x Leads.delete": Row(["Leads.delete"], _lead, _none(_update_lead)),
    "delete x Leads.delete": Row(["Leads.delete"], _lead, _delete_lead),
    "delete x Leads.edit": Row(["Leads.edit"], _lead, _none(_delete_lead)),
    "delete x Contacts.delete": Row(["Contacts.delete"], _lead, _none(_delete_lead)),
    "relate x Leads.edit": Row(["Leads.edit"], _lead_campaign, _relate_lead_side),
    "relate x Campaigns.all": Row(["Campaigns.all"], _lead_campaign, _relate_campaign_side),
    "relate x Leads.edit, not related": Row(["Leads.edit"], _lead_campaign, _none(_relate), related=False),
    "relate x Leads.create": Row(["Leads.create"], _lead_campaign, _none(_relate)),
    "lookup x Accounts.edit": Row(["Accounts.edit"], _account, _contact_of_account),
    "lookup x Accounts.edit, not related": Row(
        ["Accounts.edit"], _account, _none(_contact_of_account), related=False
    ),
    "delete linked x Leads.all": Row(["Leads.all"], _lead_campaign, _delete_linked_lead),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_operation_x_events_x_module(client: Any, org: TestOrg, receiver: Receiver, name: str) -> None:
    row = ROWS[name]
    state = row.setup(client, org)
    path, url = receiver.url()
    channel = _subscribe(
        client, org, url, [*row.events, "Price_Books.create"], notify_on_related_action=row.related
    )
    expected = row.act(client, org, state)
    got = _until_sentinel(receiver, path, _sentinel(client, org))
    assert [(b["module"], b["operation"], b["ids"], b["affected_fields"]) for b in got] == [
        (m, op, ids, fields) for m, op, ids, fields in expected
    ]
    assert all(b["channel_id"] == channel for b in got)


def test_callback_is_zohos_shape(client: Any, org: TestOrg, receiver: Receiver) -> None:
    lead = org.create(client, "Leads")[0]
    path, url = receiver.url("key1=val1&key2=val2")
    channel = _subscribe(
        client, org, url, ["Leads.edit"], token="TOKEN_FOR_VERIFICATION", return_affected_field_values=True
    )
    r = client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Mobile": "123456789"}]}, headers=org.headers)
    assert r.status_code == 200
    (got,) = receiver.wait_for(path, 1)
    body = got.body
    assert list(body) == [
        "server_time",
        "query_params",
        "module",
        "resource_uri",
        "ids",
        "affected_fields",
        "affected_values",
        "operation",
        "channel_id",
        "token",
    ]
    assert isinstance(body["server_time"], int) and body["server_time"] > 1_700_000_000_000
    assert body["query_params"] == {"key1": "val1", "key2": "val2"}
    assert got.query == "key1=val1&key2=val2"
    assert body["module"] == "Leads" and body["resource_uri"].endswith("/crm/v2/Leads")
    assert body["ids"] == [lead]
    assert body["affected_fields"] == [{lead: ["Mobile"]}]
    assert body["affected_values"] == [{"record_id": lead, "values": {"Mobile": "123456789"}}]
    assert body["operation"] == "update"
    assert body["channel_id"] == channel and body["token"] == "TOKEN_FOR_VERIFICATION"
    assert got.headers["Content-Type"] == "application/json"


def test_no_token_no_token_key(client: Any, org: TestOrg, receiver: Receiver) -> None:
    path, url = receiver.url()
    _subscribe(client, org, url, ["Leads.create"])
    org.create(client, "Leads")
    (got,) = receiver.wait_for(path, 1)
    assert "token" not in got.body and "affected_values" not in got.body
    assert got.body["query_params"] == {}


def test_500_then_200_is_retried_and_logged(client: Any, org: TestOrg, receiver: Receiver) -> None:
    path, url = receiver.url()
    receiver.script(path, [500, 200])
    channel = _subscribe(client, org, url, ["Leads.create"])
    lead = org.create(client, "Leads")[0]
    first, second = receiver.wait_for(path, 2)
    assert first.body["ids"] == second.body["ids"] == [lead]
    headers = org.headers_for(scope=SCOPE)
    log = client.get("/crm/v2.1/__crmlink/deliveries", params={"channel_id": channel}, headers=headers).json()
    for _ in range(50):
        if log["deliveries"] and log["deliveries"][0]["state"] == "delivered":
            break
        time.sleep(0.1)
        log = client.get(
            "/crm/v2.1/__crmlink/deliveries", params={"channel_id": channel}, headers=headers
        ).json()
    (delivery,) = log["deliveries"]
    assert delivery["state"] == "delivered" and delivery["ids"] == [lead]
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
    assert delivery["attempts"][0]["error"] == "answered 500"
    assert all(a["latency_ms"] >= 0 for a in delivery["attempts"])


def test_a_hanging_receiver_does_not_hold_up_the_api(client: Any, org: TestOrg, receiver: Receiver) -> None:
    """While the receiver holds the first notification open, 20 writes and reads complete."""
    path, url = receiver.url()
    receiver.hold(path)
    _subscribe(client, org, url, ["Leads.all"])
    org.create(client, "Leads")
    receiver.wait_for(path, 1)  # the worker is now waiting on the receiver
    for _ in range(10):
        lead = org.create(client, "Leads")[0]
        assert client.get(f"/crm/v2.1/Leads/{lead}", headers=org.headers).status_code == 200
    assert len(receiver.got(path)) == 1  # still held: the calls above did not wait for it
    receiver.release(path)
    got = receiver.wait_for(path, 2)
    assert len(got[1].body["ids"]) == 10  # what queued meanwhile, in one batch


def test_no_notification_for_a_rolled_back_or_failed_write(
    client: Any, org: TestOrg, receiver: Receiver
) -> None:
    path, url = receiver.url()
    _subscribe(client, org, url, ["Leads.create", "Price_Books.create"])
    r = client.post("/crm/v2.1/Leads", json={"data": [{"Company": "no Last_Name"}]}, headers=org.headers)
    assert r.status_code == 400
    assert _until_sentinel(receiver, path, _sentinel(client, org)) == []


def test_deliveries_log_needs_the_notifications_scope(client: Any, org: TestOrg) -> None:
    from tests.helpers import assert_zoho_error

    response = client.get("/crm/v2.1/__crmlink/deliveries", headers=org.headers)
    assert_zoho_error(response, 401, "OAUTH_SCOPE_MISMATCH")


def test_cli_prints_the_delivery_log(client: Any, org: TestOrg, receiver: Receiver, services: Any) -> None:
    import json

    from click.testing import CliRunner

    from crmlink.cli import main

    path, url = receiver.url()
    channel = _subscribe(client, org, url, ["Leads.create", "Price_Books.create"])
    lead = org.create(client, "Leads")[0]
    _until_sentinel(receiver, path, _sentinel(client, org))
    args = ["deliveries", "--database-url", services.settings.resolved_database_url, "--org", str(org.org_id)]
    for _ in range(50):  # the sentinel's attempt is logged just after it arrived
        out = CliRunner().invoke(main, [*args, "--json", "--channel", channel])
        rows = [json.loads(line) for line in out.output.splitlines()]
        if len(rows) == 2 and rows[1]["state"] == "delivered":
            break
        time.sleep(0.1)
    assert out.exit_code == 0, out.output
    assert (rows[0]["module"], rows[0]["ids"], rows[0]["state"]) == ("Leads", [lead], "delivered")
    assert [a["status_code"] for a in rows[0]["attempts"]] == [200]
    text = CliRunner().invoke(main, args)
    assert f"Leads insert {lead}\tdelivered\t[200 in " in text.output


def test_retention_prunes_finished_notifications_never_pending_ones(
    client: Any, org: TestOrg, receiver: Receiver, services: Any
) -> None:
    from crmlink.domain.clock import now_us
    from crmlink.storage import deliveries

    headers = org.headers_for(scope=SCOPE)

    def states(channel: str) -> list[str]:
        log = client.get("/crm/v2.1/__crmlink/deliveries", params={"channel_id": channel}, headers=headers)
        return [d["state"] for d in log.json()["deliveries"]]

    done_path, done_url = receiver.url()
    done = _subscribe(client, org, done_url, ["Leads.create", "Price_Books.create"])
    held_path, held_url = receiver.url()
    receiver.hold(held_path)
    held = _subscribe(client, org, held_url, ["Leads.create"])
    org.create(client, "Leads")
    _until_sentinel(receiver, done_path, _sentinel(client, org))
    receiver.wait_for(held_path, 1)  # held open by the receiver: pending
    for _ in range(50):  # the sentinel's attempt is logged just after it arrived
        if states(done) == ["delivered", "delivered"]:
            break
        time.sleep(0.1)
    assert states(done) == ["delivered", "delivered"] and states(held) == ["pending"]

    with services.db.write() as conn:
        assert deliveries.prune(conn, now_us() - 3_600_000_000) == 0  # none is an hour old
    with services.db.write() as conn:
        assert deliveries.prune(conn, now_us() + 1, batch=1) == 1  # one batch at a time
    while True:
        with services.db.write() as conn:
            if deliveries.prune(conn, now_us() + 1) == 0:
                break
    assert states(done) == [] and states(held) == ["pending"]
    receiver.release(held_path)


def test_a_custom_module_is_watched_and_notified(
    client: Any, org: TestOrg, receiver: Receiver, services: Any
) -> None:
    """Subscriptions and deliveries resolve modules in the org's catalog: an org's custom
    module (docs/org-schema.md) can be watched and its changes are delivered."""
    from tests.test_custom_fields import apply, example_doc

    assert apply(services, org, example_doc()).ok
    path, url = receiver.url()
    _subscribe(client, org, url, ["Vehicles.create"])
    made = client.post("/crm/v2.1/Vehicles", json={"data": [{"Name": "Van"}]}, headers=org.headers)
    assert made.status_code == 201, made.text
    vehicle = made.json()["data"][0]["details"]["id"]
    (got,) = receiver.wait_for(path, 1)
    assert got.body["module"] == "Vehicles" and got.body["ids"] == [vehicle]
    assert got.body["operation"] == "insert"
