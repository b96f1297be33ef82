"""Shapes real bots are written in, which defeated the rules one module at a time.

Each case is a small project (several files); ``# expect: CODE`` marks where the codes under
test must be reported, and every other line must be free of them.
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize

import pytest

from lint_rules.config import resolve_rules
from lint_rules.project import lint_sources
from lint_rules.rules import all_rules

_EXPECT = re.compile(r"expect:\s*(BYB\d{3}(?:\s*,\s*BYB\d{3})*)")


def _expected(name: str, source: str) -> set[tuple[str, int, str]]:
    out = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            m = _EXPECT.search(tok.string)
            if m:
                for code in re.findall(r"BYB\d{3}", m.group(1)):
                    out.add((name, tok.start[0], code))
    return out


def check(codes: tuple[str, ...], files: dict[str, str]) -> None:
    sources = {name: textwrap.dedent(text) for name, text in files.items()}
    rules = [r for r in resolve_rules(all_rules(), None, []) if r.code in codes]
    results = lint_sources(sources, rules)
    got = {(name, f.line, f.code) for name, res in results.items() for f in res.findings if f.code in codes}
    expected = set()
    for name, text in sources.items():
        expected |= {e for e in _expected(name, text) if e[2] in codes}
    assert not [f for res in results.values() for f in res.findings if f.code == "BYB001"]
    detail = [f"missing {c} at {n}:{l}: {sources[n].splitlines()[l - 1].strip()}" for n, l, c in sorted(expected - got)]
    detail += [f"false alarm {c} at {n}:{l}: {sources[n].splitlines()[l - 1].strip()}" for n, l, c in sorted(got - expected)]
    assert not detail, "\n".join(detail)


# -- 1. float-typed parameters -------------------------------------------------------------


def test_float_annotated_parameters_through_str_into_pybit() -> None:
    check(
        ("BYB101",),
        {
            "bot/orders.py": """
                from typing import Optional
                from pybit.unified_trading import HTTP

                def buy(session: HTTP, symbol: str, qty: float):
                    return session.place_order(category="linear", symbol=symbol, side="Buy",
                                               orderType="Market", qty=str(qty))  # expect: BYB101

                def limit(session: HTTP, symbol: str, qty: str, price: Optional[float] = None):
                    return session.place_order(category="linear", symbol=symbol, side="Buy",
                                               orderType="Limit", qty=qty, price=str(price))  # expect: BYB101

                def stop(session: HTTP, symbol: str, sl: float | None):
                    session.set_trading_stop(category="linear", symbol=symbol, stopLoss=str(sl))  # expect: BYB101

                def fine(session: HTTP, symbol: str, qty: str, price: "Decimal"):
                    session.place_order(category="linear", symbol=symbol, side="Buy",
                                        orderType="Limit", qty=qty, price=str(price))
            """,
        },
    )


def test_float_parameter_into_the_bots_own_endpoint_wrapper() -> None:
    check(
        ("BYB101",),
        {
            "bot/client.py": """
                import requests

                class Client:
                    def _post(self, path, body):
                        return requests.post("https://api.bybit.com" + path, json=body).json()

                    def market_buy(self, symbol: str, qty: float):
                        body = {"category": "linear", "symbol": symbol, "side": "Buy",
                                "orderType": "Market", "qty": str(qty)}  # expect: BYB101
                        return self._post("/v5/order/create", body)
            """,
        },
    )


# -- 2. the deciding value in another module -----------------------------------------------


def test_clock_helper_from_another_module() -> None:
    check(
        ("BYB401",),
        {
            "bot/utils/clock.py": """
                import time

                def time_ms() -> int:
                    return int(time.time() * 1000)
            """,
            "bot/utils/__init__.py": "",
            "bot/signer.py": """
                import hashlib, hmac
                from utils.clock import time_ms

                def headers(key, secret, payload):
                    ts = str(time_ms())  # expect: BYB401
                    sign = hmac.new(secret.encode(), (ts + key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
                    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
            """,
        },
    )


def test_server_corrected_clock_helper_from_another_module_is_fine() -> None:
    check(
        ("BYB401",),
        {
            "bot/clock.py": """
                import time
                OFFSET_MS = 0

                def server_ms() -> int:
                    return int(time.time() * 1000) + OFFSET_MS
            """,
            "bot/signer.py": """
                import hashlib, hmac
                from .clock import server_ms

                def headers(key, secret, payload):
                    ts = str(server_ms())
                    sign = hmac.new(secret.encode(), (ts + key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
                    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
            """,
        },
    )


def test_stream_url_and_heartbeat_from_a_config_module() -> None:
    check(
        ("BYB501", "BYB502"),
        {
            "bot/config.py": """
                WS_URL = "wss://stream.bybit.com/v5/public/linear"
                HEARTBEAT = 30
            """,
            "bot/stream.py": """
                import aiohttp
                from . import config

                async def listen():
                    async with aiohttp.ClientSession() as http:
                        async with http.ws_connect(config.WS_URL, heartbeat=config.HEARTBEAT) as ws:  # expect: BYB501, BYB502
                            async for msg in ws:
                                print(msg.data)
            """,
        },
    )


def test_float_size_from_a_sizer_module() -> None:
    check(
        ("BYB101",),
        {
            "bot/sizer.py": """
                def position_size(balance: float, risk_pct: float, price: float) -> float:
                    return balance * risk_pct / 100 / price
            """,
            "bot/main.py": """
                from pybit.unified_trading import HTTP
                from sizer import position_size

                def enter(session: HTTP, balance, price):
                    qty = position_size(balance, 1.0, price)
                    session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                        orderType="Market", qty=str(qty))  # expect: BYB101
            """,
        },
    )


# -- 3. a wrapper method named get / post next to dict.get("retCode") -----------------------


def test_wrapper_named_get_next_to_dict_get_keeps_byb2xx() -> None:
    check(
        ("BYB201", "BYB204", "BYB207"),
        {
            "bot/client.py": """
                import time
                import requests

                class BybitClient:
                    def __init__(self, base):
                        self.base = base
                        self.s = requests.Session()

                    def get(self, path, params=None):
                        resp = self.s.get(self.base + path, params=params, timeout=10)
                        data = resp.json()
                        if data.get("retCode") != 0:
                            raise RuntimeError(data.get("retMsg"))
                        return data["result"]

                    def post(self, path, body):  # expect: BYB201
                        for attempt in range(5):
                            try:
                                r = self.s.post(self.base + path, json=body, timeout=10)
                                return r.json()  # expect: BYB207
                            except requests.RequestException:
                                time.sleep(2 ** attempt)
                        raise RuntimeError("gave up")

                    def ticker(self, symbol):
                        return self.get("/v5/market/tickers", {"category": "linear", "symbol": symbol})
            """,
        },
    )


# -- 4. legacy paths, host only in a constructor default -----------------------------------


def test_legacy_paths_with_the_host_in_a_constructor_default() -> None:
    check(
        ("BYB201",),
        {
            "bot/legacy.py": """
                import hashlib, hmac, time
                import requests

                class Bybit:
                    def __init__(self, key, secret, url="https://api.bybit.com"):
                        self.key, self.secret, self.url = key, secret, url

                    def _signed(self, method, path, params):  # expect: BYB201
                        params["api_key"] = self.key
                        params["timestamp"] = int(time.time() * 1000)
                        query = "&".join(f"{k}={params[k]}" for k in sorted(params))
                        params["sign"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
                        return requests.request(method, self.url + path, params=params).json()

                    def position(self, symbol):
                        return self._signed("GET", "/v2/private/position/list", {"symbol": symbol})

                    def old_order(self, symbol, qty):
                        return self._signed("POST", "/open-api/order/create", {"symbol": symbol, "qty": qty})
            """,
        },
    )


# -- 5. success read from retMsg; doubling delay next to Retry-After -----------------------


def test_retry_loop_whose_success_test_reads_retmsg() -> None:
    check(
        ("BYB202",),
        {
            "bot/orders.py": """
                import time
                from pybit.unified_trading import HTTP

                def cancel_all(session: HTTP, symbol: str):
                    for attempt in range(5):  # expect: BYB202
                        resp = session.cancel_all_orders(category="linear", symbol=symbol)
                        if resp["retMsg"] in ("OK", "success"):
                            return resp
                        time.sleep(1)
                    raise RuntimeError("cancel failed")
            """,
        },
    )


def test_doubling_delay_in_one_branch_next_to_retry_after() -> None:
    check(
        ("BYB203",),
        {
            "bot/http.py": """
                import time
                import requests

                def call(url, body, retries=6):
                    delay = 1.0
                    for attempt in range(retries):  # expect: BYB203
                        resp = requests.post(url, json=body, timeout=10)
                        if resp.status_code == 429:
                            time.sleep(float(resp.headers.get("Retry-After", "1")))
                            continue
                        data = resp.json()
                        if data["retCode"] == 0:
                            return data
                        time.sleep(delay)
                        delay *= 2
                    raise RuntimeError("https://api.bybit.com gave up")
            """,
        },
    )


# -- 6. BYB201 where no storm can come from -------------------------------------------------


def test_byb201_silent_where_no_storm_can_come_from() -> None:
    check(
        ("BYB201",),
        {
            "bot/errors.py": """
                class RateLimited(Exception):
                    pass

                def raise_for_bybit(resp):
                    if resp.status_code in (403, 429):
                        raise RateLimited(resp.headers.get("Retry-After"))
                    data = resp.json()
                    if data["retCode"] == 10006:
                        raise RateLimited(resp.headers.get("X-Bapi-Limit-Reset-Timestamp"))
                    return data
            """,
            "bot/client.py": """
                import time
                import requests
                from .errors import raise_for_bybit

                class Client:
                    def _request(self, path, params):
                        for attempt in range(3):
                            resp = requests.get("https://api.bybit.com" + path, params=params, timeout=10)
                            try:
                                return raise_for_bybit(resp)["result"]
                            except ValueError:
                                time.sleep(2 ** attempt)

                    def server_offset(self):
                        resp = requests.get("https://api.bybit.com/v5/market/time", timeout=5)
                        return int(resp.json()["time"]) - int(time.time() * 1000)
            """,
            "bot/poller.py": """
                import time
                import requests

                def poll(symbol):
                    while True:
                        data = requests.get("https://api.bybit.com/v5/market/tickers",
                                            params={"category": "spot", "symbol": symbol}).json()
                        if data["retCode"] != 0:
                            print("error", data["retMsg"])
                        else:
                            print(data["result"]["list"][0]["lastPrice"])
                        time.sleep(5)
            """,
            "bot/check_keys.py": """
                import requests

                def wallet():
                    return requests.get("https://api.bybit.com/v5/account/wallet-balance", headers=HEADERS).json()

                if __name__ == "__main__":
                    print(wallet())
            """,
            "bot/storm.py": """
                import requests

                def fetch(path):  # expect: BYB201
                    return requests.get("https://api.bybit.com" + path, timeout=10).json()["result"]

                def run():
                    while True:
                        try:
                            print(fetch("/v5/market/tickers?category=spot"))
                        except Exception:
                            continue
            """,
            "api/base.py": """
                import aiohttp

                class Base:
                    async def _make_request(self, method, path, params):
                        async with aiohttp.ClientSession() as s:
                            async with s.request(method, "https://api.bybit.com" + path, params=params) as r:
                                return await r.json()

                    @staticmethod
                    def _check_response(data):
                        if data["retCode"] != 0:
                            raise RuntimeError(data["retMsg"])
                        return data["result"]
            """,
            "api/orders.py": """
                from .base import Base

                class Orders(Base):
                    async def open_orders(self, symbol):
                        data = await self._make_request("GET", "/v5/order/realtime", {"symbol": symbol})
                        return self._check_response(data)
            """,
        },
    )


# -- 7. BYB301 where configuration picks the environment or no key is used ----------------


def test_byb301_silent_where_configuration_picks_or_no_key_is_used() -> None:
    check(
        ("BYB301",),
        {
            "bot/config.py": """
                import os
                TESTNET = os.getenv("BYBIT_TESTNET") == "1"
                HOSTS = {"testnet": "https://api-testnet.bybit.com", "mainnet": "https://api.bybit.com"}
            """,
            "bot/exchange.py": """
                import ccxt
                from . import config

                def make(cfg):
                    ex = ccxt.bybit({"apiKey": cfg.key, "secret": cfg.secret})
                    if cfg.testnet:
                        ex.set_sandbox_mode(True)
                    return ex

                BASE = config.HOSTS["testnet" if config.TESTNET else "mainnet"]
            """,
            "bot/market.py": """
                import websockets
                from pybit.unified_trading import HTTP

                PUBLIC = HTTP(testnet=False)
                STREAM = "wss://stream.bybit.com/v5/public/linear"
                BINANCE = "https://api.binance.com/api/v3/ticker/price"

                async def trades(api_key):
                    async with websockets.connect(STREAM) as ws:
                        await ws.recv()
            """,
            "bot/demo.py": """
                from pybit.unified_trading import HTTP

                def main():
                    session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)
                    print(session.get_wallet_balance(accountType="UNIFIED"))

                if __name__ == "__main__":
                    main()
            """,
            "bot/trader.py": """
                from pybit.unified_trading import HTTP

                session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)  # expect: BYB301

                def run():
                    while True:
                        session.get_positions(category="linear", symbol="BTCUSDT")
            """,
        },
    )


# -- 8. BYB206 in the only coroutine of a one-shot script -----------------------------------


def test_byb206_silent_in_the_only_coroutine_of_a_script() -> None:
    check(
        ("BYB206",),
        {
            "bot/realtime.py": """
                import asyncio, json, time
                import websockets
                from pybit import inverse_perpetual

                session = inverse_perpetual.HTTP(endpoint=HOST, api_key=KEY, api_secret=SECRET)

                async def stream():
                    async with websockets.connect(URL) as ws:
                        await ws.send(json.dumps({"op": "subscribe", "args": ["klineV2.1.BTCUSD"]}))
                        while True:
                            data = json.loads(await ws.recv())
                            if data.get("topic"):
                                session.cancel_all_active_orders(symbol="BTCUSD")
                                time.sleep(1)

                loop = asyncio.get_event_loop()
                loop.run_until_complete(stream())
            """,
            "bot/gathered.py": """
                import asyncio, time

                async def public():
                    while True:
                        time.sleep(1)  # expect: BYB206

                async def private():
                    while True:
                        await asyncio.sleep(1)

                asyncio.get_event_loop().run_until_complete(asyncio.gather(public(), private()))
            """,
        },
    )


# -- 9. BYB401 silent where BYB403's fix is applied -----------------------------------------


def test_byb401_and_byb403_never_contradict() -> None:
    check(
        ("BYB401", "BYB403"),
        {
            "bot/ws_auth.py": """
                import hashlib, hmac, json, time

                def auth_message(key, secret):
                    expires = int((time.time() + 10) * 1000)
                    sign = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                    return json.dumps({"op": "auth", "args": [key, expires, sign]})
            """,
            "bot/ws_short.py": """
                import hashlib, hmac, json, time

                def auth_message(key, secret):
                    expires = int(time.time() * 1000) + 1000  # expect: BYB401, BYB403
                    sign = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                    return json.dumps({"op": "auth", "args": [key, expires, sign]})
            """,
        },
    )


def test_float_arithmetic_into_a_wrapper_in_another_module() -> None:
    check(
        ("BYB101",),
        {
            "bot/skay/ByBit.py": """
                from pybit.unified_trading import HTTP

                class ByBit:
                    def __init__(self):
                        self.session = HTTP(api_key=KEY, api_secret=SECRET)

                    def sendTicker(self, qty='', side="Buy", tag=''):
                        return self.session.place_order(category="spot", symbol="BTCUSDT", side=side,
                                                        orderType="Market", qty=qty, orderLinkId=tag)
            """,
            "bot/skay/Bot.py": """
                from skay.ByBit import ByBit

                class Bot(ByBit):
                    def on_kline(self, kline):
                        self.sendTicker(self.qty / float(kline["close"]), "Buy")  # expect: BYB101
                        self.sendTicker("0.01", "Sell")
            """,
            "bot/helpers.py": """
                def place_spot_order(http, symbol, side, qty, price, link_id):
                    kwargs = dict(category="spot", symbol=symbol, side=side, qty=str(qty), orderLinkId=link_id)
                    return http.place_order(orderType="Limit", price=str(price), **kwargs)

                class Trader:
                    def create_limit_order(self, symbol, side, qty, price, stop_loss_price):
                        return self._create(symbol, side, qty, price, stop_loss_price)

                    def _create(self, symbol, side, qty, price, stop_loss_price):
                        return self.session.place_active_order(symbol=symbol, side=side, order_type="Limit",
                                                               qty=qty, price=price, stop_loss=stop_loss_price)
            """,
            "bot/app.py": """
                from .helpers import place_spot_order, Trader

                class App:
                    def __init__(self):
                        self.trader = Trader()

                    def on_fill(self, http, symbol, price):
                        sl_price = price * (1 - 0.02)
                        place_spot_order(http, symbol, "Sell", "0.5", sl_price, "sl")  # expect: BYB101
                        self.trader.create_limit_order(symbol, "Buy", 1, price,
                                                       stop_loss_price=price * 0.97)  # expect: BYB101
            """,
        },
    )


def test_pybybit_calls_are_bybit_calls() -> None:
    check(
        ("BYB202", "BYB204", "BYB205", "BYB207"),
        {
            "bot/funcs.py": """
                import time
                import pybybit

                def position(bybit):
                    while True:  # expect: BYB202, BYB204
                        try:
                            pos = bybit.rest.inverse.private_position_list(symbol="BTCUSD")
                            pos = pos.json()["result"]  # expect: BYB207
                            break
                        except Exception:
                            time.sleep(2)
                    return pos

                def market(bybit, side, lot):
                    for attempt in range(3):
                        try:
                            res = bybit.rest.inverse.private_order_create(  # expect: BYB205
                                side=side, symbol="BTCUSD", order_type="Market", qty=lot)
                            data = res.json()
                            if data["ret_code"] == 0:
                                return data
                        except Exception:
                            pass
                        time.sleep(2 ** attempt + random.random())
            """,
        },
    )


def test_blocking_helpers_and_bravado_inside_gathered_coroutines() -> None:
    check(
        ("BYB206",),
        {
            "bot/btcusd.py": """
                import asyncio
                import bybit

                client = bybit.bybit(test=False, api_key=KEY, api_secret=SECRET)

                def order_limit(side, price, qty):
                    return client.Order.Order_new(side=side, symbol="BTCUSD", order_type="Limit",
                                                  qty=qty, price=price).result()

                async def public(ws):
                    while True:
                        await ws.recv()
                        client.Order.Order_cancelAll(symbol="BTCUSD").result()  # expect: BYB206
                        order_limit("Buy", 30000, 1)  # expect: BYB206

                async def private(ws):
                    while True:
                        await ws.recv()

                asyncio.get_event_loop().run_until_complete(asyncio.gather(public(A), private(B)))
            """,
        },
    )


def test_old_websockets_connect_class_and_short_secret_names() -> None:
    check(
        ("BYB501", "BYB302"),
        {
            "bot/stream.py": """
                import json
                import websockets

                apikey = "Qx7pLm2RtY9wKd4NbZ"  # expect: BYB302
                apisec = "h8Gk2LpQ9wXz4RtY7mNb3VcD6fJs1AeU5oIq"  # expect: BYB302

                async def trades():
                    async with websockets.client.Connect("wss://stream.bybit.com/realtime") as ws:  # expect: BYB501
                        await ws.send(json.dumps({"op": "subscribe", "args": ["trade.BTCUSD"]}))
                        while True:
                            print(await ws.recv())
            """,
        },
    )


def test_rounding_to_the_steps_number_of_decimals_is_byb103() -> None:
    check(
        ("BYB103",),
        {
            "bot/orders.py": """
                from pybit.unified_trading import HTTP

                def place(session: HTTP, symbol, side, size, limit_price, qty_precision, info):
                    size = round(size, qty_precision)  # expect: BYB103
                    params = {"category": "linear", "symbol": symbol, "side": side, "orderType": "Limit",
                              "qty": str(size)}
                    params["price"] = str(round(limit_price, get_price_precision(symbol)))  # expect: BYB103
                    return session.place_order(**params)
            """,
        },
    )
