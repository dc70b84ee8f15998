"""The pytest plugin, run the way a user's project runs it: a test suite of its own (pytester),
with the plugin loaded from crmlink's ``pytest11`` entry point and a real ``crmlink serve``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


LOAD_SUITE = """
def test_crm_load_seeds_the_org_from_a_csv_file_and_rows(crm, tmp_path):
    leads = tmp_path / "Leads.csv"
    leads.write_text("Last Name,Company,Email\\nLima,Acme,ana@example.com\\n,Nameless,\\n")
    summary = crm.load(leads, module="Leads")
    assert (summary["loaded"], summary["failed"]) == (1, 1)
    assert summary["errors"][0]["row"] == 2 and summary["errors"][0]["code"] == "MANDATORY_NOT_FOUND"
    assert crm.load([{"Product_Name": "Laptop"}], module="Products")["loaded"] == 1
    book = {"Price_Book_Name": "Retail", "Pricing_Model": "Flat"}
    assert crm.load([book], module="Price_Books")["loaded"] == 1
    with crm.http() as http:
        assert [r["Last_Name"] for r in http.get("/crm/v2.1/Leads").json()["data"]] == ["Lima"]
        product = http.get("/crm/v2.1/Products").json()["data"][0]["id"]
        book = http.get("/crm/v2.1/Price_Books").json()["data"][0]["id"]
        links = [{"module": "Products", "parent_id": product, "related_list": "Price_Books",
                  "related_id": book, "data": {"list_price": 9.5}}]
        assert crm.load(links)["loaded"] == 1
        listed = http.get(f"/crm/v2.1/Products/{product}/Price_Books").json()["data"]
        assert [r["list_price"] for r in listed] == [9.5]
"""


def test_crm_load_seeds_an_org_through_the_admin_api(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_load=LOAD_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


LEAK_SUITE = """
import pytest


@pytest.mark.parametrize("n", range(200))
def test_no_test_sees_another_tests_data(crm, n):
    with crm.http() as http:
        # a fresh org: nothing in it, whatever the other 199 tests (on 4 workers) wrote
        assert http.get("/crm/v2.1/Leads").status_code == 204
        marker = f"leak-check-{n}"
        created = http.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": marker, "Company": "C"}]})
        assert created.status_code == 201
        names = [r["Last_Name"] for r in http.get("/crm/v2.1/Leads").json()["data"]]
        assert names == [marker]
"""


def test_200_tests_on_4_xdist_workers_never_see_each_others_data(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leaks=LEAK_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "-n", "4")
    result.assert_outcomes(passed=200)


def test_crmlink_requests_prints_an_orgs_calls(tmp_path: Path) -> None:
    from crmlink.testing import CrmlinkServer

    with CrmlinkServer.start() as server:
        org = server.new_org()
        with org.http() as http:
            http.post("/crm/v2.1/Leads", json={"data": [{"Last_Name": "Cli", "Company": "C"}]})
            http.get("/crm/v2.1/Leads/123")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "crmlink",
                "requests",
                "--org",
                org.org_id,
                "--url",
                server.base_url,
                "--bodies",
            ],
            env={**os.environ, "CRMLINK_ADMIN_KEY": server.admin_key},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert lines[0].startswith("#") and "POST /crm/v2.1/Leads -> 201" in lines[0]
        assert "Cli" in run.stdout
        assert any("GET /crm/v2.1/Leads/123 ->" in line for line in lines)
        assert org.access_token not in run.stdout
        refused = subprocess.run(
            [
                sys.executable,
                "-m",
                "crmlink",
                "requests",
                "--org",
                org.org_id,
                "--url",
                server.base_url,
                "--admin-key",
                "wrong",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode != 0 and "401" in refused.stderr


SDK_SUITE = """
import json
import os
import subprocess


def test_the_official_sdk_on_an_org_of_its_own_retries_two_429s(crm, tmp_path):
    crm.faults.add("error", path="/crm/*/Products/*/Price_Books", method="PUT",
                   code="TOO_MANY_REQUESTS", times=2)
    env = {
        **os.environ,
        "CRMLINK_URL": crm.api_domain,
        "CRMLINK_TOKEN_URL": crm.token_url,
        "CRMLINK_CLIENT_ID": crm.client_id,
        "CRMLINK_CLIENT_SECRET": crm.client_secret,
        "CRMLINK_REFRESH_TOKEN": crm.refresh_token,
        "CRMLINK_USER_EMAIL": crm.email,
        "CRMLINK_FLOW_WORKDIR": str(tmp_path),
    }
    run = subprocess.run([os.environ["SDK_PYTHON"], os.environ["SDK_FLOW"]], env=env,
                         capture_output=True, text=True, timeout=300)
    result = json.loads(run.stdout)
    assert result["exception"] is None, result["exception"]
    assert result["facts"]["attempts"] == [429, 429, 200]
    assert [r["list_price"] for r in result["facts"]["listed"]["records"]] == [5.5]
    assert [e["status"] for e in crm.requests() if e["method"] == "PUT"] == [429, 429, 200]
"""


def test_zohos_official_sdk_against_the_plugins_org(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.live.official_sdks.venvs import ZOHOCRMSDK_2_1, ensure_venv, python_of

    flows = Path(__file__).parent / "live" / "official_sdks" / "flows"
    monkeypatch.setenv("SDK_PYTHON", str(python_of(ensure_venv(ZOHOCRMSDK_2_1))))
    monkeypatch.setenv("SDK_FLOW", str(flows / "zohocrmsdk21_retry.py"))
    pytester.makepyfile(test_sdk=SDK_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
