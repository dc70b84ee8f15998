"""COQL (``POST /crm/{version}/coql``): the v2/v2.1 SELECT, parsed with lark, checked against
the catalog, run by ``storage/coql.py`` and rendered as Zoho renders it.

::

    select Last_Name, Account_Name.Account_Name, Owner.email from Contacts
    where (Last_Name like 'B%' and (Account_Name.Account_Name = 'Zylker' or Owner = '123'))
    order by Last_Name desc, id limit 10 offset 20

Grouping must be explicit beyond two predicates (``A and B and C`` is a syntax error), as in
Zoho's v2 COQL. Keywords are case-insensitive; strings take ``''`` for a quote. Limits and
error bodies: docs/query.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lark import (
    Lark,
    Token,
    Transformer,
    Tree,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)
from lark.exceptions import VisitError

from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.clock import iso_seconds
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
    refs_of,
    resolve_field,
    typed_value,
    user_attribute,
)
from crmlink.errors import (
    CoqlSyntaxError,
    CRMError,
    DuplicateData,
    InvalidModule,
    InvalidQuery,
    LimitExceeded,
)

MAX_COLUMNS = 50
MAX_CRITERIA = 25
MAX_IN_VALUES = 50
MAX_RELATIONS = 2
DEFAULT_LIMIT = 200
MAX_LIMIT = 2000
MAX_REACH = 10_000  # INFERRED from v3: LIMIT 200 OFFSET 9800 is the last page

_GRAMMAR = r"""
start: _SELECT columns _FROM NAME where? order? limit?
columns: column ("," column)*
column: NAME ("." NAME)*
      | STRING                                   -> quoted_column
where: _WHERE cond
?cond: operand
     | operand AND operand                      -> and_
     | operand OR operand                       -> or_
?operand: pred
        | "(" cond ")"
pred: column CMP value                          -> compare
    | column NOT? _IN "(" value ("," value)* ")" -> in_
    | column _IS NOT? _NULL                     -> null
    | column NOT? _BETWEEN value AND value      -> between
    | column NOT? _LIKE STRING                  -> like
?value: STRING | NUMBER | NAME
order: _ORDER _BY ordering ("," ordering)*
ordering: column DIRECTION?
limit: _LIMIT NUMBER                            -> limit_only
     | _LIMIT NUMBER _OFFSET NUMBER             -> limit_offset
     | _LIMIT NUMBER "," NUMBER                 -> offset_comma
_SELECT.2: /select\b/i
_FROM.2: /from\b/i
_WHERE.2: /where\b/i
_ORDER.2: /order\b/i
_BY.2: /by\b/i
_LIMIT.2: /limit\b/i
_OFFSET.2: /offset\b/i
_IN.2: /in\b/i
_IS.2: /is\b/i
_NULL.2: /null\b/i
_BETWEEN.2: /between\b/i
_LIKE.2: /like\b/i
AND.2: /and\b/i
OR.2: /or\b/i
NOT.2: /not\b/i
DIRECTION.2: /(asc|desc)\b/i
CMP: "!=" | "<>" | ">=" | "<=" | "=" | ">" | "<"
NAME: /[A-Za-z_$][A-Za-z0-9_$]*/
STRING: /'(?:[^']|'')*'/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True)

_CMP = {"=": "eq", "!=": "ne", "<>": "ne", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}
_SHOWN = {
    "eq": "=",
    "ne": "!=",
    "gt": ">",
    "ge": ">=",
    "lt": "<",
    "le": "<=",
    "in": "in",
    "not_in": "not in",
    "like": "like",
    "not_like": "not like",
    "between": "between",
    "not_between": "not between",
    "is_null": "is null",
    "not_null": "is not null",
}
_TEXT_OPS = frozenset({"eq", "ne", "like", "not_like", "in", "not_in", "is_null", "not_null"})
_LOOKUP_OPS = frozenset({"eq", "ne", "in", "not_in", "is_null", "not_null"})
_ORDERED_OPS = frozenset(
    {"eq", "ne", "gt", "ge", "lt", "le", "between", "not_between", "in", "not_in", "is_null", "not_null"}
)


