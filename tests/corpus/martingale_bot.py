"""Martingale scalper for Bybit perps (pybit).

After each losing trade the next size is multiplied; after a win it resets.
Every trade gets a fixed-distance TP and SL. Do not run this with real money.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass

import yaml
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP, WebSocket

log = logging.getLogger("martingale")


@dataclass
class Settings:
    symbol: str
    base_qty: float
    multiplier: float
    max_steps: int
    tp_distance: float
    sl_distance: float
    testnet: bool = True

    @classmethod
    def load(cls, path: str = "martingale.yml") -> "Settings":
        with open(path) as fh:
            return cls(**yaml.safe_load(fh))


class Martingale:
    def __init__(self, cfg: Settings, key: str, secret: str):
        self.cfg = cfg
        self.session = HTTP(
            testnet=cfg.testnet,
            api_key=key,
            api_secret=secret,
            recv_window=3000,  # expect: BYB402
        )
        self.ws = WebSocket(
            channel_type="private",
            testnet=cfg.testnet,
            api_key=key,
            api_secret=secret,
            private_auth_expire=10,
        )
        self.flat = threading.Event()
        self.ws.position_stream(callback=self._on_position)
        self.losses = 0

    def _on_position(self, msg: dict) -> None:
        for p in msg["data"]:
            if p["symbol"] == self.cfg.symbol and float(p["size"] or 0) == 0:
                self.flat.set()

    def next_qty(self):
        steps = min(self.losses, self.cfg.max_steps)
        return self.cfg.base_qty * self.cfg.multiplier ** steps

    def open_trade(self) -> str:
        side = random.choice(["Buy", "Sell"])
        qty = round(self.next_qty(), 3)  # expect: BYB103
        for attempt in range(3):  # expect: BYB202
            try:
                r = self.session.place_order(  # expect: BYB205
                    category="linear",
                    symbol=self.cfg.symbol,
                    side=side,
                    orderType="Market",
                    qty=qty,
                )
                break
            except FailedRequestError as exc:
                log.warning("place_order attempt %d: %s", attempt + 1, exc)
                time.sleep(1)
        else:
            raise RuntimeError("could not open trade")
        log.info("opened %s %s (step %d)", side, qty, self.losses)
        return r["result"]["orderId"]

    def protect(self) -> None:
        pos = self.session.get_positions(category="linear", symbol=self.cfg.symbol)["result"]["list"][0]
        entry = float(pos["avgPrice"])
        long = pos["side"] == "Buy"
        tp = entry + self.cfg.tp_distance if long else entry - self.cfg.tp_distance
        sl_px = entry - self.cfg.sl_distance if long else entry + self.cfg.sl_distance
        self.session.set_trading_stop(
            category="linear",
            symbol=self.cfg.symbol,
            takeProfit=str(tp),  # expect: BYB101
            stopLoss="%.2f" % sl_px,  # expect: BYB103
            positionIdx=0,
        )

    def wait_closed(self) -> float:
        """Block until the position is flat; return the realised PnL of the trade."""
        self.flat.wait()
        closed = self.session.get_closed_pnl(category="linear", symbol=self.cfg.symbol, limit=1)
        return float(closed["result"]["list"][0]["closedPnl"])

    def run(self, rounds: int) -> None:
        total = 0.0
        for n in range(rounds):
            self.flat.clear()
            try:
                self.open_trade()
                self.protect()
            except InvalidRequestError as exc:
                log.error("exchange rejected the trade: %s", exc)
                return
            pnl = self.wait_closed()
            total += pnl
            self.losses = 0 if pnl > 0 else self.losses + 1
            print(f"round {n + 1}: pnl {pnl:+.4f}, total {round(total, 4)}, losses in a row {self.losses}")


if __name__ == "__main__":
    import os

    logging.basicConfig(level=logging.INFO)
    bot = Martingale(Settings.load(), os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"])
    bot.run(rounds=int(os.getenv("ROUNDS", "20")))
