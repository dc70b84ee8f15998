"""The standard modules beyond the first eight: activities, Vendors, Cases, Solutions and the
inventory modules, on both engines (spec zoho-crm-v2.1-schema.md section 1)."""

from __future__ import annotations

from typing import Any

import pytest

from crmlink.domain.catalog_data import CATALOG
from tests.factories import TestOrg, record_fields
from tests.helpers import assert_item_error, assert_success

PLAIN = ["Tasks", "Events", "Calls", "Vendors", "Cases", "Solutions"]
INVENTORY = {
    "Quotes": "Quoted_Items",
    "Sales_Orders": "Ordered_Items",
    "Purchase_Orders": "Purchase_Items",
    "Invoices": "Invoiced_Items",
}
AUTONUMBER = {"Cases": "Case_Number", "Solutions": "Solution_Number", "Quotes": "Quote_Number"}


def _post(client: Any, org: TestOrg, module: str, *items: dict[str, Any]) -> Any:
    return client.post(f"/crm/v2.1/{module}", json={"data": list(items)}, headers=org.headers)


def _get(client: Any, org: TestOrg, module: str, record_id: str) -> dict[str, Any]:
    response = client.get(f"/crm/v2.1/{module}/{record_id}", headers=org.headers)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()["data"][0]
    return record


def _created(response: Any) -> str:
    assert response.status_code == 201, response.text
    (item,) = response.json()["data"]
    assert_success(item, "record added")
    record_id: str = item["details"]["id"]
    return record_id


def test_the_catalog_has_the_spec_s_standard_modules() -> None:
    names = {m.api_name for m in CATALOG.modules}
    assert names >= {*PLAIN, *INVENTORY, "Leads", "Contacts", "Accounts", "Deals", "Products"}
    assert CATALOG.module_map["Events"].module_name == "Meetings"
    assert CATALOG.module_map["Sales_Orders"].module_name == "SalesOrders"
    mandatory = {m: {f.api_name for f in CATALOG.module_map[m].mandatory_fields} for m in names}
    assert mandatory["Tasks"] == {"Subject"}
    assert mandatory["Events"] == {"Event_Title", "Start_DateTime", "End_DateTime"}
    assert mandatory["Calls"] == {"Subject", "Call_Type", "Call_Start_Time"}
    assert mandatory["Cases"] == {"Subject", "Status", "Case_Origin"}
    assert mandatory["Purchase_Orders"] == {"Subject", "Vendor_Name", "Purchase_Items"}
    for module, items in INVENTORY.items():
        assert items in mandatory[module]


@pytest.mark.parametrize("module", PLAIN)
def test_create_read_update(client: Any, org: TestOrg, module: str) -> None:
    record_id = _created(_post(client, org, module, record_fields(module)))
    record = _get(client, org, module, record_id)
    for key, value in record_fields(module).items():
        assert record[key] == value
    assert record["Owner"]["id"] == str(org.admin_id)
    display = CATALOG.module_map[module].display_field
    response = client.put(
        f"/crm/v2.1/{module}/{record_id}", json={"data": [{display: "Renamed"}]}, headers=org.headers
    )
    assert response.status_code == 200, response.text
    assert _get(client, org, module, record_id)[display] == "Renamed"
    if module in AUTONUMBER:
        assert record[AUTONUMBER[module]] == record_id


@pytest.mark.parametrize(
    ("module", "field"),
    [(m, f.api_name) for m in PLAIN for f in CATALOG.module_map[m].mandatory_fields],
)
def test_missing_mandatory_field(client: Any, org: TestOrg, module: str, field: str) -> None:
    item = {k: v for k, v in record_fields(module).items() if k != field}
    response = _post(client, org, module, item)
    assert response.status_code == 400
    assert_item_error(
        response.json()["data"][0], "MANDATORY_NOT_FOUND", "required field not found", api_name=field
    )
    assert client.get(f"/crm/v2.1/{module}", headers=org.headers).status_code == 204


