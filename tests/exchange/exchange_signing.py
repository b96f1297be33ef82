"""Signed wire requests for ``FakeBybit.handle`` without HTTP: for fuzzing and audits."""

from __future__ import annotations

import hashlib
import hmac

from pytest_bybit.exchange import FakeBybit, Request

TESTNET = "https://api-testnet.bybit.com"


def signed_request(ex: FakeBybit, method: str, path: str, payload: str) -> Request:
    """A request signed with the exchange's default key at its own current time."""
    ts = str(ex.now_ms())
    sign = hmac.new(ex.api_secret.encode(), (ts + ex.api_key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
    headers = {
        "X-BAPI-API-KEY": ex.api_key,
        "X-BAPI-TIMESTAMP": ts,
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": sign,
        "Content-Type": "application/json",
    }
    if method == "GET":
        return Request("GET", f"{TESTNET}{path}" + (f"?{payload}" if payload else ""), headers)
    return Request("POST", f"{TESTNET}{path}", headers, payload)
