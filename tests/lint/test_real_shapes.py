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
