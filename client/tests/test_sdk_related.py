"""Related records through the client: behaviour a user sees (runs against any server)."""

from __future__ import annotations

import pytest

from crmlink_client import Client, ValidationError

from conftest import Factory


def test_relate_with_list_price_then_list_shows_them(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    books = factory.create("Price_Books", 2)
    related = client.related("Products", product, "Price_Books")
    results = related.relate(
        [{"id": books[0], "list_price": 10.5}, {"id": int(books[1]), "list_price": 20.0}]
    )
    assert results.ok and results.status_code == 200
    assert results.ids == books
    assert all(r.message == "relation added" for r in results)
    listed = {r["id"]: r for r in related.list()}
    assert set(listed) == set(books)
    assert listed[books[0]]["list_price"] == 10.5


def test_relate_accepts_bare_ids(client: Client, factory: Factory) -> None:
    campaign = factory.one("Campaigns")
    leads = factory.create("Leads", 2)
    results = client.related("Campaigns", campaign, "Leads").relate(leads)
    assert results.ok and results.ids == leads


def test_a_bad_related_id_is_a_result_in_its_place_not_an_exception(
    client: Client, factory: Factory
) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    results = client.related("Products", product, "Price_Books").relate(
        [{"id": "1111111111111111111", "list_price": 1}, {"id": book, "list_price": 2}]
    )
    assert [r.ok for r in results] == [False, True]
    assert results[0].code == "INVALID_DATA"
    assert results.status_code == 207


def test_update_sets_relation_fields(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    book = factory.one("Price_Books")
    related = client.related("Products", product, "Price_Books")
    result = related.update(book, list_price=9.5)
    assert result.ok and result.id == book
    assert [r["list_price"] for r in related.list()] == [9.5]
    assert related.get(book)["id"] == book


def test_delink_many_and_one(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    leads = factory.create("Leads", 3)
    related = client.related("Products", product, "Leads")
    related.relate(leads)
    removed = related.delink(leads[:2])
    assert removed.ok and removed.ids == leads[:2]
    assert all(r.message == "relation removed" for r in removed)
    assert related.delink_one(leads[2]).ok
    assert list(related.list()) == []


def test_list_of_an_empty_related_list_is_empty(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    assert list(client.related("Products", product, "Price_Books").list()) == []
    page = client.related("Products", product, "Price_Books").page()
    assert page.data == [] and page.info.more_records is False


def test_relating_250_records_keeps_input_order(client: Client, factory: Factory) -> None:
    campaign = factory.one("Campaigns")
    leads = factory.create("Leads", 250)
    related = client.related("Campaigns", campaign, "Leads")
    results = related.relate(leads)
    assert results.ok and results.ids == leads
    assert sorted(r["id"] for r in related.list(per_page=100)) == sorted(leads)
    assert related.delink(leads).ids == leads


def test_an_unknown_related_list_raises(client: Client, factory: Factory) -> None:
    product = factory.one("Products")
    with pytest.raises(ValidationError) as info:
        client.related("Products", product, "Nope").relate(["1"])
    assert info.value.code == "INVALID_DATA"
    assert info.value.message == "The relation name given seems to be invalid"


def test_relate_item_without_id_is_refused_client_side(client: Client) -> None:
    with pytest.raises(ValueError, match="id"):
        client.related("Products", "1", "Price_Books").relate([{"list_price": 1}])


def test_relate_with_nothing_is_refused_client_side(client: Client) -> None:
    with pytest.raises(ValueError, match="at least one"):
        client.related("Products", "1", "Price_Books").relate([])
