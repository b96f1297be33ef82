"""Unmodified ccxt 4.5 (sync) against the `bybit` fixture: markets, balance, orders, and the
ccxt exception each Bybit error becomes."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

ccxt = pytest.importorskip("ccxt")

LINEAR = "BTC/USDT:USDT"


def exchange(bybit, key=None, **options):
    ex = ccxt.bybit(
        {
            "apiKey": key.api_key if key else bybit.api_key,
            "secret": key.api_secret if key else bybit.api_secret,
            "options": options,
        }
    )
    ex.set_sandbox_mode(True)
    return ex


@pytest.fixture
def ex(bybit):
    bybit.set_price("BTCUSDT", 50000)
    return exchange(bybit)


def test_load_markets(bybit, ex) -> None:
    markets = ex.load_markets()
    assert {"BTC/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"} <= set(markets)
    linear = markets[LINEAR]
    assert (linear["id"], linear["type"], linear["settle"]) == ("BTCUSDT", "swap", "USDT")
    assert linear["precision"]["amount"] == 0.001 and linear["precision"]["price"] == 0.1
    assert linear["limits"]["amount"]["min"] == 0.001
    assert all(r.host == "api-testnet.bybit.com" for r in bybit.requests)
    assert "/v5/market/instruments-info" in bybit.requests.paths()


def test_fetch_balance(bybit, ex) -> None:
    balance = ex.fetch_balance()
    assert balance["USDT"]["total"] == 100000 and balance["USDT"]["free"] == 100000
    assert balance["BTC"]["total"] == 1
    assert bybit.requests.last.path == "/v5/account/wallet-balance"


def test_create_order_and_fetch_open_orders(bybit, ex) -> None:
    placed = ex.create_order(LINEAR, "limit", "buy", 0.01, 40000, {"clientOrderId": "ccxt-1"})
    assert len(bybit.orders) == 1
    order = bybit.orders[0]
    assert (order["orderId"], order["orderLinkId"], order["side"], order["orderType"]) == (placed["id"], "ccxt-1", "Buy", "Limit")
    assert Decimal(order["qty"]) == Decimal("0.01") and Decimal(order["price"]) == Decimal("40000")
    created = bybit.requests.filter(path="/v5/order/create")[0]
    assert created.headers["referer"] == "CCXT"  # ccxt's compact JSON body was signed and verified

    open_orders = ex.fetch_open_orders(LINEAR)
    assert [(o["id"], o["clientOrderId"], o["amount"], o["price"], o["status"]) for o in open_orders] == [
        (placed["id"], "ccxt-1", 0.01, 40000.0, "open")
    ]


def test_ccxt_truncates_amounts_to_the_step(bybit, ex) -> None:
    """The float amount pybit would send as is, ccxt snaps to qtyStep: no 10001."""
    ex.create_order(LINEAR, "market", "buy", 0.0105)
    assert Decimal(bybit.orders[0]["qty"]) == Decimal("0.010")


#: (fault, the ccxt error it becomes, a fragment of its text): sync and async ccxt alike.
CCXT_FAULTS = [
    ("rate_limit", "RateLimitExceeded", '"retCode":10006'),
    ("ip_ban", "RateLimitExceeded", "403 Forbidden access too frequent"),
    ("system_busy", "RateLimitExceeded", "429"),
    ("sign_error", "AuthenticationError", '"retCode":10004'),
    ("insufficient_balance", "InsufficientFunds", '"retCode":110007'),
    ("bad_gateway", "ExchangeNotAvailable", "502 Bad Gateway"),
    ("timeout", "RequestTimeout", "/v5/order/create"),
    ("lost_response", "RequestTimeout", "/v5/order/create"),
]


@pytest.mark.parametrize(("fault", "error", "code"), CCXT_FAULTS)
def test_faults_become_ccxt_errors(bybit, ex, fault: str, error: str, code: str) -> None:
    ex.load_markets()
    bybit.fault(fault, endpoint="/v5/order/create")
    with pytest.raises(ccxt.BaseError) as info:
        ex.create_order(LINEAR, "limit", "buy", 0.01, 40000)
    assert type(info.value) is getattr(ccxt, error)
    assert code in str(info.value)
    assert len(bybit.orders) == (1 if fault == "lost_response" else 0)


def test_10006_is_rate_limit_exceeded(bybit, ex) -> None:
    ex.load_markets()
    bybit.fault("rate_limit", endpoint="/v5/account/wallet-balance")
    with pytest.raises(ccxt.RateLimitExceeded, match="Too many visits"):
        ex.fetch_balance()
    assert isinstance(ccxt.RateLimitExceeded("x"), ccxt.NetworkError)  # ccxt would retry it if asked to
    assert [r.ret_code for r in bybit.requests.filter(path="/v5/account/wallet-balance")] == [10006]  # no retry
    time.sleep(1)  # ccxt never reads X-Bapi-Limit-Reset-Timestamp: waiting is the bot's job
    assert ex.fetch_balance()["USDT"]["total"] == 100000


def test_malformed_json_passes_silently(bybit, ex) -> None:
    """ccxt does not raise on a truncated 200 body: the "order" it returns was never placed."""
    ex.load_markets()
    bybit.fault("malformed_json", endpoint="/v5/order/create")
    order = ex.create_order(LINEAR, "limit", "buy", 0.01, 40000)
    assert order["id"] is None and bybit.orders == []


@pytest.mark.bybit_clock(drift=2)
def test_clock_ahead_2s_is_invalid_nonce(bybit) -> None:
    ex = exchange(bybit)
    with pytest.raises(ccxt.InvalidNonce, match=r"10002.*recv_window\[5000\]"):
        ex.fetch_balance()


@pytest.mark.bybit_clock(drift=2)
def test_clock_ahead_2s_with_ccxt_time_difference(bybit) -> None:
    # adjustForTimeDifference syncs only inside fetch_markets, after the private currencies call
    # of load_markets has already failed; syncing first works
    with pytest.raises(ccxt.InvalidNonce):
        exchange(bybit, adjustForTimeDifference=True).load_markets()
    ex = exchange(bybit)
    ex.load_time_difference()
    assert 1900 < ex.options["timeDifference"] < 2100
    assert ex.fetch_balance()["USDT"]["total"] == 100000


def test_mainnet_key_on_testnet_is_authentication_error(bybit) -> None:
    ex = exchange(bybit, key=bybit.create_key(env="mainnet"))
    with pytest.raises(ccxt.AuthenticationError, match="API key is invalid"):
        ex.fetch_balance()
    assert [r.ret_code for r in bybit.requests] == [10003]


def test_testnet_key_on_mainnet_is_authentication_error(bybit) -> None:
    ex = ccxt.bybit({"apiKey": bybit.api_key, "secret": bybit.api_secret})  # no sandbox: api.bybit.com
    with pytest.raises(ccxt.AuthenticationError):
        ex.fetch_balance()
    assert bybit.requests[0].host == "api.bybit.com"
