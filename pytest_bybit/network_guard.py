"""The last line of defence: no socket leaves the machine while ``bybit`` is active.

``responses`` catches everything sent with ``requests`` (pybit, ccxt's sync client). Other
clients (aiohttp and so ccxt.async_support, httpx, websockets, urllib) open sockets of
their own; without this guard a test could place a real order. Name resolution and
connections to anything but loopback and Unix sockets fail with a message that says what
is served instead; local test servers keep working.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any, Callable

_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex
_REAL_GETADDRINFO = socket.getaddrinfo

ADVICE = (
    "only clients built on `requests` are served by the fake exchange (pybit, ccxt's sync "
    "client, requests); aiohttp, httpx, websockets and urllib are blocked so that no test "
    "reaches a real exchange"
)


class BlockedConnection(ConnectionRefusedError):
    """Raised instead of opening a connection that would leave the machine."""


def _is_local(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]")
    if host in ("localhost", "", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class NetworkGuard:
    def __init__(self, on_block: Callable[[str], None]) -> None:
        self.on_block = on_block
        self._installed = False

    def _refuse(self, target: str) -> BlockedConnection:
        message = f"pytest-bybit: connection to {target} blocked: {ADVICE}"
        self.on_block(message)
        return BlockedConnection(message)

    def install(self) -> "NetworkGuard":
        if self._installed:
            return self
        guard = self

        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
                raise guard._refuse(f"{address[0]}:{address[1]}")
            return _REAL_CONNECT(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
                raise guard._refuse(f"{address[0]}:{address[1]}")
            return _REAL_CONNECT_EX(sock, address)

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if not _is_local(host):
                raise guard._refuse(f"{host}:{port} (name resolution)")
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        self._installed = True
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        socket.socket.connect = _REAL_CONNECT  # type: ignore[method-assign]
        socket.socket.connect_ex = _REAL_CONNECT_EX  # type: ignore[method-assign]
        socket.getaddrinfo = _REAL_GETADDRINFO  # type: ignore[assignment]
        self._installed = False
