"""httpx (sync and async) onto the fake exchange, through httpx's own transport API.

``httpx.HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request`` are
the documented seam between an ``httpx.Client`` and the network: every client that does not
bring its own transport ends there, with the request fully built (``request.read()`` is the
exact body bytes, ``request.url`` the exact query string the signature covers). respx would
patch httpcore underneath and add a router this needs none of; patching the two methods
keeps httpx's own exception classes and leaves every other host (loopback test servers) to
the real transport.
"""

from __future__ import annotations

from typing import Callable

import httpx

from ..faults import CERT_VERIFY_FAILED
from .gateway import (
    CONNECT_TIMEOUT,
    CONNECTION_RESET,
    READ_TIMEOUT,
    REFUSED,
    SSL_ERROR,
    Gateway,
    TransportFault,
    body_bytes,
    is_bybit_rest_host,
    reply_headers,
)

#: What httpx raises for each kind of fault (the same classes httpcore's errors become).
EXCEPTIONS: dict[str, Callable[[str, httpx.Request], Exception]] = {
    READ_TIMEOUT: lambda message, request: httpx.ReadTimeout("The read operation timed out", request=request),
    CONNECT_TIMEOUT: lambda message, request: httpx.ConnectTimeout("timed out", request=request),
    CONNECTION_RESET: lambda message, request: httpx.ReadError("[Errno 104] Connection reset by peer", request=request),
    SSL_ERROR: lambda message, request: httpx.ConnectError(CERT_VERIFY_FAILED, request=request),
    REFUSED: lambda message, request: httpx.ConnectError(message, request=request),
}


def _answer(gateway: Gateway, request: httpx.Request, body: bytes) -> httpx.Response:
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    try:
        reply = gateway.serve(request.method, str(request.url), dict(headers), body)
    except TransportFault as fault:
        raise EXCEPTIONS[fault.kind](fault.message, request) from None
    return httpx.Response(reply.status, headers=reply_headers(reply), content=body_bytes(reply), request=request)


def install(gateway: Gateway) -> Callable[[], None]:
    """Route httpx requests for Bybit REST hosts to ``gateway``; returns the undo."""
    real_sync = httpx.HTTPTransport.handle_request
    real_async = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if not is_bybit_rest_host(request.url.host):
            return real_sync(self, request)
        return _answer(gateway, request, request.read())

    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        if not is_bybit_rest_host(request.url.host):
            return await real_async(self, request)
        return _answer(gateway, request, await request.aread())

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]

    def uninstall() -> None:
        httpx.HTTPTransport.handle_request = real_sync  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = real_async  # type: ignore[method-assign]

    return uninstall