def test_autonumber_is_not_writable(client: Any, org: TestOrg) -> None:
    record_id = _created(_post(client, org, "Cases", record_fields("Cases", Case_Number="X-1")))
    assert _get(client, org, "Cases", record_id)["Case_Number"] == record_id


def test_bad_picklist_value(client: Any, org: TestOrg) -> None:
    response = _post(client, org, "Cases", record_fields("Cases", Status="Pending forever"))
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="Status")


# --- activities: What_Id / $se_module and Who_Id --------------------------------------------


@pytest.mark.parametrize("module", ["Tasks", "Events", "Calls"])
@pytest.mark.parametrize("target", ["Accounts", "Leads", "Deals", "Vendors", "Cases"])
def test_what_id_names_its_module(client: Any, org: TestOrg, module: str, target: str) -> None:
    (parent,) = org.create(client, target)
    (contact,) = org.create(client, "Contacts")
    item = record_fields(module, What_Id={"id": parent}, **{"$se_module": target}, Who_Id=contact)
    record_id = _created(_post(client, org, module, item))
    record = _get(client, org, module, record_id)
    assert record["What_Id"]["id"] == parent and record["What_Id"]["name"]
    assert record["$se_module"] == target
    assert record["Who_Id"]["id"] == contact
    # The parent's related list of that activity type shows it; the contact's too (Who_Id).
    listed = client.get(f"/crm/v2.1/{target}/{parent}/{module}", headers=org.headers)
    assert [r["id"] for r in listed.json()["data"]] == [record_id]
    listed = client.get(f"/crm/v2.1/Contacts/{contact}/{module}", headers=org.headers)
    assert [r["id"] for r in listed.json()["data"]] == [record_id]


def test_what_id_needs_se_module(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts")
    response = _post(client, org, "Tasks", record_fields("Tasks", What_Id={"id": account}))
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="$se_module")


@pytest.mark.parametrize("se_module", ["Contacts", "Notes", "Tasks", "Nope", 12])
def test_se_module_must_be_an_activity_target(client: Any, org: TestOrg, se_module: Any) -> None:
    (contact,) = org.create(client, "Contacts")
    item = record_fields("Tasks", What_Id={"id": contact}, **{"$se_module": se_module})
    response = _post(client, org, "Tasks", item)
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="$se_module")


def test_what_id_must_be_a_record_of_se_module(client: Any, org: TestOrg) -> None:
    (deal,) = org.create(client, "Deals")
    item = record_fields("Tasks", What_Id={"id": deal}, **{"$se_module": "Accounts"})
    response = _post(client, org, "Tasks", item)
    assert response.status_code == 400
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="What_Id")
    item = record_fields("Tasks", What_Id={"id": "1234567890123456789"}, **{"$se_module": "Deals"})
    assert_item_error(_post(client, org, "Tasks", item).json()["data"][0], "INVALID_DATA", api_name="What_Id")


def test_who_id_is_a_contact(client: Any, org: TestOrg) -> None:
    (lead,) = org.create(client, "Leads")
    response = _post(client, org, "Calls", record_fields("Calls", Who_Id={"id": lead}))
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="Who_Id")


def test_se_module_without_what_id_is_ignored(client: Any, org: TestOrg) -> None:
    record_id = _created(_post(client, org, "Tasks", record_fields("Tasks", **{"$se_module": "Contacts"})))
    assert "$se_module" not in _get(client, org, "Tasks", record_id)


