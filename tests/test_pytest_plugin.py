"""The pytest plugin, run the way a user's project runs it: a test suite of its own (pytester),
with the plugin loaded from crmlink's ``pytest11`` entry point and a real ``crmlink serve``."""

from __future__ import annotations

import pytest

INNER_SUITE = """
import httpx

from crmlink_client import Client


def test_an_org_of_its_own(crm):
    with crm.http() as http:
        assert http.get("/crm/v2.1/Leads").status_code == 204
        created = http.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Mine", "Company": "C"}]})
        assert created.status_code == 201


def test_another_test_sees_nothing_of_it(crm):
    with crm.http() as http:
        assert http.get("/crm/v2.1/Leads").status_code == 204


def test_the_next_two_relates_answer_429_and_the_caller_retries(crm):
    slept = []
    client = crm.client(retries=3, sleep=slept.append)
    product = client.records("Products").create_one(Product_Name="Laptop").id
    book = client.records("Price_Books").create_one(Price_Book_Name="Retail", Pricing_Model="Flat").id
    crm.faults.add("error", path="/crm/*/Products/*/Price_Books", method="PUT",
                   code="TOO_MANY_REQUESTS", times=2)
    result = client.related("Products", product, "Price_Books").relate([{"id": book, "list_price": 9.5}])
    assert result[0].ok
    assert slept == [1.0, 1.0]
    relates = [e["status"] for e in crm.requests() if e["method"] == "PUT"]
    assert relates == [429, 429, 200]
    assert len(crm.faults.log()) == 2


def test_moving_the_clock_makes_the_client_refresh(crm):
    client = crm.client()
    client.records("Leads").create_one(Last_Name="Before", Company="C")
    first_token = client.access_token
    crm.clock.advance(3601)
    client.records("Leads").create_one(Last_Name="After", Company="C")
    assert client.access_token != first_token
    statuses = [e["status"] for e in crm.requests() if e["method"] == "POST"]
    assert statuses == [201, 401, 201]


def test_a_closed_connection(crm):
    crm.faults.add("close", path="/crm/*/Leads")
    with crm.http() as http:
        try:
            http.get("/crm/v2.1/Leads")
        except httpx.TransportError:
            pass
        else:
            raise AssertionError("the connection was answered")
        assert http.get("/crm/v2.1/Leads").status_code == 204


def test_that_fails_and_shows_the_request_log(crm):
    with crm.http() as http:
        http.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Shown-In-Log", "Company": "C"}]})
    assert False, "deliberate"
"""


def test_the_plugin_gives_each_test_an_org_faults_clock_and_a_request_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=5, failed=1)
    output = result.stdout.str()
    assert "crmlink requests" in output
    assert "POST /crm/v2.1/Leads -> 201" in output
    assert "Shown-In-Log" in output
