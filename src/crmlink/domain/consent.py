"""The browser authorization (``/oauth/v2/auth``): sign-in, consent, then a grant or a refusal.

One authorization in progress is one ``oauth_auth_requests`` row, found by the digest of a
random session value that lives in an HttpOnly cookie. Every form carries a CSRF token whose
digest is stored on the row; a form is accepted only with the session cookie *and* the matching
token (rotated after sign-in), so a page on another site can neither forge a consent nor replay
one. The row dies on consent or refusal, after ``MAX_FAILURES`` wrong passwords, or after
``REQUEST_TTL`` seconds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from crmlink.domain.auth import digest, same_digest
from crmlink.domain.clock import now_us
from crmlink.domain.oauth import ClientInfo, find_client, issue_grant, normalize_scope
from crmlink.domain.passwords import check_sign_in
from crmlink.errors import InvalidData
from crmlink.storage import oauth as store
from crmlink.storage.connection import Connection
from crmlink.storage.users import user_email as stored_email

REQUEST_TTL = 600
MAX_FAILURES = 5
_US = 1_000_000


class ConsentProblem(Exception):
    """The request cannot go back to the client (unknown client, unregistered redirect URI, a
    stale or forged form): the browser gets an error page, never a redirect."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class AuthRequest:
    session_hash: str
    org_id: int
    client: ClientInfo
    redirect_uri: str
    scope: str
    state: str | None
    user_id: int | None


@dataclass(frozen=True, slots=True)
class Started:
    """A new authorization: the cookie value and the first form's CSRF token (both shown once)."""

    session: str
    csrf: str
    request: AuthRequest


def redirect_with(redirect_uri: str, params: dict[str, str]) -> str:
    """``redirect_uri`` with ``params`` added to its query string."""
    parts = urlsplit(redirect_uri)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def check_client(conn: Connection, client_id: str, redirect_uri: str) -> ClientInfo:
    """The client, if ``redirect_uri`` is one registered for it; ``ConsentProblem`` otherwise."""
    client = find_client(conn, client_id) if client_id else None
    if client is None:
        raise ConsentProblem("Unknown client: check the client_id.")
    if not redirect_uri or redirect_uri not in client.redirect_uris:
        raise ConsentProblem("The redirect_uri is not one registered for this client.")
    return client


def start(conn: Connection, client: ClientInfo, redirect_uri: str, scope: str, state: str | None) -> Started:
    """Open an authorization for ``client`` (already checked with ``check_client``)."""
    try:
        clean_scope = normalize_scope(scope)
    except InvalidData as exc:
        raise ConsentProblem(exc.message) from None
    session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = now_us()
    # Housekeeping: forget authorizations nobody finished.
    store.delete_expired_auth_requests(conn, now)
    store.insert_auth_request(
        conn,
        session_hash=digest(session),
        org_id=client.org_id,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        scope=clean_scope,
        state=state,
        csrf_hash=digest(csrf),
        created_at=now,
        expires_at=now + REQUEST_TTL * _US,
    )
    request = AuthRequest(digest(session), client.org_id, client, redirect_uri, clean_scope, state, None)
    return Started(session, csrf, request)


def load(conn: Connection, session: str | None, csrf: str | None) -> AuthRequest:
    """The authorization of this cookie, if the form's CSRF token is the current one."""
    if not session or not csrf:
        raise ConsentProblem("This form has expired or was not sent by this site. Start again.", 403)
    wanted = digest(session)
    row = store.live_auth_request(conn, wanted, now_us())
    if (
        row is None
        or not same_digest(row.session_hash, wanted)
        or not same_digest(row.csrf_hash, digest(csrf))
    ):
        raise ConsentProblem("This form has expired or was not sent by this site. Start again.", 403)
    client = find_client(conn, row.client_id)
    if client is None:
        raise ConsentProblem("Unknown client: check the client_id.")
    return AuthRequest(
        row.session_hash, row.org_id, client, row.redirect_uri, row.scope, row.state, row.user_id
    )


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: the user (None when refused), the next form's CSRF token, and
    whether the authorization was dropped after too many failures."""

    user_id: int | None
    csrf: str
    locked: bool = False


def sign_in(conn: Connection, request: AuthRequest, email: str, password: str) -> SignIn:
    """Check the password. After ``MAX_FAILURES`` wrong attempts the authorization is dropped.

    Returns a value rather than raising, so that the caller's transaction keeps the failure count.
    """
    user_id = check_sign_in(conn, request.org_id, email, password)
    csrf = secrets.token_urlsafe(32)
    if user_id is None:
        failures = store.count_failed_sign_in(conn, request.session_hash, digest(csrf))
        if failures is None or failures >= MAX_FAILURES:
            store.delete_auth_request(conn, request.session_hash)
            return SignIn(None, csrf, locked=True)
        return SignIn(None, csrf)
    store.set_signed_in(conn, request.session_hash, user_id, digest(csrf))
    return SignIn(user_id, csrf)


def decide(conn: Connection, request: AuthRequest, *, allow: bool, grant_ttl: int) -> str:
    """End the authorization: the URL to send the browser to (with ``code`` or ``error``)."""
    if request.user_id is None:
        raise ConsentProblem("Sign in first. Start again.", 403)
    if not store.delete_auth_request(conn, request.session_hash):
        # A concurrent submission of the same form already ended it.
        raise ConsentProblem("This form has expired or was not sent by this site. Start again.", 403)
    extra = {"state": request.state} if request.state is not None else {}
    if not allow:
        return redirect_with(request.redirect_uri, {"error": "access_denied", **extra})
    code = issue_grant(
        conn,
        org_id=request.org_id,
        client_id=request.client.client_id,
        user_id=request.user_id,
        scope=request.scope,
        ttl_seconds=grant_ttl,
        redirect_uri=request.redirect_uri,
    )
    return redirect_with(request.redirect_uri, {"code": code, **extra})


def user_email(conn: Connection, org_id: int, user_id: int) -> str:
    return stored_email(conn, org_id, user_id) or ""
