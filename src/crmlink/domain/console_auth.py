"""Sign-in to the web console: the browser passwords and failure limits of the OAuth sign-in
(``domain/consent.py``, ``domain/sign_in_limits.py``), then one session.

The session cookie's value is ``<org id>.<random secret>``; only the secret's SHA-256 digest is
stored (``console_sessions``, keyed by org first) and it is compared again in constant time.
Every form of a signed-in page carries a CSRF token derived from the secret (an HMAC), so a page
on another site can post nothing; the sign-in form itself uses a double-submit token (a cookie
and a hidden field that must match). The console acts with every scope: what a user may do there
is what their profile allows, checked by the API's own functions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from crmlink.domain import sign_in_limits as limits_rules
from crmlink.domain.auth import Actor, digest, parse_permissions, parse_scopes, same_digest
from crmlink.domain.clock import now_us
from crmlink.domain.passwords import Verified
from crmlink.storage import console_sessions as store
from crmlink.storage import signin as signin_store
from crmlink.storage.connection import Connection

#: What the console may do with the signed-in user's rights: everything; the profile decides.
CONSOLE_SCOPES = parse_scopes("ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.ALL")
_US = 1_000_000


@dataclass(frozen=True, slots=True)
class Limits:
    per_email: int
    per_address: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in whose failure is already counted; the password check runs afterwards, off the
    event loop and outside any transaction (``passwords.verify_off_loop``)."""

    org_id: int
    email: str
    address: str
    credentials: signin_store.Credentials | None
    retry_after: int | None = None  # seconds: refused before any check

    @property
    def stored_hash(self) -> str | None:
        return self.credentials.password_hash if self.credentials is not None else None


@dataclass(frozen=True, slots=True)
class Session:
    actor: Actor
    secret: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.secret)


def csrf_for(secret: str) -> str:
    return hmac.new(secret.encode(), b"crmlink console csrf", hashlib.sha256).hexdigest()


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), (token or "").encode())


def begin(conn: Connection, org_id: int, email: str, address: str, limits: Limits) -> Attempt:
    """Count a failure ahead of the check (a crash gives no free guess), unless the address or
    the email at it must wait; then the credentials to check."""
    at = now_us()
    email = email.strip().lower()
    subjects = {
        limits_rules.email_subject(email, address): limits.per_email,
        limits_rules.address_subject(address): limits.per_address,
    }
    counts = signin_store.failure_counts(conn, org_id, subjects)

    def count(subject: str) -> limits_rules.Count | None:
        row = counts.get(subject)
        return limits_rules.Count(row.failures, row.last_failure_at) if row is not None else None

    waits = [limits_rules.wait_until(count(s), free, at) for s, free in subjects.items()]
    latest = max((w for w in waits if w is not None), default=None)
    if latest is not None:
        return Attempt(org_id, email, address, None, max(1, -(-(latest - at) // _US)))
    for subject in subjects:
        signin_store.set_failures(conn, org_id, subject, limits_rules.current(count(subject), at) + 1, at)
    return Attempt(org_id, email, address, signin_store.credentials(conn, org_id, email))


def succeeded(attempt: Attempt, verified: Verified) -> bool:
    found = attempt.credentials
    return verified.ok and found is not None and found.active


def finish(conn: Connection, attempt: Attempt, verified: Verified, ttl: int) -> str:
    """After a successful check: clear the failures, store an upgraded hash, open a session.
    The cookie value (shown once)."""
    found = attempt.credentials
    assert found is not None and succeeded(attempt, verified)
    org_id = attempt.org_id
    signin_store.clear_failures(conn, org_id, limits_rules.email_subject(attempt.email, attempt.address))
    signin_store.take_back_failure(conn, org_id, limits_rules.address_subject(attempt.address))
    if verified.rehash is not None and found.password_hash is not None:
        signin_store.replace_password_hash(conn, org_id, found.user_id, found.password_hash, verified.rehash)
    now = now_us()
    store.delete_expired(conn, org_id, now)
    secret = secrets.token_urlsafe(32)
    store.insert_session(conn, org_id, digest(secret), found.user_id, now, now + ttl * _US)
    return f"{org_id}.{secret}"


def _split(cookie: str | None) -> tuple[int, str] | None:
    org, _, secret = (cookie or "").partition(".")
    if not org.isdigit() or len(org) > 19 or not secret:
        return None
    return int(org), secret


def session_for(conn: Connection, cookie: str | None) -> Session | None:
    """The live session of this cookie value (its user active), or None."""
    parts = _split(cookie)
    if parts is None:
        return None
    org_id, secret = parts
    wanted = digest(secret)
    row = store.live_session(conn, org_id, wanted, now_us())
    if row is None or not same_digest(row.session_hash, wanted) or not row.user_active:
        return None
    actor = Actor(
        org_id=row.org_id,
        user_id=row.user_id,
        name=row.user_name,
        email=row.user_email,
        profile_name=row.profile_name,
        permissions=parse_permissions(row.permissions),
        scopes=CONSOLE_SCOPES,
        schema_version=row.schema_version,
    )
    return Session(actor, secret)


def end(conn: Connection, cookie: str | None) -> None:
    parts = _split(cookie)
    if parts is not None:
        store.delete_session(conn, parts[0], digest(parts[1]))
