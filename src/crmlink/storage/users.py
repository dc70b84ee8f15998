"""The SQL of users (``users``, with their profile's name where asked).

``domain/orgs.py``, ``domain/users.py`` and ``domain/passwords.py`` hold the rules; this module
stores and finds rows in the caller's transaction. Emails are stored as given (the domain
lower-cases them first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, and_, bindparam, select, true

from crmlink.storage import tables
from crmlink.storage.hot import HotStatement, ids_value, in_ids

_u, _p = tables.users, tables.profiles


class UserRef(NamedTuple):
    """What a record shows of a user (Owner, Created_By, Modified_By)."""

    id: int
    name: str
    email: str


class UserRow(NamedTuple):
    """A user with its profile, as ``GET /users`` and the CLI show it."""

    id: int
    email: str
    name: str
    active: bool
    created_at: int
    profile_id: int
    profile_name: str


class SignInRow(NamedTuple):
    id: int
    password_hash: str | None
    active: bool


class UserFilter(Enum):
    """Which users a listing keeps."""

    ALL = "all"
    NONE = "none"
    ACTIVE = "active"
    INACTIVE = "inactive"
    ADMINS = "admins"
    ACTIVE_ADMINS = "active_admins"


_ADMIN = _p.c.name == "Administrator"
_FILTERS: dict[UserFilter, ColumnElement[bool]] = {
    UserFilter.ALL: true(),
    UserFilter.NONE: ~true(),
    UserFilter.ACTIVE: _u.c.active.is_(True),
    UserFilter.INACTIVE: _u.c.active.is_(False),
    UserFilter.ADMINS: _ADMIN,
    UserFilter.ACTIVE_ADMINS: and_(_ADMIN, _u.c.active.is_(True)),
}

# Every rendered page runs this (and every write checking owners): built once and run on the
# driver's cursor, with the ids as one parameter (storage/hot.py).
_USER_REFS = HotStatement(
    lambda dialect: select(_u.c.id, _u.c.name, _u.c.email).where(
        _u.c.org_id == bindparam("org"), in_ids(_u.c.id, "ids", dialect)
    )
)


def user_refs(conn: Connection, org_id: int, user_ids: Iterable[int]) -> list[UserRef]:
    """The users among ``user_ids`` that exist in the org."""
    return [UserRef(*row) for row in _USER_REFS.rows(conn, {"org": org_id, "ids": ids_value(conn, user_ids)})]


def _with_profile() -> Any:
    return select(
        _u.c.id,
        _u.c.email,
        _u.c.name,
        _u.c.active,
        _u.c.created_at,
        _u.c.profile_id,
        _p.c.name.label("profile_name"),
    ).select_from(_u.join(_p, (_p.c.org_id == _u.c.org_id) & (_p.c.id == _u.c.profile_id)))


def user_by_email(conn: Connection, org_id: int, email: str) -> UserRow | None:
    row = conn.execute(_with_profile().where(_u.c.org_id == org_id, _u.c.email == email)).first()
    return UserRow(*row) if row is not None else None


def user_by_id(conn: Connection, org_id: int, user_id: int) -> UserRow | None:
    row = conn.execute(_with_profile().where(_u.c.org_id == org_id, _u.c.id == user_id)).first()
    return UserRow(*row) if row is not None else None


def users(
    conn: Connection, org_id: int, which: UserFilter | int, *, limit: int, offset: int
) -> Sequence[UserRow]:
    """The org's users by id: those ``which`` keeps, or (an int) just that user."""
    where = _u.c.id == which if isinstance(which, int) else _FILTERS[which]
    rows = conn.execute(
        _with_profile().where(_u.c.org_id == org_id, where).order_by(_u.c.id).limit(limit).offset(offset)
    )
    return [UserRow(*row) for row in rows]


def user_id_by_email(conn: Connection, org_id: int, email: str) -> int | None:
    found = conn.scalar(select(_u.c.id).where(_u.c.org_id == org_id, _u.c.email == email))
    return int(found) if found is not None else None


def insert_user(
    conn: Connection, *, org_id: int, user_id: int, email: str, name: str, profile_id: int, created_at: int
) -> None:
    conn.execute(
        _u.insert().values(
            org_id=org_id,
            id=user_id,
            email=email,
            name=name,
            profile_id=profile_id,
            active=True,
            created_at=created_at,
        )
    )


def user_active(conn: Connection, org_id: int, user_id: int) -> bool:
    """False also when there is no such user."""
    return bool(conn.scalar(select(_u.c.active).where(_u.c.org_id == org_id, _u.c.id == user_id)))


def user_email(conn: Connection, org_id: int, user_id: int) -> str | None:
    found = conn.scalar(select(_u.c.email).where(_u.c.org_id == org_id, _u.c.id == user_id))
    return str(found) if found is not None else None


def set_password_hash(conn: Connection, org_id: int, user_id: int, password_hash: str) -> None:
    conn.execute(
        _u.update().where(_u.c.org_id == org_id, _u.c.id == user_id).values(password_hash=password_hash)
    )


def password_hash(conn: Connection, org_id: int, user_id: int) -> str | None:
    found = conn.scalar(select(_u.c.password_hash).where(_u.c.org_id == org_id, _u.c.id == user_id))
    return str(found) if found is not None else None


def sign_in_row(conn: Connection, org_id: int, email: str) -> SignInRow | None:
    row = conn.execute(
        select(_u.c.id, _u.c.password_hash, _u.c.active).where(_u.c.org_id == org_id, _u.c.email == email)
    ).first()
    return SignInRow(*row) if row is not None else None
