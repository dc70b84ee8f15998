"""Taking access away from a user (issue 18): revoking their tokens, deactivating them.

A deactivated user's tokens are refused anyway (``actor_for_token`` and the token endpoint check
``users.active``); they are revoked too, so that reactivating a user does not bring old tokens
back to life.
"""

from __future__ import annotations

from crmlink.domain.clock import now_us
from crmlink.storage import console_sessions, revocation
from crmlink.storage.connection import Connection as Conn
from crmlink.storage.revocation import Revoked


def revoke_user_tokens(conn: Conn, org_id: int, user_id: int) -> Revoked:
    """Every refresh and access token of the user (``crmlink tokens revoke --user``), and their
    console sign-ins."""
    console_sessions.delete_user_sessions(conn, org_id, user_id)
    return revocation.revoke_user_tokens(conn, org_id, user_id, now_us())


def revoke_refresh_tokens(conn: Conn, org_id: int, user_id: int) -> Revoked:
    """The user's refresh tokens and the access tokens minted from them (a password change:
    sessions begun with the old password end, console sign-ins too; tokens minted by
    ``crmlink token`` stay)."""
    console_sessions.delete_user_sessions(conn, org_id, user_id)
    return revocation.revoke_user_tokens(conn, org_id, user_id, now_us(), access=False)


def deactivate_user(conn: Conn, org_id: int, user_id: int) -> Revoked:
    revocation.set_user_active(conn, org_id, user_id, False)
    return revoke_user_tokens(conn, org_id, user_id)
