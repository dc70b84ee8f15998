"""How values look on console pages: Jinja filters, and the headers every page carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# No inline scripts or styles: htmx and the stylesheet are files served by crmlink itself.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


def show(value: Any) -> str:
    """A field value as text: a lookup's name, a list's items, nothing for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    return str(value)


def ref_id(value: Any) -> str | None:
    """The id of a lookup value (``{"name","id"}``), else None."""
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


FILTERS: dict[str, Callable[..., Any]] = {"show": show, "ref_id": ref_id}
