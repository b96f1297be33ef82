"""Skaylic/Rest_ByBit_Bot: a pybit spot bot (mainnet host), driven through its ByBit class."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "Skaylic__Rest_ByBit_Bot"


@pytest.fixture
def bybit_cls(bybit, monkeypatch):
    key = bybit.create_key(env="mainnet")  # the bot hard-codes testnet=False
    monkeypatch.setenv("API_KEY", key.api_key)
    monkeypatch.setenv("API_SECRET", key.api_secret)
    monkeypatch.setenv("SYMBOL", "BTCUSDT")
    monkeypatch.setenv("INTERVAL", "1")
    monkeypatch.setenv("QTY", "100")
    monkeypatch.setenv("BOT_NAME", "skay")
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("skay.ByBit").ByBit


def test_buy_spot_with_quote_amount(bybit, bybit_cls):
    bybit.set_price("BTCUSDT", 50000)
    bot = bybit_cls().setSession().getInstruments()
    assert bot.baseCoin == "BTC" and bot.quoteCoin == "USDT" and bot.min_qty > 0
    bot.getBalance()
    assert bot.balance["USDT"] > 0
    bot.getKline()
    assert bot.kline["close"] > 0
    bot.sendTicker(side="Buy", tag="skay-1")
    spot = [o for o in bybit.orders if o["symbol"] == "BTCUSDT"]
    assert len(spot) == 1 and spot[0]["orderStatus"] == "Filled"
    assert bot.orderId == spot[0]["orderId"]
