"""The one code path every HTTP client stack shares on its way into the fake exchange.

A transport adapter turns what its client put on the wire (method, URL, headers, raw body
bytes) into a call to :meth:`Gateway.serve`, and turns the answer back into what that client
would receive. Routing, authentication, the clock, faults, invariants and the request log all
live behind this call, exactly as for ``requests`` (``exchange/interceptor.py``), so pybit,
ccxt.async_support, httpx and urllib bots are judged by the same rules.

Faults from the catalog raise ``requests`` exceptions (the client most bots use); the
gateway reduces them to a :class:`TransportFault` with a transport-neutral ``kind``, and each
adapter maps that kind to the exception its own library really raises.
"""

from __future__ import annotations

from typing import Mapping

import requests

from .. import facts
from ..exchange.interceptor import _blocked_message
from ..exchange.server import FakeBybit
from ..exchange.wire import Reply, Request

#: Transport-neutral fault kinds, each adapter maps every one of them.
READ_TIMEOUT = "read_timeout"
CONNECT_TIMEOUT = "connect_timeout"
CONNECTION_RESET = "connection_reset"
SSL_ERROR = "ssl_error"
REFUSED = "refused"
KINDS = (READ_TIMEOUT, CONNECT_TIMEOUT, CONNECTION_RESET, SSL_ERROR, REFUSED)


class TransportFault(Exception):
    """What the network did instead of answering: ``kind`` is one of :data:`KINDS`."""

    def __init__(self, kind: str, message: str, host: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.host = host


def fault_kind(exc: requests.exceptions.RequestException) -> str:
    """The kind of a fault raised as a ``requests`` exception (most specific class first)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return SSL_ERROR
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return CONNECT_TIMEOUT
    if isinstance(exc, requests.exceptions.Timeout):
        return READ_TIMEOUT
    return CONNECTION_RESET


def is_bybit_rest_host(host: str | None) -> bool:
    return (host or "").lower().rstrip(".") in facts.ALL_REST_HOSTS


class Gateway:
    """Serves one request for any transport, or raises :class:`TransportFault`.

    ``unexpected`` is the fixture's list of refusals (shared with the ``requests``
    interceptor), so a refused request fails the test even when the bot swallows the error.
    """

    def __init__(self, exchange: FakeBybit, unexpected: list[str]) -> None:
        self.exchange = exchange
        self.unexpected = unexpected

    def serve(self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None) -> Reply:
        request = Request(method, url, headers, body)
        if request.scheme != "https":
            message = _blocked_message(url, "not https", self.exchange)
            self.unexpected.append(message)
            raise TransportFault(REFUSED, message, request.host)
        try:
            reply = self.exchange.handle(request)
        except requests.exceptions.RequestException as exc:
            raise TransportFault(fault_kind(exc), str(exc), request.host) from exc
        if reply.status == 404:
            self.unexpected.append(
                _blocked_message(url, "no such endpoint (HTTP 404)", self.exchange, request.method, request.path)
            )
        return reply


def body_bytes(reply: Reply) -> bytes:
    return reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body


def reply_headers(reply: Reply) -> list[tuple[str, str]]:
    """The headers a client receives: the exchange's, its content type and length."""
    headers = [(k, v) for k, v in reply.headers.items() if k.lower() not in ("content-type", "content-length")]
    headers.append(("Content-Type", reply.content_type))
    headers.append(("Content-Length", str(len(body_bytes(reply)))))
    return headers
