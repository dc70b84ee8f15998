"""The contact-role picklist (``/Contacts/roles``, spec schema section 8): add, update, delete.

Roles are the values of ``Contact_Role`` on Deals' Contact_Roles links. Results are per item,
in input order, under the wrapper key ``contact_roles``:

* add: ``name`` required (1-50 characters, unique in the org, case-insensitively),
  ``sequence_number`` optional (a positive integer; default after the last); at most 100 roles
  in the org (LIMIT_EXCEEDED "Contact Role feature limit exceeded"); "contact role added";
* update: ``id`` required (in the body for the bulk form), ``name`` and ``sequence_number`` as
  for add; "contact role updated" (the v2.1 SDK's message);
* delete: "contact role deleted"; an id that names no role: INVALID_DATA "contact role not deleted".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.domain.records import success
from crmlink.errors import CRMError, DuplicateData, InvalidData, LimitExceeded, MandatoryNotFound
from crmlink.storage import contact_roles as store
from crmlink.storage.connection import Connection
from crmlink.storage.contact_roles import ContactRole

KEY = "contact_roles"
MAX_ROLES = 100
MAX_NAME = 50


def render(role: ContactRole) -> dict[str, Any]:
    return {"sequence_number": role.sequence_number, "name": role.name, "id": str(role.id)}


def list_roles(conn: Connection, org_id: int) -> list[dict[str, Any]]:
    return [render(r) for r in store.list_roles(conn, org_id)]


def get_role(conn: Connection, org_id: int, role_id: int) -> dict[str, Any] | None:
    found = next((r for r in store.list_roles(conn, org_id) if r.id == role_id), None)
    return render(found) if found else None


def role_names(conn: Connection, org_id: int) -> frozenset[str]:
    return frozenset(r.name for r in store.list_roles(conn, org_id))


def _path(index: int, key: str) -> str:
    return f"$.{KEY}[{index}].{key}"


def _name(item: dict[str, Any], index: int, *, required: bool) -> str | CRMError | None:
    if "name" not in item or item["name"] is None:
        if required:
            return MandatoryNotFound(details={"api_name": "name", "json_path": _path(index, "name")})
        return None
    name = item["name"]
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        return InvalidData(details={"api_name": "name", "json_path": _path(index, "name")})
    return name.strip()


def _sequence(item: dict[str, Any], index: int) -> int | CRMError | None:
    value = item.get("sequence_number")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        return InvalidData(
            details={"api_name": "sequence_number", "json_path": _path(index, "sequence_number")}
        )
    return value


def _duplicate(index: int) -> DuplicateData:
    return DuplicateData(details={"api_name": "name", "json_path": _path(index, "name")})


def add_roles(conn: Connection, ids: IdGenerator, org_id: int, items: Sequence[Any]) -> list[dict[str, Any]]:
    roles = store.list_roles(conn, org_id)
    taken = {r.name.lower() for r in roles}
    count = len(roles)
    last = max((r.sequence_number for r in roles), default=0)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results.append(InvalidData(details={"json_path": f"$.{KEY}[{index}]"}).as_item())
            continue
        name, sequence = _name(item, index, required=True), _sequence(item, index)
        error = next((e for e in (name, sequence) if isinstance(e, CRMError)), None)
        if error is None and isinstance(name, str) and name.lower() in taken:
            error = _duplicate(index)
        if error is None and count >= MAX_ROLES:
            error = LimitExceeded("Contact Role feature limit exceeded", {"limit": MAX_ROLES})
        if error is not None:
            results.append(error.as_item())
            continue
        assert isinstance(name, str) and not isinstance(sequence, CRMError)
        last = sequence if sequence is not None else last + 1
        role = ContactRole(ids.next(), name, last)
        store.insert_role(conn, org_id, role)
        taken.add(name.lower())
        count += 1
        results.append(success("contact role added", {"id": str(role.id)}))
    return results


def update_roles(
    conn: Connection, org_id: int, items: Sequence[Any], path_id: int | None = None
) -> list[dict[str, Any]]:
    roles = {r.id: r for r in store.list_roles(conn, org_id)}
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results.append(InvalidData(details={"json_path": f"$.{KEY}[{index}]"}).as_item())
            continue
        role_id = path_id
        if role_id is None:
            if item.get("id") is None:
                results.append(
                    MandatoryNotFound(details={"api_name": "id", "json_path": _path(index, "id")}).as_item()
                )
                continue
            role_id = parse_id(item["id"])
        role = roles.get(role_id) if role_id is not None else None
        if role is None:
            results.append(
                InvalidData(
                    "the id given seems to be invalid", {"api_name": "id", "json_path": _path(index, "id")}
                ).as_item()
            )
            continue
        name, sequence = _name(item, index, required=False), _sequence(item, index)
        error = next((e for e in (name, sequence) if isinstance(e, CRMError)), None)
        clash = isinstance(name, str) and any(
            r.name.lower() == name.lower() and r.id != role.id for r in roles.values()
        )
        if error is None and clash:
            error = _duplicate(index)
        if error is not None:
            results.append(error.as_item())
            continue
        changed = ContactRole(
            role.id,
            name if isinstance(name, str) else role.name,
            sequence if isinstance(sequence, int) else role.sequence_number,
        )
        store.update_role(conn, org_id, changed)
        roles[role.id] = changed
        results.append(success("contact role updated", {"id": str(role.id)}))
    return results


def delete_roles(conn: Connection, org_id: int, role_ids: Sequence[int | None]) -> list[dict[str, Any]]:
    existing = {r.id for r in store.list_roles(conn, org_id)}
    gone: list[int] = []
    results: list[dict[str, Any]] = []
    for role_id in role_ids:
        if role_id is None or role_id not in existing or role_id in gone:
            results.append(
                InvalidData("contact role not deleted", {"id": str(role_id) if role_id else None}).as_item()
            )
            continue
        gone.append(role_id)
        results.append(success("contact role deleted", {"id": str(role_id)}))
    store.delete_roles(conn, org_id, gone)
    return results
