"""A naive Bybit bot, written the way many first bots are.

It works on a quiet day on testnet, and every line marked below costs money on a bad one:
`bybit-lint` flags them, and `pytest --bybit-faults` shows which of Bybit's bad days it
does not survive.
"""

import hashlib
import hmac
import json
import time

import requests

BASE_URL = "https://api-testnet.bybit.com"  # hardcoded environment: 10003 on deploy
RECV_WINDOW = "5000"


def now_ms():
    return int(time.time() * 1000)


class NaiveBot:
    def __init__(self, api_key, api_secret):
        self.api_key = api_key
        self.api_secret = api_secret

    def _post(self, path, body):
        payload = json.dumps(body)
        ts = str(now_ms())  # the local clock: 10002 when it drifts
        sign = hmac.new(
            self.api_secret.encode(), (ts + self.api_key + RECV_WINDOW + payload).encode(), hashlib.sha256
        ).hexdigest()
        headers = {
            "X-BAPI-API-KEY": self.api_key,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": RECV_WINDOW,
            "X-BAPI-SIGN": sign,
            "Content-Type": "application/json",
        }
        for attempt in range(5):  # retries at once: a 10006 storm
            data = requests.post(BASE_URL + path, data=payload, headers=headers, timeout=10).json()
            if data["retCode"] == 10006:
                continue
            if data["retCode"] != 0:
                raise RuntimeError(f"{path}: {data['retCode']} {data['retMsg']}")
            return data["result"]
        raise RuntimeError(f"{path}: still rate limited")

    def buy(self, symbol, usdt, price):
        qty = usdt / price  # a float: 0.1 + 0.2 style noise reaches the exchange
        return self._post(
            "/v5/order/create",
            {
                "category": "linear",
                "symbol": symbol,
                "side": "Buy",
                "orderType": "Market",
                "qty": str(qty),
            },
        )
