"""``with bybit.paused():`` — a test's own set-up uses up no fault and breaks no invariant."""

from __future__ import annotations

import textwrap

import pytest
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP


def test_setup_requests_inside_paused_leave_the_fault_for_the_bot(bybit) -> None:
    bybit.fault("insufficient_balance", times=1)
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    with bybit.paused():
        assert bybit.is_paused
        seeded = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.01", price="59000")
    assert seeded["retCode"] == 0 and not bybit.is_paused
    assert bybit.requests.last.paused and bybit.requests.last.fault is None
    with pytest.raises(InvalidRequestError) as err:  # the bot's own order meets the fault
        session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.01", price="58000")
    assert err.value.status_code == 110007 and not bybit.requests.last.paused


def test_paused_nests_and_survives_an_exception(bybit) -> None:
    with pytest.raises(RuntimeError):
        with bybit.paused():
            with bybit.paused():
                pass
            assert bybit.is_paused
            raise RuntimeError("set-up failed")
    assert not bybit.is_paused


INNER = textwrap.dedent(
    """
    import pytest
    from bybit_signing import signed, order

    PAUSED = {paused}

    def test_setup_loops(bybit):
        ctx = bybit.paused() if PAUSED else __import__("contextlib").nullcontext()
        with ctx:
            for _ in range(8):  # the same refused request, over and over: set-up probing
                assert signed(bybit, "POST", "/v5/order/create", order(qty="0.0001")).json()["retCode"] == 10001
    """
)


@pytest.mark.parametrize(("paused", "outcome"), [(True, {"passed": 1}), (False, {"failed": 1})])
def test_invariants_skip_paused_requests(inner, pytester: pytest.Pytester, paused: bool, outcome: dict) -> None:
    pytester.makepyfile(test_inner=INNER.format(paused=paused))
    result = inner("-o", "bybit_max_requests_per_intent=5")
    result.assert_outcomes(**outcome)
    if not paused:
        result.stdout.fnmatch_lines(["*failed attempts at*"])
