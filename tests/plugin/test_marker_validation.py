"""Markers, fixture methods and options with bad arguments fail before the test runs, with a
message naming the test, the marker and the argument, never a traceback from inside the
exchange halfway through the test."""

from __future__ import annotations

import json

import pytest

from pytest_bybit.scenarios import SCENARIOS

CASES = [
    ('bybit_fault("rate_limit", endpoint=5)', "endpoint must be a path or a pattern starting with '/'*got 5"),
    ('bybit_fault("rate_limit", method=5)', "method must be one of GET, POST, PUT, DELETE, PATCH or None, got 5"),
    ('bybit_fault("rate_limit", method="FETCH")', "method must be one of GET*got 'FETCH'"),
    ('bybit_fault("rate_limit", after="x")', "after must be an int >= 0*got 'x'"),
    ('bybit_fault("rate_limit", after=-1)', "after must be an int >= 0*got -1"),
    ('bybit_fault("latency", delay="x")', "delay must be a number of seconds from 0 to 3600, got 'x'"),
    ('bybit_fault("latency", delay=1e12)', "delay must be a number of seconds from 0 to 3600, got 1000000000000.0"),
    ('bybit_fault("latency", delay=-5)', "delay must be a number of seconds from 0 to 3600, got -5"),
    ('bybit_fault("rate_limit", optional="yes")', "optional must be True or False, got 'yes'"),
    ('bybit_fault("rate_limit", 3)', "bybit_fault('rate_limit') takes one positional argument, the fault name*got (3,)"),
    ("bybit_fault(5)", "the fault name must be a string such as 'rate_limit', got 5"),
    ('bybit_clock(drift="abc")', "bybit_clock: drift must be a number of seconds, got 'abc'"),
    ("bybit_clock(drift=None)", "bybit_clock: drift must be a number of seconds, got None"),
    ("bybit_clock(drift=1e12)", "bybit_clock: drift must be within +/-3.16224e+07 s (a year), got 1000000000000.0*"),
    ('bybit_clock(drift=float("nan"))', "bybit_clock: drift must be a number of seconds, got NaN"),
    ("bybit_clock(1, 2)", "bybit_clock takes at most one positional argument*"),
    ('bybit_clock(frozen="no")', "bybit_clock: frozen must be True or False, got 'no'"),
    ("bybit_allow(5)", "bybit_allow: unknown check(s) 5; known: duplicate_orders*"),
]


