"""Assertions shared by the suite."""

from __future__ import annotations

from typing import Any

JSON_TYPE = "application/json;charset=utf-8"


def assert_zoho_error(
    response: Any, status: int, code: str, message: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A request-level error in Zoho's envelope: exactly code, details, message, status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == JSON_TYPE
    body: dict[str, Any] = response.json()
    assert list(body) == ["code", "details", "message", "status"], body
    assert body["code"] == code, body
    assert body["status"] == "error"
    assert isinstance(body["details"], dict)
    if message is not None:
        assert body["message"] == message, body
    if details is not None:
        assert body["details"] == details, body
    return body


def assert_item_error(item: dict[str, Any], code: str, message: str | None = None, **details: Any) -> None:
    assert list(item) == ["code", "details", "message", "status"], item
    assert item["code"] == code and item["status"] == "error", item
    if message is not None:
        assert item["message"] == message, item
    for key, value in details.items():
        assert item["details"].get(key) == value, item


def assert_success(item: dict[str, Any], message: str) -> None:
    assert list(item) == ["code", "details", "message", "status"], item
    assert item["code"] == "SUCCESS" and item["status"] == "success" and item["message"] == message, item
