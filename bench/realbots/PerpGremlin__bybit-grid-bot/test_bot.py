"""PerpGremlin/bybit-grid-bot: a pybit spot grid on testnet; places the grid, then replaces a filled level."""
import importlib
import os
from pathlib import Path

import pytest

if "REALBOTS_DIR" not in os.environ:
    pytest.skip("set REALBOTS_DIR to the snapshots that bench/bench_realbots.py --rebuild makes", allow_module_level=True)
BOT = Path(os.environ["REALBOTS_DIR"]) / "PerpGremlin__bybit-grid-bot"


@pytest.fixture
def grid(bybit, monkeypatch, tmp_path):
    monkeypatch.setenv("BYBIT_API_KEY", bybit.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", bybit.api_secret)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()  # the bot logs to logs/grid_bot.log
    monkeypatch.syspath_prepend(str(BOT))
    bybit.set_price("BTCUSDT", 70000)
    bybit.set_balance("BTC", "1")
    bybit.set_balance("USDT", "50000")
    return importlib.import_module("bot")


def test_grid_then_replenish_after_a_fill(bybit, grid):
    levels, interval = grid.calculate_grid_levels(grid.config.GRID_LOWER_PRICE, grid.config.GRID_UPPER_PRICE, grid.config.GRID_NUM_LEVELS)
    buys, sells = grid.get_buy_sell_levels(levels, 70000)
    ids = grid.place_grid_orders(buys, sells)
    assert len(ids) == len(buys) + len(sells)
    assert len(grid.get_open_orders()) == len(ids)
    top_buy = max(buys)
    bybit.set_price("BTCUSDT", top_buy - 100)  # the highest buy level fills
    open_prices = {float(o["price"]) for o in grid.get_open_orders()}
    assert top_buy not in open_prices
    before = len(bybit.orders)
    grid.check_and_replenish(levels, interval)
    # the take-profit level one interval up already holds a sell: the bot must not stack a second one
    assert len(bybit.orders) == before
    prices = [float(o["price"]) for o in grid.get_open_orders()]
    assert len(prices) == len(set(prices)) == len(ids) - 1
