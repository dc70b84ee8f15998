"""Attachments: ``/crm/{version}/{module}/{record_id}/Attachments[/{attachment_id}]``.

Served through the related-records routes (api/related.py hands the ``Attachments`` list over
here). An upload is streamed into the blob store *before* its row is written; if the row's
transaction fails the blob is removed, and a crash in between leaves only a blob without a row,
which ``crmlink gc`` sweeps. Deleting rows commits first, then removes their blobs.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from litestar import Response
from litestar.response import Stream

from crmlink.api.context import Req, Services
from crmlink.api.params import csv_param, ids_param, paging, path_id, resolve_module
from crmlink.api.responses import empty_response, json_response, results_response
from crmlink.api.security import authorize_module
from crmlink.api.uploads import Upload, is_multipart, receive_upload
from crmlink.domain import attachments as att
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.domain.catalog import ModuleDef
from crmlink.domain.records import Page
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.errors import InvalidData, RequiredParamMissing
from crmlink.storage.attachments import AttachmentRow
from crmlink.storage.blobs import new_key
from crmlink.storage.connection import Connection

log = logging.getLogger("crmlink.attachments")

DOWNLOAD_TYPE = "application/x-download"


def _checks(
    svc: Services, conn: Connection, token: str, params: dict[str, str], op: Operation
) -> tuple[Actor, ModuleDef, int]:
    """Token, module, scope and profile on the parent module, then the parent's id."""
    actor = actor_for_token(conn, token)
    parent = resolve_module(svc.catalog_in(conn, actor), params["module"])
    authorize_module(actor, parent, op)
    return actor, parent, path_id(params["record_id"], 1, RELATED_ID_INVALID)


async def _authorized(
    svc: Services, token: str, params: dict[str, str], op: Operation
) -> tuple[Actor, ModuleDef, int]:
    def work() -> tuple[Actor, ModuleDef, int]:
        with svc.db.read() as conn:
            actor, parent, parent_id = _checks(svc, conn, token, params, op)
            att.parent_record(conn, svc.catalog_in(conn, actor), actor.org_id, parent, parent_id)
            return actor, parent, parent_id

    return await svc.db.run(work)


async def list_attachments(
    request: Req, svc: Services, token: str, params: dict[str, str]
) -> Response[bytes]:
    def work() -> Page:
        with svc.db.read() as conn:
            actor, parent, parent_id = _checks(svc, conn, token, params, Operation.READ)
            page, per_page = paging(request)
            return att.list_page(
                conn,
                svc.catalog_in(conn, actor),
                actor.org_id,
                parent,
                parent_id,
                page=page,
                per_page=per_page,
                fields=csv_param(request, "fields"),
            )

    found = await svc.db.run(work)
    if not found.data:
        return empty_response(204)
    info = {
        "per_page": found.per_page,
        "count": len(found.data),
        "page": found.page,
        "more_records": found.more_records,
    }
    return json_response({"data": found.data, "info": info})


async def download(
    request: Req, svc: Services, token: str, params: dict[str, str]
) -> Response[bytes] | Stream:
    def work() -> AttachmentRow:
        with svc.db.read() as conn:
            actor, parent, parent_id = _checks(svc, conn, token, params, Operation.READ)
            attachment_id = path_id(params["related_id"], 3, RELATED_ID_INVALID)
            return att.for_download(
                conn, svc.catalog_in(conn, actor), actor.org_id, parent, parent_id, attachment_id
            )

    row = await svc.db.run(work)
    assert row.blob_key is not None
    chunks = await anyio.to_thread.run_sync(svc.blobs.open, row.blob_key)
    headers = {
        "Content-Disposition": att.content_disposition(row.file_name),
        "Content-Length": str(row.size),
    }
    return Stream(chunks, media_type=DOWNLOAD_TYPE, headers=headers)


async def upload(request: Req, svc: Services, token: str, params: dict[str, str]) -> Response[bytes]:
    """A file (multipart part ``file``) or a link (``attachmentUrl``, query or form field)."""
    actor, parent, parent_id = await _authorized(svc, token, params, Operation.CREATE)
    url = request.query_params.get("attachmentUrl")
    upload_: Upload | None = None
    if is_multipart(request):
        upload_ = await receive_upload(request, svc.blobs, svc.settings.max_upload_bytes)
        url = url if url is not None else upload_.fields.get("attachmentUrl")
    try:
        if url is None and upload_ is not None and upload_.staged is not None:
            return await _store_file(svc, actor, parent, parent_id, upload_)
        if url is None:
            raise RequiredParamMissing(details={"param_name": "file"})
        link = att.check_link(url)

        def add(conn: Connection) -> dict[str, object]:
            return att.add_link(conn, svc.catalog_in(conn, actor), svc.ids, actor, parent, parent_id, link)

        return results_response([await svc.db.transact(add)])
    finally:
        if upload_ is not None:
            upload_.discard()


async def _store_file(
    svc: Services, actor: Actor, parent: ModuleDef, parent_id: int, upload_: Upload
) -> Response[bytes]:
    name = att.clean_file_name(upload_.file_name)
    if upload_.size == 0:
        raise InvalidData(att.EMPTY_FILE, {"param_name": "file"})
    staged, size = upload_.staged, upload_.size
    assert staged is not None
    key = new_key(actor.org_id, "attachments")
    await anyio.to_thread.run_sync(svc.blobs.put, key, staged)
    upload_.staged = None

    def add(conn: Connection) -> dict[str, object]:
        return att.add_file(
            conn,
            svc.catalog_in(conn, actor),
            svc.ids,
            actor,
            parent,
            parent_id,
            file_name=name,
            size=size,
            blob_key=key,
        )

    try:
        result = await svc.db.transact(add)
    except BaseException:
        await remove_blobs(svc, [key])  # the row was not written: its blob goes too
        raise
    return results_response([result])


async def delete_attachments(
    request: Req, svc: Services, token: str, params: dict[str, str], *, one: bool
) -> Response[bytes]:
    def work(conn: Connection) -> tuple[list[dict[str, object]], list[str]]:
        actor, parent, parent_id = _checks(svc, conn, token, params, Operation.DELETE)
        if one:
            wanted = [path_id(params["related_id"], 3, RELATED_ID_INVALID)]
        else:
            found = ids_param(request, required=True)
            assert found is not None
            wanted = found
        return att.delete_many(conn, svc.catalog_in(conn, actor), actor, parent, parent_id, wanted)

    results, keys = await svc.db.transact(work)
    await remove_blobs(svc, keys)
    return results_response(results)


async def remove_blobs(svc: Services, keys: list[str]) -> None:
    """Best effort: a blob left behind is an orphan that ``crmlink gc`` sweeps."""
    for key in keys:
        try:
            await anyio.to_thread.run_sync(svc.blobs.delete, key)
        except Exception:  # the store is down: gc will find the orphan later
            log.warning("could not remove blob %s; crmlink gc will sweep it", key)
