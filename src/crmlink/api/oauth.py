"""The OAuth 2.0 accounts server: ``/oauth/v2/token``, ``/oauth/v2/token/revoke``, ``/oauth/v2/auth``.

The token endpoint answers the way Zoho's accounts server does: success and refusal both with
HTTP 200, a refusal as ``{"error": "<code>"}`` (codes in ``crmlink.domain.oauth``). Parameters
are read from a form body (url-encoded or multipart, as the SDKs post them) and from the query
string; the body wins when both carry one. No Authorization header is needed here.
"""

from __future__ import annotations

from litestar import Response, post

from crmlink.api.consent import ROUTES as CONSENT_ROUTES
from crmlink.api.context import Req, services
from crmlink.api.params import form_params
from crmlink.api.responses import json_response
from crmlink.domain import oauth
from crmlink.domain.oauth import OAuthErrorCode, OAuthRefusal, Tokens
from crmlink.storage.connection import Connection

Req = Req


def api_domain(request: Req) -> str:
    """``Settings.api_domain``, else the origin this request came to."""
    configured = services(request).settings.api_domain
    if configured:
        return configured.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


@post("/oauth/v2/token", status_code=200)
async def token(request: Req) -> Response[bytes]:
    svc = services(request)
    p = await form_params(request)
    grant_type = p.get("grant_type", "")
    client_id, client_secret = p.get("client_id", ""), p.get("client_secret", "")
    ttl = svc.settings.access_token_ttl
    if grant_type not in ("authorization_code", "refresh_token"):
        return _no_store(json_response(OAuthRefusal(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE).body()))

    def work(conn: Connection) -> Tokens | OAuthRefusal:
        if grant_type == "authorization_code":
            return oauth.exchange_code(
                conn,
                client_id=client_id,
                client_secret=client_secret,
                code=p.get("code", ""),
                redirect_uri=p.get("redirect_uri") or None,
                access_ttl=ttl,
            )
        return oauth.refresh_access_token(
            conn,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=p.get("refresh_token", ""),
            access_ttl=ttl,
        )

    result = await svc.db.transact(work)
    if isinstance(result, OAuthRefusal):
        return _no_store(json_response(result.body()))
    body: dict[str, object] = {"access_token": result.access_token}
    if result.refresh_token is not None:
        body["refresh_token"] = result.refresh_token
    body.update({"api_domain": api_domain(request), "token_type": "Bearer", "expires_in": result.expires_in})
    return _no_store(json_response(body))


@post("/oauth/v2/token/revoke", status_code=200)
async def revoke(request: Req) -> Response[bytes]:
    """Revoke a refresh token (and its access tokens) or one access token: 200
    ``{"status":"success"}``; an unknown or already revoked token: 400 ``{"error":"invalid_token"}``."""
    svc = services(request)
    value = (await form_params(request)).get("token", "")
    if not value:
        return _no_store(json_response({"error": "invalid_request"}, 400))

    def work(conn: Connection) -> bool:
        return oauth.revoke_token(conn, value)

    if not await svc.db.transact(work):
        return _no_store(json_response({"error": "invalid_token"}, 400))
    return _no_store(json_response({"status": "success"}))


def _no_store(response: Response[bytes]) -> Response[bytes]:
    # RFC 6749 5.1: token responses must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


ROUTES = [token, revoke, *CONSENT_ROUTES]

__all__ = ["ROUTES", "api_domain"]
