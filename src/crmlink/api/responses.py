"""JSON responses as Zoho sends them: ``application/json;charset=utf-8``, also on 204 and 304."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response

JSON = "application/json;charset=utf-8"

_encoder = msgspec.json.Encoder()


def json_response(
    body: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return Response(content=_encoder.encode(body), status_code=status_code, media_type=JSON, headers=headers)


def empty_response(status_code: int) -> Response[bytes]:
    """204 No Content / 304 Not Modified: no body, but still Zoho's Content-Type."""
    # Litestar sets no Content-Type on bodiless statuses unless the header is given explicitly.
    return Response(content=b"", status_code=status_code, headers={"content-type": JSON})


def results_response(results: list[dict[str, Any]], *, all_ok_status: int = 200) -> Response[bytes]:
    """A per-item result list: ``all_ok_status`` when all succeeded, 207 mixed, 400 none."""
    ok = sum(1 for r in results if r.get("status") == "success")
    if ok == len(results):
        status = all_ok_status
    elif ok == 0:
        status = 400
    else:
        status = 207
    return json_response({"data": results}, status)
