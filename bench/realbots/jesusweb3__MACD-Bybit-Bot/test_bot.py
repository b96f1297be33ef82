"""jesusweb3/MACD-Bybit-Bot: a hand-written aiohttp signer (mainnet): leverage, market order, close."""
import asyncio
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "jesusweb3__MACD-Bybit-Bot"


@pytest.fixture
def client_cls(bybit, monkeypatch, tmp_path):
    key = bybit.create_key(env="mainnet")  # the bot's base_url is api.bybit.com
    monkeypatch.setenv("BYBIT_API_KEY", key.api_key)
    monkeypatch.setenv("BYBIT_SECRET_KEY", key.api_secret)
    monkeypatch.setenv("TRADING_PAIR", "ETHUSDT")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("src.exchange.bybit").BybitClient


def test_open_then_close_a_long(bybit, client_cls):
    bybit.set_price("ETHUSDT", 2000)

    async def flow():
        async with client_cls(os.environ["BYBIT_API_KEY"], os.environ["BYBIT_SECRET_KEY"]) as client:
            balance = await client.balance.get_balance()
            assert balance["total_usdt"] > 0, balance
            assert (await client.leverage.set_leverage("ETHUSDT", 5)).get("success"), "leverage"
            placed = await client.orders.place_market_order("ETHUSDT", "Buy", "0.50")
            assert placed["success"], placed
            positions = await client.positions.get_positions("ETHUSDT")
            assert [p["size"] for p in positions["positions"]] == [0.5]
            closed = await client.positions.close_position("ETHUSDT")
            assert closed["success"], closed
            assert (await client.positions.get_positions("ETHUSDT"))["positions"] == []

    asyncio.run(flow())
    assert [(o["side"], o["reduceOnly"]) for o in bybit.orders] == [("Buy", False), ("Sell", True)]
