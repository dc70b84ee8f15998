"""What line items read: the products and price books they name, and the books' list prices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, select, tuple_

from crmlink.storage import tables

_decode = msgspec.json.decode

PRICE_BOOK_RELATION = "products_price_books"  # links: left = Products, right = Price_Books


@dataclass(frozen=True, slots=True)
class StoredRecord:
    module: str
    data: dict[str, Any]


def records_by_id(conn: Connection, org_id: int, ids: Iterable[int]) -> dict[int, StoredRecord]:
    """The org's records among ``ids``, with their module and stored fields."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    r = tables.records
    rows = conn.execute(
        select(r.c.id, r.c.module, r.c.data).where(r.c.org_id == org_id, r.c.id.in_(wanted)).order_by(r.c.id)
    )
    return {row[0]: StoredRecord(row[1], _decode(row[2])) for row in rows}


def price_book_prices(
    conn: Connection, org_id: int, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Decimal | None]:
    """``{(product id, price book id): list_price}`` for the pairs that are linked."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    lk = tables.links
    rows = conn.execute(
        select(lk.c.left_id, lk.c.right_id, lk.c.data).where(
            and_(
                lk.c.org_id == org_id,
                lk.c.relation == PRICE_BOOK_RELATION,
                tuple_(lk.c.left_id, lk.c.right_id).in_(wanted),
            )
        )
    )
    out: dict[tuple[int, int], Decimal | None] = {}
    for left, right, data in rows:
        price = _decode(data).get("list_price") if data else None
        out[(left, right)] = Decimal(str(price)) if isinstance(price, int | float) else None
    return out
