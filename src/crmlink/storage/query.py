"""Conditions (``domain/query.py``) as SQL over ``records``, on each engine.

A field of a record lives in the JSON text column ``data``: SQLite reads it with
``json_extract(data, '$."Email"')``, PostgreSQL with ``(data::jsonb) ->> 'Email'`` (after
reading each ``\\u0000`` escape as U+FFFD, which jsonb cannot hold). The JSON path is rendered
into the SQL text, so that the expression is the one the expression indexes below were built
on (a bound path would not match them); it comes from the catalog's API names only, checked
against ``_KEY``. Every value a client sends is a bound parameter.

Text compares case-insensitively through ``lower()``, which folds ASCII letters only on both
engines (SQLite's built-in, PostgreSQL's under ``COLLATE "C"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    FromClause,
    Numeric,
    Text,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from crmlink.domain.query import NUMBER_TYPES, TEXT_TYPES, Junction, Node, Pred, Ref

Conn = Connection

_KEY = re.compile(r"^[A-Za-z0-9_$]+$")

# Equality on these fields is served by a partial expression index per (module, field),
# ``(org_id, lower(<field>)) WHERE module = '<Module>'``, made by
# ``storage.unique_keys.ensure_field_index``: upsert's key fields of the catalog (migration 15)
# and these, which only search needs (the ``email`` param matches every email field; migration
# 10). The queries here spell the indexed expression exactly (``folded(json_value(...))``).
SEARCH_ONLY_INDEXES = (("Leads", "Secondary_Email"), ("Contacts", "Secondary_Email"))


@cache
def indexed_fields() -> Mapping[str, frozenset[str]]:
    """``{module: fields with an index}``."""
    from crmlink.domain.catalog_data import CATALOG  # the catalog is data, as in migrations

    out = {m.api_name: {f.api_name for f in m.key_fields} for m in CATALOG.modules}
    for module, field in SEARCH_ONLY_INDEXES:
        out.setdefault(module, set()).add(field)
    return {m: frozenset(fields) for m, fields in out.items()}


# Resolves the table (alias) holding a ref's record or user: the base record for ``via == ()``.
RecordsFor = Callable[[tuple[str, ...]], FromClause]
UsersFor = Callable[[tuple[str, ...], str], FromClause]


def _quoted(text: str) -> ColumnElement[Any]:
    if not _KEY.match(text):
        raise ValueError(f"not an API name: {text!r}")
    return literal_column(f"'{text}'")


def json_value(dialect: str, data: Any, key: str, sub: str | None = None) -> ColumnElement[Any]:
    """The raw value of ``data[key]`` (``data[key][sub]``): SQLite's native type, PG's text."""
    if dialect == "sqlite":
        if not _KEY.match(key) or (sub is not None and not _KEY.match(sub)):
            raise ValueError(f"not an API name: {key!r}")
        path = f"'$.\"{key}\"'" if sub is None else f'\'$."{key}"."{sub}"\''
        return func.json_extract(data, literal_column(path))
    doc = cast(func.replace(data, literal_column("'\\u0000'"), literal_column("'\\ufffd'")), JSONB)
    if sub is None:
        return doc.op("->>", return_type=Text)(_quoted(key))
    return doc.op("->", return_type=JSONB)(_quoted(key)).op("->>", return_type=Text)(_quoted(sub))


def folded(dialect: str, expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """``lower(expr)`` folding ASCII only (the form the expression indexes hold)."""
    if dialect == "sqlite":
        return func.lower(expr)
    return func.lower(expr.collate("C"))


def module_is(column: ColumnElement[Any], module: str) -> ColumnElement[bool]:
    """``module = 'Leads'`` with the name in the SQL text (a catalog name, checked): the partial
    indexes are chosen only when the query's own predicate implies theirs, which a bound
    parameter cannot show to the planner."""
    return column == _quoted(module)


def folded_field(dialect: str, data: Any, key: str) -> ColumnElement[Any]:
    return folded(dialect, json_value(dialect, data, key))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(pattern: str) -> str:
    """A COQL ``like`` pattern: ``%`` is the wildcard, everything else literal."""
    return "%".join(_escape_like(part) for part in pattern.split("%"))


class _Operand:
    """A ref's SQL value and how literals compare with it."""

    def __init__(self, dialect: str, ref: Ref, records: RecordsFor, users: UsersFor) -> None:
        self.dialect = dialect
        self.ref = ref
        self.instant = ref.data_type == "datetime" and ref.kind == "column"
        self.text = ref.data_type in TEXT_TYPES or (ref.kind == "user" and ref.key != "id")
        raw: ColumnElement[Any]
        if ref.kind == "column":
            raw = records(ref.via).c[ref.key]
        elif ref.kind == "user":
            raw = users(ref.via, ref.user_column).c[ref.key]
        elif ref.kind == "lookup":
            raw = json_value(dialect, records(ref.via).c.data, ref.key, "id")
        else:
            raw = json_value(dialect, records(ref.via).c.data, ref.key)
        self.raw = raw
        if self.text:
            self.expr = folded(dialect, raw)
        elif ref.kind == "json" and ref.data_type in NUMBER_TYPES and dialect != "sqlite":
            self.expr = cast(raw, Numeric)
        elif ref.kind == "lookup":
            self.expr = cast(raw, BigInteger)
        else:
            self.expr = raw

    def value(self, v: Any) -> ColumnElement[Any]:
        if self.ref.data_type == "boolean" and self.ref.kind == "json":
            if self.dialect == "sqlite":
                return literal(1 if v else 0)
            return literal("true" if v else "false")
        if isinstance(v, Decimal):
            # sqlite3 binds no Decimal; a double compares with stored JSON numbers as SQLite does
            return literal(float(v)) if self.dialect == "sqlite" else literal(v, Numeric)
        if isinstance(v, str):
            return literal(self.text_value(v))
        return literal(v)

    def text_value(self, v: str) -> str:
        """PostgreSQL's text cannot hold U+0000: stored values read it as U+FFFD (``json_value``),
        and so does a value a client compares with."""
        return v if self.dialect == "sqlite" else v.replace("\x00", "\ufffd")

    def empty(self) -> ColumnElement[bool]:
        if self.text:
            return or_(self.raw.is_(None), self.raw == "")
        return self.raw.is_(None)


