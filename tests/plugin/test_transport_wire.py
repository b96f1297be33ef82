"""The fake exchange judges the exact bytes each client would put on the wire.

A request is sent twice with the same arguments: once to a real HTTP server on loopback
(which also shows loopback traffic passes through every transport untouched), once to
Bybit's host. The query string and body the exchange saw must equal the bytes the loopback
server received; the signature is computed over those bytes, so anything else would verify
signatures Bybit rejects (or reject ones it accepts).
"""

from __future__ import annotations

import asyncio
import json
import socketserver
import threading
import urllib.error
import urllib.request
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

aiohttp = pytest.importorskip("aiohttp")
httpx = pytest.importorskip("httpx")

from transport_clients import AioSigner, TESTNET, sign  # noqa: E402

#: Characters that clients encode differently: spaces, commas, tildes, slashes, non-ASCII.
ODD_PARAMS = {"category": "linear", "symbol": "BTCUSDT", "note": "a b,c~d/é+f", "z": "1", "a": "2"}
BODY = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.01", "note": "é ~"}


class _Capture(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        head = []
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            head.append(line)
        length = next((int(h.split(b":")[1]) for h in head if h.lower().startswith(b"content-length:")), 0)
        body = self.rfile.read(length)
        target = head[0].split(b" ")[1].decode("latin-1")
        self.server.seen.append((target, body))  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")


@pytest.fixture
def loopback() -> Iterator[Any]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Capture)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _requests(base: str) -> None:
    import requests

    requests.get(base + "/v5/market/tickers", params=ODD_PARAMS, timeout=5)
    requests.post(base + "/v5/order/create", json=BODY, timeout=5)


def _aiohttp(base: str) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.get(base + "/v5/market/tickers", params=ODD_PARAMS) as resp:
                await resp.read()
            async with session.post(base + "/v5/order/create", json=BODY) as resp:
                await resp.read()

    asyncio.run(main())


def _httpx(base: str) -> None:
    with httpx.Client() as client:
        client.get(base + "/v5/market/tickers", params=ODD_PARAMS)
        client.post(base + "/v5/order/create", json=BODY)


def _httpx_async(base: str) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(base + "/v5/market/tickers", params=ODD_PARAMS)
            await client.post(base + "/v5/order/create", json=BODY)

    asyncio.run(main())


def _urllib(base: str) -> None:
    from urllib.parse import urlencode

    for request in (
        urllib.request.Request(base + "/v5/market/tickers?" + urlencode(ODD_PARAMS)),
        urllib.request.Request(base + "/v5/order/create", data=json.dumps(BODY).encode(), method="POST",
                               headers={"Content-Type": "application/json"}),
    ):
        try:
            urllib.request.urlopen(request, timeout=5).read()
        except urllib.error.HTTPError:
            pass  # the unsigned order is refused; only what was sent matters here


@pytest.mark.bybit_allow("unexpected_requests")
@pytest.mark.parametrize(
    "client", [_requests, _aiohttp, _httpx, _httpx_async, _urllib],
    ids=["requests", "aiohttp", "httpx", "httpx_async", "urllib"],
)
def test_exchange_sees_the_bytes_the_client_sends(bybit, loopback: Any, client: Any) -> None:
    host, port = loopback.server_address
    client(f"http://{host}:{port}")
    client(TESTNET)
    (get_target, _), (_, post_body) = loopback.seen
    get_record, post_record = bybit.requests[0], bybit.requests[1]
    assert get_record.request.query == urlsplit(get_target).query
    assert post_record.request.body == post_body and post_body
    assert "%" in get_record.request.query  # the odd characters really were encoded


def test_signature_over_a_query_string_aiohttp_re_encodes(bybit) -> None:
    """aiohttp (yarl) sends ``%2C`` as ``,``: a GET signed over ``urlencode`` output is a
    10004, as on Bybit; signed over what is sent, or sent with ``encoded=True``, it verifies."""
    import yarl

    query = "accountType=UNIFIED&coin=USDT%2CBTC"  # what urlencode makes of "USDT,BTC"

    async def wallet(url: Any, signed_over: str) -> int:
        async with aiohttp.ClientSession() as session:
            headers = sign(bybit.api_key, bybit.api_secret, signed_over)
            async with session.get(url, headers=headers) as resp:
                return (await resp.json())["retCode"]

    url = TESTNET + "/v5/account/wallet-balance?" + query
    assert asyncio.run(wallet(url, query)) == 10004
    assert bybit.requests.last.request.query == "accountType=UNIFIED&coin=USDT,BTC"
    assert asyncio.run(wallet(url, "accountType=UNIFIED&coin=USDT,BTC")) == 0
    assert asyncio.run(wallet(yarl.URL(url, encoded=True), query)) == 0


