"""The one place where exceptions become responses, in Zoho's request-level envelope."""

from __future__ import annotations

import logging

from litestar import Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
)

from crmlink.api.context import Req
from crmlink.api.responses import json_response
from crmlink.errors import (
    CRMError,
    InternalError,
    InvalidData,
    InvalidRequestMethod,
    InvalidUrlPattern,
    RequestTooLarge,
)

log = logging.getLogger("crmlink")


def crm_error_response(error: CRMError) -> Response[bytes]:
    return json_response(error.body(), error.status_code, error.headers or None)


def handle_crm_error(_request: Req, exc: CRMError) -> Response[bytes]:
    return crm_error_response(exc)


def handle_http_exception(_request: Req, exc: HTTPException) -> Response[bytes]:
    """Framework-raised errors (routing, body size) mapped to Zoho's codes."""
    if isinstance(exc, NotFoundException):
        return crm_error_response(InvalidUrlPattern())
    if isinstance(exc, MethodNotAllowedException):
        return crm_error_response(InvalidRequestMethod())
    if exc.status_code == 413:
        return crm_error_response(RequestTooLarge())
    if exc.status_code >= 500:
        return crm_error_response(InternalError())
    return crm_error_response(InvalidData())


def handle_unexpected(request: Req, exc: Exception) -> Response[bytes]:
    # Logged without the traceback at the default level: no SQL, paths or secrets leak into
    # logs either. Set CRMLINK_LOG_LEVEL=debug to see tracebacks.
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    log.debug("traceback", exc_info=exc)
    return crm_error_response(InternalError())
