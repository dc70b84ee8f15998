"""What every console page shares: the session, CSRF-checked form posts, the page response with
its security headers, the error pages and the ``Server-Timing`` header."""

from __future__ import annotations

import time
from typing import Any

from litestar import Response, Router
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from crmlink.api.context import Req, Services
from crmlink.api.params import body_form_params
from crmlink.console import HERE
from crmlink.console.views import SECURITY_HEADERS
from crmlink.domain import console_auth
from crmlink.domain.console_auth import Session
from crmlink.errors import CRMError

Req = Req

COOKIE = "crmlink_console"
LOGIN_COOKIE = "crmlink_console_login"


class NotSignedIn(Exception):
    """No live console session: the browser goes to the sign-in page."""


# --- plumbing --------------------------------------------------------------------------------


def session_cookie(request: Req, key: str, value: str, max_age: int) -> Cookie:
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


def see_other(location: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=location, status_code=303, headers=dict(SECURITY_HEADERS), cookies=cookies)


def is_htmx(request: Req) -> bool:
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


class Missing(Exception):
    """No such record (of this module) in the org."""


# --- errors and timing -----------------------------------------------------------------------


def _not_signed_in(request: Req, _exc: Exception) -> Response[Any]:
    if is_htmx(request):
        response: Response[Any] = Response(content="", status_code=401, headers=dict(SECURITY_HEADERS))
        response.headers["HX-Redirect"] = "/console/sign-in"
        return response
    return see_other("/console/sign-in")


def _problem(request: Req, exc: Exception) -> Template:
    if isinstance(exc, CRMError):
        shown = page("error.html", exc.status_code, code=exc.code, message=exc.message, details=exc.details)
    elif isinstance(exc, Missing):
        shown = page("error.html", 404, code="NOT_FOUND", message="No such record.", details={})
    else:
        assert isinstance(exc, Forbidden)
        shown = page("error.html", 403, code="FORBIDDEN", message=exc.message, details={})
    if is_htmx(request):
        # htmx asked for a part of the page; the error page replaces the whole content instead.
        shown.headers.update({"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"})
    return shown


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


def build_router(handlers: list[Any]) -> Router:
    """The console's routes (``handlers`` and the static files) with its error pages and timing."""
    return Router(
        path="/",
        route_handlers=[
            *handlers,
            create_static_files_router(
                path="/console/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        exception_handlers={
            NotSignedIn: _not_signed_in,
            CRMError: _problem,
            Missing: _problem,
            Forbidden: _problem,
        },
        middleware=[server_timing],
        include_in_schema=False,
    )
