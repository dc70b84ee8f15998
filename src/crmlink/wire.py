"""The HTTP/1.1 protocol crmlink serves with: uvicorn's httptools protocol, answering a request
its parser cannot read (a malformed request line, a URL or header block over the parser's
bounds) in Zoho's error envelope instead of uvicorn's plain-text 400."""

from __future__ import annotations

import msgspec
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from crmlink.errors import InvalidData

UNREADABLE_REQUEST = msgspec.json.encode(
    {
        "code": InvalidData.code,
        "details": {},
        "message": "the request could not be read as HTTP/1.1",
        "status": "error",
    }
)


class ZohoHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with Zoho's JSON error for requests the parser refuses."""

    def send_400_response(self, msg: str) -> None:
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json;charset=utf-8\r\n",
                b"content-length: " + str(len(UNREADABLE_REQUEST)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                UNREADABLE_REQUEST,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
