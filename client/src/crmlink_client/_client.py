"""The client: URLs, auth header, token renewal, 429 retry, and the call shapes every
resource shares (chunked writes, paged reads)."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ._auth import TokenSource
from ._errors import CRMError, NotFound, ServerError, error_from_response
from ._records import Records
from ._related import RelatedList
from ._results import ItemResult, Page, PageInfo, Results
from ._types import MAX_PER_CALL, MAX_PER_PAGE, JSONObject, RecordId, chunks, id_str

ApiVersion = Literal["v2", "v2.1"]
Params = Mapping[str, str | int]

_USER_AGENT = "crmlink-client/0.1"


class Client:
    """A client for a Zoho-CRM-compatible server (crmlink, or Zoho itself).

    Either ``Client(base_url, access_token="...")``, or
    ``Client(base_url, accounts_url, client_id, client_secret, refresh_token)``, which gets and
    renews its own token (``accounts_url`` is the full token URL, e.g.
    ``http://127.0.0.1:8000/oauth/v2/token``). ``base_url`` is the server root; paths are
    ``{base_url}/crm/{api_version}/...``.

    ``http_client`` is used as it is (it may be an in-process app client whose ``base_url`` is
    the server root, in which case ``base_url`` may be left empty) and is not closed by
    :meth:`close`. ``retries=N`` retries a 429 answer up to N times, sleeping ``Retry-After``
    seconds first; ``sleep`` and ``clock`` can be replaced in tests.
    """

    def __init__(
        self,
        base_url: str = "",
        accounts_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        *,
        access_token: str | None = None,
        api_version: ApiVersion = "v2.1",
        http_client: httpx.Client | None = None,
        retries: int = 0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if api_version not in ("v2", "v2.1"):
            raise ValueError(f"api_version must be 'v2' or 'v2.1', not {api_version!r}")
        if not base_url and http_client is None:
            raise ValueError("base_url is required unless http_client is given")
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.api_version: ApiVersion = api_version
        self.retries = retries
        self._sleep = sleep
        self._token = TokenSource(
            access_token=access_token,
            accounts_url=accounts_url,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            clock=clock,
        )
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.Client(timeout=timeout, headers={"User-Agent": _USER_AGENT})
        )

    def __repr__(self) -> str:
        return f"<Client {self.base_url or '(http_client base)'} api_version={self.api_version}>"

    # -- resources ------------------------------------------------------------------------

    def records(self, module: str) -> Records:
        """The records of ``module`` (an API name such as ``"Leads"``)."""
        return Records(self, module)

    def related(self, module: str, record_id: RecordId, related_list: str) -> RelatedList:
        """The related list ``related_list`` of record ``record_id`` in ``module``."""
        return RelatedList(self, module, record_id, related_list)

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- raw access -----------------------------------------------------------------------

    def url(self, *segments: RecordId) -> str:
        """The URL of ``/crm/{api_version}/{segments...}``, each segment percent-encoded."""
        path = "/".join(quote(id_str(s), safe="") for s in segments)
        return f"{self.base_url}/crm/{self.api_version}/{path}"

    @property
    def access_token(self) -> str | None:
        """The token currently held (``None`` before the first call of a refreshing client)."""
        return self._token.access_token

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one API request with the auth header, renewing the token and retrying 429s.

        Returns the response unless it is a request-level error (status >= 400 without a
        ``data`` list), which raises the matching :class:`CRMError`. A 207 or a 400 that
        carries per-item results in ``data`` is returned, not raised.
        """
        refreshed = False
        attempt = 0
        while True:
            token = self._token.current(self._http)
            send_headers = {"Authorization": f"Zoho-oauthtoken {token}", **(headers or {})}
            response = self._http.request(
                method, url, params=params, json=json, headers=send_headers
            )
            status = response.status_code
            if status < 400 or _has_data_list(response):
                return response
            if (
                status == 401
                and not refreshed
                and self._token.can_refresh
                and _error_code(response) == "INVALID_TOKEN"
            ):
                self._token.refresh(self._http, stale=token)
                refreshed = True
                continue
            retry_after = _retry_after(response) if status == 429 else None
            if status == 429 and attempt < self.retries:
                attempt += 1
                self._sleep(retry_after if retry_after is not None else _backoff(attempt))
                continue
            raise error_from_response(response, retry_after=retry_after)

    # -- shared call shapes (used by Records and RelatedList) -----------------------------

    def _write(self, method: str, url: str, items: Sequence[JSONObject]) -> Results:
        """Send ``items`` as ``{"data": [...]}`` in chunks of 100; results in input order."""
        return self._chunked(
            items, lambda chunk: self.request(method, url, json={"data": list(chunk)})
        )

    def _delete(self, url: str, ids: Sequence[str]) -> Results:
        """``DELETE url?ids=a,b`` in chunks of 100 ids; results in input order."""
        return self._chunked(
            ids, lambda chunk: self.request("DELETE", url, params={"ids": ",".join(chunk)})
        )

    def _one(self, method: str, url: str, json: Any = None, expected: int = 1) -> Results:
        """A call on a single-record URL whose answer is a result list (of one, normally)."""
        response = self.request(method, url, json=json)
        return Results(_item_results(response, expected), response.status_code)

    def _chunked(
        self, items: Sequence[Any], send: Callable[[Sequence[Any]], httpx.Response]
    ) -> Results:
        if not items:
            raise ValueError("nothing to send: give at least one item")
        results: list[ItemResult] = []
        statuses: set[int] = set()
        for chunk in chunks(items, MAX_PER_CALL):
            try:
                response = send(chunk)
            except CRMError as exc:
                exc.completed = list(results)
                raise
            results.extend(_item_results(response, len(chunk)))
            statuses.add(response.status_code)
        return Results(results, statuses.pop() if len(statuses) == 1 else 207)

    def _page(
        self,
        url: str,
        *,
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        query: dict[str, str | int] = {**(params or {}), "page": page, "per_page": per_page}
        response = self.request("GET", url, params=query, headers=headers)
        info_default = PageInfo(per_page=per_page, count=0, page=page, more_records=False)
        if response.status_code in (204, 304) or not response.content:
            return Page([], info_default, response.status_code)
        body = _json_object(response)
        data = body.get("data")
        if not isinstance(data, list):
            raise ServerError(
                "list answer without a data array",
                status_code=response.status_code,
                response=response,
            )
        info = body.get("info")
        return Page(
            [dict(r) for r in data],
            PageInfo.from_json(
                info if isinstance(info, dict) else None, page=page, per_page=per_page
            ),
            response.status_code,
        )

    def _iterate(
        self, url: str, *, per_page: int = MAX_PER_PAGE, params: Params | None = None
    ) -> Iterator[JSONObject]:
        page = 1
        while True:
            current = self._page(url, page=page, per_page=per_page, params=params)
            yield from current.data
            if not current.data or not current.info.more_records:
                return
            page += 1

    def _get_one(self, url: str, params: Params | None = None) -> JSONObject:
        response = self.request("GET", url, params=params)
        if response.status_code == 204 or not response.content:
            raise NotFound(
                "no record at this id", status_code=response.status_code, response=response
            )
        data = _json_object(response).get("data")
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise NotFound(
                "no record at this id", status_code=response.status_code, response=response
            )
        return dict(data[0])


def _json_object(response: httpx.Response) -> JSONObject:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ServerError(
            "answer is not a JSON object", status_code=response.status_code, response=response
        )
    return body


def _has_data_list(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("data"), list)


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def _item_results(response: httpx.Response, expected: int) -> list[ItemResult]:
    data = _json_object(response).get("data")
    if not isinstance(data, list) or len(data) != expected:
        got = len(data) if isinstance(data, list) else "no"
        raise ServerError(
            f"expected {expected} per-item results, got {got}",
            status_code=response.status_code,
            response=response,
        )
    return [ItemResult.from_json(item if isinstance(item, dict) else {}) for item in data]


def _backoff(attempt: int) -> float:
    """Wait before retry ``attempt`` (1-based) when a 429 carries no ``Retry-After``."""
    return float(min(2 ** (attempt - 1), 60))


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
