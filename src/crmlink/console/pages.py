"""The console's reading pages: modules with counts, a module's records (paging, sorting, word and
criteria search, a column picker), a record with every related list, a record's history. Each
calls the API's access checks and domain functions, so a user sees what the API would show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import get
from litestar.response import Template

from crmlink.api.context import Req, services
from crmlink.api.params import path_id, resolve_module
from crmlink.api.security import authorize_module, authorize_related
from crmlink.console.web import Missing, base_context, page, signed_in
from crmlink.domain import feed, orgs
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain import search as srch
from crmlink.domain.auth import DELETE, EDIT, Actor, Operation
from crmlink.domain.catalog import Catalog, FieldDef, ListKind, ModuleDef, RelatedListDef
from crmlink.errors import CRMError, InvalidData
from crmlink.storage.connection import Connection
from crmlink.storage.counts import count_records

Req = Req

PER_PAGE = 50
PREVIEW = 10  # related records shown per list on a record page
RELATED_PER_PAGE = 200
DEFAULT_COLUMNS = 5
SHOWN_GENERATED = frozenset({"default", "custom"})

# --- reading ---------------------------------------------------------------------------------


def _modules(catalog: Catalog, actor: Actor) -> list[ModuleDef]:
    return [
        m
        for m in catalog.modules
        if m.api_supported
        and m.generated_type in SHOWN_GENERATED
        and actor.may_read(m.api_name, m.scope_name)
    ]


@get("/console", include_in_schema=False)
async def home(request: Req) -> Template:
    svc = services(request)
    session = await signed_in(request, svc)
    actor = session.actor

    def work() -> list[tuple[ModuleDef, int]]:
        with svc.db.read() as conn:
            catalog = svc.catalog_in(conn, actor)
            return [(m, count_records(conn, actor.org_id, m.api_name)) for m in _modules(catalog, actor)]

    return page("modules.html", modules=await svc.db.run(work), **base_context(session))


def int_query(request: Req, name: str, default: int, hi: int) -> int:
    raw = request.query_params.get(name, "")
    return min(max(int(raw), 1), hi) if raw.isdigit() and len(raw) < 9 else default


def _columns(mod: ModuleDef, wanted: list[str]) -> list[FieldDef]:
    picked = [mod.field_map[name] for name in wanted if name in mod.field_map]
    if picked:
        return picked
    shown = [f for f in mod.fields if f.data_type not in ("subform", "multiselectlookup", "fileupload")]
    first = [mod.field_map[mod.display_field]] if mod.display_field in mod.field_map else []
    return (first + [f for f in shown if f.api_name != mod.display_field])[:DEFAULT_COLUMNS]


@dataclass(slots=True)
class _Listing:
    module: ModuleDef
    columns: list[FieldDef]
    page: rec.Page
    word: str
    sort_by: str
    sort_order: str
    fields: list[FieldDef] = field(default_factory=list)
    criteria: str = ""

    @property
    def searching(self) -> bool:
        return bool(self.word or self.criteria)


@get("/console/modules/{module:str}", include_in_schema=False)
async def record_list(request: Req) -> Template:
    module = request.path_params["module"]
    svc = services(request)
    session = await signed_in(request, svc)
    actor = session.actor
    q = request.query_params
    number = int_query(request, "page", 1, 10_000)
    word = q.get("word", "").strip()
    criteria = q.get("criteria", "").strip()
    sort_by, sort_order = q.get("sort_by", ""), q.get("sort_order", "desc")
    if sort_order not in ("asc", "desc"):
        raise InvalidData(details={"param_name": "sort_order"})

    def work() -> _Listing:
        with svc.db.read() as conn:
            catalog = svc.catalog_in(conn, actor)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            columns = _columns(mod, q.getall("cols", []))
            names = [c.api_name for c in columns]
            if criteria or word:
                params = srch.SearchParams(
                    criteria=criteria or None,
                    word=None if criteria else word,
                    page=number,
                    per_page=PER_PAGE,
                    fields=names,
                )
                found = srch.search_records(conn, catalog, actor.org_id, mod, params, reader=actor)
            else:
                found = rec.list_records(
                    conn,
                    catalog,
                    actor.org_id,
                    mod,
                    page=number,
                    per_page=PER_PAGE,
                    fields=names,
                    ids=None,
                    sort_by=sort_by or None,
                    sort_order=sort_order,
                    modified_since=None,
                    reader=actor,
                )
            fields = [f for f in mod.fields if f.data_type not in ("subform",)]
            return _Listing(mod, columns, found, word, sort_by, sort_order, fields, criteria)

    listing = await svc.db.run(work)
    chosen = [c.api_name for c in listing.columns]

    def link(**changes: Any) -> str:
        params: dict[str, Any] = {
            "word": word,
            "criteria": criteria,
            "sort_by": sort_by,
            "sort_order": sort_order,
            "page": number,
        }
        params.update(changes)
        pairs = [(k, str(v)) for k, v in params.items() if v not in ("", None)]
        pairs += [("cols", c) for c in chosen]
        return f"/console/modules/{listing.module.api_name}?{urlencode(pairs)}"

    return page("records.html", listing=listing, chosen=chosen, link=link, **base_context(session))


@dataclass(slots=True)
class Related:
    """One related list of a record as a page shows it."""

    rl: RelatedListDef
    module: ModuleDef
    kind: ListKind
    readable: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False
    relation_fields: tuple[FieldDef, ...] = ()
    may_edit: bool = False
    may_delink: bool = False


def related_of(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    parent: ModuleDef,
    parent_id: int,
    rl: RelatedListDef,
    *,
    page: int,
    per_page: int,
) -> Related:
    target = rel.target_for(catalog, parent, rl)
    try:
        authorize_related(actor, parent, target.related, Operation.READ)
    except CRMError:
        return Related(rl, target.related, rl.kind, readable=False)
    if rl.kind is ListKind.LOOKUP:
        assert rl.lookup_field is not None
        found = rec.list_lookup_related(
            conn,
            catalog,
            actor.org_id,
            parent_id,
            target.related,
            rl.lookup_field,
            page=page,
            per_page=per_page,
            fields=None,
            modified_since=None,
            reader=actor,
        )
        return Related(rl, target.related, rl.kind, True, found.data, found.more_records)
    found = rel.list_related(
        conn, catalog, actor.org_id, target, parent_id, page=page, per_page=per_page, reader=actor
    )
    both = (parent.api_name, target.related.api_name)
    return Related(
        rl,
        target.related,
        rl.kind,
        True,
        found.data,
        found.more_records,
        target.link_relation().fields,
        may_edit=all(actor.may(m, EDIT) for m in both),
        may_delink=all(actor.may(m, DELETE) for m in both),
    )


def record_id_of(raw: str) -> int:
    return path_id(raw, 1)


def _shown_lists(mod: ModuleDef) -> list[RelatedListDef]:
    return [rl for rl in mod.related_lists if rl.kind in (ListKind.LINK, ListKind.LOOKUP)]


@get("/console/modules/{module:str}/{record_id:str}", include_in_schema=False)
async def record_page(request: Req) -> Template:
    p = request.path_params
    module, record_id = p["module"], p["record_id"]
    svc = services(request)
    session = await signed_in(request, svc)
    actor = session.actor

    def work() -> tuple[ModuleDef, dict[str, Any], list[Related]]:
        with svc.db.read() as conn:
            catalog = svc.catalog_in(conn, actor)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            rid = record_id_of(record_id)
            found = rec.get_record(conn, catalog, actor.org_id, mod, rid, reader=actor)
            if found is None:
                raise Missing()
            lists = [
                related_of(conn, catalog, actor, mod, rid, rl, page=1, per_page=PREVIEW)
                for rl in _shown_lists(mod)
            ]
            return mod, found, lists

    mod, found, lists = await svc.db.run(work)
    return page("record.html", module=mod, record=found, lists=lists, **base_context(session))


@get("/console/modules/{module:str}/{record_id:str}/history", include_in_schema=False)
async def history(request: Req) -> Template:
    p = request.path_params
    module, record_id = p["module"], p["record_id"]
    svc = services(request)
    session = await signed_in(request, svc)
    actor = session.actor

    def work() -> tuple[ModuleDef, dict[str, Any] | None, feed.History, dict[str, str]]:
        with svc.db.read() as conn:
            catalog = svc.catalog_in(conn, actor)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            rid = record_id_of(record_id)
            found = rec.get_record(conn, catalog, actor.org_id, mod, rid, reader=actor)
            found_history = feed.record_history(conn, catalog, actor.org_id, rid, actor)
            who = {int(c["actor"]["id"]) for c in found_history.changes}
            names = {str(k): v["name"] for k, v in orgs.user_refs(conn, actor.org_id, who).items()}
            return mod, found, found_history, names

    mod, found, found_history, names = await svc.db.run(work)
    return page(
        "history.html",
        module=mod,
        record=found,
        record_id=record_id,
        changes=found_history.changes,
        cut=found_history.cut,
        window=feed.HISTORY_WINDOW,
        names=names,
        **base_context(session),
    )


ROUTES = [home, record_list, record_page, history]
