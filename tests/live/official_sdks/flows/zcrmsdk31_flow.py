"""The issue's flows with Zoho's ``zcrmsdk==3.1.0`` (``/crm/v2/`` paths), unmodified.

Its call shapes are the seed page's: ``RelatedRecordsOperations(related_list_api_name,
record_id, module_api_name)``, ``update_related_records(request)``,
``update_related_record(related_record_id, request)``.

Run with the SDK venv's python; configuration comes from the environment (see ``_flowkit``).
Prints one JSON document; ``test_official_sdks.py`` asserts on it.
"""

from __future__ import annotations

from datetime import datetime

from _flowkit import Flow, config_from_env
from zcrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken, TokenType
from zcrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zcrmsdk.src.com.zoho.api.logger import Logger
from zcrmsdk.src.com.zoho.crm.api import HeaderMap, ParameterMap
from zcrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zcrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zcrmsdk.src.com.zoho.crm.api.record import BodyWrapper as RecordBody
from zcrmsdk.src.com.zoho.crm.api.record import Record, RecordOperations
from zcrmsdk.src.com.zoho.crm.api.related_records import BodyWrapper as RelatedBody
from zcrmsdk.src.com.zoho.crm.api.related_records import (
    DelinkRecordsParam,
    GetRelatedRecordsHeader,
    GetRelatedRecordsParam,
    RelatedRecordsOperations,
)
from zcrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zcrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

PRICES = [10.5, 20.0, 30.75]
UPDATED_PRICE = 15.25


def initialize(flow: Flow) -> None:
    c = flow.config
    # v2's Environment takes three arguments (no name); its OAuthToken takes a token type.
    environment = DataCenter.Environment(c.url, c.token_url, c.url)
    Initializer.initialize(
        user=UserSignature(c.email),
        environment=environment,
        token=(
            OAuthToken(c.client_id, c.client_secret, c.grant_token, TokenType.GRANT)
            if c.grant_token
            else OAuthToken(c.client_id, c.client_secret, c.refresh_token, TokenType.REFRESH)
        ),
        store=FileStore(str(c.token_store)),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=True),
        resource_path=str(c.workdir),
        logger=Logger.get_instance(Logger.Levels.INFO, str(c.log_path)),
    )


def create(flow: Flow, module: str, name: str, items: list[dict[str, object]]) -> list[int]:
    body = RecordBody()
    records = []
    for fields in items:
        record = Record()
        for key, value in fields.items():
            record.add_key_value(key, value)
        records.append(record)
    body.set_data(records)
    described = flow.call(name, RecordOperations().create_records(module, body))
    return [int(item["details"]["id"]) for item in described.get("items", []) if item["details"]]


def related_body(items: list[dict[str, object]]) -> RelatedBody:
    body = RelatedBody()
    records = []
    for fields in items:
        record = Record()
        for key, value in fields.items():
            if key == "id":
                record.set_id(value)
            else:
                record.add_key_value(key, value)
        records.append(record)
    body.set_data(records)
    return body


def listed(described: dict[str, object], key: str) -> dict[str, object]:
    """``{related id: value of key}`` from a described ``get_related_records``."""
    records = described.get("records") or []
    return {str(r["id"]): r.get(key) for r in records}  # type: ignore[union-attr]


def price_books(flow: Flow) -> None:
    product = create(
        flow, "Products", "create Product", [{"Product_Name": "SDK 2 widget", "Unit_Price": 9.99}]
    )[0]
    books = create(
        flow,
        "Price_Books",
        "create Price_Books",
        [{"Price_Book_Name": f"SDK 2 book {i}", "Active": True} for i in range(len(PRICES))],
    )
    flow.ids.update(product=product, price_books=books)
    flow.call("get Product", RecordOperations().get_record(product, "Products"))

    # The seed page's shape: the record id goes to the constructor, not to each method.
    ops = RelatedRecordsOperations("Price_Books", product, "Products")
    flow.call(
        "relate Price_Books (bulk)",
        ops.update_related_records(
            related_body([{"id": b, "list_price": p} for b, p in zip(books, PRICES, strict=True)])
        ),
    )
    flow.call(
        "update list_price (single)",
        ops.update_related_record(books[0], related_body([{"list_price": UPDATED_PRICE}])),
    )
    flow.facts["prices_after_update"] = listed(
        flow.call("list Price_Books", ops.get_related_records()), "list_price"
    )
    # Zoho's sample listing: page 1 of 2 items, If-Modified-Since long ago.
    params, headers = ParameterMap(), HeaderMap()
    params.add(GetRelatedRecordsParam.page, 1)
    params.add(GetRelatedRecordsParam.per_page, 2)
    headers.add(
        GetRelatedRecordsHeader.if_modified_since, datetime.fromisoformat("2019-01-01T10:00:00+05:30")
    )
    flow.call("list Price_Books page 1 of 2", ops.get_related_records(params, headers))
    flow.call("get one related Price_Book", ops.get_related_record(books[1]))

    flow.call("delink one (single)", ops.delink_record(books[2]))
    flow.facts["after_delink_one"] = sorted(
        listed(flow.call("list after delink one", ops.get_related_records()), "list_price")
    )
    params = ParameterMap()
    params.add(DelinkRecordsParam.ids, books[0])  # v2: once per id, the SDK comma-joins them
    params.add(DelinkRecordsParam.ids, books[1])
    flow.call("delink the rest (bulk)", ops.delink_records(params))
    flow.call("list after delink all", ops.get_related_records())


def campaigns(flow: Flow) -> None:
    lead = create(flow, "Leads", "create Lead", [{"Last_Name": "Sdk2", "Company": "Zylker"}])[0]
    found = create(
        flow,
        "Campaigns",
        "create Campaigns",
        [{"Campaign_Name": "SDK 2 webinar"}, {"Campaign_Name": "SDK 2 trade show"}],
    )
    flow.ids.update(lead=lead, campaigns=found)
    flow.call("get Lead", RecordOperations().get_record(lead, "Leads"))
    ops = RelatedRecordsOperations("Campaigns", lead, "Leads")
    flow.call(
        "relate Campaigns with Member_Status",
        ops.update_related_records(
            related_body(
                [{"id": found[0], "Member_Status": "Invited"}, {"id": found[1], "Member_Status": "Planned"}]
            ),
        ),
    )
    flow.facts["member_status"] = listed(
        flow.call("list Campaigns of Lead", ops.get_related_records()), "Member_Status"
    )


def main(flow: Flow) -> None:
    initialize(flow)
    price_books(flow)
    campaigns(flow)


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
