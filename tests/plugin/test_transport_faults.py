"""Every fault of the catalog through every transport: a hand-signed order on aiohttp, httpx
(sync and async) and urllib, and unmodified ``ccxt.async_support``.

Answers (error envelopes, HTTP statuses, bodies) are checked by the same functions as for
``requests`` (test_faults.py ``EXPECTED``); transport faults must raise what each library
really raises, listed here per transport.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import urllib.error
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")
httpx = pytest.importorskip("httpx")
ccxt_async = pytest.importorskip("ccxt.async_support")

from test_faults import EXPECTED, ORDER  # noqa: E402
from test_fixture_ccxt import CCXT_FAULTS, LINEAR  # noqa: E402
from transport_clients import SENDERS, send  # noqa: E402

from pytest_bybit.clock import real_monotonic  # noqa: E402

#: What each library raises in production, per fault: (classes it is an instance of, a fragment of its text).
RAISED: dict[str, dict[str, tuple[tuple[type[BaseException], ...], str]]] = {
    "aiohttp": {
        "timeout": ((aiohttp.ServerTimeoutError, asyncio.TimeoutError), "Timeout on reading data from socket"),
        "connect_timeout": ((aiohttp.ConnectionTimeoutError, asyncio.TimeoutError), "Connection timeout to host"),
        "connection_reset": ((aiohttp.ClientOSError, OSError), "Connection reset by peer"),
        "ssl_error": ((aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError), "CERTIFICATE_VERIFY_FAILED"),
        "lost_response": ((aiohttp.ServerTimeoutError, asyncio.TimeoutError), "Timeout on reading data from socket"),
    },
    "httpx": {
        "timeout": ((httpx.ReadTimeout,), "timed out"),
        "connect_timeout": ((httpx.ConnectTimeout,), "timed out"),
        "connection_reset": ((httpx.ReadError,), "Connection reset by peer"),
        "ssl_error": ((httpx.ConnectError,), "CERTIFICATE_VERIFY_FAILED"),
        "lost_response": ((httpx.ReadTimeout,), "timed out"),
    },
    "urllib": {
        "timeout": ((TimeoutError,), "timed out"),
        "connect_timeout": ((urllib.error.URLError,), "timed out"),
        "connection_reset": ((ConnectionResetError,), "Connection reset by peer"),
        "ssl_error": ((urllib.error.URLError,), "CERTIFICATE_VERIFY_FAILED"),
        "lost_response": ((TimeoutError,), "timed out"),
    },
}
RAISED["httpx_async"] = RAISED["httpx"]


def _raised(transport: str, name: str, bybit: Any, outcome: Any) -> None:
    kinds, text = RAISED[transport][name]
    assert all(isinstance(outcome, kind) for kind in kinds), repr(outcome)
    assert text in str(outcome), str(outcome)
    if name == "ssl_error" and transport == "urllib":
        assert isinstance(outcome.reason, ssl.SSLCertVerificationError)
    placed = 1 if name == "lost_response" else 0  # a lost response was applied, only the answer is gone
    assert len(bybit.orders) == placed
    record = bybit.requests[0]
    assert record.applied is bool(placed) and record.error is not None


def test_every_transport_maps_every_kind_of_fault() -> None:
    from pytest_bybit.transports import aiohttp_transport, httpx_transport, urllib_transport
    from pytest_bybit.transports.gateway import KINDS

    for module in (aiohttp_transport, httpx_transport, urllib_transport):
        assert set(module.EXCEPTIONS) == set(KINDS), module.__name__


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize("transport", list(SENDERS))
def test_fault_through_every_transport(bybit, transport: str, name: str) -> None:
    bybit.set_price("BTCUSDT", 50000)
    fault = bybit.fault(name)
    sent_ts = int(time.time() * 1000)
    started = real_monotonic()
    try:
        outcome: Any = send(transport, bybit, "POST", "/v5/order/create", ORDER, ts=sent_ts)
    except Exception as exc:  # noqa: BLE001 - each fault says which exception it must be
        outcome = exc
    assert real_monotonic() - started < 1  # delays and timeouts are virtual
    if name in RAISED[transport]:
        _raised(transport, name, bybit, outcome)
    else:
        assert not isinstance(outcome, BaseException), repr(outcome)
        EXPECTED[name](bybit, outcome, sent_ts)
    assert (fault.hits, bybit.requests[0].fault, bybit.injector.fired) == (1, name, [(name, "POST /v5/order/create")])


@pytest.mark.parametrize("transport", list(SENDERS))
def test_plain_http_to_bybit_is_refused_with_the_transport_s_own_error(bybit, transport: str) -> None:
    url = "http://api-testnet.bybit.com/v5/market/time"
    with pytest.raises(Exception) as info:
        outcome = SENDERS[transport](url, {}, "GET", None)
        if asyncio.iscoroutine(outcome):
            asyncio.run(outcome)
    expected = {"aiohttp": aiohttp.ClientConnectorError, "httpx": httpx.ConnectError,
                "httpx_async": httpx.ConnectError, "urllib": urllib.error.URLError}[transport]
    assert isinstance(info.value, expected), repr(info.value)
    assert "pytest-bybit: request to http://api-testnet.bybit.com/v5/market/time blocked: not https" in str(info.value)
    assert len(bybit.unexpected) == 1 and "blocked: not https" in bybit.unexpected[0]
    assert len(bybit.requests) == 0  # nothing reached the exchange
    bybit.unexpected.clear()  # refused on purpose here


@pytest.mark.parametrize("transport", list(SENDERS))
def test_signed_round_trip(bybit, transport: str) -> None:
    """A signed GET and POST, an error code, and the request log, on each transport."""
    bybit.set_price("BTCUSDT", 50000)
    wallet = send(transport, bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"}).json()
    assert wallet["retCode"] == 0 and wallet["result"]["list"][0]["accountType"] == "UNIFIED"
    placed = send(transport, bybit, "POST", "/v5/order/create", {**ORDER, "orderLinkId": f"rt-{transport}"}).json()
    assert placed["retCode"] == 0 and bybit.orders[0]["orderLinkId"] == f"rt-{transport}"
    off_step = send(transport, bybit, "POST", "/v5/order/create", {**ORDER, "qty": "0.0015"}).json()
    assert off_step["retCode"] == 10001
    stale = send(transport, bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"},
                 ts=int(time.time() * 1000) - 60_000).json()
    assert stale["retCode"] == 10002
    assert [(r.method, r.path, r.ret_code) for r in bybit.requests] == [
        ("GET", "/v5/account/wallet-balance", 0),
        ("POST", "/v5/order/create", 0),
        ("POST", "/v5/order/create", 10001),
        ("GET", "/v5/account/wallet-balance", 10002),
    ]


@pytest.mark.parametrize(("fault", "error", "code"), CCXT_FAULTS)
def test_faults_become_ccxt_async_errors(bybit, fault: str, error: str, code: str) -> None:
    bybit.set_price("BTCUSDT", 50000)

    async def main() -> BaseException:
        ex = ccxt_async.bybit({"apiKey": bybit.api_key, "secret": bybit.api_secret})
        ex.set_sandbox_mode(True)
        try:
            await ex.load_markets()
            bybit.fault(fault, endpoint="/v5/order/create")
            await ex.create_order(LINEAR, "limit", "buy", 0.01, 40000)
        except ccxt_async.BaseError as exc:
            return exc
        finally:
            await ex.close()
        raise AssertionError("no error")

    error_raised = asyncio.run(main())
    assert type(error_raised) is getattr(ccxt_async, error)
    assert code in str(error_raised)
    assert len(bybit.orders) == (1 if fault == "lost_response" else 0)
