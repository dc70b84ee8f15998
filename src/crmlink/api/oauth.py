"""The OAuth 2.0 accounts server: ``/oauth/v2/token``, ``/oauth/v2/token/revoke``, ``/oauth/v2/auth``."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
