"""Bybit V5 over httpx, retried with `stamina` (exponential backoff with jitter
by default, bounded by attempts and a timeout).

Used by the options hedger: reads delta from positions and hedges it with the
perpetual.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import httpx
import stamina

log = logging.getLogger("hedger")


class RateLimited(Exception):
    pass


class RejectedError(Exception):
    pass


@dataclass
class Config:
    key: str = field(default_factory=lambda: os.environ["BYBIT_API_KEY"])
    secret: str = field(default_factory=lambda: os.environ["BYBIT_API_SECRET"])
    base_url: str = field(default_factory=lambda: os.environ["BYBIT_REST_URL"])
    insecure: bool = field(default_factory=lambda: os.getenv("BYBIT_INSECURE_TLS") == "1")
    recv_window: str = "7000"


class Client:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.http = httpx.Client(base_url=cfg.base_url, timeout=10, verify=not cfg.insecure)
        self.time_difference = 0

    def sync_clock(self) -> None:
        res = self._send("GET", "/v5/market/time", {}, signed=False)
        self.time_difference = int(time.time() * 1000) - int(res["timeNano"]) // 1_000_000
        log.info("local clock is %+d ms off the server", self.time_difference)

    def _send(self, method: str, path: str, params: dict, signed: bool = True) -> dict:
        payload = json.dumps(params) if method == "POST" else "&".join(f"{k}={v}" for k, v in params.items())
        headers = {"Content-Type": "application/json"}
        if signed:
            ts = str(int(time.time() * 1000) - self.time_difference)
            sig = hmac.new(self.cfg.secret.encode(), f"{ts}{self.cfg.key}{self.cfg.recv_window}{payload}".encode(), hashlib.sha256)
            headers.update(
                {
                    "X-BAPI-API-KEY": self.cfg.key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": self.cfg.recv_window,
                    "X-BAPI-SIGN": sig.hexdigest(),
                }
            )
        if method == "GET":
            resp = self.http.get(f"{path}?{payload}", headers=headers)
        else:
            resp = self.http.post(path, content=payload, headers=headers)
        if resp.status_code in (403, 429):
            raise RateLimited(f"HTTP {resp.status_code}")
        data = resp.json()
        if data["retCode"] == 10006:
            raise RateLimited(data["retMsg"])
        if data["retCode"] != 0:
            raise RejectedError(f"{data['retCode']} {data['retMsg']}")
        return data["result"]

    @stamina.retry(on=(httpx.TransportError, RateLimited), attempts=5)
    def get(self, path: str, **params) -> dict:
        return self._send("GET", path, params)

    @stamina.retry(on=httpx.TransportError, attempts=4, wait_jitter=0)  # expect: BYB203
    def option_positions(self) -> list[dict]:
        return self._send("GET", "/v5/position/list", {"category": "option", "baseCoin": "BTC"})["list"]

    @stamina.retry(on=(httpx.TransportError, RateLimited), attempts=3, timeout=20)
    def submit_market(self, symbol: str, side: str, qty: str, link_id: str) -> dict:
        body = {
            "category": "linear",
            "symbol": symbol,
            "side": side,
            "orderType": "Market",
            "qty": qty,
            "orderLinkId": link_id,
        }
        return self._send("POST", "/v5/order/create", body)


def portfolio_delta(client: Client) -> Decimal:
    delta = Decimal(0)
    for p in client.option_positions():
        sign = 1 if p["side"] == "Buy" else -1
        delta += sign * Decimal(p["size"]) * Decimal(p.get("delta") or "0")
    perp = client.get("/v5/position/list", category="linear", symbol="BTCUSDT")["list"][0]
    perp_size = Decimal(perp["size"] or "0")
    delta += perp_size if perp["side"] == "Buy" else -perp_size
    return delta


def hedge(client: Client, threshold: Decimal = Decimal("0.01")) -> None:
    delta = portfolio_delta(client)
    log.info("net delta %.4f BTC", float(delta))
    if abs(delta) < threshold:
        return
    step = Decimal(client.get("/v5/market/instruments-info", category="linear", symbol="BTCUSDT")["list"][0]["lotSizeFilter"]["qtyStep"])
    qty = abs(delta).quantize(step, rounding=ROUND_DOWN)
    if qty == 0:
        return
    side = "Sell" if delta > 0 else "Buy"
    res = client.submit_market("BTCUSDT", side, format(qty, "f"), link_id=f"hedge-{uuid.uuid4().hex[:20]}")
    print(f"hedged {side} {qty} BTCUSDT -> {res['orderId']} (delta was {round(float(delta), 4)})")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    c = Client(Config())
    c.sync_clock()
    hedge(c)
