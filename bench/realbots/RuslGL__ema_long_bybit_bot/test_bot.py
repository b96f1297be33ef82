"""RuslGL/ema_long_bybit_bot: hand-written signers, requests (sync) and aiohttp (async), spot testnet."""
import asyncio
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "RuslGL__ema_long_bybit_bot"


@pytest.fixture
def api(bybit, monkeypatch, tmp_path):
    monkeypatch.setenv("test_01_bybit_api_key", bybit.api_key)
    monkeypatch.setenv("test_01_bybit_secret_key", bybit.api_secret)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("api.bybit_api")


def test_budget_then_market_buy(bybit, api):
    bybit.set_price("BTCUSDT", 50000)
    bybit.set_balance("BTC", "0.5")
    bybit.set_balance("USDT", "1000")
    budget = asyncio.run(api.get_pair_budget_asc("BTC", "BTCUSDT"))
    assert budget["price_base_coin"] == 50000.0
    assert budget["total_budget"] == pytest.approx(1000 + 0.5 * 50000)
    params = api.get_instruments_info(symbol="BTCUSDT")
    qty = api.round_quantity_by_coin_params(0.01, params)
    answer = asyncio.run(api.place_market_order_buy_spot("BTCUSDT", qty))
    assert answer["retCode"] == 0, answer
    assert [(o["side"], o["orderStatus"]) for o in bybit.orders] == [("Buy", "Filled")]


def test_conditional_sell_listed_then_cancelled(bybit, api):
    bybit.set_price("BTCUSDT", 50000)
    bybit.set_balance("BTC", "0.5")
    answer = asyncio.run(api.place_conditional_order_sell_spot("BTCUSDT", "0.01", "45000", "44900"))
    assert answer["retCode"] == 0, answer
    order_id = answer["result"]["orderId"]
    assert asyncio.run(api.get_open_spot_orders("BTCUSDT")) == [order_id]
    cancelled = asyncio.run(api.cancel_spot_order(order_id, "BTCUSDT"))
    assert cancelled["retCode"] == 0, cancelled
    assert asyncio.run(api.get_open_spot_orders("BTCUSDT")) == []
