"""Authentication as Bybit does it: key environment, timestamp window, exact-bytes signatures."""

from __future__ import annotations

import json
import re
import time

import ccxt
import pytest
from freezegun import freeze_time
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP


def test_pybit_sorted_query_and_spaced_json_verify(exchange, pybit_session):
    pybit_session.get_open_orders(category="linear", symbol="BTCUSDT", limit=5)
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="59000")
    get, post = exchange.requests[-2], exchange.requests[-1]
    assert get.request.query == "category=linear&limit=5&symbol=BTCUSDT"  # pybit sorts
    assert b'", "' in post.request.body and b'": "' in post.request.body  # json.dumps spacing
    assert get.ret_code == post.ret_code == 0


def test_ccxt_insertion_order_query_and_compact_json_verify(exchange, ccxt_client):
    ccxt_client.privateGetV5OrderRealtime({"symbol": "BTCUSDT", "category": "linear", "limit": 5})
    ccxt_client.privatePostV5OrderCreate(
        {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "59000", "category": "linear"}
    )
    get, post = exchange.requests[-2], exchange.requests[-1]
    assert get.request.query == "symbol=BTCUSDT&category=linear&limit=5"  # insertion order
    assert b'","' in post.request.body and b", " not in post.request.body  # compact JSON
    assert get.ret_code == post.ret_code == 0


def test_same_params_in_both_orders_both_verify(exchange, signed):
    key = exchange.default_key
    a = signed(key, "GET", "/v5/order/realtime", query="category=linear&symbol=BTCUSDT")
    b = signed(key, "GET", "/v5/order/realtime", query="symbol=BTCUSDT&category=linear")
    assert a.json()["retCode"] == b.json()["retCode"] == 0
    body = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "59000"}
    spaced = signed(key, "POST", "/v5/order/create", body=json.dumps(body))
    compact = signed(key, "POST", "/v5/order/create", body=json.dumps(body, separators=(",", ":")))
    assert spaced.json()["retCode"] == compact.json()["retCode"] == 0


def test_body_changed_after_signing_is_10004_echoing_origin_string(exchange, signed):
    key = exchange.default_key
    # Signed compact, sent spaced: the same data in other bytes.
    sent = '{"category": "linear", "symbol": "BTCUSDT"}'
    resp = signed(key, "POST", "/v5/order/create", body=sent, ts=1, sign_payload='{"category":"linear","symbol":"BTCUSDT"}')
    assert resp.json()["retCode"] == 10002  # ts=1: the window is judged first
    ts = exchange.now_ms()
    resp = signed(key, "POST", "/v5/order/create", body=sent, ts=ts, sign_payload='{"category":"linear","symbol":"BTCUSDT"}')
    data = resp.json()
    assert resp.status_code == 200
    assert data == {
        "retCode": 10004,
        "retMsg": f"error sign! origin_string[{ts}{key.api_key}5000{sent}]",
        "result": {},
        "retExtInfo": {},
        "time": data["time"],
    }


def test_wrong_secret_pybit_and_ccxt(exchange):
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret="not-the-secret")
    with pytest.raises(InvalidRequestError) as err:
        session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10004
    assert err.value.message.startswith("error sign! origin_string[")
    assert err.value.message.endswith("accountType=UNIFIED]")
    client = ccxt.bybit({"apiKey": exchange.api_key, "secret": "not-the-secret", "enableRateLimit": False})
    client.set_sandbox_mode(True)
    with pytest.raises(ccxt.AuthenticationError, match="10004"):
        client.privateGetV5AccountWalletBalance({"accountType": "UNIFIED"})


def test_signature_message_variant(exchange):
    exchange.auth.signature_variant = "masked"
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret="nope")
    with pytest.raises(InvalidRequestError) as err:
        session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert err.value.message.startswith(
        'Error sign, please check your signature generation algorithm: origin_string[***{"category": "linear"'
    )


@pytest.mark.parametrize("env", ["mainnet", "demo", "demo-testnet"])
def test_testnet_key_on_other_environments_is_10003(exchange, env):
    kwargs = {"testnet": env == "demo-testnet", "demo": env.startswith("demo")}
    session = HTTP(api_key=exchange.api_key, api_secret=exchange.api_secret, **kwargs)
    with pytest.raises(InvalidRequestError) as err:
        session.get_wallet_balance(accountType="UNIFIED")
    assert (err.value.status_code, err.value.message) == (10003, "API key is invalid.")


def test_key_works_only_in_its_own_environment(exchange, ccxt_for):
    key = exchange.create_key(env="mainnet")
    mainnet = HTTP(api_key=key.api_key, api_secret=key.api_secret)
    assert mainnet.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    alt = HTTP(domain="bytick", api_key=key.api_key, api_secret=key.api_secret)  # api.bytick.com
    assert alt.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    testnet = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret)
    with pytest.raises(InvalidRequestError) as err:
        testnet.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10003
    client = ccxt_for(key)  # sandbox: testnet host
    with pytest.raises(ccxt.AuthenticationError, match='"retCode":10003'):
        client.fetch_balance()


def test_unknown_key_can_answer_http_401(exchange):
    exchange.auth.invalid_key_http_status = 401
    session = HTTP(testnet=True, api_key="unknown-key", api_secret="x")
    with pytest.raises(FailedRequestError) as err:
        session.get_open_orders(category="linear", symbol="BTCUSDT")
    assert err.value.status_code == 401


