"""Zoho's ``zohocrmsdk2-1==3.0.0`` notification methods, unmodified, against crmlink.

enable_notifications, get_notification_details, update_notifications (PUT),
update_notification (PATCH), disable_notification (PATCH ``_delete_events``) and
disable_notifications (DELETE), each checked for the SDK's object classes. Prints one JSON
document (``_flowkit``); ``test_official_sdks.py`` asserts on it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from _flowkit import Flow, _plain, _value, config_from_env, describe_item
from zcrmsdk.src.com.zoho.crm.api import ParameterMap
from zcrmsdk.src.com.zoho.crm.api.notification import (
    BodyWrapper,
    DisableNotificationsParam,
    GetNotificationDetailsParam,
    Notification,
    NotificationOperations,
)
from zohocrmsdk21_flow import initialize

CHANNEL = 1000000068001
NOTIFY_URL = os.environ.get("CRMLINK_NOTIFY_URL", "https://hooks.example.com/zoho?source=sdk")


def _notification(events: list[str], **keys: Any) -> Notification:
    n = Notification()
    n.set_channel_id(CHANNEL)
    n.set_events(events)
    for key, value in keys.items():
        getattr(n, f"set_{key}")(value)
    return n


def _body(*notifications: Notification) -> BodyWrapper:
    body = BodyWrapper()
    body.set_watch(list(notifications))
    return body


def _call(flow: Flow, name: str, response: Any) -> dict[str, Any]:
    """Like ``Flow.call`` for the notification package (its wrappers hold ``watch``, not ``data``)."""
    out: dict[str, Any] = {"name": name}
    if response is None:
        out.update(status=None, object=None)
        flow.calls.append(out)
        return out
    obj = response.get_object()
    out.update(status=response.get_status_code(), object=None if obj is None else type(obj).__name__)
    if obj is not None and type(obj).__name__ == "ActionWrapper":
        out["items"] = [describe_item(i) for i in obj.get_watch() or []]
    elif obj is not None and type(obj).__name__ == "ResponseWrapper":
        out["watch"] = [
            {
                "channel_id": n.get_channel_id(),
                "resource_name": n.get_resource_name(),
                "events": n.get_events(),
                "notify_url": n.get_notify_url(),
                "token": n.get_token(),
                "expiry_class": type(n.get_channel_expiry()).__name__,
                "notify_on_related_action": n.get_notify_on_related_action(),
            }
            for n in obj.get_watch() or []
        ]
        info = obj.get_info()
        out["count"] = info.get_count() if info is not None else None
    elif obj is not None and type(obj).__name__ == "APIException":
        out["error"] = {"code": _plain(_value(obj.get_code())), "message": _plain(_value(obj.get_message()))}
    flow.calls.append(out)
    return out


def main(flow: Flow) -> None:
    initialize(flow)
    ops = NotificationOperations()
    expiry = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=6)
    _call(
        flow,
        "enable",
        ops.enable_notifications(
            _body(
                _notification(
                    ["Leads.all", "Contacts.edit"],
                    notify_url=NOTIFY_URL,
                    token="tok-1",
                    channel_expiry=expiry,
                )
            )
        ),
    )
    _call(flow, "details", ops.get_notification_details(ParameterMap()))
    params = ParameterMap()
    params.add(GetNotificationDetailsParam.module, "Contacts")
    params.add(GetNotificationDetailsParam.channel_id, CHANNEL)
    _call(flow, "details of Contacts", ops.get_notification_details(params))
    _call(
        flow,
        "replace (PUT)",
        ops.update_notifications(_body(_notification(["Leads.create", "Deals.edit"], notify_url=NOTIFY_URL))),
    )
    patch = Notification()
    patch.set_channel_id(CHANNEL)
    patch.set_events(["Leads.create", "Deals.edit"])
    patch.set_token("tok-2")
    _call(flow, "update (PATCH)", ops.update_notification(_body(patch)))
    remove = _notification(["Deals.edit"], deleteevents=True)
    _call(flow, "remove events", ops.disable_notification(_body(remove)))
    _call(flow, "details after updates", ops.get_notification_details(ParameterMap()))
    disable = ParameterMap()
    disable.add(DisableNotificationsParam.channel_ids, CHANNEL)
    _call(flow, "disable", ops.disable_notifications(disable))
    _call(flow, "details after disable", ops.get_notification_details(ParameterMap()))
    again = ParameterMap()
    again.add(DisableNotificationsParam.channel_ids, CHANNEL)
    _call(flow, "disable unknown", ops.disable_notifications(again))


if __name__ == "__main__":
    Flow(config_from_env()).run(main)
