"""The plugin seen from a user's test-suite: inner pytest runs with pytester."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fixture_and_markers_registered_without_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.bybit_fault("server_error", endpoint="/v5/market/time")
        @pytest.mark.bybit_clock(drift=0.5)
        def test_it(bybit):
            data = requests.get("https://api-testnet.bybit.com/v5/market/time").json()
            assert data["retCode"] == 10016
            data = requests.get("https://api-testnet.bybit.com/v5/market/time").json()
            assert data["retCode"] == 0
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_unknown_host_fails_the_test_and_lists_what_is_served(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_leak(bybit):
            try:
                requests.get("https://example.com/api")
            except requests.exceptions.ConnectionError:
                pass  # the bot swallowed it: the test must still fail
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*request to https://example.com/api blocked*api.bybit.com*"])


def test_unknown_path_is_404_and_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        def test_typo(bybit):
            assert requests.get("https://api.bybit.com/v5/market/tikers").status_code == 404

        @pytest.mark.bybit_allow("unexpected_requests")
        def test_on_purpose(bybit):
            assert requests.get("https://api.bybit.com/v5/nope").status_code == 404
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*tikers blocked: no such endpoint (HTTP 404). did you mean GET /v5/market/tickers or*The fake exchange serves*"]
    )


def test_fault_marker_with_pybit_10006_then_ok_costs_no_real_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pybit.unified_trading import HTTP
        from pytest_bybit.clock import real_monotonic as _REAL_MONOTONIC

        @pytest.mark.bybit_fault("rate_limit", times=2)
        def test_it(bybit):
            session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
            started = _REAL_MONOTONIC()
            session.get_wallet_balance(accountType="UNIFIED")
            assert _REAL_MONOTONIC() - started < 1  # real waits would take longer
            assert [r.ret_code for r in bybit.requests] == [10006, 10006, 0]
            assert bybit.clock.slept > 1
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("invalid_key", "*10003*"),
        ("sign_error", "*10004*"),
        ("server_error", "*10016*"),
        ("timeout", "*ReadTimeout*"),
    ],
)
def test_each_foundation_fault_reaches_the_client(pytester: pytest.Pytester, fault: str, expected: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from pybit.unified_trading import HTTP

        @pytest.mark.bybit_fault({fault!r})
        def test_it(bybit):
            session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, max_retries=1)
            session.get_wallet_balance(accountType="UNIFIED")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([expected])


def test_unused_fault_fails_unless_optional(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bybit_fault("rate_limit")
        def test_unused(bybit):
            pass

        @pytest.mark.bybit_fault("rate_limit", optional=True)
        def test_optional(bybit):
            pass

        @pytest.mark.bybit_allow("unused_faults")
        @pytest.mark.bybit_fault("rate_limit")
        def test_allowed(bybit):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*rate_limit (1x on signed endpoints) was never triggered*"])


def test_bad_marker_arguments_are_clear(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bybit_fault("rate_limitt")
        def test_typo(bybit):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*unknown bybit fault 'rate_limitt'*rate_limit*"])
    assert result.ret != 0


def test_faults_list(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--bybit-faults-list")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*rate_limit_burst*", "*clock_ahead_2s*", "*lost_response*"])


def test_unknown_scenario_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(bybit): pass\n")
    result = pytester.runpytest("--bybit-faults=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown scenario 'nope'*rate_limit_burst*"])


def test_scenario_value_that_is_a_test_path_is_given_back(pytester: pytest.Pytester) -> None:
    """`pytest --bybit-faults test_x.py`: the option swallowed the path; it runs as a path, all scenarios."""
    from pytest_bybit.scenarios import SCENARIOS

    pytester.makepyfile(test_x="def test_x(bybit): pass\n")
    result = pytester.runpytest("-p", "no:randomly", "--bybit-faults", "test_x.py")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1 + len(SCENARIOS))


def test_matrix_ids_are_stable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_buy(bybit):
            pass

        def test_plain():
            pass

        @pytest.mark.parametrize("n", [1, 2])
        def test_param(bybit, n):
            pass
        """
    )
    result = pytester.runpytest("--collect-only", "-q", "--bybit-faults=rate_limit_burst,clock_ahead_2s")
    result.stdout.fnmatch_lines(
        [
            "*test_buy[[]bybit[]]",
            "*test_buy[[]bybit:rate_limit_burst[]]",
            "*test_buy[[]bybit:clock_ahead_2s[]]",
            "*test_plain",
            "*test_param[[]bybit:rate_limit_burst-1[]]",
        ]
    )