def test_moving_and_clearing_what_id(client: Any, org: TestOrg) -> None:
    (account,) = org.create(client, "Accounts")
    (deal,) = org.create(client, "Deals")
    item = record_fields("Tasks", What_Id={"id": account}, **{"$se_module": "Accounts"})
    task = _created(_post(client, org, "Tasks", item))
    moved = {"What_Id": {"id": deal}, "$se_module": "Deals"}
    assert (
        client.put(f"/crm/v2.1/Tasks/{task}", json={"data": [moved]}, headers=org.headers).status_code == 200
    )
    record = _get(client, org, "Tasks", task)
    assert (record["What_Id"]["id"], record["$se_module"]) == (deal, "Deals")
    assert client.get(f"/crm/v2.1/Accounts/{account}/Tasks", headers=org.headers).status_code == 204
    cleared = {"What_Id": None}
    assert (
        client.put(f"/crm/v2.1/Tasks/{task}", json={"data": [cleared]}, headers=org.headers).status_code
        == 200
    )
    record = _get(client, org, "Tasks", task)
    assert record["What_Id"] is None and "$se_module" not in record
    assert client.get(f"/crm/v2.1/Deals/{deal}/Tasks", headers=org.headers).status_code == 204


def test_task_reminder_and_recurrence(client: Any, org: TestOrg) -> None:
    alarm = {"ALARM": "FREQ=NONE;ACTION=EMAILANDPOPUP;TRIGGER=DATE-TIME:2030-01-01T09:00:00+00:00"}
    rrule = {"RRULE": "FREQ=DAILY;INTERVAL=1;DTSTART=2030-01-01;UNTIL=2030-01-05"}
    task = _created(
        _post(client, org, "Tasks", record_fields("Tasks", Remind_At=alarm, Recurring_Activity=rrule))
    )
    record = _get(client, org, "Tasks", task)
    assert (record["Remind_At"], record["Recurring_Activity"]) == (alarm, rrule)
    response = _post(client, org, "Tasks", record_fields("Tasks", Remind_At="tomorrow"))
    assert_item_error(
        response.json()["data"][0], "INVALID_DATA", api_name="Remind_At", expected_data_type="ALARM"
    )


def test_event_cannot_end_before_it_starts(client: Any, org: TestOrg) -> None:
    item = record_fields("Events", End_DateTime="2029-12-31T10:00:00+00:00")
    response = _post(client, org, "Events", item)
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="End_DateTime")


def test_call_duration(client: Any, org: TestOrg) -> None:
    past = "2020-01-01T10:00:00+00:00"
    response = _post(client, org, "Calls", record_fields("Calls", Call_Start_Time=past))
    assert_item_error(response.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="Call_Duration")
    response = _post(client, org, "Calls", record_fields("Calls", Call_Duration="ten minutes"))
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="Call_Duration")
    call = _created(
        _post(client, org, "Calls", record_fields("Calls", Call_Start_Time=past, Call_Duration="10:30"))
    )
    record = _get(client, org, "Calls", call)
    assert (record["Call_Duration"], record["Call_Duration_in_seconds"]) == ("10:30", 630)


# --- inventory: line items and totals ----------------------------------------------------------


def _product(client: Any, org: TestOrg, name: str, price: float | None) -> str:
    fields: dict[str, Any] = {"Product_Name": name, "Product_Code": f"P-{name}"}
    if price is not None:
        fields["Unit_Price"] = price
    return _created(_post(client, org, "Products", fields))


def _order(module: str, org_refs: dict[str, str], rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"Subject": f"{module} 1", INVENTORY[module]: rows, **extra}
    if module == "Purchase_Orders":
        item["Vendor_Name"] = {"id": org_refs["vendor"]}
    return item


@pytest.fixture
def refs(client: Any, org: TestOrg) -> dict[str, str]:
    return {
        "widget": _product(client, org, "Widget", 10.0),
        "gadget": _product(client, org, "Gadget", None),
        "vendor": org.create(client, "Vendors")[0],
    }


