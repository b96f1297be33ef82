"""Unmodified pybit 5.17 against the `bybit` fixture: every endpoint of the foundation,
every error code from its real cause."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP

from pytest_bybit.clock import real_monotonic as REAL_MONOTONIC


@pytest.fixture
def session(bybit):
    return HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)


def order(**overrides):
    params = dict(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
    params.update(overrides)
    return params


def test_server_time(bybit, session):
    result = session.get_server_time()["result"]
    assert abs(int(result["timeSecond"]) - time.time()) < 5
    assert result["timeNano"].startswith(result["timeSecond"])


def test_instruments_info_filters(bybit, session):
    linear = session.get_instruments_info(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert linear["lotSizeFilter"]["qtyStep"] == "0.001"
    assert linear["lotSizeFilter"]["minOrderQty"] == "0.001"
    assert linear["priceFilter"]["tickSize"] == "0.10"
    eth = session.get_instruments_info(category="linear", symbol="ETHUSDT")["result"]["list"][0]
    assert eth["symbol"] == "ETHUSDT"
    spot = session.get_instruments_info(category="spot", symbol="BTCUSDT")["result"]["list"][0]
    assert spot["lotSizeFilter"]["basePrecision"] == "0.000001"


def test_place_order_and_list_open_orders(bybit, session):
    bybit.set_price("BTCUSDT", 50000)
    placed = session.place_order(**order(orderType="Limit", price="40000", orderLinkId="grid-1"))["result"]
    assert placed["orderLinkId"] == "grid-1"
    open_orders = session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [o["orderLinkId"] for o in open_orders] == ["grid-1"]
    assert Decimal(bybit.orders[0]["qty"]) == Decimal("0.01")
    assert Decimal(bybit.orders[0]["price"]) == Decimal("40000")
    assert bybit.orders[0]["orderStatus"] == "New"


def test_wallet_balance(bybit, session):
    account = session.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    assert account["accountType"] == "UNIFIED"
    usdt = [c for c in account["coin"] if c["coin"] == "USDT"][0]
    assert float(usdt["walletBalance"]) > 0


def test_10001_qty_off_step(bybit, session):
    with pytest.raises(InvalidRequestError) as info:
        session.place_order(**order(qty="0.0105"))
    assert info.value.status_code == 10001


def test_spot_precision_170137(bybit, session):
    bybit.set_price("BTCUSDT", 50000)
    with pytest.raises(InvalidRequestError) as info:
        session.place_order(**order(category="spot", orderType="Limit", price="50000", qty="0.0012345"))
    assert info.value.status_code == 170137


def test_10002_clock_ahead_fails_whatever_recv_window(bybit):
    bybit.clock.drift = 2  # the bot's clock runs 2 s fast
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, recv_window=60000)
    with pytest.raises(FailedRequestError) as info:  # pybit retries 10002 three times, then gives up
        session.get_wallet_balance(accountType="UNIFIED")
    assert "retries exceeded maximum" in str(info.value).lower()
    answered = [r.ret_code for r in bybit.requests]
    assert answered == [10002, 10002, 10002]


@pytest.mark.bybit_clock(drift=-7)
def test_10002_clock_behind_then_pybit_grows_recv_window(bybit, session):
    session.get_wallet_balance(accountType="UNIFIED")
    windows = [r.headers["x-bapi-recv-window"] for r in bybit.requests]
    assert windows == ["5000", "7500"]
    assert [r.ret_code for r in bybit.requests] == [10002, 0]


def test_10002_message_names_both_clocks(bybit):
    bybit.clock.drift = -30
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, max_retries=1)
    with pytest.raises(FailedRequestError):
        session.get_wallet_balance(accountType="UNIFIED")
    assert bybit.requests[0].ret_code == 10002


def test_10003_mainnet_key_on_testnet(bybit):
    key = bybit.create_key(env="mainnet")
    session = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret)
    with pytest.raises(InvalidRequestError) as info:
        session.get_wallet_balance(accountType="UNIFIED")
    assert info.value.status_code == 10003
    assert info.value.message == "API key is invalid."


def test_10003_testnet_key_on_mainnet(bybit):
    session = HTTP(testnet=False, api_key=bybit.api_key, api_secret=bybit.api_secret)
    with pytest.raises(InvalidRequestError) as info:
        session.get_wallet_balance(accountType="UNIFIED")
    assert info.value.status_code == 10003


def test_mainnet_key_on_mainnet_and_bytick(bybit):
    key = bybit.create_key(env="mainnet")
    for domain in ("bybit", "bytick"):
        session = HTTP(api_key=key.api_key, api_secret=key.api_secret, domain=domain)
        assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0


def test_10004_wrong_secret(bybit):
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret="not-the-secret")
    with pytest.raises(InvalidRequestError) as info:
        session.get_wallet_balance(accountType="UNIFIED")
    assert info.value.status_code == 10004
    assert info.value.message.startswith("error sign!")


def test_10006_per_second_limit_then_pybit_waits_for_reset(bybit, session):
    bybit.clock.freeze()  # twelve orders inside one second, however slow the machine
    bybit.set_price("BTCUSDT", 50000)
    started = REAL_MONOTONIC()
    for i in range(12):  # linear order/create allows 10 per second
        session.place_order(**order(orderLinkId=f"burst-{i}"))
    real = REAL_MONOTONIC() - started
    codes = [r.ret_code for r in bybit.requests]
    assert codes.count(10006) >= 1 and len(bybit.orders) == 12
    limited = [r for r in bybit.requests if r.ret_code == 10006][0]
    assert real < 5  # pybit slept until the reset on the virtual clock
    assert all(k in {h.lower() for h in limited.reply_headers} for k in ("x-bapi-limit", "x-bapi-limit-status", "x-bapi-limit-reset-timestamp"))


def test_rate_limit_headers_on_every_response(bybit, session):
    session.get_wallet_balance(accountType="UNIFIED")
    headers = {k.lower(): v for k, v in bybit.requests[0].reply_headers.items()}
    assert headers["x-bapi-limit"] == "50"
    assert headers["x-bapi-limit-status"] == "49"


def test_110072_duplicate_order_link_id(bybit, session):
    bybit.set_price("BTCUSDT", 50000)
    session.place_order(**order(orderLinkId="once"))
    with pytest.raises(InvalidRequestError) as info:
        session.place_order(**order(orderLinkId="once"))
    assert info.value.status_code == 110072
    assert len(bybit.orders) == 1


def test_virtual_sleep_is_instant(bybit):
    started = REAL_MONOTONIC()
    before, before_mono = time.time(), time.monotonic()
    time.sleep(3600)
    assert time.time() - before >= 3600
    assert time.monotonic() - before_mono >= 3600  # monotonic deadlines see it too
    assert REAL_MONOTONIC() - started < 1
    assert bybit.clock.slept == 3600
