"""A body over the limit is refused with 413 in Zoho's envelope without being read whole,
whether its size is announced (Content-Length) or not (chunked)."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crmlink.config import Settings
from tests.servers import Server, crmlink_server
from tests.test_limits import live_org

TWENTY_MB = 20 * 1024 * 1024
CHUNK = 256 * 1024


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _send_until_answered(
    server: Server, authorization: str, *, chunked: bool, target: str = "POST /crm/v2.1/Leads"
) -> tuple[int, bytes]:
    """Stream a 20 MB body until the server answers; (bytes of body sent, the answer)."""
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {TWENTY_MB}"
    sock.sendall(
        f"{target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode()
    )
    sent, answer = 0, b""
    payload = b" " * CHUNK
    try:
        while sent < TWENTY_MB:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = f"{CHUNK:x}\r\n".encode() + payload + b"\r\n" if chunked else payload
            sock.sendall(piece)
            sent += CHUNK
        if chunked and sent >= TWENTY_MB:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    sock.settimeout(10)
    try:
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    return sent, answer


TARGETS = [
    pytest.param("POST /crm/v2.1/Leads", id="records"),
    pytest.param("PUT /crm/v2.1/Price_Books/1/Products", id="related"),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_20_mb_body_is_refused_without_being_read(tmp_path: Path, chunked: bool, target: str) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    org = live_org(url)
    limit = Settings().max_body_bytes
    with crmlink_server(tmp_path, database_url=url) as server:
        before = _peak_rss_kb(server.process.pid)
        sent, answer = _send_until_answered(
            server, org.headers["Authorization"], chunked=chunked, target=target
        )
        after = _peak_rss_kb(server.process.pid)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"content-type: application/json;charset=utf-8" in head.lower()
    assert json.loads(body) == {
        "code": "REQUEST_ENTITY_TOO_LARGE",
        "details": {},
        "message": "the request body is too large",
        "status": "error",
    }
    # The server stopped reading near the limit: the client could not push the 20 MB through
    # (socket buffers hold a few MB), and the server's peak memory did not grow by the body.
    assert sent < TWENTY_MB - 4 * 1024 * 1024, sent
    assert after - before < (TWENTY_MB // 1024) // 2, (before, after)
    assert limit < TWENTY_MB


def _whole_body(chunked: bool) -> bytes | Iterator[bytes]:
    if not chunked:
        return b" " * TWENTY_MB
    return (b" " * CHUNK for _ in range(TWENTY_MB // CHUNK))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_client_that_sends_the_whole_body_first_gets_the_413(
    tmp_path: Path, chunked: bool, target: str
) -> None:
    """Most HTTP clients (httpx, requests, the SDKs) write the whole body before they read the
    answer. The server discards what it will not use instead of closing on it, so such a client
    reads the 413 (no connection reset) and may go on using the same connection."""
    url = f"sqlite:///{tmp_path / 'big.db'}"
    org = live_org(url)
    method, path = target.split(" ")
    with crmlink_server(tmp_path, database_url=url) as server, httpx.Client(timeout=60) as http:
        answer = http.request(
            method,
            server.base_url + path,
            content=_whole_body(chunked),
            headers={**org.headers, "Content-Type": "application/json"},
        )
        assert answer.status_code == 413, answer.text
        assert answer.json() == {
            "code": "REQUEST_ENTITY_TOO_LARGE",
            "details": {},
            "message": "the request body is too large",
            "status": "error",
        }
        # The same connection (the same local port) serves the next call.
        after = http.get(server.base_url + "/crm/v2.1/Leads", headers=org.headers)
        assert after.status_code in (200, 204), after.text
        assert _local_address(after) == _local_address(answer)


def _local_address(response: httpx.Response) -> object:
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_a_request_the_parser_cannot_read_gets_zohos_envelope(tmp_path: Path) -> None:
    """A URL past the HTTP parser's bounds is answered in Zoho's JSON error, not uvicorn's
    plain-text 400 (schemathesis found it with a 70 KB search criteria)."""
    with crmlink_server(tmp_path) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            criteria = "%F3%9D%96%A5" * 6000
            sock.sendall(f"GET /crm/v2/Leads/search?criteria={criteria} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"content-type: application/json;charset=utf-8" in head.lower()
    assert json.loads(body) == {
        "code": "INVALID_DATA",
        "details": {},
        "message": "the request could not be read as HTTP/1.1",
        "status": "error",
    }
