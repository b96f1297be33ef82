"""The fault catalog: Bybit's bad days as data, and the injector that plays them.

A fault is a name, which requests it hits (an endpoint pattern, a method, the first N /
after N / every Nth / a seeded probability) and an effect: an error envelope, an HTTP
status with its own body, a transport exception, a delay, or a *lost response* (the
exchange applies the request but the client sees a timeout, which is how duplicate orders
are born). Effects mirror what the real exchange and network do, so the user's bot meets
the same exception classes pybit, ccxt and requests raise in production.
"""

from __future__ import annotations

import fnmatch
import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

from . import facts
from .exchange.errors import envelope
from .exchange.wire import Reply, Request

Next = Callable[[Request], Reply]

def _read_timeout(request: Request) -> Exception:
    return requests.exceptions.ReadTimeout(
        f"HTTPSConnectionPool(host='{request.host}', port=443): Read timed out. (read timeout=10)"
    )

def _connect_timeout(request: Request) -> Exception:
    return requests.exceptions.ConnectTimeout(
        f"HTTPSConnectionPool(host='{request.host}', port=443): Max retries exceeded with url: "
        f"{request.path} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, "
        f"'Connection to {request.host} timed out. (connect timeout=10)'))"
    )

def _connection_reset(request: Request) -> Exception:
    return requests.exceptions.ConnectionError(
        f"('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
    )

#: OpenSSL's words for the ``ssl_error`` fault, as every client passes them on.
CERT_VERIFY_FAILED = (
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)"
)


def _ssl_error(request: Request) -> Exception:
    return requests.exceptions.SSLError(
        f"HTTPSConnectionPool(host='{request.host}', port=443): Max retries exceeded with url: "
        f"{request.path} (Caused by SSLError(SSLCertVerificationError(1, '{CERT_VERIFY_FAILED}')))"
    )

@dataclass(frozen=True)
class FaultSpec:
    """One entry of the catalog. ``scope`` picks the requests a fault hits by default."""

    name: str
    description: str
    scope: str = "any"  # "any", "private" (signed endpoints), "order" (order creation)
    ret_code: int | None = None
    ret_msg: str | None = None
    http_status: int = 200
    body: str | None = None
    content_type: str = "application/json"
    rate_headers: str = ""  # "", "reset" (reset in the future), "past" (reset already gone)
    #: > 0: the fault uses up the endpoint's rate-limit window for this long: every request to
    #: that endpoint before the reset gets ``ret_code``, the first one after passes.
    window_ms: int = 0
    exception: Callable[[Request], Exception] | None = None
    delay: float = 0.0
    lost: bool = False
    lint: str = ""  # the rule that catches the code this fault breaks

