"""The change feed (crmlink's own): ``GET /crm/{version}/__crmlink/changes?since=&limit=``."""

from __future__ import annotations

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, int_param
from crmlink.api.responses import json_response
from crmlink.api.security import bearer_token
from crmlink.domain import feed
from crmlink.domain.auth import actor_for_token
from crmlink.errors import OAuthScopeMismatch

Req = Req

FEED_PATH = "/crm/{version:str}/__crmlink/changes"


@get(FEED_PATH)
async def list_changes(request: Req) -> Response[bytes]:
    check_version(request.path_params["version"])
    svc = services(request)
    token = bearer_token(request)

    def work() -> feed.FeedPage:
        with svc.db.read() as conn:
            actor = actor_for_token(conn, token)
            since = feed.parse_cursor(request.query_params.get("since"))
            limit = int_param(request, "limit", feed.DEFAULT_LIMIT, 1, feed.MAX_LIMIT)
            return feed.read(conn, svc.catalog_in(conn, actor), actor.org_id, since, limit, actor)

    page = await svc.db.run(work)
    info = {"count": len(page.changes), "next_cursor": str(page.next_cursor), "more_changes": page.more}
    return json_response({"changes": page.changes, "info": info})


DELIVERIES_PATH = "/crm/{version:str}/__crmlink/deliveries"


@get(DELIVERIES_PATH)
async def list_deliveries(request: Req) -> Response[bytes]:
    """The delivery log: notifications (oldest first, after ``after``), each with every attempt.
    Scope ``ZohoCRM.notifications.ALL`` or ``.READ``."""
    check_version(request.path_params["version"])
    svc = services(request)
    token = bearer_token(request)

    def work() -> tuple[list[dict[str, object]], bool]:
        with svc.db.read() as conn:
            actor = actor_for_token(conn, token)
            if not {"zohocrm.notifications.all", "zohocrm.notifications.read"} & actor.scopes:
                raise OAuthScopeMismatch()
            after = feed.parse_cursor(request.query_params.get("after"), "after")
            raw_channel = request.query_params.get("channel_id")
            channel = feed.parse_cursor(raw_channel, "channel_id") if raw_channel else None
            limit = int_param(request, "limit", feed.DEFAULT_LIMIT, 1, feed.MAX_LIMIT)
            return feed.delivery_log(conn, actor.org_id, channel_id=channel, after=after, limit=limit)

    found, more = await svc.db.run(work)
    info = {"count": len(found), "more_deliveries": more}
    return json_response({"deliveries": found, "info": info})


ROUTES = [list_changes, list_deliveries]

__all__ = ["ROUTES"]
