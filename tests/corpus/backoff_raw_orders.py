"""Signed V5 REST session with server-time sync, retried with `backoff`.

Used by the DCA ladder: it reads instrument filters once, then places a ladder
of limit buys under the market.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlencode

import backoff
import requests

log = logging.getLogger("ladder")


class RateLimited(Exception):
    pass


class BybitError(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(f"{code}: {msg}")
        self.code = code


class SignedSession:
    def __init__(self, key: str, secret: str, base_url: str, verify_ssl: bool = True):
        self.key = key
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.verify_ssl = verify_ssl
        self.http = requests.Session()
        self.time_offset = 0

    def sync_time(self) -> None:
        t0 = int(time.time() * 1000)
        server = int(self._get("/v5/market/time", {}, signed=False)["timeNano"]) // 1_000_000
        t1 = int(time.time() * 1000)
        self.time_offset = server - (t0 + t1) // 2
        log.info("clock offset vs Bybit: %+d ms", self.time_offset)

    def _headers(self, payload: str) -> dict:
        ts = str(int(time.time() * 1000) + self.time_offset)
        sig = hmac.new(self.secret.encode(), f"{ts}{self.key}10000{payload}".encode(), hashlib.sha256)
        return {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": "10000",
            "X-BAPI-SIGN": sig.hexdigest(),
        }

    @backoff.on_exception(backoff.expo, (requests.RequestException, RateLimited), max_tries=6, jitter=None)  # expect: BYB203
    def _get(self, path: str, params: dict, signed: bool = True) -> dict:
        query = urlencode(params)
        headers = self._headers(query) if signed else {}
        resp = self.http.get(
            f"{self.base_url}{path}", params=params, headers=headers, timeout=10, verify=self.verify_ssl
        )
        if resp.status_code in (403, 429):
            raise RateLimited(f"HTTP {resp.status_code}")
        data = resp.json()
        if data["retCode"] == 10006:
            raise RateLimited(data["retMsg"])
        if data["retCode"] != 0:
            raise BybitError(data["retCode"], data["retMsg"])
        return data["result"]

    @backoff.on_exception(backoff.constant, requests.RequestException, interval=1, max_tries=5)  # expect: BYB202
    def _post(self, path: str, body: dict) -> dict:  # expect: BYB201
        raw = json.dumps(body)
        resp = self.http.post(
            f"{self.base_url}{path}",
            data=raw,
            headers={**self._headers(raw), "Content-Type": "application/json"},
            timeout=10,
            verify=self.verify_ssl,
        )
        data = resp.json()  # expect: BYB207
        log.debug("POST %s -> %s", path, data.get("retMsg"))
        return data["result"]


def ladder(s: SignedSession, symbol: str, budget_usdt: str, rungs: int = 5, gap_pct: str = "0.01") -> list[str]:
    info = s._get("/v5/market/instruments-info", {"category": "spot", "symbol": symbol})["list"][0]
    qty_step = Decimal(info["lotSizeFilter"]["basePrecision"])
    tick = Decimal(info["priceFilter"]["tickSize"])
    last = Decimal(s._get("/v5/market/tickers", {"category": "spot", "symbol": symbol})["list"][0]["lastPrice"])

    per_rung = Decimal(budget_usdt) / rungs
    ids = []
    for i in range(1, rungs + 1):
        px = (last * (1 - Decimal(gap_pct) * i)).quantize(tick, rounding=ROUND_DOWN)
        qty = Decimal(str(per_rung / px)).quantize(qty_step, rounding=ROUND_DOWN)
        body = {
            "category": "spot",
            "symbol": symbol,
            "side": "Buy",
            "orderType": "Limit",
            "qty": str(qty),
            "price": str(px),
        }
        res = s._post("/v5/order/create", body)  # expect: BYB205
        ids.append(res["orderId"])
        log.info("rung %d: %s @ %s (~%.2f USDT)", i, qty, px, float(qty * px))
    return ids


if __name__ == "__main__":
    import os

    logging.basicConfig(level=logging.INFO)
    sess = SignedSession(
        os.environ["BYBIT_KEY"],
        os.environ["BYBIT_SECRET"],
        os.environ.get("BYBIT_REST_URL", "https://api-testnet.bybit.com"),
        verify_ssl=os.environ.get("BYBIT_INSECURE") != "1",
    )
    sess.sync_time()
    print(ladder(sess, "BTCUSDT", budget_usdt="250"))
