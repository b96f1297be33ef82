"""The edge: every ``requests`` call in the process goes to the fake, or fails.

A ``responses`` mock catches all methods on every URL. Requests to a Bybit REST host over https
are answered by :meth:`FakeBybit.handle`; loopback URLs (the test's own local servers) go
out for real; anything else raises ``ConnectionError`` and is
remembered in :attr:`Interceptor.unexpected`, so the fixture can fail the test even when the bot
swallowed the exception. Nothing ever leaves the process.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import requests
import responses

from .. import facts
from .server import FakeBybit
from .wire import Request

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
#: Loopback: the test's own local servers, reached for real.
_LOOPBACK = re.compile(r"^https?://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(/|\?|$)", re.IGNORECASE)
_ANY_URL = re.compile(r"^(?!" + _LOOPBACK.pattern[1:] + ").*", re.IGNORECASE)


class Interceptor:
    """Routes Bybit REST traffic made with ``requests`` (pybit, ccxt sync, plain requests) to ``exchange``."""

    def __init__(self, exchange: FakeBybit) -> None:
        self.exchange = exchange
        #: Messages for every blocked request (foreign host or non-https), oldest first.
        self.unexpected: list[str] = []
        self._mock: responses.RequestsMock | None = None

    def start(self) -> Interceptor:
        if self._mock is not None:
            return self
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in _METHODS:
            mock.add_callback(method, _ANY_URL, callback=self._callback, content_type=None)
        mock.add_passthru(_LOOPBACK)
        mock.start()
        self._mock = mock
        return self

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def __enter__(self) -> Interceptor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], Any]:
        url = prepared.url or ""
        request = Request(prepared.method or "GET", url, prepared.headers, prepared.body)
        if request.scheme != "https" or request.host not in facts.ALL_REST_HOSTS:
            reason = "not https" if request.host in facts.ALL_REST_HOSTS else "not a Bybit REST host"
            message = _blocked_message(url, reason, self.exchange)
            self.unexpected.append(message)
            raise requests.exceptions.ConnectionError(message, request=prepared)
        reply = self.exchange.handle(request)
        if reply.status == 404:
            # Bybit answers 404 too, but a path the fake does not serve is almost always a
            # typo or an endpoint the test cannot trust: strict, like pytest-httpx
            self.unexpected.append(
                _blocked_message(url, "no such endpoint (HTTP 404)", self.exchange, request.method, request.path)
            )
        headers = dict(reply.headers)
        headers["Content-Type"] = reply.content_type
        return reply.status, headers, reply.body


def _blocked_message(url: str, reason: str, exchange: FakeBybit, method: str = "", path: str = "") -> str:
    """Say what was refused and what is served; for a wrong path, the closest endpoints."""
    served = [f"{m} {p}" for (m, p) in exchange.routes]
    if path:
        close = difflib.get_close_matches(f"{method} {path}", served, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return (
            f"pytest-bybit: request to {url} blocked: {reason}. {hint}"
            f"The fake exchange serves {len(served)} endpoints: {', '.join(sorted(served))}"
        )
    hosts = ", ".join(h for hosts in facts.REST_HOSTS.values() for h in hosts)
    return (
        f"pytest-bybit: request to {url} blocked: {reason}. Nothing leaves the process: the fake "
        f"exchange answers on https for {hosts}, {len(served)} endpoints: {', '.join(sorted(served))}"
    )
