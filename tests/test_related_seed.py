"""The sample requests of Zoho's "Update Related Records" page (the seed,
``/work/shared/spec/seed-update-related-records.txt``), sent as the page sends them with only the
host and the ids changed, must get the response the page shows.

Run twice: in process on both engines, and against a real ``crmlink serve --demo`` process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import TestOrg
from tests.servers import crmlink_server


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


@dataclass
class DemoServer:
    base: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.token}"}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with crmlink_server(tmp_path_factory.mktemp("demo"), "--demo") as server:
        found = re.search(r"access token\s+(1000\.[0-9a-f]+\.[0-9a-f]+)", server.log())
        assert found, server.log()
        yield DemoServer(server.base_url, found.group(1))
        assert "Traceback" not in server.log()


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
