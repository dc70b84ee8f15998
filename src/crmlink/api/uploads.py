"""Streaming ``multipart/form-data`` uploads (attachments, photos).

Litestar's own form parsing reads the whole body into memory first, so upload routes read the
ASGI body stream themselves and feed it, chunk by chunk, to ``python-multipart``'s streaming
parser: the part named ``file`` goes straight into a staging file of the blob store, other parts
(``attachmentUrl`` sent as a form field) are kept as short strings. Memory use is a chunk,
whatever the file's size. The upload limit is checked against ``Content-Length`` before reading
and against the bytes received while reading: over it, 413 and the staged bytes are removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from crmlink.api.context import Req
from crmlink.errors import CRMError, RequestTooLarge, RequiredParamMissing, UnableToParseDataType
from crmlink.storage.blobs import BlobStore

FILE_FIELD = "file"  # Zoho's part name for attachments and photos
_MAX_FIELD = 8 * 1024  # a text part (attachmentUrl) longer than this is refused


@dataclass(slots=True)
class Upload:
    """What a multipart body carried: the ``file`` part (staged on disk) and the text parts."""

    file_name: str | None = None
    staged: Path | None = None
    size: int = 0
    head: bytes = b""  # the file's first bytes, for content checks (magic numbers)
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.unlink(missing_ok=True)
            self.staged = None


def is_multipart(request: Req) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def announced_length(request: Req) -> int | None:
    raw = request.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def check_announced(request: Req, limit: int, too_large: Callable[[], CRMError] = RequestTooLarge) -> None:
    length = announced_length(request)
    if length is not None and length > limit:
        raise too_large()


class _Parts:
    """python-multipart callbacks: route each part's bytes to a file or a text field."""

    def __init__(self, store: BlobStore, upload: Upload) -> None:
        self.store = store
        self.upload = upload
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name: str | None = None
        self.sink: IO[bytes] | None = None
        self.text: bytearray | None = None
        self.done_file = False

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self.name == FILE_FIELD and not self.done_file:
            self.upload.file_name = filename.decode("utf-8", "replace") if filename is not None else ""
            self.upload.staged = self.store.staging()
            self.sink = open(self.upload.staged, "wb")  # noqa: SIM115 - closed at part end
            self.text = None
        else:
            self.sink = None
            self.text = bytearray() if filename is None else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self.sink is not None:
            if len(self.upload.head) < 64:
                self.upload.head += piece[: 64 - len(self.upload.head)]
            self.sink.write(piece)
            self.upload.size += len(piece)
        elif self.text is not None:
            self.text += piece
            if len(self.text) > _MAX_FIELD:
                raise UnableToParseDataType()

    def on_part_end(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None
            self.done_file = True
        elif self.text is not None and self.name:
            self.upload.fields.setdefault(self.name, self.text.decode("utf-8", "replace"))
            self.text = None

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None


async def receive_upload(
    request: Req, store: BlobStore, limit: int, too_large: Callable[[], CRMError] = RequestTooLarge
) -> Upload:
    """Stream a multipart body; the ``file`` part lands in a staging file (module docstring).

    Raises 413 over ``limit``, ``UNABLE_TO_PARSE_DATA_TYPE`` for a body that is not valid
    multipart; on any error nothing is left staged.
    """
    check_announced(request, limit, too_large)
    _kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not is_multipart(request) or not boundary:
        raise RequiredParamMissing(details={"param_name": FILE_FIELD})
    upload = Upload()
    parts = _Parts(store, upload)
    callbacks = {
        "on_part_begin": parts.on_part_begin,
        "on_header_field": parts.on_header_field,
        "on_header_value": parts.on_header_value,
        "on_header_end": parts.on_header_end,
        "on_headers_finished": parts.on_headers_finished,
        "on_part_data": parts.on_part_data,
        "on_part_end": parts.on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large()
            parser.write(chunk)
        parser.finalize()
        if parts.sink is not None:  # the body ended inside the file part
            raise UnableToParseDataType()
    except MultipartParseError:
        parts.close()
        upload.discard()
        raise UnableToParseDataType() from None
    except BaseException:
        parts.close()
        upload.discard()
        raise
    return upload


async def drain(request: Req, limit: int) -> bytes:
    """A small non-upload body (the JSON of a Notes POST), refused past ``limit``."""
    check_announced(request, limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestTooLarge()
    return bytes(body)


@contextlib.contextmanager
def discarding(upload: Upload) -> Iterator[Upload]:
    try:
        yield upload
    finally:
        upload.discard()
