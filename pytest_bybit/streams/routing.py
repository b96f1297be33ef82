"""Clients keep Bybit's real stream URLs; the connection lands on the local server.

While ``bybit`` is active, ``wss://<a Bybit stream host>/<path>`` becomes
``ws://127.0.0.1:<port>/<host>/<path>`` inside the client libraries that bots use
(websocket-client, so pybit's ``WebSocket`` / ``WebSocketTrading``; ``websockets``'
asyncio, sync and legacy clients; aiohttp's ``ws_connect``). The original host stays in
the path so the server knows the environment (a testnet key on mainnet is refused).
A WebSocket to any other host is refused with a message naming pytest-bybit.

Only libraries already imported when the fixture starts are patched (bots import them
at module level); the network guard still stops anything else from leaving the machine.
"""

from __future__ import annotations

import functools
import importlib
import sys
from typing import Any, Callable
from urllib.parse import urlsplit

from .. import facts
from ..network_guard import BlockedConnection, _is_local

SERVED = "stream.bybit.com, stream-testnet.bybit.com, stream-demo.bybit.com, stream-demo-testnet.bybit.com, stream.bytick.com and the regional stream hosts"



def _import_or_none(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None

class StreamRefused(BlockedConnection):
    """A WebSocket to a host the fake exchange does not serve."""


class Router:
    """Rewrites WebSocket URLs to ``port()`` (the local server, started on first use)."""

    def __init__(self, port: Callable[[], int], on_refuse: Callable[[str], None]) -> None:
        self._port = port
        self._on_refuse = on_refuse
        self._restore: list[tuple[Any, str, Any]] = []

    def rewrite(self, url: Any) -> Any:
        """The local URL for a Bybit stream URL; loopback URLs unchanged; anything else refused."""
        text = str(url)
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if parts.scheme in ("ws", "wss") and host in facts.ALL_STREAM_HOSTS:
            query = f"?{parts.query}" if parts.query else ""
            return f"ws://127.0.0.1:{self._port()}/{host}{parts.path or '/'}{query}"
        if _is_local(host):
            return url
        message = (
            f"pytest-bybit: WebSocket connection to {text} refused: while `bybit` is active only Bybit's "
            f"stream hosts ({SERVED}) are served, by a local server; point the bot at one of them "
            "(or at your own loopback server)"
        )
        self._on_refuse(message)
        raise StreamRefused(message)

    @staticmethod
    def routed(url: Any) -> bool:
        parts = urlsplit(str(url))
        return parts.scheme in ("ws", "wss") and (parts.hostname or "").lower() in facts.ALL_STREAM_HOSTS

    # -- patching ------------------------------------------------------------------------
    def _wrap(self, owner: Any, attr: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__[attr]
        self._restore.append((owner, attr, original))
        setattr(owner, attr, functools.wraps(original)(make(original)))

    def install(self) -> "Router":
        router = self
        modules = sys.modules
        if "websocket" in modules and hasattr(modules["websocket"], "WebSocket"):
            core = importlib.import_module("websocket._core")

            def make_ws_client(original: Any) -> Any:
                def connect(self: Any, url: str, **options: Any) -> Any:
                    return original(self, router.rewrite(url), **options)

                return connect

            self._wrap(core.WebSocket, "connect", make_ws_client)
            app_cls = getattr(importlib.import_module("websocket._app"), "WebSocketApp", None)
            if app_cls is not None and "create_dispatcher" in app_cls.__dict__:

                def make_dispatcher(original: Any) -> Any:
                    # WebSocketApp picks its (TLS or plain) dispatcher from the wss:// URL it keeps
                    def create_dispatcher(self: Any, ping_timeout: Any, dispatcher: Any = None, is_ssl: bool = False, *args: Any) -> Any:
                        if is_ssl and router.routed(self.url):
                            is_ssl = False
                        return original(self, ping_timeout, dispatcher, is_ssl, *args)

                    return create_dispatcher

                self._wrap(app_cls, "create_dispatcher", make_dispatcher)
        if "websockets" in modules:
            targets = [("websockets.asyncio.client", "connect"), ("websockets.sync.client", "reconnect")]
            if "websockets.legacy.client" in modules:
                targets.append(("websockets.legacy.client", "Connect"))
            for module_name, class_name in targets:
                try:
                    cls = getattr(importlib.import_module(module_name), class_name)
                except (ImportError, AttributeError):
                    continue

                def make_websockets(original: Any) -> Any:
                    def __init__(self: Any, uri: str, *args: Any, **kwargs: Any) -> None:
                        local = router.rewrite(uri)
                        if local != uri:
                            kwargs.pop("ssl", None)  # the local server speaks plain ws://
                            kwargs.pop("server_hostname", None)
                        original(self, local, *args, **kwargs)

                    return __init__

                self._wrap(cls, "__init__", make_websockets)
            sync_client = modules.get("websockets.sync.client") or _import_or_none("websockets.sync.client")
            if sync_client is not None and not hasattr(sync_client, "reconnect") and "connect" in vars(sync_client):
                # websockets 16 (the newest on Python 3.10) has no ``reconnect``: its sync ``connect`` opens the socket

                def make_sync_connect(original: Any) -> Any:
                    def connect(uri: str, *args: Any, **kwargs: Any) -> Any:
                        local = router.rewrite(uri)
                        if local != uri:
                            kwargs.pop("ssl", None)
                            kwargs.pop("server_hostname", None)
                        return original(local, *args, **kwargs)

                    return connect

                self._wrap(sync_client, "connect", make_sync_connect)
        if "aiohttp" in modules and hasattr(modules["aiohttp"], "ClientSession"):
            session_cls = modules["aiohttp"].ClientSession

            def make_aiohttp(original: Any) -> Any:
                async def _ws_connect(self: Any, url: Any, **kwargs: Any) -> Any:
                    local = router.rewrite(url)
                    if local is not url:
                        kwargs.pop("ssl", None)
                        kwargs.pop("server_hostname", None)
                    return await original(self, local, **kwargs)

                return _ws_connect

            self._wrap(session_cls, "_ws_connect", make_aiohttp)
        return self

    def uninstall(self) -> None:
        for owner, attr, original in reversed(self._restore):
            setattr(owner, attr, original)
        self._restore.clear()
