"""Tags: per-module tag settings, merge, and tagging records (spec §10).

Zoho's rules: a name is 1-25 characters without ``<``, ``>``, ``,``, emoji or other symbols
(here also: no control or invisible format characters, and names are NFC-normalized), unique
per module whatever its case; colours from Zoho's palette; at most 100 tags per module and 10
per record. Every tag link change writes a change event (storage/tags.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from crmlink.domain.auth import Actor
from crmlink.domain.catalog import ModuleDef
from crmlink.domain.clock import iso, now_us
from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.domain.orgs import user_refs
from crmlink.domain.records import record_modules, success
from crmlink.errors import CRMError, DuplicateData, InvalidData, LimitExceeded, MandatoryNotFound
from crmlink.storage import tags as store
from crmlink.storage.engine import Conn
from crmlink.storage.tags import TagRow

MAX_NAME = 25
MAX_PER_MODULE = 100
MAX_PER_RECORD = 10
MAX_IDS = 500
COLOURS = frozenset(
    {"#F17574", "#F48435", "#E7A826", "#A8C026", "#63C57E", "#1DB9B4", "#57B1FD"}
    | {"#879BFC", "#D297EE", "#FD87BD", "#969696", "#658BA8", "#B88562"}
)
DEFAULT_COLOUR = "#969696"
NAME_TOO_LONG = "Tag Name can contain only 25 characters"
SPECIAL_CHARACTERS = "special characters found in the given name"
BAD_COLOUR = "The colour is not supported"
RECORD_LIMIT = "Tag limit for record has been exceeded."
MODULE_LIMIT = "Tag limit for module has been exceeded."
NOT_FOUND = "tags not found"
_FORBIDDEN = frozenset("<>,")
# Unicode categories refused in names: symbols (emoji among them), control, format (zero-width,
# bidi overrides), surrogates, private use, unassigned.
_BAD_CATEGORIES = frozenset({"So", "Sk", "Cc", "Cf", "Cs", "Co", "Cn"})


def check_name(raw: Any, path: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise MandatoryNotFound(details={"api_name": "name", "json_path": path})
    name = unicodedata.normalize("NFC", raw).strip()
    if any(c in _FORBIDDEN or unicodedata.category(c) in _BAD_CATEGORIES for c in name):
        raise InvalidData(SPECIAL_CHARACTERS, {"api_name": "name", "json_path": path})
    if len(name) > MAX_NAME:
        raise InvalidData(NAME_TOO_LONG, {"api_name": "name", "json_path": path, "limit": MAX_NAME})
    return name


def check_colour(raw: Any, path: str) -> str:
    if not isinstance(raw, str) or raw.upper() not in COLOURS:
        raise InvalidData(BAD_COLOUR, {"api_name": "color_code", "json_path": path})
    return raw.upper()


def _user(users: dict[int, dict[str, str]], uid: int) -> dict[str, str] | None:
    ref = users.get(uid)
    return {"name": ref["name"], "id": ref["id"]} if ref else None


def render(conn: Conn, org_id: int, rows: Sequence[TagRow]) -> list[dict[str, Any]]:
    users = user_refs(conn, org_id, {u for t in rows for u in (t.created_by, t.modified_by)})
    return [
        {
            "created_time": iso(t.created_at),
            "modified_time": iso(t.modified_at),
            "name": t.name,
            "modified_by": _user(users, t.modified_by),
            "id": str(t.id),
            "created_by": _user(users, t.created_by),
            "color_code": t.color_code,
        }
        for t in rows
    ]


def _details(actor: Actor, tag: TagRow) -> dict[str, Any]:
    by = {"name": actor.name, "id": str(actor.user_id)}
    return {
        "created_time": iso(tag.created_at),
        "modified_time": iso(tag.modified_at),
        "modified_by": by,
        "id": str(tag.id),
        "created_by": by,
    }


def list_tags(conn: Conn, actor: Actor, module: ModuleDef, *, mine: bool) -> dict[str, Any]:
    rows = store.list_tags(conn, actor.org_id, module.api_name, created_by=actor.user_id if mine else None)
    return {
        "tags": render(conn, actor.org_id, rows),
        "info": {"count": len(rows), "allowed_count": MAX_PER_MODULE},
    }


def _items(body: Any) -> list[Any]:
    if not isinstance(body, dict) or "tags" not in body:
        raise MandatoryNotFound(details={"api_name": "tags", "json_path": "$.tags"})
    items = body["tags"]
    if not isinstance(items, list) or not items:
        raise InvalidData(
            details={"api_name": "tags", "expected_data_type": "jsonarray", "json_path": "$.tags"}
        )
    if len(items) > MAX_PER_MODULE:
        raise LimitExceeded(details={"api_name": "tags", "limit": MAX_PER_MODULE})
    return items


def create_tags(
    conn: Conn, ids: IdGenerator, actor: Actor, module: ModuleDef, body: Any
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    now = now_us()
    count = store.count_tags(conn, actor.org_id, module.api_name)
    taken = {k for k in store.tags_by_name(conn, actor.org_id, module.api_name, _names(body))}
    for i, item in enumerate(_items(body)):
        path = f"$.tags[{i}]"
        try:
            if not isinstance(item, dict):
                raise InvalidData(details={"expected_data_type": "jsonobject", "json_path": path})
            name = check_name(item.get("name"), f"{path}.name")
            colour = (
                check_colour(item["color_code"], f"{path}.color_code")
                if item.get("color_code")
                else DEFAULT_COLOUR
            )
            if name.lower() in taken:
                raise DuplicateData(details={"api_name": "name", "json_path": f"{path}.name"})
            if count >= MAX_PER_MODULE:
                raise LimitExceeded(MODULE_LIMIT, {"limit": MAX_PER_MODULE})
        except CRMError as error:
            results.append(error.as_item())
            continue
        tag = TagRow(ids.next(), module.api_name, name, colour, actor.user_id, actor.user_id, now, now)
        store.insert_tag(conn, actor.org_id, tag)
        taken.add(name.lower())
        count += 1
        results.append(success("tags created successfully", _details(actor, tag)))
    return results


def _names(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
        return []
    return [t["name"].strip() for t in body["tags"] if isinstance(t, dict) and isinstance(t.get("name"), str)]


def update_tags(
    conn: Conn, actor: Actor, module: ModuleDef, body: Any, *, path_tag_id: int | None = None
) -> list[dict[str, Any]]:
    items = _items(body)
    wanted = [
        path_tag_id if path_tag_id is not None else parse_id(i.get("id") if isinstance(i, dict) else None)
        for i in items
    ]
    found = store.tags_by_id(conn, actor.org_id, [w for w in wanted if w is not None])
    results: list[dict[str, Any]] = []
    now = now_us()
    for i, (item, tag_id) in enumerate(zip(items, wanted, strict=True)):
        path = f"$.tags[{i}]"
        try:
            if not isinstance(item, dict):
                raise InvalidData(details={"expected_data_type": "jsonobject", "json_path": path})
            if tag_id is None:
                raise MandatoryNotFound(details={"api_name": "id", "json_path": f"{path}.id"})
            tag = found.get(tag_id)
            if tag is None or tag.module != module.api_name:
                raise InvalidData(NOT_FOUND, {"id": str(tag_id)})
            name = check_name(item["name"], f"{path}.name") if "name" in item else tag.name
            colour = (
                check_colour(item["color_code"], f"{path}.color_code")
                if item.get("color_code")
                else tag.color_code
            )
            clash = store.tags_by_name(conn, actor.org_id, module.api_name, [name]).get(name.lower())
            if clash is not None and clash.id != tag.id:
                raise DuplicateData(details={"api_name": "name", "json_path": f"{path}.name"})
        except CRMError as error:
            results.append(error.as_item())
            continue
        changed = TagRow(tag.id, tag.module, name, colour, tag.created_by, actor.user_id, tag.created_at, now)
        store.update_tag(conn, actor.org_id, changed)
        found[tag.id] = changed
        results.append(success("tags updated successfully", _details(actor, changed)))
    return results


def find_tag(conn: Conn, org_id: int, tag_id: int) -> TagRow:
    tag = store.tags_by_id(conn, org_id, [tag_id]).get(tag_id)
    if tag is None:
        raise InvalidData(NOT_FOUND, {"id": str(tag_id)})
    return tag


def delete_tag(conn: Conn, actor: Actor, tag_id: int) -> dict[str, Any]:
    find_tag(conn, actor.org_id, tag_id)
    store.delete_tag(conn, actor.org_id, tag_id, actor.user_id, now_us())
    return success("tags deleted successfully", {"id": str(tag_id)})


def merge_tags(conn: Conn, actor: Actor, tag_id: int, body: Any) -> dict[str, Any]:
    """Every record tagged ``conflict_id`` gets ``tag_id`` instead; ``conflict_id`` goes."""
    items = _items(body)
    into = find_tag(conn, actor.org_id, tag_id)
    first = items[0]
    conflict = parse_id(first.get("conflict_id")) if isinstance(first, dict) else None
    if conflict is None:
        raise MandatoryNotFound(details={"api_name": "conflict_id", "json_path": "$.tags[0].conflict_id"})
    other = find_tag(conn, actor.org_id, conflict)
    if other.module != into.module or other.id == into.id:
        raise InvalidData(NOT_FOUND, {"id": str(conflict)})
    now = now_us()
    have = set(store.records_with_tag(conn, actor.org_id, into.id))
    moved = [r for r in store.records_with_tag(conn, actor.org_id, other.id) if r not in have]
    store.delete_tag(conn, actor.org_id, other.id, actor.user_id, now)
    store.add_links(conn, actor.org_id, [(r, into.id) for r in moved], actor.user_id, now)
    return success("tags merged successfully", _details(actor, into))


def record_count(conn: Conn, actor: Actor, module: ModuleDef, tag_id: int) -> dict[str, str]:
    tag = find_tag(conn, actor.org_id, tag_id)
    if tag.module != module.api_name:
        raise InvalidData(NOT_FOUND, {"id": str(tag_id)})
    return {"count": str(store.count_records(conn, actor.org_id, tag_id))}


# --- tagging records -------------------------------------------------------------------------


def parse_tag_names(raw: str) -> list[str]:
    names: list[str] = []
    for part in raw.split(","):
        if part.strip():
            name = check_name(part, "tag_names")
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
    if not names:
        raise MandatoryNotFound(details={"param_name": "tag_names"})
    return names


def _ensure_tags(
    conn: Conn, ids: IdGenerator, actor: Actor, module: ModuleDef, names: list[str]
) -> list[TagRow]:
    """The named tags of the module, created (grey) where missing."""
    found = store.tags_by_name(conn, actor.org_id, module.api_name, names)
    missing = [n for n in names if n.lower() not in found]
    if missing and store.count_tags(conn, actor.org_id, module.api_name) + len(missing) > MAX_PER_MODULE:
        raise LimitExceeded(MODULE_LIMIT, {"limit": MAX_PER_MODULE})
    now = now_us()
    for name in missing:
        tag = TagRow(
            ids.next(), module.api_name, name, DEFAULT_COLOUR, actor.user_id, actor.user_id, now, now
        )
        store.insert_tag(conn, actor.org_id, tag)
        found[name.lower()] = tag
    return [found[n.lower()] for n in names]


def tag_records(
    conn: Conn,
    ids: IdGenerator,
    actor: Actor,
    module: ModuleDef,
    record_ids: Sequence[int],
    names: list[str],
    *,
    adding: bool,
    over_write: bool = False,
) -> dict[str, Any]:
    """``actions/add_tags`` / ``actions/remove_tags`` on records: one result per id, in order."""
    if len(record_ids) > MAX_IDS:
        raise LimitExceeded(details={"param_name": "ids", "limit": MAX_IDS})
    if adding:
        tags = _ensure_tags(conn, ids, actor, module, names)
    else:
        known = store.tags_by_name(conn, actor.org_id, module.api_name, names)
        tags = [known[n.lower()] for n in names if n.lower() in known]
    existing = record_modules(conn, actor.org_id, record_ids)
    current = store.tags_of(conn, actor.org_id, record_ids)
    now = now_us()
    results: list[dict[str, Any]] = []
    done: set[int] = set()
    for record_id in record_ids:
        if existing.get(record_id) != module.api_name or record_id in done:
            results.append(InvalidData("the id given seems to be invalid", {"id": str(record_id)}).as_item())
            continue
        done.add(record_id)
        have = dict(current.get(record_id, []))
        wanted_ids = {t.id for t in tags}
        if adding:
            after = {t.id: t.name for t in tags} if over_write else {**have, **{t.id: t.name for t in tags}}
            if len(after) > MAX_PER_RECORD:
                results.append(
                    LimitExceeded(RECORD_LIMIT, {"id": str(record_id), "limit": MAX_PER_RECORD}).as_item()
                )
                continue
            store.remove_links(
                conn, actor.org_id, [(record_id, t) for t in have if t not in after], actor.user_id, now
            )
            store.add_links(
                conn, actor.org_id, [(record_id, t) for t in after if t not in have], actor.user_id, now
            )
        else:
            after = {t: n for t, n in have.items() if t not in wanted_ids}
            store.remove_links(
                conn, actor.org_id, [(record_id, t) for t in have if t in wanted_ids], actor.user_id, now
            )
        shown = [{"name": n, "id": str(t)} for t, n in sorted(after.items(), key=lambda kv: kv[1].lower())]
        results.append(success("tags updated successfully", {"id": str(record_id), "tags": shown}))
    ok = sum(1 for r in results if r["status"] == "success")
    return {"data": results, "wf_scheduler": False, "success_count": str(ok), "locked_count": "0"}
