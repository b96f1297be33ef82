"""A file over its time or memory budget is reported by path and the run goes on."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from lint_rules import engine, runner
from lint_rules.budget import BudgetExceeded, file_budget
from lint_rules.cli import main

BOT = 'from pybit.unified_trading import HTTP\nsession = HTTP(api_key=KEY, api_secret=SECRET)\nsession.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)\n'


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bot.py").write_text(BOT)
    (tmp_path / "stuck.py").write_text(BOT)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _spin_forever(*args, **kwargs):
    while True:  # a rule caught in a loop: pure Python, as the resilience model's was
        pass


def _hoard_memory(*args, **kwargs):
    hoard = []
    while True:
        hoard.append(b"x" * (8 * 1024 * 1024))
        time.sleep(0.005)


def _stuck_only(behaviour):
    real = engine.lint_source

    def lint(source, filename, *args, **kwargs):
        if filename.endswith("stuck.py"):
            behaviour()
        return real(source, filename, *args, **kwargs)

    return lint


def test_file_over_time_budget_is_reported_and_run_goes_on(tree, capsys, monkeypatch):
    monkeypatch.setattr(engine, "lint_source", _stuck_only(_spin_forever))
    started = time.monotonic()
    code, out, err = run(capsys, ".", "--file-time-budget", "0.5")
    assert time.monotonic() - started < 10
    assert "stuck.py: over the per-file time budget of 0.5 s: not linted" in err
    assert "--file-time-budget" in err
    assert out.startswith("bot.py:3:") and "All checks passed!" not in out
    assert code == 2


def test_file_over_memory_budget_is_reported(tree, capsys, monkeypatch):
    monkeypatch.setattr(engine, "lint_source", _stuck_only(_hoard_memory))
    code, out, err = run(capsys, ".", "--file-memory-budget", "64", "--file-time-budget", "30")
    assert "stuck.py: over the per-file memory budget of 64 MiB: not linted" in err
    assert out.startswith("bot.py:3:") and code == 2


def test_budget_from_pyproject(tree, capsys, monkeypatch):
    monkeypatch.setattr(engine, "lint_source", _stuck_only(_spin_forever))
    (tree / "pyproject.toml").write_text("[tool.bybit-lint]\nfile-time-budget = 0.3\n")
    code, _, err = run(capsys, ".")
    assert "stuck.py: over the per-file time budget of 0.3 s" in err and code == 2


@pytest.mark.parametrize(
    "args, toml, message",
    [
        (["--file-time-budget", "-1"], None, "--file-time-budget must be a number of seconds >= 0"),
        ([], "file-time-budget = 'soon'", "key 'file-time-budget' must be a number of seconds"),
        ([], "file-memory-budget = 1.5", "key 'file-memory-budget' must be a number of MiB"),
        ([], "file-memory-budget = true", "key 'file-memory-budget' must be a number of MiB"),
    ],
)
def test_bad_budget_is_a_usage_error(tree, capsys, args, toml, message):
    if toml:
        (tree / "pyproject.toml").write_text(f"[tool.bybit-lint]\n{toml}\n")
    code, _, err = run(capsys, ".", *args)
    assert code == 2 and message in err


def test_zero_turns_the_budget_off():
    with file_budget(0, 0):
        time.sleep(0.2)


def test_budget_cannot_be_swallowed_by_rule_code():
    caught = []
    with pytest.raises(BudgetExceeded):
        with file_budget(0.2, None):
            while True:
                try:
                    sum(range(10_000))
                except Exception as exc:  # what a careless rule might do
                    caught.append(exc)
    assert caught == []


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched rule reaches workers by fork")
def test_budget_holds_in_worker_processes(tree, capsys, monkeypatch):
    monkeypatch.setattr(engine, "lint_source", _stuck_only(_spin_forever))
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    code, out, err = run(capsys, ".", "--file-time-budget", "0.5", "-j", "2")
    assert "stuck.py: over the per-file time budget of 0.5 s" in err
    assert out.startswith("bot.py:3:") and code == 2


def _crash_on_stuck(*args, **kwargs):
    import os
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)  # what a native parser's stack overflow does


def _sleep_in_native_code(*args, **kwargs):
    import signal

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # the in-process budget cannot fire
    time.sleep(3600)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched rule reaches workers by fork")
@pytest.mark.parametrize(
    "behaviour, message",
    [
        (_crash_on_stuck, "stuck.py: the linter's worker process died (killed by SIGSEGV): not linted"),
        (_sleep_in_native_code, "stuck.py: no result after 6 s of wall-clock time: its worker was stopped: not linted"),
    ],
)
def test_a_worker_that_dies_or_stalls_costs_one_file(tree, capsys, monkeypatch, behaviour, message):
    for n in range(4):
        (tree / f"more{n}.py").write_text(BOT)
    monkeypatch.setattr(engine, "lint_source", _stuck_only(behaviour))
    monkeypatch.setattr(runner, "_hard_limit", lambda budget: 6.0)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    started = time.monotonic()
    code, out, err = run(capsys, ".", "--file-time-budget", "0.5", "-j", "2")
    assert time.monotonic() - started < 30
    assert message in err
    assert out.count("BYB101") == 5 and code == 2


SIGNER = """import hashlib, hmac
from clock import time_ms

