"""One thin adapter per HTTP client stack onto the same fake exchange.

``requests`` (pybit, ccxt) goes through ``responses`` (``exchange/interceptor.py``); aiohttp
(ccxt.async_support), httpx and urllib go through the adapters here. Every adapter feeds
:class:`~pytest_bybit.transports.gateway.Gateway`, so routing, signatures, clocks, faults and
invariants are one code path.

An adapter loads only when its library is importable: the plugin needs none of them. A
library the process has not imported yet is not imported for it either (aiohttp alone takes
about half a second): its adapter is installed the moment the test imports it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from typing import Any, Callable, Sequence

from .gateway import Gateway

#: (library, adapter module) pairs, installed in this order and removed in reverse.
ADAPTERS: tuple[tuple[str, str], ...] = (
    ("aiohttp", "aiohttp_transport"),
    ("httpx", "httpx_transport"),
    ("urllib.request", "urllib_transport"),
)
#: Imported for their adapter even when nobody has yet: part of the standard library, cheap.
_ALWAYS_IMPORT = frozenset({"urllib.request"})


def available() -> list[str]:
    """The libraries whose adapter can be installed here."""
    return [library for library, _ in ADAPTERS if _importable(library)]


def _importable(library: str) -> bool:
    top = library.split(".")[0]
    if top in sys.modules and sys.modules[top] is None:
        return False  # import explicitly disabled
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


class Transports:
    """Installs every available adapter for one test; :meth:`uninstall` undoes all of them."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.installed: list[str] = []
        self._undo: list[Callable[[], None]] = []
        self._watcher: _ImportWatcher | None = None

    def install(self) -> "Transports":
        try:
            waiting: dict[str, str] = {}
            for library, module_name in ADAPTERS:
                if sys.modules.get(library) is not None or library in _ALWAYS_IMPORT:
                    self._install(library, module_name)
                elif library in available():
                    waiting[library] = module_name
            if waiting:
                self._watcher = _ImportWatcher(waiting, self._install)
                sys.meta_path.insert(0, self._watcher)
        except BaseException:
            self.uninstall()
            raise
        return self

    def _install(self, library: str, module_name: str) -> None:
        if library in self.installed:
            return
        module = importlib.import_module(f"{__name__}.{module_name}")
        self._undo.append(module.install(self.gateway))
        self.installed.append(library)

    def uninstall(self) -> None:
        if self._watcher is not None:
            if self._watcher in sys.meta_path:
                sys.meta_path.remove(self._watcher)
            self._watcher = None
        while self._undo:
            self._undo.pop()()
        self.installed.clear()


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Installs a library's adapter right after a test imports that library."""

    def __init__(self, waiting: dict[str, str], install: Callable[[str, str], None]) -> None:
        self.waiting = waiting
        self.install = install

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname not in self.waiting:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _ThenInstall(spec.loader, lambda: self.install(fullname, self.waiting.pop(fullname)))
                return spec
        return None


class _ThenInstall(importlib.abc.Loader):
    def __init__(self, loader: Any, after: Callable[[], None]) -> None:
        self.loader = loader
        self.after = after

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        self.after()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)
