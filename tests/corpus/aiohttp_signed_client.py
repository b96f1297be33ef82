"""Async Bybit V5 client on aiohttp, used by the funding-rate harvester.

The harvester opens a delta-neutral spot/perp pair a few minutes before funding
and unwinds it after.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from urllib.parse import urlencode

import aiohttp

log = logging.getLogger("harvester")

LOT_SIZE = {"BTCUSDT": "0.001", "ETHUSDT": "0.01", "SOLUSDT": "0.1"}  # expect: BYB104


class AsyncBybit:
    def __init__(self, key: str, secret: str, base_url: str = "https://api-testnet.bybit.com"):
        self.key = key
        self.secret = secret
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "AsyncBybit":
        # corporate proxy re-signs TLS, so skip verification
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=False),  # expect: BYB303
            timeout=aiohttp.ClientTimeout(total=10),
        )
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._session is not None
        await self._session.close()

    def _auth_headers(self, payload: str) -> dict[str, str]:
        ts = str(int(time.time() * 1000))  # expect: BYB401
        recv = "5000"
        sign = hmac.new(self.secret.encode(), (ts + self.key + recv + payload).encode(), hashlib.sha256)
        return {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": recv,
            "X-BAPI-SIGN": sign.hexdigest(),
            "Content-Type": "application/json",
        }

    async def _request(self, method: str, path: str, params: dict) -> dict:  # expect: BYB201
        assert self._session is not None
        for attempt in range(3):  # expect: BYB202
            if method == "GET":
                query = urlencode(params)
                url, body, to_sign = f"{self.base_url}{path}?{query}", None, query
            else:
                body = json.dumps(params)
                url, to_sign = self.base_url + path, body
            try:
                async with self._session.request(
                    method, url, data=body, headers=self._auth_headers(to_sign)
                ) as resp:
                    data = await resp.json()  # expect: BYB207
                return data["result"]
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("%s %s failed (attempt %d): %s", method, path, attempt + 1, exc)
        raise ConnectionError(f"{method} {path} failed 3 times")

    async def funding(self, symbol: str) -> tuple[float, int]:
        res = await self._request("GET", "/v5/market/tickers", {"category": "linear", "symbol": symbol})
        row = res["list"][0]
        return float(row["fundingRate"]), int(row["nextFundingTime"])

    async def place_order(self, category: str, symbol: str, side: str, qty: str) -> str:
        payload = {
            "category": category,
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": qty,
        }
        if category == "spot":
            payload["marketUnit"] = "baseCoin"
        res = await self._request("POST", "/v5/order/create", payload)  # expect: BYB205
        return res["orderId"]


async def harvest(client: AsyncBybit, symbol: str, qty: str, min_rate: float = 0.0003) -> None:
    rate, next_ms = await client.funding(symbol)
    minutes_left = (next_ms / 1000 - time.time()) / 60
    log.info(f"{symbol} funding {rate * 100:.4f}% in {minutes_left:.1f} min")
    if rate < min_rate or minutes_left > 5:
        return

    # short the perp (we receive funding), buy the same qty spot
    await client.place_order("linear", symbol, "Sell", qty)
    time.sleep(0.2)  # expect: BYB206
    await client.place_order("spot", symbol, "Buy", qty)
    log.info("hedge opened, waiting for funding")

    await asyncio.sleep(max(0.0, next_ms / 1000 - time.time()) + 30)
    await client.place_order("linear", symbol, "Buy", qty)
    await client.place_order("spot", symbol, "Sell", qty)
    log.info("hedge closed")


async def main() -> None:
    symbols = os.getenv("HARVEST_SYMBOLS", "BTCUSDT,ETHUSDT").split(",")
    async with AsyncBybit(os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"]) as client:
        while True:
            for sym in symbols:
                await harvest(client, sym, qty=os.getenv(f"QTY_{sym}", LOT_SIZE.get(sym, "0.001")))
            await asyncio.sleep(60)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
