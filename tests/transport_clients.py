"""Hand-written signed V5 clients on every transport the fake exchange serves.

Each one signs exactly as Bybit documents it (HMAC-SHA256 over timestamp + key + recv_window +
the raw query string or body) and sends with its own library, so the same error and fault
tables can be run over every transport. ``as_response`` turns what a client received into a
``requests.Response``, which is the shape the sync tables' checks read.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import requests
from requests.structures import CaseInsensitiveDict

TESTNET = "https://api-testnet.bybit.com"


def sign(key: str, secret: str, payload: str, ts: int | None = None, recv_window: int = 5000) -> dict[str, str]:
    ts = int(time.time() * 1000) if ts is None else ts
    digest = hmac.new(secret.encode(), f"{ts}{key}{recv_window}{payload}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": str(ts),
        "X-BAPI-RECV-WINDOW": str(recv_window),
        "X-BAPI-SIGN": digest,
        "Content-Type": "application/json",
    }


def prepare(key: str, secret: str, method: str, path: str, params: dict[str, Any] | None, *,
            ts: int | None = None, host: str = TESTNET, signed: bool = True) -> tuple[str, dict[str, str], bytes | None]:
    """URL, headers and body of one V5 request, signed over exactly what is sent."""
    params = params or {}
    if method == "GET":
        payload, body = urlencode(params), None
        url = host + path + ("?" + payload if payload else "")
    else:
        payload = json.dumps(params)
        body = payload.encode()
        url = host + path
    headers = sign(key, secret, payload, ts) if signed else {"Content-Type": "application/json"}
    return url, headers, body


def as_response(status: int, headers: Any, body: bytes, url: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(dict(headers.items()))
    response._content = body
    response.url = url
    response.encoding = "utf-8"
    return response


# -- one signed request per transport: returns a requests.Response or raises what the library raises

async def aiohttp_send(url: str, headers: dict[str, str], method: str, body: bytes | None) -> requests.Response:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, data=body, headers=headers) as resp:
            return as_response(resp.status, resp.headers, await resp.read(), url)


def httpx_send(url: str, headers: dict[str, str], method: str, body: bytes | None) -> requests.Response:
    import httpx

    with httpx.Client() as client:
        resp = client.request(method, url, content=body, headers=headers)
        return as_response(resp.status_code, resp.headers, resp.content, url)


async def httpx_async_send(url: str, headers: dict[str, str], method: str, body: bytes | None) -> requests.Response:
    import httpx

    async with httpx.AsyncClient() as client:
        resp = await client.request(method, url, content=body, headers=headers)
        return as_response(resp.status_code, resp.headers, resp.content, url)


def urllib_send(url: str, headers: dict[str, str], method: str, body: bytes | None) -> requests.Response:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return as_response(resp.status, resp.headers, resp.read(), url)
    except urllib.error.HTTPError as err:  # a non-2xx answer is an exception in urllib
        return as_response(err.code, err.headers, err.read(), url)


SENDERS = {
    "aiohttp": aiohttp_send,
    "httpx": httpx_send,
    "httpx_async": httpx_async_send,
    "urllib": urllib_send,
}


def send(transport: str, bybit: Any, method: str, path: str, params: dict[str, Any] | None = None, *,
         ts: int | None = None, signed: bool = True) -> requests.Response:
    url, headers, body = prepare(bybit.api_key, bybit.api_secret, method, path, params, ts=ts, signed=signed)
    outcome = SENDERS[transport](url, headers, method, body)
    if asyncio.iscoroutine(outcome):
        return asyncio.run(outcome)
    return outcome


class AioSigner:
    """A bot's own aiohttp V5 client, with the pybit method names the error table calls.

    Methods answer ``(HTTP status, body text)``; they raise only what aiohttp raises.
    """

    endpoint = TESTNET

    def __init__(self, key: str, secret: str) -> None:
        self.key, self.secret = key, secret

    async def _call(self, method: str, path: str, params: dict[str, Any], signed: bool = True) -> tuple[int, str]:
        import aiohttp

        path = path.removeprefix(self.endpoint)
        params = {k: v for k, v in params.items() if v is not None}
        url, headers, body = prepare(self.key, self.secret, method, path, params, signed=signed)
        async with aiohttp.ClientSession() as session:
            async with session.request(method, url, data=body, headers=headers) as resp:
                return resp.status, await resp.text()

    _ROUTES = {
        "place_order": ("POST", "/v5/order/create"),
        "amend_order": ("POST", "/v5/order/amend"),
        "cancel_order": ("POST", "/v5/order/cancel"),
        "set_leverage": ("POST", "/v5/position/set-leverage"),
        "switch_position_mode": ("POST", "/v5/position/switch-mode"),
        "get_wallet_balance": ("GET", "/v5/account/wallet-balance"),
        "get_tickers": ("GET", "/v5/market/tickers"),
        "get_server_time": ("GET", "/v5/market/time"),
    }

    def __getattr__(self, name: str) -> Any:
        try:
            method, path = self._ROUTES[name]
        except KeyError:
            raise AttributeError(name) from None
        return lambda **params: self._call(method, path, params, signed=not path.startswith("/v5/market/"))

    def _submit_request(self, method: str, path: str, query: dict[str, Any], auth: bool) -> Any:
        return self._call(method, path, query, signed=auth)