def _ops_for(ref: Ref) -> frozenset[str]:
    kind = ref.data_type
    if ref.kind == "json" and kind == "datetime":
        return frozenset({"is_null", "not_null"})  # see criteria.py: stored with the client's offset
    if kind in TEXT_TYPES:
        return _TEXT_OPS
    if kind in {"lookup", "userlookup", "ownerlookup"}:
        return _LOOKUP_OPS
    if kind in NUMBER_TYPES or kind in {"date", "datetime"}:
        return _ORDERED_OPS
    if kind == "boolean":
        return frozenset({"eq"})
    return frozenset({"eq"})


@dataclass(frozen=True, slots=True)
class Join:
    """A lookup walked from the base record: ``via`` names the lookup fields in order."""

    via: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoqlQuery:
    """A checked query: what storage needs to run it and the domain to render it."""

    module: ModuleDef
    columns: tuple[Ref, ...]
    where: Node
    order: tuple[tuple[Ref, bool], ...]  # (ref, descending)
    limit: int
    offset: int
    # Modules whose records the query reads through a lookup (``Account_Name.Industry``): the
    # reader must be allowed to read each, as the base module.
    reached: frozenset[str] = frozenset()

    @property
    def joins(self) -> tuple[tuple[str, ...], ...]:
        """Every record chain the query touches (each prefix), shortest first."""
        chains: set[tuple[str, ...]] = set()
        refs = [*self.columns, *refs_of(self.where), *(r for r, _ in self.order)]
        for ref in refs:
            via = ref.via + ((ref.key,) if ref.kind == "lookup" and ref in self.columns else ())
            for n in range(1, len(via) + 1):
                chains.add(via[:n])
        return tuple(sorted(chains, key=lambda c: (len(c), c)))

    @property
    def user_joins(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        refs = [*self.columns, *refs_of(self.where), *(r for r, _ in self.order)]
        return tuple(sorted({(r.via, r.user_column) for r in refs if r.kind == "user"}))


def _syntax(exc: UnexpectedInput, query: str) -> CoqlSyntaxError:
    column = getattr(exc, "column", None)
    if isinstance(exc, UnexpectedToken):
        near = str(exc.token) if exc.token.type != "$END" else ""
        if exc.token.type == "$END":
            column = len(query) + 1
    elif isinstance(exc, UnexpectedCharacters):
        near = query[exc.pos_in_stream] if exc.pos_in_stream is not None else ""
    elif isinstance(exc, UnexpectedEOF):
        near, column = "", len(query) + 1
    else:
        near = ""
    if not near:
        near = query.strip().split()[-1] if query.strip() else ""
    return CoqlSyntaxError(
        details={"line": 1, "column": column if isinstance(column, int) else 1, "near": near}
    )


_WORD = re.compile(r"[A-Za-z_]+")


def parse_coql(catalog: Catalog, query: str) -> CoqlQuery:
    """The checked query, or Zoho's error (SYNTAX_ERROR, INVALID_QUERY, LIMIT_EXCEEDED, ...)."""
    text = " ".join(query.split())  # one line: Zoho reports line 1
    first = _WORD.match(text)
    if first is None or first.group(0).lower() != "select":
        raise CoqlSyntaxError("given coql query not supported", {})
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        if not re.search(r"\bfrom\b", text, re.IGNORECASE):
            raise CoqlSyntaxError("missing clause", {"clause": "from"}) from None
        raise _syntax(exc, text) from None
    except RecursionError:
        raise CoqlSyntaxError(details={"line": 1, "column": 1, "near": ""}) from None
    try:
        return _Check(catalog).build(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, CRMError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise _too_deep() from None
        raise
    except RecursionError:
        raise _too_deep() from None


def _too_deep() -> LimitExceeded:
    """Nesting deep enough to exhaust the stack holds far more than 25 conditions."""
    return LimitExceeded("limit exceeded", {"clause": "where", "limit": MAX_CRITERIA})


def _string(token: Token) -> str:
    return str(token)[1:-1].replace("''", "'")


class _Check:
    """Resolves names and literals against the catalog; raises Zoho's errors."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.module: ModuleDef | None = None
        self.reached: set[str] = set()

    def build(self, tree: Tree[Token]) -> CoqlQuery:
        parts = {child.data: child for child in tree.children if isinstance(child, Tree)}
        name_token = next(c for c in tree.children if isinstance(c, Token) and c.type == "NAME")
        module = self.catalog.find_module(str(name_token))
        if module is None:
            raise InvalidModule(details={"module": str(name_token)})
        self.module = module
        columns_tree = parts["columns"]
        if len(columns_tree.children) > MAX_COLUMNS:
            raise LimitExceeded("select columns limit exceeded", {"limit": MAX_COLUMNS})
        columns = tuple(self.column(c) for c in columns_tree.children if isinstance(c, Tree))
        if len({c.name for c in columns}) != len(columns):
            raise DuplicateData(details={})
        if "where" not in parts:
            raise CoqlSyntaxError("missing clause", {"clause": "where"})
        where_child = parts["where"].children[0]
        assert isinstance(where_child, Tree)
        where = _Where(self).transform(where_child)
        if count_preds(where) > MAX_CRITERIA:
            raise LimitExceeded("limit exceeded", {"clause": "where", "limit": MAX_CRITERIA})
        order: list[tuple[Ref, bool]] = []
        if "order" in parts:
            for ordering in parts["order"].children:
                assert isinstance(ordering, Tree)
                col = ordering.children[0]
                assert isinstance(col, Tree)
                direction = ordering.children[1] if len(ordering.children) > 1 else None
                order.append((self.column(col), str(direction or "asc").lower() == "desc"))
        limit, offset = DEFAULT_LIMIT, 0
        limit_tree = next(
            (c for c in tree.children if isinstance(c, Tree) and c.data.startswith(("limit", "offset"))), None
        )
        if limit_tree is not None:
            numbers = [_count(t) for t in limit_tree.children]
            if limit_tree.data == "limit_only":
                limit = numbers[0]
            elif limit_tree.data == "limit_offset":
                limit, offset = numbers
            else:
                offset, limit = numbers
        if limit < 1 or limit > MAX_LIMIT:
            raise LimitExceeded("limit exceeded", {"clause": "limit", "limit": MAX_LIMIT})
        if offset + limit > MAX_REACH:
            raise LimitExceeded("limit exceeded", {"clause": "offset", "limit": MAX_REACH})
        return CoqlQuery(module, columns, where, tuple(order), limit, offset, frozenset(self.reached))

    def column(self, tree: Tree[Token]) -> Ref:
        assert self.module is not None
        if tree.data == "quoted_column":
            names = [_string(tree.children[0])]  # type: ignore[arg-type]
        else:
            names = [str(t) for t in tree.children]
        shown = ".".join(names)
        if len(names) - 1 > MAX_RELATIONS:
            raise LimitExceeded("join limit exceeded", {"limit": MAX_RELATIONS})
        module = self.module
        via: tuple[str, ...] = ()
        try:
            for i, name in enumerate(names):
                ref = resolve_field(module, name, via, shown)
                if i == len(names) - 1:
                    return ref
                if ref.kind == "column" and ref.data_type == "ownerlookup":
                    if i != len(names) - 2:
                        raise BadField(shown)
                    return user_attribute(ref, names[i + 1], shown)
                if ref.kind != "lookup" or ref.data_type != "lookup":
                    raise BadField(shown)
                target = module.field_map[ref.key].lookup_module
                found = self.catalog.module_map.get(target or "")
                if found is None:
                    raise BadField(shown)
                module, via = found, (*via, ref.key)
                self.reached.add(found.api_name)
        except BadField:
            raise InvalidQuery("column given seems to be invalid", {"column_name": shown}) from None
        raise InvalidQuery("column given seems to be invalid", {"column_name": shown})


def _count(token: Tree[Token] | Token) -> int:
    text = str(token)
    if not text.isdigit():
        raise LimitExceeded("limit exceeded", {"clause": "limit", "limit": MAX_LIMIT})
    return int(text)


class _Where(Transformer[Token, Node]):
    def __init__(self, check: _Check) -> None:
        super().__init__()
        self.check = check

    def _ref(self, tree: Any) -> Ref:
        ref = self.check.column(tree)
        if ref.data_type == "textarea":
            raise InvalidQuery("data type not supported", {"column_name": ref.name, "data_type": "textarea"})
        return ref

    def _pred(self, ref: Ref, op: str, raws: list[Token]) -> Pred:
        if op not in _ops_for(ref):
            raise InvalidQuery(details={"column_name": ref.name, "operator": _SHOWN[op]})
        values = []
        for raw in raws:
            literal = _string(raw) if raw.type == "STRING" else str(raw)
            try:
                values.append(typed_value(ref, literal))
            except BadLiteral as bad:
                raise InvalidQuery(
                    "value given seems to be invalid for the column",
                    {"expected_data_type": bad.expected, "column_name": ref.name},
                ) from None
        return Pred(ref, op, tuple(values))

    def compare(self, children: list[Any]) -> Pred:
        column, cmp, value = children
        return self._pred(self._ref(column), _CMP[str(cmp)], [value])

    def in_(self, children: list[Any]) -> Pred:
        negated = isinstance(children[1], Token) and children[1].type == "NOT"
        values = children[2:] if negated else children[1:]
        if len(values) > MAX_IN_VALUES:
            raise LimitExceeded("limit exceeded", {"clause": "in", "limit": MAX_IN_VALUES})
        return self._pred(self._ref(children[0]), "not_in" if negated else "in", values)

    def null(self, children: list[Any]) -> Pred:
        negated = len(children) > 1
        return self._pred(self._ref(children[0]), "not_null" if negated else "is_null", [])

    def between(self, children: list[Any]) -> Pred:
        negated = isinstance(children[1], Token) and children[1].type == "NOT"
        rest = children[2:] if negated else children[1:]
        low, _and, high = rest
        return self._pred(self._ref(children[0]), "not_between" if negated else "between", [low, high])

    def like(self, children: list[Any]) -> Pred:
        negated = len(children) > 2
        ref = self._ref(children[0])
        pred = self._pred(ref, "not_like" if negated else "like", [children[-1]])
        return pred

    def and_(self, children: list[Any]) -> Junction:
        return Junction("and", (children[0], children[2]))

    def or_(self, children: list[Any]) -> Junction:
        return Junction("or", (children[0], children[2]))


# --- rendering ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordCols:
    id: int
    data: dict[str, Any]
    owner_id: int
    created_by: int
    modified_by: int
    created_at: int
    modified_at: int


@dataclass(frozen=True, slots=True)
class UserCols:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class CoqlRow:
    """One result row: the base record and, per join, the joined record or user (None: none)."""

    records: dict[tuple[str, ...], RecordCols | None]
    users: dict[tuple[tuple[str, ...], str], UserCols | None]


def _cell(query: CoqlQuery, ref: Ref, row: CoqlRow) -> Any:
    if ref.kind == "user":
        user = row.users.get((ref.via, ref.user_column))
        if user is None:
            return None
        return str(user.id) if ref.key == "id" else getattr(user, ref.key)
    if ref.kind == "lookup":
        target = row.records.get((*ref.via, ref.key))
        return {"id": str(target.id)} if target is not None else None
    rec = row.records.get(ref.via)
    if rec is None:
        return None
    if ref.kind == "column":
        if ref.key == "id":
            return str(rec.id)
        if ref.data_type == "datetime":
            return iso_seconds(getattr(rec, ref.key) // 1_000_000)
        return {"id": str(getattr(rec, ref.key))}
    return rec.data.get(ref.key)


def render_rows(query: CoqlQuery, rows: list[CoqlRow]) -> list[dict[str, Any]]:
    """Zoho's shape: the selected columns in order (dotted keys flat), then ``id``; lookups and
    users as ``{"id"}`` only (v2.1)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        item = {ref.name: _cell(query, ref, row) for ref in query.columns}
        base = row.records[()]
        assert base is not None
        item["id"] = str(base.id)
        out.append(item)
    return out