def test_keep_alive_connection_serves_many_requests(bybit) -> None:
    """aiohttp reuses one pooled connection; every request on it is answered in order."""

    async def main() -> list[int]:
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            codes = []
            for _ in range(5):
                async with session.get(TESTNET + "/v5/market/time") as resp:
                    codes.append((await resp.json())["retCode"])
            return codes

    assert asyncio.run(main()) == [0] * 5
    assert len(bybit.requests) == 5


@pytest.mark.bybit_allow("unexpected_requests")  # HEAD is not an endpoint: a 404, reported
def test_chunked_body_and_head_on_one_connection(bybit) -> None:
    """A body of unknown length goes out chunked; a HEAD answer carries no body. Both on one
    pooled connection, so a parsing slip would garble the next answer."""
    body = json.dumps({"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.01"})
    headers = sign(bybit.api_key, bybit.api_secret, body)

    async def chunks() -> Any:
        for part in (body[:10], body[10:25], body[25:]):
            yield part.encode()

    async def main() -> tuple[int, int, int]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            async with session.post(TESTNET + "/v5/order/create", data=chunks(), headers=headers) as resp:
                placed = (await resp.json())["retCode"]
            async with session.head(TESTNET + "/v5/market/time") as resp:
                head_status = resp.status
            async with session.get(TESTNET + "/v5/market/time") as resp:
                after = (await resp.json())["retCode"]
        return placed, head_status, after

    placed, head_status, after = asyncio.run(main())
    assert placed == 0 and bybit.requests[0].request.body == body.encode()
    assert bybit.requests[0].request.headers.get("transfer-encoding") == "chunked"
    assert after == 0 and len(bybit.orders) == 1
    assert head_status == bybit.requests[1].http_status


PROXY = "http://proxy.example.invalid:3128"


def test_clients_behind_a_proxy_still_reach_the_fake(bybit) -> None:
    """A bot behind a corporate proxy is served, and nothing goes to the proxy."""

    async def through_aiohttp() -> int:
        async with aiohttp.ClientSession() as session:
            async with session.get(TESTNET + "/v5/market/time", proxy=PROXY) as resp:
                return (await resp.json())["retCode"]

    assert asyncio.run(through_aiohttp()) == 0
    with httpx.Client(proxy=PROXY) as client:
        assert client.get(TESTNET + "/v5/market/time").json()["retCode"] == 0
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"https": PROXY}))
    with opener.open(TESTNET + "/v5/market/time") as resp:
        assert json.load(resp)["retCode"] == 0
    assert bybit.unexpected == [] and [r.path for r in bybit.requests] == ["/v5/market/time"] * 3


def test_signer_helper_round_trip(bybit) -> None:
    status, text = asyncio.run(AioSigner(bybit.api_key, bybit.api_secret).get_wallet_balance(accountType="UNIFIED"))
    assert status == 200 and json.loads(text)["retCode"] == 0


def test_urllib_answers_have_the_http_client_api(bybit) -> None:
    """A bot reading ``resp.getheader`` / ``resp.reason`` (as http.client offers them) works."""
    from transport_clients import prepare

    bybit.fault("rate_limit", endpoint="/v5/account/wallet-balance")
    url, headers, _ = prepare(bybit.api_key, bybit.api_secret, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as resp:
        assert (resp.status, resp.reason) == (200, "OK")
        assert int(resp.getheader("X-Bapi-Limit-Reset-Timestamp")) > json.loads(resp.read())["time"]
        assert resp.headers.get_content_type() == "application/json"
    bybit.fault("ip_ban")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(TESTNET + "/v5/market/time")
    assert (info.value.code, info.value.reason, info.value.read()) == (403, "Forbidden", b"access too frequent")
