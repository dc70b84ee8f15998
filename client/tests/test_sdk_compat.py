"""The Zoho-SDK-shaped layer: the seed page's Python sample runs with only its set-up changed."""

from __future__ import annotations

import json

import pytest

from crmlink_client import Client
from crmlink_client.compat import (
    ActionWrapper,
    APIException,
    BodyWrapper,
    Choice,
    DelinkRecordsParam,
    Initializer,
    ParameterMap,
    Record,
    RelatedRecordsOperations,
    ResponseWrapper,
    SuccessResponse,
)

from conftest import Factory
from sdk_fake_zoho import FakeZoho
from sdk_samples import seed_related_records as sample

# The record ids hard-coded in Zoho's sample.
PB_1, PB_2 = "3409643000002414001", "3409643000002414010"
PRODUCT = "3409643000000798007"


@pytest.fixture
def seeded(zoho: FakeZoho, client: Client) -> FakeZoho:
    zoho.seed("Products", PRODUCT, Product_Name="Widget")
    zoho.seed("Price_Books", PB_1, Price_Book_Name="Retail")
    zoho.seed("Price_Books", PB_2, Price_Book_Name="Wholesale")
    sample.set_up(client)
    return zoho


def test_seed_sample_update_related_records(
    seeded: FakeZoho, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.RelatedRecord.update_related_records("Products", int(PRODUCT), "Price_Books")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Status Code: 200"
    assert out.count("Message: relation added") == 2
    assert out.count("Code: SUCCESS") == 2
    assert f"id : {PB_1}" in out and f"id : {PB_2}" in out
    put = seeded.api_requests()[-1]
    assert put.method == "PUT" and put.url.path == f"/crm/v2.1/Products/{PRODUCT}/Price_Books"
    assert json.loads(put.content) == {
        "data": [{"id": PB_1, "list_price": 50.56}, {"id": PB_2, "list_price": 100.56}]
    }


def test_seed_sample_update_get_and_delink(
    seeded: FakeZoho, capsys: pytest.CaptureFixture[str]
) -> None:
    rr = sample.RelatedRecord
    rr.update_related_records("Products", int(PRODUCT), "Price_Books")
    rr.update_related_record("Products", int(PRODUCT), "Price_Books", int(PB_1))
    capsys.readouterr()

    rr.get_related_records("Products", int(PRODUCT), "Price_Books")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Status Code: 200"
    assert f"Record ID: {PB_1}" in out and f"Record ID: {PB_2}" in out
    assert "Record Created By - Name: Crm Admin" in out
    assert "list_price : 90.9" in out
    assert "Record Info MoreRecords: False" in out
    get = seeded.api_requests()[-1]
    assert dict(get.url.params) == {"page": "1", "per_page": "2"}
    assert get.headers["If-Modified-Since"] == "2019-01-01T10:00:00+05:30"

    rr.delink_records("Products", int(PRODUCT), "Price_Books", [int(PB_2)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Status Code: 200" and "Message: relation removed" in out
    assert seeded.api_requests()[-1].url.params["ids"] == PB_2

    rr.delink_record("Products", int(PRODUCT), "Price_Books", int(PB_1))
    assert "Message: relation removed" in capsys.readouterr().out

    rr.get_related_records("Products", int(PRODUCT), "Price_Books")
    assert capsys.readouterr().out.splitlines() == ["Status Code: 204", "No Content"]


def test_seed_sample_prints_a_request_level_error(
    seeded: FakeZoho, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.RelatedRecord.update_related_records("Products", 1234, "Price_Books")
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["Status Code: 400", "Status: error", "Code: INVALID_DATA"]
    assert "Message: the related id given seems to be invalid" in out


def test_per_item_errors_are_api_exceptions_in_action_wrapper(
    client: Client, factory: Factory
) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    good, bad = Record(), Record()
    good.add_key_value("id", book)
    good.add_key_value("list_price", 5)
    bad.add_key_value("id", 1111111111111111111)
    response = RelatedRecordsOperations(
        "Price_Books", product, "Products", client=client
    ).update_related_records(BodyWrapper([good, bad]))
    assert response.status_code == 207
    wrapper = response.object
    assert isinstance(wrapper, ActionWrapper)
    first, second = wrapper.get_data()
    assert isinstance(first, SuccessResponse) and first.code == "SUCCESS"
    assert isinstance(second, APIException) and second.status == "error"
    assert second.get_code().get_value() == "INVALID_DATA"


def test_request_level_error_is_returned_not_raised(client: Client) -> None:
    ops = RelatedRecordsOperations("Price_Books", 1, "Nope", client=client)
    response = ops.get_related_records()
    assert response.get_status_code() == 400 and not response.is_expected
    error = response.get_object()
    assert isinstance(error, APIException) and error.code == "INVALID_MODULE"


def test_get_related_records_wraps_records(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    client.related("Products", product, "Price_Books").relate([{"id": book, "list_price": 3}])
    response = RelatedRecordsOperations(
        "Price_Books", product, "Products", client=client
    ).get_related_records()
    wrapper = response.get_object()
    assert isinstance(wrapper, ResponseWrapper)
    (record,) = wrapper.get_data()
    assert record.get_id() == int(book)
    assert record.get_key_value("list_price") == 3
    info = wrapper.get_info()
    assert info is not None and info.get_count() == 1 and info.get_more_records() is False


def test_get_related_record_and_delink_by_plain_ids(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    ops = RelatedRecordsOperations("Price_Books", product, "Products", client=client)
    client.related("Products", product, "Price_Books").relate([book])
    wrapper = ops.get_related_record(book).object
    assert isinstance(wrapper, ResponseWrapper) and wrapper.data[0].get_id() == int(book)
    removed = ops.delink_records([book]).object
    assert isinstance(removed, ActionWrapper)
    assert removed.data[0].message == "relation removed"


def test_delink_param_map_joins_ids(client: Client, zoho: FakeZoho) -> None:
    product = zoho.seed("Products", Product_Name="p")
    params = ParameterMap()
    params.add(DelinkRecordsParam.ids, 11)
    params.add(DelinkRecordsParam.ids, "12")
    RelatedRecordsOperations("Price_Books", product, "Products", client=client).delink_records(
        params
    )
    assert zoho.api_requests()[-1].url.params["ids"] == "11,12"


def test_operations_without_initialize_say_so() -> None:
    Initializer._current = None
    with pytest.raises(RuntimeError, match="initialize"):
        RelatedRecordsOperations("Price_Books", 1, "Products").get_related_records()


def test_choice_is_a_string_with_get_value() -> None:
    code = Choice("SUCCESS")
    assert code == "SUCCESS" and code.get_value() == "SUCCESS"


def test_record_key_values() -> None:
    record = Record()
    record.set_id(12)
    record.add_key_value("list_price", 1.5)
    assert record.get_id() == 12
    assert record.get_key_value("list_price") == 1.5
    assert record.get_key_values() == {"id": 12, "list_price": 1.5}
    assert record.get_created_by() is None
