"""Stop-loss guardian: makes sure every open linear position has a stop.

Runs from cron every minute. Positions without a stop get one at
``MAX_LOSS_PCT`` from the entry; positions beyond ``KILL_PCT`` are closed.
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
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import requests

log = logging.getLogger("guardian")

MAX_LOSS_PCT = Decimal("0.03")
KILL_PCT = Decimal("0.08")


class Guardian:
    def __init__(self, key: str, secret: str, base_url: str = "https://api.bybit.com"):
        self.key = key
        self.secret = secret
        self.base_url = base_url

    def _call(self, method: str, path: str, params: dict) -> dict:
        ts = str(int(datetime.now().timestamp() * 1000))  # expect: BYB401
        recv_window = "1000"  # expect: BYB402
        if method == "GET":
            payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        else:
            payload = json.dumps(params, separators=(",", ":"))
        sig = hmac.new(self.secret.encode(), (ts + self.key + recv_window + payload).encode(), hashlib.sha256)
        headers = {
            "X-BAPI-API-KEY": self.key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": recv_window,
            "X-BAPI-SIGN": sig.hexdigest(),
            "Content-Type": "application/json",
        }
        url = self.base_url + path
        if method == "GET":
            resp = requests.get(f"{url}?{payload}", headers=headers, timeout=10, verify=False)  # expect: BYB303
        else:
            resp = requests.post(url, data=payload, headers=headers, timeout=10, verify=False)  # expect: BYB303
        if resp.status_code == 429 or resp.status_code == 403:
            raise RuntimeError(f"rate limited by HTTP {resp.status_code}")
        data = resp.json()
        if data.get("retCode") == 10006:
            raise RuntimeError("rate limited (10006)")
        if data.get("retCode") != 0:
            raise ValueError(f"{path} -> {data.get('retCode')}: {data.get('retMsg')}")
        return data["result"]

    def tick_size(self, symbol: str) -> Decimal:
        info = self._call("GET", "/v5/market/instruments-info", {"category": "linear", "symbol": symbol})
        return Decimal(info["list"][0]["priceFilter"]["tickSize"])

    def positions(self) -> list[dict]:
        res = self._call("GET", "/v5/position/list", {"category": "linear", "settleCoin": "USDT"})
        return [p for p in res["list"] if Decimal(p["size"]) > 0]

    def set_stop(self, p: dict) -> None:
        entry = Decimal(p["avgPrice"])
        tick = self.tick_size(p["symbol"])
        if p["side"] == "Buy":
            stop = (entry * (1 - MAX_LOSS_PCT)).quantize(tick, rounding=ROUND_UP)
        else:
            stop = (entry * (1 + MAX_LOSS_PCT)).quantize(tick, rounding=ROUND_DOWN)
        self._call(
            "POST",
            "/v5/position/trading-stop",
            {
                "category": "linear",
                "symbol": p["symbol"],
                "stopLoss": str(stop),
                "slTriggerBy": "MarkPrice",
                "tpslMode": "Full",
                "positionIdx": p["positionIdx"],
            },
        )
        log.warning("%s had no stop: set %s (entry %s)", p["symbol"], stop, entry)

    def kill(self, p: dict) -> None:
        body = {
            "category": "linear",
            "symbol": p["symbol"],
            "side": "Sell" if p["side"] == "Buy" else "Buy",
            "orderType": "Market",
            "qty": p["size"],
            "reduceOnly": True,
            "positionIdx": p["positionIdx"],
            "orderLinkId": f"kill-{uuid.uuid4().hex[:24]}",
        }
        for attempt in range(4):  # expect: BYB203
            try:
                res = self._call("POST", "/v5/order/create", body)
                log.error("killed %s %s: %s", p["symbol"], p["size"], res["orderId"])
                return
            except (requests.RequestException, RuntimeError) as exc:
                log.warning("kill attempt %d for %s failed: %s", attempt + 1, p["symbol"], exc)
                time.sleep(2 ** attempt)
        raise RuntimeError(f"could not close {p['symbol']}")


def run_once(g: Guardian) -> None:
    for p in g.positions():
        mark, entry = Decimal(p["markPrice"]), Decimal(p["avgPrice"])
        loss = (entry - mark) / entry if p["side"] == "Buy" else (mark - entry) / entry
        log.info("%s %s size=%s loss=%.2f%%", p["symbol"], p["side"], p["size"], float(loss * 100))
        if loss >= KILL_PCT:
            g.kill(p)
        elif not p.get("stopLoss") or Decimal(p["stopLoss"]) == 0:
            g.set_stop(p)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    time.sleep(random.uniform(0, 5))  # spread cron starts
    run_once(Guardian(os.environ["BYBIT_KEY"], os.environ["BYBIT_SECRET"]))