def test_missing_auth_headers_is_10001_openapi_sign_params_error(exchange):
    import requests

    resp = requests.get(
        "https://api-testnet.bybit.com/v5/account/wallet-balance?accountType=UNIFIED",
        headers={"X-BAPI-API-KEY": exchange.api_key},
    )
    data = resp.json()
    assert data["retCode"] == 10001
    assert data["retMsg"] == (
        f"empty value: apiTimestamp[] apiKey[{exchange.api_key}] apiSignature[]: openapi sign params error!"
    )


def test_read_only_key_cannot_trade_10005(exchange, ccxt_for):
    key = exchange.create_key(env="testnet", read_only=True)
    session = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret)
    assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    with pytest.raises(InvalidRequestError) as err:
        session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert err.value.status_code == 10005
    assert err.value.message == "Permission denied, please check your API key permissions."
    with pytest.raises(ccxt.PermissionDenied):
        ccxt_for(key).privatePostV5OrderCreate(
            {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.001"}
        )
    assert exchange.orders == []


# --- the timestamp window: server - recv_window <= ts < server + 1000 ------------------------


def _window_msg(ts, server, recv):
    return (
        "invalid request, please check your server timestamp or recv_window param. "
        f"req_timestamp[{ts}],server_timestamp[{server}],recv_window[{recv}]"
    )


def test_window_edges_on_the_server_clock(manual_exchange, signed):
    key = manual_exchange.default_key
    now = manual_exchange.clock.now_ms()
    ok = lambda ts, recv="5000": signed(key, "GET", "/v5/account/wallet-balance", query="accountType=UNIFIED", ts=ts, recv_window=recv).json()  # noqa: E731
    assert ok(now + 999)["retCode"] == 0  # up to 1 s ahead
    assert ok(now - 5000)["retCode"] == 0  # up to recv_window behind
    ahead = ok(now + 1000)
    assert ahead["retCode"] == 10002 and ahead["retMsg"] == _window_msg(now + 1000, now, 5000)
    behind = ok(now - 5001)
    assert behind["retMsg"] == _window_msg(now - 5001, now, 5000)
    # A larger recv_window helps a slow clock, never a fast one.
    assert ok(now - 20_000, recv="30000")["retCode"] == 0
    assert ok(now + 1500, recv="60000")["retCode"] == 10002


def test_message_variants_for_10002(manual_exchange, signed):
    key = manual_exchange.default_key
    now = manual_exchange.clock.now_ms()
    manual_exchange.auth.timestamp_variant = "colon"
    data = signed(key, "GET", "/v5/order/realtime", query="category=spot", ts=now + 2000).json()
    assert data["retMsg"].startswith("invalid request, please check your server timestamp or recv_window param: req_timestamp[")
    manual_exchange.auth.timestamp_variant = "outside"
    data = signed(key, "GET", "/v5/order/realtime", query="category=spot", ts=now + 2000).json()
    assert data["retMsg"] == "Timestamp for this request is outside of the recvWindow."


def test_fast_bot_clock_gets_10002_from_pybit(exchange, sleeps):
    # The bot's clock runs 2 s fast (freezegun); the exchange keeps true time.
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret, retry_codes={30034})
    with freeze_time(tick=True) as frozen:
        frozen.move_to(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exchange.now_ms() / 1000 + 2)))
        with pytest.raises(InvalidRequestError) as err:
            session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10002
    numbers = re.findall(r"\[(\d+)\]", err.value.message)
    req_ts, server_ts, recv = map(int, numbers)
    assert req_ts - server_ts >= 1000 and recv == 5000


def test_pybit_retries_10002_with_a_larger_recv_window_and_still_fails_when_fast(exchange, sleeps):
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)
    with freeze_time(tick=True) as frozen:
        frozen.move_to(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exchange.now_ms() / 1000 + 3)))
        with pytest.raises(FailedRequestError) as err:
            session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 400  # "Retries exceeded maximum."
    windows = [r.headers["x-bapi-recv-window"] for r in exchange.requests]
    assert windows == ["5000", "7500", "10000"]
    assert exchange.requests.ret_codes() == [10002, 10002, 10002]
    assert sleeps == [3, 3, 3]


def test_slow_bot_clock_within_recv_window_passes(exchange):
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)
    with freeze_time(tick=True) as frozen:
        frozen.move_to(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exchange.now_ms() / 1000 - 3)))
        assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0


def test_ccxt_fast_clock_is_invalid_nonce(exchange, ccxt_for):
    client = ccxt_for(exchange, timeDifference=-3000)  # nonce = now + 3 s
    with pytest.raises(ccxt.InvalidNonce):
        client.fetch_balance()


# --- RSA keys -----------------------------------------------------------------------------------


def test_rsa_key_with_pybit_and_ccxt(exchange, ccxt_for):
    key = exchange.create_key(env="testnet", rsa=True)
    assert "PRIVATE KEY" in key.api_secret and "PUBLIC KEY" in key.rsa_public_key
    session = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret, rsa_authentication=True)
    assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    order = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert order["retCode"] == 0
    # An HMAC signature made with the PEM text as secret is not an RSA signature.
    hmac_session = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret)
    with pytest.raises(InvalidRequestError) as err:
        hmac_session.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10004
    # ccxt signs with RSA by itself when the secret holds a PEM private key.
    ccxt_for(key).privateGetV5AccountWalletBalance({"accountType": "UNIFIED"})
    assert exchange.requests.last.ret_code == 0
