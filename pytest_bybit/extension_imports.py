"""Modules first imported while freezegun is active are built on the real datetime classes.

freezegun replaces ``datetime.datetime`` and ``datetime.date`` in the ``datetime`` module with
its Python subclasses (FakeDatetime, FakeDate). A module first imported during a test (a
bot's ``import pandas`` inside a function, the bot module itself imported by a fixture)
builds its types on whatever it finds there:

- a C extension (pandas' ``tslibs``) builds its own types on them as if they were the C ones:
  pandas warns "datetime.date size changed" and the interpreter crashes later, in the
  garbage collector (pandas-dev/pandas#64023);
- a Python module that subclasses them with a metaclass of its own (pydantic v1's
  ``class ConstrainedDate(date, metaclass=ConstrainedNumberMeta)``, which FastAPI imports)
  fails with "metaclass conflict", since FakeDate has freezegun's metaclass.

So a module executes against the real classes; afterwards, the names a Python module bound
to them (``from datetime import datetime``) are pointed at freezegun's, as freezegun itself
does for the modules loaded before it started, so the module's ``datetime.now()`` still
reads the virtual clock. freezegun puts them back when it stops. Classes the module
defined stay subclasses of the real ones, which is what they are outside the test.
"""

from __future__ import annotations

import datetime as _dt
import importlib.machinery
from types import ModuleType
from typing import Any, Callable

#: Held in a tuple: freezegun rewrites module attributes that point at the real classes.
_REAL_CLASSES = (_dt.datetime, _dt.date)
_EXTENSION_LOADER = importlib.machinery.ExtensionFileLoader
_PYTHON_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


class _Importing:
    """freezegun's classes, while an import runs with the real ones in their place."""

    fakes: tuple[Any, Any] | None = None


def _point_at_fakes(module: Any, fakes: tuple[Any, Any]) -> None:
    real_datetime, real_date = _REAL_CLASSES
    fake_datetime, fake_date = fakes
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict):
        return
    for name, value in list(namespace.items()):
        if value is real_datetime:
            namespace[name] = fake_datetime
        elif value is real_date:
            namespace[name] = fake_date


def _with_real_datetime(load: Callable[[Any, Any], Any], python: bool) -> Callable[[Any, Any], Any]:
    def call(loader: Any, arg: Any) -> Any:
        current = (_dt.datetime, _dt.date)
        outermost = current != _REAL_CLASSES
        fakes = current if outermost else _Importing.fakes
        if fakes is None:  # freezegun is not active
            return load(loader, arg)
        if outermost:
            _dt.datetime, _dt.date = _REAL_CLASSES  # type: ignore[misc]
            _Importing.fakes = fakes
        try:
            result = load(loader, arg)
        finally:
            if outermost:
                _dt.datetime, _dt.date = fakes  # type: ignore[misc]
                _Importing.fakes = None
        if python and isinstance(arg, ModuleType):
            _point_at_fakes(arg, fakes)
        return result

    call.__wrapped__ = load  # type: ignore[attr-defined]
    return call


class RealDatetimeForExtensions:
    """While installed, every module first imported initialises against the real datetime
    classes (C extensions and Python modules loaded from files)."""

    def __init__(self) -> None:
        self._saved: list[tuple[type, str, Any]] | None = None

    def install(self) -> None:
        if self._saved is not None:
            return
        saved: list[tuple[type, str, Any]] = []
        for cls, name, python in (
            (_EXTENSION_LOADER, "create_module", False),
            (_EXTENSION_LOADER, "exec_module", False),
            *((loader, "exec_module", True) for loader in _PYTHON_LOADERS),
        ):
            saved.append((cls, name, cls.__dict__.get(name)))  # None: inherited
            setattr(cls, name, _with_real_datetime(getattr(cls, name), python))
        self._saved = saved

    def uninstall(self) -> None:
        if self._saved is None:
            return
        for cls, name, original in reversed(self._saved):
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        self._saved = None
