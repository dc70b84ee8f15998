"""The blob store: both backends (files, and S3 through moto's real HTTP server), the order of
blob and row writes, ``crmlink gc``, and streamed uploads against a real ``crmlink serve``."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from crmlink.api.context import Services
from crmlink.app import create_app, open_services
from crmlink.cli import main
from crmlink.config import Settings
from crmlink.domain import attachments as att
from crmlink.domain.auth import actor_for_token
from crmlink.errors import InvalidData
from crmlink.storage.blobs import BlobStore, FileBlobs, new_key, open_blobs
from crmlink.storage.sweep import sweep_orphans
from tests.conftest import make_bucket
from tests.factories import OrgFactory, TestOrg
from tests.servers import crmlink_server
from tests.test_body_limit import _peak_rss_kb
from tests.test_limits import live_org

V = "v2.1"


@pytest.fixture(params=["file", "s3"])
def blob_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Settings fields selecting one backend (a fresh directory or bucket each test)."""
    if request.param == "file":
        return {"data_dir": tmp_path}
    endpoint: str = request.getfixturevalue("s3_endpoint")
    return {
        "data_dir": tmp_path,
        "blob_url": f"s3://{make_bucket(endpoint)}/crm",
        "s3_endpoint_url": endpoint,
    }


def _store(fields: dict[str, Any]) -> BlobStore:
    s = Settings(**fields)
    return open_blobs(s.blob_url, s.data_dir, s3_endpoint_url=s.s3_endpoint_url, s3_region=s.s3_region)


def _stage(store: BlobStore, content: bytes) -> Path:
    path = store.staging()
    path.write_bytes(content)
    return path


def test_backend_put_open_list_delete(blob_settings: dict[str, Any]) -> None:
    store = _store(blob_settings)
    content = os.urandom(700_000)  # several chunks
    key = new_key(42, "attachments")
    staged = _stage(store, content)
    store.put(key, staged)
    assert not staged.exists()
    assert b"".join(store.open(key)) == content
    assert [b.key for b in store.list()] == [key]
    store.delete(key)
    store.delete(key)  # missing: no error
    assert list(store.list()) == []
    with pytest.raises(KeyError):
        store.open(key)
    with pytest.raises(ValueError):
        store.open("42/attachments/../../etc")


@pytest.fixture
def s3_services(database_url: str, s3_endpoint: str, tmp_path: Path) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        blob_url=f"s3://{make_bucket(s3_endpoint)}",
        s3_endpoint_url=s3_endpoint,
    )
    svc = open_services(settings)
    yield svc
    svc.db.dispose()


def test_attachments_round_trip_through_s3(s3_services: Services) -> None:
    org = OrgFactory(s3_services).create()
    content = os.urandom(1_500_000)
    with TestClient(create_app(s3_services.settings, s3_services)) as client:
        lead = org.create(client, "Leads")[0]
        url = f"/crm/{V}/Leads/{lead}/Attachments"
        aid = client.post(url, files={"file": ("big.bin", content)}, headers=org.headers).json()["data"][0][
            "details"
        ]["id"]
        got = client.get(f"{url}/{aid}", headers=org.headers)
        assert got.status_code == 200 and got.content == content
        assert got.headers["content-length"] == str(len(content))
        keys = [b.key for b in s3_services.blobs.list()]
        assert len(keys) == 1 and keys[0].startswith(f"{org.org_id}/attachments/")
        assert client.delete(f"{url}/{aid}", headers=org.headers).status_code == 200
        assert list(s3_services.blobs.list()) == []
    # Nothing was staged on local disk past the upload.
    assert not any((s3_services.settings.data_dir / "blobs-staging").iterdir())


def _services(database_url: str, fields: dict[str, Any]) -> Services:
    return open_services(Settings(database_url=database_url, **fields))


