"""Passwords for the browser sign-in: scrypt hashes, verified in constant time.

A user without a password cannot sign in in a browser (API tokens still work); set one with
``crmlink users add --password-stdin`` or ``crmlink users set-password``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from crmlink.errors import InvalidData
from crmlink.storage import users as store
from crmlink.storage.connection import Connection

# scrypt cost: 2**14 x 8 needs 16 MiB and ~50 ms; the parameters are stored with each hash.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 8
_DUMMY = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 32


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$<salt hex>$<hash hex>``."""
    if len(password) < MIN_LENGTH:
        raise InvalidData(f"a password needs at least {MIN_LENGTH} characters", {"param_name": "password"})
    salt = secrets.token_bytes(16)
    derived = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${derived.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Does ``password`` match ``stored``? Costs the same when there is no stored hash."""
    encoded = stored or _DUMMY
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    derived = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected) // 2
    )
    return hmac.compare_digest(derived.hex(), expected) and stored is not None


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
