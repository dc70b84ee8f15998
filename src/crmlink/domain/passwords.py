"""Passwords for the browser sign-in: argon2id hashes, checked on worker threads.

A user without a password cannot sign in in a browser (API tokens still work); set one with
``crmlink users add --password-stdin`` or ``crmlink users set-password``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crmlink.errors import InvalidData
from crmlink.storage import users as store
from crmlink.storage.connection import Connection

# argon2id with OWASP's first choice of parameters (19 MiB, 2 passes, 1 lane): ~30-60 ms here.
# The parameters are stored with each hash; a hash made with other ones (or an older scrypt
# hash, ``scrypt$n$r$p$salt$hash``) is replaced at the next successful sign-in.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
MIN_LENGTH = 8

# Hashes run on threads of their own (argon2 releases the GIL), never on the event loop: at
# most this many at once per process, and at a lower CPU priority (nice +10) than the threads
# serving the API, so a flood of sign-ins leaves the cores to API calls first.
_HASH_SLOTS = max(1, (os.cpu_count() or 2) - 1)
_HASH_NICENESS = 10
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _lower_priority() -> None:
    """Runs in each hashing thread: on Linux a thread is a task of its own, with its own nice."""
    with suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASH_NICENESS)


def _hash_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=_HASH_SLOTS, thread_name_prefix="crmlink-password", initializer=_lower_priority
            )
        return _executor


def hash_password(password: str) -> str:
    """An argon2id hash in PHC form (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``)."""
    if len(password) < MIN_LENGTH:
        raise InvalidData(f"a password needs at least {MIN_LENGTH} characters", {"param_name": "password"})
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when there is no stored hash, so an unknown email costs a wrong password's time.
    return _HASHER.hash(os.urandom(16).hex())


def verify_password(password: str, stored: str | None) -> bool:
    """Does ``password`` match ``stored``? Costs the same when there is no stored hash."""
    encoded = stored or _dummy_hash()
    if encoded.startswith("scrypt$"):
        ok = _verify_scrypt(password, encoded)
    else:
        try:
            ok = _HASHER.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            ok = False
    return ok and stored is not None


def _verify_scrypt(password: str, encoded: str) -> bool:
    """A hash from before argon2id (scrypt, n=2**14): still accepted, replaced at sign-in."""
    try:
        _, n, r, p, salt, expected = encoded.split("$")
        derived = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected) // 2,
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(derived.hex(), expected)


def needs_rehash(stored: str) -> bool:
    """Was ``stored`` made with another scheme or weaker parameters than today's?"""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@dataclass(frozen=True, slots=True)
class Verified:
    """A checked password: ``ok``, and a new hash to store when the stored one is outdated."""

    ok: bool
    rehash: str | None = None


def _verify_and_upgrade(password: str, stored: str | None) -> Verified:
    ok = verify_password(password, stored)
    if ok and stored is not None and needs_rehash(stored):
        return Verified(True, hash_password(password))
    return Verified(ok)


async def verify_off_loop(password: str, stored: str | None) -> Verified:
    """``verify_password`` (and the upgrade hash) on a worker thread, never inside a transaction."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hash_executor(), _verify_and_upgrade, password, stored)


def set_password(conn: Connection, org_id: int, user_id: int, password: str) -> None:
    store.set_password_hash(conn, org_id, user_id, hash_password(password))


def has_password(conn: Connection, org_id: int, user_id: int) -> bool:
    return store.password_hash(conn, org_id, user_id) is not None


def check_sign_in(conn: Connection, org_id: int, email: str, password: str) -> int | None:
    """The id of the active user with this email and password in ``org_id``, or None."""
    row = store.sign_in_row(conn, org_id, email.strip().lower())
    ok = verify_password(password, row.password_hash if row is not None else None)
    if row is None or not ok or not row.active:
        return None
    return row.id
