"""AykoMoana/bybit-scalper: a hand-written requests signer (mainnet), spot balance and a post-only limit order."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "AykoMoana__bybit-scalper"


@pytest.fixture
def client(bybit, monkeypatch):
    key = bybit.create_key(env="mainnet")
    monkeypatch.syspath_prepend(str(BOT))
    module = importlib.import_module("src.bybit_client")
    return module.BybitRestClient(key.api_key, key.api_secret)


def test_balance_then_resting_limit_then_cancel(bybit, client):
    bybit.set_price("BTCUSDT", 50000)
    balance = client.get_wallet_balance(account_type="UNIFIED")
    assert balance["success"], balance
    placed = client.place_order("BTCUSDT", "Buy", 0.001, price=49000)
    assert placed["success"], placed
    order_id = placed["data"]["orderId"]
    assert [o["orderId"] for o in client.get_open_orders("BTCUSDT")["data"]["list"]] == [order_id]
    assert client.cancel_order("BTCUSDT", order_id)["success"]
    assert client.get_open_orders("BTCUSDT")["data"]["list"] == []


def test_default_account_type(bybit, client):
    """The bot's default accountType is SPOT, which a unified account refuses."""
    assert client.get_wallet_balance()["success"]
