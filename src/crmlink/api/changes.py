"""The change feed (crmlink's own): ``GET /crm/{version}/__crmlink/changes?since=&limit=``."""

from __future__ import annotations

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, int_param
from crmlink.api.responses import json_response
from crmlink.api.security import bearer_token
from crmlink.domain import feed
from crmlink.domain.auth import actor_for_token

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
            return feed.read(conn, svc.catalog, actor.org_id, since, limit, actor)

    page = await svc.db.run(work)
    info = {"count": len(page.changes), "next_cursor": str(page.next_cursor), "more_changes": page.more}
    return json_response({"changes": page.changes, "info": info})


ROUTES = [list_changes]

__all__ = ["ROUTES"]
