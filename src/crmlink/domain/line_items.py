"""Line items of the inventory modules (Quotes, Sales_Orders, Purchase_Orders, Invoices).

v2.1 carries them in a subform field (``Quoted_Items``, ``Ordered_Items``, ``Purchase_Items``,
``Invoiced_Items``; spec schema 1.5 (b), the only form the official v2.1 SDK knows). The v2
``Product_Details`` array (1.5 (a)) is accepted on input and stored as the same rows.

Rows sent replace the record's rows: a row carrying the ``id`` of one of the record's rows keeps
that id and updates it, a row without ``id`` is new, a stored row not sent is removed.

Totals are computed as Zoho documents them (Kaizen #9), each step rounded half-up to 2 places:

* a row: ``Total = Quantity x List_Price``; ``Discount`` is an amount or ``"n%"`` of the Total;
  ``Total_After_Discount = Total - Discount``; ``Tax`` = the row's ``Line_Tax`` percentages of
  Total_After_Discount; ``Net_Total = Total_After_Discount + Tax``;
* the record: ``Sub_Total`` = sum of the rows' Net_Total; ``Tax`` = the ``$line_tax``
  percentages of ``Sub_Total - Discount``; ``Grand_Total = Sub_Total - Discount + Tax +
  Adjustment``.

``List_Price`` defaults to the price book's list price for the product (the row's
``Price_Book_Name``) or else the product's ``Unit_Price`` (0 when it has none).

Everything here is pure: the caller reads products and price books (``storage/line_items.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from crmlink.domain.catalog import FieldDef, ModuleDef
from crmlink.domain.ids import parse_id
from crmlink.domain.values import is_finite_number
from crmlink.errors import CRMError, InvalidData, MandatoryNotFound

LINE_TAX_KEY = "$line_tax"
PRODUCT_DETAILS = "Product_Details"
MAX_ROWS = 200

_CENT = Decimal("0.01")
# Quantities and prices are below 1e15 each, so products stay below 1e30: room for the cents.
_WIDE = Context(prec=60)
_HUNDRED = Decimal(100)

# Product_Details (v2) keys -> subform row keys (v2.1).
_V2_KEYS = {
    "product": "Product_Name",
    "quantity": "Quantity",
    "list_price": "List_Price",
    "Discount": "Discount",
    "discount": "Discount",
    "product_description": "Description",
    "book": "Price_Book_Name",
    "line_tax": "Line_Tax",
    "id": "id",
}


def subform_field(module: ModuleDef) -> FieldDef | None:
    """The module's line-items field, if it is an inventory module."""
    for f in module.fields:
        if f.data_type == "subform":
            return f
    return None


def has_totals(module: ModuleDef) -> bool:
    return "Grand_Total" in module.field_map and subform_field(module) is not None


@dataclass(frozen=True, slots=True)
class Tax:
    name: str
    percentage: Decimal


@dataclass(frozen=True, slots=True)
class RowIn:
    """One line item as sent, checked for shape."""

    id: int | None
    product_id: int
    quantity: Decimal
    list_price: Decimal | None
    discount: Decimal | None  # an amount
    discount_percent: Decimal | None
    book_id: int | None
    description: str | None
    taxes: tuple[Tax, ...]
    path: str  # json path of the row, for errors


@dataclass(frozen=True, slots=True)
class Product:
    name: str | None
    code: str | None
    unit_price: Decimal | None


def product_from(data: Mapping[str, Any]) -> Product:
    """A product as line items show it, from its stored fields."""
    price = data.get("Unit_Price")
    return Product(
        data.get("Product_Name"),
        data.get("Product_Code"),
        Decimal(str(price)) if is_finite_number(price) else None,
    )


