"""The console's admin page (Administrator profile only): users, profiles, OAuth clients (create,
issue a grant token shown once, revoke), and read-only the request log, fault rules and
notification deliveries of the org.

Secrets (a new client's secret, a grant token) are shown once, on the answer to the form that
made them, and stored hashed by the same domain functions the CLI uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import get, post
from litestar.response import Template

from crmlink.api.context import Req, Services, services
from crmlink.console.web import Forbidden, base_context, page, posted, signed_in
from crmlink.domain import feed, oauth, orgs
from crmlink.domain import users as user_rules
from crmlink.domain.console_auth import Session
from crmlink.errors import InvalidData
from crmlink.storage.connection import Connection

ADMIN_PROFILE = "Administrator"
SHOWN = 50


def _require_admin(session: Session) -> None:
    if session.actor.profile_name != ADMIN_PROFILE:
        raise Forbidden("Only a user of the Administrator profile may open the admin page.")


@dataclass(slots=True)
class _Admin:
    users: list[dict[str, Any]]
    profiles: list[Any]
    clients: list[oauth.ClientInfo]
    deliveries: list[dict[str, Any]]


def _load(svc: Services, org_id: int, user_id: int) -> _Admin:
    with svc.db.read() as conn:
        users = user_rules.list_users(conn, org_id, "AllUsers", user_id, page=1, per_page=200).users
        return _Admin(
            users,
            orgs.profiles(conn, org_id),
            oauth.list_clients(conn, org_id),
            feed.delivery_log(conn, org_id, channel_id=None, after=0, limit=SHOWN)[0],
        )


async def _admin_page(request: Req, session: Session, status: int = 200, **shown: Any) -> Template:
    svc = services(request)
    actor = session.actor
    loaded = await svc.db.run(_load, svc, actor.org_id, actor.user_id)
    requests = svc.requests.entries(actor.org_id, limit=SHOWN) if svc.settings.admin_key else None
    faults = svc.faults.rules(actor.org_id) if svc.settings.admin_key else None
    return page(
        "admin.html",
        status,
        admin=loaded,
        requests=list(reversed(requests)) if requests is not None else None,
        faults=faults,
        **shown,
        **base_context(session),
    )


@get("/console/admin", include_in_schema=False)
async def admin_home(request: Req) -> Template:
    session = await signed_in(request, services(request))
    _require_admin(session)
    return await _admin_page(request, session)


@post("/console/admin/clients", include_in_schema=False, status_code=200)
async def add_client(request: Req) -> Template:
    svc = services(request)
    session, form = await posted(request, svc)
    _require_admin(session)
    name = form.get("name", "").strip()
    uris = [u.strip() for u in form.get("redirect_uris", "").split() if u.strip()]

    def work(conn: Connection) -> oauth.NewClient:
        if not name:
            raise InvalidData("a client needs a name", {"param_name": "name"})
        return oauth.create_client(conn, session.actor.org_id, name, uris)

    try:
        made = await svc.db.transact(work)
    except InvalidData as exc:
        return await _admin_page(request, session, 400, problem=exc.message)
    return await _admin_page(request, session, new_client=made)


@post("/console/admin/grants", include_in_schema=False, status_code=200)
async def add_grant(request: Req) -> Template:
    """A grant token for one of the org's clients, acting as a user of the org (``crmlink grant``)."""
    svc = services(request)
    session, form = await posted(request, svc)
    _require_admin(session)
    org_id = session.actor.org_id
    client_id, email, scope = form.get("client_id", ""), form.get("email", "").strip(), form.get("scope", "")
    ttl = svc.settings.grant_token_ttl

    def work(conn: Connection) -> str:
        client = oauth.find_client(conn, client_id)
        if client is None or client.org_id != org_id:
            raise InvalidData("no such client in this org", {"param_name": "client_id"})
        user = orgs.find_user(conn, org_id, email)
        if user is None:
            raise InvalidData("no such user in this org", {"param_name": "email"})
        return oauth.issue_grant(
            conn, org_id=org_id, client_id=client_id, user_id=user.id, scope=scope, ttl_seconds=ttl
        )

    try:
        code = await svc.db.transact(work)
    except InvalidData as exc:
        return await _admin_page(request, session, 400, problem=exc.message)
    return await _admin_page(
        request, session, grant={"code": code, "expires_in": ttl, "client_id": client_id}
    )


@post("/console/admin/clients/{client_id:str}/revoke", include_in_schema=False, status_code=200)
async def revoke_client(request: Req) -> Template:
    svc = services(request)
    session, _form = await posted(request, svc)
    _require_admin(session)
    client_id = request.path_params["client_id"]

    def work(conn: Connection) -> bool:
        return oauth.revoke_client(conn, session.actor.org_id, client_id)

    if not await svc.db.transact(work):
        return await _admin_page(request, session, 400, problem="No such client in this org.")
    return await _admin_page(request, session, revoked=client_id)


ROUTES = [admin_home, add_client, add_grant, revoke_client]
