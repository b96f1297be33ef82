"""A request as it arrived on the wire and the reply sent back.

The exchange is transport-agnostic: the interceptor (``responses``) builds a :class:`Request`
from a prepared ``requests`` request, and anything else (a local server, a test) can do the
same. The query string and body are kept RAW because signatures are computed over the exact
bytes the client sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import parse_qsl, urlsplit

from .errors import BybitError

if TYPE_CHECKING:
    from .models import Account, ApiKey
    from .recording import RequestRecord


#: Body fields that hold a list of flat objects (the batch endpoints' orders); every other V5
#: body field is a scalar.
LIST_FIELDS = frozenset({"request"})
_JSON_TYPES = {dict: "an object", list: "an array"}


def _type_error(name: str, value: Any) -> BybitError:
    kind = _JSON_TYPES.get(type(value), type(value).__name__)
    return BybitError(10001, f"params error: {name} must be a string or a number, not {kind}")


def check_shape(data: dict[str, Any]) -> None:
    """Refuse a body whose fields have the wrong JSON type, naming the field.

    Bybit answers a 10001 params error; without this check an array in ``symbol`` or
    ``orderId`` would reach a dict lookup in the fake and crash it ("unhashable type").
    """
    for name, value in data.items():
        if name in LIST_FIELDS:
            if not isinstance(value, list):
                raise BybitError(10001, f"params error: {name} must be an array of objects")
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise BybitError(10001, f"params error: {name}[{i}] must be an object")
                for key, inner in item.items():
                    if isinstance(inner, (dict, list)):
                        raise _type_error(f"{name}[{i}].{key}", inner)
        elif isinstance(value, (dict, list)):
            raise _type_error(name, value)


class Request:
    """One HTTP request: method, URL parts, lower-cased headers, raw body bytes."""

    __slots__ = (
        "method",
        "url",
        "scheme",
        "host",
        "path",
        "query",
        "headers",
        "body",
        "_params",
        "api_key",
        "account",
        "now_ms",
        "record",
        "granted",
    )

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> None:
        self.method = method.upper()
        self.url = url
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = (parts.hostname or "").lower()
        self.path = parts.path or "/"
        self.query = parts.query
        if not headers:
            self.headers: dict[str, str] = {}
        elif hasattr(headers, "lower_items"):  # requests' CaseInsensitiveDict: already lower-cased
            self.headers = dict(headers.lower_items())
        else:
            self.headers = {k.lower(): v for k, v in headers.items()}
        # urllib3 sends a str body as UTF-8; keep exactly those bytes.
        self.body = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self._params: dict[str, Any] | None = None
        self.api_key: ApiKey | None = None
        self.account: Account | None = None
        self.now_ms = 0
        self.record: RequestRecord | None = None
        #: Rate-limit slots granted to a batch request (one per order); None when not a batch.
        self.granted: int | None = None

    @property
    def payload(self) -> bytes:
        """What the signature covers: the raw query string for GET, the raw body otherwise."""
        return self.query.encode("utf-8") if self.method == "GET" else self.body

    @property
    def params(self) -> dict[str, Any]:
        """Query parameters (GET) or the JSON body (POST); a malformed body is a 10001."""
        if self._params is None:
            if self.method == "GET":
                self._params = dict(parse_qsl(self.query, keep_blank_values=True))
            elif not self.body:
                self._params = {}
            else:
                try:
                    data = json.loads(self.body)
                except (ValueError, RecursionError):
                    # RecursionError: a body nested thousands deep; Bybit answers it as malformed.
                    raise BybitError(10001) from None
                if not isinstance(data, dict):
                    raise BybitError(10001)
                check_shape(data)
                self._params = data
        return self._params

    def safe_params(self) -> dict[str, Any]:
        """Like :attr:`params` but never raises: for logs and records."""
        try:
            return self.params
        except BybitError:
            return {}

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


@dataclass
class Reply:
    """What the client receives. ``ret_code`` is None for replies that are not an envelope."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    content_type: str = "application/json"
    ret_code: int | None = None

    def json(self) -> Any:
        """The decoded body, for tests that call :meth:`FakeBybit.handle` directly."""
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8") if isinstance(self.body, bytes) else self.body
