"""Deluge's ``zoho.crm.updateRelatedRecord`` as a Python function.

Deluge::

    resp = zoho.crm.updateRelatedRecord("Price_Books", pb_id, "Products", product_id,
                                        {"list_price": 10.5});

Python::

    from crmlink_client import Client, deluge
    deluge.register_connection("crm", Client("http://127.0.0.1:8000", access_token="..."))
    resp = deluge.update_related_record("Price_Books", pb_id, "Products", product_id,
                                        {"list_price": 10.5}, "crm")

A connection is a configured :class:`~crmlink_client.Client`, registered under a name (or as
the default, used when ``connection_name`` is omitted), or passed directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._client import Client
from ._errors import CRMError, TokenError
from ._types import RecordId

__all__ = ["register_connection", "set_default_connection", "update_related_record"]

_connections: dict[str, Client] = {}
_default: list[Client] = []


def register_connection(name: str, client: Client) -> None:
    """Make ``client`` available as connection ``name``."""
    _connections[name] = client


def set_default_connection(client: Client | None) -> None:
    """The client used when no ``connection_name`` is given (``None`` clears it)."""
    _default.clear()
    if client is not None:
        _default.append(client)


def _resolve(connection_name: str | Client | None) -> Client:
    if isinstance(connection_name, Client):
        return connection_name
    if connection_name is None:
        if _default:
            return _default[0]
        if len(_connections) == 1:
            return next(iter(_connections.values()))
        raise LookupError("no connection_name given and no default connection set")
    try:
        return _connections[connection_name]
    except KeyError:
        raise LookupError(f"no connection named {connection_name!r}") from None


def update_related_record(
    module: str,
    record_id: RecordId,
    parent_module_name: str,
    parent_record_id: RecordId,
    data_map: Mapping[str, Any],
    connection_name: str | Client | None = None,
    user_access: bool | None = None,
) -> dict[str, Any]:
    """Relate record ``record_id`` of related list ``module`` to ``parent_record_id`` of
    ``parent_module_name``, setting the relation fields in ``data_map`` (may be empty).

    Sends ``PUT /{parent_module_name}/{parent_record_id}/{module}/{record_id}`` with
    ``{"data": [data_map]}`` and returns what Deluge returns: the first element of the answer's
    ``data`` (``{"code": "SUCCESS", "details": {"id": ...}, "message": "relation added",
    "status": "success"}``), or, when the whole request is refused, the error map
    (``{"code", "details", "message", "status": "error"}``). Errors are returned, not raised,
    as in Deluge; only a failed token refresh or a transport failure raises.

    ``user_access`` is accepted for signature compatibility; the access used is the
    connection's token.
    """
    if data_map is None:
        raise TypeError("data_map is mandatory (pass {} for no relation fields)")
    client = _resolve(connection_name)
    related = client.related(parent_module_name, parent_record_id, module)
    try:
        return related.update(record_id, dict(data_map)).to_json()
    except TokenError:
        raise
    except CRMError as exc:
        return exc.body()
