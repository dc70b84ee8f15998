"""Access tokens: a fixed token, or one obtained and renewed with Zoho's refresh-token grant."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import httpx

from ._errors import TokenError

#: Refresh when fewer than this many seconds of validity remain (what Zoho's SDK does).
REFRESH_MARGIN = 5.0


class TokenSource:
    """Holds the current access token and renews it when it can.

    With only ``access_token`` the token is used as given and never renewed. With the refresh
    credentials (``accounts_url`` is the full token URL) a token is fetched before the first call,
    renewed when fewer than :data:`REFRESH_MARGIN` seconds remain, and renewed once more when the
    server answers 401 INVALID_TOKEN.
    """

    def __init__(
        self,
        *,
        access_token: str | None,
        accounts_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        refresh_token: str | None,
        clock: Callable[[], float],
    ) -> None:
        refresh_parts = (accounts_url, client_id, client_secret, refresh_token)
        if any(refresh_parts) and not all(refresh_parts):
            raise ValueError(
                "accounts_url, client_id, client_secret and refresh_token "
                "go together: give all four or none"
            )
        if access_token is None and not all(refresh_parts):
            raise ValueError(
                "give access_token=..., or accounts_url, client_id, client_secret "
                "and refresh_token so the client can get its own token"
            )
        self._access_token = access_token
        self._accounts_url = accounts_url
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token or "",
            "client_id": client_id or "",
            "client_secret": client_secret or "",
        }
        self._clock = clock
        # A token handed in by the caller has an unknown lifetime: trust it until a 401.
        self._expires_at = math.inf if access_token is not None else -math.inf
        self._lock = threading.Lock()

    @property
    def can_refresh(self) -> bool:
        return self._accounts_url is not None

    @property
    def access_token(self) -> str | None:
        return self._access_token

    def current(self, http: httpx.Client) -> str:
        """The token to send now, renewed first if it is (nearly) expired."""
        with self._lock:
            if self.can_refresh and (
                self._access_token is None or self._expires_at - self._clock() < REFRESH_MARGIN
            ):
                self._refresh(http)
            assert self._access_token is not None
            return self._access_token

    def refresh(self, http: httpx.Client, *, stale: str | None = None) -> str:
        """Renew the token, unless another thread already replaced ``stale`` meanwhile."""
        with self._lock:
            if stale is None or self._access_token == stale:
                self._refresh(http)
            assert self._access_token is not None
            return self._access_token

    def _refresh(self, http: httpx.Client) -> None:
        assert self._accounts_url is not None
        response = http.post(self._accounts_url, data=self._form)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("access_token"):
            # Zoho Accounts answers HTTP 200 {"error": "invalid_code"} on refusal.
            error = str(body.get("error", "")) if isinstance(body, dict) else ""
            raise TokenError(
                f"token refresh refused: {error or response.text[:200] or response.status_code}",
                code=error,
                status_code=response.status_code,
                response=response,
            )
        self._access_token = str(body["access_token"])
        self._expires_at = self._clock() + _lifetime(body)


def _lifetime(body: dict[str, Any]) -> float:
    """Seconds the new token is valid. Old Zoho answers carried ``expires_in_sec`` and then gave
    ``expires_in`` in milliseconds; current ones give ``expires_in`` in seconds only."""
    if "expires_in_sec" in body:
        return float(body["expires_in_sec"])
    if "expires_in" in body:
        return float(body["expires_in"])
    return 3600.0
