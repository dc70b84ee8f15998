"""Records of one module: create, get, update, delete, and iterate over every page."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._results import ItemResult, Page, Results
from ._types import MAX_PER_PAGE, JSONObject, RecordId, as_id_list, id_str, with_str_id

if TYPE_CHECKING:
    from ._client import Client


class Records:
    """``client.records("Leads")``: the records of one module.

    Writes of more than 100 items are split into calls of 100; their per-item results come back
    as one :class:`Results` list in input order. Per-item failures are values in that list;
    only request-level failures raise.
    """

    def __init__(self, client: Client, module: str) -> None:
        self.client = client
        self.module = module

    def __repr__(self) -> str:
        return f"<Records {self.module}>"

    def create(self, records: Iterable[Mapping[str, Any]]) -> Results:
        """``POST /{module}``: create ``records``; one result per record, in order."""
        return self.client._write(
            "POST", self.client.url(self.module), [with_str_id(r) for r in records]
        )

    def create_one(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> ItemResult:
        """Create one record from ``data`` and/or keyword fields; ``.id`` is the new id."""
        return self.create([{**(data or {}), **fields}])[0]

    def get(self, record_id: RecordId, *, fields: Sequence[str] | None = None) -> JSONObject:
        """``GET /{module}/{id}``: the record. Raises :class:`NotFound` when there is none."""
        params = {"fields": ",".join(fields)} if fields else None
        return self.client._get_one(self.client.url(self.module, record_id), params)

    def update(
        self, record_id: RecordId, data: Mapping[str, Any] | None = None, /, **fields: Any
    ) -> ItemResult:
        """``PUT /{module}/{id}``: set the given fields of one record."""
        body = {"data": [{**(data or {}), **fields}]}
        return self.client._one("PUT", self.client.url(self.module, record_id), body)[0]

    def update_many(self, records: Iterable[Mapping[str, Any]]) -> Results:
        """``PUT /{module}``: bulk update; each record carries its ``id``."""
        items = [with_str_id(r) for r in records]
        if any("id" not in r for r in items):
            raise ValueError("update_many: every record needs an 'id'")
        return self.client._write("PUT", self.client.url(self.module), items)

    def delete(self, ids: RecordId | Iterable[RecordId]) -> Results:
        """``DELETE /{module}?ids=...``: delete one id or many; one result per id, in order."""
        return self.client._delete(self.client.url(self.module), as_id_list(ids))

    def delete_one(self, record_id: RecordId) -> ItemResult:
        """``DELETE /{module}/{id}``."""
        return self.client._one("DELETE", self.client.url(self.module, id_str(record_id)))[0]

    def page(
        self,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        *,
        fields: Sequence[str] | None = None,
        ids: Iterable[RecordId] | None = None,
        sort_by: str | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        **params: str | int,
    ) -> Page:
        """``GET /{module}?page&per_page``: one page (an empty one for 204)."""
        query = _list_params(fields, ids, sort_by, sort_order, params)
        return self.client._page(
            self.client.url(self.module), page=page, per_page=per_page, params=query
        )

    def iterate(
        self,
        *,
        per_page: int = MAX_PER_PAGE,
        fields: Sequence[str] | None = None,
        ids: Iterable[RecordId] | None = None,
        sort_by: str | None = None,
        sort_order: Literal["asc", "desc"] | None = None,
        **params: str | int,
    ) -> Iterator[JSONObject]:
        """Every record, page after page, until ``more_records`` is false."""
        query = _list_params(fields, ids, sort_by, sort_order, params)
        return self.client._iterate(self.client.url(self.module), per_page=per_page, params=query)

    def __iter__(self) -> Iterator[JSONObject]:
        return self.iterate()


def _list_params(
    fields: Sequence[str] | None,
    ids: Iterable[RecordId] | None,
    sort_by: str | None,
    sort_order: str | None,
    extra: Mapping[str, str | int],
) -> dict[str, str | int]:
    query: dict[str, str | int] = dict(extra)
    if fields:
        query["fields"] = ",".join(fields)
    if ids is not None:
        query["ids"] = ",".join(as_id_list(ids))
    if sort_by:
        query["sort_by"] = sort_by
    if sort_order:
        query["sort_order"] = sort_order
    return query
