"""Issue 18: sign-in limits across authorizations (findings 1 and 5), credentials from the form
body only (finding 4), and password hashes upgraded at sign-in (finding 5). Both engines."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select, update

from crmlink.api.context import Services
from crmlink.domain import consent
from crmlink.domain import sign_in_limits as rules
from crmlink.domain.clock import now_us
from crmlink.domain.oauth import NewClient, find_client
from crmlink.domain.passwords import Verified, verify_password
from crmlink.storage import tables
from tests.factories import TestOrg
from tests.test_consent import CALLBACK, PASSWORD, _csrf, _sign_in, _start

WRONG = "not the password"
_US = 1_000_000


def _browser_client(org: TestOrg) -> NewClient:
    org.set_password(org.admin_email, PASSWORD)
    return org.add_client("Zylker Sync", redirect_uris=[CALLBACK])


def _age_failures(services: Services, org: TestOrg, seconds: int) -> None:
    """Move every failure of the org ``seconds`` into the past (time passing, without waiting)."""
    f = tables.sign_in_failures
    with services.db.write() as conn:
        conn.execute(
            update(f)
            .where(f.c.org_id == org.org_id)
            .values(last_failure_at=f.c.last_failure_at - seconds * _US)
        )


def _counts(services: Services, org: TestOrg) -> dict[str, int]:
    f = tables.sign_in_failures
    with services.db.read() as conn:
        rows = conn.execute(select(f.c.subject, f.c.failures).where(f.c.org_id == org.org_id))
        return {subject: failures for subject, failures in rows}


def test_failures_count_across_authorizations_and_wait_then_pass(
    client: Any, org: TestOrg, services: Services
) -> None:
    c = _browser_client(org)
    # Three wrong passwords in one authorization, two in a fresh one: five for this email here.
    for tries in (3, 2):
        csrf = _csrf(_start(client, c).text)
        for _ in range(tries):
            wrong = _sign_in(client, csrf, org.admin_email, WRONG)
            assert wrong.status_code == 401
            csrf = _csrf(wrong.text)
    # Now even the right password waits: refused before any check, with Retry-After.
    waiting = _sign_in(client, csrf, org.admin_email)
    assert waiting.status_code == 429 and "Too many failed sign-ins" in waiting.text
    assert 0 < int(waiting.headers["retry-after"]) <= rules.BASE_WAIT
    # Durable: counted in the database, keyed by org, per email at the address and per address.
    counts = _counts(services, org)
    assert counts[rules.email_subject(org.admin_email, "testclient")] == 5
    assert counts[rules.address_subject("testclient")] == 5
    # Another email from the same address is not held back by this one.
    other = org.add_user("Standard")
    assert _sign_in(client, _csrf(waiting.text), other, WRONG).status_code == 401
    # Once the wait is over the right password works, and the email's count is cleared.
    _age_failures(services, org, rules.BASE_WAIT + 1)
    signed_in = _sign_in(client, _csrf(_start(client, c).text), org.admin_email)
    assert signed_in.status_code == 200 and "Allow access?" in signed_in.text
    counts = _counts(services, org)
    assert rules.email_subject(org.admin_email, "testclient") not in counts
    assert counts[rules.address_subject("testclient")] == 6  # 5 + the other email's, success taken back


def test_waits_double_and_are_capped(client: Any, org: TestOrg, services: Services) -> None:
    c = _browser_client(org)
    f = tables.sign_in_failures
    subject = rules.email_subject(org.admin_email, "testclient")
    with services.db.write() as conn:
        conn.execute(
            f.insert().values(org_id=org.org_id, subject=subject, failures=1_000, last_failure_at=now_us())
        )
    waiting = _sign_in(client, _csrf(_start(client, c).text), org.admin_email)
    assert waiting.status_code == 429 and int(waiting.headers["retry-after"]) <= rules.MAX_WAIT
    # However many failures, the wait never passes MAX_WAIT: a user cannot be locked out for good.
    _age_failures(services, org, rules.MAX_WAIT + 1)
    assert _sign_in(client, _csrf(waiting.text), org.admin_email).status_code == 200
    assert rules.wait_until(rules.Count(6, 0), 5, 1) == 60 * _US  # 30 s, doubled once


def test_failures_elsewhere_do_not_lock_the_user_out_here(org: TestOrg, services: Services) -> None:
    """An attacker at another address exhausts the email's tries there; the real user's address
    still signs in (the per-email count is kept per address)."""
    c = _browser_client(org)
    limits = consent.SignInLimits(per_email=5, per_address=20)
    client_info = find_client_info(services, c.client_id)

    def attempt(address: str, password: str) -> consent.SignIn:
        with services.db.write() as conn:
            started = consent.start(conn, client_info, CALLBACK, "ZohoCRM.modules.ALL", None)
            tried = consent.begin_sign_in(
                conn, started.session, started.csrf, org.admin_email, password, address, limits
            )
        if tried.refused is not None:
            return tried.refused
        verified = Verified(verify_password(password, tried.stored_hash))
        with services.db.write() as conn:
            return consent.finish_sign_in(conn, tried, verified)

    for _ in range(5):
        assert attempt("203.0.113.9", WRONG).user_id is None
    assert attempt("203.0.113.9", PASSWORD).retry_after is not None
    assert attempt("198.51.100.7", PASSWORD).user_id == org.admin_id


def find_client_info(services: Services, client_id: str) -> Any:
    with services.db.read() as conn:
        return find_client(conn, client_id)


def test_one_address_is_limited_whatever_the_email(client: Any, org: TestOrg, services: Services) -> None:
    c = _browser_client(org)
    csrf = _csrf(_start(client, c).text)
    for n in range(20):
        if n % 4 == 0:
            csrf = _csrf(_start(client, c).text)
        wrong = _sign_in(client, csrf, f"guess-{n}@example.com", WRONG)
        assert wrong.status_code == 401
        csrf = _csrf(wrong.text)
    assert _sign_in(client, csrf, org.admin_email).status_code == 429


def test_credentials_in_the_query_string_are_ignored(client: Any, org: TestOrg) -> None:
    c = _browser_client(org)
    csrf = _csrf(_start(client, c).text)
    answer = client.post(
        "/oauth/v2/auth/signin",
        params={"email": org.admin_email, "password": PASSWORD},
        data={"csrf_token": csrf},
    )
    assert answer.status_code == 401 and "Allow access?" not in answer.text
    # And the CSRF token from the query string does not count either.
    fresh = _csrf(answer.text)
    refused = client.post(
        "/oauth/v2/auth/signin",
        params={"csrf_token": fresh},
        data={"email": org.admin_email, "password": PASSWORD},
    )
    assert refused.status_code == 403


def _legacy_scrypt(password: str) -> str:
    """A hash as crmlink stored them before issue 18 (scrypt, n=2**14)."""
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${derived.hex()}"


def _stored_hash(services: Services, org: TestOrg) -> str:
    u = tables.users
    with services.db.read() as conn:
        return str(
            conn.scalar(select(u.c.password_hash).where(u.c.org_id == org.org_id, u.c.id == org.admin_id))
        )


def test_new_hashes_are_argon2id_and_old_ones_are_upgraded_at_sign_in(
    client: Any, org: TestOrg, services: Services
) -> None:
    c = _browser_client(org)
    assert _stored_hash(services, org).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    u = tables.users
    with services.db.write() as conn:
        conn.execute(
            update(u)
            .where(u.c.org_id == org.org_id, u.c.id == org.admin_id)
            .values(password_hash=_legacy_scrypt(PASSWORD))
        )
    # A wrong password leaves the old hash alone; the right one replaces it.
    assert _sign_in(client, _csrf(_start(client, c).text), org.admin_email, WRONG).status_code == 401
    assert _stored_hash(services, org).startswith("scrypt$")
    assert _sign_in(client, _csrf(_start(client, c).text), org.admin_email).status_code == 200
    upgraded = _stored_hash(services, org)
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(PASSWORD, upgraded) and not verify_password(WRONG, upgraded)
