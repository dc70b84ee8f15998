"""One related list of one record: relate, update a relation, list, delink."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._results import ItemResult, Page, Results
from ._types import MAX_PER_PAGE, JSONObject, RecordId, as_id_list, id_str, with_str_id

if TYPE_CHECKING:
    from ._client import Client

RelateItem = Mapping[str, Any] | RecordId


class RelatedList:
    """``client.related("Products", product_id, "Price_Books")``.

    ``relate`` and ``delink`` take any number of items and send them 100 per call; the per-item
    results come back in input order.
    """

    def __init__(self, client: Client, module: str, record_id: RecordId, related_list: str) -> None:
        self.client = client
        self.module = module
        self.record_id = id_str(record_id)
        self.related_list = related_list

    def __repr__(self) -> str:
        return f"<RelatedList {self.module}/{self.record_id}/{self.related_list}>"

    @property
    def url(self) -> str:
        return self.client.url(self.module, self.record_id, self.related_list)

    def relate(self, items: Iterable[RelateItem]) -> Results:
        """``PUT /{module}/{id}/{list}``: relate records, with relation fields if any.

        Each item is a related record id, or a mapping with ``"id"`` and relation fields
        (``{"id": pb_id, "list_price": 10.5}``).
        """
        return self.client._write("PUT", self.url, [_relate_item(i) for i in items])

    def update(
        self, related_id: RecordId, data: Mapping[str, Any] | None = None, /, **fields: Any
    ) -> ItemResult:
        """``PUT /{module}/{id}/{list}/{related_id}``: relate one record or update its relation
        fields. ``update(pb_id, list_price=9.5)``; no fields sends ``{"data":[{}]}``."""
        return self._update_results(related_id, [{**(data or {}), **fields}])[0]

    def get(self, related_id: RecordId) -> JSONObject:
        """``GET /{module}/{id}/{list}/{related_id}``: one related record."""
        return self.client._get_one(self._item_url(related_id))

    def page(
        self,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        *,
        if_modified_since: datetime | str | None = None,
    ) -> Page:
        """``GET /{module}/{id}/{list}?page&per_page``: one page; empty for 204 and 304."""
        headers = None
        if if_modified_since is not None:
            value = (
                if_modified_since.isoformat()
                if isinstance(if_modified_since, datetime)
                else if_modified_since
            )
            headers = {"If-Modified-Since": value}
        return self.client._page(self.url, page=page, per_page=per_page, headers=headers)

    def list(self, *, per_page: int = MAX_PER_PAGE) -> Iterator[JSONObject]:
        """Every related record, page after page, until ``more_records`` is false."""
        return self.client._iterate(self.url, per_page=per_page)

    def __iter__(self) -> Iterator[JSONObject]:
        return self.list()

    def delink(self, ids: RecordId | Iterable[RecordId]) -> Results:
        """``DELETE /{module}/{id}/{list}?ids=...``: remove relations, 100 ids per call."""
        return self.client._delete(self.url, as_id_list(ids))

    def delink_one(self, related_id: RecordId) -> ItemResult:
        """``DELETE /{module}/{id}/{list}/{related_id}``."""
        return self.client._one("DELETE", self._item_url(related_id))[0]

    def _update_results(self, related_id: RecordId, items: Iterable[Mapping[str, Any]]) -> Results:
        data = [with_str_id(i) for i in items]
        return self.client._one("PUT", self._item_url(related_id), {"data": data}, len(data))

    def _item_url(self, related_id: RecordId) -> str:
        return self.client.url(self.module, self.record_id, self.related_list, related_id)


def _relate_item(item: RelateItem) -> JSONObject:
    if isinstance(item, int | str):
        return {"id": id_str(item)}
    out = with_str_id(item)
    if "id" not in out:
        raise ValueError("relate: every item needs an 'id' (the related record's id)")
    return out
