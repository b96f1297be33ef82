"""pybit's own retry tests (bybit-exchange/pybit tests/test_pybit.py), in spirit, without mocks.

pybit's versions replace ``manager.client.send`` with a ``Mock`` and set ``retry_delay = 0``
(its 10006 test still really sleeps about 2 s). These send unmodified pybit HTTP with its
default retry_delay of 3 s through the ``bybit`` fixture, with faults and a drifted clock,
and must finish with no real sleeping.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest
from pybit._http_manager import _V5HTTPManager
from pybit.exceptions import FailedRequestError
from pybit.unified_trading import HTTP

from pytest_bybit.clock import real_monotonic

REALTIME = "https://api-testnet.bybit.com/v5/order/realtime"
REAL_BUDGET_S = 0.5  # what a scenario may cost in real time (pybit alone sleeps 3-9 s)


@pytest.fixture
def manager(bybit) -> _V5HTTPManager:
    manager = _V5HTTPManager(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    manager._submit_request(method="GET", path="https://api-testnet.bybit.com/v5/market/time", query={}, auth=False)
    bybit.requests.clear()  # warmed up: the timing below is pybit's retrying only
    return manager


def submit(manager: _V5HTTPManager) -> dict:
    return manager._submit_request(method="GET", path=REALTIME, query={"category": "linear", "symbol": "BTCUSDT"}, auth=True)


@contextmanager
def no_real_sleeping(budget: float = REAL_BUDGET_S) -> Iterator[None]:
    started = real_monotonic()
    yield
    elapsed = real_monotonic() - started
    assert elapsed < budget, f"{elapsed:.3f} s of real time"


def test_submit_request_retries_when_retcode_is_retryable(bybit, manager) -> None:
    """pybit: a 10006 (its mock has no headers), then OK; two sends."""
    bybit.fault("rate_limit_no_headers", endpoint="/v5/order/realtime")
    with no_real_sleeping():
        result = submit(manager)
    assert result["retCode"] == 0 and result["result"]["list"] == []
    assert [r.ret_code for r in bybit.requests] == [10006, 0]
    assert bybit.clock.slept == pytest.approx(2.0, abs=0.01)  # pybit's now + 2000 when the header is missing


def test_retry_waits_for_the_reset_header(bybit, manager) -> None:
    bybit.fault("rate_limit", endpoint="/v5/order/realtime", times=2)
    with no_real_sleeping():
        assert submit(manager)["retCode"] == 0
    assert [r.ret_code for r in bybit.requests] == [10006, 10006, 0]
    first, second, third = bybit.requests
    assert second.time_ms >= int(first.reply_headers["X-Bapi-Limit-Reset-Timestamp"])  # waited for the reset
    assert third.time_ms >= int(second.reply_headers["X-Bapi-Limit-Reset-Timestamp"])


def test_submit_request_retries_with_expanded_recv_window_after_10002(bybit, manager) -> None:
    """pybit: a 10002, then OK; the second send carries recv_window 7500."""
    bybit.fault("timestamp_expired", endpoint="/v5/order/realtime")
    with no_real_sleeping():
        assert submit(manager)["retCode"] == 0
    assert [r.headers["x-bapi-recv-window"] for r in bybit.requests] == ["5000", "7500"]
    assert [r.ret_code for r in bybit.requests] == [10002, 0]
    assert bybit.clock.slept == 3.0  # retry_delay


def test_a_slow_clock_is_cured_by_the_growing_recv_window(bybit, manager) -> None:
    bybit.clock.drift = -9  # 9 s behind: 5000 and 7500 are too small, 10000 is enough
    with no_real_sleeping():
        assert submit(manager)["retCode"] == 0
    assert [r.headers["x-bapi-recv-window"] for r in bybit.requests] == ["5000", "7500", "10000"]
    assert [r.ret_code for r in bybit.requests] == [10002, 10002, 0]
    assert bybit.clock.slept == 6.0


@pytest.mark.parametrize("drift", [-12, 2], ids=["slow-12s", "fast-2s"])
def test_10002_retries_run_out(bybit, manager, drift: float) -> None:
    """Too slow for 10000 ms, or fast at all (a recv_window never helps a fast clock)."""
    bybit.clock.drift = drift
    with no_real_sleeping(), pytest.raises(FailedRequestError) as info:
        submit(manager)
    assert (info.value.status_code, info.value.message) == (400, "Bad Request. Retries exceeded maximum.")
    assert [r.ret_code for r in bybit.requests] == [10002, 10002, 10002]
    assert bybit.clock.slept == 9.0  # max_retries=3, each followed by retry_delay


def test_10006_retries_run_out(bybit, manager) -> None:
    bybit.fault("rate_limit", endpoint="/v5/order/realtime", times=3)
    with no_real_sleeping(), pytest.raises(FailedRequestError) as info:
        submit(manager)
    assert (info.value.status_code, info.value.message) == (400, "Bad Request. Retries exceeded maximum.")
    assert [r.ret_code for r in bybit.requests] == [10006, 10006, 10006]


def test_submit_request_returns_response_when_retcode_is_ignored(bybit) -> None:
    """pybit: 110043 in ignore_codes comes back as a result, sent once."""
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, ignore_codes={110043})
    leverage = dict(category="linear", symbol="BTCUSDT", buyLeverage="5", sellLeverage="5")
    assert session.set_leverage(**leverage)["retCode"] == 0
    again = session.set_leverage(**leverage)
    assert again["retCode"] == 110043
    assert [r.ret_code for r in bybit.requests] == [0, 110043]


def test_force_retry_after_a_timeout(bybit) -> None:
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, force_retry=True)
    bybit.fault("timeout", endpoint="/v5/account/wallet-balance")
    session.get_server_time()  # warm up
    with no_real_sleeping():
        assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
    assert bybit.clock.slept == 3.0
    assert [r.error is not None for r in bybit.requests] == [False, True, False]


def test_get_server_time_direct(bybit) -> None:
    """pybit's only network test, served by the fake."""
    resp = HTTP(testnet=True).get_server_time()["result"]
    assert resp["timeSecond"].isdigit() and resp["timeNano"].isdigit()
    assert bybit.requests.last.host == "api-testnet.bybit.com"
