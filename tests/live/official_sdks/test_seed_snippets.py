"""The seed page's Python snippets run against ``crmlink serve --demo`` with only set-up changed.

``seed/seed_sdk_snippet.py`` is the page's Python SDK snippet (``zcrmsdk==3.1.0``'s call shape:
``RelatedRecordsOperations(related_list_api_name, record_id, module_api_name)``); its set-up block
points it at the demo server. ``seed/seed_raw_requests.py`` is the page's raw ``requests``
snippet with the page's own host, ids and token, which this test swaps for the demo server's by
plain string replacement, and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.official_sdks.scripts import flow_env, run_script
from tests.live.server import LiveServer

SEED = Path(__file__).parent / "seed"

# The page's placeholders in the raw snippet, each replaced by a real value.
PAGE_HOST = "https://www.zohoapis.com"
PAGE_PRODUCT = "3409643000000798007"
PAGE_BOOK_1 = "3409643000002414001"
PAGE_BOOK_2 = "3409643000002414010"
PAGE_TOKEN = "1000.04be928e4a96XXXXXXXXXXXXX68.0b9eXXXXXXXXXXXX60396e268"


def _demo_ids(server: LiveServer, token: str, module: str) -> list[str]:
    response = httpx.get(
        f"{server.url}/crm/v2.1/{module}", headers={"Authorization": f"Zoho-oauthtoken {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


def _prices(server: LiveServer, token: str, product: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.url}/crm/v2.1/Products/{product}/Price_Books",
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {r["id"]: r["list_price"] for r in response.json()["data"]}


@pytest.fixture(scope="module")
def demo(demo_server: LiveServer) -> dict[str, Any]:
    creds = demo_server.credentials_via_grant()  # as docs/clients.md does it
    token = demo_server.access_token(creds)
    return {
        "creds": creds,
        "token": token,
        "products": _demo_ids(demo_server, token, "Products"),
        "books": _demo_ids(demo_server, token, "Price_Books"),
    }


def test_seed_sdk_snippet_relates_and_updates_with_zcrmsdk_3_1(
    demo_server: LiveServer, demo: dict[str, Any], zcrmsdk31_python: Path, tmp_path: Path
) -> None:
    product, (book_1, book_2) = demo["products"][0], demo["books"][:2]
    done = run_script(
        zcrmsdk31_python,
        SEED / "seed_sdk_snippet.py",
        workdir=tmp_path,
        env=flow_env(demo_server, demo["creds"], tmp_path),
        args=[product, book_1, book_2],
    )
    assert done.returncode == 0, done.stderr
    bulk, single = (json.loads(line) for line in done.stdout.splitlines() if line.startswith("{"))
    assert bulk == {
        "status": 200,
        "object": "ActionWrapper",
        "items": [
            {"class": "SuccessResponse", "code": "SUCCESS", "message": "relation added", "id": int(book)}
            for book in (book_1, book_2)
        ],
    }
    assert single == {
        "status": 200,
        "object": "ActionWrapper",
        "items": [
            {"class": "SuccessResponse", "code": "SUCCESS", "message": "relation added", "id": int(book_1)}
        ],
    }
    log = (tmp_path / "sdk.log").read_text()
    assert " - ERROR - " not in log, log
    prices = _prices(demo_server, demo["token"], product)
    assert (prices[book_1], prices[book_2]) == (90.90, 100.56)


def test_seed_raw_requests_snippet_relates_and_updates(
    demo_server: LiveServer, demo: dict[str, Any], zohocrmsdk21_python: Path, tmp_path: Path
) -> None:
    product, (book_1, book_2) = demo["products"][1], demo["books"][:2]
    source = (SEED / "seed_raw_requests.py").read_text()
    for page_value, real in [
        (PAGE_HOST, demo_server.url),
        (PAGE_PRODUCT, product),
        (PAGE_BOOK_1, book_1),
        (PAGE_BOOK_2, book_2),
        (PAGE_TOKEN, demo["token"]),
    ]:
        assert page_value in source
        source = source.replace(page_value, real)
    script = tmp_path / "seed_raw_requests.py"
    script.write_text(source)
    # The SDK venvs have requests (both SDKs depend on it); the suite's own venv need not.
    done = run_script(zohocrmsdk21_python, script, workdir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["HTTP Status Code : 200", "HTTP Status Code : 200"]
    prices = _prices(demo_server, demo["token"], product)
    assert (prices[book_1], prices[book_2]) == (100.50, 120.50)
