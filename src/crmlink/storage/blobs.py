"""Where attachment and photo bytes live: one small interface, two backends.

* ``FileBlobs``: files under ``<data dir>/blobs`` (the default; one host).
* ``S3Blobs``: any S3-compatible store through boto3 (``CRMLINK_BLOB_URL=s3://bucket/prefix``).

An upload is first spooled, chunk by chunk, to a staging file on local disk (``staging()``),
then handed to ``put`` (a rename for ``FileBlobs``, a streamed multipart upload for ``S3Blobs``):
no upload is ever held whole in memory. The caller writes the blob *before* committing the row
that names it, so a crash in between leaves a blob without a row (swept by ``crmlink gc``),
never a row without its blob. Keys are made by the server (``new_key``), never from file names.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """A stored blob as the sweeper sees it: its key and last write (Unix seconds)."""

    key: str
    modified: float


class BlobStore(Protocol):
    """The operations the server needs from a blob backend."""

    def staging(self) -> Path:
        """A new, empty local file to spool an upload into (the caller deletes it)."""
        ...

    def put(self, key: str, staged: Path) -> None:
        """Store ``staged`` under ``key`` (durably) and remove ``staged``."""
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """The blob's bytes in chunks (``KeyError`` if missing)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; a missing one is no error."""
        ...

    def list(self) -> Iterator[BlobInfo]:
        """Every stored blob (for ``crmlink gc``)."""
        ...


def new_key(org_id: int, kind: str) -> str:
    """A fresh key: ``<org>/<kind>/<random>``. Never derived from client input."""
    return f"{org_id}/{kind}/{uuid.uuid4().hex}"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if len(parts) != 3 or not all(p and p not in {".", ".."} and p.isascii() for p in parts):
        raise ValueError(f"not a blob key: {key!r}")
    return key


class FileBlobs:
    """Blobs as files under ``root`` (``<data dir>/blobs``); staging files beside it, on the same
    filesystem, so that ``put`` is an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root  # made on first use, like the staging directory
        self.staging_dir = root.parent / "blobs-staging"

    def staging(self) -> Path:
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.staging_dir, prefix="upload-")
        os.close(fd)
        return Path(name)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, staged: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(staged, "rb") as f:
            os.fsync(f.fileno())
        os.replace(staged, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a power cut
        finally:
            os.close(dir_fd)

    def open(self, key: str) -> Iterator[bytes]:
        try:
            f = open(self._path(key), "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            raise KeyError(key) from None
        return _chunks(f)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self) -> Iterator[BlobInfo]:
        if not self.root.is_dir():
            return
        for org in _subdirs(self.root):
            for kind in _subdirs(org):
                for entry in os.scandir(kind):
                    if entry.is_file():
                        key = f"{org.name}/{kind.name}/{entry.name}"
                        yield BlobInfo(key, entry.stat().st_mtime)


def _subdirs(path: Path) -> list[Path]:
    return [Path(e.path) for e in os.scandir(path) if e.is_dir()]


def _chunks(f: Any) -> Iterator[bytes]:
    with f:
        while chunk := f.read(CHUNK):
            yield chunk


class S3Blobs:
    """Blobs as objects of an S3-compatible bucket, under an optional prefix."""

    def __init__(self, client: S3Client, bucket: str, prefix: str, staging_dir: Path) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.staging_dir = staging_dir

    def staging(self) -> Path:
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.staging_dir, prefix="upload-")
        os.close(fd)
        return Path(name)

    def _name(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def put(self, key: str, staged: Path) -> None:
        # upload_file streams the file (multipart above 8 MB): constant memory whatever its size.
        self.client.upload_file(str(staged), self.bucket, self._name(key))
        staged.unlink(missing_ok=True)

    def open(self, key: str) -> Iterator[bytes]:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise KeyError(key) from None
        body = found["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return chunks()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def list(self) -> Iterator[BlobInfo]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix) :]
                if key.count("/") == 2:
                    yield BlobInfo(key, obj["LastModified"].timestamp())


def open_blobs(blob_url: str, data_dir: Path, *, s3_endpoint_url: str = "", s3_region: str = "") -> BlobStore:
    """The backend ``blob_url`` names: empty for files under ``data_dir``, ``s3://bucket/prefix``."""
    if not blob_url:
        return FileBlobs(data_dir.resolve() / "blobs")
    parts = urlsplit(blob_url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"CRMLINK_BLOB_URL must be empty or s3://bucket[/prefix], not {blob_url!r}")
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint_url or None, region_name=s3_region or None)
    return S3Blobs(client, parts.netloc, parts.path, data_dir.resolve() / "blobs-staging")
