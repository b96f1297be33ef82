"""khanbekov/auto-stop-bybit-bot: ccxt (sync) on mainnet, balance, positions and a market close."""
import asyncio
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "khanbekov__auto-stop-bybit-bot"


@pytest.fixture
def gate(bybit, monkeypatch):
    key = bybit.create_key(env="mainnet")  # ccxt's default host is api.bybit.com
    monkeypatch.syspath_prepend(str(BOT))
    module = importlib.import_module("src.services.exchange_gate")
    g = module.ExchangeGate([])
    g.set_keys(tg_user_id=1, exchange_name="bybit", public_key=key.api_key, private_key=key.api_secret)
    return g


def test_balance_positions_and_close(bybit, gate):
    bybit.set_price("ETHUSDT", 2000)
    assert gate.check_connection(1, "bybit") > 0
    bybit.open_position("ETHUSDT", "Buy", "0.5")
    positions = gate.get_current_positions_as_dict_on_exchange(1, "bybit")
    assert list(positions) == ["ETH/USDT:USDT"]
    assert positions["ETH/USDT:USDT"]["side"] == "long"
    asyncio.run(gate.close_position_by_market(1, "bybit", gate.get_current_positions(1, "bybit")[0]))
    assert bybit.orders[-1]["side"] == "Sell" and bybit.orders[-1]["reduceOnly"] is True
    assert gate.get_current_positions_as_dict_on_exchange(1, "bybit") == {}
