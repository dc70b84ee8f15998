"""Users as ``GET /crm/{version}/users`` renders them, in Zoho's shape, filtered by ``type``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crmlink.domain.clock import iso
from crmlink.errors import InvalidData
from crmlink.storage import users as store
from crmlink.storage.connection import Connection
from crmlink.storage.users import UserFilter, UserRow

# Zoho's ``type`` values. Every crmlink user is confirmed (there are no invitations) and none
# is deleted, so the "confirmed" filters equal the plain ones and DeletedUsers is always empty.
USER_TYPES: Mapping[str, UserFilter] = {
    "AllUsers": UserFilter.ALL,
    "ActiveUsers": UserFilter.ACTIVE,
    "DeactiveUsers": UserFilter.INACTIVE,
    "ConfirmedUsers": UserFilter.ALL,
    "NotConfirmedUsers": UserFilter.NONE,
    "DeletedUsers": UserFilter.NONE,
    "ActiveConfirmedUsers": UserFilter.ACTIVE,
    "AdminUsers": UserFilter.ADMINS,
    "ActiveConfirmedAdmins": UserFilter.ACTIVE_ADMINS,
}
CURRENT_USER = "CurrentUser"


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[dict[str, Any]]
    more_records: bool


def _split(name: str) -> tuple[str | None, str]:
    first, _, last = name.strip().rpartition(" ")
    return (first or None), last


def render_user(row: UserRow) -> dict[str, Any]:
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


def list_users(
    conn: Connection, org_id: int, user_type: str, current_user_id: int, *, page: int, per_page: int
) -> UserPage:
    """One page of the org's users of ``user_type`` (``INVALID_DATA`` for an unknown type)."""
    which: UserFilter | int
    if user_type == CURRENT_USER:
        which = current_user_id
    elif user_type in USER_TYPES:
        which = USER_TYPES[user_type]
    else:
        raise InvalidData(details={"param_name": "type"})
    rows = store.users(conn, org_id, which, limit=per_page + 1, offset=(page - 1) * per_page)
    return UserPage([render_user(r) for r in rows[:per_page]], len(rows) > per_page)


def get_user(conn: Connection, org_id: int, user_id: int) -> dict[str, Any] | None:
    row = store.user_by_id(conn, org_id, user_id)
    return render_user(row) if row is not None else None