CATALOG: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        FaultSpec(
            "rate_limit", "10006 Too many visits, with X-Bapi-Limit* headers and a reset 1 s ahead",
            scope="private", ret_code=10006, rate_headers="reset", lint="BYB201, BYB202, BYB203",
        ),
        FaultSpec(
            "rate_limit_no_headers", "a global 10006 without any X-Bapi-Limit* header (pybit#340), on signed endpoints",
            scope="private", ret_code=10006, lint="BYB201",
        ),
        FaultSpec(
            "rate_limit_window",
            "an endpoint's rate-limit window used up: 10006 with X-Bapi-Limit* headers until the reset 600 ms ahead, then OK",
            scope="private", ret_code=10006, rate_headers="window", window_ms=600, lint="BYB201, BYB202, BYB203",
        ),
        FaultSpec(
            "rate_limit_global_window",
            "a global 10006 without headers on signed endpoints until its window (500 ms) resets, then OK",
            scope="private", ret_code=10006, window_ms=500, lint="BYB201, BYB202",
        ),
        FaultSpec(
            "rate_limit_reset_in_past", "10006 whose X-Bapi-Limit-Reset-Timestamp is already past (pybit sleeps a negative time)",
            scope="private", ret_code=10006, rate_headers="past", lint="BYB202",
        ),
        FaultSpec(
            "ip_ban", "HTTP 403 'access too frequent' (text body): the 600 requests / 5 s IP limit",
            http_status=403, body="access too frequent", content_type="text/plain", lint="BYB201",
        ),
        FaultSpec("invalid_key", "10003 API key is invalid (a key from another environment)", scope="private", ret_code=10003, lint="BYB301"),
        FaultSpec("unauthorized", "HTTP 401 with an empty body (key and host mismatch, pybit#130)", scope="private", http_status=401, body="", content_type="text/plain", lint="BYB301"),
        FaultSpec("sign_error", "10004 error sign! (the signature does not match)", scope="private", ret_code=10004, lint="BYB401"),
        FaultSpec("timestamp_expired", "10002 timestamp outside recv_window", scope="private", ret_code=10002, lint="BYB401, BYB402"),
        FaultSpec("params_error", "10001 Request parameter error", scope="private", ret_code=10001, lint="BYB101, BYB102, BYB103, BYB104, BYB105, BYB207"),
        FaultSpec("insufficient_balance", "110007 ab not enough for new order", scope="order", ret_code=110007, lint="BYB207"),
        FaultSpec("server_error", "10016 Server error (retry later)", ret_code=10016, lint="BYB204"),
        FaultSpec("system_busy", "HTTP 429 system-level frequency protection", http_status=429, body="", content_type="text/plain", lint="BYB201"),
        FaultSpec(
            "bad_gateway", "HTTP 502 Bad Gateway with an HTML body", http_status=502,
            body="<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            content_type="text/html", lint="BYB204",
        ),
        FaultSpec("timeout", "requests ReadTimeout: no answer (the request was not applied)", exception=_read_timeout, lint="BYB204"),
        FaultSpec("connect_timeout", "requests ConnectTimeout", exception=_connect_timeout, lint="BYB204"),
        FaultSpec("connection_reset", "ConnectionError: Connection reset by peer", exception=_connection_reset, lint="BYB204"),
        FaultSpec("ssl_error", "SSLError CERTIFICATE_VERIFY_FAILED (fix the CA bundle, never verify=False)", exception=_ssl_error, lint="BYB303"),
        FaultSpec("malformed_json", "HTTP 200 with a truncated JSON body", body='{"retCode":0,"retMsg":"OK","result":{"list":[', lint="BYB207"),
        FaultSpec("empty_body", "HTTP 200 with an empty body", body="", lint="BYB207"),
        FaultSpec("latency", "the answer arrives 2 s late (virtual time)", delay=2.0, lint="BYB206, BYB402"),
        FaultSpec(
            "lost_response", "the order is placed but the client sees a ReadTimeout: a blind retry duplicates it",
            scope="order", exception=_read_timeout, lost=True, lint="BYB205",
        ),
    )
}

ORDER_PATHS = ("/v5/order/create", "/v5/order/create-batch")

def is_private(request: Request) -> bool:
    return not request.path.startswith("/v5/market/")

class UnknownFault(ValueError):
    pass


class FaultParameterError(ValueError):
    """A fault parameter of the wrong type or out of range (names the fault and the parameter)."""


#: The longest injected delay: beyond an hour a test is waiting for nothing.
MAX_DELAY_S = 3600.0
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _bad(name: str, param: str, expected: str, value: Any) -> FaultParameterError:
    return FaultParameterError(f"bybit_fault({name!r}): {param} must be {expected}, got {value!r}")


def _times(name: str, value: Any) -> int | None:
    if value is None or (_is_int(value) and value >= 1):
        return value
    raise _bad(name, "times", "a positive int or None (every time)", value)


def _after(name: str, value: Any) -> int:
    if _is_int(value) and value >= 0:
        return value
    raise _bad(name, "after", "an int >= 0 (matching requests to let through first)", value)


