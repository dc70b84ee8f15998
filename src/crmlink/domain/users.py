"""Users as ``GET /crm/{version}/users`` renders them, in Zoho's shape, filtered by ``type``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select, true

from crmlink.domain.clock import iso
from crmlink.errors import InvalidData
from crmlink.storage import tables

_u, _p = tables.users, tables.profiles
_ADMIN = _p.c.name == "Administrator"

# Zoho's ``type`` values. Every crmlink user is confirmed (there are no invitations) and none
# is deleted, so the "confirmed" filters equal the plain ones and DeletedUsers is always empty.
USER_TYPES: Mapping[str, ColumnElement[bool]] = {
    "AllUsers": true(),
    "ActiveUsers": _u.c.active.is_(True),
    "DeactiveUsers": _u.c.active.is_(False),
    "ConfirmedUsers": true(),
    "NotConfirmedUsers": ~true(),
    "DeletedUsers": ~true(),
    "ActiveConfirmedUsers": _u.c.active.is_(True),
    "AdminUsers": _ADMIN,
    "ActiveConfirmedAdmins": and_(_ADMIN, _u.c.active.is_(True)),
}
CURRENT_USER = "CurrentUser"


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[dict[str, Any]]
    more_records: bool


def _split(name: str) -> tuple[str | None, str]:
    first, _, last = name.strip().rpartition(" ")
    return (first or None), last


def render_user(row: Any) -> dict[str, Any]:
    first, last = _split(row.name)
    created = iso(row.created_at)
    return {
        "id": str(row.id),
        "zuid": str(row.id),
        "first_name": first,
        "last_name": last,
        "full_name": row.name,
        "email": row.email,
        "status": "active" if row.active else "disabled",
        "confirm": True,
        "profile": {"name": row.profile_name, "id": str(row.profile_id)},
        "role": None,
        "created_time": created,
        "Modified_Time": created,
        "time_zone": "UTC",
        "locale": "en_US",
        "language": "en_US",
        "country_locale": "US",
        "date_format": "MM/dd/yyyy",
        "time_format": "hh:mm a",
        "territories": [],
    }


def _query() -> Any:
    return select(
        _u.c.id,
        _u.c.email,
        _u.c.name,
        _u.c.active,
        _u.c.created_at,
        _u.c.profile_id,
        _p.c.name.label("profile_name"),
    ).select_from(_u.join(_p, (_p.c.org_id == _u.c.org_id) & (_p.c.id == _u.c.profile_id)))


def list_users(
    conn: Connection, org_id: int, user_type: str, current_user_id: int, *, page: int, per_page: int
) -> UserPage:
    """One page of the org's users of ``user_type`` (``INVALID_DATA`` for an unknown type)."""
    if user_type == CURRENT_USER:
        where: ColumnElement[bool] = _u.c.id == current_user_id
    elif user_type in USER_TYPES:
        where = USER_TYPES[user_type]
    else:
        raise InvalidData(details={"param_name": "type"})
    rows = conn.execute(
        _query()
        .where(_u.c.org_id == org_id, where)
        .order_by(_u.c.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    return UserPage([render_user(r) for r in rows[:per_page]], len(rows) > per_page)


def get_user(conn: Connection, org_id: int, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(_query().where(_u.c.org_id == org_id, _u.c.id == user_id)).first()
    return render_user(row) if row is not None else None
