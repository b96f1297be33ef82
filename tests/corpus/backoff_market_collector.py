"""Collect funding-rate history and open interest into SQLite (public V5 data).

Retries use `backoff.expo`, whose default jitter is full_jitter, and stop
after a few tries. Rate limits (retCode 10006, HTTP 403/429) are surfaced as
their own exception so they back off too.
"""
from __future__ import annotations

import logging
import sqlite3
import time

import backoff
import requests

log = logging.getLogger("collector")


class RateLimitError(Exception):
    pass


class ApiError(Exception):
    pass


class Collector:
    def __init__(self, db_path: str = "market.db", base_url: str = "https://api.bytick.com", timeout: float = 10.0):
        self.db_path = db_path
        self.base_url = base_url
        self.timeout = timeout
        self.http = requests.Session()
        self.db = sqlite3.connect(self.db_path)
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS funding (symbol TEXT, ts INTEGER, rate REAL, PRIMARY KEY (symbol, ts));
            CREATE TABLE IF NOT EXISTS oi (symbol TEXT, ts INTEGER, oi REAL, PRIMARY KEY (symbol, ts));
            """
        )

    @backoff.on_exception(backoff.expo, (requests.RequestException, RateLimitError), max_tries=6, max_value=60)
    def get(self, path: str, **params) -> dict:
        resp = self.http.get(self.base_url + path, params=params, timeout=self.timeout)
        if resp.status_code in (403, 429):
            raise RateLimitError(f"HTTP {resp.status_code} on {path}")
        payload = resp.json()
        if payload["retCode"] == 10006:
            raise RateLimitError(payload["retMsg"])
        if payload["retCode"] != 0:
            raise ApiError(f"{path}: {payload['retCode']} {payload['retMsg']}")
        return payload["result"]

    def funding(self, symbol: str, end_ms: int | None = None) -> int:
        params = {"category": "linear", "symbol": symbol, "limit": 200}
        if end_ms:
            params["endTime"] = end_ms
        rows = self.get("/v5/market/funding/history", **params)["list"]
        self.db.executemany(
            "INSERT OR IGNORE INTO funding VALUES (?, ?, ?)",
            [(symbol, int(r["fundingRateTimestamp"]), float(r["fundingRate"])) for r in rows],
        )
        self.db.commit()
        return min((int(r["fundingRateTimestamp"]) for r in rows), default=0)

    def open_interest(self, symbol: str) -> None:
        res = self.get("/v5/market/open-interest", category="linear", symbol=symbol, intervalTime="1h", limit=200)
        self.db.executemany(
            "INSERT OR IGNORE INTO oi VALUES (?, ?, ?)",
            [(symbol, int(r["timestamp"]), float(r["openInterest"])) for r in res["list"]],
        )
        self.db.commit()

    def backfill_funding(self, symbol: str, pages: int = 10) -> None:
        end = None
        for _ in range(pages):
            oldest = self.funding(symbol, end)
            if not oldest:
                break
            end = oldest - 1
            time.sleep(0.2)

    def summary(self, symbol: str) -> None:
        cur = self.db.execute("SELECT AVG(rate), MIN(rate), MAX(rate), COUNT(*) FROM funding WHERE symbol = ?", (symbol,))
        avg, lo, hi, n = cur.fetchone()
        if n:
            print(f"{symbol}: {n} fundings, avg {avg * 100:.4f}% (min {lo * 100:.4f}%, max {hi * 100:.4f}%)")
            print("annualised:", round(avg * 3 * 365 * 100, 2), "%")


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    logging.getLogger("backoff").addHandler(logging.StreamHandler())
    c = Collector()
    for sym in sys.argv[1:] or ["BTCUSDT", "ETHUSDT"]:
        c.backfill_funding(sym)
        c.open_interest(sym)
        c.summary(sym)