def _every(name: str, value: Any) -> int | None:
    if value is None or (_is_int(value) and value >= 1):
        return value
    raise _bad(name, "every", "a positive int", value)


def _probability(name: str, value: Any) -> float | None:
    if value is None or (_is_number(value) and 0 < value <= 1):
        return value
    raise _bad(name, "probability", "a number in (0, 1]", value)


def _seed(name: str, value: Any) -> int | str | None:
    if value is None or _is_int(value) or isinstance(value, str):
        return value
    raise _bad(name, "seed", "an int, a string or None", value)


def _endpoint(name: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.startswith("/")):
        return value
    raise _bad(name, "endpoint", "a path or a pattern starting with '/', e.g. '/v5/order/*'", value)


def _method(name: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.upper() in METHODS):
        return value
    raise _bad(name, "method", f"one of {', '.join(METHODS)} or None", value)


def _optional(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _bad(name, "optional", "True or False", value)


#: Where a fault aims when no endpoint is given (``scope=``).
SCOPES = {"any": "any endpoint", "private": "signed endpoints", "order": "order creation"}


def _scope(name: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value in SCOPES):
        return value
    raise _bad(name, "scope", f"one of {', '.join(SCOPES)} or None", value)


def _delay(name: str, value: Any) -> float | None:
    if value is None or (_is_number(value) and 0 <= value <= MAX_DELAY_S):
        return value
    raise _bad(name, "delay", f"a number of seconds from 0 to {MAX_DELAY_S:g}", value)


#: Every parameter a fault takes, with its check (which returns the value or raises).
PARAMETERS: dict[str, Callable[[str, Any], Any]] = {
    "times": _times,
    "after": _after,
    "every": _every,
    "probability": _probability,
    "seed": _seed,
    "endpoint": _endpoint,
    "method": _method,
    "optional": _optional,
    "delay": _delay,
    "scope": _scope,
}

@dataclass
class Fault:
    """An injected fault: a catalog entry plus which requests it hits."""

    spec: FaultSpec
    times: int | None = 1
    after: int = 0
    every: int | None = None
    probability: float | None = None
    seed: int | None = None
    endpoint: str | None = None
    method: str | None = None
    optional: bool = False
    delay: float | None = None
    scope: str | None = None
    origin: str = "fixture"
    seen: int = 0  # matching requests
    hits: int = 0  # requests it fired on (for a window fault: windows opened)
    answered: int = 0  # requests answered by the fault (a window answers many)
    #: The open rate-limit window of a window fault: ("METHOD", path) and its reset time.
    window: tuple[str, str] | None = None
    window_until: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def create(cls, name: Any, origin: str = "fixture", **params: Any) -> "Fault":
        if not isinstance(name, str):
            raise FaultParameterError(
                f"bybit_fault: the fault name must be a string such as 'rate_limit', got {name!r}"
            )
        spec = CATALOG.get(name)
        if spec is None:
            raise UnknownFault(
                f"unknown bybit fault {name!r}. Known faults: {', '.join(sorted(CATALOG))} "
                "(pytest --bybit-faults-list describes them)"
            )
        unknown = set(params) - set(PARAMETERS)
        if unknown:
            raise FaultParameterError(
                f"bybit_fault({name!r}): unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(PARAMETERS))}"
            )
        checked = {key: PARAMETERS[key](name, value) for key, value in params.items()}
        times = checked.get("times", 1)
        if ("probability" in checked and checked["probability"] is not None or checked.get("every") is not None) and "times" not in params:
            times = None  # a rate or a period fires for the whole test unless capped
        checked.pop("times", None)
        fault = cls(spec=spec, origin=origin, times=times, **checked)
        fault._rng = random.Random(fault.seed if fault.seed is not None else 0)
        return fault

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, request: Request) -> bool:
        if self.spec.scope == "stream":
            return False  # played by the stream server (pytest_bybit.streams.faults)
        if self.method and request.method != self.method.upper():
            return False
        if self.endpoint:
            return fnmatch.fnmatchcase(request.path, self.endpoint)
        scope = self.scope or self.spec.scope
        if scope == "private":
            return is_private(request)
        if scope == "order":
            return request.path in ORDER_PATHS
        return True

    def fires(self, request: Request) -> bool:
        if self.exhausted or not self.matches(request):
            return False
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.every is not None and (self.seen - self.after) % self.every:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def describe(self) -> str:
        where = self.endpoint or SCOPES.get(self.scope or self.spec.scope, "any endpoint")
        count = "every time" if self.times is None else f"{self.times}x"
        return f"{self.name} ({count} on {where})"