@pytest.mark.parametrize("module", list(INVENTORY))
def test_line_items_and_totals(client: Any, org: TestOrg, refs: dict[str, str], module: str) -> None:
    rows = [
        {"Product_Name": {"id": refs["widget"]}, "Quantity": 3},  # list price = Unit_Price 10
        {
            "Product_Name": {"id": refs["gadget"]},
            "Quantity": 2,
            "List_Price": 25.5,
            "Discount": "10%",
            "Line_Tax": [{"name": "VAT", "percentage": 20}],
        },
    ]
    item = _order(
        module, refs, rows, Discount=5, Adjustment=1.25, **{"$line_tax": [{"name": "GST", "percentage": 10}]}
    )
    record_id = _created(_post(client, org, module, item))
    record = _get(client, org, module, record_id)
    got = record[INVENTORY[module]]
    assert [r["Product_Name"] for r in got] == [
        {"name": "Widget", "id": refs["widget"], "Product_Code": "P-Widget"},
        {"name": "Gadget", "id": refs["gadget"], "Product_Code": "P-Gadget"},
    ]
    first, second = got
    assert (first["List_Price"], first["Total"], first["Net_Total"]) == (10.0, 30.0, 30.0)
    # 2 x 25.50 = 51.00; 10% off = 5.10 -> 45.90; VAT 20% = 9.18 -> 55.08
    assert second["Total"] == 51.0 and second["Discount"] == 5.1
    assert second["Total_After_Discount"] == 45.9 and second["Tax"] == 9.18 and second["Net_Total"] == 55.08
    assert second["Line_Tax"] == [{"name": "VAT", "percentage": 20.0, "value": 9.18}]
    assert all(r["id"].isdigit() for r in got) and first["id"] != second["id"]
    # Sub 85.08; less 5 = 80.08; GST 10% = 8.01; + 1.25 adjustment = 89.34
    assert record["Sub_Total"] == 85.08
    assert record["Tax"] == 8.01
    assert record["Grand_Total"] == 89.34
    assert record["$line_tax"] == [{"percentage": 10.0, "name": "GST", "value": 8.01}]


@pytest.mark.parametrize("module", list(INVENTORY))
def test_line_items_are_mandatory(client: Any, org: TestOrg, refs: dict[str, str], module: str) -> None:
    for rows in (None, []):
        item = _order(module, refs, [])
        if rows is None:
            del item[INVENTORY[module]]
        response = _post(client, org, module, item)
        assert response.status_code == 400
        assert_item_error(
            response.json()["data"][0],
            "MANDATORY_NOT_FOUND",
            api_name=INVENTORY[module],
            json_path=f"$.data[0].{INVENTORY[module]}",
        )
    assert client.get(f"/crm/v2.1/{module}", headers=org.headers).status_code == 204


