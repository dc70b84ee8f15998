"""A record's related list: relate, edit relation data inline, delink, through
``domain/relations.py`` with the API's checks; writes redirect (post/redirect/get), or, asked by
htmx, answer the page whose list htmx swaps in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Response, get, post
from litestar.response import Template

from crmlink.api.context import Req, Services, services
from crmlink.api.params import path_id, resolve_module
from crmlink.api.security import authorize_module, authorize_related
from crmlink.console.pages import RELATED_PER_PAGE, Related, int_query, record_id_of, related_of
from crmlink.console.web import Missing, base_context, is_htmx, page, posted, see_other, signed_in
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain import search as srch
from crmlink.domain.auth import Actor, Operation
from crmlink.domain.catalog import FieldDef, ListKind, ModuleDef
from crmlink.domain.console_auth import Session
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.domain.values import NUMBER_TYPES
from crmlink.errors import NoPermission
from crmlink.storage.connection import Connection

Req = Req

# --- a related list: relate, edit relation data, delink -------------------------------------


@dataclass(slots=True)
class _ListPage:
    parent: ModuleDef
    record: dict[str, Any]
    related: Related
    number: int
    candidates: list[dict[str, Any]]
    word: str


def _list_page(
    svc: Services,
    conn: Connection,
    actor: Actor,
    module: str,
    record_id: str,
    list_name: str,
    number: int,
    word: str,
) -> _ListPage:
    catalog = svc.catalog_in(conn, actor)
    parent = resolve_module(catalog, module)
    authorize_module(actor, parent, Operation.READ)
    rid = record_id_of(record_id)
    found = rec.get_record(conn, catalog, actor.org_id, parent, rid, reader=actor)
    if found is None:
        raise Missing()
    rl = rel.find_related_list(catalog, parent, list_name)
    related = related_of(conn, catalog, actor, parent, rid, rl, page=number, per_page=RELATED_PER_PAGE)
    if not related.readable:
        authorize_related(actor, parent, related.module, Operation.READ)  # raises the API's error
    candidates: list[dict[str, Any]] = []
    if related.may_edit and rl.kind is ListKind.LINK:
        other = related.module
        if word:
            params = srch.SearchParams(word=word, per_page=20)
            candidates = srch.search_records(conn, catalog, actor.org_id, other, params, reader=actor).data
        else:
            candidates = rec.list_records(
                conn,
                catalog,
                actor.org_id,
                other,
                page=1,
                per_page=20,
                fields=None,
                ids=None,
                sort_by=None,
                sort_order=None,
                modified_since=None,
                reader=actor,
            ).data
    return _ListPage(parent, found, related, number, candidates, word)


def _list_url(module: str, record_id: str, list_name: str) -> str:
    return f"/console/modules/{module}/{record_id}/related/{list_name}"


@get("/console/modules/{module:str}/{record_id:str}/related/{list_name:str}", include_in_schema=False)
async def related_list(request: Req) -> Template:
    p = request.path_params
    module, record_id, list_name = p["module"], p["record_id"], p["list_name"]
    svc = services(request)
    session = await signed_in(request, svc)
    number = int_query(request, "page", 1, 10_000)
    word = request.query_params.get("word", "").strip()

    def work() -> _ListPage:
        with svc.db.read() as conn:
            return _list_page(svc, conn, session.actor, module, record_id, list_name, number, word)

    return _list_template(session, await svc.db.run(work))


def _list_template(
    session: Session, found: _ListPage, results: list[dict[str, Any]] | None = None
) -> Template:
    failed = [r for r in results or [] if r.get("status") != "success"]
    return page(
        "related.html",
        400 if failed else 200,
        view=found,
        results=results or [],
        failed=failed,
        url=_list_url(found.parent.api_name, str(found.record["id"]), found.related.rl.api_name),
        **base_context(session),
    )


def _form_values(fields: tuple[FieldDef, ...], form: Mapping[str, str], prefix: str = "") -> dict[str, Any]:
    """Relation data from a form, as the API's JSON would carry it: numbers for number fields
    (text that is no number goes through as text, for the domain to refuse), empty clears."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = form.get(prefix + f.api_name)
        if raw is None:
            continue
        raw = raw.strip()
        if raw == "":
            values[f.api_name] = None
        elif f.data_type in NUMBER_TYPES:
            try:
                values[f.api_name] = float(raw) if any(c in raw for c in ".eE") else int(raw)
            except ValueError:
                values[f.api_name] = raw
        else:
            values[f.api_name] = raw
    return values