class FaultInjector:
    """The exchange middleware that plays active faults, first match wins."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.faults: list[Fault] = []
        self.fired: list[tuple[str, str]] = []  # (fault, "METHOD path")
        #: The test's virtual sleeping so far when each request arrived (by record id): the
        #: waits a bot chose between two requests, free of real-time noise.
        self.slept_at: dict[int, float] = {}

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def unused(self) -> list[Fault]:
        return [f for f in self.faults if not f.optional and f.hits == 0]

    def __call__(self, request: Request, call_next: Next) -> Reply:
        now = self.clock.now_ms()
        if request.record is not None:
            self.slept_at[id(request.record)] = float(getattr(self.clock, "slept", 0.0))
        for fault in self.faults:
            if fault.window is not None and fault.window == (request.method, request.path):
                if now < fault.window_until:
                    return self._answer(fault, request, call_next)
                fault.window = None  # the window has reset: this request is the first of a new one
        for fault in self.faults:
            if fault.fires(request):
                if fault.spec.window_ms:
                    fault.window = (request.method, request.path)
                    fault.window_until = now + fault.spec.window_ms
                return self._answer(fault, request, call_next)
        return call_next(request)

    def _answer(self, fault: Fault, request: Request, call_next: Next) -> Reply:
        fault.answered += 1
        self.fired.append((fault.name, f"{request.method} {request.path}"))
        if request.record is not None:
            request.record.fault = fault.name
        return self._apply(fault, request, call_next)

    def _apply(self, fault: Fault, request: Request, call_next: Next) -> Reply:
        spec = fault.spec
        now = self.clock.now_ms()
        if spec.lost:
            call_next(request)  # the exchange applies it; the answer never arrives
            raise spec.exception(request)  # type: ignore[misc]
        if spec.exception is not None:
            raise spec.exception(request)
        if spec.delay or fault.delay:
            self.clock.advance(fault.delay if fault.delay is not None else spec.delay)
            return call_next(request)
        headers: dict[str, str] = {}
        if spec.rate_headers:
            reset = {"reset": now + 1000, "past": now - 1500, "window": fault.window_until}[spec.rate_headers]
            headers = {
                "X-Bapi-Limit": "10",
                "X-Bapi-Limit-Status": "0",
                "X-Bapi-Limit-Reset-Timestamp": str(reset),
            }
        if spec.ret_code is not None:
            message = spec.ret_msg
            if message is None:
                message = _default_message(spec.ret_code, request, now)
            body = envelope(spec.ret_code, message, None, now)
            return Reply(status=200, headers=headers, body=body, ret_code=spec.ret_code)
        return Reply(status=spec.http_status, headers=headers, body=spec.body or "", content_type=spec.content_type)


def _default_message(ret_code: int, request: Request, now: int) -> str:
    template = facts.RET_MESSAGES.get(ret_code, facts.RET_MESSAGES[10001])
    if ret_code == 10002:
        return template.format(
            req_timestamp=request.headers.get("x-bapi-timestamp", ""),
            server_timestamp=now,
            recv_window=request.headers.get("x-bapi-recv-window", "5000"),
        )
    if ret_code == 10004:
        return template.format(origin_string="***")
    return template