def test_purchase_order_needs_its_vendor(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    item = _order("Purchase_Orders", refs, [{"Product_Name": {"id": refs["widget"]}, "Quantity": 1}])
    del item["Vendor_Name"]
    response = _post(client, org, "Purchase_Orders", item)
    assert_item_error(response.json()["data"][0], "MANDATORY_NOT_FOUND", api_name="Vendor_Name")


@pytest.mark.parametrize(
    ("row", "api_name", "code"),
    [
        ({"Quantity": 1}, "Product_Name", "MANDATORY_NOT_FOUND"),
        ({"Product_Name": {"id": "widget"}}, "Quantity", "MANDATORY_NOT_FOUND"),
        ({"Product_Name": {"id": "widget"}, "Quantity": 0}, "Quantity", "INVALID_DATA"),
        ({"Product_Name": {"id": "widget"}, "Quantity": "many"}, "Quantity", "INVALID_DATA"),
        ({"Product_Name": {"id": "widget"}, "Quantity": 1, "List_Price": -1}, "List_Price", "INVALID_DATA"),
        ({"Product_Name": {"id": "widget"}, "Quantity": 1, "Discount": 11}, "Discount", "INVALID_DATA"),
        ({"Product_Name": {"id": "widget"}, "Quantity": 1, "Discount": "150%"}, "Discount", "INVALID_DATA"),
        ({"Product_Name": {"id": "vendor"}, "Quantity": 1}, "Product_Name", "INVALID_DATA"),
        ({"Product_Name": {"id": "1234567890123456789"}, "Quantity": 1}, "Product_Name", "INVALID_DATA"),
        (
            {"Product_Name": {"id": "widget"}, "Quantity": 1, "Price_Book_Name": {"id": "widget"}},
            "Price_Book_Name",
            "INVALID_DATA",
        ),
        (
            {"Product_Name": {"id": "widget"}, "Quantity": 1, "Line_Tax": [{"name": "T", "percentage": 101}]},
            "percentage",
            "INVALID_DATA",
        ),
        (
            {"Product_Name": {"id": "widget"}, "Quantity": 1, "id": "1234567890123456789"},
            "id",
            "INVALID_DATA",
        ),
    ],
)
def test_bad_line_items(
    client: Any, org: TestOrg, refs: dict[str, str], row: dict[str, Any], api_name: str, code: str
) -> None:
    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and value.get("id") in refs:
            return {"id": refs[value["id"]]}
        return value

    row = {k: resolve(v) for k, v in row.items()}
    good = {"Product_Name": {"id": refs["widget"]}, "Quantity": 1}
    response = _post(
        client, org, "Quotes", _order("Quotes", refs, [good]), _order("Quotes", refs, [good, row])
    )
    assert response.status_code == 207
    first, second = response.json()["data"]
    assert_success(first, "record added")
    assert_item_error(second, code, api_name=api_name)
    assert second["details"]["json_path"].startswith("$.data[1].Quoted_Items[1]")
    assert len(client.get("/crm/v2.1/Quotes", headers=org.headers).json()["data"]) == 1


def test_product_details_form_is_accepted(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    details = [
        {
            "product": {"id": refs["widget"]},
            "quantity": 2,
            "list_price": 12,
            "Discount": 4,
            "product_description": "d",
        }
    ]
    record_id = _created(_post(client, org, "Invoices", {"Subject": "v2 form", "Product_Details": details}))
    (row,) = _get(client, org, "Invoices", record_id)["Invoiced_Items"]
    assert (row["Quantity"], row["List_Price"], row["Discount"], row["Net_Total"], row["Description"]) == (
        2.0,
        12.0,
        4.0,
        20.0,
        "d",
    )


def test_price_book_list_price_is_the_default(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    (book,) = org.create(client, "Price_Books")
    response = client.put(
        f"/crm/v2.1/Price_Books/{book}/Products/{refs['widget']}",
        json={"data": [{"list_price": 7.5}]},
        headers=org.headers,
    )
    assert response.status_code == 200, response.text
    row = {"Product_Name": {"id": refs["widget"]}, "Quantity": 2, "Price_Book_Name": {"id": book}}
    record_id = _created(_post(client, org, "Quotes", _order("Quotes", refs, [row])))
    (got,) = _get(client, org, "Quotes", record_id)["Quoted_Items"]
    assert (got["List_Price"], got["Total"]) == (7.5, 15.0)
    assert got["Price_Book_Name"] == {"name": "Price Book 0", "id": book}


def test_updating_line_items_replaces_them(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    rows = [
        {"Product_Name": {"id": refs["widget"]}, "Quantity": 1},
        {"Product_Name": {"id": refs["gadget"]}, "Quantity": 1, "List_Price": 5},
    ]
    quote = _created(_post(client, org, "Quotes", _order("Quotes", refs, rows)))
    kept, dropped = _get(client, org, "Quotes", quote)["Quoted_Items"]
    update = {"Quoted_Items": [{"id": kept["id"], "Product_Name": {"id": refs["widget"]}, "Quantity": 4}]}
    response = client.put(f"/crm/v2.1/Quotes/{quote}", json={"data": [update]}, headers=org.headers)
    assert response.status_code == 200, response.text
    record = _get(client, org, "Quotes", quote)
    (row,) = record["Quoted_Items"]
    assert row["id"] == kept["id"] and row["Total"] == 40.0
    assert record["Sub_Total"] == 40.0 and record["Grand_Total"] == 40.0
    # A header change recomputes the totals from the stored rows.
    response = client.put(f"/crm/v2.1/Quotes/{quote}", json={"data": [{"Discount": 10}]}, headers=org.headers)
    assert response.status_code == 200
    assert _get(client, org, "Quotes", quote)["Grand_Total"] == 30.0
    # The dropped row's id is no longer the record's.
    stale = {"Quoted_Items": [{"id": dropped["id"], "Product_Name": {"id": refs["widget"]}, "Quantity": 1}]}
    response = client.put(f"/crm/v2.1/Quotes/{quote}", json={"data": [stale]}, headers=org.headers)
    assert_item_error(response.json()["data"][0], "INVALID_DATA", api_name="id")


def test_inventory_lookup_lists(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    (account,) = org.create(client, "Accounts")
    row = [{"Product_Name": {"id": refs["widget"]}, "Quantity": 1}]
    quote = _created(_post(client, org, "Quotes", _order("Quotes", refs, row, Account_Name={"id": account})))
    order = _created(
        _post(client, org, "Sales_Orders", _order("Sales_Orders", refs, row, Quote_Name={"id": quote}))
    )
    invoice = _created(
        _post(client, org, "Invoices", _order("Invoices", refs, row, Sales_Order={"id": order}))
    )
    po = _created(_post(client, org, "Purchase_Orders", _order("Purchase_Orders", refs, row)))

    def listed(url: str) -> list[str]:
        response = client.get(f"/crm/v2.1/{url}", headers=org.headers)
        assert response.status_code == 200, (url, response.text)
        return [r["id"] for r in response.json()["data"]]

    assert listed(f"Accounts/{account}/Quotes") == [quote]
    assert listed(f"Quotes/{quote}/SalesOrders") == [order]
    assert listed(f"Sales_Orders/{order}/Invoices") == [invoice]
    assert listed(f"Vendors/{refs['vendor']}/PurchaseOrders") == [po]
    product = _created(
        _post(client, org, "Products", {"Product_Name": "Sold", "Vendor_Name": {"id": refs["vendor"]}})
    )
    assert listed(f"Vendors/{refs['vendor']}/Products") == [product]
    # Lookup lists are read-only: relating through them is refused.
    response = client.put(
        f"/crm/v2.1/Accounts/{account}/Quotes/{quote}", json={"data": [{}]}, headers=org.headers
    )
    assert response.status_code == 400


def test_line_item_modules_are_metadata_only(client: Any, org: TestOrg) -> None:
    fields = client.get("/crm/v2.1/settings/fields?module=Quoted_Items", headers=org.headers)
    assert fields.status_code == 200
    assert {f["api_name"] for f in fields.json()["fields"] if f["system_mandatory"]} == {
        "Product_Name",
        "Quantity",
    }
    quotes = client.get("/crm/v2.1/settings/fields?module=Quotes", headers=org.headers).json()["fields"]
    items = next(f for f in quotes if f["api_name"] == "Quoted_Items")
    assert (items["data_type"], items["json_type"], items["subform"]["module"]) == (
        "subform",
        "jsonarray",
        "Quoted_Items",
    )
    module = client.get("/crm/v2.1/settings/modules/Quoted_Items", headers=org.headers).json()["modules"][0]
    assert module["generated_type"] == "subform" and module["parent_module"]["api_name"] == "Quotes"
    response = client.get("/crm/v2.1/Quoted_Items", headers=org.headers)
    assert response.status_code == 400 and response.json()["code"] == "INVALID_MODULE"


def test_huge_line_items_do_not_break_the_totals(client: Any, org: TestOrg, refs: dict[str, str]) -> None:
    row = {
        "Product_Name": {"id": refs["widget"]},
        "Quantity": 999999999999999,
        "List_Price": 999999999999999.9,
    }
    record_id = _created(_post(client, org, "Quotes", _order("Quotes", refs, [row])))
    assert _get(client, org, "Quotes", record_id)["Grand_Total"] > 1e29
