"""The error hierarchy. Each class carries its HTTP status and Zoho code.

One handler (``crmlink.api.errors``) turns any of them into Zoho's request-level envelope
``{"code","details","message","status":"error"}``; per-item outcomes of bulk calls use the same
classes as *values* (``as_item()``), never raised::

    CRMError
    ├── InvalidData                  400 INVALID_DATA            (also: bad related id, bad relation name)
    │   └── UnableToParseDataType    400 UNABLE_TO_PARSE_DATA_TYPE
    ├── InvalidModule                400 INVALID_MODULE
    ├── MandatoryNotFound            400 MANDATORY_NOT_FOUND
    ├── RequiredParamMissing         400 REQUIRED_PARAM_MISSING
    ├── LimitExceeded                400 LIMIT_EXCEEDED
    ├── InvalidRequestMethod         400 INVALID_REQUEST_METHOD
    ├── AuthorizationFailed          400 AUTHORIZATION_FAILED
    ├── DuplicateData                400 DUPLICATE_DATA
    ├── InvalidQuery                 400 INVALID_QUERY           (search criteria, COQL semantics)
    ├── CoqlSyntaxError              400 SYNTAX_ERROR
    ├── LimitReached                 400 LIMIT_REACHED           (search past record 2,000)
    ├── PatternNotMatched            400 PATTERN_NOT_MATCHED
    ├── AuthenticationFailure        401 AUTHENTICATION_FAILURE
    ├── InvalidToken                 401 INVALID_TOKEN
    ├── OAuthScopeMismatch           401 OAUTH_SCOPE_MISMATCH
    ├── NoPermission                 403 NO_PERMISSION
    ├── InvalidUrlPattern            404 INVALID_URL_PATTERN
    ├── NotFound                     404 NOT_FOUND
    ├── RequestTooLarge              413 REQUEST_ENTITY_TOO_LARGE
    ├── TooManyRequests              429 TOO_MANY_REQUESTS
    └── InternalError                500 INTERNAL_ERROR
"""

from __future__ import annotations

from typing import Any, ClassVar


class CRMError(Exception):
    """Base of every error crmlink answers; never raised itself."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "INVALID_DATA"
    default_message: ClassVar[str] = "invalid data"

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.details: dict[str, Any] = details if details is not None else {}
        self.headers: dict[str, str] = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        """Zoho's envelope, keys in Zoho's (alphabetical) order."""
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}

    # Per-item outcomes carry the same shape.
    as_item = body


class InvalidData(CRMError):
    """Bad input: a wrong type, an unknown id, an unknown relation name, malformed JSON."""


class UnableToParseDataType(CRMError):
    """A parameter or body that cannot be parsed into the expected type (non-numeric ids)."""

    code = "UNABLE_TO_PARSE_DATA_TYPE"
    default_message = "either the request body or parameters is in wrong format"


class InvalidModule(CRMError):
    """The module in the path (or a parameter) is not a module this server knows or serves."""

    code = "INVALID_MODULE"
    default_message = "the module name given seems to be invalid"


class MandatoryNotFound(CRMError):
    """A mandatory field (or ``data`` itself) is missing."""

    code = "MANDATORY_NOT_FOUND"
    default_message = "required field not found"


class RequiredParamMissing(CRMError):
    """A required query parameter is missing."""

    code = "REQUIRED_PARAM_MISSING"
    default_message = "One of the expected parameter is missing"


class LimitExceeded(CRMError):
    """More items than one call may carry."""

    code = "LIMIT_EXCEEDED"
    default_message = "Limit Exceeded"


class InvalidRequestMethod(CRMError):
    """The path exists but not with this HTTP method."""

    code = "INVALID_REQUEST_METHOD"
    default_message = "The http request method type is not a valid one"


class AuthorizationFailed(CRMError):
    """The user may act on the parent module but not view the related one."""

    code = "AUTHORIZATION_FAILED"
    default_message = "User does not have sufficient privilege to update related records data"


class DuplicateData(CRMError):
    """A unique field's value is taken."""

    code = "DUPLICATE_DATA"
    default_message = "duplicate data"


class InvalidQuery(CRMError):
    """A search criteria or COQL query that names unknown fields, bad operators or bad values."""

    code = "INVALID_QUERY"
    default_message = "invalid query formed"


class CoqlSyntaxError(CRMError):
    """A COQL query that does not parse (Zoho's message, typo included)."""

    code = "SYNTAX_ERROR"
    default_message = "error occured while parsing the query"


class LimitReached(CRMError):
    """Search paging past the 2,000th record."""

    code = "LIMIT_REACHED"
    default_message = "maximum response iteration limit reached"


class PatternNotMatched(CRMError):
    """A parameter outside its allowed values (``type`` of the deleted-records list)."""

    code = "PATTERN_NOT_MATCHED"
    default_message = "Please check whether the input values are correct"


class NotFound(CRMError):
    """A well-formed id that names nothing where Zoho answers 404 (an unknown mass update job)."""

    status_code = 404
    code = "NOT_FOUND"
    default_message = "Empty response"


class AuthenticationFailure(CRMError):
    """No (usable) Authorization header."""

    status_code = 401
    code = "AUTHENTICATION_FAILURE"
    default_message = "Authentication failed"


class InvalidToken(CRMError):
    """An unknown, expired or revoked access token."""

    status_code = 401
    code = "INVALID_TOKEN"
    default_message = "invalid oauth token"


class OAuthScopeMismatch(CRMError):
    """The token's scopes do not cover this route."""

    status_code = 401
    code = "OAUTH_SCOPE_MISMATCH"
    default_message = "invalid oauth scope to access this URL"


class NoPermission(CRMError):
    """The user's profile lacks the permission."""

    status_code = 403
    code = "NO_PERMISSION"
    default_message = "permission denied"


class InvalidUrlPattern(CRMError):
    """No route matches the path."""

    status_code = 404
    code = "INVALID_URL_PATTERN"
    default_message = "Please check if the URL trying to access is a correct one"


class RequestTooLarge(CRMError):
    """The body is over the configured limit."""

    status_code = 413
    code = "REQUEST_ENTITY_TOO_LARGE"
    default_message = "the request body is too large"


class TooManyRequests(CRMError):
    """API credits or the concurrency cap are exhausted."""

    status_code = 429
    code = "TOO_MANY_REQUESTS"
    default_message = "too many requests"


class InternalError(CRMError):
    """Anything unexpected. Nothing internal goes into the body."""

    status_code = 500
    code = "INTERNAL_ERROR"
    default_message = "Internal server error occurred."
