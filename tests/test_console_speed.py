"""Issue 16: no console page takes more than 100 ms of server time with a record that has 10
related lists of 200 records each.

Server time is the ``Server-Timing: app;dur=<ms>`` every console answer carries (measured in the
server, from the request to the answer's first byte, the page rendered). The machine running the
suite is shared, so each page is fetched three times and its best time counts: the budget is
about the work a page does, not about a neighbour's load.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TestOrg
from tests.test_console import sign_in

BUDGET_MS = 100.0
PER_LIST = 200
V = "/crm/v2.1"
LINK_LISTS = ["Leads", "Accounts", "Contacts", "Deals", "Price_Books"]
# Lookup lists: the module and the field that points at the product.
LOOKUP_LISTS = {
    "Notes": {"Parent_Id": "{p}", "$se_module": "Products"},
    "Cases": {"Product_Name": "{p}"},
    "Solutions": {"Product_Name": "{p}"},
    "Tasks": {"What_Id": "{p}", "$se_module": "Products"},
    "Calls": {"What_Id": "{p}", "$se_module": "Products"},
}


def _server_ms(web: Any, path: str) -> float:
    best = float("inf")
    for _ in range(3):
        answer = web.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        name, _, dur = answer.headers["server-timing"].partition(";dur=")
        assert name == "app"
        best = min(best, float(dur))
    return best


@pytest.fixture
def web(client: Any) -> Any:
    client.cookies.clear()
    yield client
    client.cookies.clear()


def test_every_page_within_100_ms_with_ten_lists_of_200(web: Any, org: TestOrg) -> None:
    (product,) = org.create(web, "Products", Product_Name="Busy product")
    for module in LINK_LISTS:
        ids = org.create(web, module, PER_LIST)
        for start in range(0, PER_LIST, 100):
            items = [
                {"id": i, "list_price": 1.5} if module == "Price_Books" else {"id": i}
                for i in ids[start : start + 100]
            ]
            put = web.put(f"{V}/Products/{product}/{module}", json={"data": items}, headers=org.headers)
            assert put.status_code == 200, put.text
    for module, refs in LOOKUP_LISTS.items():
        fields = {k: ({"id": product} if v == "{p}" else v) for k, v in refs.items()}
        org.create(web, module, PER_LIST, **fields)
    sign_in(web, org)
    record = web.get(f"/console/modules/Products/{product}")
    lists = [name for name in LINK_LISTS + list(LOOKUP_LISTS) if f'id="rl-{name}"' in record.text]
    assert len(lists) == 10
    pages = [
        "/console",
        "/console/admin",
        "/console/modules/Products",
        "/console/modules/Leads?sort_by=Last_Name&sort_order=asc",
        "/console/modules/Leads?word=Lead",
        f"/console/modules/Products/{product}",
        f"/console/modules/Products/{product}/history",
        *(f"/console/modules/Products/{product}/related/{name}" for name in lists),
    ]
    times = {path: _server_ms(web, path) for path in pages}
    full = web.get(f"/console/modules/Products/{product}/related/Price_Books")
    assert full.text.count('aria-label="Delink ') == PER_LIST  # the whole list is on the page
    slow = {path: ms for path, ms in times.items() if ms > BUDGET_MS}
    print("console server times (ms):", {p: round(ms, 1) for p, ms in times.items()})
    assert slow == {}, slow
