"""C extensions imported while freezegun is active must see the real datetime classes.

freezegun replaces ``datetime.datetime`` and ``datetime.date`` in the ``datetime`` module with
its Python subclasses (FakeDatetime, FakeDate), which are bigger objects. A C extension that
is first imported during a test (pandas' ``tslibs``, a bot's ``import pandas`` inside a
function) reads those attributes when it initialises and builds its own types on them as if
they were the C ones: pandas warns "datetime.date size changed" and the interpreter crashes
later, in the garbage collector (pandas-dev/pandas#64023). Python modules are not affected,
and the bot's own time stays virtual: only the extension's initialisation sees the real
classes.
"""

from __future__ import annotations

import datetime as _dt
import importlib.machinery
from typing import Any, Callable

#: Held in a tuple: freezegun rewrites module attributes that point at the real classes.
_REAL_CLASSES = (_dt.datetime, _dt.date)
_Loader = importlib.machinery.ExtensionFileLoader


def _with_real_datetime(load: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def call(loader: Any, arg: Any) -> Any:
        patched = (_dt.datetime, _dt.date)
        if patched == _REAL_CLASSES:
            return load(loader, arg)
        _dt.datetime, _dt.date = _REAL_CLASSES  # type: ignore[misc]
        try:
            return load(loader, arg)
        finally:
            _dt.datetime, _dt.date = patched  # type: ignore[misc]

    call.__wrapped__ = load  # type: ignore[attr-defined]
    return call


class RealDatetimeForExtensions:
    """While installed, every C extension initialises against the real datetime classes."""

    def __init__(self) -> None:
        self._saved: tuple[Any, Any] | None = None

    def install(self) -> None:
        if self._saved is not None:
            return
        self._saved = (_Loader.__dict__["create_module"], _Loader.__dict__["exec_module"])
        _Loader.create_module = _with_real_datetime(self._saved[0])  # type: ignore[method-assign]
        _Loader.exec_module = _with_real_datetime(self._saved[1])  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._saved is None:
            return
        _Loader.create_module, _Loader.exec_module = self._saved  # type: ignore[method-assign]
        self._saved = None
