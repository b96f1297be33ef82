"""Spread / depth monitor for a handful of Bybit spot pairs (websocket-client).

Keeps a 50-level book per symbol and logs the spread in bps and the depth
within 0.5 % of mid. A background thread sends Bybit's JSON heartbeat.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from decimal import Decimal

import websocket

log = logging.getLogger("depth")

STREAM_URL = os.environ.get("BYBIT_SPOT_WS", "")
SYMBOLS = os.environ.get("DEPTH_SYMBOLS", "BTCUSDT,ETHUSDT,SOLUSDT").split(",")


class Book:
    __slots__ = ("bids", "asks")

    def __init__(self) -> None:
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}

    def apply(self, data: dict, snapshot: bool) -> None:
        if snapshot:
            self.bids, self.asks = dict(data["b"]), dict(data["a"])
            return
        for side, levels in ((self.bids, data["b"]), (self.asks, data["a"])):
            for price, size in levels:
                if Decimal(size) == 0:
                    side.pop(price, None)
                else:
                    side[price] = size

    def stats(self) -> tuple[float, float]:
        best_bid = max(self.bids, key=float)
        best_ask = min(self.asks, key=float)
        mid = (float(best_bid) + float(best_ask)) / 2
        spread_bps = (float(best_ask) - float(best_bid)) / mid * 10_000
        band = mid * 0.005
        depth = sum(float(p) * float(q) for p, q in self.bids.items() if float(p) >= mid - band)
        depth += sum(float(p) * float(q) for p, q in self.asks.items() if float(p) <= mid + band)
        return spread_bps, depth


class DepthMonitor:
    def __init__(self, url: str, symbols: list[str]):
        self.books = {s: Book() for s in symbols}
        self.symbols = symbols
        self.alive = threading.Event()
        self.app = websocket.WebSocketApp(
            url,
            on_open=self.on_open,
            on_message=self.on_message,
            on_close=lambda ws, code, msg: self.alive.clear(),
        )

    def on_open(self, ws) -> None:
        self.alive.set()
        ws.send(json.dumps({"op": "subscribe", "args": [f"orderbook.50.{s}" for s in self.symbols]}))
        threading.Thread(target=self.heartbeat, args=(ws,), daemon=True).start()

    def heartbeat(self, ws) -> None:
        while self.alive.is_set():
            try:
                ws.send(json.dumps({"op": "ping"}))
            except websocket.WebSocketConnectionClosedException:
                return
            time.sleep(25)  # expect: BYB502

    def on_message(self, ws, raw: str) -> None:
        msg = json.loads(raw)
        topic = msg.get("topic")
        if not topic:
            return
        symbol = topic.rsplit(".", 1)[-1]
        self.books[symbol].apply(msg["data"], msg["type"] == "snapshot")

    def report_forever(self, every: float = 10.0) -> None:
        while True:
            time.sleep(every)
            for sym, book in self.books.items():
                if book.bids and book.asks:
                    spread, depth = book.stats()
                    log.info(f"{sym:<10} spread {spread:5.2f} bps  depth±0.5% {depth:,.0f} USDT")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    if not STREAM_URL:
        raise SystemExit("set BYBIT_SPOT_WS, e.g. the public spot stream of your environment")
    mon = DepthMonitor(STREAM_URL, SYMBOLS)
    threading.Thread(target=mon.report_forever, daemon=True).start()
    mon.app.run_forever()
