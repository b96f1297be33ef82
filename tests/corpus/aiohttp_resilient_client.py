"""Async Bybit V5 client (aiohttp) shared by our asyncio strategies.

Server-synced timestamps, retCode checks, 10006/403/429 handling, bounded
jittered retries, orderLinkId on every order.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import ssl
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlencode

import aiohttp

log = logging.getLogger("abybit")


@dataclass
class ClientConfig:
    api_key: str
    api_secret: str
    base_url: str
    ca_bundle: str | None = None
    recv_window: int = 8000
    attempts: int = 4


class BybitError(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(f"{code} {msg}")
        self.code = code


class Throttled(Exception):
    pass


class AsyncBybitClient:
    def __init__(self, cfg: ClientConfig):
        self.cfg = cfg
        self.ssl_context = ssl.create_default_context(cafile=cfg.ca_bundle)
        self.session: aiohttp.ClientSession | None = None
        self.offset_ms = 0

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(ssl=self.ssl_context, limit=20)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10))
        await self.resync()

    async def close(self) -> None:
        if self.session:
            await self.session.close()

    async def resync(self) -> None:
        t0 = time.time()
        res = await self._once("GET", "/v5/market/time", {}, signed=False)
        local_mid_ms = int((t0 + time.time()) * 500)
        self.offset_ms = int(res["timeNano"]) // 1_000_000 - local_mid_ms

    def _server_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    async def _once(self, method: str, path: str, params: dict, signed: bool = True) -> dict:
        assert self.session is not None
        query = urlencode(sorted(params.items())) if method == "GET" else ""
        body = json.dumps(params) if method == "POST" else ""
        headers = {"Content-Type": "application/json"}
        if signed:
            ts = str(self._server_ms())
            recv = str(self.cfg.recv_window)
            sign = hmac.new(self.cfg.api_secret.encode(), (ts + self.cfg.api_key + recv + (query or body)).encode(), hashlib.sha256)
            headers |= {
                "X-BAPI-API-KEY": self.cfg.api_key,
                "X-BAPI-TIMESTAMP": ts,
                "X-BAPI-RECV-WINDOW": recv,
                "X-BAPI-SIGN": sign.hexdigest(),
            }
        url = f"{self.cfg.base_url}{path}" + (f"?{query}" if query else "")
        async with self.session.request(method, url, data=body or None, headers=headers) as resp:
            if resp.status in (403, 429):
                raise Throttled(f"HTTP {resp.status}")
            data = await resp.json(content_type=None)
        if data["retCode"] == 10006:
            raise Throttled(data["retMsg"])
        if data["retCode"] != 0:
            raise BybitError(data["retCode"], data["retMsg"])
        return data["result"]

    async def call(self, method: str, path: str, params: dict | None = None) -> dict:
        params = params or {}
        for attempt in range(self.cfg.attempts):
            try:
                return await self._once(method, path, params)
            except (Throttled, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if attempt == self.cfg.attempts - 1:
                    raise
                delay = random.uniform(0, min(30.0, 2 ** attempt))
                log.warning("%s %s: %s (retry in %.2fs)", method, path, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def place_limit(self, symbol: str, side: str, qty: Decimal, price: Decimal) -> str:
        link_id = f"ab-{uuid.uuid4().hex[:28]}"
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Limit",
            "qty": format(qty, "f"),
            "price": format(price, "f"),
            "timeInForce": "PostOnly",
            "orderLinkId": link_id,
        }
        res = await self.call("POST", "/v5/order/create", body)
        return res["orderId"]


async def quote_both_sides(client: AsyncBybitClient, symbol: str, notional: str, edge_bps: int) -> None:
    info, tick = await asyncio.gather(
        client.call("GET", "/v5/market/instruments-info", {"category": "linear", "symbol": symbol}),
        client.call("GET", "/v5/market/tickers", {"category": "linear", "symbol": symbol}),
    )
    f = info["list"][0]
    step, tick_size = Decimal(f["lotSizeFilter"]["qtyStep"]), Decimal(f["priceFilter"]["tickSize"])
    mid = (Decimal(tick["list"][0]["bid1Price"]) + Decimal(tick["list"][0]["ask1Price"])) / 2
    edge = mid * Decimal(edge_bps) / Decimal(10_000)
    bid = (mid - edge).quantize(tick_size, rounding=ROUND_DOWN)
    ask = (mid + edge).quantize(tick_size, rounding=ROUND_DOWN) + tick_size
    qty = (Decimal(notional) / mid).quantize(step, rounding=ROUND_DOWN)
    ids = await asyncio.gather(client.place_limit(symbol, "Buy", qty, bid), client.place_limit(symbol, "Sell", qty, ask))
    log.info(f"quoted {qty} {symbol}: {float(bid):.2f} / {float(ask):.2f} -> {ids}")


async def main() -> None:
    import os

    client = AsyncBybitClient(
        ClientConfig(
            api_key=os.environ["BYBIT_API_KEY"],
            api_secret=os.environ["BYBIT_API_SECRET"],
            base_url=os.environ["BYBIT_REST_URL"],
            ca_bundle=os.getenv("CA_BUNDLE"),
        )
    )
    await client.start()
    try:
        await quote_both_sides(client, "ETHUSDT", notional="200", edge_bps=8)
    finally:
        await client.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