@pytest.mark.parametrize(("marker", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_marker_argument_errors_the_test_before_it_runs(inner, pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest, requests

        @pytest.mark.{marker}
        def test_it(bybit):
            raise AssertionError("the test body must not run")

        def test_unaffected():
            pass
        """
    )
    result = inner()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*UsageError: test_bad.py::test_it: *{message}*"])
    result.stdout.no_fnmatch_line("*the test body must not run*")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("bybit.clock.drift = 1e12", "ValueError: drift must be within +/-3.16224e+07 s (a year)*"),
        ("bybit.clock.drift = 'abc'", "ValueError: drift must be a number of seconds, got 'abc'"),
        ("bybit.clock.advance(1e12)", "OverflowError: advance(1e+12) would move the clock to * outside 1970 to year 9000*"),
        ("bybit.clock.advance(float('inf'))", "OverflowError: advance(inf) would move the clock*"),
        ("time.sleep(1e12)", "OverflowError: time.sleep(1e+12) would move the clock*"),
        ("time.sleep(float('nan'))", "ValueError: time.sleep() must be a number of seconds, got NaN"),
        ("time.sleep('1')", "TypeError: time.sleep() must be a number of seconds, got '1'"),
        ("bybit.fault('latency', delay=-1)", "*FaultParameterError: bybit_fault('latency'): delay must be*got -1"),
    ],
)
def test_bad_clock_and_fault_calls_inside_a_test_say_what_is_wrong(
    inner, pytester: pytest.Pytester, statement: str, message: str
) -> None:
    pytester.makepyfile(
        test_calls=f"""
        import time

        def test_it(bybit):
            {statement}
        """
    )
    result = inner()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E * {message}" if not message.startswith("*") else f"E {message}"])


def test_clock_still_works_after_a_refused_move(bybit) -> None:
    import time

    with pytest.raises(OverflowError):
        time.sleep(1e12)
    with pytest.raises(ValueError):
        bybit.clock.drift = float("inf")
    time.sleep(5)
    assert bybit.clock.slept == 5 and bybit.clock.drift == 0


def test_zero_max_requests_per_intent_is_a_usage_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_max_requests_per_intent = 0\n")
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    result = inner()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bybit_max_requests_per_intent = '0': use a positive integer*"])


def test_skip_given_as_one_string_is_one_scenario(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_skip_one="""
        import pytest

        @pytest.mark.bybit_scenarios(skip="ssl_error")
        def test_it(bybit):
            pass
        """
    )
    result = inner("--collect-only", "-q", "--bybit-faults=timeout,ssl_error")
    assert [line for line in result.outlines if "::" in line] == [
        "test_skip_one.py::test_it[bybit]",
        "test_skip_one.py::test_it[bybit:timeout]",
    ]


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("bybit_scenarios(5)", "*bybit_scenarios: give scenario names as strings, got 5*"),
        ('bybit_scenarios(skip="ssl_eror")', "*bybit_scenarios: unknown scenario(s) ssl_eror; known: *"),
        ('bybit_scenarios(only="timeout")', "*bybit_scenarios: unknown parameter(s) only; use skip=*"),
    ],
)
def test_bad_bybit_scenarios_is_a_usage_error(inner, pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.{marker}\ndef test_it(bybit):\n    pass\n")
    result = inner("--bybit-faults")
    assert result.ret != 0
    result.stdout.fnmatch_lines([message])


def test_a_path_after_bybit_faults_is_a_path_not_a_scenario_list(inner, pytester: pytest.Pytester) -> None:
    pytester.mkdir("bots")
    pytester.makepyfile(**{"bots/test_in_folder": "def test_it(bybit):\n    pass\n"})
    pytester.makepyfile(test_elsewhere="def test_other(bybit):\n    pass\n")
    result = inner("--collect-only", "-q", "--bybit-faults", "bots/")
    ids = [line for line in result.outlines if "::" in line]
    assert ids[0] == "bots/test_in_folder.py::test_it[bybit]"
    assert len(ids) == 1 + len(SCENARIOS) and all(i.startswith("bots/") for i in ids)  # every scenario, that folder only


def test_report_into_a_missing_folder_is_written(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    report = pytester.path / "reports" / "nightly" / "bybit.json"
    result = inner("--bybit-faults=timeout", f"--bybit-report={report}")
    result.assert_outcomes(passed=2)
    assert [r["scenario"] for r in json.loads(report.read_text())["results"]] == [None, "timeout"]


def test_report_onto_a_folder_is_a_usage_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    folder = pytester.mkdir("reports")
    result = inner("--bybit-faults=timeout", f"--bybit-report={folder}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--bybit-report={folder}: that is a folder; give a file name, e.g. --bybit-report={folder}/bybit-faults.json*"])


def test_report_under_a_file_is_a_usage_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    blocker = pytester.path / "reports"
    blocker.write_text("not a folder")
    result = inner("--bybit-faults=timeout", f"--bybit-report={blocker}/bybit.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--bybit-report={blocker}/bybit.json: {blocker} is a file, not a folder*"])


@pytest.mark.parametrize(
    ("value", "path"),
    [("tests/", True), ("test_bot.py", True), ("test_x.py::test_it", True), ("all", False), ("timeout,ssl_error@order", False), ("off", False)],
)
def test_what_counts_as_a_path_after_bybit_faults(value: str, path: bool) -> None:
    from pytest_bybit.plugin import _looks_like_a_path

    assert _looks_like_a_path(value) is path
