"""The accounts server's rules: clients, grant tokens, token exchange, refresh and revocation.

Every function takes an open connection inside the caller's write transaction, so each
exchange is one transaction. Secrets (client secrets, grant codes, access and refresh tokens)
are returned once, at creation, and stored only as SHA-256 digests; lookups go by digest and
the digest is compared again in constant time.

Refusals are *values*, not exceptions: Zoho's accounts server answers them with HTTP 200 and
``{"error": "<code>"}``. The codes (see ``docs/auth.md``):

- ``unsupported_grant_type``: ``grant_type`` is neither ``authorization_code`` nor ``refresh_token``;
- ``invalid_client``: unknown ``client_id``, or a wrong ``client_secret``;
- ``invalid_code``: a grant token that is unknown, expired, already used or issued to another
  client; a refresh token that is unknown, revoked or issued to another client;
- ``invalid_redirect_uri``: the grant was issued for a ``redirect_uri`` and the exchange names
  another one (or none).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from crmlink.domain.auth import (
    digest,
    new_token,
    same_digest,
    store_access_token,
    store_refresh_token,
    unknown_scope,
)
from crmlink.domain.catalog_data import CATALOG
from crmlink.domain.clock import now_us, org_now_us
from crmlink.errors import InvalidData
from crmlink.storage import oauth as store
from crmlink.storage import revocation
from crmlink.storage import tokens as token_store
from crmlink.storage.connection import Connection
from crmlink.storage.users import user_active

_CLIENT_ID_ALPHABET = string.ascii_uppercase + string.digits
_US = 1_000_000
# How long a grant token is remembered after it expires (to detect a second use).
GRANT_MEMORY = 24 * 3600


class OAuthErrorCode(StrEnum):
    """The ``error`` values the token endpoint answers (HTTP 200, as Zoho's accounts server)."""

    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    INVALID_CLIENT = "invalid_client"
    INVALID_CODE = "invalid_code"
    INVALID_REDIRECT_URI = "invalid_redirect_uri"


@dataclass(frozen=True, slots=True)
class OAuthRefusal:
    """A refused exchange: rendered as ``{"error": code}``."""

    error: OAuthErrorCode

    def body(self) -> dict[str, str]:
        return {"error": str(self.error)}


@dataclass(frozen=True, slots=True)
class NewClient:
    client_id: str
    client_secret: str  # shown once
    name: str
    redirect_uris: list[str]


@dataclass(frozen=True, slots=True)
class ClientInfo:
    client_id: str
    org_id: int
    name: str
    redirect_uris: list[str]


@dataclass(frozen=True, slots=True)
class Tokens:
    """A successful exchange. ``refresh_token`` is None on a refresh (Zoho sends none then)."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


def new_client_id() -> str:
    """``1000.`` and 30 upper-case letters and digits, as Zoho's client ids look."""
    return "1000." + "".join(secrets.choice(_CLIENT_ID_ALPHABET) for _ in range(30))


def normalize_scope(scope: str) -> str:
    """Scopes as given, comma-joined without blanks. ``InvalidData`` when there are none, or when
    one is malformed or unknown to Zoho's accounts server (docs/auth.md, "Unknown scopes are
    refused"): no token is ever minted for a scope that can do nothing."""
    parts = [p.strip() for p in scope.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise InvalidData("a scope is required, e.g. ZohoCRM.modules.ALL", {"param_name": "scope"})
    for part in parts:
        if part.count(".") < 1 or not all(part.split(".")):
            raise InvalidData(f"malformed scope {part!r}", {"param_name": "scope"})
        if unknown_scope(part, CATALOG.scope_modules()):
            raise InvalidData(f"invalid scope {part!r}: the scope does not exist", {"param_name": "scope"})
    return ",".join(parts)


def scope_refused(scope: str) -> bool:
    """Would ``normalize_scope`` refuse ``scope`` (missing, malformed or unknown)?"""
    try:
        normalize_scope(scope)
    except InvalidData:
        return True
    return False


def create_client(conn: Connection, org_id: int, name: str, redirect_uris: Sequence[str] = ()) -> NewClient:
    """Register a client (a "self client" when it has no redirect URIs)."""
    for uri in redirect_uris:
        if not uri.startswith(("http://", "https://")):
            raise InvalidData(f"redirect URI must be http(s): {uri!r}", {"param_name": "redirect_uri"})
    client_id, secret = new_client_id(), secrets.token_hex(21)
    store.insert_client(
        conn,
        client_id=client_id,
        org_id=org_id,
        name=name,
        secret_hash=digest(secret),
        redirect_uris=redirect_uris,
        created_at=now_us(),
    )
    return NewClient(client_id, secret, name, list(redirect_uris))


def list_clients(conn: Connection, org_id: int) -> list[ClientInfo]:
    return [
        ClientInfo(r.client_id, r.org_id, r.name, r.redirect_uris) for r in store.org_clients(conn, org_id)
    ]


def revoke_client(conn: Connection, org_id: int, client_id: str) -> bool:
    """Remove a client: its refresh and access tokens are revoked, its unused grants and
    authorizations in progress dropped (the console's admin page)."""
    return store.delete_client(conn, org_id, client_id, now_us())


def rotate_secret(conn: Connection, client_id: str) -> str:
    """A new secret for an existing client (the old one stops working); returned once."""
    secret = secrets.token_hex(21)
    store.set_client_secret(conn, client_id, digest(secret))
    return secret


def find_client(conn: Connection, client_id: str) -> ClientInfo | None:
    row = store.client(conn, client_id)
    if row is None:
        return None
    return ClientInfo(row.client_id, row.org_id, row.name, row.redirect_uris)


def find_client_by_name(conn: Connection, org_id: int, name: str) -> ClientInfo | None:
    found = store.first_client_named(conn, org_id, name)
    return find_client(conn, found) if found is not None else None


def authenticate_client(conn: Connection, client_id: str, client_secret: str) -> ClientInfo | None:
    """The client, if ``client_secret`` is its secret (compared as digests, in constant time)."""
    found = store.client_secret_hash(conn, client_id)
    # Compare even when the client is unknown, so both refusals take the same time.
    stored = found if found is not None else digest("")
    if not same_digest(stored, digest(client_secret)) or found is None or not client_secret:
        return None
    return find_client(conn, client_id)


def issue_grant(
    conn: Connection,
    *,
    org_id: int,
    client_id: str,
    user_id: int,
    scope: str,
    ttl_seconds: int,
    redirect_uri: str | None = None,
    now: int | None = None,
) -> str:
    """A single-use grant token (authorization code) valid ``ttl_seconds``; returned once."""
    code = new_token()
    at = org_now_us(org_id) if now is None else now
    # Housekeeping: expired grants can never be exchanged (a used one answers invalid_code either
    # way); they are kept a day so that a code presented again still revokes what it issued.
    store.delete_expired_grants(conn, org_id, at - GRANT_MEMORY * _US)
    store.insert_grant(
        conn,
        code_hash=digest(code),
        org_id=org_id,
        client_id=client_id,
        user_id=user_id,
        scope=normalize_scope(scope),
        redirect_uri=redirect_uri,
        expires_at=at + ttl_seconds * _US,
    )
    return code


def exchange_code(
    conn: Connection,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str | None,
    access_ttl: int,
    now: int | None = None,
) -> Tokens | OAuthRefusal:
    """``grant_type=authorization_code``: a fresh refresh token and access token, once per code."""
    client = authenticate_client(conn, client_id, client_secret)
    if client is None:
        return OAuthRefusal(OAuthErrorCode.INVALID_CLIENT)
    at = org_now_us(client.org_id) if now is None else now
    wanted = digest(code)
    grant = store.usable_grant(conn, wanted, at)
    if grant is None or not same_digest(grant.code_hash, wanted) or grant.client_id != client.client_id:
        if grant is None:
            _revoke_if_reused(conn, wanted, client.client_id, at)
        return OAuthRefusal(OAuthErrorCode.INVALID_CODE)
    if grant.redirect_uri is not None and grant.redirect_uri != redirect_uri:
        return OAuthRefusal(OAuthErrorCode.INVALID_REDIRECT_URI)
    # Claim the code: of two concurrent exchanges only one updates the row.
    if not store.claim_grant(conn, wanted, at):  # a concurrent exchange won: a second use, as above
        _revoke_if_reused(conn, wanted, client.client_id, at)
        return OAuthRefusal(OAuthErrorCode.INVALID_CODE)
    if not user_active(conn, grant.org_id, grant.user_id):
        return OAuthRefusal(OAuthErrorCode.INVALID_CODE)
    tokens = mint_tokens(
        conn,
        org_id=grant.org_id,
        user_id=grant.user_id,
        scope=grant.scope,
        client_id=client.client_id,
        access_ttl=access_ttl,
    )
    assert tokens.refresh_token is not None
    revocation.remember_grant_refresh(conn, wanted, digest(tokens.refresh_token))
    return tokens


def _revoke_if_reused(conn: Connection, code_hash: str, client_id: str, at: int) -> None:
    """RFC 6749 10.5: a code presented again (by the client it was issued to) revokes the tokens
    its first exchange issued, since one of the two presenters is not who they claim to be.
    The refusal that follows is committed with the revocation."""
    use = revocation.used_grant(conn, code_hash)
    if use is not None and use.client_id == client_id and use.refresh_hash is not None:
        revocation.revoke_refresh_token(conn, use.org_id, use.refresh_hash, at)


def refresh_access_token(
    conn: Connection,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    access_ttl: int,
    now: int | None = None,
) -> Tokens | OAuthRefusal:
    """``grant_type=refresh_token``: a new access token (no new refresh token).

    A refresh token minted for a client works only with that client; one minted without a
    client (``crmlink token`` without ``--client``) works with any client of its org.
    """
    client = authenticate_client(conn, client_id, client_secret)
    if client is None:
        return OAuthRefusal(OAuthErrorCode.INVALID_CLIENT)
    wanted = digest(refresh_token)
    row = token_store.live_refresh_token(conn, wanted)
    if row is None or not same_digest(row.token_hash, wanted):
        return OAuthRefusal(OAuthErrorCode.INVALID_CODE)
    bound_elsewhere = row.client_id is not None and row.client_id != client.client_id
    if bound_elsewhere or row.org_id != client.org_id or not user_active(conn, row.org_id, row.user_id):
        return OAuthRefusal(OAuthErrorCode.INVALID_CODE)
    at = now_us() if now is None else now
    # Housekeeping: access tokens of this refresh token that have expired are no use to anyone.
    token_store.delete_expired_access_tokens(conn, wanted, at)
    access = store_access_token(
        conn,
        org_id=row.org_id,
        user_id=row.user_id,
        scope=row.scope,
        ttl_seconds=access_ttl,
        client_id=client.client_id,
        refresh_hash=wanted,
    )
    return Tokens(access_token=access, refresh_token=None, expires_in=access_ttl, scope=row.scope)


def mint_tokens(
    conn: Connection, *, org_id: int, user_id: int, scope: str, client_id: str | None, access_ttl: int
) -> Tokens:
    """A refresh token and an access token minted from it (the exchange, and ``crmlink token``)."""
    scope = normalize_scope(scope)
    refresh = store_refresh_token(conn, org_id=org_id, user_id=user_id, scope=scope, client_id=client_id)
    access = store_access_token(
        conn,
        org_id=org_id,
        user_id=user_id,
        scope=scope,
        ttl_seconds=access_ttl,
        client_id=client_id,
        refresh_hash=digest(refresh),
    )
    return Tokens(access_token=access, refresh_token=refresh, expires_in=access_ttl, scope=scope)


def revoke_token(conn: Connection, token: str, *, now: int | None = None) -> bool:
    """Revoke a refresh token and every access token minted from it, or one access token.

    False when the token is unknown or already revoked.
    """
    at = now_us() if now is None else now
    wanted = digest(token)
    return token_store.revoke_refresh_token(conn, wanted, at) or token_store.revoke_access_token(
        conn, wanted, at
    )


__all__ = [
    "ClientInfo",
    "NewClient",
    "OAuthErrorCode",
    "OAuthRefusal",
    "Tokens",
    "authenticate_client",
    "create_client",
    "exchange_code",
    "find_client",
    "issue_grant",
    "mint_tokens",
    "refresh_access_token",
    "revoke_token",
    "rotate_secret",
]
