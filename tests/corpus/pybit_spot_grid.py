"""Spot grid for Bybit (pybit 5): prices and sizes quantized from instruments-info.

Config (grid.toml):
    symbol = "ETHUSDT"
    lower = "2800"
    upper = "3600"
    levels = 16
    quote_per_level = "25"
    testnet = true
"""
from __future__ import annotations

import logging
import os
import sys
import time
import tomllib
import uuid
from decimal import ROUND_DOWN, Decimal

from pybit.unified_trading import HTTP, WebSocket

log = logging.getLogger("spotgrid")


def load_config(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


class SpotGrid:
    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.symbol = cfg["symbol"]
        self.http = HTTP(
            testnet=cfg.get("testnet", False),
            api_key=os.environ["BYBIT_API_KEY"],
            api_secret=os.environ["BYBIT_API_SECRET"],
        )
        info = self.http.get_instruments_info(category="spot", symbol=self.symbol)["result"]["list"][0]
        self.base_step = Decimal(info["lotSizeFilter"]["basePrecision"])
        self.tick = Decimal(info["priceFilter"]["tickSize"])
        self.min_notional = Decimal(info["lotSizeFilter"]["minOrderAmt"])
        self.last_price: Decimal | None = None

    def levels(self) -> list[Decimal]:
        lower, upper = Decimal(self.cfg["lower"]), Decimal(self.cfg["upper"])
        n = int(self.cfg["levels"])
        width = (upper - lower) / n
        return [(lower + width * i).quantize(self.tick, rounding=ROUND_DOWN) for i in range(n + 1)]

    def size_for(self, price: Decimal) -> Decimal:
        quote = Decimal(self.cfg["quote_per_level"])
        raw_qty = quote / price
        return Decimal(str(raw_qty)).quantize(self.base_step, rounding=ROUND_DOWN)

    def place(self, side: str, price: Decimal) -> None:
        qty = self.size_for(price)
        if qty * price < self.min_notional:
            log.warning("level %s below minOrderAmt, skipped", price)
            return
        self.http.place_order(
            category="spot",
            symbol=self.symbol,
            side=side,
            orderType="Limit",
            qty=format(qty, "f"),
            price=format(price, "f"),
            timeInForce="PostOnly",
            orderLinkId=f"grid-{side[0]}-{uuid.uuid4().hex[:16]}",
        )

    def seed(self) -> None:
        last = Decimal(self.http.get_tickers(category="spot", symbol=self.symbol)["result"]["list"][0]["lastPrice"])
        self.http.cancel_all_orders(category="spot", symbol=self.symbol)
        for px in self.levels():
            if px < last:
                self.place("Buy", px)
            elif px > last:
                self.place("Sell", px)
        log.info("grid seeded around %s", last)

    def on_ticker(self, msg: dict) -> None:
        self.last_price = Decimal(msg["data"]["lastPrice"])

    def refill(self) -> None:
        grid = self.levels()
        step = grid[1] - grid[0]
        hist = self.http.get_order_history(category="spot", symbol=self.symbol, orderStatus="Filled", limit=20)
        done = self.cfg.setdefault("_handled", set())
        for o in hist["result"]["list"]:
            if o["orderId"] in done or not o["orderLinkId"].startswith("grid-"):
                continue
            done.add(o["orderId"])
            filled_px = Decimal(o["avgPrice"])
            if o["side"] == "Buy":
                self.place("Sell", (filled_px + step).quantize(self.tick, rounding=ROUND_DOWN))
            else:
                self.place("Buy", (filled_px - step).quantize(self.tick, rounding=ROUND_DOWN))
            pnl_est = float(step) * float(o["cumExecQty"])
            log.info(f"{o['side']} filled @ {float(filled_px):.2f}, re-armed (~{pnl_est:.3f} USDT/lap)")


def main(path: str) -> None:
    cfg = load_config(path)
    grid = SpotGrid(cfg)
    ws = WebSocket(channel_type="spot", testnet=cfg.get("testnet", False))
    ws.ticker_stream(symbol=grid.symbol, callback=grid.on_ticker)
    grid.seed()
    while True:
        time.sleep(30)
        grid.refill()
        if grid.last_price is not None:
            log.info("last %s", grid.last_price)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main(sys.argv[1] if len(sys.argv) > 1 else "grid.toml")
