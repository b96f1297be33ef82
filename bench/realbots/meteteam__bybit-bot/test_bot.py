"""meteteam/bybit-bot: a FastAPI TradingView webhook that trades linear perps with pybit (mainnet)."""
import asyncio
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "meteteam__bybit-bot"


@pytest.fixture
def main(bybit, monkeypatch, tmp_path):
    key = bybit.create_key(env="mainnet")
    monkeypatch.setenv("API_KEY", key.api_key)
    monkeypatch.setenv("API_SECRET", key.api_secret)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("main")


def test_full_long_signal_opens_a_position(bybit, main):
    bybit.set_balance("USDT", 1000)
    bybit.set_price("ETHUSDT", 2000)
    answer = asyncio.run(main.webhook(main.WebhookSignal(action="FULL_LONG", symbol="ETHUSDT")))
    assert answer.get("success") is True, answer
    assert [o["side"] for o in bybit.orders] == ["Buy"]


def test_close_signal_closes_the_seeded_long(bybit, main):
    bybit.set_price("ETHUSDT", 2000)
    bybit.open_position("ETHUSDT", "Buy", "0.5")
    answer = asyncio.run(main.webhook(main.WebhookSignal(action="FULL_LONG_CLOSE", symbol="ETHUSDT")))
    assert answer.get("success") is True, answer
    assert bybit.orders[-1]["side"] == "Sell" and bybit.orders[-1]["reduceOnly"] is True
