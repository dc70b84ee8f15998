"""Real access tokens for the benchmark, minted the way a user mints them.

``crmlink token`` (the CLI) when this build has it; otherwise the same domain call the CLI
makes (``crmlink.domain.auth.store_access_token``), in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from crmlink.domain.auth import store_access_token
from crmlink.domain.orgs import DEFAULT_ADMIN_EMAIL, default_org_id, find_user
from crmlink.storage.engine import Database

SCOPE = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"
TTL_SECONDS = 24 * 3600


def _cli_token(database_url: str) -> str | None:
    argv = [sys.executable, "-m", "crmlink", "token", "--database-url", database_url]
    argv += ["--user", DEFAULT_ADMIN_EMAIL, "--scope", SCOPE, "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    if proc.returncode != 0:
        return None
    try:
        token = json.loads(proc.stdout)["access_token"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(token)


def _domain_token(database_url: str) -> str:
    db = Database(database_url)
    try:
        with db.write() as conn:
            org_id = default_org_id(conn)
            assert org_id is not None, "load the data set first"
            admin = find_user(conn, org_id, DEFAULT_ADMIN_EMAIL)
            assert admin is not None
            return store_access_token(
                conn, org_id=org_id, user_id=admin.id, scope=SCOPE, ttl_seconds=TTL_SECONDS
            )
    finally:
        db.dispose()


def mint_token(database_url: str) -> tuple[str, str]:
    """``(token, how)``: an access token of the administrator with full module scope."""
    token = _cli_token(database_url)
    if token is not None:
        return token, "crmlink token"
    return _domain_token(database_url), "store_access_token"


__all__ = ["SCOPE", "mint_token"]
