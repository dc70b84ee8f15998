"""Attachments of a record: files (bytes in the blob store) and links (a URL, never fetched).

The HTTP layer streams an upload into the blob store first; ``add_file`` then writes the row in
the caller's transaction. Deleting returns the blob keys to remove once the row is gone.
Decisions where Zoho is silent are in docs/api-coverage.md ("Notes and attachments of a record").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from crmlink.domain import records as rec
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.clock import iso, now_us
from crmlink.domain.ids import IdGenerator
from crmlink.domain.orgs import user_refs
from crmlink.domain.records import success
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.errors import DuplicateData, InvalidData
from crmlink.storage import attachments as store
from crmlink.storage.attachments import AttachmentRow
from crmlink.storage.engine import Conn

LINK_DOWNLOAD = "As it is a linked attachment, you can not download it"
LINK_EXISTS = "Attachment link already exists"
EMPTY_FILE = "the file is empty"
BAD_NAME = "the file name is invalid"
MAX_NAME = 255
# $attachment_type as the v2.1 SDK types it (Integer): 1 for an uploaded file, 3 for a link
# (UNCONFIRMED values, docs/related-records.md).
FILE_TYPE, LINK_TYPE = 1, 3

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_file_name(raw: str | None) -> str:
    """The name a file is listed and downloaded under: its last path segment (``../../x`` and
    ``C:\\dir\\x`` are ``x``), NFC, control characters removed, at most 255 characters. Names are
    never used to build storage paths (keys are random); an empty result is ``INVALID_DATA``."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _CONTROL.sub("", name).strip()
    if name in {"", ".", ".."}:
        raise InvalidData(BAD_NAME, {"param_name": "file"})
    return name[:MAX_NAME]


