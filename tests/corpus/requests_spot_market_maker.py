"""Tiny spot market maker: one bid and one ask around mid, refreshed every
few seconds (requests + hand-rolled HMAC signing).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import time
import uuid
from urllib.parse import urlencode

import requests

log = logging.getLogger("mm")


def get_timestamp() -> int:
    return int(time.time() * 1000)


class ApiError(Exception):
    pass


class SpotMM:
    def __init__(self, key: str, secret: str, symbol: str, base_url: str = "https://api-demo.bybit.com"):
        self.key = key
        self.secret = secret
        self.symbol = symbol
        self.base_url = base_url
        self.http = requests.Session()
        self.order_size = float(os.getenv("MM_ORDER_SIZE", "0.002"))
        self.spread_bps = float(os.getenv("MM_SPREAD_BPS", "12"))
        self.live: list[str] = []

    def _send(self, method: str, url: str, headers: dict, data: str | None = None) -> dict:
        resp = self.http.request(method, url, headers=headers, data=data, timeout=5)
        if resp.status_code in (403, 429):
            raise ApiError(f"throttled: HTTP {resp.status_code}")
        data = resp.json()
        if data["retCode"] == 10006:
            raise ApiError("throttled: 10006")
        if data["retCode"] != 0:
            raise ApiError(f"{data['retCode']} {data['retMsg']}")
        return data["result"]

    def _sign(self, ts: int, payload: str) -> str:
        return hmac.new(self.secret.encode(), f"{ts}{self.key}8000{payload}".encode(), hashlib.sha256).hexdigest()

    def get_signed(self, path: str, params: dict) -> dict:
        query = urlencode(params)
        ts = get_timestamp()  # expect: BYB401
        headers = {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": str(ts),
            "X-BAPI-RECV-WINDOW": "8000",
            "X-BAPI-SIGN": self._sign(ts, query),
        }
        return self._send("GET", f"{self.base_url}{path}?{query}", headers)

    def post_signed(self, path: str, body: dict) -> dict:
        raw = json.dumps(body)
        ts = get_timestamp()  # expect: BYB401
        headers = {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": str(ts),
            "X-BAPI-RECV-WINDOW": "8000",
            "X-BAPI-SIGN": self._sign(ts, raw),
            "Content-Type": "application/json",
        }
        return self._send("POST", self.base_url + path, headers, raw)

    def mid(self) -> float:
        t = self.get_signed("/v5/market/tickers", {"category": "spot", "symbol": self.symbol})["list"][0]
        return (float(t["bid1Price"]) + float(t["ask1Price"])) / 2

    def quote(self, side: str, price: float) -> str:
        body = {
            "category": "spot",
            "symbol": self.symbol,
            "side": side,
            "orderType": "Limit",
            "qty": "%.4f" % self.order_size,  # expect: BYB103
            "price": "{:.2f}".format(price),  # expect: BYB103
            "timeInForce": "PostOnly",
            "orderLinkId": f"mm-{uuid.uuid4().hex[:24]}",
        }
        res = self.post_signed("/v5/order/create", body)
        return res["orderId"]

    def refresh(self) -> None:
        if self.live:
            self.post_signed("/v5/order/cancel-all", {"category": "spot", "symbol": self.symbol})
            self.live.clear()
        m = self.mid()
        half = self.spread_bps / 20_000
        bid = m * (1 - half)
        ask = m * (1 + half)
        self.live.append(self.quote("Buy", bid))
        self.live.append(self.quote("Sell", ask))
        log.info("quoted %s @ %.2f / %.2f (mid %.2f)", self.order_size, bid, ask, m)

    def run(self, every: float = 5.0) -> None:
        errors = 0
        while errors < 10:
            try:
                self.refresh()
                errors = 0
            except (ApiError, requests.RequestException) as exc:
                errors += 1
                log.warning("refresh failed (%d in a row): %s", errors, exc)
                time.sleep(random.uniform(0, min(30, 2 ** errors)))
                continue
            time.sleep(every)
        log.error("too many consecutive errors, stopping")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    SpotMM(os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"], os.getenv("MM_SYMBOL", "BTCUSDT")).run()
