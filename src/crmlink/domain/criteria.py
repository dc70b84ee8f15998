"""Search ``criteria`` (``GET /{module}/search``): Zoho's grammar, parsed with lark.

::

    (Last_Name:starts_with:G)
    ((Last_Name:starts_with:G)and(Email:equals:a@b.com))
    (((A:equals:1)or(B:equals:2))and(C:in:x,y\\,z))
    Created_Time:between:2024-02-01T18:52:56+00:00,2024-02-20T18:52:56+00:00

A value runs to the next unescaped parenthesis; inside it ``\\(``, ``\\)``, ``\\,`` and ``\\\\``
stand for the character itself, and unescaped commas separate the values of ``in`` and
``between``. ``and`` binds tighter than ``or`` when a group mixes them (docs/query.md).
Every failure is ``INVALID_QUERY`` with Zoho's details, never an exception of ours.
"""

from __future__ import annotations

import re
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedInput, v_args
from lark.exceptions import VisitError

from crmlink.domain.catalog import ModuleDef
from crmlink.domain.query import (
    NUMBER_TYPES,
    TEXT_TYPES,
    BadField,
    BadLiteral,
    Junction,
    Node,
    Pred,
    Ref,
    count_preds,
    resolve_field,
    typed_value,
)
from crmlink.errors import CRMError, InvalidQuery

MAX_CONDITIONS = 10
MAX_IN_VALUES = 100
MAX_CRITERIA_LENGTH = 10_000  # INFERRED: no documented length; long enough for 10 x 100 values

_GRAMMAR = r"""
?start: disj
?disj: conj (_OR conj)*
?conj: atom (_AND atom)*
?atom: "(" disj ")"
     | cond
cond: FIELD ":" OP ":" VALUE
FIELD: /[A-Za-z0-9_$]+(\.[A-Za-z0-9_$]+)*/
OP: /[A-Za-z_]+/
VALUE: /(\\.|[^()\\])+/
_AND: /\s*and\s*/i
_OR: /\s*or\s*/i
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)

# Zoho's operator names, and the operators each data type takes (spec §1.2, v7 table).
_OPS = {
    "equals": "eq",
    "not_equal": "ne",
    "starts_with": "starts_with",
    "in": "in",
    "greater_than": "gt",
    "greater_equal": "ge",
    "less_than": "lt",
    "less_equal": "le",
    "between": "between",
}
_ORDERED = frozenset(
    {"equals", "not_equal", "greater_equal", "greater_than", "less_equal", "less_than", "between", "in"}
)
_TEXT = frozenset({"equals", "not_equal", "starts_with", "in"})
_BY_TYPE: dict[str, frozenset[str]] = {
    "date": _ORDERED,
    "datetime": _ORDERED,
    "boolean": frozenset({"equals", "not_equal"}),
    "textarea": frozenset({"equals", "not_equal", "starts_with"}),
    "lookup": frozenset({"equals", "not_equal", "in"}),
    "userlookup": frozenset({"equals", "not_equal", "in"}),
    "ownerlookup": frozenset({"equals", "not_equal", "in"}),
    "picklist": frozenset({"equals", "not_equal", "in"}),
    "autonumber": frozenset({"equals", "not_equal", "in"}),
    "multiselectpicklist": frozenset({"equals", "not_equal", "in", "starts_with"}),
    **{t: _ORDERED for t in NUMBER_TYPES},
    **{t: _TEXT for t in TEXT_TYPES if t not in {"textarea", "picklist", "autonumber"}},
}

_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*,")


def invalid_query(reason: str, **details: Any) -> InvalidQuery:
    return InvalidQuery(details={**details, "reason": reason})


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def split_values(raw: str) -> list[str]:
    """``a,b\\,c`` -> ``["a", "b,c"]``: split on unescaped commas, then un-escape."""
    parts: list[str] = []
    start = 0
    for match in _SPLIT.finditer(raw):
        end = match.end() - 1
        parts.append(raw[start:end])
        start = match.end()
    parts.append(raw[start:])
    return [unescape(p).strip() for p in parts]


class _Build(Transformer[Token, Node]):
    def __init__(self, module: ModuleDef) -> None:
        super().__init__()
        self.module = module

    @v_args(inline=True)
    def cond(self, field: Token, op: Token, value: Token) -> Pred:
        name = str(field)
        try:
            ref = resolve_field(self.module, name)
        except BadField:
            raise invalid_query("invalid field found", api_name=name) from None
        operator = str(op).lower()
        allowed = _BY_TYPE.get(ref.data_type, frozenset({"equals"}))
        if operator not in _OPS or operator not in allowed:
            raise invalid_query("invalid operator found", api_name=ref.name, operator=str(op))
        raw = str(value).strip()
        texts = split_values(raw) if operator in {"in", "between"} else [unescape(raw).strip()]
        if operator == "in" and len(texts) > MAX_IN_VALUES:
            raise InvalidQuery('Only 100 values are allowed in "IN" criteria', {"api_name": ref.name})
        if operator == "between" and len(texts) != 2:
            raise invalid_query("invalid value given", api_name=ref.name, value=raw)
        if any(t == "" for t in texts):
            raise invalid_query("invalid value given", api_name=ref.name, value=raw)
        values = tuple(_typed(ref, t) for t in texts)
        return Pred(ref, _OPS[operator], values)

    def conj(self, items: list[Node]) -> Node:
        return Junction("and", tuple(items))

    def disj(self, items: list[Node]) -> Node:
        return Junction("or", tuple(items))


def _typed(ref: Ref, text: str) -> Any:
    try:
        return typed_value(ref, text)
    except BadLiteral as bad:
        raise invalid_query(
            "invalid value given", api_name=ref.name, expected_data_type=bad.expected
        ) from None


def parse_criteria(module: ModuleDef, criteria: str) -> Node:
    """The condition tree of a search ``criteria`` (already URL-decoded)."""
    if len(criteria) > MAX_CRITERIA_LENGTH:
        raise invalid_query("criteria too long", limit=MAX_CRITERIA_LENGTH)
    try:
        tree = _PARSER.parse(criteria.strip())
    except UnexpectedInput:
        raise invalid_query("invalid criteria") from None
    except RecursionError:
        raise invalid_query("invalid criteria") from None
    try:
        node: Node = _Build(module).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, CRMError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise invalid_query("criteria limit exceeded", limit=MAX_CONDITIONS) from None
        raise
    except RecursionError:
        raise invalid_query("criteria limit exceeded", limit=MAX_CONDITIONS) from None
    if count_preds(node) > MAX_CONDITIONS:
        raise invalid_query("criteria limit exceeded", limit=MAX_CONDITIONS)
    return node
