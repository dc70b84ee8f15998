"""Search records (``GET /{module}/search``): one of criteria, email, phone or word, in Zoho's
order of precedence, paged by id up to Zoho's 2,000-record ceiling; and running COQL queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmlink.domain import msl_values
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.coql import CoqlQuery, render_rows
from crmlink.domain.criteria import parse_criteria
from crmlink.domain.query import Junction, Node, Pred, ascii_lower, resolve_field
from crmlink.domain.records import Page
from crmlink.domain.rendering import render
from crmlink.errors import InvalidData, LimitReached, RequiredParamMissing
from crmlink.storage.coql import coql_rows
from crmlink.storage.search import Connection, count_rows, search_rows

SEARCH_CEILING = 2000
MIN_WORD = 2


@dataclass(frozen=True, slots=True)
class SearchParams:
    criteria: str | None = None
    email: str | None = None
    phone: str | None = None
    word: str | None = None
    converted: str = "false"
    approved: str = "true"
    page: int = 1
    per_page: int = 200
    fields: Sequence[str] | None = None


def _any_of(module: ModuleDef, types: frozenset[str], op: str, value: str) -> Node:
    preds = tuple(
        Pred(resolve_field(module, f.api_name), op, (ascii_lower(value),))
        for f in module.fields
        if f.data_type in types
    )
    return Junction("or", preds)


def search_condition(module: ModuleDef, params: SearchParams) -> Node:
    """The condition: criteria > email > phone > word (only the first one given counts)."""
    if params.criteria is not None:
        return parse_criteria(module, params.criteria)
    if params.email is not None:
        return _any_of(module, frozenset({"email"}), "eq", params.email.strip())
    if params.phone is not None:
        return _any_of(module, frozenset({"phone"}), "eq", params.phone.strip())
    if params.word is not None:
        word = params.word.strip()
        if len(word) < MIN_WORD:
            raise InvalidData("the word given should have at least 2 characters", {"param_name": "word"})
        text = frozenset({"text", "textarea", "email", "phone", "website", "picklist"})
        return _any_of(module, text, "contains", word)
    raise RequiredParamMissing(details={"param_name": "criteria"})


def _tristate(value: str, name: str) -> str:
    lowered = value.strip().lower()
    if lowered not in {"true", "false", "both"}:
        raise InvalidData(details={"param_name": name})
    return lowered


def search_records(
    conn: Connection,
    catalog: Catalog,
    org_id: int,
    module: ModuleDef,
    params: SearchParams,
    *,
    reader: Actor | None = None,
) -> Page:
    node = search_condition(module, params)
    converted = _tristate(params.converted, "converted")
    approved = _tristate(params.approved, "approved")
    offset = (params.page - 1) * params.per_page
    if offset >= SEARCH_CEILING:
        raise LimitReached(details={"limit": str(SEARCH_CEILING)})
    # No record here is ever converted or waiting for approval.
    if (module.api_name == "Leads" and converted == "true") or approved == "false":
        return Page([], params.page, params.per_page, False)
    reachable = SEARCH_CEILING - offset
    limit = min(params.per_page, reachable)
    rows = search_rows(conn, org_id, module.api_name, node, limit=limit + 1, offset=offset)
    more = len(rows) > limit and limit < reachable
    data = render(conn, catalog, org_id, rows[:limit], params.fields, reader=reader)
    data = msl_values.with_fields(conn, catalog, org_id, module, data, params.fields, reader)
    return Page(data, params.page, params.per_page, more)


def coql_records(conn: Connection, org_id: int, query: CoqlQuery) -> tuple[list[dict[str, Any]], bool]:
    """The rendered rows of a checked COQL query and whether more follow."""
    rows = coql_rows(conn, org_id, query)
    more = len(rows) > query.limit
    return render_rows(query, rows[: query.limit]), more


def count_matching(conn: Connection, org_id: int, module: ModuleDef, params: SearchParams) -> int:
    """``GET /{module}/actions/count`` with search's criteria, email, phone or word."""
    return count_rows(conn, org_id, module.api_name, search_condition(module, params))
