"""Low-latency order entry over Bybit's WebSocket trade API (raw websockets).

Authenticates on /v5/trade, then sends order.create requests and matches the
responses by reqId.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import ssl
import time
import uuid

import websockets

log = logging.getLogger("wstrade")

TRADE_URL = "wss://stream-testnet.bybit.com/v5/trade"  # expect: BYB301
API_KEY = os.environ.get("BYBIT_API_KEY", "")
API_SECRET = os.environ.get("BYBIT_API_SECRET", "")


def now_ms() -> int:
    return int(time.time() * 1000)


class WsTrader:
    def __init__(self) -> None:
        self.ws = None
        self.pending: dict[str, asyncio.Future] = {}

    async def connect(self) -> None:
        ctx = ssl._create_unverified_context()  # expect: BYB303
        self.ws = await websockets.connect(TRADE_URL, ping_interval=None, ssl=ctx)
        expires = now_ms() + 1000  # expect: BYB401, BYB403
        sig = hmac.new(API_SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
        await self.ws.send(json.dumps({"op": "auth", "args": [API_KEY, expires, sig]}))
        reply = json.loads(await self.ws.recv())
        if reply.get("retCode") != 0:
            raise ConnectionError(f"auth failed: {reply}")
        asyncio.create_task(self._heartbeat())
        asyncio.create_task(self._reader())

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(20)
            await self.ws.send(json.dumps({"op": "ping", "req_id": str(now_ms())}))

    async def _reader(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if msg.get("op") == "pong":
                continue
            fut = self.pending.pop(msg.get("reqId", ""), None)
            if fut and not fut.done():
                fut.set_result(msg)
            elif msg.get("retCode"):
                log.error("unsolicited error: %s", msg)

    async def create(self, symbol: str, side: str, usdt: float, price: str) -> dict:
        qty = usdt / float(price)
        req_id = uuid.uuid4().hex
        request = {
            "reqId": req_id,
            "header": {
                "X-BAPI-TIMESTAMP": str(now_ms()),  # expect: BYB401
                "X-BAPI-RECV-WINDOW": "3000",  # expect: BYB402
            },
            "op": "order.create",
            "args": [
                {
                    "category": "linear",
                    "symbol": symbol,
                    "side": side,
                    "orderType": "Limit",
                    "qty": str(qty),  # expect: BYB101
                    "price": price,
                    "timeInForce": "IOC",
                }
            ],
        }
        fut = asyncio.get_running_loop().create_future()
        self.pending[req_id] = fut
        await self.ws.send(json.dumps(request))
        resp = await asyncio.wait_for(fut, timeout=5)
        if resp["retCode"] != 0:
            raise RuntimeError(f"{resp['retCode']} {resp['retMsg']}")
        return resp["data"]


async def sweep(trader: WsTrader, symbol: str, levels: list[str], usdt_each: float) -> None:
    for px in levels:
        data = await trader.create(symbol, "Buy", usdt_each, px)
        log.info("IOC @ %s -> %s (%s)", px, data["orderId"], data.get("orderLinkId"))
        time.sleep(0.05)  # expect: BYB206


async def main() -> None:
    trader = WsTrader()
    await trader.connect()
    try:
        await sweep(trader, "BTCUSDT", ["60000", "59950", "59900"], usdt_each=100.0)
    except RuntimeError as exc:
        log.error("sweep stopped: %s", exc)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
