"""Deluge's zoho.crm.updateRelatedRecord(module, recordID, parentModuleName, parentRecordId,
dataMap, connectionName, userAccess)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator

import pytest

from crmlink_client import Client, deluge

from conftest import Factory
from sdk_fake_zoho import FakeZoho


@pytest.fixture(autouse=True)
def no_connections() -> Iterator[None]:
    yield
    deluge._connections.clear()
    deluge.set_default_connection(None)


def test_returns_the_first_data_element_like_deluge(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    deluge.register_connection("crm", client)
    resp = deluge.update_related_record(
        "Price_Books", book, "Products", product, {"list_price": 12.5}, "crm"
    )
    assert resp == {
        "code": "SUCCESS",
        "details": {"id": book},
        "message": "relation added",
        "status": "success",
    }
    assert [r["list_price"] for r in client.related("Products", product, "Price_Books")] == [12.5]


def test_empty_map_sends_one_empty_object(client: Client, zoho: FakeZoho) -> None:
    deal = zoho.seed("Deals", Deal_Name="d")
    product = zoho.seed("Products", Product_Name="p")
    deluge.set_default_connection(client)
    resp = deluge.update_related_record("Products", int(product), "Deals", int(deal), {})
    assert resp["status"] == "success"
    put = zoho.api_requests()[-1]
    assert put.method == "PUT" and put.url.path == f"/crm/v2.1/Deals/{deal}/Products/{product}"
    assert json.loads(put.content) == {"data": [{}]}


def test_errors_come_back_as_the_error_map(client: Client) -> None:
    resp = deluge.update_related_record("Products", "1", "Deals", "2", {}, client, True)
    assert resp["status"] == "error" and resp["code"] == "INVALID_DATA"
    assert set(resp) == {"code", "details", "message", "status"}


def test_same_parameters_and_mandatory_ones_as_deluge() -> None:
    params = inspect.signature(deluge.update_related_record).parameters
    assert list(params) == [
        "module",
        "record_id",
        "parent_module_name",
        "parent_record_id",
        "data_map",
        "connection_name",
        "user_access",
    ]
    mandatory = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
    assert mandatory == [
        "module",
        "record_id",
        "parent_module_name",
        "parent_record_id",
        "data_map",
    ]


def test_data_map_none_is_refused() -> None:
    with pytest.raises(TypeError, match="data_map"):
        deluge.update_related_record("Products", 1, "Deals", 2, None)  # type: ignore[arg-type]


def test_unknown_connection_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="nope"):
        deluge.update_related_record("Products", 1, "Deals", 2, {}, "nope")
