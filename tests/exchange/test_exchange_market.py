"""Public market data and account read endpoints, in the shapes the docs show."""

from __future__ import annotations

import json

import pytest
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP


@pytest.fixture
def public(exchange):
    return HTTP(testnet=True)


def test_server_time_strings(exchange, public):
    before = exchange.now_ms()
    data = public.get_server_time()
    after = exchange.now_ms()
    result = data["result"]
    assert set(result) == {"timeSecond", "timeNano"}
    assert isinstance(result["timeSecond"], str) and isinstance(result["timeNano"], str)
    assert int(result["timeNano"]) // 10**9 == int(result["timeSecond"])
    assert before <= data["time"] <= after


def test_envelope_is_bybits_exact_shape(exchange):
    import requests

    resp = requests.get("https://api.bybit.com/v5/market/time")
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.text.startswith('{"retCode":0,"retMsg":"OK","result":{"timeSecond":"')
    assert list(json.loads(resp.text)) == ["retCode", "retMsg", "result", "retExtInfo", "time"]


def test_instruments_info_docs_example_filters(public):
    info = public.get_instruments_info(category="linear", symbol="BTCUSDT")["result"]
    btc = info["list"][0]
    assert btc["lotSizeFilter"] == {
        "maxOrderQty": "1190.000",
        "minOrderQty": "0.001",
        "qtyStep": "0.001",
        "postOnlyMaxOrderQty": "1190.000",
        "maxMktOrderQty": "500.000",
        "minNotionalValue": "5",
    }
    assert btc["priceFilter"] == {"minPrice": "0.10", "maxPrice": "1999999.80", "tickSize": "0.10"}
    spot = public.get_instruments_info(category="spot", symbol="BTCUSDT")["result"]["list"][0]
    assert spot["lotSizeFilter"]["basePrecision"] == "0.000001" and spot["priceFilter"] == {"tickSize": "0.1"}
    assert public.get_instruments_info(category="inverse")["result"]["list"][0]["symbol"] == "BTCUSD"
    btc_options = public.get_instruments_info(category="option", baseCoin="BTC")["result"]["list"]
    assert {o["symbol"] for o in btc_options} == {"BTC-26DEC26-100000-C", "BTC-26DEC26-100000-P"}
    assert public.get_instruments_info(category="linear", status="PreLaunch")["result"]["list"] == []


def test_instruments_info_pagination(public):
    first = public.get_instruments_info(category="linear", limit=3)["result"]
    assert len(first["list"]) == 3 and first["nextPageCursor"]
    second = public.get_instruments_info(category="linear", limit=3, cursor=first["nextPageCursor"])["result"]
    assert second["nextPageCursor"] == "" and len(second["list"]) == 2
    seen = {i["symbol"] for i in first["list"] + second["list"]}
    assert seen == {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"}


def test_category_is_required(public):
    with pytest.raises(InvalidRequestError) as err:
        public.get_instruments_info()
    assert err.value.status_code == 10001


def test_unknown_symbol(public):
    with pytest.raises(InvalidRequestError) as err:
        public.get_tickers(category="linear", symbol="DOGEUSDX")
    assert (err.value.status_code, err.value.message) == (10001, "Not supported symbols")


def test_tickers_follow_set_price(exchange, public):
    exchange.set_price("BTCUSDT", "65432.1")
    linear = public.get_tickers(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert linear["lastPrice"] == "65432.10" and linear["markPrice"] == "65432.10"
    spot = public.get_tickers(category="spot", symbol="BTCUSDT")["result"]
    assert spot["category"] == "spot" and spot["list"][0]["lastPrice"] == "65432.1"
    assert "markPrice" not in spot["list"][0]


def test_kline_orderbook_recent_trade(exchange, public):
    kline = public.get_kline(category="linear", symbol="BTCUSDT", interval="60", limit=3)["result"]
    starts = [int(row[0]) for row in kline["list"]]
    assert len(starts) == 3 and starts[0] > starts[1] > starts[2] and starts[0] % 3_600_000 == 0
    assert kline["list"][0][4] == "60000.00"
    with pytest.raises(InvalidRequestError):
        public.get_kline(category="linear", symbol="BTCUSDT", interval="7")
    book = public.get_orderbook(category="linear", symbol="BTCUSDT", limit=2)["result"]
    assert book["s"] == "BTCUSDT" and len(book["b"]) == len(book["a"]) == 2
    assert float(book["b"][0][0]) < float(book["a"][0][0])
    trades = public.get_public_trade_history(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert trades[0]["price"] == "60000.00"


def test_wallet_balance_unified_only(exchange, pybit_session):
    wallet = pybit_session.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    assert wallet["accountType"] == "UNIFIED" and wallet["totalEquity"] == "260000"  # 100000 USDT + 1 BTC @ 60000 + 100000 USDC
    usdt = next(c for c in wallet["coin"] if c["coin"] == "USDT")
    assert usdt["walletBalance"] == "100000" and isinstance(usdt["marginCollateral"], bool)
    only_btc = pybit_session.get_wallet_balance(accountType="UNIFIED", coin="BTC")["result"]["list"][0]
    assert [c["coin"] for c in only_btc["coin"]] == ["BTC"]
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.get_wallet_balance(accountType="CONTRACT")
    assert err.value.status_code == 10001


def test_wallet_reflects_open_orders_and_positions(exchange, pybit_session):
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.1", price="59000")
    usdt = pybit_session.get_wallet_balance(accountType="UNIFIED", coin="USDT")["result"]["list"][0]["coin"][0]
    assert usdt["totalOrderIM"] == "590"  # 0.1 * 59000 / leverage 10


def test_fee_rate_account_info_query_api_coin_info(exchange, pybit_session, ccxt_client):
    fees = pybit_session.get_fee_rates(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert fees == [{"symbol": "BTCUSDT", "baseCoin": "", "takerFeeRate": "0.00055", "makerFeeRate": "0.0002"}]
    assert pybit_session.get_fee_rates(category="spot")["result"]["list"][0]["takerFeeRate"] == "0.001"
    assert pybit_session.get_account_info()["result"]["unifiedMarginStatus"] == 5
    api = pybit_session.get_api_key_information()["result"]
    assert api["apiKey"] == exchange.api_key and api["readOnly"] == 0 and api["uta"] == 1
    coins = pybit_session.get_coin_info(coin="BTC")["result"]["rows"]
    assert [c["coin"] for c in coins] == ["BTC"]
    assert ccxt_client.is_unified_enabled() == [False, True]


def test_ccxt_load_markets_calls_what_it_needs(exchange, ccxt_client):
    markets = ccxt_client.load_markets()
    assert {"BTC/USDT", "ETH/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USD:BTC"} <= set(markets)
    assert markets["BTC/USDT:USDT"]["precision"]["amount"] == 0.001
    paths = {(r.path, r.params.get("category"), r.params.get("status")) for r in exchange.requests}
    assert ("/v5/asset/coin/query-info", None, None) in paths
    assert ("/v5/market/instruments-info", "linear", "PreLaunch") in paths
    assert ("/v5/market/instruments-info", "option", None) in paths
    assert all(r.ret_code == 0 for r in exchange.requests)