def test_a_failed_row_write_leaves_a_blob_only_and_gc_sweeps_it(
    database_url: str, blob_settings: dict[str, Any]
) -> None:
    """The order that makes a crash safe: blob first, then the row. A row that does not get
    written (here: its parent is gone) leaves an orphan blob, never a row without bytes."""
    svc = _services(database_url, blob_settings)
    try:
        org = OrgFactory(svc).create()
        with TestClient(create_app(svc.settings, svc)) as client:
            lead = org.create(client, "Leads")[0]
            kept = client.post(
                f"/crm/{V}/Leads/{lead}/Attachments", files={"file": ("k.txt", b"kept")}, headers=org.headers
            )
            assert kept.status_code == 200
        orphan = new_key(org.org_id, "attachments")
        svc.blobs.put(orphan, _stage(svc.blobs, b"bytes whose row never came"))
        with svc.db.write() as conn:
            actor = actor_for_token(conn, org.token)
            leads = svc.catalog.module_map["Leads"]
            with pytest.raises(InvalidData):
                att.add_file(
                    conn, svc.catalog, svc.ids, actor, leads, 1, file_name="x", size=26, blob_key=orphan
                )
        assert len(list(svc.blobs.list())) == 2
        young = sweep_orphans(svc.db, svc.blobs, older_than=3600)
        assert young.removed == 0  # an upload in flight is young: left alone
        result = sweep_orphans(svc.db, svc.blobs, older_than=0)
        assert result.removed == 1
        remaining = [b.key for b in svc.blobs.list()]
        assert orphan not in remaining and len(remaining) == 1
    finally:
        svc.db.dispose()


