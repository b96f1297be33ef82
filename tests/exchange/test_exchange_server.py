"""The gateway around the endpoints: interception, 404/403, middleware, the request log, clocks."""

from __future__ import annotations

import time

import pytest
import requests
from freezegun import freeze_time
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP

from pytest_bybit.exchange import BybitError, FakeBybit, ManualClock, Reply, Request, SystemClock


# --- interception ----------------------------------------------------------------------------


def test_foreign_host_is_blocked_and_remembered(exchange):
    with pytest.raises(requests.exceptions.ConnectionError) as err:
        requests.get("https://example.com/x")
    message = str(err.value)
    assert message.startswith("pytest-bybit: request to https://example.com/x blocked: not a Bybit REST host.")
    assert "api.bybit.com" in message and "GET /v5/market/time" in message
    assert exchange.interceptor.unexpected == [message]
    assert len(exchange.requests) == 0


def test_plain_http_to_a_bybit_host_is_blocked(exchange):
    with pytest.raises(requests.exceptions.ConnectionError, match="blocked: not https"):
        requests.get("http://api.bybit.com/v5/market/time")
    assert len(exchange.interceptor.unexpected) == 1


def test_every_rest_host_is_served(exchange):
    from pytest_bybit import facts

    for host in sorted(facts.ALL_REST_HOSTS):
        assert requests.get(f"https://{host}/v5/market/time").json()["retCode"] == 0
    assert exchange.interceptor.unexpected == []


def test_stop_restores_the_real_transport():
    ex = FakeBybit()
    from pytest_bybit.exchange import Interceptor

    interceptor = Interceptor(ex).start()
    interceptor.stop()
    assert requests.adapters.HTTPAdapter.send.__name__ == "send"  # unpatched
    with Interceptor(ex) as again:
        assert requests.get("https://api.bybit.com/v5/market/time").status_code == 200
    assert again.unexpected == []


def test_unknown_path_is_404_and_get_with_body_is_403(exchange):
    resp = requests.get("https://api-testnet.bybit.com/v5/no/such/path")
    assert resp.status_code == 404
    resp = requests.post("https://api-testnet.bybit.com/v5/market/time")  # wrong method
    assert resp.status_code == 404
    resp = requests.get("https://api-testnet.bybit.com/v5/market/time", data="{}")
    assert resp.status_code == 403
    assert exchange.requests.ret_codes() == [None, None, None]


def test_pybit_sees_404_as_failed_request(exchange):
    session = HTTP(testnet=True)
    with pytest.raises(FailedRequestError) as err:
        session._submit_request(method="GET", path=f"{session.endpoint}/v5/market/nope", query={}, auth=False)
    assert err.value.status_code == 404


# --- middleware ------------------------------------------------------------------------------


def test_middleware_can_answer_by_itself(exchange, pybit_session):
    def busy(request, call_next):
        if request.path == "/v5/order/create":
            return exchange.error_reply(10016, "Server error.")
        return call_next(request)

    remove = exchange.add_middleware(busy)
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert err.value.status_code == 10016
    assert exchange.orders == [] and exchange.requests.last.applied is False
    remove()
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert len(exchange.orders) == 1


def test_middleware_can_raise_a_transport_error(exchange, pybit_session):
    def timeout(request, call_next):
        raise requests.exceptions.ReadTimeout("Read timed out. (read timeout=10)")

    exchange.add_middleware(timeout)
    with pytest.raises(requests.exceptions.ReadTimeout):
        pybit_session.get_wallet_balance(accountType="UNIFIED")
    record = exchange.requests.last
    assert isinstance(record.error, requests.exceptions.ReadTimeout)
    assert record.ret_code is None and record.applied is False


