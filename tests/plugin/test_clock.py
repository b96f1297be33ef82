"""The clocks: a drifted process clock against the exchange's true one, freezing, and virtual
sleeping everywhere (time.sleep, ``from time import sleep``, pybit's retries, asyncio), on
both backends; and tests without ``bybit`` keep the real clock."""

from __future__ import annotations

import json

import pytest

#: Checks that must hold on either backend (inner test module).
DRIFT_AND_SLEEP = """
import asyncio, time
from time import sleep as imported_sleep

import pytest
from bybit_signing import server_offset_ms, signed, wallet
from pytest_bybit.clock import real_monotonic


@pytest.mark.bybit_clock(drift=2)
@pytest.mark.parametrize("recv_window", [5000, 10000, 60000])
def test_fast_clock_fails_whatever_recv_window(bybit, recv_window):
    reply = signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"}, recv_window=recv_window).json()
    assert reply["retCode"] == 10002
    assert f"recv_window[{recv_window}]" in reply["retMsg"]


@pytest.mark.bybit_clock(drift=2)
def test_fast_clock_synced_from_market_time_passes(bybit):
    offset = server_offset_ms()
    assert -2100 < offset < -1900
    assert wallet(bybit, ts=time.time() * 1000 + offset) == 0


@pytest.mark.bybit_clock(drift=-7)
def test_slow_clock_needs_a_larger_recv_window(bybit):
    assert wallet(bybit, recv_window=5000) == 10002
    assert wallet(bybit, recv_window=10000) == 0


def test_drift_changed_during_the_test(bybit, bybit_clock):
    assert wallet(bybit) == 0
    before = time.time()
    bybit_clock.drift = 3
    assert 2.9 < time.time() - before < 3.5
    assert wallet(bybit) == 10002
    bybit_clock.drift = -3
    assert wallet(bybit) == 0
    assert wallet(bybit, recv_window=2000) == 10002
    bybit_clock.drift = 0
    assert wallet(bybit, recv_window=2000) == 0


def test_virtual_sleep(bybit):
    started = real_monotonic()
    wall, mono = time.time(), time.monotonic()
    time.sleep(3600)
    imported_sleep(60)
    assert real_monotonic() - started < 0.5
    assert 3660 <= time.time() - wall < 3661
    assert 3660 <= time.monotonic() - mono < 3661
    assert bybit.clock.slept == 3660 and bybit.clock.sleeps == 2
    assert wallet(bybit) == 0  # the exchange moved with it: no 10002 after sleeping


def test_asyncio_sleep_inside_asyncio_run(bybit):
    from asyncio import sleep as async_sleep

    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(30)
        await async_sleep(30, result=None)
        return loop.time() - start

    started, wall = real_monotonic(), time.time()
    assert asyncio.run(main()) >= 60
    assert real_monotonic() - started < 0.5
    assert time.time() - wall >= 60
    assert bybit.clock.slept == 60


def test_negative_sleep_raises_like_the_real_one(bybit):
    with pytest.raises(ValueError, match="^sleep length must be non-negative$"):
        time.sleep(-0.5)
    assert bybit.clock.slept == 0
"""


def test_drift_and_virtual_sleep_with_freezegun(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drift_freezegun=DRIFT_AND_SLEEP + "\n\ndef test_backend(bybit):\n    assert bybit.clock.backend == 'freezegun'\n")
    inner("-v").assert_outcomes(passed=10)


