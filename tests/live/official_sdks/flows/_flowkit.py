"""Shared by the flow scripts, which run under an official SDK's venv (standard library only).

A flow script reads its server and credentials from the environment, records every SDK call as
plain data (HTTP status, the class of the object the SDK returned, each item's class, code,
message and details, records read back), and prints one JSON document on stdout. The pytest
side asserts on that document. Anything the SDK swallowed shows up either as a ``None``
response / object here or as an ERROR line in the SDK's own log, which is collected too.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Config:
    url: str
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    email: str
    workdir: Path
    #: When set, the SDK starts from this grant token instead of the refresh token.
    grant_token: str | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "sdk.log"

    @property
    def token_store(self) -> Path:
        return self.workdir / "sdk_tokens.csv"


def config_from_env() -> Config:
    env = os.environ
    workdir = Path(env["CRMLINK_FLOW_WORKDIR"])
    workdir.mkdir(parents=True, exist_ok=True)
    return Config(
        url=env["CRMLINK_URL"],
        token_url=env["CRMLINK_TOKEN_URL"],
        client_id=env["CRMLINK_CLIENT_ID"],
        client_secret=env["CRMLINK_CLIENT_SECRET"],
        refresh_token=env.get("CRMLINK_REFRESH_TOKEN", ""),
        grant_token=env.get("CRMLINK_GRANT_TOKEN") or None,
        email=env["CRMLINK_USER_EMAIL"],
        workdir=workdir,
    )


def _value(choice: Any) -> Any:
    """The plain value of an SDK ``Choice`` (or the value itself)."""
    return choice.get_value() if hasattr(choice, "get_value") else choice


def _plain(value: Any) -> Any:
    """SDK objects reduced to JSON-friendly data (ids stay ints, as the SDK returns them)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):  # date and datetime values the SDK parsed
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "get_value"):
        return _plain(value.get_value())
    if hasattr(value, "get_key_values"):  # Record-like
        return {"$class": type(value).__name__, **_plain(value.get_key_values())}
    if hasattr(value, "get_file_id"):  # record.FileDetails, record.ImageUpload
        return {"$class": type(value).__name__, "file_id": value.get_file_id()}
    if hasattr(value, "get_id") and hasattr(value, "get_name"):  # users.User
        return {"$class": type(value).__name__, "id": value.get_id(), "name": value.get_name()}
    return f"<{type(value).__name__}>"


def describe_item(item: Any) -> dict[str, Any]:
    """An item of an ``ActionWrapper``'s data (``SuccessResponse`` or ``APIException``)."""
    return {
        "class": type(item).__name__,
        "code": _plain(_value(item.get_code())) if hasattr(item, "get_code") else None,
        "status": _plain(_value(item.get_status())) if hasattr(item, "get_status") else None,
        "message": _plain(_value(item.get_message())) if hasattr(item, "get_message") else None,
        "details": _plain(item.get_details()) if hasattr(item, "get_details") else None,
    }


def describe(response: Any) -> dict[str, Any]:
    """One ``APIResponse``: status, object class, and its items or records."""
    if response is None:
        return {"status": None, "object": None, "note": "the SDK returned no APIResponse"}
    obj = response.get_object()
    out: dict[str, Any] = {
        "status": response.get_status_code(),
        "object": None if obj is None else type(obj).__name__,
    }
    if obj is None:
        return out
    if type(obj).__name__ == "APIException":
        out["error"] = describe_item(obj)
        return out
    data = obj.get_data() if hasattr(obj, "get_data") else None
    if type(obj).__name__ == "ActionWrapper":
        out["items"] = [describe_item(i) for i in data or []]
    elif type(obj).__name__ == "ResponseWrapper":
        out["records"] = [_plain(r) for r in data or []]
        info = obj.get_info() if hasattr(obj, "get_info") else None
        if info is not None:
            out["info"] = {
                "per_page": info.get_per_page(),
                "count": info.get_count(),
                "page": info.get_page(),
                "more_records": info.get_more_records(),
            }
    return out


@dataclass
class Flow:
    """Collects the calls of one run; ``run`` prints the JSON document at the end."""

    config: Config
    calls: list[dict[str, Any]] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def call(self, name: str, response: Any) -> dict[str, Any]:
        described = {"name": name, **describe(response)}
        self.calls.append(described)
        return described

    def run(self, body: Callable[[Flow], None]) -> None:
        failure = None
        try:
            body(self)
        except BaseException:
            failure = traceback.format_exc()
        log_lines = self._log_lines()
        json.dump(
            {
                "calls": self.calls,
                "ids": self.ids,
                "facts": self.facts,
                "exception": failure,
                "stored_access_tokens": self._stored_access_tokens(),
                "log_errors": [
                    line for line in log_lines if " - ERROR - " in line or " - CRITICAL - " in line
                ],
                "log_warnings": [line for line in log_lines if " - WARNING - " in line],
            },
            sys.stdout,
            indent=1,
            default=str,
        )
        sys.stdout.write("\n")

    def _stored_access_tokens(self) -> int:
        """How many access tokens the SDK saved in its FileStore (it was given none: every one
        came from the token endpoint)."""
        try:
            with self.config.token_store.open(newline="") as f:
                rows = list(csv.DictReader(f))
        except OSError:
            return 0
        return sum(1 for row in rows if row.get("access_token"))

    def _log_lines(self) -> list[str]:
        try:
            return self.config.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
