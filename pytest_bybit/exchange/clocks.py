"""Clocks the exchange can keep time with.

The exchange judges timestamps and rate-limit windows on the SERVER's clock. The bot's process
clock may be drifted or frozen by freezegun or time-machine, so the exchange never calls
``time.time()`` at request time: it asks a clock object with ``now_ms()``.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the exchange needs from a clock: the true time in epoch milliseconds."""

    def now_ms(self) -> int: ...


class _Real:
    # Captured at import, before any test freezes time. Kept as class attributes because
    # freezegun rewrites module globals that point at the real functions, not class members;
    # time-machine patches the wall clock at C level but leaves monotonic alone, so wall time is
    # read once here and then advanced by the monotonic clock.
    monotonic_ns = staticmethod(time.monotonic_ns)
    anchor = (time.time_ns(), time.monotonic_ns())


class SystemClock:
    """Real time, immune to freezegun / time-machine patches made after this module was imported."""

    def __init__(self, offset_ms: int = 0) -> None:
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        wall0, mono0 = _Real.anchor
        return (wall0 + _Real.monotonic_ns() - mono0) // 1_000_000 + self.offset_ms


class ManualClock:
    """A clock that moves only when told: rate-limit windows and bans without waiting."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = SystemClock().now_ms() if start_ms is None else int(start_ms)

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: float) -> int:
        """Move forward by ``ms`` milliseconds and return the new time."""
        self._now += int(ms)
        return self._now

    def set(self, now_ms: int) -> None:
        self._now = int(now_ms)
