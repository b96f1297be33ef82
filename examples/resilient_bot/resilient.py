"""A Bybit bot written to survive Bybit's bad days.

What makes it resilient, each the answer to a `bybit-lint` rule and a pytest-bybit fault:
- quantities are Decimals quantized to the instrument's qtyStep from instruments-info and
  sent as strings (BYB101, BYB103; fault params_error);
- it signs with the exchange's clock (an offset synced from /v5/market/time), and resyncs
  on 10002 (BYB401; scenarios clock_ahead_2s, clock_behind_7s);
- it waits until X-Bapi-Limit-Reset-Timestamp on 10006, and otherwise backs off
  exponentially with jitter, with a cap on attempts (BYB202, BYB203, BYB204);
- every order carries an orderLinkId, so after a timeout it looks the order up instead of
  placing it twice (BYB205; scenario lost_response);
- the environment is a parameter, never a literal at the call site (BYB301).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import uuid
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlencode

import requests

HOSTS = {"mainnet": "https://api.bybit.com", "testnet": "https://api-testnet.bybit.com"}
TRANSIENT = (requests.exceptions.Timeout, requests.exceptions.ConnectionError)


class BybitError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class ResilientBot:
    def __init__(self, api_key: str, api_secret: str, env: str, max_attempts: int = 6, recv_window: int = 5000) -> None:
        self.base_url = HOSTS[env]
        self.api_key = api_key
        self.api_secret = api_secret
        self.max_attempts = max_attempts
        self.recv_window = str(recv_window)
        self.session = requests.Session()
        self.time_offset_ms = 0
        self._synced = False
        self._filters: dict[tuple[str, str], dict] = {}

    # -- clock ---------------------------------------------------------------------
    def sync_time(self) -> None:
        """Offset between Bybit's clock and ours, measured at the request's midpoint."""
        before = time.time() * 1000
        data = self._send("GET", "/v5/market/time", {}, signed=False)
        after = time.time() * 1000
        server_ms = int(data["timeNano"]) // 1_000_000
        self.time_offset_ms = int(server_ms - (before + after) / 2)
        self._synced = True

    def _timestamp(self) -> str:
        return str(int(time.time() * 1000) + self.time_offset_ms)

    # -- transport -----------------------------------------------------------------
    def _send(self, method: str, path: str, params: dict, signed: bool = True) -> dict:
        if signed and not self._synced:
            self.sync_time()
        headers = {"Content-Type": "application/json"}
        if method == "GET":
            payload = urlencode(params)
            url = f"{self.base_url}{path}" + (f"?{payload}" if payload else "")
            body = None
        else:
            payload = json.dumps(params, separators=(",", ":"))
            url = f"{self.base_url}{path}"
            body = payload
        if signed:
            ts = self._timestamp()
            sign = hmac.new(
                self.api_secret.encode(), f"{ts}{self.api_key}{self.recv_window}{payload}".encode(), hashlib.sha256
            ).hexdigest()
            headers.update(
                {
                    "X-BAPI-API-KEY": self.api_key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": self.recv_window,
                    "X-BAPI-SIGN": sign,
                }
            )
        response = self.session.request(method, url, data=body, headers=headers, timeout=10)
        if response.status_code in (403, 429) or response.status_code >= 500:
            raise requests.exceptions.ConnectionError(f"HTTP {response.status_code} from {path}")
        data = response.json()
        if data["retCode"] == 10006:
            reset = response.headers.get("X-Bapi-Limit-Reset-Timestamp")
            raise RateLimited(int(reset) if reset else None)
        if data["retCode"] != 0:
            raise BybitError(data["retCode"], data["retMsg"])
        return data["result"]

    def _backoff(self, attempt: int) -> float:
        return min(10.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)

    def request(self, method: str, path: str, params: dict, signed: bool = True) -> dict:
        """Send with retries on transient trouble; at most ``max_attempts`` tries."""
        for attempt in range(self.max_attempts):
            try:
                return self._send(method, path, params, signed)
            except RateLimited as limited:
                now = int(time.time() * 1000) + self.time_offset_ms
                # no reset header: the limit is a rolling second, so never retry sooner
                wait = (limited.reset_ms - now) / 1000 if limited.reset_ms else max(1.0, self._backoff(attempt))
                time.sleep(max(wait, 0) + random.uniform(0.05, 0.2))
            except BybitError as exc:
                if exc.code != 10002:
                    raise
                self.sync_time()
            except TRANSIENT:
                time.sleep(self._backoff(attempt))
        raise BybitError(-1, f"{method} {path}: gave up after {self.max_attempts} attempts")

    # -- trading -------------------------------------------------------------------
    def lot_size(self, category: str, symbol: str) -> dict:
        if (category, symbol) not in self._filters:
            result = self.request("GET", "/v5/market/instruments-info", {"category": category, "symbol": symbol}, signed=False)
            self._filters[(category, symbol)] = result["list"][0]["lotSizeFilter"]
        return self._filters[(category, symbol)]

    def quantity(self, category: str, symbol: str, usdt: Decimal, price: Decimal) -> str:
        step = Decimal(self.lot_size(category, symbol)["qtyStep"])
        qty = (usdt / price).quantize(step, rounding=ROUND_DOWN)
        return format(qty, "f")

    def find_order(self, category: str, symbol: str, link_id: str) -> dict | None:
        result = self.request("GET", "/v5/order/realtime", {"category": category, "symbol": symbol, "orderLinkId": link_id})
        return result["list"][0] if result["list"] else None

    def buy(self, symbol: str, usdt: str, price: str, category: str = "linear") -> dict:
        qty = self.quantity(category, symbol, Decimal(usdt), Decimal(price))
        link_id = f"rb-{uuid.uuid4().hex[:20]}"
        order = {"category": category, "symbol": symbol, "side": "Buy", "orderType": "Market", "qty": qty, "orderLinkId": link_id}
        for attempt in range(self.max_attempts):
            try:
                return self.request("POST", "/v5/order/create", order)
            except BybitError as exc:
                if exc.code != 110072:  # duplicate orderLinkId: our earlier try went through
                    raise
            except requests.exceptions.RequestException:
                pass
            placed = self.find_order(category, symbol, link_id)
            if placed is not None:
                return {"orderId": placed["orderId"], "orderLinkId": link_id}
            time.sleep(self._backoff(attempt))
        raise BybitError(-1, f"order {link_id}: gave up after {self.max_attempts} attempts")


class RateLimited(Exception):
    def __init__(self, reset_ms: int | None) -> None:
        super().__init__(f"rate limited until {reset_ms}")
        self.reset_ms = reset_ms
