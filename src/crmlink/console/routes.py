"""The console's pages: sign-in, modules, record lists, a record with its related lists, a
related list with relate / edit / delink, a record's history.

Each handler reads the session, then calls the functions the API handlers call (access checks
of ``api/security.py``, ``domain/records.py``, ``domain/relations.py``, ``domain/search.py``,
``domain/feed.py``), so what a user may see and do, and the errors they get, are the API's.
Writes answer with a redirect (post/redirect/get); a request from htmx gets the page itself and
swaps the part it names.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import Response, Router, get, post
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import Connection

from crmlink.api.context import Req, Services, services
from crmlink.api.params import body_form_params, path_id, resolve_module
from crmlink.api.security import authorize_module, authorize_related
from crmlink.console import HERE
from crmlink.console.views import SECURITY_HEADERS
from crmlink.domain import console_auth, feed, orgs, passwords
from crmlink.domain import records as rec
from crmlink.domain import relations as rel
from crmlink.domain import search as srch
from crmlink.domain.auth import DELETE, EDIT, Actor, Operation
from crmlink.domain.catalog import Catalog, FieldDef, ListKind, ModuleDef, RelatedListDef
from crmlink.domain.console_auth import Session
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.domain.values import NUMBER_TYPES
from crmlink.errors import CRMError, InvalidData, NoPermission
from crmlink.storage.counts import count_records

Req = Req

COOKIE = "crmlink_console"
LOGIN_COOKIE = "crmlink_console_login"
PER_PAGE = 50
PREVIEW = 10  # related records shown per list on a record page
RELATED_PER_PAGE = 200
DEFAULT_COLUMNS = 5
SHOWN_GENERATED = frozenset({"default", "custom"})


class NotSignedIn(Exception):
    """No live console session: the browser goes to the sign-in page."""


# --- plumbing --------------------------------------------------------------------------------


def _cookie(request: Req, key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path="/",
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def page(name: str, status: int = 200, cookies: list[Cookie] | None = None, **context: Any) -> Template:
    return Template(
        template_name=name,
        context=context,
        status_code=status,
        headers=dict(SECURITY_HEADERS),
        cookies=cookies or [],
    )


def _see_other(location: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=location, status_code=303, headers=dict(SECURITY_HEADERS), cookies=cookies)


def _is_htmx(request: Req) -> bool:
    return request.headers.get("hx-request") == "true"


async def signed_in(request: Req, svc: Services) -> Session:
    cookie = request.cookies.get(COOKIE)

    def lookup() -> Session | None:
        with svc.db.read() as conn:
            return console_auth.session_for(conn, cookie)

    found = await svc.db.run(lookup) if cookie else None
    if found is None:
        raise NotSignedIn()
    return found


async def posted(request: Req, svc: Services) -> tuple[Session, dict[str, str]]:
    """A signed-in form post: the session, and the form once its CSRF token checks."""
    session = await signed_in(request, svc)
    form = await body_form_params(request)
    if not console_auth.csrf_ok(session, form.get("csrf_token")):
        raise Forbidden("This form has expired or was not sent by this site. Reload the page.")
    return session, form


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def base_context(session: Session) -> dict[str, Any]:
    actor = session.actor
    return {
        "user": actor,
        "csrf": session.csrf,
        "is_admin": actor.profile_name == "Administrator",
    }


# --- sign-in ---------------------------------------------------------------------------------


@get("/", include_in_schema=False)
async def root() -> Redirect:
    return _see_other("/console")


@get("/console/sign-in", include_in_schema=False)
async def sign_in_form(request: Req) -> Template:
    token = console_auth.csrf_for(secrets.token_urlsafe(16))
    org = request.query_params.get("org", "")
    return page(
        "sign_in.html",
        csrf=token,
        org=org if org.isdigit() else "",
        cookies=[_cookie(request, LOGIN_COOKIE, token, 3600)],
    )


@post("/console/sign-in", include_in_schema=False, status_code=303)
async def sign_in(request: Req) -> Response[Any]:
    """Count the failure and fetch the hash (one transaction), check the password on a worker
    thread outside any transaction, then open the session (a second transaction)."""
    svc = services(request)
    form = await body_form_params(request)  # never the query string: it lands in proxy logs
    email, password = form.get("email", "").strip(), form.get("password", "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    token, org_text = form.get("csrf_token", ""), form.get("org", "")
    if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
        return _sign_in_again(request, "This form has expired. Sign in again.", email, org_text, 403)
    if not email or not password:
        return _sign_in_again(request, "Enter your email and password.", email, org_text, 400)
    address = request.client.host if request.client is not None else ""
    limits = console_auth.Limits(
        svc.settings.sign_in_failures_per_email, svc.settings.sign_in_failures_per_address
    )

    def begin(conn: Connection) -> console_auth.Attempt | None:
        org_id = int(org_text) if org_text.isdigit() and len(org_text) <= 19 else orgs.default_org_id(conn)
        if org_id is None or not orgs.org_exists(conn, org_id):
            return None
        return console_auth.begin(conn, org_id, email, address, limits)

    attempt = await svc.db.transact(begin)
    if attempt is None:
        return _sign_in_again(request, "Wrong email or password.", email, org_text, 401)
    if attempt.retry_after is not None:
        minutes = -(-attempt.retry_after // 60)
        response = _sign_in_again(
            request,
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            email,
            org_text,
            429,
        )
        response.headers["Retry-After"] = str(attempt.retry_after)
        return response
    verified = await passwords.verify_off_loop(password, attempt.stored_hash)
    if not console_auth.succeeded(attempt, verified):
        return _sign_in_again(request, "Wrong email or password.", email, org_text, 401)
    ttl = svc.settings.console_session_ttl

    def finish(conn: Connection) -> str:
        return console_auth.finish(conn, attempt, verified, ttl)

    cookie = await svc.db.transact(finish)
    return _see_other(
        "/console", [_cookie(request, COOKIE, cookie, ttl), _cookie(request, LOGIN_COOKIE, "", 0)]
    )


def _sign_in_again(request: Req, error: str, email: str, org: str, status: int) -> Template:
    token = console_auth.csrf_for(secrets.token_urlsafe(16))
    return page(
        "sign_in.html",
        status,
        [_cookie(request, LOGIN_COOKIE, token, 3600)],
        csrf=token,
        error=error,
        email=email,
        org=org if org.isdigit() else "",
    )


@post("/console/sign-out", include_in_schema=False, status_code=303)
async def sign_out(request: Req) -> Redirect:
    svc = services(request)
    await posted(request, svc)
    cookie = request.cookies.get(COOKIE)

    def work(conn: Connection) -> None:
        console_auth.end(conn, cookie)

    await svc.db.transact(work)
    return _see_other("/console/sign-in", [_cookie(request, COOKIE, "", 0)])


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


def _int_query(request: Req, name: str, default: int, hi: int) -> int:
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
    number = _int_query(request, "page", 1, 10_000)
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
class _Related:
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


def _related(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    parent: ModuleDef,
    parent_id: int,
    rl: RelatedListDef,
    *,
    page: int,
    per_page: int,
) -> _Related:
    target = rel.target_for(catalog, parent, rl)
    try:
        authorize_related(actor, parent, target.related, Operation.READ)
    except CRMError:
        return _Related(rl, target.related, rl.kind, readable=False)
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
        return _Related(rl, target.related, rl.kind, True, found.data, found.more_records)
    found = rel.list_related(
        conn, catalog, actor.org_id, target, parent_id, page=page, per_page=per_page, reader=actor
    )
    both = (parent.api_name, target.related.api_name)
    return _Related(
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


def _record_id(raw: str) -> int:
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

    def work() -> tuple[ModuleDef, dict[str, Any], list[_Related]]:
        with svc.db.read() as conn:
            catalog = svc.catalog_in(conn, actor)
            mod = resolve_module(catalog, module)
            authorize_module(actor, mod, Operation.READ)
            rid = _record_id(record_id)
            found = rec.get_record(conn, catalog, actor.org_id, mod, rid, reader=actor)
            if found is None:
                raise _Missing()
            lists = [
                _related(conn, catalog, actor, mod, rid, rl, page=1, per_page=PREVIEW)
                for rl in _shown_lists(mod)
            ]
            return mod, found, lists

    mod, found, lists = await svc.db.run(work)
    return page("record.html", module=mod, record=found, lists=lists, **base_context(session))


class _Missing(Exception):
    """No such record (of this module) in the org."""


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
            rid = _record_id(record_id)
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


# --- a related list: relate, edit relation data, delink -------------------------------------


@dataclass(slots=True)
class _ListPage:
    parent: ModuleDef
    record: dict[str, Any]
    related: _Related
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
    rid = _record_id(record_id)
    found = rec.get_record(conn, catalog, actor.org_id, parent, rid, reader=actor)
    if found is None:
        raise _Missing()
    rl = rel.find_related_list(catalog, parent, list_name)
    related = _related(conn, catalog, actor, parent, rid, rl, page=number, per_page=RELATED_PER_PAGE)
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
    number = _int_query(request, "page", 1, 10_000)
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
    if ok and not _is_htmx(request):
        return _see_other(_list_url(module, record_id, list_name))

    def again() -> _ListPage:
        with svc.db.read() as conn:
            return _list_page(svc, conn, actor, module, record_id, list_name, 1, "")

    shown = _list_template(session, await svc.db.run(again), results)
    if _is_htmx(request):
        shown.status_code = 200  # htmx swaps 2xx answers only; the errors are in the page
    return shown


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


# --- errors and timing -----------------------------------------------------------------------


def _not_signed_in(request: Req, _exc: Exception) -> Response[Any]:
    if _is_htmx(request):
        response: Response[Any] = Response(content="", status_code=401, headers=dict(SECURITY_HEADERS))
        response.headers["HX-Redirect"] = "/console/sign-in"
        return response
    return _see_other("/console/sign-in")


def _problem(request: Req, exc: Exception) -> Template:
    if isinstance(exc, CRMError):
        return page("error.html", exc.status_code, code=exc.code, message=exc.message, details=exc.details)
    if isinstance(exc, _Missing):
        return page("error.html", 404, code="NOT_FOUND", message="No such record.", details={})
    assert isinstance(exc, Forbidden)
    return page("error.html", 403, code="FORBIDDEN", message=exc.message, details={})


def server_timing(app: ASGIApp) -> ASGIApp:
    """``Server-Timing: app;dur=<ms>``: the server's time up to the answer's first byte."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - start) * 1000
                MutableScopeHeaders.from_message(message).add("Server-Timing", f"app;dur={took:.1f}")
            await send(message)

        await app(scope, receive, timed)

    return middleware


_HANDLERS: list[Any] = [
    root,
    sign_in_form,
    sign_in,
    sign_out,
    home,
    record_list,
    record_page,
    history,
    related_list,
    relate,
    edit_relation,
    delink,
]


def build_router(more: list[Any]) -> Router:
    """The console's routes (these, ``more``, the static files) with its error pages and timing."""
    return Router(
        path="/",
        route_handlers=[
            *_HANDLERS,
            *more,
            create_static_files_router(
                path="/console/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        exception_handlers={
            NotSignedIn: _not_signed_in,
            CRMError: _problem,
            _Missing: _problem,
            Forbidden: _problem,
        },
        middleware=[server_timing],
        include_in_schema=False,
    )
