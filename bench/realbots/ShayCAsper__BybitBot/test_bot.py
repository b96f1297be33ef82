"""ShayCAsper/BybitBot: ccxt.async_support on testnet, a market order with SL/TP, then a reduce-only close."""
import asyncio
import importlib
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "ShayCAsper__BybitBot"


@pytest.fixture
def client_cls(bybit, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", bybit.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", bybit.api_secret)
    monkeypatch.syspath_prepend(str(BOT))
    return importlib.import_module("core.exchange_client").ExchangeClient


def test_order_with_sl_tp_then_reduce(bybit, client_cls):
    bybit.set_price("BTCUSDT", 50000)

    async def flow():
        client = client_cls(SimpleNamespace(testnet=True))
        await client.connect()
        try:
            order = await client.place_order_with_sl_tp("BTC/USDT:USDT", "buy", 0.01, stop_loss=49000, take_profit=52000)
            assert order, "no order placed"
            assert await client.has_open_position("BTC/USDT:USDT")
            assert await client.reduce_position("BTC/USDT:USDT", "sell", 0.01)
            assert not await client.has_open_position("BTC/USDT:USDT")
        finally:
            await client.close()

    asyncio.run(flow())
    assert [o["side"] for o in bybit.orders] == ["Buy", "Sell"]
    assert float(bybit.orders[0]["stopLoss"]) == 49000 and float(bybit.orders[0]["takeProfit"]) == 52000
