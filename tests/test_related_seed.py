"""The sample requests of Zoho's "Update Related Records" page (the seed,
``/work/shared/spec/seed-update-related-records.txt``), sent as the page sends them with only the
host and the ids changed, must get the response the page shows.

Run twice: in process on both engines, and against a real ``crmlink serve --demo`` process.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import TestOrg


@dataclass(frozen=True)
class Sample:
    parent: str
    related_list: str
    related: str
    items: list[dict[str, Any]]  # relation fields per item; ids are filled in
    single: bool = False  # PUT .../{related_list}/{related_id}; the item carries no id
    numeric_ids: bool = False  # the SDK sends ids as JSON numbers (Java/C#/Node samples)


SAMPLES = [
    # curl ".../crm/v2.1/Leads/3652397000001829002/Campaigns" -d @updaterelatedlead.json
    pytest.param(
        Sample(
            "Leads", "Campaigns", "Campaigns", [{"Member_Status": "Active"}, {"Member_Status": "Planning"}]
        ),
        id="curl-leads-campaigns",
    ),
    # Java / C# raw HTTP and the Python and Node "requests"/"got" samples: Products -> Price_Books.
    pytest.param(
        Sample("Products", "Price_Books", "Price_Books", [{"list_price": 100.2}, {"list_price": 100.2}]),
        id="http-products-price-books-bulk",
    ),
    pytest.param(
        Sample("Products", "Price_Books", "Price_Books", [{"list_price": 100.50}, {"list_price": 120.50}]),
        id="python-products-price-books-bulk",
    ),
    pytest.param(
        Sample("Products", "Price_Books", "Price_Books", [{"list_price": 100.5}], single=True),
        id="http-products-price-books-single",
    ),
    # SDK samples (Java, C#, Node) put numeric ids and list_price 50.56 / 100.56.
    pytest.param(
        Sample(
            "Products",
            "Price_Books",
            "Price_Books",
            [{"list_price": 50.56}, {"list_price": 100.56}],
            numeric_ids=True,
        ),
        id="sdk-products-price-books-bulk",
    ),
    pytest.param(
        Sample("Products", "Price_Books", "Price_Books", [{"list_price": 50.56}], single=True),
        id="sdk-products-price-books-single",
    ),
    # The Java SDK sample on the page relates Leads -> Products with list_price: Zoho accepts
    # the request; list_price means nothing on that relation and is ignored.
    pytest.param(
        Sample("Leads", "Products", "Products", [{"list_price": 50.56}, {"list_price": 50.56}]),
        id="java-sdk-leads-products",
    ),
    # Deluge: zoho.crm.updateRelatedRecord("Campaigns", campaignId, "Leads", leadId, Map())
    pytest.param(Sample("Leads", "Campaigns", "Campaigns", [{}], single=True), id="deluge-empty-map"),
]


def _request(sample: Sample, parent: str, related: list[str]) -> tuple[str, dict[str, Any], list[str]]:
    """(path, body, the ids the answer must carry, in order)."""
    wanted = related[: len(sample.items)]
    if sample.single:
        path = f"/crm/v2.1/{sample.parent}/{parent}/{sample.related_list}/{wanted[0]}"
        return path, {"data": [dict(sample.items[0])]}, wanted
    data = [
        {"id": int(rid) if sample.numeric_ids else rid, **item}
        for rid, item in zip(wanted, sample.items, strict=True)
    ]
    return f"/crm/v2.1/{sample.parent}/{parent}/{sample.related_list}", {"data": data}, wanted


def _page_answer(ids: list[str]) -> dict[str, Any]:
    """The page's "Sample Response", with its ids replaced."""
    return {
        "data": [
            {"code": "SUCCESS", "details": {"id": rid}, "message": "relation added", "status": "success"}
            for rid in ids
        ]
    }


@pytest.mark.parametrize("sample", SAMPLES)
def test_seed_samples_in_process(client: Any, org: TestOrg, sample: Sample) -> None:
    parent = org.create(client, sample.parent)[0]
    related = org.create(client, sample.related, 2)
    path, body, ids = _request(sample, parent, related)
    response = client.put(path, json=body, headers=org.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json() == _page_answer(ids)
    listed = client.get(f"/crm/v2.1/{sample.parent}/{parent}/{sample.related_list}", headers=org.headers)
    assert [r["id"] for r in listed.json()["data"]] == sorted(ids)


# --- against a real server process -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class DemoServer:
    base: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.token}"}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    port = _free_port()
    data_dir: Path = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRMLINK_")}
    env["CRMLINK_LOG_LEVEL"] = "warning"
    cli = Path(sys.executable).with_name("crmlink")
    cmd = [str(cli), "serve", "--demo", "--data-dir", str(data_dir), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        token = None
        assert proc.stdout is not None
        for line in proc.stdout:
            found = re.search(r"access token\s+(\S+)", line)
            if found:
                token = found.group(1)
                break
        assert token, "crmlink serve --demo printed no access token"
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/crm/v2.1/Leads", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield DemoServer(base, token)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _first_ids(server: DemoServer, module: str, count: int) -> list[str]:
    response = httpx.get(f"{server.base}/crm/v2.1/{module}?per_page={count}", headers=server.headers)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


@pytest.mark.parametrize("sample", SAMPLES)
def test_seed_samples_against_crmlink_serve_demo(demo_server: DemoServer, sample: Sample) -> None:
    parent = _first_ids(demo_server, sample.parent, 1)[0]
    related = _first_ids(demo_server, sample.related, 2)
    path, body, ids = _request(sample, parent, related)
    response = httpx.put(demo_server.base + path, json=body, headers=demo_server.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json() == _page_answer(ids)


def test_demo_data_has_links_to_look_at(demo_server: DemoServer) -> None:
    book = _first_ids(demo_server, "Price_Books", 1)[0]
    listed = httpx.get(
        f"{demo_server.base}/crm/v2.1/Price_Books/{book}/Products", headers=demo_server.headers
    )
    assert listed.status_code == 200
    assert all(isinstance(r["list_price"], float) for r in listed.json()["data"])
    deal = _first_ids(demo_server, "Deals", 1)[0]
    roles = httpx.get(f"{demo_server.base}/crm/v2.1/Deals/{deal}/Contact_Roles", headers=demo_server.headers)
    assert roles.status_code == 200 and roles.json()["data"][0]["Contact_Role"] == "Decision Maker"
