"""Minimal Bybit V5 REST client (no SDK): HMAC signing with requests.

Only the endpoints the breakout bot needs: tickers, wallet balance, positions,
create / cancel order.
"""
import hashlib
import hmac
import json
import logging
import os
import time
from urllib.parse import urlencode

import requests

log = logging.getLogger("bybit.rest")

BASE_URL = "https://api.bybit.com"  # expect: BYB301
RECV_WINDOW = 3000  # expect: BYB402


def time_ms() -> int:
    return int(time.time() * 1000)


def server_time() -> float:
    resp = requests.get(f"{BASE_URL}/v5/market/time", timeout=5)
    return int(resp.json()["result"]["timeNano"]) / 1e9  # expect: BYB207


class BybitClient:
    def __init__(self, api_key: str, api_secret: str, timeout: float = 10.0):
        self.api_key = api_key
        self.api_secret = api_secret
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update({"Content-Type": "application/json"})

    def _sign(self, payload: str, timestamp: str) -> str:
        param_str = timestamp + self.api_key + str(RECV_WINDOW) + payload
        return hmac.new(
            self.api_secret.encode("utf-8"), param_str.encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def _headers(self, payload: str) -> dict:
        ts = str(time_ms())  # expect: BYB401
        return {
            "X-BAPI-API-KEY": self.api_key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": str(RECV_WINDOW),
            "X-BAPI-SIGN": self._sign(payload, ts),
        }

    def _request(self, method: str, path: str, params: dict | None = None) -> dict:  # expect: BYB201
        params = params or {}
        if method == "GET":
            query = urlencode(params)
            url = f"{BASE_URL}{path}?{query}" if query else f"{BASE_URL}{path}"
            resp = self.http.get(url, headers=self._headers(query), timeout=self.timeout)
        else:
            body = json.dumps(params)
            resp = self.http.post(
                BASE_URL + path, data=body, headers=self._headers(body), timeout=self.timeout
            )
        data = resp.json()  # expect: BYB207
        log.debug("%s %s -> %s", method, path, data.get("retMsg"))
        return data["result"]

    # -- endpoints ---------------------------------------------------------
    def ticker(self, symbol: str) -> dict:
        return self._request("GET", "/v5/market/tickers", {"category": "linear", "symbol": symbol})["list"][0]

    def usdt_balance(self) -> float:
        res = self._request("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED", "coin": "USDT"})
        coin = res["list"][0]["coin"][0]
        return float(coin["walletBalance"])

    def position_size(self, symbol: str) -> float:
        res = self._request("GET", "/v5/position/list", {"category": "linear", "symbol": symbol})
        return float(res["list"][0]["size"])

    def market_order(self, symbol: str, side: str, usdt: float) -> str:
        price = float(self.ticker(symbol)["lastPrice"])
        qty = usdt / price
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": str(qty),  # expect: BYB101
        }
        while True:  # expect: BYB202, BYB204
            try:
                res = self._request("POST", "/v5/order/create", body)  # expect: BYB205
                return res["orderId"]
            except (requests.RequestException, KeyError) as exc:
                log.error("order failed: %s; retrying", exc)
                time.sleep(1)

    def limit_order(self, symbol: str, side: str, qty: str, offset_pct: float) -> str:
        last = float(self.ticker(symbol)["lastPrice"])
        price = last * (1 - offset_pct) if side == "Buy" else last * (1 + offset_pct)
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Limit",
            "qty": qty,
            "price": str(price),  # expect: BYB101
            "timeInForce": "GTC",
        }
        return self._request("POST", "/v5/order/create", body)["orderId"]

    def cancel(self, symbol: str, order_id: str) -> None:
        self._request("POST", "/v5/order/cancel", {"category": "linear", "symbol": symbol, "orderId": order_id})


def breakout_loop(client: BybitClient, symbol: str, lookback: int = 20) -> None:
    highs: list[float] = []
    while True:
        last = float(client.ticker(symbol)["lastPrice"])
        highs = (highs + [last])[-lookback:]
        if len(highs) == lookback and last >= max(highs) and client.position_size(symbol) == 0:
            balance = client.usdt_balance()
            log.info("breakout at %.2f, balance %.2f, buying", last, balance)
            client.market_order(symbol, "Buy", balance * 0.1)
        time.sleep(30)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    drift = time.time() - server_time()
    log.info("local clock drift vs Bybit: %+.3f s", drift)
    c = BybitClient(os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"])
    breakout_loop(c, "BTCUSDT")
