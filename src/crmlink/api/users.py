"""Users: ``GET /crm/{version}/users?type=...`` and ``GET /crm/{version}/users/{user_id}``."""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from crmlink.api.context import Req, services
from crmlink.api.params import check_version, paging, path_id
from crmlink.api.responses import empty_response, json_response
from crmlink.api.security import authenticate, authorize_users
from crmlink.domain import users

Req = Req


@get("/crm/{version:str}/users")
async def list_users(request: Req) -> Response[bytes]:
    check_version(request.path_params["version"])
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_users(actor)
    user_type = request.query_params.get("type") or "AllUsers"
    page, per_page = paging(request)

    def work() -> users.UserPage:
        with svc.db.read() as conn:
            return users.list_users(
                conn, actor.org_id, user_type, actor.user_id, page=page, per_page=per_page
            )

    result = await svc.db.run(work)
    if not result.users:
        return empty_response(204)
    info = {
        "per_page": per_page,
        "count": len(result.users),
        "page": page,
        "more_records": result.more_records,
    }
    return json_response({"users": result.users, "info": info})


@get("/crm/{version:str}/users/{user_id:str}")
async def get_user(request: Req) -> Response[bytes]:
    check_version(request.path_params["version"])
    svc = services(request)
    actor = await authenticate(request, svc)
    authorize_users(actor)
    uid = path_id(request.path_params["user_id"], 1)

    def work() -> dict[str, Any] | None:
        with svc.db.read() as conn:
            return users.get_user(conn, actor.org_id, uid)

    found = await svc.db.run(work)
    if found is None:
        return empty_response(204)
    return json_response({"users": [found]})


ROUTES = [list_users, get_user]