def test_gc_command_sweeps_blobs_of_deleted_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gc.db'}"
    svc = _services(url, {"data_dir": tmp_path})
    try:
        org = OrgFactory(svc).create()
        with TestClient(create_app(svc.settings, svc)) as client:
            lead = org.create(client, "Leads")[0]
            client.post(
                f"/crm/{V}/Leads/{lead}/Attachments", files={"file": ("a", b"abc")}, headers=org.headers
            )
            assert client.delete(f"/crm/{V}/Leads/{lead}", headers=org.headers).status_code == 200
        assert len(list(svc.blobs.list())) == 1
    finally:
        svc.db.dispose()
    result = CliRunner().invoke(
        main, ["gc", "--data-dir", str(tmp_path), "--database-url", url, "--older-than", "0", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"checked": 1, "removed": 1, "staging_removed": 0}
    assert list(FileBlobs(tmp_path / "blobs").list()) == []


# --- a real server: limits and memory --------------------------------------------------------


def _multipart_head(boundary: str, name: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def _upload_stream(base_url: str, path: str, org: TestOrg, size: int, announce: bool) -> tuple[int, bytes]:
    """Send a ``size``-byte file as multipart over a raw socket until the server answers."""
    boundary = "crmlinkboundary"
    head, tail = _multipart_head(boundary, "big.bin"), f"\r\n--{boundary}--\r\n".encode()
    total = len(head) + size + len(tail)
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    framing = f"Content-Length: {total}" if announce else "Transfer-Encoding: chunked"
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {org.headers['Authorization']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n\r\n".encode()
    )
    sent = 0
    chunk = b"\0" * (256 * 1024)
    import select

    def send(piece: bytes) -> None:
        sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if not announce else piece)

    try:
        send(head)
        while sent < size:
            if select.select([sock], [], [], 0)[0]:
                break
            piece = chunk[: size - sent]
            send(piece)
            sent += len(piece)
        else:
            send(tail)
            if not announce:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    sock.settimeout(20)
    answer = b""
    try:
        while not (b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}")):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    return sent, answer


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_upload_over_the_limit_is_413_and_stores_nothing(tmp_path: Path, announce: bool) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    org = live_org(url)
    env = {"CRMLINK_MAX_UPLOAD_BYTES": str(2 * 1024 * 1024)}
    with crmlink_server(tmp_path, database_url=url, env=env) as server:
        lead = httpx.post(
            f"{server.base_url}/crm/{V}/Leads", json={"data": [{"Last_Name": "Big"}]}, headers=org.headers
        ).json()["data"][0]["details"]["id"]
        path = f"/crm/{V}/Leads/{lead}/Attachments"
        sent, answer = _upload_stream(server.base_url, path, org, 20 * 1024 * 1024, announce)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), answer[:300]
        assert json.loads(body)["code"] == "REQUEST_ENTITY_TOO_LARGE"
        assert sent < 12 * 1024 * 1024  # the server stopped reading
        listed = httpx.get(f"{server.base_url}{path}", headers=org.headers)
        assert listed.status_code == 204
    data = tmp_path / "data"
    assert list(FileBlobs(data / "blobs").list()) == []
    staging = data / "blobs-staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_an_sdk_style_upload_over_the_limit_reads_its_413_on_a_live_connection(
    tmp_path: Path, live_database_url: str
) -> None:
    """Issue 13, bad input: a client that writes the whole multipart body before reading (httpx,
    as the SDKs do) gets the 413 in Zoho's envelope, not a reset; the same connection serves
    the next call; nothing is stored (no row, no blob, no staging file). Both engines."""
    org = live_org(live_database_url)
    env = {"CRMLINK_MAX_UPLOAD_BYTES": str(1024 * 1024)}
    with (
        crmlink_server(tmp_path, database_url=live_database_url, env=env) as server,
        httpx.Client(timeout=60) as http,
    ):
        lead = http.post(
            f"{server.base_url}/crm/{V}/Leads", json={"data": [{"Last_Name": "Big"}]}, headers=org.headers
        ).json()["data"][0]["details"]["id"]
        path = f"{server.base_url}/crm/{V}/Leads/{lead}/Attachments"
        answer = http.post(path, files={"file": ("big.bin", b"x" * (3 * 1024 * 1024))}, headers=org.headers)
        assert answer.status_code == 413, answer.text
        assert answer.json()["code"] == "REQUEST_ENTITY_TOO_LARGE"
        after = http.get(path, headers=org.headers)
        assert after.status_code == 204, after.text
        port = answer.extensions["network_stream"].get_extra_info("client_addr")
        assert after.extensions["network_stream"].get_extra_info("client_addr") == port
        small = http.post(path, files={"file": ("ok.txt", b"fine")}, headers=org.headers)
        assert small.status_code == 200, small.text
    data = tmp_path / "data"
    assert len(list(FileBlobs(data / "blobs").list())) == 1  # only the small file's
    staging = data / "blobs-staging"
    assert not staging.exists() or not any(staging.iterdir())


def test_30_mb_upload_and_download_use_constant_memory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mem.db'}"
    org = live_org(url)
    size = 30 * 1024 * 1024
    with crmlink_server(tmp_path, database_url=url) as server:
        lead = httpx.post(
            f"{server.base_url}/crm/{V}/Leads", json={"data": [{"Last_Name": "Mem"}]}, headers=org.headers
        ).json()["data"][0]["details"]["id"]
        path = f"/crm/{V}/Leads/{lead}/Attachments"
        # Warm up the route (imports, first allocations), then measure the peak around 30 MB.
        _upload_stream(server.base_url, path, org, 1024, True)
        before = _peak_rss_kb(server.process.pid)
        _sent, answer = _upload_stream(server.base_url, path, org, size, True)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        aid = json.loads(answer.partition(b"\r\n\r\n")[2])["data"][0]["details"]["id"]
        received = 0
        with httpx.stream("GET", f"{server.base_url}{path}/{aid}", headers=org.headers) as response:
            assert response.headers["content-length"] == str(size)
            for piece in response.iter_bytes():
                received += len(piece)
        after = _peak_rss_kb(server.process.pid)
    assert received == size
    assert after - before < 10 * 1024, (before, after)  # KB: far below the 30 MB moved each way
    time.sleep(0)
