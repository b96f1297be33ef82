"""The bot's own REST client: get / post wrappers next to dict.get on the answers."""

import json
import random
import time

import requests

from . import config
from .errors import RateLimited, raise_for_bybit
from .signer import signed_headers


class Client:
    def __init__(self, key: str, secret: str, base: str = config.REST_HOSTS["testnet" if config.TESTNET else "mainnet"]):
        self.key, self.secret, self.base = key, secret, base
        self.http = requests.Session()

    def get(self, path: str, params: dict) -> dict:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        resp = self.http.get(self.base + path, params=params, headers=signed_headers(self.key, self.secret, query), timeout=10)
        return raise_for_bybit(resp)

    def post(self, path: str, body: dict) -> dict:
        payload = json.dumps(body)
        for attempt in range(5):
            resp = self.http.post(self.base + path, data=payload, headers=signed_headers(self.key, self.secret, payload), timeout=10)
            try:
                return raise_for_bybit(resp)
            except RateLimited:
                time.sleep(min(30.0, 2 ** attempt) * random.random())
        raise RuntimeError(f"{path}: still rate limited")

    def wallet(self) -> dict:
        data = self.get("/v5/account/wallet-balance", {"accountType": "UNIFIED"})
        if data.get("list") is None:
            raise RuntimeError("no wallet")
        return data["list"][0]

    def market_order(self, symbol: str, side: str, qty: float, link_id: str) -> dict:
        body = {"category": "linear", "symbol": symbol, "side": side, "orderType": "Market",
                "qty": str(qty), "orderLinkId": link_id}  # expect: BYB101
        return self.post("/v5/order/create", body)

    def stop(self, symbol: str, stop_loss: str) -> dict:
        return self.post("/v5/position/trading-stop", {"category": "linear", "symbol": symbol, "stopLoss": stop_loss})


class LegacyClient:
    """The same account through the pre-V5 endpoints some of the strategies still use."""

    def __init__(self, key, secret, url="https://api.bybit.com"):
        self.key, self.secret, self.url = key, secret, url

    def _signed(self, method, path, params):  # expect: BYB201
        params = dict(params, api_key=self.key, timestamp=time_ms_legacy())  # expect: BYB401
        query = "&".join(f"{k}={params[k]}" for k in sorted(params))
        params["sign"] = sign_legacy(self.secret, query)
        for attempt in range(3):
            try:
                return requests.request(method, self.url + path, params=params, timeout=10).json()
            except requests.ConnectionError:
                time.sleep(2 ** attempt + random.random())
        raise RuntimeError(path)

    def position(self, symbol):
        data = self._signed("GET", "/v2/private/position/list", {"symbol": symbol})
        if data["ret_code"] != 0:
            raise RuntimeError(data["ret_msg"])
        return data["result"]


def time_ms_legacy() -> int:
    return int(time.time()) * 1000


def sign_legacy(secret: str, query: str) -> str:
    import hashlib
    import hmac

    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
