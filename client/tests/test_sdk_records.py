"""Records of a module through the client: behaviour a user sees (runs against any server)."""

from __future__ import annotations

import pytest

from crmlink_client import Client, NotFound, ValidationError

from conftest import Factory


def test_create_one_then_get_returns_the_record(client: Client) -> None:
    result = client.records("Leads").create_one(Last_Name="Ada", Company="Analytical")
    assert result.ok and result.code == "SUCCESS" and result.message == "record added"
    record = client.records("Leads").get(result.id or "")
    assert record["id"] == result.id
    assert record["Last_Name"] == "Ada"


def test_create_reports_each_item_in_input_order(client: Client) -> None:
    results = client.records("Leads").create(
        [{"Last_Name": "A"}, {"Company": "no last name"}, {"Last_Name": "C"}]
    )
    assert [r.ok for r in results] == [True, False, True]
    assert results.status_code == 207
    assert results[1].code == "MANDATORY_NOT_FOUND"
    assert results[1].details["api_name"] == "Last_Name"
    assert results.failed == [(1, results[1])]


def test_update_changes_one_field(client: Client, factory: Factory) -> None:
    lead = factory.one("Leads")
    result = client.records("Leads").update(lead, Company="New Co")
    assert result.ok and result.id == lead
    assert client.records("Leads").get(int(lead))["Company"] == "New Co"


def test_update_many_and_delete_many(client: Client, factory: Factory) -> None:
    ids = factory.create("Leads", 3)
    updated = client.records("Leads").update_many([{"id": i, "Company": "X"} for i in ids])
    assert updated.ok and updated.ids == ids
    deleted = client.records("Leads").delete(ids)
    assert deleted.ok and deleted.ids == ids
    with pytest.raises(NotFound):
        client.records("Leads").get(ids[0])


def test_delete_one_then_deleting_again_is_a_per_item_error(
    client: Client, factory: Factory
) -> None:
    lead = factory.one("Leads")
    assert client.records("Leads").delete_one(lead).ok
    again = client.records("Leads").delete(lead)
    assert not again.ok and again[0].status == "error"


def test_update_many_requires_ids_client_side(client: Client) -> None:
    with pytest.raises(ValueError, match="id"):
        client.records("Leads").update_many([{"Company": "X"}])


def test_iterate_walks_every_page(client: Client, factory: Factory) -> None:
    ids = factory.create("Contacts", 5)
    seen = [r["id"] for r in client.records("Contacts").iterate(per_page=2)]
    assert sorted(seen) == sorted(ids)


def test_iterate_over_an_empty_module_yields_nothing(client: Client) -> None:
    assert list(client.records("Campaigns")) == []


def test_250_records_are_created_in_three_calls_and_all_come_back(
    client: Client, factory: Factory
) -> None:
    ids = factory.create("Accounts", 250)
    assert len(set(ids)) == 250
    assert sorted(r["id"] for r in client.records("Accounts")) == sorted(ids)


def test_unknown_module_raises_validation_error(client: Client) -> None:
    with pytest.raises(ValidationError) as info:
        client.records("Nope").create_one(Name="x")
    assert info.value.code == "INVALID_MODULE"
    assert info.value.status_code == 400