async def _write(
    request: Req,
    module: str,
    record_id: str,
    list_name: str,
    op: Operation,
    change: Callable[[Connection, Actor, rel.Target, int, dict[str, str]], list[dict[str, Any]]],
) -> Response[Any]:
    """The related-records write path of ``api/related.py``: the checks, then the domain's
    relate or delink, in one transaction; the page again (htmx or an error) or a redirect."""
    svc = services(request)
    session, form = await posted(request, svc)
    actor = session.actor

    def work(conn: Connection) -> list[dict[str, Any]]:
        catalog = svc.catalog_in(conn, actor)
        parent = resolve_module(catalog, module)
        authorize_module(actor, parent, op)
        rl = rel.find_related_list(catalog, parent, list_name)
        if rl.kind is not ListKind.LINK:
            raise NoPermission("Records of this list are not related by hand")
        target = rel.target_for(catalog, parent, rl)
        authorize_related(actor, parent, target.related, op)
        parent_id = path_id(record_id, 1, RELATED_ID_INVALID)
        return change(conn, actor, target, parent_id, form)

    results = await svc.db.transact(work)
    ok = all(r.get("status") == "success" for r in results)
    if ok and not is_htmx(request):
        return see_other(_list_url(module, record_id, list_name))

    def again() -> _ListPage:
        with svc.db.read() as conn:
            return _list_page(svc, conn, actor, module, record_id, list_name, 1, "")

    return _list_template(session, await svc.db.run(again), results)


_BASE = "/console/modules/{module:str}/{record_id:str}/related/{list_name:str}"


@post(_BASE, include_in_schema=False, status_code=303)
async def relate(request: Req) -> Response[Any]:
    p = request.path_params
    module, record_id, list_name = p["module"], p["record_id"], p["list_name"]

    def change(
        conn: Connection, actor: Actor, target: rel.Target, parent_id: int, form: dict[str, str]
    ) -> Any:
        item: dict[str, Any] = {"id": form.get("related_id", "").strip()}
        item.update(_form_values(target.link_relation().fields, form))
        return rel.relate(conn, actor, target, parent_id, [item])

    return await _write(request, module, record_id, list_name, Operation.UPDATE, change)


@post(_BASE + "/{related_id:str}", include_in_schema=False, status_code=303)
async def edit_relation(request: Req) -> Response[Any]:
    p = request.path_params
    module, record_id, list_name, related_id = p["module"], p["record_id"], p["list_name"], p["related_id"]

    def change(
        conn: Connection, actor: Actor, target: rel.Target, parent_id: int, form: dict[str, str]
    ) -> Any:
        values = _form_values(target.link_relation().fields, form)
        other = path_id(related_id, 3, RELATED_ID_INVALID)
        return rel.relate(conn, actor, target, parent_id, [values], path_related_id=other)

    return await _write(request, module, record_id, list_name, Operation.UPDATE, change)


@post(_BASE + "/{related_id:str}/delink", include_in_schema=False, status_code=303)
async def delink(request: Req) -> Response[Any]:
    p = request.path_params
    module, record_id, list_name, related_id = p["module"], p["record_id"], p["list_name"], p["related_id"]

    def change(
        conn: Connection, actor: Actor, target: rel.Target, parent_id: int, form: dict[str, str]
    ) -> Any:
        return rel.delink(conn, actor, target, parent_id, [path_id(related_id, 3, RELATED_ID_INVALID)])

    return await _write(request, module, record_id, list_name, Operation.DELETE, change)


ROUTES = [related_list, relate, edit_relation, delink]
