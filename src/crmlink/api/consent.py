"""The browser authorization: ``GET /oauth/v2/auth`` (sign-in form), ``POST /oauth/v2/auth/signin``
(then the consent form), ``POST /oauth/v2/auth/consent`` (redirect with ``code`` or
``error=access_denied``). The rules are in ``crmlink.domain.consent``."""

from __future__ import annotations

from litestar import Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from crmlink.api.context import Req, services
from crmlink.api.pages import SECURITY_HEADERS, consent_page, demo_callback_page, error_page, sign_in_page
from crmlink.api.params import body_form_params
from crmlink.domain import consent, oauth, passwords
from crmlink.domain.consent import ConsentProblem
from crmlink.storage.connection import Connection

Req = Req

COOKIE = "crmlink_oauth"
_COOKIE_PATH = "/oauth/v2/auth"


def _session_cookie(request: Req, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=value,
        path=_COOKIE_PATH,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _redirect(location: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=location, status_code=302, headers=dict(SECURITY_HEADERS), cookies=cookies)


@get("/oauth/v2/auth")
async def authorize(request: Req) -> Response[str] | Redirect:
    svc = services(request)
    q = request.query_params
    client_id, redirect_uri = q.get("client_id", ""), q.get("redirect_uri", "")
    response_type, scope, state = q.get("response_type", ""), q.get("scope", ""), q.get("state")

    def work(conn: Connection) -> consent.Started | str:
        client = consent.check_client(conn, client_id, redirect_uri)
        extra = {"state": state} if state is not None else {}
        # From here on the redirect URI is trusted: report problems to the client.
        if response_type != "code":
            return consent.redirect_with(redirect_uri, {"error": "unsupported_response_type", **extra})
        if oauth.scope_refused(scope):  # missing, malformed or unknown (docs/auth.md)
            return consent.redirect_with(redirect_uri, {"error": "invalid_scope", **extra})
        return consent.start(conn, client, redirect_uri, scope, state)

    try:
        started = await svc.db.transact(work)
    except ConsentProblem as exc:
        return error_page(exc.message, exc.status)
    if isinstance(started, str):
        return _redirect(started)
    page = sign_in_page(started.request.client.name, started.csrf)
    page.set_cookie(_session_cookie(request, started.session, consent.REQUEST_TTL))
    return page


@post("/oauth/v2/auth/signin", status_code=200)
async def sign_in(request: Req) -> Response[str]:
    """Claim the form and count a failure (one transaction), check the password on a worker
    thread outside any transaction, then record a success (a second transaction)."""
    svc = services(request)
    form = await body_form_params(request)  # never the query string: it lands in proxy logs
    session = request.cookies.get(COOKIE)
    email, password = form.get("email", ""), form.get("password", "")
    address = request.client.host if request.client is not None else ""
    limits = consent.SignInLimits(
        svc.settings.sign_in_failures_per_email, svc.settings.sign_in_failures_per_address
    )

    def begin(conn: Connection) -> consent.Attempt:
        return consent.begin_sign_in(conn, session, form.get("csrf_token"), email, password, address, limits)

    try:
        attempt = await svc.db.transact(begin)
        auth = attempt.request
        if attempt.refused is not None:
            outcome = attempt.refused
        else:
            verified = await passwords.verify_off_loop(password, attempt.stored_hash)
            if consent.sign_in_succeeded(attempt, verified) or attempt.failures >= consent.MAX_FAILURES:

                def finish(conn: Connection) -> tuple[consent.SignIn, str]:
                    done = consent.finish_sign_in(conn, attempt, verified)
                    who = consent.user_email(conn, auth.org_id, done.user_id) if done.user_id else ""
                    return done, who

                outcome, who = await svc.db.transact(finish)
            else:
                outcome, who = consent.SignIn(None, attempt.csrf), ""
    except ConsentProblem as exc:
        return error_page(exc.message, exc.status)
    if outcome.locked:
        return error_page("Too many failed sign-ins. Start again.", 403)
    if outcome.blank:
        return sign_in_page(auth.client.name, outcome.csrf, "Enter your email and password.", email)
    if outcome.retry_after is not None:
        minutes = -(-outcome.retry_after // 60)
        return sign_in_page(
            auth.client.name,
            outcome.csrf,
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            email,
            retry_after=outcome.retry_after,
        )
    if outcome.user_id is None:
        return sign_in_page(auth.client.name, outcome.csrf, "Wrong email or password.", email)
    return consent_page(auth.client.name, who, auth.scope.split(","), outcome.csrf)


@post("/oauth/v2/auth/consent", status_code=302)
async def decide(request: Req) -> Response[str] | Redirect:
    svc = services(request)
    form = await body_form_params(request)
    session = request.cookies.get(COOKIE)
    allow = form.get("decision") == "allow"

    def work(conn: Connection) -> str:
        auth = consent.load(conn, session, form.get("csrf_token"))
        return consent.decide(conn, auth, allow=allow, grant_ttl=svc.settings.grant_token_ttl)

    try:
        location = await svc.db.transact(work)
    except ConsentProblem as exc:
        return error_page(exc.message, exc.status)
    return _redirect(location, [_session_cookie(request, "", 0)])


@get("/oauth/v2/demo-callback")
async def demo_callback(request: Req) -> Response[str]:
    """Where the ``serve --demo`` client's browser flow lands: shows the code to copy."""
    return demo_callback_page(request.query_params.get("code"), request.query_params.get("error"))


ROUTES = [authorize, sign_in, decide, demo_callback]
