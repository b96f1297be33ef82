"""Two clocks for one test: the exchange's true time and the bot's (possibly drifted) one.

Bybit judges a request's timestamp against *its own* clock, so the fake exchange keeps true
time and only the bot's process sees the drift: a bot that signs with its local clock fails
exactly as it would on Bybit, and a bot that syncs from /v5/market/time passes.

Time is virtual: ``time.sleep`` and ``asyncio.sleep`` move both clocks forward instead of
waiting, so pybit's 3 s retry delays and a bot's exponential backoff cost nothing. Time
also keeps running with the wall clock (a bot polling a deadline without sleeping still
reaches it). freezegun drives the process clock by default; time-machine is the faster
alternative (ini option ``bybit_clock_backend = time-machine``).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import decimal
import math
import numbers
import sys
import threading
import time as _time
from typing import Any, Callable

from .extension_imports import RealDatetimeForExtensions

_REAL_SLEEP = _time.sleep
_REAL_ASYNC_SLEEP = asyncio.sleep
_REAL_MONOTONIC = _time.monotonic
_REAL_PERF_COUNTER = _time.perf_counter
_REAL_TIME = _time.time

BACKENDS = ("freezegun", "time-machine")

#: The largest drift a test may set: a year either way covers every real misconfigured clock.
MAX_DRIFT_S = 366 * 24 * 3600.0
#: Virtual time stops here: datetime cannot go past year 9999, and no bot needs to.
_LATEST = _dt.datetime(9000, 1, 1, tzinfo=_dt.timezone.utc).timestamp()


def _seconds(value: Any, what: str) -> float:
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, (numbers.Real, decimal.Decimal)):
        raise TypeError(f"{what} must be a number of seconds, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{what} must be a number of seconds, got NaN")
    return value


def check_drift(value: Any) -> float:
    """A drift in seconds, or a ValueError that says what is allowed."""
    try:
        drift = _seconds(value, "drift")
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    if not -MAX_DRIFT_S <= drift <= MAX_DRIFT_S:
        raise ValueError(
            f"drift must be within +/-{MAX_DRIFT_S:g} s (a year), got {value!r}: a real clock is off by seconds or minutes"
        )
    return drift


def real_monotonic() -> float:
    """Wall-clock seconds that no clock patch touches: for measuring real cost in tests."""
    return _REAL_MONOTONIC()

#: (module name, attribute) pairs known to hold the real ``time.sleep`` / ``asyncio.sleep``,
#: so later tests only scan modules imported since (the full scan is the slow part).
_sleep_refs: set[tuple[str, str, int]] = set()
_scanned_modules: set[str] = set()


def _scan_for(originals: dict[int, str]) -> None:
    for name, module in list(sys.modules.items()):
        if name in _scanned_modules or module is None:
            continue
        _scanned_modules.add(name)
        if name.startswith(("pytest_bybit.clock", "asyncio.", "_pytest.", "pluggy")) or name == "time":
            continue
        try:
            attrs = vars(module)
        except TypeError:
            continue
        for attr, value in list(attrs.items()):
            kind = originals.get(id(value))
            if kind is not None:
                _sleep_refs.add((name, attr, id(value)))


#: The clock installed now. Patched names point at the dispatchers below, not at one clock's
#: bound methods, so a module that binds ``from time import sleep`` while a test runs (an
#: import inside the test) keeps a sleep that is real again after the test and that follows
#: the next test's clock.
_active: "VirtualClock | None" = None


def _virtual_sleep(seconds: float) -> None:
    clock = _active
    if clock is None:
        return _REAL_SLEEP(seconds)
    return clock.sleep(seconds)


async def _virtual_async_sleep(delay: float, result: Any = None) -> Any:
    clock = _active
    if clock is None:
        return await _REAL_ASYNC_SLEEP(delay, result)
    return await clock.async_sleep(delay, result)


class VirtualClock:
    """True (exchange) time plus a drift for the bot's process; sleeping is virtual.

    ``server_ms()`` is what the exchange uses; the process clock (``time.time()`` while the
    clock is installed) is ``server + drift``.
    """

    def __init__(self, drift: float = 0.0, backend: str = "freezegun", start: float | None = None) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"bybit_clock_backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.backend = backend
        self._drift = check_drift(drift)
        self._base = _REAL_TIME() if start is None else float(start)  # true time at the anchor
        self._anchor = _REAL_MONOTONIC()  # real monotonic time at the anchor
        self._frozen = False
        self.slept = 0.0  # total virtual sleeping, for reports
        self.sleeps = 0
        self._owner = threading.current_thread()
        self._patcher: Any = None
        self._factory: Any = None
        self._installed = False
        self._restore: list[tuple[Any, str, Any]] = []
        self._previous_active: VirtualClock | None = None
        #: Called before time jumps (``advance``, virtual sleeps): the stream server reads
        #: what bots sent before the jump, so it is judged at the right time. Returns True
        #: when it processed new traffic.
        self.listeners: list[Callable[[], bool | None]] = []
        self._extensions = RealDatetimeForExtensions()

    # -- reading -----------------------------------------------------------------------
    def server_time(self) -> float:
        """Seconds since the epoch on the exchange's (true) clock."""
        if self._frozen:
            return self._base
        return self._base + (_REAL_MONOTONIC() - self._anchor)

    def server_ms(self) -> int:
        return int(self.server_time() * 1000)

    now_ms = server_ms  # the exchange's name for it

    def process_time(self) -> float:
        """What ``time.time()`` returns to the bot."""
        return self.server_time() + self._drift

    @property
    def drift(self) -> float:
        """Seconds the bot's clock runs ahead of the exchange (negative: behind)."""
        return self._drift

    @drift.setter
    def drift(self, seconds: float) -> None:
        self._drift = check_drift(seconds)
        self._sync()

    @property
    def frozen(self) -> bool:
        return self._frozen

    # -- moving ------------------------------------------------------------------------
    def _rebase(self) -> None:
        self._base = self.server_time()
        self._anchor = _REAL_MONOTONIC()

    def advance(self, seconds: float) -> None:
        """Move both clocks forward (a negative value moves them back)."""
        self._move(_seconds(seconds, "advance(seconds)"), "advance")

    def _move(self, seconds: float, what: str) -> None:
        target = self.server_time() + seconds
        if not (0 <= target + min(self._drift, 0) and target + max(self._drift, 0) <= _LATEST):
            raise OverflowError(
                f"{what}({seconds:g}) would move the clock to {target:.0f} s since 1970, outside "
                "1970 to year 9000: check the number of seconds"
            )
        for listener in self.listeners:
            listener()
        self._rebase()
        self._base += seconds
        self._sync()

    def freeze(self) -> None:
        """Stop time: it moves only by ``advance`` and sleeping."""
        self._rebase()
        self._frozen = True
        self._sync(restart=True)

    def unfreeze(self) -> None:
        self._rebase()
        self._frozen = False
        self._sync(restart=True)

    def sleep(self, seconds: float) -> None:
        """``time.sleep`` while installed: as strict as the real one, but instant."""
        if threading.current_thread() is not self._owner:
            _REAL_SLEEP(seconds)  # background threads (websocket loops) keep real time
            return
        seconds = _seconds(seconds, "time.sleep()")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self._move(seconds, "time.sleep")
        self.sleeps += 1
        self.slept += seconds

    async def async_sleep(self, delay: float, result: Any = None) -> Any:
        delay = max(_seconds(delay, "asyncio.sleep()"), 0.0)  # asyncio.sleep accepts negative delays
        if threading.current_thread() is self._owner:
            # Real I/O runs beside the virtual clock (the stream server): let it land, and this
            # loop read the answers (a pong, a close), before time jumps past their timeouts.
            # A listener returns True when it saw new traffic (another task's ping, sent while
            # this one yielded): time jumps only once a round passes quietly.
            for round_ in range(8 if self.listeners else 0):
                busy = [listener() for listener in self.listeners]
                if round_ and not any(busy):
                    break
                for _ in range(3):
                    await _REAL_ASYNC_SLEEP(0)
            self._move(delay, "asyncio.sleep")
            self.sleeps += 1
            self.slept += delay
        return await _REAL_ASYNC_SLEEP(0, result)

    # -- installing --------------------------------------------------------------------
    def _process_datetime(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.process_time(), tz=_dt.timezone.utc).replace(tzinfo=None)

    def _sync(self, restart: bool = False) -> None:
        """Point the backend at the current process time."""
        if not self._installed:
            return
        if self.backend == "freezegun":
            if restart:
                self._stop_backend()
                self._start_backend()
            else:
                self._factory.move_to(self._process_datetime())
        else:
            self._factory.move_to(self._process_datetime().replace(tzinfo=_dt.timezone.utc), tick=not self._frozen)

    def _start_backend(self) -> None:
        if self.backend == "freezegun":
            import freezegun

            self._extensions.install()
            self._patcher = freezegun.freeze_time(
                self._process_datetime(), tick=not self._frozen, ignore=["pytest_bybit.clock", "pytest_bybit.extension_imports", "_pytest.timing"]
            )
        else:
            import time_machine

            self._patcher = time_machine.travel(
                self._process_datetime().replace(tzinfo=_dt.timezone.utc), tick=not self._frozen
            )
        self._factory = self._patcher.start()

    def _stop_backend(self) -> None:
        if self._patcher is not None:
            self._patcher.stop()
            self._patcher = None
            self._factory = None
        self._extensions.uninstall()

    def install(self) -> "VirtualClock":
        """Patch the process clock and every reference to ``time.sleep`` / ``asyncio.sleep``."""
        global _active
        if self._installed:
            return self
        self._owner = threading.current_thread()
        self._installed = True
        self._previous_active, _active = _active, self
        self._start_backend()
        originals = {id(_REAL_SLEEP): "sleep", id(_REAL_ASYNC_SLEEP): "async"}
        _scan_for(originals)
        replacements: dict[int, Callable[..., Any]] = {
            id(_REAL_SLEEP): _virtual_sleep,
            id(_REAL_ASYNC_SLEEP): _virtual_async_sleep,
        }
        targets: list[tuple[Any, str, Any]] = [(_time, "sleep", _REAL_SLEEP), (asyncio, "sleep", _REAL_ASYNC_SLEEP)]
        import asyncio.tasks as _tasks

        targets.append((_tasks, "sleep", _REAL_ASYNC_SLEEP))
        for module_name, attr, ident in list(_sleep_refs):
            module = sys.modules.get(module_name)
            if module is None:
                continue
            current = getattr(module, attr, None)
            if current is not None and id(current) == ident:
                targets.append((module, attr, current))
        if self.backend == "time-machine":
            # time-machine leaves monotonic clocks alone; a bot's monotonic deadline must
            # still see virtual sleeps, or a sleep-until-deadline loop would never end
            start_mono, start_perf = _REAL_MONOTONIC(), _REAL_PERF_COUNTER()
            start_server = self.server_time()
            targets.append((_time, "monotonic", _REAL_MONOTONIC))
            targets.append((_time, "perf_counter", _REAL_PERF_COUNTER))
            monotonic = lambda: start_mono + (self.server_time() - start_server)  # noqa: E731
            perf = lambda: start_perf + (self.server_time() - start_server)  # noqa: E731
            replacements[id(_REAL_MONOTONIC)] = monotonic
            replacements[id(_REAL_PERF_COUNTER)] = perf
        for module, attr, original in targets:
            replacement = replacements.get(id(original))
            if replacement is None:
                continue
            self._restore.append((module, attr, original))
            setattr(module, attr, replacement)
        return self

    def uninstall(self) -> None:
        global _active
        if not self._installed:
            return
        if _active is self:
            _active = self._previous_active
        for module, attr, original in reversed(self._restore):
            setattr(module, attr, original)
        self._restore.clear()
        self._stop_backend()
        self._installed = False

    def __enter__(self) -> "VirtualClock":
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    def __repr__(self) -> str:
        state = "frozen" if self._frozen else "running"
        return f"<VirtualClock drift={self._drift:+.3f}s {state} slept={self.slept:.3f}s backend={self.backend}>"
