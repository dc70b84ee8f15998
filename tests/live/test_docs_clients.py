"""``docs/clients.md`` runs as written against ``crmlink serve --demo``.

Every fenced block preceded by ``<!-- docs-test: sh -->`` or
``<!-- docs-test: python [venv=NAME] -->`` is run in page order: the shell blocks in bash, the
Python blocks with the suite's python (``crmlink_client``) or an official SDK's venv python. The
only change is the credentials block's set-up: ``CRM`` becomes the test server's URL and
``CRMLINK`` this suite's CLI; the CLI finds the server's database through ``CRMLINK_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.live.official_sdks.scripts import run_script
from tests.live.server import LiveServer

DOC = Path(__file__).parents[2] / "docs" / "clients.md"
BLOCK = re.compile(r"<!-- docs-test: (\w+)(?: venv=([\w.-]+))? -->\n```\w+\n(.*?)```", re.S)


@dataclass
class Block:
    kind: str
    venv: str | None
    code: str


def _blocks() -> list[Block]:
    return [Block(m[1], m[2], m[3]) for m in BLOCK.finditer(DOC.read_text())]


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_page_has_the_four_ways() -> None:
    kinds = [(b.kind, b.venv) for b in _blocks()]
    assert kinds == [
        ("sh", None),  # credentials and ids
        ("sh", None),  # curl
        ("python", "zohocrmsdk2-1"),  # Zoho's raw requests sample
        ("python", None),  # crmlink_client
        ("python", "zohocrmsdk2-1"),  # official SDK, v2.1
        ("python", "zcrmsdk"),  # official SDK, v2
        ("sh", None),  # search and COQL with curl
        ("sh", None),  # an integration's day: upsert, search, COQL, deleted
        ("python", "zohocrmsdk2-1"),  # the same day through the official SDK
    ]


@pytest.fixture
def shell_env(demo_server: LiveServer, tmp_path: Path) -> dict[str, str]:
    """The environment after the page's credentials block, run against the demo server."""
    credentials = _blocks()[0].code
    for page_line, ours in [
        ("export CRM=http://127.0.0.1:8000", f"export CRM={demo_server.url}"),
        ("export CRMLINK=.venv/bin/crmlink", f"export CRMLINK='{sys.executable} -m crmlink'"),
    ]:
        assert page_line in credentials
        credentials = credentials.replace(page_line, ours)
    env = {**os.environ, "CRMLINK_DATA_DIR": str(demo_server.storage_args[1])}
    done = _bash(
        credentials + '\npython3 -c "import json, os; print(json.dumps(dict(os.environ)))"', env, tmp_path
    )
    assert done.returncode == 0, done.stderr
    exported: dict[str, str] = json.loads(done.stdout.splitlines()[-1])
    for name in (
        "CLIENT_ID",
        "CLIENT_SECRET",
        "REFRESH_TOKEN",
        "ACCESS_TOKEN",
        "PRODUCT_ID",
        "BOOK_1",
        "BOOK_2",
    ):
        assert exported.get(name), name
    return exported


def test_every_example_relates_the_product_to_both_price_books(
    shell_env: dict[str, str],
    demo_server: LiveServer,
    zohocrmsdk21_python: Path,
    zcrmsdk31_python: Path,
    tmp_path: Path,
) -> None:
    pythons = {None: Path(sys.executable), "zohocrmsdk2-1": zohocrmsdk21_python, "zcrmsdk": zcrmsdk31_python}
    books = [shell_env["BOOK_1"], shell_env["BOOK_2"]]
    outputs: list[str] = []
    for n, block in enumerate(_blocks()[1:], start=1):
        if block.kind == "sh":
            done = _bash(block.code, shell_env, tmp_path)
        else:
            script = tmp_path / f"block_{n}.py"
            script.write_text(block.code)
            done = run_script(pythons[block.venv], script, workdir=tmp_path, env=shell_env)
        assert done.returncode == 0, f"block {n}:\n{block.code}\n{done.stderr}"
        outputs.append(done.stdout)
    curl, raw, client, sdk21, sdk2, finding, day, sdk_day = outputs
    assert finding.splitlines() == ["Kidman", "2", "{'count': 2, 'more_records': True}"]
    assert day.splitlines() == [
        "{'insert': 100}",
        "{'update': 100}",
        "Day 7",
        "2",
        "{'count': 10, 'more_records': True}",
        "record deleted",
        "2",
    ]
    assert sdk_day.splitlines() == [
        "{'insert': 100}",
        "{'update': 100}",
        "Night 7",
        "2",
        "10 True",
        "['record deleted', 'record deleted']",
        "True",
    ]

    assert [(i["details"]["id"], i["message"]) for i in json.loads(curl)["data"]] == [
        (b, "relation added") for b in books
    ]
    assert raw.splitlines() == ["HTTP Status Code : 200"]
    assert client.splitlines()[0] == f"200 {[(b, 'relation added') for b in books]}"
    relation_lines = [f"SuccessResponse {b} relation added" for b in books]
    assert sdk21.splitlines() == ["200", *relation_lines]
    assert sdk2.splitlines() == ["200", *relation_lines, "200 relation added"]

    listing = httpx.get(
        f"{demo_server.url}/crm/v2.1/Products/{shell_env['PRODUCT_ID']}/Price_Books",
        headers={"Authorization": f"Zoho-oauthtoken {shell_env['ACCESS_TOKEN']}"},
        timeout=30,
    ).json()
    prices = {r["id"]: r["list_price"] for r in listing["data"]}
    assert (prices[books[0]], prices[books[1]]) == (90.90, 100.56)  # the last block's prices