def _copy_examples(pytester: pytest.Pytester) -> None:
    for bot in ("naive_bot", "resilient_bot"):
        shutil.copytree(EXAMPLES / bot, pytester.path / bot)


def test_examples_matrix(pytester: pytest.Pytester) -> None:
    """The demo's promise: the naive bot fails the scenarios, the resilient bot passes them."""
    _copy_examples(pytester)
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        "naive_bot", "resilient_bot", "--bybit-faults", f"--bybit-report={report}", "-p", "no:cacheprovider",
        "-rN",
    )
    data = json.loads(report.read_text())
    rows = {(r["test"].split("/")[0], r["scenario"]): r for r in data["results"]}
    scenarios = data["scenarios"]
    assert {"rate_limit_burst", "clock_ahead_2s", "clock_behind_7s"} <= set(scenarios)
    for scenario in [None, *scenarios]:
        assert rows[("resilient_bot", scenario)]["outcome"] == "passed", rows[("resilient_bot", scenario)]
    assert rows[("naive_bot", None)]["outcome"] == "passed"
    for scenario in ("rate_limit_burst", "rate_limit_global", "clock_ahead_2s", "clock_behind_7s", "timeout", "lost_response"):
        assert rows[("naive_bot", scenario)]["outcome"] == "failed", scenario
    assert "hammering: POST /v5/order/create retried 4 times at once after 10006" in rows[("naive_bot", "rate_limit_burst")]["reason"]
    assert "10002" in rows[("naive_bot", "clock_ahead_2s")]["reason"]
    result.stdout.fnmatch_lines(
        [
            "*bybit faults*",
            "naive_bot/test_naive.py::test_buy: base ok",
            "  FAIL: rate_limit_burst, rate_limit_global, timeout, *clock_ahead_2s*",
            "resilient_bot/test_resilient.py::test_buy: base ok",
            "  ok:   rate_limit_burst, *lost_response*",
            "*FAIL naive_bot/test_naive.py::test_buy under rate_limit_burst: hammering: * at once after 10006*",
            "*fix: wait until X-Bapi-Limit-Reset-Timestamp*",
            "*reproduce: pytest 'naive_bot/test_naive.py::test_buy[[]bybit:rate_limit_burst[]]' --bybit-faults=rate_limit_burst",
        ]
    )


def test_matrix_table_on_a_wide_terminal(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    _copy_examples(pytester)
    result = pytester.runpytest("naive_bot", "resilient_bot", "--bybit-faults=rate_limit_burst,clock_ahead_2s", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "test * base  rate_limit_burst  clock_ahead_2s*",
            "naive_bot/test_naive.py::test_buy * ok  * FAIL * FAIL*",
            "resilient_bot/test_resilient.py::test_buy * ok  * ok  * ok*",
            "survived 2 of 4 scenario runs*",
        ]
    )


def test_matrix_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    _copy_examples(pytester)
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        "naive_bot", "resilient_bot", "-n", "2", "--bybit-faults=rate_limit_burst,clock_ahead_2s",
        f"--bybit-report={report}", "-p", "no:cacheprovider",
    )
    data = json.loads(report.read_text())
    assert len(data["results"]) == 6
    result.stdout.fnmatch_lines(["*bybit faults*"])


def test_other_hosts_cannot_be_reached_from_any_client(pytester: pytest.Pytester) -> None:
    """aiohttp, urllib, raw sockets: a host that is not Bybit's is blocked while `bybit` is active."""
    pytester.makepyfile(
        """
        import asyncio, socket, urllib.request
        import aiohttp, pytest

        def test_urllib(bybit):
            with pytest.raises(Exception):
                urllib.request.urlopen("https://example.com/", timeout=1)

        def test_aiohttp(bybit):
            async def main():
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://example.com/") as resp:
                        return await resp.text()
            with pytest.raises(Exception):
                asyncio.run(main())

        def test_loopback_still_works(bybit):
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            client = socket.create_connection(server.getsockname(), timeout=1)
            client.close(); server.close()

        def test_no_bybit_no_guard():
            assert socket.getaddrinfo.__module__ == "socket"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*connection to example.com:443 (name resolution) blocked: while `bybit` is active*"])
