"""SQL of the browser sign-in (issue 18): failure counts, the credentials to check, and the
authorization row's form claims. Each function runs on the caller's connection and transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crmlink.storage import tables

_f = tables.sign_in_failures


class FailureRow(NamedTuple):
    subject: str
    failures: int
    last_failure_at: int


class Credentials(NamedTuple):
    user_id: int
    password_hash: str | None
    active: bool


def failure_counts(conn: Connection, org_id: int, subjects: Iterable[str]) -> dict[str, FailureRow]:
    rows = conn.execute(
        select(_f.c.subject, _f.c.failures, _f.c.last_failure_at).where(
            _f.c.org_id == org_id, _f.c.subject.in_(list(subjects))
        )
    )
    return {row[0]: FailureRow(row[0], row[1], row[2]) for row in rows}


def set_failures(conn: Connection, org_id: int, subject: str, failures: int, at: int) -> None:
    """Store a subject's count (an upsert: concurrent writers on PostgreSQL do not collide)."""
    values = {"org_id": org_id, "subject": subject, "failures": failures, "last_failure_at": at}
    if conn.dialect.name == "postgresql":
        pg = pg_insert(_f).values(**values)
        conn.execute(
            pg.on_conflict_do_update(
                index_elements=[_f.c.org_id, _f.c.subject],
                set_={"failures": pg.excluded.failures, "last_failure_at": pg.excluded.last_failure_at},
            )
        )
        return
    lite = sqlite_insert(_f).values(**values)
    conn.execute(
        lite.on_conflict_do_update(
            index_elements=[_f.c.org_id, _f.c.subject],
            set_={"failures": lite.excluded.failures, "last_failure_at": lite.excluded.last_failure_at},
        )
    )


def take_back_failure(conn: Connection, org_id: int, subject: str) -> None:
    """Undo one failure counted ahead of a check that then succeeded."""
    conn.execute(
        update(_f)
        .where(_f.c.org_id == org_id, _f.c.subject == subject, _f.c.failures > 0)
        .values(failures=_f.c.failures - 1)
    )


def clear_failures(conn: Connection, org_id: int, subject: str) -> None:
    conn.execute(delete(_f).where(_f.c.org_id == org_id, _f.c.subject == subject))


def credentials(conn: Connection, org_id: int, email: str) -> Credentials | None:
    u = tables.users
    row = conn.execute(
        select(u.c.id, u.c.password_hash, u.c.active).where(u.c.org_id == org_id, u.c.email == email)
    ).first()
    return Credentials(int(row[0]), row[1], bool(row[2])) if row is not None else None


def replace_password_hash(conn: Connection, org_id: int, user_id: int, old: str, new: str) -> None:
    """Store an upgraded hash, unless the password changed meanwhile."""
    u = tables.users
    conn.execute(
        update(u)
        .where(u.c.org_id == org_id, u.c.id == user_id, u.c.password_hash == old)
        .values(password_hash=new)
    )


def claim_form(
    conn: Connection, session_hash: str, csrf_hash: str, new_csrf_hash: str, *, count_failure: bool
) -> int | None:
    """Rotate the authorization's CSRF token if ``csrf_hash`` is the current one (each form is
    used once, so parallel posts of one form cannot each try a password); with
    ``count_failure``, count a failure ahead of the check. The failures so far, or None when
    the form was not the current one."""
    ar = tables.oauth_auth_requests
    values: dict[str, object] = {"csrf_hash": new_csrf_hash}
    if count_failure:
        values["failures"] = ar.c.failures + 1
    found = conn.execute(
        update(ar)
        .where(ar.c.session_hash == session_hash, ar.c.csrf_hash == csrf_hash)
        .values(**values)
        .returning(ar.c.failures)
    ).first()
    return int(found[0]) if found is not None else None


def signed_in(conn: Connection, session_hash: str, csrf_hash: str, new_csrf_hash: str, user_id: int) -> bool:
    """Mark the authorization signed in (its failure taken back) if its form is still current."""
    ar = tables.oauth_auth_requests
    return bool(
        conn.execute(
            update(ar)
            .where(ar.c.session_hash == session_hash, ar.c.csrf_hash == csrf_hash)
            .values(user_id=user_id, csrf_hash=new_csrf_hash, failures=ar.c.failures - 1)
        ).rowcount
    )


def drop_request(conn: Connection, session_hash: str) -> None:
    ar = tables.oauth_auth_requests
    conn.execute(delete(ar).where(ar.c.session_hash == session_hash))
