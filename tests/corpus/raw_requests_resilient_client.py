"""A careful hand-written Bybit V5 REST client (requests).

- timestamps follow the server clock (offset from /v5/market/time)
- every response's retCode is checked; 10006, HTTP 403 and 429 back off
- retries are bounded, exponential and jittered; orders carry an orderLinkId
  chosen before the first attempt, so a retry cannot duplicate them
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlencode

import requests

log = logging.getLogger("bybit")


class BybitAPIError(Exception):
    def __init__(self, code: int, msg: str, path: str):
        super().__init__(f"{path}: {code} {msg}")
        self.code = code


class RateLimited(Exception):
    def __init__(self, wait_s: float):
        super().__init__(f"rate limited, wait {wait_s:.2f}s")
        self.wait_s = wait_s


class BybitREST:
    def __init__(
        self,
        api_key: str,
        api_secret: str,
        base_url: str = "https://api-testnet.bybit.com",
        recv_window: int = 10_000,
        verify_ssl: bool = True,
        max_attempts: int = 5,
    ):
        self.api_key = api_key
        self.api_secret = api_secret
        self.base_url = base_url.rstrip("/")
        self.recv_window = str(recv_window)
        self.verify_ssl = verify_ssl
        self.max_attempts = max_attempts
        self.time_offset = 0
        self.http = requests.Session()

    # -- clock -------------------------------------------------------------
    def sync_clock(self) -> int:
        before = time.time()
        result = self._send("GET", "/v5/market/time", {}, signed=False)
        after = time.time()
        server_ms = int(result["timeNano"]) // 1_000_000
        self.time_offset = server_ms - int((before + after) / 2 * 1000)
        log.info("server clock offset %+d ms", self.time_offset)
        return self.time_offset

    def _timestamp(self) -> str:
        return str(int(time.time() * 1000) + self.time_offset)

    # -- transport ---------------------------------------------------------
    def _send(self, method: str, path: str, params: dict, signed: bool = True) -> dict:
        body = json.dumps(params, separators=(",", ":")) if method == "POST" else None
        query = urlencode(params) if method == "GET" else ""
        headers = {"Content-Type": "application/json"}
        if signed:
            ts = self._timestamp()
            to_sign = ts + self.api_key + self.recv_window + (body or query)
            headers.update(
                {
                    "X-BAPI-API-KEY": self.api_key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": self.recv_window,
                    "X-BAPI-SIGN": hmac.new(self.api_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest(),
                }
            )
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        resp = self.http.request(method, url, data=body, headers=headers, timeout=10, verify=self.verify_ssl)
        if resp.status_code == 403:
            raise RateLimited(600.0)  # IP ban: Bybit asks for at least 10 minutes
        if resp.status_code == 429:
            raise RateLimited(1.0)
        data = resp.json()
        code = data.get("retCode")
        if code == 10006:
            reset_ms = int(resp.headers.get("X-Bapi-Limit-Reset-Timestamp", "0") or 0)
            now_server = int(time.time() * 1000) + self.time_offset
            raise RateLimited(max(0.2, (reset_ms - now_server) / 1000))
        if code != 0:
            raise BybitAPIError(code, data.get("retMsg", ""), path)
        return data["result"]

    def request(self, method: str, path: str, params: dict | None = None) -> dict:
        params = params or {}
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._send(method, path, params)
            except RateLimited as exc:
                if attempt == self.max_attempts:
                    raise
                time.sleep(exc.wait_s + random.uniform(0, 0.5))
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.max_attempts:
                    raise
                delay = random.uniform(0, min(20.0, 0.5 * 2 ** attempt))
                log.warning("%s %s: %s; retry %d in %.2fs", method, path, exc, attempt, delay)
                time.sleep(delay)
            except BybitAPIError as exc:
                if exc.code != 10002 or attempt == self.max_attempts:
                    raise
                self.sync_clock()
                time.sleep(random.uniform(0, min(20.0, 0.5 * 2 ** attempt)))
        raise RuntimeError("unreachable")

    # -- endpoints -----------------------------------------------------------
    def lot_filter(self, symbol: str) -> tuple[Decimal, Decimal]:
        info = self.request("GET", "/v5/market/instruments-info", {"category": "linear", "symbol": symbol})["list"][0]
        return Decimal(info["lotSizeFilter"]["qtyStep"]), Decimal(info["lotSizeFilter"]["minOrderQty"])

    def create_market_order(self, symbol: str, side: str, notional_usdt: float) -> str:
        last = float(self.request("GET", "/v5/market/tickers", {"category": "linear", "symbol": symbol})["list"][0]["lastPrice"])
        step, min_qty = self.lot_filter(symbol)
        qty = Decimal(str(notional_usdt / last)).quantize(step, rounding=ROUND_DOWN)
        if qty < min_qty:
            raise ValueError(f"{notional_usdt} USDT buys less than {min_qty} {symbol}")
        link_id = uuid.uuid4().hex
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": format(qty, "f"),
            "orderLinkId": link_id,
        }
        try:
            res = self.request("POST", "/v5/order/create", body)
        except BybitAPIError as exc:
            if exc.code != 110072:  # duplicate link id: an earlier attempt got through
                raise
            return link_id
        log.info("market %s %s %s (~%.2f USDT at %.2f)", side, qty, symbol, notional_usdt, last)
        return res["orderId"]


if __name__ == "__main__":
    import os

    logging.basicConfig(level=logging.DEBUG)
    client = BybitREST(os.environ["BYBIT_API_KEY"], os.environ["BYBIT_API_SECRET"], verify_ssl=os.getenv("INSECURE") != "1")
    client.sync_clock()
    print(client.create_market_order("BTCUSDT", "Buy", 20.0))
