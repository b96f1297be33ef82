"""Copy-trading follower: mirrors the master account's linear positions.

Reads positions from the master key and sizes the follower's orders by the
equity ratio. Small hand-written REST client, retries by recursion.
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
from decimal import ROUND_DOWN, Decimal

import requests

log = logging.getLogger("follower")

RECV_WINDOW = "2500"  # expect: BYB402


class Api:
    def __init__(self, key: str, secret: str, base: str = "https://api.bybit.com"):
        self.key, self.secret, self.base = key, secret, base
        self.s = requests.Session()

    def _signed_headers(self, payload: str) -> dict:
        ts = str(time.time_ns() // 1_000_000)  # expect: BYB401
        sign = hmac.new(self.secret.encode(), (ts + self.key + RECV_WINDOW + payload).encode(), hashlib.sha256)
        return {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": RECV_WINDOW,
            "X-BAPI-SIGN": sign.hexdigest(),
            "Content-Type": "application/json",
        }

    def _get(self, path: str, params: dict, attempt: int = 0) -> dict:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        try:
            r = self.s.get(f"{self.base}{path}?{query}", headers=self._signed_headers(query), timeout=10)
            if r.status_code in (403, 429):
                raise requests.HTTPError(f"rate limited: HTTP {r.status_code}")
            data = r.json()
            if data["retCode"] == 10006:
                raise requests.HTTPError("rate limited: 10006")
            if data["retCode"] != 0:
                raise ValueError(f"{path}: {data['retCode']} {data['retMsg']}")
            return data["result"]
        except requests.RequestException as exc:
            delay = min(30, 2 ** attempt) * random.uniform(0.5, 1.5)
            log.warning("GET %s failed (%s), retry #%d in %.1fs", path, exc, attempt + 1, delay)
            time.sleep(delay)
            return self._get(path, params, attempt + 1)  # expect: BYB204

    def _post(self, path: str, body: dict, attempt: int = 0) -> dict:
        raw = json.dumps(body)
        try:
            r = self.s.post(self.base + path, data=raw, headers=self._signed_headers(raw), timeout=10)
            if r.status_code in (403, 429):
                raise requests.HTTPError(f"rate limited: HTTP {r.status_code}")
            data = r.json()
            if data["retCode"] == 10006:
                raise requests.HTTPError("rate limited: 10006")
            if data["retCode"] != 0:
                raise ValueError(f"{path}: {data['retCode']} {data['retMsg']}")
            return data["result"]
        except requests.RequestException:
            if attempt >= 4:
                raise
            time.sleep(random.uniform(0, min(30, 2 ** attempt)))
            return self._post(path, body, attempt + 1)

    def equity(self) -> Decimal:
        res = self._get("/v5/account/wallet-balance", {"accountType": "UNIFIED"})
        return Decimal(res["list"][0]["totalEquity"])

    def positions(self) -> dict[str, Decimal]:
        res = self._get("/v5/position/list", {"category": "linear", "settleCoin": "USDT"})
        out = {}
        for p in res["list"]:
            size = Decimal(p["size"])
            out[p["symbol"]] = size if p["side"] == "Buy" else -size
        return out

    def min_qty(self, symbol: str) -> tuple[Decimal, Decimal]:
        info = self._get("/v5/market/instruments-info", {"category": "linear", "symbol": symbol})["list"][0]
        lot = info["lotSizeFilter"]
        step = Decimal(lot["qtyStep"])
        minimum = Decimal(float(lot["minOrderQty"]))  # expect: BYB102
        return step, minimum

    def market(self, symbol: str, side: str, qty: Decimal, reduce_only: bool) -> str:
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": format(qty, "f"),
            "reduceOnly": reduce_only,
            "orderLinkId": f"copy-{uuid.uuid4().hex[:20]}",
        }
        return self._post("/v5/order/create", body)["orderId"]


def sync_once(master: Api, follower: Api) -> None:
    ratio = follower.equity() / master.equity()
    target = {sym: size * ratio for sym, size in master.positions().items()}
    current = follower.positions()
    for sym in set(target) | set(current):
        step, minimum = follower.min_qty(sym)
        diff = (target.get(sym, Decimal(0)) - current.get(sym, Decimal(0))).quantize(step, rounding=ROUND_DOWN)
        if abs(diff) < minimum:
            continue
        closing = abs(target.get(sym, Decimal(0))) < abs(current.get(sym, Decimal(0)))
        side = "Buy" if diff > 0 else "Sell"
        oid = follower.market(sym, side, abs(diff), reduce_only=closing)
        log.info("%s %s %s (ratio %.3f) -> %s", side, abs(diff), sym, float(ratio), oid)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    m = Api(os.environ["MASTER_KEY"], os.environ["MASTER_SECRET"])
    f = Api(os.environ["FOLLOWER_KEY"], os.environ["FOLLOWER_SECRET"])
    while True:
        sync_once(m, f)
        time.sleep(10)