def condition(dialect: str, node: Node, records: RecordsFor, users: UsersFor) -> ColumnElement[bool]:
    """The WHERE expression of a condition tree."""
    if isinstance(node, Junction):
        parts = [condition(dialect, item, records, users) for item in node.items]
        return and_(*parts) if node.op == "and" else or_(*parts)
    return _pred(_Operand(dialect, node.ref, records, users), node)


def _pred(o: _Operand, p: Pred) -> ColumnElement[bool]:
    x, op, vs = o.expr, p.op, p.values
    if o.instant:
        return _instant(o, p)
    if op == "is_null":
        return o.empty()
    if op == "not_null":
        return not_(o.empty())
    if op in {"ne", "not_in", "not_between", "not_like"}:
        positive = Pred(
            p.ref, {"ne": "eq", "not_in": "in", "not_between": "between", "not_like": "like"}[op], vs
        )
        return or_(o.raw.is_(None), not_(_pred(o, positive)))
    if op == "eq":
        return x == o.value(vs[0])
    if op == "in":
        return (
            or_(*(x == o.value(v) for v in vs))
            if o.ref.data_type == "boolean"
            else x.in_([o.value(v) for v in vs])
        )
    if op == "lt":
        return x < o.value(vs[0])
    if op == "le":
        return x <= o.value(vs[0])
    if op == "gt":
        return x > o.value(vs[0])
    if op == "ge":
        return x >= o.value(vs[0])
    if op == "between":
        return and_(x >= o.value(vs[0]), x <= o.value(vs[1]))
    if op == "starts_with":
        return x.like(literal(_escape_like(o.text_value(str(vs[0]))) + "%"), escape="\\")
    if op == "contains":
        return x.like(literal("%" + _escape_like(o.text_value(str(vs[0]))) + "%"), escape="\\")
    if op == "like":
        return x.like(literal(like_pattern(o.text_value(str(vs[0])))), escape="\\")
    raise ValueError(f"unknown operator {op}")


def _instant(o: _Operand, p: Pred) -> ColumnElement[bool]:
    """Created_Time / Modified_Time: microseconds stored, seconds compared."""
    x, op, vs = o.raw, p.op, [int(v) * 1_000_000 for v in p.values]
    second = 1_000_000
    if op == "is_null":
        return x.is_(None)
    if op == "not_null":
        return x.is_not(None)
    if op == "eq":
        return and_(x >= vs[0], x < vs[0] + second)
    if op == "ne":
        return or_(x < vs[0], x >= vs[0] + second)
    if op == "in":
        return or_(*(and_(x >= v, x < v + second) for v in vs)) if vs else false()
    if op == "not_in":
        return and_(*(or_(x < v, x >= v + second) for v in vs)) if vs else true()
    if op == "lt":
        return x < vs[0]
    if op == "le":
        return x < vs[0] + second
    if op == "gt":
        return x >= vs[0] + second
    if op == "ge":
        return x >= vs[0]
    if op == "between":
        return and_(x >= vs[0], x < vs[1] + second)
    if op == "not_between":
        return or_(x < vs[0], x >= vs[1] + second)
    raise ValueError(f"operator {op} on a time")


def order_expression(dialect: str, ref: Ref, records: RecordsFor, users: UsersFor) -> ColumnElement[Any]:
    """The value to sort a ref by: numbers as numbers, text as stored (not folded)."""
    o = _Operand(dialect, ref, records, users)
    if o.text:
        # Stored text, unfolded, in code-point order on both engines.
        return o.raw if dialect == "sqlite" else o.raw.collate("C")
    return o.expr


def indexed_equality(node: Node, module: str) -> bool:
    """Does every match of ``node`` satisfy an equality on an indexed field of the base record
    (a conjunct ``F = v`` or ``F in (...)``)? Then the field's index finds the rows."""
    if isinstance(node, Pred):
        return (
            node.op in {"eq", "in"}
            and node.ref.kind == "json"
            and not node.ref.via
            and node.ref.key in indexed_fields().get(module, frozenset())
        )
    if node.op == "and":
        return any(indexed_equality(item, module) for item in node.items)
    return bool(node.items) and all(indexed_equality(item, module) for item in node.items)


def id_order(dialect: str, column: ColumnElement[Any], node: Node | None, module: str) -> ColumnElement[Any]:
    """The id to order by. SQLite, which has no statistics, would rather walk
    ``ix_records_module`` in id order than probe a field index, so when a field index serves the
    condition the id is ordered as ``id + 0`` (no index gives that order): the matches are found
    through the field index and the few of them sorted."""
    if dialect == "sqlite" and node is not None and indexed_equality(node, module):
        return column + 0
    return column
