"""``docs/notifications.md``'s sync-service day runs as written against ``crmlink serve --demo``.

The blocks marked ``<!-- docs-test: ... -->`` run in page order (as tests/live/test_docs_clients.py
runs docs/clients.md): shell blocks in bash, the SDK block in the official SDK's venv. The only
changes are in the set-up block: ``CRM`` is the demo server's URL, ``CRMLINK`` this suite's CLI,
and ``RECEIVER`` a real HTTP receiver in the test process.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.official_sdks.scripts import run_script
from tests.live.server import LiveServer
from tests.live.test_docs_clients import BLOCK, Block, _bash
from tests.receiver import Receiver, running

DOC = Path(__file__).parents[2] / "docs" / "notifications.md"


def _blocks() -> list[Block]:
    return [Block(m[1], m[2], m[3]) for m in BLOCK.finditer(DOC.read_text())]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running()


def test_the_page_has_curl_sdk_and_feed_blocks() -> None:
    assert [(b.kind, b.venv) for b in _blocks()] == [
        ("sh", None),  # credentials and the feed's cursor
        ("sh", None),  # subscribe and the day, with curl
        ("python", "zohocrmsdk2-1"),  # the official SDK lists and renews the channel
        ("sh", None),  # the change feed replays the day
    ]


def _settle(receiver: Receiver, path: str, deleted: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The callbacks on ``path`` once the delete of ``deleted`` (the day's last change) arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = [g.body for g in receiver.got(path)]
        if any(b["operation"] == "delete" and deleted in b["ids"] for b in bodies):
            return bodies
        time.sleep(0.05)
    raise AssertionError(f"the delete never arrived; got {[g.body for g in receiver.got(path)]}")


def test_a_sync_service_day(
    demo_server: LiveServer, zohocrmsdk21_python: Path, receiver: Receiver, tmp_path: Path
) -> None:
    blocks = _blocks()
    path, url = receiver.url()
    setup = blocks[0].code
    for page_line, ours in [
        ("export CRM=http://127.0.0.1:8000", f"export CRM={demo_server.url}"),
        ("export CRMLINK=.venv/bin/crmlink", f"export CRMLINK='{sys.executable} -m crmlink'"),
        ("export RECEIVER=http://127.0.0.1:9000/crm-hooks", f"export RECEIVER={url}"),
    ]:
        assert page_line in setup
        setup = setup.replace(page_line, ours)
    env = {**os.environ, "CRMLINK_DATA_DIR": str(demo_server.storage_args[1])}
    done = _bash(setup + '\npython3 -c "import json, os; print(json.dumps(dict(os.environ)))"', env, tmp_path)
    assert done.returncode == 0, done.stderr
    env = json.loads(done.stdout.splitlines()[-1])

    day = _bash(blocks[1].code, env, tmp_path)
    assert day.returncode == 0, day.stderr
    subscribed, ids = day.stdout.splitlines()
    item = json.loads(subscribed)["watch"][0]
    assert item["message"] == "Successfully subscribed for actions-watch of the given module"
    assert [e["resource_name"] for e in item["details"]["events"]] == ["Leads", "Contacts"]
    lead_1, lead_2, campaign = ids.split()

    # Each notification in Zoho's shape, in order; batching of consecutive ones may vary.
    bodies = _settle(receiver, path, lead_2)
    for b in bodies:
        assert list(b) == [
            "server_time",
            "query_params",
            "module",
            "resource_uri",
            "ids",
            "affected_fields",
            "operation",
            "channel_id",
            "token",
        ]
        assert (b["module"], b["channel_id"], b["token"]) == ("Leads", "1000000068001", "sync-secret")
        assert b["query_params"] == {"source": "crm"} and b["resource_uri"].endswith("/crm/v2/Leads")
    flat = [(b["operation"], i) for b in bodies for i in b["ids"]]
    assert flat[:2] == [("insert", lead_1), ("insert", lead_2)]
    assert flat[-1] == ("delete", lead_2)
    assert set(flat[2:-1]) == {("update", lead_1), ("update", lead_2)}
    fields: dict[str, set[str]] = {}
    for b in bodies:
        for entry in b["affected_fields"]:
            for record_id, names in entry.items():
                fields.setdefault(record_id, set()).update(names)
    assert fields == {lead_1: {"Company", "Campaigns"}, lead_2: {"Campaigns"}}

    script = tmp_path / "sdk_block.py"
    script.write_text(blocks[2].code)
    sdk = run_script(zohocrmsdk21_python, script, workdir=tmp_path, env=env)
    assert sdk.returncode == 0, sdk.stderr
    assert sdk.stdout.splitlines() == [
        "Leads ['Leads.create', 'Leads.edit', 'Leads.delete'] sync-secret",
        "Contacts ['Contacts.edit'] sync-secret",
        "201 Successfully subscribed for actions-watch of the given module",
    ]

    feed = _bash(blocks[3].code, env, tmp_path)
    assert feed.returncode == 0, feed.stderr
    lines = [line.split(" ", 2) for line in feed.stdout.splitlines()]
    cursors = [int(c) for c, _rest, _ in lines]
    assert cursors == list(range(int(env["CURSOR"]) + 1, int(env["CURSOR"]) + 8))
    assert [rest + " " + tail.split(" {")[0] for _c, rest, tail in lines] == [
        f"created Leads {lead_1}",
        f"created Leads {lead_2}",
        f"updated Leads {lead_1}",
        f"added campaigns_leads {campaign} {lead_1}",
        f"added campaigns_leads {campaign} {lead_2}",
        f"removed_by_delete campaigns_leads {campaign} {lead_2}",
        f"deleted Leads {lead_2}",
    ]
    assert lines[2][2].endswith('{"Company": "Analytical Engines"}')
