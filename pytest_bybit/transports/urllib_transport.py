"""``urllib.request`` onto the fake exchange.

No library mocks urllib, and its global opener is not the only way in (``build_opener()``
makes new ones), so the adapter sits on the handler classes every opener instantiates:
``HTTPSHandler.https_open`` (and ``HTTPHandler.http_open``, to refuse plain http with the
same message as the other transports). By then urllib has added its own headers
(``Content-Type``, ``Content-Length``, ``Host``) and ``req.data`` holds the exact bytes it
would send. The answer is parsed by ``http.client.HTTPResponse`` from the bytes a server would send and goes
back through urllib's response processors, so it has the usual API (``status``, ``reason``,
``getheader``) and a non-2xx status becomes ``urllib.error.HTTPError`` as usual.
"""

from __future__ import annotations

import errno
import http.client
import io
import ssl
import urllib.error
import urllib.request
from http import HTTPStatus
from typing import Any, Callable
from urllib.parse import urlsplit

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


#: What urlopen raises for each kind of fault. Failures while connecting come wrapped in
#: URLError (``do_open`` wraps ``h.request``); failures while reading the answer come raw
#: (``h.getresponse()`` is outside that wrapper).
EXCEPTIONS: dict[str, Callable[[str], BaseException]] = {
    READ_TIMEOUT: lambda message: TimeoutError("The read operation timed out"),
    CONNECT_TIMEOUT: lambda message: urllib.error.URLError(TimeoutError("timed out")),
    CONNECTION_RESET: lambda message: ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    SSL_ERROR: lambda message: urllib.error.URLError(ssl.SSLCertVerificationError(1, CERT_VERIFY_FAILED)),
    REFUSED: lambda message: urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, message)),
}


def _body(data: Any) -> bytes:
    if data is None:
        return b""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if hasattr(data, "read"):
        return data.read()
    return b"".join(bytes(chunk) for chunk in data)  # an iterable of bytes, as http.client accepts


class _Wire:
    """Just enough of a socket for ``http.client.HTTPResponse`` to read an answer from."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self._raw)


def _answer(gateway: Gateway, req: urllib.request.Request) -> http.client.HTTPResponse:
    try:
        reply = gateway.serve(req.get_method(), req.full_url, dict(req.header_items()), _body(req.data))
    except TransportFault as fault:
        raise EXCEPTIONS[fault.kind](fault.message) from None
    try:
        reason = HTTPStatus(reply.status).phrase
    except ValueError:
        reason = ""
    head = [f"HTTP/1.1 {reply.status} {reason}", *(f"{k}: {v}" for k, v in reply_headers(reply))]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body_bytes(reply)
    # parsed by http.client itself, then finished as urllib's do_open finishes a response
    response = http.client.HTTPResponse(_Wire(raw), method=req.get_method(), url=req.full_url)  # type: ignore[arg-type]
    response.begin()
    response.url = req.full_url  # type: ignore[attr-defined]
    response.msg = response.reason  # type: ignore[assignment]
    return response


def install(gateway: Gateway) -> Callable[[], None]:
    """Route urllib requests for Bybit REST hosts to ``gateway``; returns the undo."""
    real_https = urllib.request.HTTPSHandler.https_open
    real_http = urllib.request.HTTPHandler.http_open

    def https_open(self: urllib.request.HTTPSHandler, req: urllib.request.Request) -> Any:
        if not is_bybit_rest_host(urlsplit(req.full_url).hostname):
            return real_https(self, req)
        return _answer(gateway, req)

    def http_open(self: urllib.request.HTTPHandler, req: urllib.request.Request) -> Any:
        if not is_bybit_rest_host(urlsplit(req.full_url).hostname):
            return real_http(self, req)
        return _answer(gateway, req)

    urllib.request.HTTPSHandler.https_open = https_open  # type: ignore[method-assign]
    urllib.request.HTTPHandler.http_open = http_open  # type: ignore[method-assign]

    def uninstall() -> None:
        urllib.request.HTTPSHandler.https_open = real_https  # type: ignore[method-assign]
        urllib.request.HTTPHandler.http_open = real_http  # type: ignore[method-assign]

    return uninstall
