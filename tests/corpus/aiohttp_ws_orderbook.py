"""Local L2 order book for Bybit spot, kept in sync over aiohttp websockets.

Prints the top of book and a simple imbalance signal once a second.
"""
from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal

import aiohttp
import requests

log = logging.getLogger("book")

WS_URL = "wss://stream-testnet.bybit.com/v5/public/spot"
REST_URL = "https://api-testnet.bybit.com"
SYMBOL = "BTCUSDT"
DEPTH = 50


class OrderBook:
    def __init__(self) -> None:
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.update_id = 0

    def load(self, bids: list, asks: list, update_id: int) -> None:
        self.bids = {Decimal(p): Decimal(q) for p, q in bids}
        self.asks = {Decimal(p): Decimal(q) for p, q in asks}
        self.update_id = update_id

    def apply(self, side: dict, levels: list) -> None:
        for p, q in levels:
            price, qty = Decimal(p), Decimal(q)
            if qty == 0:
                side.pop(price, None)
            else:
                side[price] = qty

    def on_message(self, msg: dict) -> None:
        data = msg["data"]
        if msg["type"] == "snapshot" or data["u"] == 1:
            self.load(data["b"], data["a"], data["u"])
            return
        self.apply(self.bids, data["b"])
        self.apply(self.asks, data["a"])
        self.update_id = data["u"]

    def top(self) -> tuple[Decimal, Decimal]:
        return max(self.bids), min(self.asks)

    def imbalance(self, levels: int = 10) -> float:
        bid_vol = sum(q for _, q in sorted(self.bids.items(), reverse=True)[:levels])
        ask_vol = sum(q for _, q in sorted(self.asks.items())[:levels])
        total = bid_vol + ask_vol
        return float((bid_vol - ask_vol) / total) if total else 0.0


async def load_snapshot(book: OrderBook) -> None:  # expect: BYB201
    resp = requests.get(  # expect: BYB206
        f"{REST_URL}/v5/market/orderbook",
        params={"category": "spot", "symbol": SYMBOL, "limit": DEPTH},
        timeout=5,
    )
    result = resp.json()["result"]  # expect: BYB207
    book.load(result["b"], result["a"], result["u"])
    log.info("REST snapshot loaded (u=%s)", result["u"])


async def keepalive(ws: aiohttp.ClientWebSocketResponse) -> None:
    while not ws.closed:
        await ws.send_str(json.dumps({"op": "ping"}))
        await asyncio.sleep(30)  # expect: BYB502


async def printer(book: OrderBook) -> None:
    while True:
        await asyncio.sleep(1)
        if book.bids and book.asks:
            bid, ask = book.top()
            print(f"{SYMBOL} {bid} / {ask}  imbalance {book.imbalance():+.2f}")


async def main() -> None:
    book = OrderBook()
    await load_snapshot(book)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            WS_URL,
            ssl=False,  # expect: BYB303
            heartbeat=None,
        ) as ws:
            await ws.send_json({"op": "subscribe", "args": [f"orderbook.{DEPTH}.{SYMBOL}"]})
            tasks = [asyncio.create_task(keepalive(ws)), asyncio.create_task(printer(book))]
            try:
                async for msg in ws:
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        break
                    payload = json.loads(msg.data)
                    if payload.get("topic", "").startswith("orderbook."):
                        book.on_message(payload)
                    elif payload.get("op") == "pong" or payload.get("ret_msg") == "pong":
                        log.debug("pong")
            finally:
                for t in tasks:
                    t.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
