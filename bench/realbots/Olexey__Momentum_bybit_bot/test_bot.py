"""Olexey/Momentum_bybit_bot: pybit on Bybit's demo host, leverage + market order with TP/SL."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "Olexey__Momentum_bybit_bot"


@pytest.fixture
def exchange(bybit, monkeypatch, tmp_path):
    key = bybit.create_key(env="demo")  # the bot trades on api-demo.bybit.com
    monkeypatch.setenv("BYBIT_API_KEY", key.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", key.api_secret)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("exchange").BybitExchange()


def test_long_with_take_profit_that_fires(bybit, exchange):
    bybit.set_price("SOLUSDT", 150)
    assert exchange.get_balance() > 0
    assert any(i["symbol"] == "SOLUSDT" for i in exchange.get_instruments_info())
    assert exchange.set_leverage("SOLUSDT")
    result = exchange.place_market_order("SOLUSDT", "Buy", "1", take_profit="160", stop_loss="140")
    assert result.get("orderId"), result
    assert [p["symbol"] for p in exchange.get_positions()] == ["SOLUSDT"]
    bybit.set_price("SOLUSDT", 161)
    assert exchange.get_positions() == []
    assert exchange.get_closed_pnl("SOLUSDT") > 0
