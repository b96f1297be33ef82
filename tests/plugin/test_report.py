"""The fault matrix: choosing scenarios (option, ini, marker), the terminal table and its
reproduce lines, the JSON report, and xdist."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from pytest_bybit.scenarios import SCENARIOS

BOTS = """
import time
import pytest, requests
from bybit_signing import server_offset_ms, signed, wallet

def test_public_only(bybit):
    assert requests.get("https://api-testnet.bybit.com/v5/market/time").json()["retCode"] == 0

def test_careful(bybit):
    offset = None
    for attempt in range(5):
        try:
            if offset is None:
                offset = server_offset_ms()
            reply = signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"},
                           ts=time.time() * 1000 + offset)
        except requests.exceptions.RequestException:
            time.sleep(2 ** attempt)
            continue
        body = reply.json()
        if body["retCode"] == 10006:
            time.sleep((int(reply.headers["X-Bapi-Limit-Reset-Timestamp"]) - time.time() * 1000 - offset) / 1000 + 0.05)
            continue
        assert body["retCode"] == 0
        return
    pytest.fail("gave up")

def test_naive(bybit):
    assert wallet(bybit) == 0

def test_broken(bybit):
    assert wallet(bybit) == 42

def test_no_exchange():
    pass
"""

MATRIX = "--bybit-faults=rate_limit_burst,timeout,clock_ahead_2s"
RESULT_KEYS = {"nodeid", "test", "scenario", "outcome", "exercised", "verdict", "reason", "advice", "requests", "virtual_sleep_s"}


def rows(path) -> dict[tuple[str, str | None], dict]:
    data = json.loads(path.read_text())
    return {(r["test"].split("::")[1], r["scenario"]): r for r in data["results"]}


def test_json_report(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bots=BOTS)
    report = pytester.path / "out" / "bybit.json"
    report.parent.mkdir()
    result = inner(MATRIX, f"--bybit-report={report}")
    result.assert_outcomes(passed=9, failed=8)  # 4 bybit tests x (base + 3), plus the plain test
    result.stdout.fnmatch_lines([f"bybit fault report written to {report}"])
    data = json.loads(report.read_text())
    assert set(data) == {"scenarios", "results"}
    assert data["scenarios"] == ["rate_limit_burst", "timeout", "clock_ahead_2s"]
    assert len(data["results"]) == 16
    assert all(set(r) == RESULT_KEYS for r in data["results"])
    by = rows(report)
    assert {test for test, _ in by} == {"test_public_only", "test_careful", "test_naive", "test_broken"}

    outcomes = {key: (r["outcome"], r["exercised"]) for key, r in by.items()}
    assert outcomes == {
        ("test_public_only", None): ("passed", True),
        ("test_public_only", "rate_limit_burst"): ("passed", False),  # its fault is for signed requests
        ("test_public_only", "timeout"): ("failed", True),
        ("test_public_only", "clock_ahead_2s"): ("passed", False),  # it signs nothing: a clock cannot matter
        ("test_careful", None): ("passed", True),
        ("test_careful", "rate_limit_burst"): ("passed", True),
        ("test_careful", "timeout"): ("passed", True),
        ("test_careful", "clock_ahead_2s"): ("passed", True),
        ("test_naive", None): ("passed", True),
        ("test_naive", "rate_limit_burst"): ("failed", True),
        ("test_naive", "timeout"): ("failed", True),
        ("test_naive", "clock_ahead_2s"): ("failed", True),
        ("test_broken", None): ("failed", True),
        ("test_broken", "rate_limit_burst"): ("failed", True),
        ("test_broken", "timeout"): ("failed", True),
        ("test_broken", "clock_ahead_2s"): ("failed", True),
    }

    verdicts = {key: r["verdict"] for key, r in by.items()}
    assert verdicts[("test_broken", None)] == "FAIL"
    assert {verdicts[("test_broken", s)] for s in ("rate_limit_burst", "timeout", "clock_ahead_2s")} == {"not judged"}
    assert verdicts[("test_public_only", "clock_ahead_2s")] == verdicts[("test_public_only", "rate_limit_burst")] == "n/a"
    assert verdicts[("test_careful", "timeout")] == "ok" and verdicts[("test_naive", "timeout")] == "FAIL"

    naive = by[("test_naive", "rate_limit_burst")]
    assert naive["nodeid"] == "test_bots.py::test_naive[bybit:rate_limit_burst]"
    assert naive["test"] == "test_bots.py::test_naive"
    assert naive["reason"] == "assert 10006 == 0 (Bybit answered 10006)"
    assert naive["advice"] == SCENARIOS["rate_limit_burst"].advice
    assert naive["requests"] == 1
    clock = by[("test_naive", "clock_ahead_2s")]
    assert clock["reason"] == "assert 10002 == 0 (Bybit answered 10002)"
    assert clock["advice"].startswith("sign with server time from /v5/market/time")
    timeout = by[("test_public_only", "timeout")]
    assert timeout["reason"].startswith("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api-testnet.bybit.com'")
    careful = by[("test_careful", "timeout")]
    assert careful["requests"] == 3 and careful["virtual_sleep_s"] == 1  # timed out once, slept 2 ** 0
    assert (careful["reason"], careful["advice"]) == ("", "")
    base = by[("test_broken", None)]
    assert (base["scenario"], base["nodeid"]) == (None, "test_bots.py::test_broken[bybit]")
    assert base["reason"] == "assert 0 == 42" and base["advice"] == ""


def test_terminal_table_na_and_reproduce_lines(inner, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    pytester.makepyfile(test_bots=BOTS)
    result = inner(MATRIX)
    result.stdout.fnmatch_lines(
        [
            "*= bybit faults =*",
            "test *base  rate_limit_burst  timeout  clock_ahead_2s",
            "----*",
            "test_bots.py::test_broken *FAIL  n/j *n/j *n/j",
            "test_bots.py::test_careful *ok *ok *ok *ok",
            "test_bots.py::test_naive *ok *FAIL *FAIL *FAIL",
            "test_bots.py::test_public_only  ok *n/a *FAIL *n/a",
            "",
            "survived 3 of 7 scenario runs (n/a: the scenario's fault never hit a request, or the test signs nothing; "
            "n/j: not judged, the test fails without any fault)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "FAIL test_bots.py::test_naive under rate_limit_burst: assert 10006 == 0 (Bybit answered 10006)",
            "     fix: wait until X-Bapi-Limit-Reset-Timestamp*",
            "     reproduce: pytest 'test_bots.py::test_naive[[]bybit:rate_limit_burst[]]' --bybit-faults=rate_limit_burst",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "FAIL test_bots.py::test_broken (no fault): assert 0 == 42",
            "     base failed, scenarios not judged",
            "     reproduce: pytest 'test_bots.py::test_broken[[]bybit[]]' --bybit-faults=all",
        ]
    )
    assert "test_no_exchange" not in "\n".join(line for line in result.outlines if line.startswith("test_bots.py::"))

    # each reproduce line runs exactly the one failing test again
    commands = [line.split("reproduce: ", 1)[1] for line in result.outlines if "reproduce: pytest" in line]
    assert len(commands) == 5  # the base failure once, none for its scenario runs
    for command in (commands[0], next(c for c in commands if c.endswith("=all"))):
        args = shlex.split(command)
        assert args[0] == "pytest"
        again = inner(*args[1:])
        again.assert_outcomes(failed=1)


def test_narrow_terminal_lists_per_test(inner, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    pytester.makepyfile(test_bots=BOTS)
    inner(MATRIX).stdout.fnmatch_lines(
        [
            "test_bots.py::test_careful: base ok",
            "  ok:   rate_limit_burst, timeout, clock_ahead_2s",
            "test_bots.py::test_naive: base ok",
            "  FAIL: rate_limit_burst, timeout, clock_ahead_2s",
        ]
    )


def test_option_alone_runs_every_scenario(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ids="def test_it(bybit):\n    pass\n\ndef test_plain():\n    pass\n")
    result = inner("--bybit-faults", "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == ["test_ids.py::test_it[bybit]", *[f"test_ids.py::test_it[bybit:{name}]" for name in SCENARIOS], "test_ids.py::test_plain"]


def collected(result: pytest.RunResult) -> list[str]:
    return [line.split("::", 1)[1] for line in result.outlines if "::" in line]


def test_ini_twin_and_the_option_overrides_it(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_faults = timeout, clock_behind_7s\n")
    pytester.makepyfile(test_ini="def test_it(bybit):\n    pass\n")
    assert collected(inner("--collect-only", "-q")) == [
        "test_it[bybit]", "test_it[bybit:timeout]", "test_it[bybit:clock_behind_7s]",
    ]
    assert collected(inner("--collect-only", "-q", "--bybit-faults=lost_response")) == [
        "test_it[bybit]", "test_it[bybit:lost_response]",
    ]
    assert collected(inner("--collect-only", "-q", "--bybit-faults=off")) == ["test_it"]


@pytest.mark.parametrize("value", ["all", ""])
def test_ini_all(inner, pytester: pytest.Pytester, value: str) -> None:
    pytester.makeini(f"[pytest]\nbybit_faults = {value}\n")
    pytester.makepyfile(test_ini_all="def test_it(bybit):\n    pass\n")
    ids = collected(inner("--collect-only", "-q"))
    assert len(ids) == (1 + len(SCENARIOS) if value else 1)  # empty: off


def test_unknown_scenario_in_the_ini_is_a_usage_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_faults = timeout,rate_limit_bust\n")
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    result = inner()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown scenario 'rate_limit_bust'*rate_limit_burst*"])


def test_bybit_scenarios_marker(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked="""
        import pytest

        @pytest.mark.bybit_scenarios("timeout", "lost_response")
        def test_only(bybit):
            pass

        @pytest.mark.bybit_scenarios(skip=("timeout", "clock_ahead_2s"))
        def test_skip(bybit):
            pass

        @pytest.mark.bybit_scenarios("timeout", skip=["timeout"])
        def test_nothing_left(bybit):
            pass

        @pytest.mark.bybit_scenarios("lost_response")
        class TestOnClass:
            def test_it(self, bybit):
                pass
        """
    )
    ids = collected(inner("--collect-only", "-q", "--bybit-faults=timeout,clock_ahead_2s,rate_limit_burst"))
    assert ids == [
        "test_only[bybit]",
        "test_only[bybit:timeout]",  # lost_response is not among the selected scenarios
        "test_skip[bybit]",
        "test_skip[bybit:rate_limit_burst]",
        "test_nothing_left[bybit]",
        "TestOnClass::test_it[bybit]",
    ]
    assert collected(inner("--collect-only", "-q")) == ["test_only", "test_skip", "test_nothing_left", "TestOnClass::test_it"]


def test_unknown_name_in_bybit_scenarios(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked_typo="""
        import pytest

        @pytest.mark.bybit_scenarios("timeout", skip=["clock_ahead"])
        def test_it(bybit):
            pass
        """
    )
    result = inner("--bybit-faults")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*bybit_scenarios: unknown scenario(s) clock_ahead*"])


def test_report_without_any_bybit_test(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_none="def test_plain():\n    pass\n")
    report = pytester.path / "report.json"
    result = inner("--bybit-faults=timeout", f"--bybit-report={report}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["no test used the `bybit` fixture", f"bybit fault report written to {report}"])
    assert json.loads(report.read_text()) == {"scenarios": ["timeout"], "results": []}


def test_no_matrix_no_section(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_off="def test_it(bybit):\n    pass\n")
    report = pytester.path / "report.json"
    result = inner(f"--bybit-report={report}")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*bybit faults*")
    assert not report.exists()


def _comparable(path) -> list[tuple]:
    data = json.loads(path.read_text())
    # pybit-free bots: the reasons hold no wall-clock times, so they compare as they are
    return sorted((r["nodeid"], r["scenario"] or "", r["outcome"], r["exercised"], r["reason"], r["requests"]) for r in data["results"])


def test_matrix_under_xdist_matches_the_serial_run(inner, pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_bots=BOTS)
    serial, parallel = pytester.path / "serial.json", pytester.path / "parallel.json"
    inner(MATRIX, f"--bybit-report={serial}").assert_outcomes(passed=9, failed=8)
    result = inner(MATRIX, f"--bybit-report={parallel}", "-n", "2")
    result.assert_outcomes(passed=9, failed=8)
    assert _comparable(parallel) == _comparable(serial)
    assert len(_comparable(parallel)) == 16
    # one summary, from the controller only
    assert sum(1 for line in result.outlines if re.fullmatch(r"=+ bybit faults =+", line)) == 1
    assert sum(1 for line in result.outlines if line.startswith("survived ")) == 1
