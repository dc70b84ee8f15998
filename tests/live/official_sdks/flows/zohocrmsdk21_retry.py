"""``zohocrmsdk2-1==3.0.0`` with a caller that retries on 429, as integrations wrap the SDK.

Relates a Price Book to a Product; the test has made crmlink answer the next relate calls with
Zoho's 429, and this caller retries until the relate goes through. ``facts["attempts"]`` holds
the HTTP status of each try.
"""

from __future__ import annotations

from _flowkit import Flow, config_from_env
from zcrmsdk.src.com.zoho.crm.api.related_records import RelatedRecordsOperations
from zohocrmsdk21_flow import create, initialize, related_body

MAX_TRIES = 5


def main(flow: Flow) -> None:
    initialize(flow)
    product = create(flow, "Products", "create Product", [{"Product_Name": "Retry widget"}])[0]
    book = create(flow, "Price_Books", "create Price_Book", [{"Price_Book_Name": "Retry book"}])[0]
    ops = RelatedRecordsOperations("Price_Books", "Products")
    attempts: list[int | None] = []
    for _ in range(MAX_TRIES):
        described = flow.call(
            "relate", ops.update_related_records(product, related_body([{"id": book, "list_price": 5.5}]))
        )
        attempts.append(described["status"])
        if described["status"] != 429:
            break
    flow.facts["attempts"] = attempts
    flow.facts["listed"] = flow.call("list Price_Books", ops.get_related_records(product))


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
