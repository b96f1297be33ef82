"""The sweep over real trees (bench/bench_sweep.py) on a slice of the stdlib: no file may
crash the linter, go over its budget or be unreadable to it."""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import sysconfig
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_sweep.py"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SLICE = [
    "pydoc_data/topics.py",  # 1,000s of implicitly concatenated, escaped strings
    "argparse.py",
    "asyncio/base_events.py",
    "concurrent/futures/process.py",
    "email/utils.py",
    "http/client.py",
    "json/decoder.py",
    "logging/__init__.py",
    "shutil.py",
    "ssl.py",
    "string.py",
    "urllib/parse.py",
]


@pytest.fixture(scope="module")
def bench_sweep():
    spec = importlib.util.spec_from_file_location("bench_sweep", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sweep"] = module  # dataclasses and worker processes look it up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_sweep"]


def test_stdlib_slice_sweeps_without_internal_errors(bench_sweep):
    paths = [STDLIB / name for name in SLICE if (STDLIB / name).is_file()]
    assert len(paths) >= 10
    report = bench_sweep.sweep(paths, jobs=2)
    assert report.errors == []
    assert len(report.runs) == len(paths) and report.lines > 20_000
    assert report.non_bot_findings() == []
    out = io.StringIO()
    bench_sweep.print_report(report, out)
    text = out.getvalue()
    assert f"{len(paths)} files, {report.lines} lines" in text and "internal errors: 0" in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_sweep_counts_an_unreadable_file_as_an_error(bench_sweep, tmp_path):
    (tmp_path / "fine.py").write_text("x = 1\n")
    os.mkfifo(tmp_path / "pipe.py")
    report = bench_sweep.sweep([tmp_path / "pipe.py", tmp_path / "fine.py"], jobs=1)
    assert len(report.errors) == 1 and "pipe.py: a FIFO (named pipe)" in report.errors[0]


def test_bot_code_is_told_apart(bench_sweep):
    assert bench_sweep.is_bot_code("from pybit.unified_trading import HTTP\n")
    assert bench_sweep.is_bot_code("import requests\nURL = 'https://api.bybit.com'\n")
    assert not bench_sweep.is_bot_code("import requests\nrequests.get('https://example.com')\n")
