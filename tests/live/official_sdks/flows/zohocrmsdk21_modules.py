"""Issue 12 with Zoho's ``zohocrmsdk2-1==3.0.0``, unmodified: a Task related to an Account
through ``What_Id``/``$se_module``, a Quote with ``Quoted_Items`` line items, and the metadata
answers the SDK reads (layouts, custom views, profiles, roles, org, contact roles).

Run with the SDK venv's python; prints one JSON document (``test_sdk_modules.py`` asserts on it).
"""

from __future__ import annotations

from typing import Any

from _flowkit import Flow, config_from_env
from zcrmsdk.src.com.zoho.crm.api.contact_roles import ContactRolesOperations
from zcrmsdk.src.com.zoho.crm.api.custom_views import CustomViewsOperations
from zcrmsdk.src.com.zoho.crm.api.layouts import LayoutsOperations
from zcrmsdk.src.com.zoho.crm.api.org import OrgOperations
from zcrmsdk.src.com.zoho.crm.api.profiles import ProfilesOperations
from zcrmsdk.src.com.zoho.crm.api.record import LineItemProduct, Record, RecordOperations
from zcrmsdk.src.com.zoho.crm.api.roles import RolesOperations
from zcrmsdk.src.com.zoho.crm.api.util import Choice
from zohocrmsdk21_flow import create, initialize


def _record(record_id: int) -> Record:
    record = Record()
    record.set_id(record_id)
    return record


def _get(flow: Flow, name: str, module: str, record_id: int) -> dict[str, Any]:
    response = RecordOperations().get_record(record_id, module)
    flow.call(name, response)
    obj = response.get_object() if response is not None else None
    data = obj.get_data() if obj is not None and hasattr(obj, "get_data") else None
    return data[0].get_key_values() if data else {}


def task_with_what_id(flow: Flow) -> None:
    account = create(flow, "Accounts", "create Account", [{"Account_Name": "SDK 2.1 account"}])[0]
    task = create(
        flow,
        "Tasks",
        "create Task",
        [
            {
                "Subject": "Call back",
                "Status": Choice("Not Started"),
                "What_Id": _record(account),
                "$se_module": "Accounts",
            }
        ],
    )[0]
    flow.ids.update(account=account, task=task)
    got = _get(flow, "get Task", "Tasks", task)
    what = got.get("What_Id")
    flow.facts["task"] = {
        "what_id": what.get_id() if what is not None else None,
        "what_class": type(what).__name__,
        "se_module": got.get("$se_module"),
        "subject": got.get("Subject"),
    }


def quote_with_line_items(flow: Flow) -> None:
    product = create(
        flow, "Products", "create Product", [{"Product_Name": "SDK 2.1 gear", "Unit_Price": 12.5}]
    )[0]
    item = Record()
    line_product = LineItemProduct()
    line_product.set_id(product)
    item.add_key_value("Product_Name", line_product)
    item.add_key_value("Quantity", 4.0)
    item.add_key_value("Discount", "10%")
    quote = create(flow, "Quotes", "create Quote", [{"Subject": "SDK 2.1 quote", "Quoted_Items": [item]}])[0]
    flow.ids.update(product=product, quote=quote)
    got = _get(flow, "get Quote", "Quotes", quote)
    rows = got.get("Quoted_Items") or []
    flow.facts["quote"] = {
        "grand_total": got.get("Grand_Total"),
        "sub_total": got.get("Sub_Total"),
        "rows": [
            {
                "class": type(r).__name__,
                "product_class": type(r.get_key_value("Product_Name")).__name__,
                "product_id": r.get_key_value("Product_Name").get_id(),
                "quantity": r.get_key_value("Quantity"),
                "net_total": r.get_key_value("Net_Total"),
            }
            for r in rows
        ],
    }


def metadata(flow: Flow) -> None:
    response = LayoutsOperations("Quotes").get_layouts()
    flow.call("get Quotes layouts", response)
    layouts = response.get_object().get_layouts()
    flow.facts["layouts"] = [
        {"name": layout.get_name(), "sections": [s.get_display_label() for s in layout.get_sections()]}
        for layout in layouts
    ]
    response = CustomViewsOperations("Leads").get_custom_views()
    flow.call("get Leads custom views", response)
    flow.facts["custom_views"] = [v.get_name() for v in response.get_object().get_custom_views()]
    response = OrgOperations().get_organization()
    flow.call("get org", response)
    flow.facts["org"] = [o.get_company_name() for o in response.get_object().get_org()]
    response = ProfilesOperations().get_profiles()
    flow.call("get profiles", response)
    flow.facts["profiles"] = sorted(p.get_name() for p in response.get_object().get_profiles())
    response = RolesOperations().get_roles()
    flow.call("get roles", response)
    flow.facts["roles"] = [r.get_name() for r in response.get_object().get_roles()]
    response = ContactRolesOperations().get_contact_roles()
    flow.call("get contact roles", response)
    flow.facts["contact_roles"] = [r.get_name() for r in response.get_object().get_contact_roles()]


def main(flow: Flow) -> None:
    initialize(flow)
    task_with_what_id(flow)
    quote_with_line_items(flow)
    metadata(flow)


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
