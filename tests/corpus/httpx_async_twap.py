"""TWAP executor: splits a parent order into equal market slices over time.

httpx.AsyncClient + hand-rolled signing. Reports progress to Telegram.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time

import httpx
import requests

log = logging.getLogger("twap")

BASE_URL = "https://api.bybit.com"  # expect: BYB301
TG_TOKEN = os.getenv("TG_TOKEN", "")
TG_CHAT = os.getenv("TG_CHAT_ID", "")


class TwapClient:
    def __init__(self, key: str, secret: str):
        self.key = key
        self.secret = secret
        self.client = httpx.AsyncClient(base_url=BASE_URL, timeout=10, verify=False)  # expect: BYB303

    def _sign(self, ts: str, payload: str) -> str:
        return hmac.new(self.secret.encode(), f"{ts}{self.key}5000{payload}".encode(), hashlib.sha256).hexdigest()

    async def _request(self, method: str, path: str, params: dict) -> dict:  # expect: BYB201
        while True:  # expect: BYB202, BYB204
            ts = str(round(time.time() * 1000))  # expect: BYB401
            if method == "GET":
                payload = "&".join(f"{k}={v}" for k, v in params.items())
                req = self.client.build_request("GET", f"{path}?{payload}")
            else:
                payload = json.dumps(params)
                req = self.client.build_request("POST", path, content=payload)
            req.headers.update(
                {
                    "X-BAPI-API-KEY": self.key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": "5000",
                    "X-BAPI-SIGN": self._sign(ts, payload),
                    "Content-Type": "application/json",
                }
            )
            try:
                resp = await self.client.send(req)
                data = resp.json()  # expect: BYB207
                return data["result"]
            except httpx.TransportError as exc:
                log.warning("%s %s: %s", method, path, exc)
                time.sleep(2)  # expect: BYB206

    async def mark_price(self, symbol: str) -> float:
        res = await self._request("GET", "/v5/market/tickers", {"category": "linear", "symbol": symbol})
        return float(res["list"][0]["markPrice"])

    async def market_slice(self, symbol: str, side: str, total_qty: float, slices: int) -> str:
        slice_qty = total_qty / slices
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": str(slice_qty),  # expect: BYB101
        }
        res = await self._request("POST", "/v5/order/create", body)  # expect: BYB205
        return res["orderId"]


async def telegram(text: str) -> None:
    if not TG_TOKEN:
        return
    requests.post(  # expect: BYB206
        f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage",
        json={"chat_id": TG_CHAT, "text": text},
        timeout=5,
    )


async def twap(client: TwapClient, symbol: str, side: str, total_qty: float, minutes: int, slices: int) -> None:
    interval = minutes * 60 / slices
    start_px = await client.mark_price(symbol)
    await telegram(f"TWAP {side} {total_qty} {symbol} over {minutes}m, start {start_px:.2f}")
    for i in range(slices):
        oid = await client.market_slice(symbol, side, total_qty, slices)
        px = await client.mark_price(symbol)
        drift_bps = (px - start_px) / start_px * 10_000
        log.info("slice %d/%d -> %s, mark %.2f (%+.1f bps)", i + 1, slices, oid, px, drift_bps)
        if i + 1 < slices:
            await asyncio.sleep(interval)
    await telegram(f"TWAP done, slippage vs start {round(drift_bps, 1)} bps")


async def main() -> None:
    client = TwapClient(os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"])
    try:
        await twap(
            client,
            os.getenv("SYMBOL", "BTCUSDT"),
            os.getenv("SIDE", "Buy"),
            float(os.getenv("TOTAL_QTY", "0.1")),
            int(os.getenv("MINUTES", "30")),
            int(os.getenv("SLICES", "10")),
        )
    finally:
        await client.client.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
