"""Shared set-up for the plugin tests.

pytester's in-process runs restore ``sys.modules`` afterwards, so a module first imported
inside an inner run is imported again by every later one. The heavy ones are imported once
here: hypothesis above all, whose pytest plugin imports it in every terminal summary (about
1 s per inner run), then pybit, ccxt and the two clock backends.
"""

from __future__ import annotations

import contextlib
import importlib
import textwrap
from typing import Callable

import pytest

for _name in ("hypothesis.internal.observability", "pybit.unified_trading", "ccxt", "freezegun", "time_machine"):
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)

#: A hand-signing V5 client for inner test runs (written next to them as ``bybit_signing.py``).
SIGNING = textwrap.dedent(
    '''
    import hashlib, hmac, json, time
    from urllib.parse import urlencode

    import requests

    TESTNET = "https://api-testnet.bybit.com"


    def signed(bybit, method, path, params=None, *, ts=None, recv_window=5000, key=None, secret=None, host=TESTNET):
        """One V5 request signed by hand: HMAC-SHA256 of timestamp + key + recv_window + payload."""
        key = key or bybit.api_key
        secret = secret or bybit.api_secret
        params = params or {}
        ts = int(time.time() * 1000) if ts is None else int(ts)
        if method == "GET":
            payload, body = urlencode(params), None
            url = host + path + ("?" + payload if payload else "")
        else:
            payload = body = json.dumps(params)
            url = host + path
        sign = hmac.new(secret.encode(), f"{ts}{key}{recv_window}{payload}".encode(), hashlib.sha256).hexdigest()
        headers = {
            "X-BAPI-API-KEY": key,
            "X-BAPI-TIMESTAMP": str(ts),
            "X-BAPI-RECV-WINDOW": str(recv_window),
            "X-BAPI-SIGN": sign,
            "Content-Type": "application/json",
        }
        return requests.request(method, url, headers=headers, data=body, timeout=10)


    def server_offset_ms(host=TESTNET):
        """Bybit's clock minus ours, from /v5/market/time (what a careful bot signs with)."""
        before = time.time() * 1000
        server = int(requests.get(host + "/v5/market/time", timeout=10).json()["time"])
        after = time.time() * 1000
        return server - (before + after) / 2


    def wallet(bybit, **kw):
        return signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"}, **kw).json()["retCode"]


    def order(**overrides):
        params = dict(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
        params.update(overrides)
        return params
    '''
)

#: Arguments for every inner run: no cache files; hypothesis' plugin off (it re-imports hypothesis).
INNER_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark")


@pytest.fixture
def inner(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """``inner(*args)`` runs pytest in-process in the pytester directory, with ``bybit_signing.py`` beside the tests."""
    pytester.makepyfile(bybit_signing=SIGNING)

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest(*INNER_ARGS, *args)

    return run
