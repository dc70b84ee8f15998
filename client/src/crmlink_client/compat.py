"""The shapes of Zoho's Python SDK, as a thin layer over :class:`crmlink_client.Client`.

Code written against ``zcrmsdk``'s related-records samples runs unchanged once the set-up lines
are swapped::

    from crmlink_client import Client
    from crmlink_client.compat import (Initializer, RelatedRecordsOperations, BodyWrapper,
                                       Record, ActionWrapper, SuccessResponse, APIException)
    Initializer.initialize(Client("http://127.0.0.1:8000", access_token="..."))

As in Zoho's SDK, an error answer is not raised: it comes back as
``APIResponse(status_code, object=APIException(...))``. Token failures and transport errors do
raise. Use the modern :class:`~crmlink_client.Client` API for new code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from ._client import Client
from ._errors import CRMError, TokenError
from ._related import RelatedList
from ._results import ItemResult, Page, Results
from ._types import MAX_PER_PAGE, RecordId, as_id_list, id_str, with_str_id

__all__ = [
    "APIException",
    "APIResponse",
    "ActionWrapper",
    "BodyWrapper",
    "Choice",
    "DelinkRecordsParam",
    "GetRelatedRecordHeader",
    "GetRelatedRecordsHeader",
    "GetRelatedRecordsParam",
    "Header",
    "HeaderMap",
    "Info",
    "Initializer",
    "Param",
    "ParameterMap",
    "Record",
    "RelatedRecordsOperations",
    "ResponseWrapper",
    "SuccessResponse",
    "User",
]


class Initializer:
    """Holds the client the SDK-shaped classes use. ``Initializer.initialize(client)`` replaces
    Zoho's ``Initializer.initialize(user, environment, token, store, config, resource_path)``."""

    _current: ClassVar[Initializer | None] = None

    def __init__(self, client: Client) -> None:
        self.client = client

    @classmethod
    def initialize(cls, client: Client) -> None:
        cls._current = cls(client)

    @classmethod
    def get_initializer(cls) -> Initializer:
        if cls._current is None:
            raise RuntimeError("call Initializer.initialize(Client(...)) first")
        return cls._current


class Choice(str):
    """A string with Zoho's ``get_value()`` (codes, statuses and messages are Choices there)."""

    def get_value(self) -> str:
        return str(self)


class Param:
    """A named query parameter (``GetRelatedRecordsParam.page``)."""

    def __init__(self, name: str) -> None:
        self.name = name


class Header:
    """A named request header (``GetRelatedRecordsHeader.if_modified_since``)."""

    def __init__(self, name: str) -> None:
        self.name = name


class _NamedMap:
    def __init__(self) -> None:
        self._values: dict[str, list[Any]] = {}

    def add(self, key: Param | Header, value: Any) -> None:
        """Add a value; adding the same key again appends (``ids`` become ``a,b``)."""
        self._values.setdefault(key.name, []).append(value)

    def get_map(self) -> dict[str, str]:
        return {k: ",".join(_scalar(v) for v in vs) for k, vs in self._values.items()}

    def get_all(self, name: str) -> list[Any]:
        return list(self._values.get(name, []))


class ParameterMap(_NamedMap):
    """Query parameters for an operation."""


class HeaderMap(_NamedMap):
    """Request headers for an operation."""


class GetRelatedRecordsParam:
    page = Param("page")
    per_page = Param("per_page")


class GetRelatedRecordsHeader:
    if_modified_since = Header("If-Modified-Since")


class GetRelatedRecordHeader:
    if_modified_since = Header("If-Modified-Since")


class DelinkRecordsParam:
    ids = Param("ids")


class User:
    """A user lookup (``Owner``, ``Created_By``, ``Modified_By``)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def get_id(self) -> RecordId | None:
        return _as_long(self._data.get("id"))

    def get_name(self) -> str | None:
        return self._data.get("name")

    def get_email(self) -> str | None:
        return self._data.get("email")


class Record:
    """A record as a bag of ``field API name -> value``."""

    def __init__(self) -> None:
        self._key_values: dict[str, Any] = {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        record = cls()
        record._key_values.update(data)
        return record

    def add_key_value(self, api_name: str, value: Any) -> None:
        self._key_values[api_name] = value

    def get_key_value(self, api_name: str) -> Any:
        return self._key_values.get(api_name)

    def get_key_values(self) -> dict[str, Any]:
        return dict(self._key_values)

    def get_id(self) -> RecordId | None:
        """The id, as an ``int`` like Zoho's SDK (a non-numeric id stays a string)."""
        return _as_long(self._key_values.get("id"))

    def set_id(self, record_id: RecordId) -> None:
        self._key_values["id"] = record_id

    def get_created_by(self) -> User | None:
        return _user(self._key_values.get("Created_By"))

    def get_modified_by(self) -> User | None:
        return _user(self._key_values.get("Modified_By"))

    def get_created_time(self) -> datetime | None:
        return _datetime(self._key_values.get("Created_Time"))

    def get_modified_time(self) -> datetime | None:
        return _datetime(self._key_values.get("Modified_Time"))

    def __repr__(self) -> str:
        return f"Record({self._key_values!r})"