def headers(key, secret, payload):
    ts = str(time_ms())
    sign = hmac.new(secret.encode(), (ts + key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
"""
LOCAL_CLOCK = "import time\n\ndef time_ms() -> int:\n    return int(time.time() * 1000)\n"


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched rule reaches workers by fork")
def test_workers_and_their_replacements_judge_files_against_the_project(tmp_path, monkeypatch):
    """signer.py's BYB401 rests on clock.py (another file): every worker, including those
    started after one was killed, lints with the run's project model."""
    (tmp_path / "clock.py").write_text(LOCAL_CLOCK)
    (tmp_path / "signer.py").write_text(SIGNER)
    crashing = [tmp_path / f"crash{n}.py" for n in range(3)]
    for path in crashing:  # larger files go first, so signer.py lands on a replacement worker
        path.write_text(BOT + "# padding\n" * 200)
    real = engine.lint_source

    def crash_some(source, filename, *args, **kwargs):
        if Path(filename).name.startswith("crash"):
            _crash_on_stuck()
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", crash_some)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    paths = [*crashing, tmp_path / "signer.py", tmp_path / "clock.py"]
    jobs = [runner.Job(p, p.name, p.read_bytes(), ("BYB401", "BYB101")) for p in paths]
    outcomes = runner.run(jobs, {}, runner.Mode(), None, workers=2)
    by_name = {job.display: outcome for job, outcome in zip(jobs, outcomes)}
    for path in crashing:
        assert "worker process died (killed by SIGSEGV)" in (by_name[path.name].crash or "")
    assert [f.code for f in by_name["signer.py"].findings] == ["BYB401"]
    assert by_name["clock.py"].crash is None


def _nap(job: tuple[str, float, float]) -> str:
    time.sleep(job[1])
    return f"{job[0]} done"


def _gave_up(job: tuple[str, float, float], reason: str) -> str:
    return f"{job[0]} stopped: {reason}"


def test_the_hard_limit_can_be_set_per_job():
    """A file linted in pieces gets its limit once per piece: the pool takes a limit per job."""
    from lint_rules.workers import run_jobs

    jobs = [("tight", 3.0, 0.5), ("roomy", 1.0, 30.0), ("quick", 0.0, 30.0)]
    results = run_jobs(_nap, jobs, 2, lambda job: job[2], _gave_up)
    assert results[0].startswith("tight stopped: no result after 0.5 s of wall-clock time")
    assert results[1:] == ["roomy done", "quick done"]


def test_a_large_file_has_the_hard_limit_once_per_piece():
    from lint_rules.chunks import CHUNK_LINES, PIECE_LINES

    limit = runner._hard_limit(10.0)
    small = ("a.py", b"x = 1\n" * 10, ("BYB101",), {}, runner.Mode(), True)
    large = ("b.py", b"x = 1\n" * (CHUNK_LINES * 2), ("BYB101",), {}, runner.Mode(), True)
    assert limit(small) == 70.0
    assert limit(large) == 70.0 * (CHUNK_LINES * 2 // PIECE_LINES + 1)
    assert limit(large[:5] + (False,)) == 70.0  # not parsed: no pieces
    assert runner._hard_limit(0) is None
