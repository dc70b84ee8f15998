"""The change log and the change feed: every record and link change, in commit order, exactly once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from crmlink.api.context import Services
from crmlink.domain import feed
from crmlink.domain import records as rec
from crmlink.domain.auth import actor_for_token
from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.clock import now_us
from crmlink.storage import changes
from tests.factories import TestOrg, record_fields
from tests.helpers import assert_zoho_error

FEED = "/crm/v2.1/__crmlink/changes"


def _feed(client: Any, org: TestOrg, since: str | None = None, **params: Any) -> dict[str, Any]:
    if since is not None:
        params["since"] = since
    response = client.get(FEED, params=params, headers=org.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _short(change: dict[str, Any]) -> tuple[Any, ...]:
    if change["type"] == "record":
        return (change["action"], change["module"], change["id"], change["old"], change["new"])
    return (
        change["action"],
        change["relation"],
        change["left"]["id"],
        change["right"]["id"],
        change["old"],
        change["new"],
    )


def test_a_day_of_record_and_link_changes_replays_in_order(client: Any, org: TestOrg) -> None:
    lead = org.create(client, "Leads", Company="Acme")[0]
    campaign = org.create(client, "Campaigns")[0]
    h = org.headers
    assert (
        client.put(f"/crm/v2.1/Leads/{lead}", json={"data": [{"Company": "Acme 2"}]}, headers=h).status_code
        == 200
    )
    url = f"/crm/v2.1/Campaigns/{campaign}/Leads/{lead}"
    assert client.put(url, json={"data": [{"Member_Status": "Sent"}]}, headers=h).status_code == 200
    assert client.put(url, json={"data": [{"Member_Status": "Responded"}]}, headers=h).status_code == 200
    assert client.delete(f"/crm/v2.1/Leads/{lead}", headers=h).status_code == 200

    body = _feed(client, org)
    got = [_short(c) for c in body["changes"]]
    lead_new = {"Last_Name": "Lead 0", "Company": "Acme", "Full_Name": "Lead 0"}
    assert got == [
        ("created", "Leads", lead, None, lead_new),
        ("created", "Campaigns", campaign, None, {"Campaign_Name": "Campaign 0"}),
        ("updated", "Leads", lead, {"Company": "Acme"}, {"Company": "Acme 2"}),
        ("added", "campaigns_leads", campaign, lead, None, {"Member_Status": "Sent"}),
        (
            "updated",
            "campaigns_leads",
            campaign,
            lead,
            {"Member_Status": "Sent"},
            {"Member_Status": "Responded"},
        ),
        ("removed_by_delete", "campaigns_leads", campaign, lead, {"Member_Status": "Responded"}, None),
        ("deleted", "Leads", lead, {**lead_new, "Company": "Acme 2"}, None),
    ]
    cursors = [int(c["cursor"]) for c in body["changes"]]
    assert cursors == list(range(cursors[0], cursors[0] + 7))
    assert body["info"] == {"count": 7, "next_cursor": str(cursors[-1]), "more_changes": False}
    first = body["changes"][0]
    assert first["actor"] == {"id": str(org.admin_id)}
    assert first["left"] if first["type"] == "link" else first["module"] == "Leads"
    link = body["changes"][3]
    assert link["left"] == {"module": "Campaigns", "id": campaign}
    assert link["right"] == {"module": "Leads", "id": lead}
    # Nothing new: the same cursor back, no changes.
    again = _feed(client, org, since=str(cursors[-1]))
    assert again == {
        "changes": [],
        "info": {"count": 0, "next_cursor": str(cursors[-1]), "more_changes": False},
    }


def test_paging_by_cursor_sees_every_change_once(client: Any, org: TestOrg) -> None:
    ids = org.create(client, "Contacts", count=25)
    seen: list[str] = []
    cursor = "0"
    while True:
        body = _feed(client, org, since=cursor, limit=7)
        seen += [c["id"] for c in body["changes"]]
        cursor = body["info"]["next_cursor"]
        if not body["info"]["more_changes"]:
            break
    assert seen == ids


def test_failed_items_and_rolled_back_calls_write_no_change(client: Any, org: TestOrg) -> None:
    good = record_fields("Leads")
    response = client.post(
        "/crm/v2.1/Leads", json={"data": [good, {"Company": "no last name"}]}, headers=org.headers
    )
    assert response.status_code == 207
    assert [c["action"] for c in _feed(client, org)["changes"]] == ["created"]
    # A bad id in an update: no change for it.
    client.put("/crm/v2.1/Leads", json={"data": [{"id": "1", "Company": "x"}]}, headers=org.headers)
    assert len(_feed(client, org)["changes"]) == 1


def test_feed_shows_only_modules_the_caller_may_read(client: Any, org: TestOrg) -> None:
    org.create(client, "Leads")
    org.create(client, "Contacts")
    headers = org.headers_for(scope="ZohoCRM.modules.leads.READ")
    body = client.get(FEED, headers=headers).json()
    assert [c["module"] for c in body["changes"]] == ["Leads"]
    assert body["info"]["next_cursor"] == _feed(client, org)["info"]["next_cursor"]


@pytest.mark.parametrize(
    ("since", "message"),
    [("x", "invalid data"), ("-1", "invalid data"), ("99999999", "the cursor given seems to be invalid")],
)
def test_bad_cursors(client: Any, org: TestOrg, since: str, message: str) -> None:
    response = client.get(FEED, params={"since": since}, headers=org.headers)
    assert_zoho_error(response, 400, "INVALID_DATA", message, {"param_name": "since"})


def test_bad_limit_and_no_token(client: Any, org: TestOrg) -> None:
    assert_zoho_error(client.get(FEED, params={"limit": 0}, headers=org.headers), 400, "INVALID_DATA")
    assert_zoho_error(client.get(FEED, params={"limit": 1001}, headers=org.headers), 400, "INVALID_DATA")
    assert_zoho_error(client.get(FEED), 401, "AUTHENTICATION_FAILURE")


def test_retention_drops_the_oldest_and_says_where_the_log_starts(
    client: Any, org: TestOrg, services: Services
) -> None:
    org.create(client, "Leads", count=3)
    cut = now_us()
    org.create(client, "Leads")
    with services.db.write() as conn:
        assert changes.prune(conn, cut) >= 3
    body = _feed(client, org, since="3")
    assert [c["cursor"] for c in body["changes"]] == ["4"]
    for stale in ("0", "2"):
        response = client.get(FEED, params={"since": stale}, headers=org.headers)
        assert_zoho_error(
            response,
            400,
            "INVALID_DATA",
            "the changes after the cursor given are no longer kept",
            {"param_name": "since", "oldest_cursor": "3"},
        )


def test_cursor_is_exact_under_32_concurrent_writers(services: Services, org: TestOrg) -> None:
    """32 threads insert records, each in its own transaction, while a reader follows the feed.
    The reader must see every committed change once, in numbering order, never skipping one that
    commits after it moved on (what a plain sequence would do on PostgreSQL)."""
    with services.db.read() as conn:
        actor = actor_for_token(conn, org.token)
    module = CATALOG.module_map["Leads"]
    writers, per_writer = 32, 8
    done = threading.Event()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                with services.db.write() as conn:
                    out = rec.insert_records(
                        conn, CATALOG, services.ids, actor, module, [record_fields("Leads", n * 100 + i)]
                    )
                    assert out[0]["status"] == "success"
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    seen: list[int] = []

    def follow() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            with services.db.read() as conn:
                page = feed.read(conn, CATALOG, org.org_id, cursor, 50)
            seen.extend(int(c["cursor"]) for c in page.changes)
            cursor = page.next_cursor
            if finished and not page.more:
                return

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    assert not errors, errors
    assert seen == list(range(1, writers * per_writer + 1))
    with services.db.read() as conn:
        stored = [row.seq for row in changes.read(conn, org.org_id, 0, 10_000)]
    assert stored == seen


def test_cli_prints_the_feed_and_json_lines(client: Any, org: TestOrg, services: Services) -> None:
    import json

    from click.testing import CliRunner

    from crmlink.cli import main

    lead = org.create(client, "Leads")[0]
    url = services.settings.resolved_database_url
    runner = CliRunner()
    out = runner.invoke(main, ["changes", "--database-url", url, "--org", str(org.org_id), "--json"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.output.splitlines()]
    assert [(c["action"], c["module"], c["id"]) for c in lines] == [("created", "Leads", lead)]
    text = runner.invoke(main, ["changes", "--database-url", url, "--org", str(org.org_id), "--since", "1"])
    assert text.exit_code == 0 and text.output == ""
    bad = runner.invoke(main, ["changes", "--database-url", url, "--org", str(org.org_id), "--since", "9"])
    assert bad.exit_code != 0 and "the cursor given seems to be invalid" in bad.output


def test_a_conversion_feeds_every_moved_link(client: Any, org: TestOrg) -> None:
    """Converting a lead moves its campaign and product links to the contact: each move is a
    ``removed`` of the lead's link and an ``added`` of the contact's, with its relation data."""
    h = org.headers
    lead = org.create(client, "Leads", Company="Acme")[0]
    campaign = org.create(client, "Campaigns")[0]
    product = org.create(client, "Products")[0]
    linked = client.put(
        f"/crm/v2.1/Leads/{lead}/Campaigns",
        json={"data": [{"id": campaign, "Member_Status": "Sent"}]},
        headers=h,
    )
    assert linked.status_code == 200, linked.text
    assert (
        client.put(f"/crm/v2.1/Leads/{lead}/Products/{product}", json={"data": [{}]}, headers=h).status_code
        == 200
    )
    made = client.post(f"/crm/v2.1/Leads/{lead}/Notes", json={"data": [{"Note_Content": "met"}]}, headers=h)
    note = made.json()["data"][0]["details"]["id"]
    since = _feed(client, org)["info"]["next_cursor"]
    converted = client.post(f"/crm/v2.1/Leads/{lead}/actions/convert", json={"data": [{}]}, headers=h)
    assert converted.status_code == 200, converted.text
    contact = converted.json()["data"][0]["Contacts"]
    after = _feed(client, org, since)["changes"]
    # The note now names the contact: an update of the note.
    assert (
        "updated",
        "Notes",
        note,
        {"Parent_Id": {"id": lead}, "$se_module": "Leads"},
        {"Parent_Id": {"id": contact}, "$se_module": "Contacts"},
    ) in [_short(c) for c in after if c["type"] == "record"]
    links = [_short(c) for c in after if c["type"] == "link"]
    assert sorted(links, key=str) == sorted(
        [
            ("removed", "campaigns_leads", campaign, lead, {"Member_Status": "Sent"}, None),
            ("added", "campaigns_contacts", campaign, contact, None, {"Member_Status": "Sent"}),
            ("removed", "products_leads", product, lead, {}, None),
            ("added", "products_contacts", product, contact, None, {}),
        ],
        key=str,
    )
