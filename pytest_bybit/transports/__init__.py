"""One thin adapter per HTTP client stack onto the same fake exchange.

``requests`` (pybit, ccxt) goes through ``responses`` (``exchange/interceptor.py``); aiohttp
(ccxt.async_support), httpx and urllib go through the adapters here. Every adapter feeds
:class:`~pytest_bybit.transports.gateway.Gateway`, so routing, signatures, clocks, faults and
invariants are one code path. An adapter loads only when its library is importable: the
plugin needs none of them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Callable

from .gateway import Gateway

#: (library, adapter module) pairs, installed in this order and removed in reverse.
ADAPTERS: tuple[tuple[str, str], ...] = (
    ("aiohttp", "aiohttp_transport"),
    ("httpx", "httpx_transport"),
    ("urllib.request", "urllib_transport"),
)


def available() -> list[str]:
    """The libraries whose adapter can be installed here."""
    return [library for library, _ in ADAPTERS if importlib.util.find_spec(library.split(".")[0]) is not None]


class Transports:
    """Installs every available adapter for one test; :meth:`uninstall` undoes all of them."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.installed: list[str] = []
        self._undo: list[Callable[[], None]] = []

    def install(self) -> "Transports":
        try:
            for library, module_name in ADAPTERS:
                if library not in available():
                    continue
                module = importlib.import_module(f"{__name__}.{module_name}")
                self._undo.append(module.install(self.gateway))
                self.installed.append(library)
        except BaseException:
            self.uninstall()
            raise
        return self

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()
        self.installed.clear()
