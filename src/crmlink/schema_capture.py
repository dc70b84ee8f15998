"""``crmlink schema capture``: copy an org's schema over HTTP (Zoho's API or a crmlink server).

Three calls per module, each answered as the folder stores it (``domain/schema_io.py``):
``GET /settings/modules`` once, then ``/settings/fields?module=`` and
``/settings/related_lists?module=`` for every module (one the server will not describe is
noted and left out, the rest of the capture goes on). The token
is sent only as the Authorization header and never printed.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec


class CaptureError(Exception):
    pass


def _pretty(obj: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(obj), indent=2) + b"\n"


def capture(
    api_domain: str, token: str, api_version: str = "v2.1", *, transport: httpx.BaseTransport | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """The captured folder's files, and notes on modules whose metadata could not be read."""
    base = f"{api_domain.rstrip('/')}/crm/{api_version}/settings"
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    notes: list[str] = []
    with httpx.Client(headers=headers, timeout=60, transport=transport) as client:

        def get(path: str, params: dict[str, str] | None = None) -> Any:
            try:
                response = client.get(f"{base}/{path}", params=params)
            except httpx.HTTPError as exc:
                raise CaptureError(f"GET {path}: {exc}") from None
            if response.status_code == 204:
                return None
            if response.status_code != 200:
                raise CaptureError(
                    f"GET {path} {params or ''}: HTTP {response.status_code} {response.text[:300]}"
                )
            return response.json()

        modules = get("modules")
        if not modules or not isinstance(modules.get("modules"), list):
            raise CaptureError("GET modules: no modules in the answer")
        files = {"modules.json": _pretty(modules)}
        for m in modules["modules"]:
            name = m.get("api_name")
            if not isinstance(name, str):
                continue
            for kind in ("fields", "related_lists"):
                try:
                    answer = get(kind, {"module": name})
                except CaptureError as exc:
                    notes.append(f"skipped {kind} of {name}: {exc}")
                    continue
                files[f"{kind}/{name}.json"] = _pretty(answer if answer is not None else {kind: []})
    return files, notes
