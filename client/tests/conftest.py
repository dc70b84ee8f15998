"""Fixtures for the client tests.

Behaviour tests (``test_sdk_records``, ``test_sdk_related``, ``test_sdk_compat``'s non-wire parts,
``test_sdk_deluge``) use only ``client`` and ``factory``. To run them against the real server,
override ``http_client`` (e.g. an ``httpx.Client`` wrapping the crmlink app in process) and
``access_token``. Wire tests use ``zoho``, the in-memory fake, directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crmlink_client import Client

from sdk_fake_zoho import FakeZoho

#: Fields each module needs on create (Zoho's system-mandatory fields).
REQUIRED_FIELDS: dict[str, dict[str, Any]] = {
    "Leads": {"Last_Name": "Lead"},
    "Contacts": {"Last_Name": "Contact"},
    "Accounts": {"Account_Name": "Account"},
    "Deals": {"Deal_Name": "Deal", "Stage": "Qualification"},
    "Products": {"Product_Name": "Product"},
    "Campaigns": {"Campaign_Name": "Campaign"},
    "Price_Books": {
        "Price_Book_Name": "Price book",
        "Pricing_Details": [{"from_range": 1, "to_range": 1000, "discount": 0}],
    },
}


@pytest.fixture
def zoho() -> FakeZoho:
    return FakeZoho()


@pytest.fixture
def http_client(zoho: FakeZoho) -> Iterator[httpx.Client]:
    with httpx.Client(transport=zoho.transport(), base_url="http://crm.test") as http:
        yield http


@pytest.fixture
def access_token(zoho: FakeZoho) -> str:
    return zoho.issue_token()


@pytest.fixture
def client(http_client: httpx.Client, access_token: str) -> Iterator[Client]:
    with Client(http_client=http_client, access_token=access_token) as crm:
        yield crm


class Factory:
    """Creates records through the client, with each module's mandatory fields filled in."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def create(self, module: str, n: int = 1, **fields: Any) -> list[str]:
        base = {**REQUIRED_FIELDS[module], **fields}
        items = [{**base, **_numbered(base, i)} for i in range(n)]
        results = self.client.records(module).create(items)
        assert results.ok, results.failed
        return [str(r.id) for r in results]

    def one(self, module: str, **fields: Any) -> str:
        return self.create(module, 1, **fields)[0]


def _numbered(base: dict[str, Any], i: int) -> dict[str, Any]:
    # Distinct names, so that a server doing duplicate checks accepts them.
    return {k: f"{v} {i}" for k, v in base.items() if k.endswith("_Name") and isinstance(v, str)}


@pytest.fixture
def factory(client: Client) -> Factory:
    return Factory(client)
