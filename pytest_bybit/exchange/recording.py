"""The request log a test asserts on (``exchange.requests``).

Records are made at the outermost layer, before any middleware, so injected faults (a reply the
exchange never produced, an exception raised on the way back) are logged as the client saw them,
alongside what the exchange itself did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .wire import Reply, Request

_REDACTED = frozenset({"x-bapi-sign", "x-bapi-api-key"})
_ANY: Any = object()


class RequestRecord:
    """One request as the client experienced it.

    ``ret_code`` / ``http_status`` are what the client received (None when a middleware raised
    instead: see ``error``). ``applied`` tells whether the exchange itself processed the request
    and ``exchange_ret_code`` what it answered, so a "lost response" (order placed, client saw a
    timeout) reads as ``applied and error is not None``.
    """

    __slots__ = (
        "request",
        "time_ms",
        "ret_code",
        "http_status",
        "error",
        "applied",
        "exchange_ret_code",
        "exchange_http_status",
        "fault",
        "reply",
        "paused",
    )

    def __init__(self, request: Request, time_ms: int) -> None:
        self.request = request
        self.time_ms = time_ms
        self.ret_code: int | None = None
        self.http_status: int | None = None
        self.error: BaseException | None = None
        self.applied = False
        self.exchange_ret_code: int | None = None
        self.exchange_http_status: int | None = None
        #: Name of the injected fault that answered, if any (set by fault middleware).
        self.fault: str | None = None
        #: The reply the client received (None when a middleware raised instead).
        self.reply: Reply | None = None
        #: Sent inside ``bybit.paused()``: the test's own set-up, out of faults and invariants.
        self.paused = False

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def host(self) -> str:
        return self.request.host

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def params(self) -> dict[str, Any]:
        return self.request.safe_params()

    @property
    def headers(self) -> dict[str, str]:
        """Request headers with the signature and the API key redacted."""
        return {k: ("<redacted>" if k in _REDACTED else v) for k, v in self.request.headers.items()}

    @property
    def reply_headers(self) -> dict[str, str]:
        """Headers of the reply the client received ({} when it got an exception instead)."""
        return self.reply.headers if self.reply is not None else {}

    def _served(self, reply: Reply) -> None:
        self.applied = True
        self.exchange_ret_code = reply.ret_code
        self.exchange_http_status = reply.status

    def _received(self, reply: Reply) -> None:
        self.reply = reply
        self.ret_code = reply.ret_code
        self.http_status = reply.status

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "params": self.params,
            "headers": self.headers,
            "ret_code": self.ret_code,
            "http_status": self.http_status,
            "time_ms": self.time_ms,
            "error": repr(self.error) if self.error is not None else None,
            "applied": self.applied,
            "exchange_ret_code": self.exchange_ret_code,
            "fault": self.fault,
        }

    def __repr__(self) -> str:
        outcome = repr(self.error) if self.error is not None else f"{self.http_status}/{self.ret_code}"
        return f"<RequestRecord {self.method} {self.host}{self.path} -> {outcome}>"


class RequestLog(list):
    """A list of :class:`RequestRecord` with helpers for assertions."""

    def filter(
        self,
        path: str = _ANY,
        method: str = _ANY,
        host: str = _ANY,
        ret_code: int | None = _ANY,
        http_status: int | None = _ANY,
        error: bool = _ANY,
    ) -> RequestLog:
        """Records matching every criterion given (``error=True`` keeps those that raised)."""

        def keep(r: RequestRecord) -> bool:
            return (
                (path is _ANY or r.path == path)
                and (method is _ANY or r.method == method.upper())
                and (host is _ANY or r.host == host)
                and (ret_code is _ANY or r.ret_code == ret_code)
                and (http_status is _ANY or r.http_status == http_status)
                and (error is _ANY or (r.error is not None) == error)
            )

        return RequestLog(r for r in self if keep(r))

    def count(self, *args: Any, **criteria: Any) -> int:  # type: ignore[override]
        """Number of matching records; ``count(record)`` keeps the list semantics."""
        if args:
            return super().count(*args)
        return len(self.filter(**criteria))

    @property
    def last(self) -> RequestRecord | None:
        return self[-1] if self else None

    def paths(self) -> list[str]:
        return [r.path for r in self]

    def ret_codes(self) -> list[int | None]:
        return [r.ret_code for r in self]
