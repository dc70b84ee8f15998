"""``POST /__crmlink/orgs/{org_id}/load``: ``crmlink load`` over HTTP, for test suites.

The body is a data file as ``crmlink load`` reads it (docs/data.md): CSV with Zoho's import
columns, JSON (``{"data": [...]}`` or an array) or JSON lines, records of ``?module=`` or a
links file. Its kind is ``?format=`` (``csv``, ``json``, ``ndjson``/``jsonl``), else the
``Content-Type`` (``text/csv``, ``application/json``, ``application/x-ndjson``).

The body is streamed to a staging file of the blob store (as uploads are), bounded by
``max_upload_bytes`` (413 past it), since the readers of ``domain/data_io.py`` read files; the
file is read through once before anything is stored, so an unreadable file (400) stores
nothing, and removed after the load whatever its outcome. Then the rows are loaded as the
CLI loads them, through the same domain code (``data_io.load_batch``): batches of 1,000, one
transaction each, a bad row left out with the error the API would answer. The answer is 200
with ``{"loaded", "failed", "errors", "errors_truncated"}`` even when rows were left out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Response, post

from crmlink.api.admin import PREFIX, _check_admin, _org_id
from crmlink.api.context import Req
from crmlink.api.responses import json_response
from crmlink.api.uploads import check_announced
from crmlink.domain import data_io
from crmlink.domain.catalog import Catalog, ModuleDef
from crmlink.domain.orgs import org_exists
from crmlink.errors import InvalidData, InvalidModule, RequestTooLarge, RequiredParamMissing
from crmlink.storage import data_io as data_store
from crmlink.storage.blobs import BlobStore

MAX_ERRORS = 1000
"""Row errors listed in the answer; past them ``errors_truncated`` is true (``failed`` counts all)."""

_CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
}


def _format(request: Req) -> str:
    given = str(request.query_params.get("format") or "").lower()
    if given:
        if given not in data_io.FORMATS:
            raise InvalidData("format must be csv, json, ndjson or jsonl", {"param": "format"})
        return given
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    found = _CONTENT_TYPES.get(media)
    if found is None:
        raise RequiredParamMissing(
            "give format=csv|json|ndjson, or a Content-Type of text/csv, application/json or "
            "application/x-ndjson",
            {"param_name": "format"},
        )
    return found


@contextlib.contextmanager
def _temporary(blobs: BlobStore, suffix: str) -> Iterator[Path]:
    """A staging file of the blob store (on disk, where uploads are spooled; not a /tmp that
    may be memory), named with the suffix ``data_io.read_rows`` reads its format by."""
    staged = blobs.staging()
    path = staged.rename(staged.with_name(staged.name + suffix))
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


async def _spool(request: Req, path: Path, limit: int) -> None:
    check_announced(request, limit)
    received = 0
    with path.open("wb") as sink:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise RequestTooLarge()
            sink.write(chunk)


def _next(batches: Iterator[list[Any]]) -> list[Any] | None:
    return next(batches, None)


@post(f"{PREFIX}/orgs/{{org_id:str}}/load", status_code=200, request_max_body_size=None)
async def load_data(request: Req) -> Response[bytes]:
    """Load records (``?module=``) or links from the CSV or JSON body (module docstring)."""
    svc = _check_admin(request)
    org_id = _org_id(request.path_params["org_id"])
    suffix = data_io.FORMATS[_format(request)]
    module_name = request.query_params.get("module")

    def context() -> tuple[Catalog, dict[str, int]]:
        with svc.db.read() as conn:
            if not org_exists(conn, org_id):
                raise InvalidData("the org id given seems to be invalid", {"param": "org_id"})
            return svc.catalogs.get(conn, org_id), data_store.user_names(conn, org_id)

    catalog, users = await svc.db.run(context)
    given: ModuleDef | None = None
    if module_name:
        given = catalog.find_module(module_name)
        if given is None:
            raise InvalidModule(details={"param": "module", "value": module_name})

    with _temporary(svc.blobs, suffix) as path:
        await _spool(request, path, svc.settings.max_upload_bytes)
        await anyio.to_thread.run_sync(data_io.check_readable, path)
        loaded = failed = 0
        errors: list[dict[str, Any]] = []
        module: ModuleDef | None = None
        first = True
        rows = data_io.batches(data_io.read_rows(path))
        while batch := await anyio.to_thread.run_sync(_next, rows):
            if first:
                first = False
                if not data_io.is_links(batch[0][1]):
                    if given is None:
                        raise RequiredParamMissing(details={"param_name": "module"})
                    module = given

            work = partial(
                data_io.load_batch,
                catalog=catalog,
                ids=svc.ids,
                org_id=org_id,
                module=module,
                batch=batch,
                users=users,
            )
            done, row_errors = await svc.db.transact(work)
            loaded += done
            failed += len(row_errors)
            room = MAX_ERRORS - len(errors)
            errors.extend(data_io.error_dict(e) for e in row_errors[: max(0, room)])
    if loaded >= data_io.BATCH:  # as the CLI does after a load; a few rows move no plan
        await svc.db.transact(data_store.refresh_statistics)
    return json_response(
        {"loaded": loaded, "failed": failed, "errors": errors, "errors_truncated": failed > len(errors)}
    )


ROUTES = [load_data]
