"""Limits on failed browser sign-ins, across authorizations (issue 18).

Failures are counted durably (``sign_in_failures``, keyed by org) for two subjects: the client
address, and the email *at* that address. A subject may fail ``free`` times; each failure past
that makes it wait ``BASE_WAIT`` seconds, doubled per further failure and capped at
``MAX_WAIT``. A subject's count is forgotten ``FORGET_AFTER`` seconds after its last failure,
and a successful sign-in clears its email's count. Attempts made while waiting are refused
before any password is checked and are not counted, so the wait cannot grow without end.

Keying the email's count by address means that an attacker elsewhere cannot lock the real user
out: at worst the user's own address waits. Guessing from many addresses is limited per address
only; a reverse proxy's rate limit is the place for more (docs/auth.md, "Security model").
"""

from __future__ import annotations

from dataclasses import dataclass

_US = 1_000_000
BASE_WAIT = 30
MAX_WAIT = 15 * 60
FORGET_AFTER = 24 * 3600


@dataclass(frozen=True, slots=True)
class Count:
    """A subject's failures so far and when the last one was (microseconds)."""

    failures: int
    last_failure_at: int


def address_subject(address: str) -> str:
    return f"address {address}"


def email_subject(email: str, address: str) -> str:
    return f"email {email} address {address}"


def current(count: Count | None, now: int) -> int:
    """The failures that still count at ``now`` (0 once forgotten)."""
    if count is None or now - count.last_failure_at >= FORGET_AFTER * _US:
        return 0
    return count.failures


def wait_until(count: Count | None, free: int, now: int) -> int | None:
    """When the subject may try again (microseconds), or None if it may now."""
    failures = current(count, now)
    if count is None or free <= 0 or failures < free:
        return None
    wait = min(BASE_WAIT * 2 ** min(failures - free, 20), MAX_WAIT)
    until = count.last_failure_at + wait * _US
    return until if until > now else None
