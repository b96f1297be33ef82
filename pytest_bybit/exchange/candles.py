"""Candle history a test seeds for /v5/market/kline.

Without it the fake's candles are flat at the last price with no volume, which is the truth
about a market nobody traded on, but a bot that scans volume or computes an indicator sees
nothing to act on. Seeded candles are anchored at the time they were seeded: the last one is
the candle open at that moment, earlier ones step back by the interval, and candles after it
(the clock moved on) are flat at the last price again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import dec, fmt

#: Bybit's kline intervals and their length in ms (M is taken as 30 days).
INTERVAL_MS = {
    **{str(m): m * 60_000 for m in (1, 3, 5, 15, 30, 60, 120, 240, 360, 720)},
    "D": 86_400_000,
    "W": 7 * 86_400_000,
    "M": 30 * 86_400_000,
}
_FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True)
class Candle:
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True)
class Series:
    """Seeded candles, oldest first; the last one starts at ``last_start_ms``."""

    candles: tuple[Candle, ...]
    last_start_ms: int


def parse_candles(symbol: str, interval: str, candles: Iterable[Sequence[Any]]) -> tuple[Candle, ...]:
    """Check every candle, naming the one that is wrong and why."""
    where = f"set_klines({symbol!r}, interval={interval!r})"
    if interval not in INTERVAL_MS:
        raise ValueError(f"{where}: interval must be one of {', '.join(INTERVAL_MS)} (Bybit's kline intervals)")
    parsed = []
    for i, row in enumerate(candles):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 5:
            raise ValueError(f"{where}: candle #{i} must be (open, high, low, close, volume), got {row!r}")
        values = [dec(v) for v in row]
        for name, raw, value in zip(_FIELDS, row, values):
            if value is None or value < 0 or (name != "volume" and value == 0):
                raise ValueError(f"{where}: candle #{i} {name}={raw!r} must be a positive number (volume may be 0)")
        candle = Candle(*values)
        if not candle.low <= min(candle.open, candle.close) <= max(candle.open, candle.close) <= candle.high:
            raise ValueError(f"{where}: candle #{i} must satisfy low <= open, close <= high, got {row!r}")
        parsed.append(candle)
    if not parsed:
        raise ValueError(f"{where}: give at least one candle, oldest first")
    return tuple(parsed)


class CandleBook:
    """The seeded series, by (symbol, interval)."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], Series] = {}

    def seed(self, symbol: str, interval: str, candles: tuple[Candle, ...], now_ms: int) -> None:
        step = INTERVAL_MS[interval]
        self._series[(symbol, interval)] = Series(candles, now_ms // step * step)

    def row(self, symbol: str, interval: str, start_ms: int, fmt_price: Any, last_price: Decimal) -> list[str]:
        """One kline row [start, open, high, low, close, volume, turnover] for the candle at ``start_ms``."""
        series = self._series.get((symbol, interval))
        if series is not None and start_ms <= series.last_start_ms:
            back = (series.last_start_ms - start_ms) // INTERVAL_MS[interval]
            if back < len(series.candles):
                c = series.candles[-1 - back]
                return [str(start_ms), fmt_price(c.open), fmt_price(c.high), fmt_price(c.low), fmt_price(c.close), fmt(c.volume), fmt(c.volume * c.close)]
        px = fmt_price(last_price)
        return [str(start_ms), px, px, px, px, "0", "0"]
