"""roroman0303/bybit_trading_bot: ccxt (sync, sandbox) candles, ticker and market entries through its Broker."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "roroman0303__bybit_trading_bot"
CFG = {"symbol": "BTCUSDT", "timeframe": "1h"}  # as in the bot's config.yaml


@pytest.fixture
def broker(bybit, monkeypatch, tmp_path):
    monkeypatch.setenv("BYBIT_API_KEY", bybit.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", bybit.api_secret)
    monkeypatch.setenv("MODE", "paper")  # the bot's sandbox (testnet) mode
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(BOT))
    exchange = importlib.import_module("trader.exchange").Exchange(CFG)
    return importlib.import_module("trader.broker").Broker(exchange, CFG)


def test_candles_then_long_then_flat(bybit, broker):
    bybit.set_price("BTCUSDT", 50000)
    bybit.set_klines("BTCUSDT", [("49000", "49600", "48900", "49500", "120"), ("49500", "50100", "49400", "50000", "80")], interval="60")
    candles = broker.ex.fetch_ohlcv(limit=3)
    assert [c[4] for c in candles[-2:]] == [49500.0, 50000.0] and candles[-1][5] == 80.0
    assert broker.ex.fetch_ticker()["last"] == 50000.0
    broker.enter_market("long", 0.01)
    broker.enter_market("short", 0.01)
    assert [(o["symbol"], o["side"], o["orderStatus"]) for o in bybit.orders] == [("BTCUSDT", "Buy", "Filled"), ("BTCUSDT", "Sell", "Filled")]