def test_lost_response_order_exists_but_client_timed_out(exchange, pybit_session):
    def lose(request, call_next):
        call_next(request)
        raise requests.exceptions.ReadTimeout("Read timed out. (read timeout=10)")

    exchange.add_middleware(lose)
    with pytest.raises(requests.exceptions.ReadTimeout):
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001", orderLinkId="once")
    assert [o["orderLinkId"] for o in exchange.orders] == ["once"]
    record = exchange.requests.last
    assert record.applied and record.exchange_ret_code == 0 and record.error is not None and record.ret_code is None
    exchange.clear_middleware()
    # The safe retry: the same orderLinkId is refused instead of doubling the position.
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001", orderLinkId="once")
    assert err.value.status_code == 110072


def test_middleware_may_raise_bybit_error_and_wraps_in_order(exchange, pybit_session):
    seen = []

    def outer(request, call_next):
        seen.append("outer")
        return call_next(request)

    def inner(request, call_next):
        seen.append("inner")
        raise BybitError(10016)

    exchange.add_middleware(outer)
    exchange.add_middleware(inner)
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10016 and seen == ["outer", "inner"]
    assert exchange.requests.last.ret_code == 10016


def test_middleware_can_rewrite_headers(exchange, sleeps):
    def reset_in_the_past(request, call_next):
        reply = call_next(request)
        if reply.ret_code == 10006:
            reply.headers["X-Bapi-Limit-Reset-Timestamp"] = str(exchange.now_ms() - 1500)
        return reply

    exchange.add_middleware(reset_in_the_past)
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 1)
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)
    session.get_wallet_balance(accountType="UNIFIED")
    with pytest.raises(ValueError, match="sleep length must be non-negative"):  # pybit does not clamp
        session.get_wallet_balance(accountType="UNIFIED")


# --- request log -----------------------------------------------------------------------------


def test_request_log_helpers_and_redaction(exchange, pybit_session):
    started = exchange.now_ms()
    pybit_session.get_server_time()
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    with pytest.raises(InvalidRequestError):
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.0001")
    log = exchange.requests
    assert log.count(path="/v5/order/create") == 2
    assert log.count(path="/v5/order/create", ret_code=0) == 1
    assert log.filter(method="get").paths() == ["/v5/market/time"]
    last = log.last
    assert (last.method, last.host, last.path, last.http_status, last.ret_code) == (
        "POST", "api-testnet.bybit.com", "/v5/order/create", 200, 10001,
    )
    assert last.params["qty"] == "0.0001"
    assert last.headers["x-bapi-sign"] == "<redacted>" and last.headers["x-bapi-api-key"] == "<redacted>"
    assert exchange.api_key not in repr(last.as_dict())
    assert started <= last.time_ms <= exchange.now_ms()


# --- direct use and clocks ---------------------------------------------------------------------


def test_handle_without_any_transport():
    ex = FakeBybit(ManualClock(1_700_000_000_000))
    reply = ex.handle(Request("GET", "https://api.bybit.com/v5/market/time"))
    assert isinstance(reply, Reply) and reply.status == 200
    assert reply.json()["result"] == {"timeSecond": "1700000000", "timeNano": "1700000000000000000"}
    assert reply.json()["time"] == 1_700_000_000_000


def test_default_clock_ignores_freezegun():
    clock = SystemClock()
    before = clock.now_ms()
    with freeze_time("2001-01-01"):
        assert time.time() < 1e9
        inside = clock.now_ms()
    after = clock.now_ms()
    assert before <= inside <= after  # the real time, however long entering the freeze took
    with freeze_time("2001-01-01"):
        ex = FakeBybit()
        assert ex.handle(Request("GET", "https://api.bybit.com/v5/market/time")).json()["time"] > 1.6e12


def test_demo_and_demo_testnet_hosts_need_their_own_keys(exchange):
    demo_key = exchange.create_key(env="demo")
    session = HTTP(demo=True, api_key=demo_key.api_key, api_secret=demo_key.api_secret)
    assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    assert exchange.requests.last.host == "api-demo.bybit.com"
    with pytest.raises(ValueError):
        exchange.create_key(env="paper")
