"""Sign-in and sign-out of the console (rules in ``domain/console_auth.py``)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar import Response, get, post
from litestar.response import Redirect, Template

from crmlink.api.context import Req, services
from crmlink.api.params import body_form_params
from crmlink.console.web import COOKIE, LOGIN_COOKIE, page, posted, see_other, session_cookie
from crmlink.domain import console_auth, orgs, passwords
from crmlink.storage.connection import Connection

Req = Req

# --- sign-in ---------------------------------------------------------------------------------


@get("/", include_in_schema=False)
async def root() -> Redirect:
    return see_other("/console")


@get("/console/sign-in", include_in_schema=False)
async def sign_in_form(request: Req) -> Template:
    token = console_auth.csrf_for(secrets.token_urlsafe(16))
    org = request.query_params.get("org", "")
    return page(
        "sign_in.html",
        csrf=token,
        org=org if org.isdigit() else "",
        cookies=[session_cookie(request, LOGIN_COOKIE, token, 3600)],
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
    return see_other(
        "/console",
        [session_cookie(request, COOKIE, cookie, ttl), session_cookie(request, LOGIN_COOKIE, "", 0)],
    )


def _sign_in_again(request: Req, error: str, email: str, org: str, status: int) -> Template:
    token = console_auth.csrf_for(secrets.token_urlsafe(16))
    return page(
        "sign_in.html",
        status,
        [session_cookie(request, LOGIN_COOKIE, token, 3600)],
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
    return see_other("/console/sign-in", [session_cookie(request, COOKIE, "", 0)])


ROUTES = [root, sign_in_form, sign_in, sign_out]
