"""vayesy/bybit_bot: a spot volume-breakout bot on pybit (testnet), driven through its App."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "vayesy__bybit_bot" / "src"


@pytest.fixture
def app(bybit, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", bybit.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", bybit.api_secret)
    monkeypatch.setenv("BYBIT_TESTNET", "1")
    monkeypatch.syspath_prepend(str(BOT))
    module = importlib.import_module("bybit_bot.app")
    from pybit.unified_trading import HTTP

    application = module.App()
    application.http = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    return application


def test_spot_only_coins_and_breakout_buy(bybit, app):
    from bybit_bot.http_api_helpers import get_spot_only_coins

    bybit.add_instrument("TONUSDT", category="spot", tick_size="0.001", qty_step="0.01", min_qty="0.1", price="5")
    bybit.set_klines("TONUSDT", [("4.8", "5.2", "4.7", "5.0", "900"), ("5.0", "5.1", "4.9", "5.0", "700")], interval="D")
    coins = get_spot_only_coins(app.http, "USDT")
    assert coins == ["TON"]
    assert app.update_last_prices(coins)
    record = app.pair_records["TONUSDT"]
    assert (record.price, record.volume) == (5.2, 4500.0)  # the day with the highest high, its turnover
    app.on_price_update_without_position("TONUSDT", record.price * 1.1, record.volume * 10 + 1)
    assert "TONUSDT" in app.open_positions
    assert [(o["symbol"], o["side"], o["orderStatus"]) for o in bybit.orders] == [("TONUSDT", "Buy", "Filled")]


def test_entry_fill_places_stop_and_take_profit_orders(bybit, app):
    from bybit_bot.helper_classes import Position

    bybit.set_price("BTCUSDT", 50000)
    app.open_positions["BTCUSDT"] = Position("BTCUSDT")
    app.on_execution({"data": {"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "BTCUSDT-enter",
                                "execPrice": "50000", "execQty": "0.01"}})
    position = app.open_positions["BTCUSDT"]
    assert position.sl_order_id and position.tp_order_id
    assert sorted(o["orderStatus"] for o in bybit.orders) == ["Untriggered", "Untriggered"]
