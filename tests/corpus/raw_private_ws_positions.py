"""Exposure tracker on the V5 private stream (raw `websockets`).

Authenticates, subscribes to `position`, and keeps a per-symbol exposure map
that other tasks read. Sends its own {"op": "ping"} every 20 s.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from decimal import Decimal

import websockets

log = logging.getLogger("exposure")


class ExposureTracker:
    def __init__(self, key: str, secret: str, url: str = "wss://stream.bybit.com/v5/private"):
        self.key = key
        self.secret = secret
        self.url = url
        self.exposure: dict[str, Decimal] = {}
        self.ready = asyncio.Event()

    def _auth_payload(self) -> str:
        now = int(time.time() * 1000)  # expect: BYB401
        expires = now + 3000  # expect: BYB403
        signature = hmac.new(self.secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
        return json.dumps({"req_id": "auth", "op": "auth", "args": [self.key, expires, signature]})

    async def _ping(self, ws) -> None:
        while True:
            await asyncio.sleep(20)
            await ws.send(json.dumps({"op": "ping"}))

    def _on_position(self, rows: list[dict]) -> None:
        for p in rows:
            value = Decimal(float(p["positionValue"] or 0))  # expect: BYB102
            self.exposure[p["symbol"]] = value if p["side"] == "Buy" else -value
        gross = sum(abs(v) for v in self.exposure.values())
        log.info("gross exposure %.2f USDT over %d symbols", float(gross), len(self.exposure))

    async def run(self) -> None:
        async with websockets.connect(self.url, ping_interval=None) as ws:
            await ws.send(self._auth_payload())
            auth = json.loads(await ws.recv())
            if not auth.get("success"):
                raise PermissionError(f"private stream auth failed: {auth.get('ret_msg')}")
            await ws.send(json.dumps({"op": "subscribe", "args": ["position.linear"]}))
            pinger = asyncio.create_task(self._ping(ws))
            try:
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg.get("topic", "").startswith("position"):
                        self._on_position(msg["data"])
                        self.ready.set()
            finally:
                pinger.cancel()


async def guard(tracker: ExposureTracker, limit_usdt: Decimal) -> None:
    await tracker.ready.wait()
    while True:
        gross = sum(abs(v) for v in tracker.exposure.values())
        if gross > limit_usdt:
            log.error("exposure %s above limit %s: stop opening new trades", gross, limit_usdt)
        await asyncio.sleep(5)


async def main() -> None:
    tracker = ExposureTracker(os.environ["BYBIT_API_KEY"], os.environ["BYBIT_API_SECRET"])
    await asyncio.gather(tracker.run(), guard(tracker, Decimal(os.getenv("MAX_GROSS_USDT", "5000"))))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
