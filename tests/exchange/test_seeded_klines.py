"""Seeded candle history: a volume- or indicator-driven bot gets the candles the test describes."""

from __future__ import annotations

import pytest

from pytest_bybit.exchange.candles import INTERVAL_MS


def _klines(session, **params):
    return session.get_kline(category="spot", symbol="BTCUSDT", **params)["result"]["list"]


def test_unseeded_candles_stay_flat_without_volume(pybit_session, exchange):
    exchange.set_price("BTCUSDT", 50000)
    rows = _klines(pybit_session, interval="D", limit=2)
    assert [r[1:] for r in rows] == [["50000.0", "50000.0", "50000.0", "50000.0", "0", "0"]] * 2


def test_seeded_candles_newest_first_with_turnover(pybit_session, exchange):
    exchange.set_price("BTCUSDT", 50200)
    exchange.set_klines("BTCUSDT", [("49000", "50500", "48800", "50000", "12.5"), ("50000", "50300", "49900", "50200", "3")], interval="D")
    rows = _klines(pybit_session, interval="D", limit=3)
    newest, previous, older = rows
    assert int(newest[0]) - int(previous[0]) == INTERVAL_MS["D"] == int(previous[0]) - int(older[0])
    assert newest[1:] == ["50000.0", "50300.0", "49900.0", "50200.0", "3", "150600"]
    assert previous[1:] == ["49000.0", "50500.0", "48800.0", "50000.0", "12.5", "625000"]
    assert older[5] == "0"  # before the seeded history: flat, no volume
    # another interval is not seeded
    assert _klines(pybit_session, interval="60", limit=1)[0][5] == "0"


def test_seeded_candles_stay_anchored_when_the_clock_moves(manual_exchange):
    from pybit.unified_trading import HTTP

    manual_exchange.set_klines("BTCUSDT", [("100", "110", "90", "105", "7")], interval="1")
    manual_exchange.clock.advance(60_000)
    session = HTTP(testnet=True, api_key=manual_exchange.api_key, api_secret=manual_exchange.api_secret)
    rows = session.get_kline(category="linear", symbol="BTCUSDT", interval="1", limit=2)["result"]["list"]
    assert [r[5] for r in rows] == ["0", "7"]


@pytest.mark.parametrize(
    ("symbol", "candles", "interval", "message"),
    [
        ("NOPEUSDT", [("1", "1", "1", "1", "1")], "1", "set_klines('NOPEUSDT', ...): no such symbol"),
        ("BTCUSDT", [("1", "1", "1", "1", "1")], "2", "interval must be one of 1, 3, 5"),
        ("BTCUSDT", [("1", "1", "1", "1")], "1", "candle #0 must be (open, high, low, close, volume)"),
        ("BTCUSDT", [("1", "2", "1", "1", "1"), ("1", "1", "2", "1", "1")], "1", "candle #1 must satisfy low <= open, close <= high"),
        ("BTCUSDT", [("1", "2", "1", "x", "1")], "1", "candle #0 close='x' must be a positive number"),
        ("BTCUSDT", [], "1", "give at least one candle"),
    ],
)
def test_bad_candles_are_refused_with_the_reason(exchange, symbol, candles, interval, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        exchange.set_klines(symbol, candles, interval=interval)
