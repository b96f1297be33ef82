"""Fixtures for the fake exchange's own tests: an exchange behind the interceptor, and clients.

The fixture is named ``exchange`` on purpose: ``bybit`` belongs to the plugin.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Callable

import ccxt
import pytest
import requests
from pybit.unified_trading import HTTP

from pytest_bybit.exchange import FakeBybit, Interceptor, ManualClock, SystemClock
from pytest_bybit.exchange.models import ApiKey

TESTNET = "https://api-testnet.bybit.com"


def _serve(clock: Any) -> Any:
    ex = FakeBybit(clock=clock)
    interceptor = Interceptor(ex).start()
    ex.interceptor = interceptor  # type: ignore[attr-defined]  # handy in tests
    return ex, interceptor


@pytest.fixture
def exchange():
    """A fake exchange on real time (pybit and ccxt sign with the real clock)."""
    ex, interceptor = _serve(SystemClock())
    yield ex
    interceptor.stop()


@pytest.fixture
def manual_exchange():
    """A fake exchange whose clock moves only when the test says: for windows and bans."""
    ex, interceptor = _serve(ManualClock())
    yield ex
    interceptor.stop()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make time.sleep free (pybit sleeps 3 s per retry) and record what was asked."""
    asked: list[float] = []

    def fake_sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        asked.append(seconds)

    monkeypatch.setattr(time, "sleep", fake_sleep)
    return asked


@pytest.fixture
def pybit_session(exchange: FakeBybit) -> HTTP:
    return HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)


def make_ccxt(key: ApiKey | FakeBybit, **options: Any) -> ccxt.bybit:
    client = ccxt.bybit(
        {"apiKey": key.api_key, "secret": key.api_secret, "enableRateLimit": False, "options": options}
    )
    client.set_sandbox_mode(True)
    return client


@pytest.fixture
def ccxt_for() -> Callable[..., ccxt.bybit]:
    """A ccxt client (sandbox: testnet host) for any key: ``ccxt_for(key, **options)``."""
    return make_ccxt


@pytest.fixture
def ccxt_client(exchange: FakeBybit) -> ccxt.bybit:
    return make_ccxt(exchange)


@pytest.fixture
def signed() -> Callable[..., requests.Response]:
    """Send a hand-signed V5 request, the way a bot without a client library does."""

    def send(
        key: ApiKey,
        method: str,
        path: str,
        *,
        query: str = "",
        body: Any = None,
        ts: int | None = None,
        recv_window: str = "5000",
        base: str = TESTNET,
        headers: dict[str, str] | None = None,
        sign_payload: str | None = None,
    ) -> requests.Response:
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        payload = query if method == "GET" else (raw or "")
        if sign_payload is not None:  # sign one thing, send another
            payload = sign_payload
        payload_bytes = payload.encode() if isinstance(payload, str) else payload
        timestamp = str(ts if ts is not None else int(time.time() * 1000))
        sign = hmac.new(
            key.api_secret.encode(), (timestamp + key.api_key + recv_window).encode() + payload_bytes, hashlib.sha256
        ).hexdigest()
        all_headers = {
            "X-BAPI-API-KEY": key.api_key,
            "X-BAPI-TIMESTAMP": timestamp,
            "X-BAPI-RECV-WINDOW": recv_window,
            "X-BAPI-SIGN": sign,
            "Content-Type": "application/json",
            **(headers or {}),
        }
        url = base + path + (f"?{query}" if query else "")
        return requests.request(method, url, data=raw, headers=all_headers, timeout=5)

    return send