class BodyWrapper:
    """The request body: ``data`` is the list of :class:`Record`."""

    def __init__(self, data: list[Record] | None = None) -> None:
        self.data: list[Record] = data if data is not None else []

    def get_data(self) -> list[Record]:
        return self.data

    def set_data(self, data: list[Record]) -> None:
        self.data = data


class _Outcome:
    """Fields shared by :class:`SuccessResponse` and :class:`APIException`."""

    def __init__(self, code: str, status: str, message: str, details: Mapping[str, Any]) -> None:
        self.code = Choice(code)
        self.status = Choice(status)
        self.message = Choice(message)
        self.details: dict[str, Any] = dict(details)

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> APIException | SuccessResponse:
        item = ItemResult.from_json(body)
        kind = SuccessResponse if item.ok else APIException
        return kind(item.code, item.status, item.message, item.details)

    def get_code(self) -> Choice:
        return self.code

    def get_status(self) -> Choice:
        return self.status

    def get_message(self) -> Choice:
        return self.message

    def get_details(self) -> dict[str, Any]:
        return self.details

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"message={self.message!r}, details={self.details!r})"
        )


class SuccessResponse(_Outcome):
    """One item that succeeded (``"status": "success"``)."""


class APIException(_Outcome):
    """An error: one failed item of a result list, or a whole request refused. Not raised."""


ActionResponse = SuccessResponse | APIException


class ActionWrapper:
    """A write answer: one :class:`SuccessResponse` or :class:`APIException` per input item."""

    def __init__(self, data: list[ActionResponse]) -> None:
        self.data = data

    def get_data(self) -> list[ActionResponse]:
        return self.data


class Info:
    """Paging information of a list answer."""

    def __init__(self, per_page: int, count: int, page: int, more_records: bool) -> None:
        self.per_page = per_page
        self.count = count
        self.page = page
        self.more_records = more_records

    def get_per_page(self) -> int:
        return self.per_page

    def get_count(self) -> int:
        return self.count

    def get_page(self) -> int:
        return self.page

    def get_more_records(self) -> bool:
        return self.more_records


class ResponseWrapper:
    """A list answer: ``data`` (records) and ``info``."""

    def __init__(self, data: list[Record], info: Info | None = None) -> None:
        self.data = data
        self.info = info

    def get_data(self) -> list[Record]:
        return self.data

    def get_info(self) -> Info | None:
        return self.info


ResponseObject = ActionWrapper | ResponseWrapper | APIException | None


class APIResponse:
    """What every operation returns: the HTTP status, headers and the parsed ``object``
    (``None`` for 204 and 304)."""

    def __init__(
        self, status_code: int, object: ResponseObject, headers: Mapping[str, str] | None = None
    ) -> None:
        self.status_code = status_code
        self.object = object
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def is_expected(self) -> bool:
        """True unless the object is a request-level :class:`APIException`."""
        return not isinstance(self.object, APIException)

    def get_status_code(self) -> int:
        return self.status_code

    def get_object(self) -> ResponseObject:
        return self.object

    def get_headers(self) -> dict[str, str]:
        return self.headers

    def __repr__(self) -> str:
        return f"APIResponse(status_code={self.status_code}, object={self.object!r})"