def with_product_details(module: ModuleDef, item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with a v2 ``Product_Details`` array moved into the module's subform field."""
    f = subform_field(module)
    if f is None or PRODUCT_DETAILS not in item or f.api_name in item:
        return item
    out = {k: v for k, v in item.items() if k != PRODUCT_DETAILS}
    details = item[PRODUCT_DETAILS]
    if isinstance(details, list):
        out[f.api_name] = [
            {_V2_KEYS.get(k, k): v for k, v in row.items()} if isinstance(row, dict) else row
            for row in details
        ]
    else:
        out[f.api_name] = details
    return out


def _decimal(value: Any) -> Decimal | None:
    if is_finite_number(value):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() and abs(d) < Decimal(10) ** 15 else None
    return None


def _invalid(path: str, api_name: str, expected: str) -> InvalidData:
    return InvalidData(details={"expected_data_type": expected, "api_name": api_name, "json_path": path})


def _taxes(value: Any, path: str, api_name: str) -> tuple[Tax, ...] | CRMError:
    if value is None:
        return ()
    if not isinstance(value, list):
        return _invalid(path, api_name, "linetax")
    out: list[Tax] = []
    for i, tax in enumerate(value):
        if not isinstance(tax, dict):
            return _invalid(f"{path}[{i}]", api_name, "linetax")
        name, pct = tax.get("name"), _decimal(tax.get("percentage"))
        if not isinstance(name, str) or not name.strip():
            return MandatoryNotFound(details={"api_name": "name", "json_path": f"{path}[{i}].name"})
        if pct is None or not 0 <= pct <= _HUNDRED:
            return _invalid(f"{path}[{i}].percentage", "percentage", "double")
        out.append(Tax(name, pct))
    return tuple(out)


def parse_rows(f: FieldDef, value: Any, index: int) -> list[RowIn] | CRMError:
    """The rows of the line-items field ``f`` in item ``index``, checked for shape."""
    base = f"$.data[{index}].{f.api_name}"
    if value is None or value == []:
        return MandatoryNotFound(details={"api_name": f.api_name, "json_path": base})
    if not isinstance(value, list) or len(value) > MAX_ROWS:
        return _invalid(base, f.api_name, "subform")
    rows: list[RowIn] = []
    for j, row in enumerate(value):
        path = f"{base}[{j}]"
        if not isinstance(row, dict):
            return _invalid(path, f.api_name, "subform")
        row_id = None
        if row.get("id") is not None:
            row_id = parse_id(row["id"])
            if row_id is None:
                return _invalid(f"{path}.id", "id", "bigint")
        product = row.get("Product_Name")
        if product is None:
            return MandatoryNotFound(
                details={"api_name": "Product_Name", "json_path": f"{path}.Product_Name"}
            )
        product_id = parse_id(product.get("id") if isinstance(product, dict) else product)
        if product_id is None:
            return _invalid(f"{path}.Product_Name", "Product_Name", "lookup")
        if row.get("Quantity") is None:
            return MandatoryNotFound(details={"api_name": "Quantity", "json_path": f"{path}.Quantity"})
        quantity = _decimal(row["Quantity"])
        if quantity is None or quantity <= 0:
            return _invalid(f"{path}.Quantity", "Quantity", "double")
        list_price = None
        if row.get("List_Price") is not None:
            list_price = _decimal(row["List_Price"])
            if list_price is None or list_price < 0:
                return _invalid(f"{path}.List_Price", "List_Price", "currency")
        discount = percent = None
        raw = row.get("Discount")
        if isinstance(raw, str) and raw.strip().endswith("%"):
            percent = _decimal(raw.strip()[:-1])
            if percent is None or not 0 <= percent <= _HUNDRED:
                return _invalid(f"{path}.Discount", "Discount", "currency")
        elif raw is not None:
            discount = _decimal(raw)
            if discount is None or discount < 0:
                return _invalid(f"{path}.Discount", "Discount", "currency")
        book_id = None
        book = row.get("Price_Book_Name")
        if book is not None:
            book_id = parse_id(book.get("id") if isinstance(book, dict) else book)
            if book_id is None:
                return _invalid(f"{path}.Price_Book_Name", "Price_Book_Name", "lookup")
        description = row.get("Description")
        if description is not None and (not isinstance(description, str) or len(description) > 2000):
            return _invalid(f"{path}.Description", "Description", "textarea")
        taxes = _taxes(row.get("Line_Tax"), f"{path}.Line_Tax", "Line_Tax")
        if isinstance(taxes, CRMError):
            return taxes
        rows.append(
            RowIn(
                row_id, product_id, quantity, list_price, discount, percent, book_id, description, taxes, path
            )
        )
    return rows


def parse_order_taxes(value: Any, index: int) -> tuple[Tax, ...] | CRMError:
    """The record-level ``$line_tax`` list."""
    return _taxes(value, f"$.data[{index}].{LINE_TAX_KEY}", LINE_TAX_KEY)


def _money(d: Decimal) -> Decimal:
    return d.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def _number(d: Decimal) -> float | int:
    return float(d)


def build_rows(
    rows: list[RowIn],
    products: Mapping[int, Product],
    books: Mapping[int, str | None],
    book_prices: Mapping[tuple[int, int], Decimal | None],
    stored_ids: frozenset[int],
    new_id: Callable[[], int],
) -> list[dict[str, Any]] | CRMError:
    """The rows to store, with their totals; an error for an unknown product, book or row id.

    ``products`` and ``books`` hold the ids that are records of Products and Price_Books;
    ``book_prices`` the list price of each (product, book) link; ``stored_ids`` the ids of the
    record's current rows (empty on create)."""
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for row in rows:
        product = products.get(row.product_id)
        if product is None:
            return _invalid(f"{row.path}.Product_Name", "Product_Name", "lookup")
        if row.book_id is not None and row.book_id not in books:
            return _invalid(f"{row.path}.Price_Book_Name", "Price_Book_Name", "lookup")
        if row.id is not None and (row.id not in stored_ids or row.id in seen):
            return InvalidData(
                "the id given seems to be invalid", {"api_name": "id", "json_path": f"{row.path}.id"}
            )
        price = row.list_price
        if price is None and row.book_id is not None:
            price = book_prices.get((row.product_id, row.book_id))
        if price is None:
            price = product.unit_price if product.unit_price is not None else Decimal(0)
        total = _money(_WIDE.multiply(row.quantity, price))
        discount = row.discount if row.discount is not None else Decimal(0)
        if row.discount_percent is not None:
            discount = total * row.discount_percent / _HUNDRED
        discount = _money(discount)
        if discount > total:
            return _invalid(f"{row.path}.Discount", "Discount", "currency")
        after = total - discount
        taxes = [(t, _money(after * t.percentage / _HUNDRED)) for t in row.taxes]
        tax = sum((v for _, v in taxes), Decimal(0))
        row_id = row.id if row.id is not None else new_id()
        seen.add(row_id)
        out.append(
            {
                "Product_Name": {
                    "name": product.name,
                    "id": str(row.product_id),
                    "Product_Code": product.code,
                },
                "Quantity": _number(row.quantity),
                "List_Price": _number(_money(price)),
                "Discount": _number(discount),
                "Total": _number(total),
                "Total_After_Discount": _number(after),
                "Tax": _number(tax),
                "Net_Total": _number(after + tax),
                "Price_Book_Name": (
                    {"name": books[row.book_id], "id": str(row.book_id)} if row.book_id is not None else None
                ),
                "Line_Tax": [
                    {"name": t.name, "percentage": _number(t.percentage), "value": _number(v)}
                    for t, v in taxes
                ],
                "Description": row.description,
                "id": str(row_id),
            }
        )
    return out


def apply_totals(module: ModuleDef, data: dict[str, Any]) -> None:
    """Set the record's Sub_Total, Tax and Grand_Total (and ``$line_tax`` values) from its rows
    and its Discount, Adjustment and ``$line_tax`` percentages."""
    f = subform_field(module)
    if f is None or not has_totals(module):
        return
    rows = data.get(f.api_name) or []
    sub_total = sum((Decimal(str(r.get("Net_Total") or 0)) for r in rows), Decimal(0))
    discount = Decimal(str(data.get("Discount") or 0))
    adjustment = Decimal(str(data.get("Adjustment") or 0))
    base = sub_total - discount
    taxes = []
    tax = Decimal(0)
    for t in data.get(LINE_TAX_KEY) or []:
        value = _money(base * Decimal(str(t["percentage"])) / _HUNDRED)
        tax += value
        taxes.append({"percentage": t["percentage"], "name": t["name"], "value": _number(value)})
    data[LINE_TAX_KEY] = taxes
    data["Sub_Total"] = _number(_money(sub_total))
    data["Tax"] = _number(tax)
    data["Grand_Total"] = _number(_money(base + tax + adjustment))


def stored_taxes(taxes: tuple[Tax, ...]) -> list[dict[str, Any]]:
    return [{"percentage": _number(t.percentage), "name": t.name, "value": None} for t in taxes]


def row_ids(value: Any) -> frozenset[int]:
    """Ids of stored rows."""
    if not isinstance(value, list):
        return frozenset()
    ids = (parse_id(r.get("id")) for r in value if isinstance(r, dict))
    return frozenset(i for i in ids if i is not None)
