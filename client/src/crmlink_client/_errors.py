"""The errors this client raises. Request-level failures only: per-item outcomes of bulk calls
are values (:class:`~crmlink_client.ItemResult`), never exceptions.

::

    CRMError                    any request-level error answer: code, message, details, status_code
    ├── AuthError               401: INVALID_TOKEN, AUTHENTICATION_FAILURE, OAUTH_SCOPE_MISMATCH
    │   └── TokenError          the accounts (token) endpoint refused: {"error": "invalid_code"}
    ├── PermissionDenied        403 NO_PERMISSION, or AUTHORIZATION_FAILED
    ├── NotFound                404 INVALID_URL_PATTERN, or a single-record GET that found nothing
    ├── ValidationError         other 4xx: INVALID_DATA, INVALID_MODULE, LIMIT_EXCEEDED, ...
    ├── RateLimited             429 TOO_MANY_REQUESTS, with retry_after
    └── ServerError             5xx: INTERNAL_ERROR, or a body that is not Zoho's

Transport failures (connection refused, timeouts) are httpx's own exceptions and pass through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ._results import ItemResult


class CRMError(Exception):
    """A request the server rejected as a whole (Zoho's envelope without ``data``)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        details: Mapping[str, Any] | None = None,
        status_code: int = 0,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.status_code = status_code
        self.response = response
        #: Results of the chunks that had already succeeded when a chunked call failed part-way.
        self.completed: list[ItemResult] = []

    def body(self) -> dict[str, Any]:
        """The error as Zoho's envelope ``{"code","details","message","status":"error"}``."""
        return {
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        }

    def __str__(self) -> str:
        where = f"HTTP {self.status_code} " if self.status_code else ""
        return f"{where}{self.code or type(self).__name__}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status_code={self.status_code!r})"
        )


class AuthError(CRMError):
    """Raised on 401: the token is missing, invalid or expired, or lacks the scope."""


class TokenError(AuthError):
    """Raised when the accounts endpoint answers without an access token (``{"error": ...}``)."""


class PermissionDenied(CRMError):
    """Raised on 403 NO_PERMISSION and on AUTHORIZATION_FAILED."""


class NotFound(CRMError):
    """Raised on 404 (INVALID_URL_PATTERN) and when a single-record GET answers 204."""


class ValidationError(CRMError):
    """Raised on a request-level 4xx not covered above (INVALID_DATA, LIMIT_EXCEEDED, ...)."""


class RateLimited(CRMError):
    """Raised on 429 once retries (if any) are used up; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(CRMError):
    """Raised on 5xx, and on any error answer whose body is not Zoho's JSON envelope."""


_BY_CODE: dict[str, type[CRMError]] = {
    "INVALID_TOKEN": AuthError,
    "AUTHENTICATION_FAILURE": AuthError,
    "OAUTH_SCOPE_MISMATCH": AuthError,
    "NO_PERMISSION": PermissionDenied,
    "AUTHORIZATION_FAILED": PermissionDenied,
    "INVALID_URL_PATTERN": NotFound,
    "TOO_MANY_REQUESTS": RateLimited,
    "INTERNAL_ERROR": ServerError,
}


def _class_for(status_code: int, code: str) -> type[CRMError]:
    if status_code == 401:
        return AuthError
    if status_code == 403:
        return PermissionDenied
    if status_code == 404:
        return NotFound
    if status_code == 429:
        return RateLimited
    if status_code >= 500:
        return ServerError
    if code in _BY_CODE:
        return _BY_CODE[code]
    if 400 <= status_code < 500:
        return ValidationError
    return CRMError


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> CRMError:
    """Build the error for a request-level failure answer (or an answer this client can't read)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "code" in body:
        code = str(body.get("code", ""))
        message = str(body.get("message", ""))
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        cls = _class_for(status, code)
    else:
        code, details = "", {}
        message = response.text.strip()[:200] or response.reason_phrase or "unreadable answer"
        cls = _class_for(status, "") if status >= 400 else ServerError
    if cls is RateLimited:
        return RateLimited(
            message,
            retry_after=retry_after,
            code=code,
            details=details,
            status_code=status,
            response=response,
        )
    return cls(message, code=code, details=details, status_code=status, response=response)