def test_time_machine_backend_from_the_ini_file(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_clock_backend = time-machine\n")
    pytester.makepyfile(
        test_drift_time_machine=DRIFT_AND_SLEEP + "\n\ndef test_backend(bybit):\n    assert bybit.clock.backend == 'time-machine'\n"
    )
    inner("-v").assert_outcomes(passed=10)


def test_time_machine_backend_from_pyproject(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nbybit_clock_backend = "time-machine"\n')
    pytester.makepyfile(
        test_pyproject_backend="""
        import time
        import pytest

        @pytest.mark.bybit_clock(drift=-7)
        def test_it(bybit):
            assert bybit.clock.backend == "time-machine"
            assert abs(time.time() - bybit.clock.server_time() + 7) < 0.5
        """
    )
    inner().assert_outcomes(passed=1)


@pytest.mark.parametrize("maker", ["makeini", "makepyprojecttoml"])
def test_invalid_backend_is_a_usage_error(inner, pytester: pytest.Pytester, maker: str) -> None:
    if maker == "makeini":
        pytester.makeini("[pytest]\nbybit_clock_backend = chronos\n")
    else:
        pytester.makepyprojecttoml('[tool.pytest.ini_options]\nbybit_clock_backend = "chronos"\n')
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    result = inner()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bybit_clock_backend = 'chronos': use one of freezegun, time-machine*"])


def test_freeze_and_advance(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_freeze="""
        import time
        import pytest
        from pytest_bybit.clock import real_monotonic

        def busy(seconds):
            end = real_monotonic() + seconds
            while real_monotonic() < end:
                pass

        def test_freeze_stops_time_but_sleep_still_advances(bybit, bybit_clock):
            bybit_clock.freeze()
            assert bybit_clock.frozen
            t0, server0 = time.time(), bybit_clock.server_ms()
            busy(0.05)
            assert time.time() == t0 and bybit_clock.server_ms() == server0
            time.sleep(5)
            assert time.time() == pytest.approx(t0 + 5, abs=1e-3)
            assert bybit_clock.server_ms() == server0 + 5000
            bybit_clock.advance(10)
            assert time.time() == pytest.approx(t0 + 15, abs=1e-3)
            bybit_clock.unfreeze()
            busy(0.05)
            assert time.time() > t0 + 15.04

        def test_advance_moves_both_clocks_while_running(bybit, bybit_clock):
            t0, server0 = time.time(), bybit_clock.server_ms()
            bybit_clock.advance(120)
            assert 120 <= time.time() - t0 < 120.5
            assert 120000 <= bybit_clock.server_ms() - server0 < 120500
            assert bybit_clock.slept == 0  # advancing is not sleeping

        @pytest.mark.bybit_clock(frozen=True, drift=1.5)
        def test_frozen_marker(bybit, bybit_clock):
            assert bybit_clock.frozen and bybit_clock.drift == 1.5
            t0 = time.time()
            busy(0.05)
            assert time.time() == t0
            assert t0 == pytest.approx(bybit_clock.server_ms() / 1000 + 1.5, abs=1e-3)

        @pytest.mark.bybit_clock(-4)
        def test_drift_as_a_positional_argument(bybit_clock):
            assert bybit_clock.drift == -4
        """
    )
    inner("-v").assert_outcomes(passed=4)


def test_sleep_is_virtual_in_every_module(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        mybot="""
        import time
        from time import sleep
        from time import sleep as pause

        def backoff(attempts):
            for n in range(attempts):
                sleep(2 ** n)

        def wait():
            pause(7)
            time.sleep(3)
        """,
        test_everywhere="""
        from time import sleep

        from pybit.unified_trading import HTTP
        import pytest
        import mybot
        from pytest_bybit.clock import real_monotonic

        def test_user_modules(bybit):
            started = real_monotonic()
            mybot.backoff(6)  # 1 + 2 + ... + 32
            mybot.wait()
            sleep(100)
            assert real_monotonic() - started < 0.2
            assert bybit.clock.slept == 63 + 10 + 100 and bybit.clock.sleeps == 9

        @pytest.mark.bybit_fault("rate_limit_no_headers", endpoint="/v5/account/wallet-balance", times=2)
        def test_pybit_10006_retry_sleeps(bybit):
            session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
            session.get_server_time()  # warm up outside the measurement
            started = real_monotonic()
            assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
            assert real_monotonic() - started < 0.5  # pybit alone would sleep seconds
            assert bybit.clock.slept == pytest.approx(4.0, abs=0.01)  # twice pybit's now + 2000 default

        @pytest.mark.bybit_clock(drift=-9)
        def test_pybit_10002_retry_sleeps(bybit):
            session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
            session.get_server_time()
            started = real_monotonic()
            assert session.get_wallet_balance(accountType="UNIFIED")["retCode"] == 0
            assert real_monotonic() - started < 0.5  # pybit alone would sleep seconds
            assert [r.ret_code for r in bybit.requests][1:] == [10002, 10002, 0]
            assert bybit.clock.slept == 6.0  # two retry_delay of 3 s
        """,
    )
    inner("-v").assert_outcomes(passed=3)


def test_tests_without_bybit_keep_the_real_clock(inner, pytester: pytest.Pytester) -> None:
    """The clock is installed for `bybit` tests only and fully removed after each."""
    pytester.makepyfile(
        lazybot="""
        from time import sleep

        def nap(seconds):
            sleep(seconds)
        """,
        test_real_clock="""
        import asyncio, os, tempfile, time
        import pytest
        import pytest_bybit.clock as clock
        from pytest_bybit.clock import real_monotonic

        def kernel_now():
            with tempfile.NamedTemporaryFile() as f:
                return os.fstat(f.fileno()).st_mtime

        def assert_real():
            assert time.sleep is clock._REAL_SLEEP and asyncio.sleep is clock._REAL_ASYNC_SLEEP
            assert time.monotonic is clock._REAL_MONOTONIC and time.time is clock._REAL_TIME
            assert abs(time.time() - kernel_now()) < 1
            started = real_monotonic()
            time.sleep(0.03)
            assert real_monotonic() - started >= 0.025

        @pytest.mark.bybit_clock(drift=3600)
        def test_1_drifted(bybit):
            import lazybot  # first imported while the clock is installed
            assert time.time() - kernel_now() > 3500
            lazybot.nap(1000)
            assert bybit.clock.slept == 1000

        def test_2_plain():
            assert_real()
            import lazybot
            started = real_monotonic()
            lazybot.nap(0.03)  # bound while patched, real again now
            assert real_monotonic() - started >= 0.025

        def test_3_next_clock(bybit):
            import lazybot
            lazybot.nap(50)
            assert bybit.clock.slept == 50  # follows this test's clock, not the first one's

        def test_4_plain_again():
            assert_real()
        """,
    )
    inner("-v", "-p", "no:randomly").assert_outcomes(passed=4)


def test_pytest_durations_stay_real(inner, pytester: pytest.Pytester) -> None:
    """Virtual sleeps and the epoch-based fake clocks must not leak into pytest's own timing."""
    pytester.makeconftest(
        """
        import json

        def pytest_runtest_logreport(report):
            with open("durations.jsonl", "a") as f:
                f.write(json.dumps([report.nodeid, report.when, report.duration]) + "\\n")
        """
    )
    pytester.makepyfile(
        test_timed="""
        import time
        import pytest

        @pytest.mark.bybit_clock(drift=-5)
        def test_sleeps_an_hour(bybit):
            time.sleep(3600)

        def test_plain():
            pass
        """
    )
    for backend in ("freezegun", "time-machine"):
        (pytester.path / "durations.jsonl").unlink(missing_ok=True)
        inner("-o", f"bybit_clock_backend={backend}").assert_outcomes(passed=2)
        rows = [json.loads(line) for line in (pytester.path / "durations.jsonl").read_text().splitlines()]
        assert len(rows) == 6
        for nodeid, when, duration in rows:
            assert 0 <= duration < 5, (backend, nodeid, when, duration)
