"""The markers' arguments, checked before a test starts so a typo is an error that names the
test and the argument, never a traceback from inside the exchange halfway through the test.
"""

from __future__ import annotations

from typing import Any, Iterable

import pytest

from . import invariants
from .clock import MAX_DRIFT_S, check_drift
from .faults import Fault
from .scenarios import SCENARIOS


class MarkerError(ValueError):
    """A marker used with arguments it does not take."""


def faults(item: pytest.Item) -> list[Fault]:
    """The ``bybit_fault`` markers of a test, module ones first, then class, then the test's."""
    found = []
    for marker in reversed(list(item.iter_markers("bybit_fault"))):
        if not marker.args:
            raise MarkerError("bybit_fault needs a fault name, e.g. @pytest.mark.bybit_fault('rate_limit')")
        if len(marker.args) > 1:
            raise MarkerError(
                f"bybit_fault({marker.args[0]!r}) takes one positional argument, the fault name; "
                f"pass the rest by name (times=, endpoint=, ...), got {marker.args[1:]!r}"
            )
        found.append(Fault.create(marker.args[0], origin="marker", **marker.kwargs))
    return found


def clock(item: pytest.Item) -> tuple[float, bool]:
    """``(drift, frozen)`` from the closest ``bybit_clock`` marker (``(0.0, False)`` without one)."""
    marker = item.get_closest_marker("bybit_clock")
    if marker is None:
        return 0.0, False
    unknown = set(marker.kwargs) - {"drift", "frozen"}
    if unknown:
        raise MarkerError(f"bybit_clock: unknown parameter(s) {', '.join(sorted(unknown))}; use drift=, frozen=")
    if len(marker.args) > 1:
        raise MarkerError(f"bybit_clock takes at most one positional argument, the drift in seconds; got {marker.args!r}")
    if marker.args and "drift" in marker.kwargs:
        raise MarkerError("bybit_clock: the drift is given twice (positional and drift=)")
    drift = marker.args[0] if marker.args else marker.kwargs.get("drift", 0.0)
    try:
        drift = check_drift(drift)
    except ValueError as exc:
        raise MarkerError(f"bybit_clock: {exc}") from None
    frozen = marker.kwargs.get("frozen", False)
    if not isinstance(frozen, bool):
        raise MarkerError(f"bybit_clock: frozen must be True or False, got {frozen!r}")
    return drift, frozen


def allowed(item: pytest.Item) -> set[str]:
    """The invariant checks a test switched off with ``bybit_allow``."""
    found: set[str] = set()
    for marker in item.iter_markers("bybit_allow"):
        if marker.kwargs:
            raise MarkerError(f"bybit_allow takes check names only, got {', '.join(marker.kwargs)}=")
        unknown = [n if isinstance(n, str) else repr(n) for n in marker.args if n not in invariants.CHECKS]
        if unknown:
            raise MarkerError(
                f"bybit_allow: unknown check(s) {', '.join(sorted(unknown))}; known: {', '.join(invariants.CHECKS)}"
            )
        found |= set(marker.args)
    return found


def _names(value: Any, where: str) -> list[str]:
    names: Iterable[Any] = (value,) if isinstance(value, str) else value
    try:
        names = list(names)
    except TypeError:
        raise MarkerError(f"{where}: give scenario names as strings, got {value!r}") from None
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise MarkerError(f"{where}: give scenario names as strings, got {bad[0]!r}")
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise MarkerError(
            f"bybit_scenarios: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}"
        )
    return names


def scenario_filter(item: Any) -> tuple[set[str], set[str]] | None:
    """``(only, skip)`` from the closest ``bybit_scenarios`` marker, or None without one."""
    marker = item.get_closest_marker("bybit_scenarios")
    if marker is None:
        return None
    unknown = set(marker.kwargs) - {"skip"}
    if unknown:
        raise MarkerError(f"bybit_scenarios: unknown parameter(s) {', '.join(sorted(unknown))}; use skip=")
    only = set(_names(marker.args, "bybit_scenarios"))
    skip = set(_names(marker.kwargs.get("skip", ()), "bybit_scenarios(skip=...)"))
    return only, skip


__all__ = ["MAX_DRIFT_S", "MarkerError", "allowed", "clock", "faults", "scenario_filter"]
