"""Related records: ``/crm/{version}/{module}/{record_id}/{related_list}[/{related_id}]``."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