def check_link(url: str) -> str:
    """An ``attachmentUrl``: an absolute http(s) URL, stored as given and never fetched."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or len(url) > 2000:
        raise InvalidData(details={"param_name": "attachmentUrl"})
    return url


def parent_record(
    conn: Conn, catalog: Catalog, org_id: int, parent: ModuleDef, parent_id: int
) -> dict[str, Any]:
    """The parent record (rendered), or ``INVALID_DATA`` naming path segment 1."""
    found = rec.get_record(conn, catalog, org_id, parent, parent_id)
    if found is None:
        raise InvalidData(RELATED_ID_INVALID, {"resource_path_index": 1})
    return found


def _add(
    conn: Conn, ids: IdGenerator, actor: Actor, parent: ModuleDef, parent_id: int, **what: Any
) -> dict[str, Any]:
    now = now_us()
    row = AttachmentRow(
        id=ids.next(),
        parent_id=parent_id,
        parent_module=parent.api_name,
        owner_id=actor.user_id,
        created_by=actor.user_id,
        modified_by=actor.user_id,
        created_at=now,
        modified_at=now,
        **what,
    )
    store.insert_attachment(conn, actor.org_id, row)
    by = {"name": actor.name, "id": str(actor.user_id)}
    details = {
        "Modified_Time": iso(now),
        "Modified_By": by,
        "Created_Time": iso(now),
        "id": str(row.id),
        "Created_By": by,
    }
    return success("attachment uploaded successfully", details)


def add_file(
    conn: Conn,
    catalog: Catalog,
    ids: IdGenerator,
    actor: Actor,
    parent: ModuleDef,
    parent_id: int,
    *,
    file_name: str,
    size: int,
    blob_key: str,
) -> dict[str, Any]:
    """The row for a file whose bytes are already in the blob store under ``blob_key``."""
    parent_record(conn, catalog, actor.org_id, parent, parent_id)
    return _add(
        conn, ids, actor, parent, parent_id, file_name=file_name, size=size, blob_key=blob_key, link_url=None
    )


def add_link(
    conn: Conn, catalog: Catalog, ids: IdGenerator, actor: Actor, parent: ModuleDef, parent_id: int, url: str
) -> dict[str, Any]:
    parent_record(conn, catalog, actor.org_id, parent, parent_id)
    if store.link_exists(conn, actor.org_id, parent_id, url):
        raise DuplicateData(LINK_EXISTS, {"param_name": "attachmentUrl"})
    return _add(conn, ids, actor, parent, parent_id, file_name=url, size=0, blob_key=None, link_url=url)


def _render(
    row: AttachmentRow, parent_ref: dict[str, Any], users: dict[int, dict[str, str]]
) -> dict[str, Any]:
    def user(uid: int) -> dict[str, str] | None:
        return users.get(uid)

    return {
        "Owner": user(row.owner_id),
        "Modified_By": user(row.modified_by),
        "Created_By": user(row.created_by),
        "Created_Time": iso(row.created_at),
        "Modified_Time": iso(row.modified_at),
        "File_Name": row.file_name,
        "Size": str(row.size),
        "Parent_Id": parent_ref,
        "id": str(row.id),
        "$file_id": row.blob_key.rsplit("/", 1)[-1] if row.blob_key else None,
        "$type": "File" if row.link_url is None else "Link URL",
        "$se_module": row.parent_module,
        "$editable": True,
        "$state": "save",
        "$link_url": row.link_url,
        "$sharing_permission": "FULL_ACCESS",
        "$attachment_type": FILE_TYPE if row.link_url is None else LINK_TYPE,
        "description": None,
        "category": None,
    }


def list_page(
    conn: Conn,
    catalog: Catalog,
    org_id: int,
    parent: ModuleDef,
    parent_id: int,
    *,
    page: int,
    per_page: int,
    fields: Sequence[str] | None,
) -> rec.Page:
    found = parent_record(conn, catalog, org_id, parent, parent_id)
    parent_ref = {"name": found.get(parent.display_field), "id": str(parent_id)}
    rows = store.list_attachments(conn, org_id, parent_id, limit=per_page + 1, offset=(page - 1) * per_page)
    shown = rows[:per_page]
    users = user_refs(conn, org_id, {u for r in shown for u in (r.owner_id, r.created_by, r.modified_by)})
    data = [_render(r, parent_ref, users) for r in shown]
    if fields:
        keep = set(fields) | {"id"}
        data = [{k: v for k, v in item.items() if k in keep} for item in data]
    return rec.Page(data, page, per_page, len(rows) > per_page)


def for_download(
    conn: Conn, catalog: Catalog, org_id: int, parent: ModuleDef, parent_id: int, attachment_id: int
) -> AttachmentRow:
    parent_record(conn, catalog, org_id, parent, parent_id)
    found = store.find_attachments(conn, org_id, parent_id, [attachment_id])
    if not found:
        raise InvalidData(RELATED_ID_INVALID, {"related_status": "invalid", "resource_path_index": 3})
    row = found[0]
    if row.blob_key is None:
        raise InvalidData(LINK_DOWNLOAD, {"resource_path_index": 3})
    return row


def delete_many(
    conn: Conn, catalog: Catalog, actor: Actor, parent: ModuleDef, parent_id: int, wanted: Sequence[int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """One result per id, in input order; the blob keys to remove after the commit."""
    parent_record(conn, catalog, actor.org_id, parent, parent_id)
    found = {r.id: r for r in store.find_attachments(conn, actor.org_id, parent_id, wanted)}
    results: list[dict[str, Any]] = []
    gone: list[AttachmentRow] = []
    for aid in wanted:
        row = found.pop(aid, None)
        if row is None:
            results.append(InvalidData("record not deleted", {"id": str(aid)}).as_item())
            continue
        gone.append(row)
        results.append(success("record deleted", {"id": str(aid)}))
    store.delete_attachments(conn, actor.org_id, [r.id for r in gone])
    return results, [r.blob_key for r in gone if r.blob_key]


def content_disposition(name: str) -> str:
    """``attachment;filename="<name>"`` (what the official SDKs parse); names that are not plain
    ASCII, or hold ``"``/``'``/``;``, take the RFC 5987 form ``filename*=UTF-8''<%-encoded>``."""
    from urllib.parse import quote

    if name.isascii() and name.isprintable() and not any(c in name for c in "\"';\\"):
        return f'attachment;filename="{name}"'
    return f"attachment;filename*=UTF-8''{quote(name, safe='')}"