class RelatedRecordsOperations:
    """Zoho's ``RelatedRecordsOperations(related_list_api_name, record_id, module_api_name)``.

    ``client`` defaults to the one given to :meth:`Initializer.initialize`.
    """

    def __init__(
        self,
        related_list_api_name: str,
        record_id: RecordId,
        module_api_name: str,
        *,
        client: Client | None = None,
    ) -> None:
        self._client = client
        self.related_list_api_name = related_list_api_name
        self.record_id = record_id
        self.module_api_name = module_api_name

    @property
    def client(self) -> Client:
        return self._client or Initializer.get_initializer().client

    def _related(self) -> RelatedList:
        return self.client.related(self.module_api_name, self.record_id, self.related_list_api_name)

    def update_related_records(self, request: BodyWrapper) -> APIResponse:
        """``PUT /{module}/{id}/{list}`` with every record of ``request`` (100 per call)."""
        items = [with_str_id(r.get_key_values()) for r in request.get_data()]
        related = self._related()
        return _call(lambda: _actions(self.client._write("PUT", related.url, items)))

    def update_related_record(
        self,
        related_record_id: RecordId,
        request: BodyWrapper,
        header_instance: HeaderMap | None = None,
    ) -> APIResponse:
        """``PUT /{module}/{id}/{list}/{related_record_id}``."""
        items = [r.get_key_values() for r in request.get_data()]
        related = self._related()
        return _call(lambda: _actions(related._update_results(related_record_id, items)))

    def get_related_records(
        self,
        param_instance: ParameterMap | None = None,
        header_instance: HeaderMap | None = None,
    ) -> APIResponse:
        """``GET /{module}/{id}/{list}``: one page (``page``/``per_page`` from the params)."""
        params = param_instance.get_map() if param_instance else {}
        headers = header_instance.get_map() if header_instance else {}
        page = int(params.get("page", 1))
        per_page = int(params.get("per_page", MAX_PER_PAGE))
        client = self.client
        url = self._related().url
        return _call(
            lambda: _listing(
                client._page(url, page=page, per_page=per_page, headers=headers or None)
            )
        )

    def get_related_record(
        self, related_record_id: RecordId, header_instance: HeaderMap | None = None
    ) -> APIResponse:
        """``GET /{module}/{id}/{list}/{related_record_id}``."""
        headers = header_instance.get_map() if header_instance else None
        url = self._related()._item_url(related_record_id)
        client = self.client

        def fetch() -> APIResponse:
            response = client.request("GET", url, headers=headers)
            if response.status_code in (204, 304) or not response.content:
                return APIResponse(response.status_code, None, response.headers)
            body = response.json()
            records = [Record.from_json(r) for r in body.get("data", [])]
            return APIResponse(
                response.status_code, ResponseWrapper(records, None), response.headers
            )

        return _call(fetch)

    def delink_records(self, param_instance: ParameterMap | Iterable[RecordId]) -> APIResponse:
        """``DELETE /{module}/{id}/{list}?ids=...`` (100 ids per call). Takes a
        :class:`ParameterMap` with :attr:`DelinkRecordsParam.ids`, or the ids themselves."""
        if isinstance(param_instance, ParameterMap):
            ids = [id_str(i) for v in param_instance.get_all("ids") for i in _split(v)]
        else:
            ids = as_id_list(param_instance)
        client = self.client
        url = self._related().url
        return _call(lambda: _actions(client._delete(url, ids)))

    def delink_record(
        self, related_record_id: RecordId, header_instance: HeaderMap | None = None
    ) -> APIResponse:
        """``DELETE /{module}/{id}/{list}/{related_record_id}``."""
        related = self._related()
        return _call(
            lambda: _actions(self.client._one("DELETE", related._item_url(related_record_id)))
        )


def _call(operation: Callable[[], APIResponse]) -> APIResponse:
    """Run an operation; a request-level error becomes an APIResponse, as in Zoho's SDK."""
    try:
        return operation()
    except TokenError:
        raise
    except CRMError as exc:
        body = exc.body()
        headers = exc.response.headers if exc.response is not None else None
        return APIResponse(
            exc.status_code,
            APIException(body["code"], body["status"], body["message"], body["details"]),
            headers,
        )


def _actions(results: Results) -> APIResponse:
    return APIResponse(
        results.status_code, ActionWrapper([_Outcome.from_json(r.to_json()) for r in results])
    )


def _listing(page: Page) -> APIResponse:
    if page.status_code in (204, 304):
        return APIResponse(page.status_code, None)
    info = Info(page.info.per_page, page.info.count, page.info.page, page.info.more_records)
    return APIResponse(
        page.status_code, ResponseWrapper([Record.from_json(r) for r in page.data], info)
    )


def _split(value: Any) -> list[RecordId]:
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return list(value)


def _scalar(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_long(value: Any) -> RecordId | None:
    if value is None:
        return None
    text = str(value)
    return int(text) if text.isdigit() else text


def _user(value: Any) -> User | None:
    return User(value) if isinstance(value, Mapping) else None


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
