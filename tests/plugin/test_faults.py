"""Every fault of the catalog, as plain ``requests`` and unmodified pybit meet it; how faults
pick their requests (times, after, every, probability, endpoint, method); and the
``bybit_fault`` marker on tests, classes and modules."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from typing import Any, Callable
from urllib.parse import urlencode

import pytest
import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP

from pytest_bybit.clock import real_monotonic
from pytest_bybit.faults import CATALOG, Fault, FaultParameterError, UnknownFault

TESTNET = "https://api-testnet.bybit.com"
ORDER = dict(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")


def signed(bybit, method: str, path: str, params: dict[str, Any] | None = None, *, ts: int | None = None,
           recv_window: int = 5000) -> requests.Response:
    """A V5 request signed by hand: HMAC-SHA256 over timestamp + key + recv_window + payload."""
    params = params or {}
    ts = int(time.time() * 1000) if ts is None else ts
    if method == "GET":
        payload, body = urlencode(params), None
        url = TESTNET + path + ("?" + payload if payload else "")
    else:
        payload = body = json.dumps(params)
        url = TESTNET + path
    sign = hmac.new(bybit.api_secret.encode(), f"{ts}{bybit.api_key}{recv_window}{payload}".encode(), hashlib.sha256)
    headers = {
        "X-BAPI-API-KEY": bybit.api_key,
        "X-BAPI-TIMESTAMP": str(ts),
        "X-BAPI-RECV-WINDOW": str(recv_window),
        "X-BAPI-SIGN": sign.hexdigest(),
        "Content-Type": "application/json",
    }
    return requests.request(method, url, headers=headers, data=body, timeout=10)


def place(bybit, **overrides: Any) -> requests.Response:
    return signed(bybit, "POST", "/v5/order/create", {**ORDER, **overrides})


def public_time() -> requests.Response:
    return requests.get(TESTNET + "/v5/market/time", timeout=10)


def ret_code(response: requests.Response) -> int:
    return response.json()["retCode"]


def lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


# -- every fault through plain requests --------------------------------------------------

def _envelope(code: int, message: str | None = None) -> Callable[[Any, Any, int], None]:
    def check(bybit, outcome, sent_ts):
        assert outcome.status_code == 200
        body = outcome.json()
        assert body["retCode"] == code
        assert body["result"] == {} and body["retExtInfo"] == {}
        if message is not None:
            assert body["retMsg"] == message
        if code != 10006:
            assert not any(k.startswith("x-bapi-limit") for k in lower(outcome.headers))

    return check


def _rate_limit(bybit, outcome, sent_ts):
    body = outcome.json()
    assert (body["retCode"], body["retMsg"]) == (10006, "Too many visits. Exceeded the API Rate Limit.")
    headers = lower(outcome.headers)
    assert headers["x-bapi-limit"] == "10" and headers["x-bapi-limit-status"] == "0"
    assert int(headers["x-bapi-limit-reset-timestamp"]) == body["time"] + 1000  # reset 1 s ahead


def _rate_limit_no_headers(bybit, outcome, sent_ts):
    assert ret_code(outcome) == 10006
    assert not any(k.startswith("x-bapi-limit") for k in lower(outcome.headers))


def _rate_limit_window(bybit, outcome, sent_ts):
    body = outcome.json()
    assert body["retCode"] == 10006
    reset = int(lower(outcome.headers)["x-bapi-limit-reset-timestamp"])
    # opened at this request: 600 ms ahead of the moment the window opened, which the live
    # clock may have left a millisecond or two before the envelope's time was taken
    assert 590 <= reset - body["time"] <= 600
    # the window stays used up until its reset: every request before it gets 10006 too
    time.sleep(0.3)
    again = place(bybit, qty="0.02")
    assert ret_code(again) == 10006 and int(lower(again.headers)["x-bapi-limit-reset-timestamp"]) == reset
    bybit.requests.pop()  # keep the log to the first answer for the shared checks
    bybit.injector.fired.pop()


def _rate_limit_global_window(bybit, outcome, sent_ts):
    assert ret_code(outcome) == 10006
    assert not any(k.startswith("x-bapi-limit") for k in lower(outcome.headers))
    time.sleep(0.2)
    assert ret_code(place(bybit, qty="0.02")) == 10006  # still inside the 500 ms window
    bybit.requests.pop()
    bybit.injector.fired.pop()


def _rate_limit_reset_in_past(bybit, outcome, sent_ts):
    body = outcome.json()
    assert body["retCode"] == 10006
    assert int(lower(outcome.headers)["x-bapi-limit-reset-timestamp"]) < body["time"]


def _http(status: int, text: str | None = None, content_type: str = "text/plain") -> Callable[[Any, Any, int], None]:
    def check(bybit, outcome, sent_ts):
        assert outcome.status_code == status
        assert outcome.headers["Content-Type"].startswith(content_type)
        if text is not None:
            assert outcome.text == text
        with pytest.raises(ValueError):
            outcome.json()  # not the JSON envelope

    return check


def _sign_error(bybit, outcome, sent_ts):
    _envelope(10004)(bybit, outcome, sent_ts)
    assert outcome.json()["retMsg"].startswith("error sign!")


def _timestamp_expired(bybit, outcome, sent_ts):
    _envelope(10002)(bybit, outcome, sent_ts)
    message = outcome.json()["retMsg"]
    assert message.startswith("invalid request, please check your server timestamp or recv_window param.")
    assert f"req_timestamp[{sent_ts}]" in message and "recv_window[5000]" in message


def _raises(kind: type[BaseException], text: str, not_kind: type[BaseException] | None = None):
    def check(bybit, outcome, sent_ts):
        assert isinstance(outcome, kind), outcome
        if not_kind is not None:
            assert not isinstance(outcome, not_kind)
        assert text in str(outcome)
        assert bybit.orders == []  # the request never reached the exchange

    return check


def _malformed_json(bybit, outcome, sent_ts):
    assert outcome.status_code == 200
    assert outcome.text == '{"retCode":0,"retMsg":"OK","result":{"list":['
    with pytest.raises(requests.exceptions.JSONDecodeError):
        outcome.json()


def _empty_body(bybit, outcome, sent_ts):
    assert outcome.status_code == 200 and outcome.content == b""


def _latency(bybit, outcome, sent_ts):
    assert ret_code(outcome) == 0 and len(bybit.orders) == 1  # late, but served
    assert time.time() * 1000 - sent_ts >= 2000


def _lost_response(bybit, outcome, sent_ts):
    assert isinstance(outcome, requests.exceptions.ReadTimeout)
    assert len(bybit.orders) == 1  # the exchange placed it: only the answer was lost
    record = bybit.requests[0]
    assert record.applied and record.exchange_ret_code == 0 and record.error is outcome


EXPECTED: dict[str, Callable[[Any, Any, int], None]] = {
    "rate_limit": _rate_limit,
    "rate_limit_no_headers": _rate_limit_no_headers,
    "rate_limit_reset_in_past": _rate_limit_reset_in_past,
    "rate_limit_window": _rate_limit_window,
    "rate_limit_global_window": _rate_limit_global_window,
    "ip_ban": _http(403, "access too frequent"),
    "invalid_key": _envelope(10003, "API key is invalid."),
    "unauthorized": _http(401, ""),
    "sign_error": _sign_error,
    "timestamp_expired": _timestamp_expired,
    "params_error": _envelope(10001, "Request parameter error."),
    "insufficient_balance": _envelope(110007, "ab not enough for new order"),
    "server_error": _envelope(10016, "Server error."),
    "system_busy": _http(429, ""),
    "bad_gateway": _http(502, None, "text/html"),
    "timeout": _raises(requests.exceptions.ReadTimeout, "Read timed out"),
    "connect_timeout": _raises(requests.exceptions.ConnectTimeout, "connect timeout"),
    "connection_reset": _raises(requests.exceptions.ConnectionError, "Connection reset by peer", requests.exceptions.Timeout),
    "ssl_error": _raises(requests.exceptions.SSLError, "CERTIFICATE_VERIFY_FAILED"),
    "malformed_json": _malformed_json,
    "empty_body": _empty_body,
    "latency": _latency,
    "lost_response": _lost_response,
}


def test_every_catalog_fault_has_a_check_here() -> None:
    # stream faults (scope "stream") are played by the stream server: tests/streams
    assert set(EXPECTED) == {name for name, spec in CATALOG.items() if spec.scope != "stream"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fault_through_plain_requests(bybit, name: str) -> None:
    bybit.set_price("BTCUSDT", 50000)
    fault = bybit.fault(name)
    sent_ts = int(time.time() * 1000)
    started = real_monotonic()
    try:
        outcome: Any = signed(bybit, "POST", "/v5/order/create", ORDER, ts=sent_ts)
    except requests.exceptions.RequestException as exc:
        outcome = exc
    assert real_monotonic() - started < 1  # delays and timeouts are virtual
    EXPECTED[name](bybit, outcome, sent_ts)
    assert (fault.hits, bybit.requests[0].fault, bybit.injector.fired) == (1, name, [(name, "POST /v5/order/create")])

    time.sleep(1.5)  # past any reset time (virtual), then the fault is spent: a normal answer
    again = place(bybit, qty="0.02")
    assert ret_code(again) == 0 and again.status_code == 200
    assert bybit.requests[-1].fault is None


# -- what unmodified pybit raises ----------------------------------------------------------

def _pybit_ok(codes: list[int], slept: float | None = None):
    def check(bybit, outcome):
        assert isinstance(outcome, dict) and outcome["retCode"] == 0, outcome
        assert [r.ret_code for r in bybit.requests] == codes
        if slept is not None:
            assert bybit.clock.slept == pytest.approx(slept, abs=0.05)

    return check


def _pybit_invalid(code: int, message: str):
    def check(bybit, outcome):
        assert isinstance(outcome, InvalidRequestError), outcome
        assert (outcome.status_code, outcome.message) == (code, message)
        assert len(bybit.requests) == 1  # not a retry code: raised at once

    return check


def _pybit_failed(status: int, message: str):
    def check(bybit, outcome):
        assert isinstance(outcome, FailedRequestError), outcome
        assert (outcome.status_code, outcome.message) == (status, message)
        assert len(bybit.requests) == 1

    return check


def _pybit_raw(kind: type[BaseException]):
    def check(bybit, outcome):
        assert type(outcome) is kind, outcome  # pybit re-raises the requests exception as is
        assert len(bybit.requests) == 1

    return check


def _pybit_negative_sleep(bybit, outcome):
    # pybit sleeps (reset - now) / 1000 with no clamp at 0: the real time.sleep refuses that
    assert type(outcome) is ValueError and str(outcome) == "sleep length must be non-negative"
    assert bybit.clock.slept == 0 and len(bybit.requests) == 1


def _pybit_lost(bybit, outcome):
    assert type(outcome) is requests.exceptions.ReadTimeout
    assert len(bybit.orders) == 1


HTTP_NOT_200 = "HTTP status code is not 200."
PYBIT_EXPECTED = {
    "rate_limit": _pybit_ok([10006, 0], slept=1.0),  # waited for X-Bapi-Limit-Reset-Timestamp
    "rate_limit_no_headers": _pybit_ok([10006, 0], slept=2.0),  # pybit's now + 2000 default
    "rate_limit_reset_in_past": _pybit_negative_sleep,
    "rate_limit_window": _pybit_ok([10006, 0], slept=0.6),  # slept until the window's reset, then OK
    "rate_limit_global_window": _pybit_ok([10006, 0], slept=2.0),  # 2 s without a header: past the window
    "timestamp_expired": _pybit_ok([10002, 0], slept=3.0),  # retry_delay, recv_window + 2500
    "ip_ban": _pybit_failed(403, "You have breached the IP rate limit or your IP is from the USA."),
    "unauthorized": _pybit_failed(401, HTTP_NOT_200),
    "system_busy": _pybit_failed(429, HTTP_NOT_200),
    "bad_gateway": _pybit_failed(502, HTTP_NOT_200),
    "invalid_key": _pybit_invalid(10003, "API key is invalid."),
    "sign_error": _pybit_invalid(10004, "error sign! origin_string[***]"),
    "params_error": _pybit_invalid(10001, "Request parameter error."),
    "insufficient_balance": _pybit_invalid(110007, "ab not enough for new order"),
    "server_error": _pybit_invalid(10016, "Server error."),
    "timeout": _pybit_raw(requests.exceptions.ReadTimeout),
    "connect_timeout": _pybit_raw(requests.exceptions.ConnectTimeout),
    "connection_reset": _pybit_raw(requests.exceptions.ConnectionError),
    "ssl_error": _pybit_raw(requests.exceptions.SSLError),
    "malformed_json": _pybit_failed(409, "Conflict. Could not decode JSON."),
    "empty_body": _pybit_failed(409, "Conflict. Could not decode JSON."),
    "lost_response": _pybit_lost,
}


@pytest.mark.parametrize("name", list(PYBIT_EXPECTED))
def test_fault_through_unmodified_pybit(bybit, name: str) -> None:
    bybit.set_price("BTCUSDT", 50000)
    bybit.fault(name)
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    started = real_monotonic()
    try:
        outcome: Any = session.place_order(**ORDER)
    except Exception as exc:  # noqa: BLE001 - each fault names what it must be
        outcome = exc
    assert real_monotonic() - started < 1
    PYBIT_EXPECTED[name](bybit, outcome)


def test_pybit_timestamp_expired_retries_with_a_larger_recv_window(bybit) -> None:
    bybit.fault("timestamp_expired")
    HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret).get_wallet_balance(accountType="UNIFIED")
    assert [r.headers["x-bapi-recv-window"] for r in bybit.requests] == ["5000", "7500"]


# -- which requests a fault hits -------------------------------------------------------------

def codes_of(n: int) -> list[int]:
    return [ret_code(public_time()) for _ in range(n)]


def test_times_2_then_normal_answers(bybit) -> None:
    bybit.fault("server_error", times=2)
    assert codes_of(4) == [10016, 10016, 0, 0]


def test_times_none_is_every_time(bybit) -> None:
    bybit.fault("server_error", times=None)
    assert codes_of(3) == [10016, 10016, 10016]


def test_after_n_skips_the_first_n(bybit) -> None:
    fault = bybit.fault("server_error", after=2)
    assert codes_of(4) == [0, 0, 10016, 0]
    assert (fault.seen, fault.hits) == (3, 1)  # it stops looking once spent


def test_every_n_hits_each_nth_request(bybit) -> None:
    bybit.fault("server_error", every=2)
    assert codes_of(6) == [0, 10016, 0, 10016, 0, 10016]


def test_every_with_after_and_times(bybit) -> None:
    bybit.fault("server_error", every=3, after=1, times=2)
    assert codes_of(9) == [0, 0, 0, 10016, 0, 0, 10016, 0, 0]


def _pattern(probability: float, seed: int, n: int) -> list[int]:
    rng = random.Random(seed)
    return [10016 if rng.random() < probability else 0 for _ in range(n)]


@pytest.mark.bybit_allow("unbounded_retry")  # 40 identical requests, half of them failing
def test_probability_with_seed_is_reproducible(bybit) -> None:
    first = bybit.fault("server_error", probability=0.5, seed=7)
    run1 = codes_of(20)
    bybit.injector.faults.remove(first)
    bybit.fault("server_error", probability=0.5, seed=7)
    run2 = codes_of(20)
    assert run1 == run2 == _pattern(0.5, 7, 20)
    assert 0 < run1.count(10016) < 20  # really random: some hit, some not
    assert _pattern(0.5, 8, 20) != run1  # and the seed matters


def test_endpoint_glob(bybit) -> None:
    bybit.set_price("BTCUSDT", 50000)
    bybit.fault("server_error", endpoint="/v5/order/*", times=None)
    assert ret_code(place(bybit)) == 10016
    assert ret_code(signed(bybit, "GET", "/v5/order/realtime", {"category": "linear", "symbol": "BTCUSDT"})) == 10016
    assert ret_code(signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})) == 0
    assert ret_code(public_time()) == 0


def test_endpoint_points_a_private_fault_at_a_public_path(bybit) -> None:
    bybit.fault("rate_limit_no_headers", endpoint="/v5/market/time")
    assert codes_of(1) == [10006]
    time.sleep(1)  # no reset header: a rolling second
    assert codes_of(1) == [0]


def test_method_filter(bybit) -> None:
    bybit.set_price("BTCUSDT", 50000)
    bybit.fault("server_error", method="post", times=None)  # any case
    assert ret_code(signed(bybit, "GET", "/v5/order/realtime", {"category": "linear", "symbol": "BTCUSDT"})) == 0
    assert ret_code(public_time()) == 0
    assert ret_code(place(bybit)) == 10016


def test_default_scopes(bybit) -> None:
    bybit.set_price("BTCUSDT", 50000)
    private = bybit.fault("rate_limit", times=None)  # signed endpoints only
    order = bybit.fault("insufficient_balance", times=None)  # order creation only
    assert ret_code(public_time()) == 0
    assert ret_code(signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})) == 10006
    bybit.injector.faults.remove(private)
    time.sleep(1)  # wait for the reset the 10006 named (virtual)
    assert ret_code(signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})) == 0
    assert ret_code(place(bybit)) == 110007
    assert order.hits == 1


def test_first_matching_fault_wins_in_the_order_added(bybit) -> None:
    bybit.fault("server_error", endpoint="/v5/market/time")
    bybit.fault("bad_gateway", endpoint="/v5/market/time")
    bybit.fault("system_busy", endpoint="/v5/market/time")
    assert [r.status_code for r in (public_time() for _ in range(4))] == [200, 502, 429, 200]
    assert [r.fault for r in bybit.requests] == ["server_error", "bad_gateway", "system_busy", None]


def test_latency_advances_the_virtual_clock_by_2s(bybit) -> None:
    bybit.fault("latency", endpoint="/v5/market/time")
    before_local, before_server = time.time(), bybit.clock.server_ms()
    started = real_monotonic()
    body = public_time().json()
    assert real_monotonic() - started < 0.5
    assert 2.0 <= time.time() - before_local < 2.5
    assert 2000 <= body["time"] - before_server < 2500  # the exchange answered 2 s later too


def test_latency_delay_parameter(bybit) -> None:
    bybit.fault("latency", endpoint="/v5/market/time", delay=30)
    before = time.time()
    public_time()
    assert 30 <= time.time() - before < 30.5


def test_lost_response_order_exists_but_the_client_saw_a_timeout(bybit) -> None:
    bybit.set_price("BTCUSDT", 50000)
    bybit.fault("lost_response")
    with pytest.raises(requests.exceptions.ReadTimeout):
        place(bybit, orderLinkId="lost-1")
    assert [o["orderLinkId"] for o in bybit.orders] == ["lost-1"]
    assert bybit.requests.filter(error=True)[0].applied
    # a careful bot looks it up before retrying, and finds it
    found = signed(bybit, "GET", "/v5/order/realtime", {"category": "linear", "orderLinkId": "lost-1"}).json()
    assert [o["orderLinkId"] for o in found["result"]["list"]] == ["lost-1"]


def test_bybit_fault_returns_the_fault(bybit) -> None:
    fault = bybit.fault("rate_limit", times=3, endpoint="/v5/order/create")
    assert isinstance(fault, Fault) and fault.origin == "fixture"
    assert fault.describe() == "rate_limit (3x on /v5/order/create)"
    assert Fault.create("rate_limit").describe() == "rate_limit (1x on signed endpoints)"
    assert Fault.create("lost_response", times=None).describe() == "lost_response (every time on order creation)"
    bybit.injector.faults.remove(fault)  # not meant to fire here


@pytest.mark.parametrize(
    ("params", "error", "text"),
    [
        ({"tims": 2}, FaultParameterError, "unknown parameter(s) tims; use after, delay, endpoint"),
        ({"times": 0}, ValueError, "times must be a positive int or None (every time), got 0"),
        ({"times": 1.5}, ValueError, "times must be a positive int"),
        ({"probability": 0}, ValueError, "probability must be a number in (0, 1], got 0"),
        ({"probability": 1.5}, ValueError, "probability must be a number in (0, 1]"),
        ({"every": 0}, ValueError, "every must be a positive int, got 0"),
    ],
)
def test_bad_parameters(params: dict[str, Any], error: type[Exception], text: str) -> None:
    with pytest.raises(error) as info:
        Fault.create("rate_limit", **params)
    assert text in str(info.value)


def test_unknown_fault_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFault, match=r"unknown bybit fault 'rate_limitt'\. Known faults: bad_gateway, "):
        Fault.create("rate_limitt")


# -- the marker ----------------------------------------------------------------------------

def test_markers_on_module_class_and_test_in_order(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_markers="""
        import pytest, requests

        pytestmark = pytest.mark.bybit_fault("server_error", endpoint="/v5/market/time")
        URL = "https://api-testnet.bybit.com/v5/market/time"

        def answers(n):
            return [(r.status_code, r.json()["retCode"] if r.status_code == 200 else None)
                    for r in (requests.get(URL) for _ in range(n))]

        def test_module_marker(bybit):
            assert answers(2) == [(200, 10016), (200, 0)]

        @pytest.mark.bybit_fault("bad_gateway", endpoint="/v5/market/time")
        class TestClass:
            def test_class_marker(self, bybit):
                assert answers(3) == [(200, 10016), (502, None), (200, 0)]

            # several at once: module, class, then the test's own from the top down
            @pytest.mark.bybit_fault("system_busy", endpoint="/v5/market/time")
            @pytest.mark.bybit_fault("ip_ban", endpoint="/v5/market/time", times=2)
            def test_several(self, bybit):
                assert answers(6) == [(200, 10016), (502, None), (429, None), (403, None), (403, None), (200, 0)]
                assert [f.origin for f in bybit.injector.faults] == ["marker"] * 4
        """
    )
    result = inner("-v")
    result.assert_outcomes(passed=3)


def test_marker_times_after_every_probability(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marker_params="""
        import random, pytest, requests

        def codes(n):
            return [requests.get("https://api-testnet.bybit.com/v5/market/time").json()["retCode"] for _ in range(n)]

        @pytest.mark.bybit_fault("server_error", times=2)
        def test_times(bybit):
            assert codes(3) == [10016, 10016, 0]

        @pytest.mark.bybit_fault("server_error", after=3)
        def test_after(bybit):
            assert codes(5) == [0, 0, 0, 10016, 0]

        @pytest.mark.bybit_fault("server_error", every=3)
        def test_every(bybit):
            assert codes(6) == [0, 0, 10016, 0, 0, 10016]

        @pytest.mark.parametrize("run", [1, 2])
        @pytest.mark.bybit_fault("server_error", probability=0.3, seed=42)
        def test_seeded(bybit, run):
            rng = random.Random(42)
            assert codes(15) == [10016 if rng.random() < 0.3 else 0 for _ in range(15)]
        """
    )
    inner().assert_outcomes(passed=5)


def test_fault_from_inside_the_test_adds_to_the_markers(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inside="""
        import pytest, requests

        @pytest.mark.bybit_fault("server_error", endpoint="/v5/market/time")
        def test_it(bybit):
            bybit.fault("bad_gateway", endpoint="/v5/market/time")
            statuses = [requests.get("https://api-testnet.bybit.com/v5/market/time").status_code for _ in range(3)]
            assert statuses == [200, 502, 200]
            assert [f.origin for f in bybit.injector.faults] == ["marker", "fixture"]
        """
    )
    inner().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('"rate_limit", tims=2', "*test_it: bybit_fault('rate_limit'): unknown parameter(s) tims; use after, *"),
        ('"rate_limit", times=0', "*bybit_fault('rate_limit'): times must be a positive int or None (every time), got 0*"),
        ('"rate_limit", every=-1', "*bybit_fault('rate_limit'): every must be a positive int, got -1*"),
        ("", "*bybit_fault needs a fault name, e.g. @pytest.mark.bybit_fault('rate_limit')*"),
    ],
)
def test_bad_marker_arguments_error_the_test(inner, pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.bybit_fault({marker})
        def test_it(bybit):
            pass

        def test_unaffected():
            pass
        """
    )
    result = inner()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*UsageError*" + message.lstrip("*")])
