"""aiohttp (and so ``ccxt.async_support``) onto the fake exchange.

aioresponses patches ``ClientSession._request`` and hands its callback the keyword arguments
and a *normalized* URL (query parameters re-sorted and re-encoded): a GET signed over the
query string the bot built would no longer verify, and the body a bot passes as ``json=`` is
not the bytes aiohttp sends. So this adapter sits one layer lower: the connector's
``_create_connection`` gets, for a Bybit REST host, an in-memory transport instead of a
socket. aiohttp itself serializes the request onto it (the exact request line, headers and
body bytes a real connection would carry), and parses the answer with its own HTTP parser,
so keep-alive, ``raise_for_status``, timeouts and exceptions behave as in production. (It
also keeps working across aiohttp releases that change ``ClientResponse``'s constructor, which
aioresponses builds by hand: aioresponses 0.7.9 cannot build a response on aiohttp 3.14.)
Loopback and other hosts (local test servers, ``ws_connect`` to the loopback stream server)
keep the real connector.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
from http import HTTPStatus
from typing import Any, Callable

import aiohttp
from aiohttp.client_proto import ResponseHandler

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



def _ssl_error(key: Any, message: str) -> Exception:
    cause = ssl.SSLCertVerificationError(1, CERT_VERIFY_FAILED)
    return aiohttp.ClientConnectorCertificateError(key, cause)


#: What aiohttp raises for each kind of fault: (connection key, message) -> exception.
EXCEPTIONS: dict[str, Callable[[Any, str], Exception]] = {
    READ_TIMEOUT: lambda key, message: aiohttp.SocketTimeoutError("Timeout on reading data from socket"),
    CONNECT_TIMEOUT: lambda key, message: aiohttp.ConnectionTimeoutError(
        f"Connection timeout to host https://{key.host}:{key.port}"
    ),
    CONNECTION_RESET: lambda key, message: aiohttp.ClientOSError(errno.ECONNRESET, "Connection reset by peer"),
    SSL_ERROR: _ssl_error,
    REFUSED: lambda key, message: aiohttp.ClientConnectorError(key, ConnectionRefusedError(errno.ECONNREFUSED, message)),
}


class _Exchange(asyncio.Transport):
    """A connection to the fake exchange: bytes written are requests, answers are fed back."""

    def __init__(
        self, gateway: Gateway, protocol: ResponseHandler, key: Any, scheme: str, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__()
        self._gateway = gateway
        self._scheme = scheme
        self._protocol = protocol
        self._key = key
        self._loop = loop
        self._buffer = b""
        self._closing = False
        self._reading = True

    # -- writing: parse whole HTTP/1.1 requests out of the stream ----------------------
    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing:
            return
        self._buffer += bytes(data)
        while True:
            parsed = _split_request(self._buffer)
            if parsed is None:
                return
            (method, target, headers, body), self._buffer = parsed
            self._loop.call_soon(self._answer, method, target, headers, body)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        if self._closing:
            return
        # origin-form ("/v5/...") or, for a request sent through an http proxy, absolute-form
        url = target if target.startswith(("http://", "https://")) else f"{self._scheme}://{self._key.host}{target}"
        try:
            reply = self._gateway.serve(method, url, headers, body)
        except TransportFault as fault:
            self._protocol.set_exception(EXCEPTIONS[fault.kind](self._key, fault.message))
            self.close()
            return
        try:
            reason = HTTPStatus(reply.status).phrase
        except ValueError:
            reason = ""
        head = [f"HTTP/1.1 {reply.status} {reason}"]
        head += [f"{name}: {value}" for name, value in reply_headers(reply)]
        body_out = b"" if method == "HEAD" else body_bytes(reply)  # the length is announced, never sent
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body_out
        self._protocol.data_received(raw)

    # -- the rest of the transport interface ---------------------------------------------
    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            if self._loop.is_closed():  # a session collected after its loop ended
                self._protocol.connection_lost(None)
            else:
                self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return (0, 0)

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        return None

    def pause_reading(self) -> None:
        self._reading = False

    def resume_reading(self) -> None:
        self._reading = True

    def is_reading(self) -> bool:
        return self._reading

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername":
            return ("127.0.0.1", self._key.port)
        return default


def _split_request(buffer: bytes) -> tuple[tuple[str, str, dict[str, str], bytes], bytes] | None:
    """One complete request from the front of ``buffer`` and the rest, or None if incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buffer[:end].decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    lower = {k.lower(): v for k, v in headers.items()}
    rest = buffer[end + 4:]
    if lower.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            line_end = rest.find(b"\r\n")
            if line_end < 0:
                return None
            size = int(rest[:line_end].split(b";")[0], 16)
            if len(rest) < line_end + 2 + size + 2:
                return None
            body += rest[line_end + 2: line_end + 2 + size]
            rest = rest[line_end + 2 + size + 2:]
            if size == 0:
                return (method, target, headers, body), rest
    length = int(lower.get("content-length", "0") or 0)
    if len(rest) < length:
        return None
    return (method, target, headers, rest[:length]), rest[length:]


def install(gateway: Gateway) -> Callable[[], None]:
    """Connect aiohttp to ``gateway`` for Bybit REST hosts; returns the undo."""
    real = aiohttp.TCPConnector._create_connection

    async def _create_connection(self: aiohttp.TCPConnector, req: Any, traces: Any, timeout: Any) -> Any:
        if not is_bybit_rest_host(req.url.raw_host):  # through a proxy too: it would reach Bybit
            return await real(self, req, traces, timeout)
        loop = asyncio.get_running_loop()
        protocol = ResponseHandler(loop=loop)
        protocol.connection_made(_Exchange(gateway, protocol, req.connection_key, req.url.scheme, loop))
        return protocol

    aiohttp.TCPConnector._create_connection = _create_connection  # type: ignore[method-assign]

    def uninstall() -> None:
        aiohttp.TCPConnector._create_connection = real  # type: ignore[method-assign]

    return uninstall
