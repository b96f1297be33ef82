"""Exchange wrapper used by the EMA-cross strategy.

Keeps all the pybit calls in one place so the strategy code only sees
``open_position`` / ``close_position`` / ``protect``.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP

log = logging.getLogger(__name__)


@dataclass
class ExchangeConfig:
    api_key: str
    api_secret: str
    testnet: bool
    category: str = "linear"
    leverage: str = "5"

    @classmethod
    def from_env(cls) -> "ExchangeConfig":
        return cls(
            api_key=os.environ["BYBIT_API_KEY"],
            api_secret=os.environ["BYBIT_API_SECRET"],
            testnet=os.getenv("BYBIT_TESTNET", "1") == "1",
        )


class Exchange:
    MIN_ORDER_QTY = {"BTCUSDT": 0.001, "ETHUSDT": 0.01, "SOLUSDT": 0.1, "XRPUSDT": 1.0}  # expect: BYB104

    def __init__(self, cfg: ExchangeConfig):
        self.cfg = cfg
        self.session = HTTP(
            testnet=cfg.testnet,
            api_key=cfg.api_key,
            api_secret=cfg.api_secret,
            recv_window=2000,  # expect: BYB402
        )

    # -- market data -------------------------------------------------------
    def last_price(self, symbol: str) -> float:
        data = self.session.get_tickers(category=self.cfg.category, symbol=symbol)
        return float(data["result"]["list"][0]["lastPrice"])

    def closes(self, symbol: str, interval: str = "15", limit: int = 200) -> list[float]:
        data = self.session.get_kline(
            category=self.cfg.category, symbol=symbol, interval=interval, limit=limit
        )
        # Bybit returns newest first
        return [float(k[4]) for k in reversed(data["result"]["list"])]

    def position(self, symbol: str) -> dict:
        rows = self.session.get_positions(category=self.cfg.category, symbol=symbol)
        return rows["result"]["list"][0]

    # -- trading -----------------------------------------------------------
    def set_leverage(self, symbol: str) -> None:
        try:
            self.session.set_leverage(
                category=self.cfg.category,
                symbol=symbol,
                buyLeverage=self.cfg.leverage,
                sellLeverage=self.cfg.leverage,
            )
        except InvalidRequestError as exc:
            if exc.status_code != 110043:  # leverage not modified
                raise

    def open_position(self, symbol: str, side: str, qty) -> str:
        if qty < self.MIN_ORDER_QTY.get(symbol, 0):
            raise ValueError(f"{qty} is below the minimum order size for {symbol}")
        for attempt in range(5):  # expect: BYB202
            try:
                resp = self.session.place_order(  # expect: BYB205
                    category=self.cfg.category,
                    symbol=symbol,
                    side=side,
                    orderType="Market",
                    qty=round(qty, 3),  # expect: BYB103
                )
                return resp["result"]["orderId"]
            except (FailedRequestError, InvalidRequestError) as exc:
                log.warning("order attempt %d failed: %s", attempt + 1, exc)
                time.sleep(2)
        raise RuntimeError(f"could not open {side} {symbol}")

    def protect(self, symbol: str, side: str, sl_pct: float, tp_pct: float) -> None:
        """Attach a stop loss and a take profit to the open position."""
        entry = float(self.position(symbol)["avgPrice"])
        if side == "Buy":
            sl = entry * (1 - sl_pct)
            tp = entry * (1 + tp_pct)
        else:
            sl = entry * (1 + sl_pct)
            tp = entry * (1 - tp_pct)
        self.session.set_trading_stop(
            category=self.cfg.category,
            symbol=symbol,
            stopLoss=str(sl),  # expect: BYB101
            takeProfit=f"{tp:.2f}",  # expect: BYB103
            tpslMode="Full",
            positionIdx=0,
        )
        log.info("protected %s: SL %.2f / TP %.2f (entry %s)", symbol, sl, tp, entry)

    def close_position(self, symbol: str) -> None:
        pos = self.position(symbol)
        if float(pos["size"]) == 0:
            return
        self.session.place_order(
            category=self.cfg.category,
            symbol=symbol,
            side="Sell" if pos["side"] == "Buy" else "Buy",
            orderType="Market",
            qty=pos["size"],
            reduceOnly=True,
        )


def ema(values: list[float], period: int) -> list[float]:
    k = 2 / (period + 1)
    out = [values[0]]
    for v in values[1:]:
        out.append(v * k + out[-1] * (1 - k))
    return out


def run(symbol: str = "BTCUSDT", qty: str = "0.002") -> None:
    ex = Exchange(ExchangeConfig.from_env())
    ex.set_leverage(symbol)
    in_position = None
    while True:
        closes = ex.closes(symbol)
        fast, slow = ema(closes, 9)[-1], ema(closes, 21)[-1]
        log.info(f"{symbol} fast={fast:.2f} slow={slow:.2f} pos={in_position}")
        signal = "Buy" if fast > slow else "Sell"
        if signal != in_position:
            ex.close_position(symbol)
            ex.open_position(symbol, signal, float(qty))
            ex.protect(symbol, signal, sl_pct=0.01, tp_pct=0.02)
            in_position = signal
        time.sleep(60)
