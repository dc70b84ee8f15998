"""An in-memory server that answers the documented Zoho CRM shapes, for httpx.MockTransport.

Only what the client tests need: records CRUD and list, related records (relate, update, list,
delink), the refresh-token grant, the 100-item and 200-per-page limits, and request-level errors
in Zoho's envelope. Every request is logged in ``requests`` so tests can check the wire.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import httpx

JSON_TYPE = "application/json;charset=utf-8"
MANDATORY = {
    "Leads": "Last_Name",
    "Contacts": "Last_Name",
    "Accounts": "Account_Name",
    "Products": "Product_Name",
    "Price_Books": "Price_Book_Name",
    "Campaigns": "Campaign_Name",
    "Deals": "Deal_Name",
}
RELATIONS = {
    ("Products", "Price_Books"),
    ("Price_Books", "Products"),
    ("Leads", "Campaigns"),
    ("Campaigns", "Leads"),
    ("Contacts", "Campaigns"),
    ("Campaigns", "Contacts"),
    ("Leads", "Products"),
    ("Products", "Leads"),
    ("Deals", "Products"),
    ("Products", "Deals"),
}
USER = {"name": "Crm Admin", "id": "5725767000000411001", "email": "admin@example.com"}
NOW = "2024-01-02T03:04:05+00:00"
PATH = re.compile(r"^/crm/(v2|v2\.1)/([^/]+)(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?$")


def envelope(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return reply(status, body, headers)


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={"Content-Type": JSON_TYPE, **(headers or {})}
    )


def ok(details: dict[str, Any], message: str) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success"}


def item_error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "details": details, "message": message, "status": "error"}


def results(items: list[dict[str, Any]], all_ok: int = 200) -> httpx.Response:
    good = sum(1 for i in items if i["status"] == "success")
    status = all_ok if good == len(items) else (400 if good == 0 else 207)
    return reply(status, {"data": items})


class FakeZoho:
    CLIENT_ID = "1000.CLIENT"
    CLIENT_SECRET = "secret"
    REFRESH_TOKEN = "1000.refresh"

    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in MANDATORY}
        self.relations: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
        self.tokens: set[str] = set()
        self.requests: list[httpx.Request] = []
        self._ids = itertools.count(5725767000000100001)
        self._token_ids = itertools.count(1)
        #: Hook run before routing; a response it returns is sent instead (fault injection).
        self.before: Callable[[httpx.Request], httpx.Response | None] | None = None

    # -- helpers for tests ------------------------------------------------------------------

    def issue_token(self) -> str:
        token = f"1000.access.{next(self._token_ids)}"
        self.tokens.add(token)
        return token

    def seed(self, module: str, record_id: str | None = None, **fields: Any) -> str:
        rid = record_id or str(next(self._ids))
        self.records[module][rid] = {
            "id": rid,
            "Owner": USER,
            "Created_By": USER,
            "Modified_By": USER,
            "Created_Time": NOW,
            "Modified_Time": NOW,
            **fields,
        }
        return rid

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/crm/")]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- the server -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.before is not None:
            injected = self.before(request)
            if injected is not None:
                return injected
        if request.url.path == "/oauth/v2/token":
            return self._token(request)
        auth = request.headers.get("Authorization", "")
        if not auth:
            return envelope(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        if not auth.startswith("Zoho-oauthtoken ") or auth.split(" ", 1)[1] not in self.tokens:
            return envelope(401, "INVALID_TOKEN", "invalid oauth token")
        match = PATH.match(request.url.path)
        if not match:
            return envelope(
                404,
                "INVALID_URL_PATTERN",
                "Please check if the URL trying to access is a correct one",
            )
        _, module, rid, rel, rel_id = match.groups()
        if module not in self.records:
            return envelope(
                400,
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                {"resource_path_index": 0},
            )
        body = json.loads(request.content) if request.content else None
        if rel is None:
            return self._records(request, module, rid, body)
        if rid not in self.records[module]:
            return envelope(
                400,
                "INVALID_DATA",
                "the related id given seems to be invalid",
                {"resource_path_index": 1},
            )
        if (module, rel) not in RELATIONS:
            return envelope(
                400,
                "INVALID_DATA",
                "The relation name given seems to be invalid",
                {"resource_path_index": 2},
            )
        return self._related(request, module, rid, rel, rel_id, body)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("client_id") != self.CLIENT_ID
            or form.get("client_secret") != self.CLIENT_SECRET
        ):
            return reply(200, {"error": "invalid_client"})
        if form.get("refresh_token") != self.REFRESH_TOKEN:
            return reply(200, {"error": "invalid_code"})
        return reply(
            200,
            {
                "access_token": self.issue_token(),
                "expires_in": 3600,
                "api_domain": "http://crm.test",
                "token_type": "Bearer",
            },
        )

    def _data(self, body: Any) -> list[Any] | httpx.Response:
        if not isinstance(body, dict) or not isinstance(body.get("data"), list) or not body["data"]:
            return envelope(400, "INVALID_DATA", "invalid data", {"param_name": "data"})
        if len(body["data"]) > 100:
            return envelope(400, "LIMIT_EXCEEDED", "Limit Exceeded", {"limit": 100})
        return list(body["data"])

    def _ids_param(self, request: httpx.Request) -> list[str] | httpx.Response:
        raw = request.url.params.get("ids")
        if not raw:
            return envelope(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "ids"},
            )
        ids = raw.split(",")
        if len(ids) > 100:
            return envelope(400, "LIMIT_EXCEEDED", "Limit Exceeded", {"limit": 100})
        return ids

    def _list(self, request: httpx.Request, rows: list[dict[str, Any]]) -> httpx.Response:
        page = int(request.url.params.get("page", 1))
        per_page = int(request.url.params.get("per_page", 200))
        if per_page > 200:
            return envelope(400, "INVALID_DATA", "invalid data", {"param_name": "per_page"})
        chunk = rows[(page - 1) * per_page : page * per_page]
        if not chunk:
            return reply(204)
        info = {
            "per_page": per_page,
            "count": len(chunk),
            "page": page,
            "more_records": page * per_page < len(rows),
        }
        return reply(200, {"data": chunk, "info": info})

    def _records(
        self, request: httpx.Request, module: str, rid: str | None, body: Any
    ) -> httpx.Response:
        store = self.records[module]
        method = request.method
        if method == "GET" and rid is None:
            rows = list(store.values())
            if "ids" in request.url.params:
                wanted = request.url.params["ids"].split(",")
                rows = [store[i] for i in wanted if i in store]
            return self._list(request, rows)
        if method == "GET":
            return reply(200, {"data": [store[rid]]}) if rid in store else reply(204)
        if method == "POST" and rid is None:
            data = self._data(body)
            if isinstance(data, httpx.Response):
                return data
            out = []
            for i, item in enumerate(data):
                field = MANDATORY[module]
                if not item.get(field):
                    out.append(
                        item_error(
                            "MANDATORY_NOT_FOUND",
                            "required field not found",
                            {"api_name": field, "json_path": f"$.data[{i}].{field}"},
                        )
                    )
                    continue
                new_id = self.seed(module, **{k: v for k, v in item.items() if k != "id"})
                out.append(
                    ok(
                        {
                            "id": new_id,
                            "Created_Time": NOW,
                            "Modified_Time": NOW,
                            "Created_By": USER,
                            "Modified_By": USER,
                        },
                        "record added",
                    )
                )
            return results(out, all_ok=201)
        if method == "PUT":
            data = self._data(body)
            if isinstance(data, httpx.Response):
                return data
            if rid is not None:
                data = [{**data[0], "id": rid}]
            out = []
            for item in data:
                target = str(item.get("id", ""))
                if target not in store:
                    out.append(
                        item_error(
                            "INVALID_DATA", "the id given seems to be invalid", {"id": target}
                        )
                    )
                    continue
                store[target].update({k: v for k, v in item.items() if k != "id"})
                out.append(
                    ok({"id": target, "Modified_Time": NOW, "Modified_By": USER}, "record updated")
                )
            return results(out)
        if method == "DELETE":
            ids = [rid] if rid is not None else self._ids_param(request)
            if isinstance(ids, httpx.Response):
                return ids
            out = []
            for target in ids:
                if store.pop(target, None) is None:
                    out.append(item_error("INVALID_DATA", "record not deleted", {"id": target}))
                else:
                    out.append(ok({"id": target}, "record deleted"))
            return results(out)
        return envelope(
            400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
        )

    def _related(
        self, request: httpx.Request, module: str, rid: str, rel: str, rel_id: str | None, body: Any
    ) -> httpx.Response:
        links = self.relations.setdefault((module, rid, rel), {})
        targets = self.records[rel]
        method = request.method
        if method == "GET" and rel_id is None:
            rows = [{**targets[i], **fields} for i, fields in links.items() if i in targets]
            return self._list(request, rows)
        if method == "GET":
            if rel_id not in links:
                return reply(204)
            return reply(200, {"data": [{**targets[rel_id], **links[rel_id]}]})
        if method == "PUT":
            data = self._data(body)
            if isinstance(data, httpx.Response):
                return data
            if rel_id is not None:
                data = [{**data[0], "id": rel_id}]
            out = []
            for i, item in enumerate(data):
                if "id" not in item:
                    out.append(
                        item_error(
                            "MANDATORY_NOT_FOUND",
                            "required field not found",
                            {"api_name": "id", "json_path": f"$.data[{i}].id"},
                        )
                    )
                    continue
                target = str(item["id"])
                if target not in targets:
                    out.append(
                        item_error(
                            "INVALID_DATA",
                            "the related id given seems to be invalid",
                            {"id": target},
                        )
                    )
                    continue
                links.setdefault(target, {}).update({k: v for k, v in item.items() if k != "id"})
                out.append(ok({"id": target}, "relation added"))
            return results(out)
        if method == "DELETE":
            ids = [rel_id] if rel_id is not None else self._ids_param(request)
            if isinstance(ids, httpx.Response):
                return ids
            out = []
            for target in ids:
                if links.pop(target, None) is None:
                    out.append(item_error("INVALID_DATA", "record not deleted", {"id": target}))
                else:
                    out.append(ok({"id": target}, "relation removed"))
            return results(out)
        return envelope(
            400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
        )
