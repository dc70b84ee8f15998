"""Conditions over records, shared by search criteria and COQL: fields resolved against the
catalog, operators checked per data type, literals turned into typed values.

The parsers (``domain/criteria.py``, ``domain/coql.py``) build these nodes; storage
(``storage/query.py``) turns them into SQL over the ``records`` table, with every value bound.
Nothing here touches a database.

Value semantics (docs/query.md):

* text-like fields compare case-insensitively, folding ASCII letters only (the same on both
  engines), so ``Email = 'A@x.com'`` finds ``a@x.com``;
* "not equal" counts an empty field as different;
* numbers compare as numbers, dates as ``YYYY-MM-DD``, Created_Time and Modified_Time as instants
  (to the second, the resolution Zoho renders);
* a lookup compares its record id, Owner/Created_By/Modified_By their user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from crmlink.domain.catalog import FieldDef, ModuleDef
from crmlink.domain.clock import parse_iso
from crmlink.domain.ids import parse_id

TEXT_TYPES = frozenset(
    {"text", "textarea", "email", "phone", "website", "picklist", "autonumber", "mediumtext"}
)
NUMBER_TYPES = frozenset({"integer", "long", "bigint", "currency", "double", "percent"})
USER_TYPES = frozenset({"ownerlookup", "userlookup"})

# ``kind`` of a Ref: where its value lives.
#   json     a module field in the record's JSON ``data``
#   lookup   a lookup field's target id, in ``data`` as {"id": "..."}
#   column   a column of ``records`` (id, created_at, modified_at, owner_id, created_by, modified_by)
#   user     an attribute (id, name, email) of the user a column names (Owner.email)
RefKind = Literal["json", "lookup", "column", "user"]

SYSTEM_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "bigint"),
    "Created_Time": ("created_at", "datetime"),
    "Modified_Time": ("modified_at", "datetime"),
    "Created_By": ("created_by", "ownerlookup"),
    "Modified_By": ("modified_by", "ownerlookup"),
}
USER_ATTRIBUTES = {"id": "bigint", "name": "text", "email": "email", "full_name": "text"}


@dataclass(frozen=True, slots=True)
class Ref:
    """A resolved field: ``via`` is the chain of lookup fields walked from the base record."""

    name: str  # as the client should see it (canonical api names, dotted for paths)
    kind: RefKind
    key: str  # the JSON key, the column name, or (user) the user attribute
    data_type: str
    via: tuple[str, ...] = ()
    user_column: str = ""  # for kind == "user": owner_id, created_by or modified_by

    @property
    def is_text(self) -> bool:
        return self.data_type in TEXT_TYPES


@dataclass(frozen=True, slots=True)
class Pred:
    """``ref op values``. ``op`` is one of OPS; values are typed for the ref's data type."""

    ref: Ref
    op: str
    values: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Junction:
    op: Literal["and", "or"]
    items: tuple[Node, ...]


Node = Pred | Junction

OPS = frozenset(
    {
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "between",
        "not_between",
        "in",
        "not_in",
        "starts_with",
        "contains",
        "like",
        "not_like",
        "is_null",
        "not_null",
    }
)


class BadField(Exception):
    """An unknown field name (``name`` as given)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class BadLiteral(Exception):
    """A literal that does not fit the field; ``expected`` is Zoho's data type name."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _field(module: ModuleDef, name: str) -> FieldDef | None:
    found = module.field_map.get(name)
    if found is not None:
        return found
    lowered = name.lower()
    return next((f for f in module.fields if f.api_name.lower() == lowered), None)


def _system(name: str) -> str | None:
    lowered = name.lower()
    return next((k for k in SYSTEM_COLUMNS if k.lower() == lowered), None)


def resolve_field(module: ModuleDef, name: str, via: tuple[str, ...] = (), shown: str = "") -> Ref:
    """The Ref for field ``name`` of ``module`` (case-insensitive, as Zoho matches API names)."""
    shown = shown or name
    system = _system(name)
    if system is not None:
        column, data_type = SYSTEM_COLUMNS[system]
        return Ref(_dotted(via, system), "column", column, data_type, via)
    f = _field(module, name)
    if f is None or f.data_type in {"subform", "multiselectlookup", "fileupload", "imageupload"}:
        raise BadField(shown)
    if f.data_type == "ownerlookup":
        return Ref(_dotted(via, f.api_name), "column", "owner_id", "ownerlookup", via)
    if f.data_type in {"lookup", "userlookup"}:
        return Ref(_dotted(via, f.api_name), "lookup", f.api_name, f.data_type, via)
    return Ref(_dotted(via, f.api_name), "json", f.api_name, f.data_type, via)


def user_attribute(owner: Ref, attribute: str, shown: str) -> Ref:
    """``Owner.email``: an attribute of the user an owner-type column names."""
    attr = attribute.lower()
    if owner.kind != "column" or owner.data_type != "ownerlookup" or attr not in USER_ATTRIBUTES:
        raise BadField(shown)
    return Ref(
        f"{owner.name}.{attr}",
        "user",
        "name" if attr == "full_name" else attr,
        USER_ATTRIBUTES[attr],
        owner.via,
        owner.key,
    )


def _dotted(via: tuple[str, ...], name: str) -> str:
    return ".".join((*via, name))


# --- literals ----------------------------------------------------------------------------


def ascii_lower(value: str) -> str:
    """Lower-case ASCII letters only: what SQLite's lower() and PostgreSQL's under "C" do."""
    return value.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def typed_value(ref: Ref, raw: Any) -> Any:
    """The literal ``raw`` (text from search criteria, or a COQL literal) as a value of the ref's
    type; ``BadLiteral`` when it does not fit."""
    kind = ref.data_type
    if kind in TEXT_TYPES or kind == "multiselectpicklist":
        if isinstance(raw, bool) or raw is None:
            raise BadLiteral(_expected(kind))
        return ascii_lower(str(raw) if not isinstance(raw, str) else raw)
    if kind in NUMBER_TYPES:
        return _number(raw, kind)
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"true", "false"}:
            return raw.strip().lower() == "true"
        raise BadLiteral("boolean")
    if kind == "date":
        if not isinstance(raw, str):
            raise BadLiteral("date")
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            raise BadLiteral("date") from None
    if kind == "datetime":
        seconds = parse_iso(raw) if isinstance(raw, str) else None
        if seconds is None:
            raise BadLiteral("datetime")
        return seconds // 1_000_000
    if kind in {"lookup", "userlookup", "ownerlookup"}:
        found = parse_id(raw.strip() if isinstance(raw, str) else raw)
        if found is None:
            raise BadLiteral("bigint")
        return found
    raise BadLiteral(_expected(kind))


def _expected(kind: str) -> str:
    return "text" if kind in {"mediumtext", "autonumber"} else kind


def _number(raw: Any, kind: str) -> int | Decimal:
    if isinstance(raw, bool):
        raise BadLiteral(kind)
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadLiteral(kind) from None
    if not value.is_finite() or abs(value) >= Decimal(2) ** 63:
        raise BadLiteral(kind)
    if kind in {"integer", "long", "bigint"}:
        if value != value.to_integral_value():
            raise BadLiteral(kind)
        return int(value)
    return value


def count_preds(node: Node) -> int:
    if isinstance(node, Pred):
        return 1
    return sum(count_preds(item) for item in node.items)


def refs_of(node: Node) -> list[Ref]:
    if isinstance(node, Pred):
        return [node.ref]
    return [ref for item in node.items for ref in refs_of(item)]
