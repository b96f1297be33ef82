"""pytest hooks: options, markers, the ``bybit`` / ``bybit_clock`` fixtures, the fault matrix
(``--bybit-faults``) and its terminal report.

Registered through the ``pytest11`` entry point, so installing the distribution is enough.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from . import invariants, markers, matrix
from .clock import BACKENDS, VirtualClock
from .faults import Fault
from .fixture import Bybit
from .scenarios import SCENARIOS, Scenario, UnknownScenario, listing, parse_selection
from .transports.mocks import MockConflict
from .streams.faults import register as _register_stream_faults

_register_stream_faults()

BYBIT_KEY = pytest.StashKey[Bybit]()
SCENARIO_KEY = pytest.StashKey["Scenario | None"]()
_SCENARIOS_KEY = pytest.StashKey[list]()
_RESULTS_KEY = pytest.StashKey["_MatrixResults"]()
_FINDINGS_KEY = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bybit", "Bybit fake exchange and fault matrix (pytest-bybit)")
    group.addoption(
        "--bybit-faults",
        nargs="?",
        const="all",
        default=None,
        metavar="SCENARIOS",
        help="run each test that uses `bybit` once more per fault scenario (all, or a comma list)",
    )
    group.addoption("--bybit-faults-list", action="store_true", help="list the fault scenarios and faults, then exit")
    group.addoption("--bybit-report", metavar="PATH", default=None, help="write the fault matrix as JSON to PATH")
    parser.addini("bybit_faults", "scenarios to run by default (all, or a comma list); empty: off", default="")
    parser.addini("bybit_clock_backend", f"process clock backend: {' or '.join(BACKENDS)}", default="freezegun")
    parser.addini(
        "bybit_max_requests_per_intent",
        "identical failing requests allowed before the unbounded-retry check fails a test",
        default=str(invariants.DEFAULT_MAX_REQUESTS_PER_INTENT),
    )


MARKERS = (
    "bybit_fault(name, times=1, endpoint=None, method=None, after=0, every=None, probability=None, seed=None, "
    "optional=False): inject a Bybit fault into the next matching requests of the `bybit` exchange",
    "bybit_clock(drift=0.0, frozen=False): run the test's process clock `drift` seconds ahead of Bybit's "
    "(negative: behind); the exchange keeps true time",
    "bybit_allow(*checks): switch off invariant checks for this test: "
    + ", ".join(invariants.CHECKS),
    "bybit_scenarios(*names, skip=()): limit (or skip) the --bybit-faults scenarios this test runs",
)


def _looks_like_a_path(value: str) -> bool:
    names = [n.strip() for n in value.split(",")]
    if value.strip().lower() in ("", "all", "1", "true", "yes", "0", "false", "no", "none", "off") or all(
        n in SCENARIOS for n in names if n
    ):
        return False
    return "/" in value or "\\" in value or "::" in value or value.endswith(".py") or os.path.exists(value)


def _selected_scenarios(config: pytest.Config) -> list[Scenario]:
    option = config.getoption("--bybit-faults", None)
    if option is not None and _looks_like_a_path(option):
        # `pytest --bybit-faults tests/`: the option took the path as its value; give it back
        if config.args_source == pytest.Config.ArgsSource.ARGS:
            config.args.append(option)
        else:
            config.args[:] = [option]
            config.args_source = pytest.Config.ArgsSource.ARGS
        config.option.bybit_faults = option = "all"
    if option is None:
        option = config.getini("bybit_faults") or None
    return parse_selection(option)


def _check_report_path(config: pytest.Config) -> None:
    path = config.getoption("--bybit-report", None)
    if not path:
        return
    target = Path(path)
    if target.is_dir():
        raise pytest.UsageError(
            f"--bybit-report={path}: that is a folder; give a file name, e.g. --bybit-report={target / 'bybit-faults.json'}"
        )
    for parent in target.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise pytest.UsageError(f"--bybit-report={path}: {parent} is a file, not a folder")
            break


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    backend = config.getini("bybit_clock_backend")
    if backend not in BACKENDS:
        raise pytest.UsageError(f"bybit_clock_backend = {backend!r}: use one of {', '.join(BACKENDS)}")
    try:
        config.stash[_SCENARIOS_KEY] = _selected_scenarios(config)
    except UnknownScenario as exc:
        raise pytest.UsageError(str(exc)) from None
    try:
        limit = int(config.getini("bybit_max_requests_per_intent"))
    except ValueError:
        limit = 0
    if limit < 1:
        raise pytest.UsageError(
            f"bybit_max_requests_per_intent = {config.getini('bybit_max_requests_per_intent')!r}: "
            "use a positive integer (identical failing requests allowed before a test fails)"
        )
    _check_report_path(config)
    results = _MatrixResults()
    config.stash[_RESULTS_KEY] = results
    config.pluginmanager.register(results, "bybit-matrix-results")
    from .refusals import RefusalReport

    config.pluginmanager.register(RefusalReport(BYBIT_KEY), "bybit-refusals")


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("--bybit-faults-list", False):
        print(listing(), end="")
        return 0
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    scenarios: list[Scenario] = metafunc.config.stash.get(_SCENARIOS_KEY, [])
    if not scenarios or "bybit" not in metafunc.fixturenames:
        return
    try:
        chosen = markers.scenario_filter(metafunc.definition)
    except markers.MarkerError as exc:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: {exc}") from None
    if chosen is not None:
        only, skip = chosen
        scenarios = [s for s in scenarios if (not only or s.name in only) and s.name not in skip]
    metafunc.parametrize(
        "_bybit_scenario",
        [None, *[s.name for s in scenarios]],
        ids=["bybit", *[f"bybit:{s.name}" for s in scenarios]],
        indirect=True,
    )


@pytest.fixture
def _bybit_scenario(request: pytest.FixtureRequest) -> Scenario | None:
    name = getattr(request, "param", None)
    return SCENARIOS[name] if name else None


@pytest.fixture
def bybit(request: pytest.FixtureRequest, _bybit_scenario: Scenario | None) -> Iterator[Bybit]:
    """A fake Bybit V5 exchange on the real hosts, for this test only.

    pybit, ccxt (sync) and requests reach it unmodified; any other host fails the test.
    ``bybit.api_key`` / ``bybit.api_secret`` work on testnet with a funded unified account.
    """
    node = request.node
    try:  # every argument checked before anything is installed
        drift, frozen = markers.clock(node)
        marked = markers.faults(node)
        markers.allowed(node)
    except ValueError as exc:  # MarkerError, UnknownFault, FaultParameterError
        __tracebackhide__ = True  # the message says it all
        raise pytest.UsageError(f"{node.nodeid}: {exc}") from None
    scenario = _bybit_scenario
    if scenario is not None and scenario.drift is not None:
        drift = scenario.drift
    clock = VirtualClock(drift=drift, backend=request.config.getini("bybit_clock_backend"))
    if frozen:
        clock.freeze()
    fake = Bybit(clock, scenario)
    for fault in marked:
        fake.injector.add(fault)
    if scenario is not None:
        for name, params in scenario.faults:
            fake.injector.add(Fault.create(name, origin="scenario", optional=True, **params))
    node.stash[BYBIT_KEY] = fake
    node.stash[SCENARIO_KEY] = scenario
    try:
        fake.start()
    except MockConflict as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def bybit_clock(bybit: Bybit) -> VirtualClock:
    """The clocks of this test: ``.drift`` (settable), ``.advance(s)``, ``.freeze()``, ``.server_ms()``."""
    return bybit.clock


def violations(item: pytest.Item, fake: Bybit) -> list[str]:
    allowed = markers.allowed(item)
    records = [r for r in fake.requests if not getattr(r, "paused", False)]  # set-up in bybit.paused()
    limit = int(item.config.getini("bybit_max_requests_per_intent"))
    found: list[str] = []
    if "unexpected_requests" not in allowed:
        found += [m.removeprefix("pytest-bybit: ") for m in fake.unexpected]  # the failure adds the prefix
    if "duplicate_orders" not in allowed:
        found += invariants.duplicate_orders(records)
    if "hammering" not in allowed:
        found += invariants.hammering(records, fake.injector.slept_at)
    if "unbounded_retry" not in allowed:
        found += invariants.unbounded_retry(records, limit)
    if "unused_faults" not in allowed:
        found += invariants.unused_faults(fake.injector)
    if "ws_resubscribe" not in allowed:
        found += fake.streams.violations()
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    fake = item.stash.get(BYBIT_KEY, None)
    try:
        result = yield
    except BaseException:
        if fake is not None:  # the test failed first: its report still carries the findings
            item.stash[_FINDINGS_KEY] = violations(item, fake)
        raise
    if fake is not None:
        found = violations(item, fake)
        if found:
            pytest.fail("pytest-bybit: " + "\n".join(found), pytrace=False)
    return result


# -- the matrix report -----------------------------------------------------------------

def _crash_line(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    message = crash.message if crash is not None else str(report.longrepr).strip().splitlines()[-1]
    message = message.replace("Failed: pytest-bybit: ", "").strip()
    first = message.splitlines()[0] if message else "failed"
    return first if len(first) <= 160 else first[:157] + "..."


def _reason(report: pytest.TestReport, fake: Bybit | None, findings: list[str]) -> str:
    first = _crash_line(report)
    if findings:  # the plugin's own diagnosis leads, whatever failed first
        more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
        shown = findings[0] if len(findings[0]) <= 240 else findings[0][:237] + "..."
        first = f"{shown}{more}; the test then failed: {first}"
    if fake is not None:
        codes = [r.ret_code for r in fake.requests if r.ret_code not in (0, None)]
        if codes:
            counts: dict[int, int] = {}
            for code in codes:
                counts[code] = counts.get(code, 0) + 1
            seen = ", ".join(f"{c} x{n}" if n > 1 else str(c) for c, n in counts.items())
            first += f" (Bybit answered {seen})"
    return first


def _outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfail" if report.outcome == "skipped" else "xpass"
    return report.outcome


def _exercised(scenario: Scenario | None, fake: Bybit | None) -> bool:
    if scenario is None or fake is None:
        return scenario is None
    if scenario.faults and not any(f.hits for f in fake.injector.faults if f.origin == "scenario"):
        return False
    if scenario.signed_only:
        return any(r.request.headers.get("x-bapi-sign") for r in fake.requests)
    return True


def _advice(scenario: Scenario | None, fake: Bybit | None, outcome: str) -> str:
    if scenario is None or outcome != "failed":
        return ""
    if fake is not None:
        return invariants.lost_order_advice(fake.requests) or scenario.advice
    return scenario.advice


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report: pytest.TestReport = yield
    findings = item.stash.get(_FINDINGS_KEY, [])
    if report.when == "call" and report.failed and findings:
        longrepr = report.longrepr
        if hasattr(longrepr, "addsection"):
            longrepr.addsection("pytest-bybit found", "\n".join(findings))
    if "bybit" not in getattr(item, "fixturenames", ()) or not _matrix_on(item.config):
        return report
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        fake = item.stash.get(BYBIT_KEY, None)
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("_bybit_scenario") if callspec is not None else None
        scenario = SCENARIOS.get(name) if name else None
        outcome = _outcome(report)
        entry = {
            "nodeid": item.nodeid,
            "test": matrix.row_name(item.nodeid, scenario.name if scenario else None),
            "scenario": scenario.name if scenario else None,
            "outcome": outcome,
            "exercised": _exercised(scenario, fake),
            "reason": _reason(report, fake, findings) if outcome == "failed" else "",
            "advice": _advice(scenario, fake, outcome),
            "requests": len(fake.requests) if fake is not None else 0,
            "virtual_sleep_s": round(fake.clock.slept, 3) if fake is not None else 0,
        }
        report.user_properties.append(("bybit_matrix", entry))
    return report


def _matrix_on(config: pytest.Config) -> bool:
    return bool(config.stash.get(_SCENARIOS_KEY, []))


class _MatrixResults:
    """Collects the matrix entries of one session (on the xdist controller too: reports
    arrive there with their user_properties). Kept per config, so an inner pytester run
    never clears the outer run's results."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == "bybit_matrix":
                self.entries.append(value)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _matrix_on(config) or hasattr(config, "workerinput"):
        return
    scenarios = [s.name for s in config.stash[_SCENARIOS_KEY]]
    results = list(config.stash[_RESULTS_KEY].entries)
    tr = terminalreporter
    tr.section("bybit faults")
    if not results:
        tr.write_line("no test used the `bybit` fixture")
        _write_report(config, tr, scenarios, results)  # an empty report, still where CI expects it
        return
    matrix.judge(results)
    lines = matrix.table(results, scenarios)
    if max(len(line) for line in lines) > tr._tw.fullwidth:
        lines = matrix.listing(results, scenarios)
    for line in lines:
        tr.write_line(line)
    survived, judged = matrix.counts(results)
    tr.write_line("")
    tr.write_line(f"survived {survived} of {judged} scenario runs ({matrix.LEGEND})")
    failed = matrix.failures(results)
    if failed:
        tr.write_line("")
        for line in failed:
            tr.write_line(line)
    _write_report(config, tr, scenarios, results)


def _write_report(config: pytest.Config, tr: Any, scenarios: list[str], results: list[dict[str, Any]]) -> None:
    path = config.getoption("--bybit-report", None)
    if not path:
        return
    error = matrix.write(path, scenarios, results)
    if error:
        tr.write_line(f"bybit fault report NOT written to {path}: {error}", red=True)
    else:
        tr.write_line(f"bybit fault report written to {path}")
