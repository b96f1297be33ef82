"""Property tests for the markers' arguments: whatever a user writes, a fault, a clock marker
or a scenario filter is either accepted with the meaning the docs give it, or refused with a
ValueError that names the parameter. Nothing else escapes, and a refused clock move leaves
the clock where it was."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_bybit import markers
from pytest_bybit.clock import MAX_DRIFT_S, VirtualClock, check_drift
from pytest_bybit.exchange.wire import Request
from pytest_bybit.faults import PARAMETERS, Fault, FaultParameterError
from pytest_bybit.scenarios import SCENARIOS

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["/v5/order/create", "/v5/*", "GET", "post", "x", ""]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def request(path: str = "/v5/order/create", method: str = "POST") -> Request:
    return Request(method, f"https://api-testnet.bybit.com{path}", {}, "{}" if method == "POST" else None)


@PROPS
@given(params=st.dictionaries(st.sampled_from(sorted(PARAMETERS)), ANYTHING, max_size=4))
def test_fault_parameters_are_accepted_as_documented_or_refused_by_name(params: dict[str, Any]) -> None:
    try:
        fault = Fault.create("server_error", **params)
    except FaultParameterError as exc:
        assert str(exc).startswith("bybit_fault('server_error'): ")
        assert any(f"{name} must be" in str(exc) for name in params)
        return
    assert fault.times is None or (isinstance(fault.times, int) and fault.times >= 1)
    assert isinstance(fault.after, int) and fault.after >= 0
    assert fault.every is None or fault.every >= 1
    assert fault.probability is None or 0 < fault.probability <= 1
    assert fault.delay is None or 0 <= fault.delay <= 3600
    assert fault.endpoint is None or fault.endpoint.startswith("/")
    assert isinstance(fault.optional, bool)


@PROPS
@given(
    times=st.one_of(st.none(), st.integers(1, 6)),
    after=st.integers(0, 6),
    every=st.one_of(st.none(), st.integers(1, 4)),
    requests=st.integers(0, 30),
)
def test_an_accepted_fault_fires_where_its_parameters_say(times: int | None, after: int, every: int | None, requests: int) -> None:
    fault = Fault.create("server_error", times=times, after=after, every=every)
    fired = [n for n in range(1, requests + 1) if fault.fires(request())]
    assert all(n > after for n in fired)
    if every is not None:
        assert all((n - after) % every == 0 for n in fired)
    if times is not None:
        assert len(fired) <= times
    expected = [n for n in range(after + 1, requests + 1) if every is None or (n - after) % every == 0]
    assert fired == (expected if times is None else expected[:times])


@PROPS
@given(endpoint=st.sampled_from(["/v5/order/*", "/v5/market/time", "/v5/account/*"]), method=st.sampled_from(["GET", "post"]))
def test_endpoint_and_method_narrow_what_a_fault_hits(endpoint: str, method: str) -> None:
    fault = Fault.create("server_error", endpoint=endpoint, method=method, times=None)
    for path, verb in [("/v5/order/create", "POST"), ("/v5/market/time", "GET"), ("/v5/account/wallet-balance", "GET")]:
        hit = fault.fires(request(path, verb))
        assert hit == (verb == method.upper() and (path == endpoint or (endpoint.endswith("*") and path.startswith(endpoint[:-1]))))


@PROPS
@given(value=ANYTHING)
def test_drift_is_a_bounded_number_or_a_value_error(value: Any) -> None:
    try:
        drift = check_drift(value)
    except ValueError as exc:
        assert "drift must be" in str(exc)
        return
    assert isinstance(drift, float) and math.isfinite(drift) and abs(drift) <= MAX_DRIFT_S
    assert drift == value


@PROPS
@given(seconds=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**13), 10**13)))
def test_a_refused_clock_move_leaves_the_clock_where_it_was(seconds: float) -> None:
    clock = VirtualClock(start=1_800_000_000.0)
    clock.freeze()
    before = clock.server_time()
    try:
        clock.advance(seconds)
    except (OverflowError, ValueError) as exc:
        assert "advance" in str(exc) and clock.server_time() == before
    else:
        assert clock.server_time() == pytest.approx(before + seconds)
    try:
        clock.sleep(seconds)
    except (OverflowError, ValueError) as exc:
        assert "sleep" in str(exc)
    assert clock.slept >= 0 and math.isfinite(clock.slept)


class _Item:
    def __init__(self, *marks: Any) -> None:
        self._marks = [m.mark for m in marks]
        self.nodeid = "test_x.py::test_it"

    def get_closest_marker(self, name: str) -> Any:
        return next((m for m in self._marks if m.name == name), None)

    def iter_markers(self, name: str) -> Any:
        return (m for m in self._marks if m.name == name)


NAMES = st.one_of(st.sampled_from(sorted(SCENARIOS)), st.text(max_size=8), st.integers())


@PROPS
@given(args=st.lists(NAMES, max_size=3), skip=st.one_of(NAMES, st.lists(NAMES, max_size=3), st.none()))
def test_bybit_scenarios_takes_names_or_refuses_them(args: list[Any], skip: Any) -> None:
    kwargs = {} if skip is None else {"skip": skip}
    item = _Item(pytest.mark.bybit_scenarios(*args, **kwargs))
    try:
        only, skipped = markers.scenario_filter(item)  # type: ignore[misc]
    except markers.MarkerError as exc:
        assert str(exc).startswith("bybit_scenarios")
        return
    assert only == set(args) and only <= set(SCENARIOS)
    expected_skip = {skip} if isinstance(skip, str) else set(skip or ())
    assert skipped == expected_skip and skipped <= set(SCENARIOS)


@PROPS
@given(drift=ANYTHING, frozen=ANYTHING, positional=st.booleans())
def test_bybit_clock_marker_takes_a_number_and_a_bool_or_refuses_them(drift: Any, frozen: Any, positional: bool) -> None:
    mark = pytest.mark.bybit_clock(drift, frozen=frozen) if positional else pytest.mark.bybit_clock(drift=drift, frozen=frozen)
    try:
        got_drift, got_frozen = markers.clock(_Item(mark))
    except markers.MarkerError as exc:
        assert str(exc).startswith("bybit_clock")
        return
    assert got_drift == drift and got_frozen is frozen


@PROPS
@given(checks=st.lists(st.one_of(st.sampled_from(["hammering", "duplicate_orders", "unused_faults"]), ANYTHING), max_size=3))
def test_bybit_allow_takes_check_names_or_refuses_them(checks: list[Any]) -> None:
    item = _Item(pytest.mark.bybit_allow(*checks))
    try:
        allowed = markers.allowed(item)
    except markers.MarkerError as exc:
        assert str(exc).startswith("bybit_allow: unknown check(s)")
        return
    assert allowed == set(checks)


def test_the_properties_see_both_outcomes() -> None:
    """The strategies above reach both sides: a sample of accepted and refused values."""
    accepted = Fault.create("server_error", after=0, times=2, endpoint="/v5/*", method="get", delay=0.5)
    assert (accepted.after, accepted.times, accepted.delay) == (0, 2, 0.5)
    with pytest.raises(FaultParameterError):
        Fault.create("server_error", after=True)
    assert markers.clock(_Item(pytest.mark.bybit_clock(-7))) == (-7.0, False)
    with pytest.raises(markers.MarkerError):
        markers.clock(_Item(pytest.mark.bybit_clock(drift=SimpleNamespace())))
