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

from crmlink.domain import sign_in_limits as limits_rules
from crmlink.domain.auth import digest, same_digest
from crmlink.domain.clock import now_us, org_now_us
from crmlink.domain.oauth import ClientInfo, find_client, issue_grant, normalize_scope
from crmlink.domain.passwords import Verified
from crmlink.errors import InvalidData
from crmlink.storage import oauth as store
from crmlink.storage import signin as signin_store
from crmlink.storage.connection import Connection
from crmlink.storage.users import user_email as stored_email

REQUEST_TTL = 600
MAX_FAILURES = 5
_STALE = "This form has expired or was not sent by this site. Start again."
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
        raise ConsentProblem(_STALE, 403)
    wanted = digest(session)
    row = store.live_auth_request(conn, wanted, now_us())
    if (
        row is None
        or not same_digest(row.session_hash, wanted)
        or not same_digest(row.csrf_hash, digest(csrf))
    ):
        raise ConsentProblem(_STALE, 403)
    client = find_client(conn, row.client_id)
    if client is None:
        raise ConsentProblem("Unknown client: check the client_id.")
    return AuthRequest(
        row.session_hash, row.org_id, client, row.redirect_uri, row.scope, row.state, row.user_id
    )


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: the user (None when refused), the next form's CSRF token,
    whether the authorization was dropped after too many failures, and (when the client
    address or the email at it must wait) in how many seconds it may try again."""

    user_id: int | None
    csrf: str
    locked: bool = False
    retry_after: int | None = None
    blank: bool = False


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Failures allowed before waits begin (0: no limit); see ``domain/sign_in_limits.py``."""

    per_email: int
    per_address: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in form claimed for one password check, the failure already counted; the check
    itself runs afterwards, outside any transaction (``passwords.verify_off_loop``)."""

    request: AuthRequest
    csrf: str  # the next form's token, already current
    email: str
    address: str
    credentials: signin_store.Credentials | None  # None: no user has this email
    failures: int  # of this authorization, this attempt included
    refused: SignIn | None = None  # answered before any check (blank form, or waiting)

    @property
    def stored_hash(self) -> str | None:
        return self.credentials.password_hash if self.credentials is not None else None


def begin_sign_in(
    conn: Connection,
    session: str | None,
    csrf: str | None,
    email: str,
    password: str,
    address: str,
    limits: SignInLimits,
    *,
    now: int | None = None,
) -> Attempt:
    """Claim the form (its CSRF token is rotated, so it serves once) and, unless the address
    or the email at it must wait, count a failure ahead of the check: a crash or a concurrent
    attempt can never get a free guess."""
    auth = load(conn, session, csrf)
    assert csrf is not None
    at = org_now_us(auth.org_id) if now is None else now
    email = email.strip().lower()
    next_csrf = secrets.token_urlsafe(32)
    subjects = {
        limits_rules.email_subject(email, address): limits.per_email,
        limits_rules.address_subject(address): limits.per_address,
    }
    refused: SignIn | None = None
    if not email or not password:
        refused = SignIn(None, next_csrf, blank=True)
    else:
        counts = signin_store.failure_counts(conn, auth.org_id, subjects)
        waits = [
            limits_rules.wait_until(_count(counts.get(subject)), free, at)
            for subject, free in subjects.items()
        ]
        latest = max((w for w in waits if w is not None), default=None)
        if latest is not None:
            refused = SignIn(None, next_csrf, retry_after=max(1, -(-(latest - at) // _US)))
    failures = signin_store.claim_form(
        conn, auth.session_hash, digest(csrf), digest(next_csrf), count_failure=refused is None
    )
    if failures is None:  # a concurrent post of the same form claimed it first
        raise ConsentProblem(_STALE, 403)
    if refused is not None:
        return Attempt(auth, next_csrf, email, address, None, failures, refused)
    for subject in subjects:
        known = limits_rules.current(_count(counts.get(subject)), at)
        signin_store.set_failures(conn, auth.org_id, subject, known + 1, at)
    found = signin_store.credentials(conn, auth.org_id, email)
    return Attempt(auth, next_csrf, email, address, found, failures)


def _count(row: signin_store.FailureRow | None) -> limits_rules.Count | None:
    return limits_rules.Count(row.failures, row.last_failure_at) if row is not None else None


def sign_in_succeeded(attempt: Attempt, verified: Verified) -> bool:
    found = attempt.credentials
    return verified.ok and found is not None and found.active


def finish_sign_in(conn: Connection, attempt: Attempt, verified: Verified) -> SignIn:
    """After the check: on success, sign the authorization in, clear the email's failures and
    store an upgraded hash; after ``MAX_FAILURES`` wrong passwords, drop the authorization."""
    auth, found = attempt.request, attempt.credentials
    if not sign_in_succeeded(attempt, verified) or found is None:
        if attempt.failures >= MAX_FAILURES:
            signin_store.drop_request(conn, auth.session_hash)
            return SignIn(None, attempt.csrf, locked=True)
        return SignIn(None, attempt.csrf)
    next_csrf = secrets.token_urlsafe(32)
    if not signin_store.signed_in(
        conn, auth.session_hash, digest(attempt.csrf), digest(next_csrf), found.user_id
    ):
        raise ConsentProblem(_STALE, 403)
    signin_store.clear_failures(conn, auth.org_id, limits_rules.email_subject(attempt.email, attempt.address))
    signin_store.take_back_failure(conn, auth.org_id, limits_rules.address_subject(attempt.address))
    if verified.rehash is not None and found.password_hash is not None:
        signin_store.replace_password_hash(
            conn, auth.org_id, found.user_id, found.password_hash, verified.rehash
        )
    return SignIn(found.user_id, next_csrf)


def decide(conn: Connection, request: AuthRequest, *, allow: bool, grant_ttl: int) -> str:
    """End the authorization: the URL to send the browser to (with ``code`` or ``error``)."""
    if request.user_id is None:
        raise ConsentProblem("Sign in first. Start again.", 403)
    if not store.delete_auth_request(conn, request.session_hash):
        # A concurrent submission of the same form already ended it.
        raise ConsentProblem(_STALE, 403)
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
