"""Record photos: ``GET|POST|DELETE /crm/{version}/{module}/{record_id}/photo``.

The upload is streamed into a staging file and checked by content (domain/photos.py), then
written to the blob store before its row commits; the photo it replaces is removed after.
"""

from __future__ import annotations

import anyio.to_thread
from litestar import Response, delete, get, post
from litestar.response import Stream

from crmlink.api.attachments import remove_blobs
from crmlink.api.context import Req, Services, services
from crmlink.api.params import check_version, path_id, resolve_module
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authorize_module, bearer_token
from crmlink.api.uploads import receive_upload
from crmlink.domain import attachments as att
from crmlink.domain import photos
from crmlink.domain.auth import Actor, Operation, actor_for_token
from crmlink.domain.catalog import ModuleDef
from crmlink.domain.clock import now_us
from crmlink.domain.relation_values import RELATED_ID_INVALID
from crmlink.errors import FileTooLarge, InvalidData, RequiredParamMissing
from crmlink.storage import attachments as store
from crmlink.storage.blobs import new_key
from crmlink.storage.connection import Connection

PATH = "/crm/{version:str}/{module:str}/{record_id:str}/photo"
ID_INVALID = "the id given seems to be invalid"


def _checks(
    svc: Services, conn: Connection, token: str, params: dict[str, str], op: Operation, message: str
) -> tuple[Actor, ModuleDef, int]:
    actor = actor_for_token(conn, token)
    catalog = svc.catalog_in(conn, actor)
    module = resolve_module(catalog, params["module"])
    photos.check_module(module, uploading=op is Operation.UPDATE)
    authorize_module(actor, module, op)
    record_id = path_id(params["record_id"], 1, message)
    if catalog.find_module(module.api_name) is not None and not _exists(svc, conn, actor, module, record_id):
        raise InvalidData(message, {"resource_path_index": 1})
    return actor, module, record_id


def _exists(svc: Services, conn: Connection, actor: Actor, module: ModuleDef, record_id: int) -> bool:
    try:
        att.parent_record(conn, svc.catalog_in(conn, actor), actor.org_id, module, record_id)
    except InvalidData:
        return False
    return True


@get(PATH)
async def get_photo(request: Req) -> Response[bytes] | Stream:
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    svc, token = services(request), bearer_token(request)

    def work() -> store.PhotoRow | None:
        with svc.db.read() as conn:
            actor, _module, record_id = _checks(svc, conn, token, params, Operation.READ, ID_INVALID)
            return store.get_photo(conn, actor.org_id, record_id)

    found = await svc.db.run(work)
    if found is None:
        return empty_response(204)
    chunks = await anyio.to_thread.run_sync(svc.blobs.open, found.blob_key)
    headers = {
        "Content-Disposition": att.content_disposition(found.file_name),
        "Content-Length": str(found.size),
    }
    return Stream(chunks, media_type=found.content_type, headers=headers)


@post(PATH, status_code=200, request_max_body_size=None)
async def upload_photo(request: Req) -> Response[bytes]:
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    svc, token = services(request), bearer_token(request)

    def authorized() -> tuple[Actor, ModuleDef, int]:
        with svc.db.read() as conn:
            return _checks(svc, conn, token, params, Operation.UPDATE, RELATED_ID_INVALID)

    actor, module, record_id = await svc.db.run(authorized)
    # Zoho's 10 MB photo cap (415), within the upload limit; a little room for multipart framing.
    limit = min(svc.settings.max_upload_bytes, photos.MAX_PHOTO_BYTES + 64 * 1024)
    upload = await receive_upload(request, svc.blobs, limit, FileTooLarge)
    try:
        if upload.staged is None:
            raise RequiredParamMissing(details={"param_name": "file"})
        image = photos.check_image(upload.staged, upload.size)
        name = att.clean_file_name(upload.file_name or "photo")
        key = new_key(actor.org_id, "photos")
        await anyio.to_thread.run_sync(svc.blobs.put, key, upload.staged)
        upload.staged = None
        row = store.PhotoRow(blob_key=key, content_type=image.media_type, file_name=name, size=upload.size)

        def write(conn: Connection) -> str | None:
            if not _exists(svc, conn, actor, module, record_id):
                raise InvalidData(RELATED_ID_INVALID, {"resource_path_index": 1})
            return store.put_photo(conn, actor.org_id, record_id, row, actor.user_id, now_us())

        try:
            replaced = await svc.db.transact(write)
        except BaseException:
            await remove_blobs(svc, [key])
            raise
    finally:
        upload.discard()
    if replaced:
        await remove_blobs(svc, [replaced])
    return json_response(
        {"code": "SUCCESS", "details": {}, "message": "photo uploaded successfully", "status": "success"}
    )


@delete(PATH, status_code=200)
async def delete_photo(request: Req) -> Response[bytes]:
    params: dict[str, str] = request.path_params
    check_version(params["version"])
    svc, token = services(request), bearer_token(request)

    def work(conn: Connection) -> str | None:
        actor, _module, record_id = _checks(svc, conn, token, params, Operation.DELETE, ID_INVALID)
        return store.delete_photo(conn, actor.org_id, record_id)

    removed = await svc.db.transact(work)
    if removed:
        await remove_blobs(svc, [removed])
    return json_response({"code": "SUCCESS", "details": {}, "message": "Photo deleted", "status": "success"})


ROUTES = [get_photo, upload_photo, delete_photo]

__all__ = ["ROUTES"]
