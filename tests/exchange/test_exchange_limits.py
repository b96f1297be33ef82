"""Rate limits: per UID and endpoint (10006 + X-Bapi-Limit*), and the IP ban (HTTP 403)."""

from __future__ import annotations

import ccxt
import pytest
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP


def _headers_session(exchange, **kwargs):
    return HTTP(
        testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret, return_response_headers=True, **kwargs
    )


def test_limit_headers_on_every_private_response(exchange):
    session = _headers_session(exchange)
    before = exchange.now_ms()
    _, _, headers = session.get_wallet_balance(accountType="UNIFIED")
    after = exchange.now_ms()
    assert headers["X-Bapi-Limit"] == "50"
    assert headers["X-Bapi-Limit-Status"] == "49"
    assert before <= int(headers["X-Bapi-Limit-Reset-Timestamp"]) <= after  # "now" when not limited
    _, _, headers = session.place_order(category="spot", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="59000")
    assert (headers["X-Bapi-Limit"], headers["X-Bapi-Limit-Status"]) == ("20", "19")  # spot create: 20/s
    _, _, headers = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="59000")
    assert (headers["X-Bapi-Limit"], headers["X-Bapi-Limit-Status"]) == ("10", "9")  # linear create: 10/s
    _, _, headers = session.get_fee_rates(category="linear")
    assert headers["X-Bapi-Limit"] == "5"
    _, _, headers = session.get_server_time()
    assert "X-Bapi-Limit" not in headers  # public: IP limit only


def test_10006_over_the_limit_with_reset_when_a_slot_frees(manual_exchange, signed):
    manual_exchange.limits.set_limit("/v5/order/create", "linear", 3)
    key, clock = manual_exchange.default_key, manual_exchange.clock
    body = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "59000"}
    first = clock.now_ms()
    statuses = []
    for step in range(4):
        resp = signed(key, "POST", "/v5/order/create", body=body, ts=clock.now_ms())
        statuses.append((resp.json()["retCode"], resp.headers["X-Bapi-Limit-Status"]))
        clock.advance(100)
    assert statuses == [(0, "2"), (0, "1"), (0, "0"), (10006, "0")]
    assert resp.json()["retMsg"] == "Too many visits. Exceeded the API Rate Limit."
    assert resp.headers["X-Bapi-Limit-Reset-Timestamp"] == str(first + 1000)
    # Spot is a separate bucket, and the window rolls.
    spot = dict(body, category="spot")
    assert signed(key, "POST", "/v5/order/create", body=spot, ts=clock.now_ms()).json()["retCode"] == 0
    clock.set(first + 1000)
    assert signed(key, "POST", "/v5/order/create", body=body, ts=clock.now_ms()).json()["retCode"] == 0
    assert len([o for o in manual_exchange.orders if o["symbol"] == "BTCUSDT"]) == 5


def test_pybit_sleeps_until_the_reset_header_then_gives_up(exchange, sleeps):
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 1)
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret, max_retries=2)
    session.get_wallet_balance(accountType="UNIFIED")
    with pytest.raises(FailedRequestError) as err:
        session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.message == "Bad Request. Retries exceeded maximum."
    assert len(sleeps) == 2 and all(0 < s <= 1.0 for s in sleeps)
    assert exchange.requests.ret_codes() == [0, 10006, 10006]


def test_pybit_surfaces_10006_when_not_retrying(exchange):
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 1)
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret, retry_codes={30034})
    session.get_wallet_balance(accountType="UNIFIED")
    with pytest.raises(InvalidRequestError) as err:
        session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10006
    assert int(err.value.resp_headers["X-Bapi-Limit-Reset-Timestamp"]) > exchange.now_ms() - 1000


def test_10006_without_headers_pybit_falls_back_to_two_seconds(exchange, sleeps):
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 1)
    exchange.limits.send_headers = False
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret, max_retries=1)
    session.get_wallet_balance(accountType="UNIFIED")
    with pytest.raises(FailedRequestError):
        session.get_wallet_balance(accountType="UNIFIED")
    assert sleeps and 1.9 < sleeps[0] <= 2.0
    assert "X-Bapi-Limit-Reset-Timestamp" not in exchange.requests.last.reply.headers


def test_ccxt_10006_is_rate_limit_exceeded(exchange, ccxt_client):
    exchange.limits.set_limit("/v5/order/realtime", None, 1)
    ccxt_client.privateGetV5OrderRealtime({"category": "linear", "symbol": "BTCUSDT"})
    with pytest.raises(ccxt.RateLimitExceeded, match="10006"):
        ccxt_client.privateGetV5OrderRealtime({"category": "linear", "symbol": "BTCUSDT"})


def test_limits_are_per_uid(exchange):
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 1)
    other = exchange.create_key(env="testnet", account=exchange.create_account())
    for key in (exchange.default_key, other):
        HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret).get_wallet_balance(accountType="UNIFIED")
    assert exchange.requests.ret_codes() == [0, 0]


def test_batch_counts_each_order_and_fails_the_rest(pybit_session, exchange):
    exchange.limits.set_limit("/v5/order/create-batch", "linear", 2)
    orders = [
        {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": p}
        for p in ("59000", "58000", "57000")
    ]
    result = pybit_session.place_batch_order(category="linear", request=orders)
    assert [e["code"] for e in result["retExtInfo"]["list"]] == [0, 0, 10006]
    assert len(exchange.orders) == 2


def test_ip_limit_bans_for_ten_minutes_of_exchange_time(manual_exchange, signed):
    manual_exchange.limits.ip_limit = 5
    key, clock = manual_exchange.default_key, manual_exchange.clock
    session = HTTP(testnet=True)  # public calls count too
    for _ in range(5):
        session.get_server_time()
    with pytest.raises(FailedRequestError) as err:
        session.get_server_time()
    assert err.value.status_code == 403
    assert err.value.message == "You have breached the IP rate limit or your IP is from the USA."
    record = manual_exchange.requests.last
    assert record.http_status == 403 and record.ret_code is None
    clock.advance(10 * 60 * 1000 - 1)
    resp = signed(key, "GET", "/v5/account/wallet-balance", query="accountType=UNIFIED", ts=clock.now_ms())
    assert (resp.status_code, resp.text, resp.headers["Content-Type"]) == (403, "access too frequent", "text/plain; charset=utf-8")
    with pytest.raises(ccxt.RateLimitExceeded):
        client = ccxt.bybit({"enableRateLimit": False})
        client.set_sandbox_mode(True)
        client.fetch_time()
    clock.advance(1)
    assert session.get_server_time()["retCode"] == 0
