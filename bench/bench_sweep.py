"""Sweep large real trees: the stdlib, site-packages and any folder given. Prints figures.

Run: python bench/bench_sweep.py [-j N] [--no-stdlib] [--no-site-packages] [PATH ...]

It lints every file as ``bybit-lint`` does (same jobs, same per-file budget, same worker
processes) and prints files, lines, lines/s, the internal errors (crashes, files over
budget, files the parser cannot read), the 10 slowest files, and the findings on code that
is not a bot (never imports pybit or ccxt, and never names Bybit next to an HTTP or
WebSocket client): each of those is a false alarm to explain or remove. Goal: zero errors
and no file over 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from lint_rules import runner
from lint_rules.budget import DEFAULT_MEMORY_BUDGET, DEFAULT_TIME_BUDGET
from lint_rules.cache import finding_from_record
from lint_rules.config import resolve_rules
from lint_rules.discovery import iter_python_files
from lint_rules.rule import Finding
from lint_rules.rules import all_rules
from lint_rules.sources import SourceReadError, read_bytes
from lint_rules.workers import run_jobs

_BOT_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:pybit|ccxt)\b", re.M)
_HTTP_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:requests|aiohttp|httpx|urllib3?|websockets?)\b", re.M)


def is_bot_code(text: str) -> bool:
    """Code that talks to Bybit: imports pybit or ccxt, or names Bybit beside an HTTP client."""
    return bool(_BOT_IMPORT.search(text)) or ("bybit" in text.lower() and bool(_HTTP_IMPORT.search(text)))


@dataclass
class FileRun:
    path: str
    lines: int
    seconds: float  # wall clock
    cpu: float  # this process's CPU time: steadier than wall clock on a shared machine
    findings: list[Finding]
    error: str | None
    bot: bool


@dataclass
class SweepReport:
    runs: list[FileRun] = field(default_factory=list)
    wall: float = 0.0

    @property
    def lines(self) -> int:
        return sum(r.lines for r in self.runs)

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.runs if r.error]

    def slowest(self, n: int = 10) -> list[FileRun]:
        return sorted(self.runs, key=lambda r: r.seconds, reverse=True)[:n]

    def non_bot_findings(self) -> list[Finding]:
        return [f for r in self.runs if not r.bot for f in r.findings]


#: One file's work: its path, the rule codes, and the run's mode (its budgets).
Job = tuple[str, tuple[str, ...], runner.Mode]


def _timed_job(job: Job) -> tuple[float, float, int, bool, dict[str, Any]]:
    """The file read and linted as ``bybit-lint`` does it (``runner._work``), timed."""
    path, codes, mode = job
    started, cpu = time.perf_counter(), time.process_time()
    try:
        content = read_bytes(path)
    except SourceReadError as exc:
        content, result = b"", {"crash": f"error: {path}: {exc}"}
    else:
        result = runner._work((path, content, codes, {}, mode, True))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    text = content.decode("utf-8", "replace")
    return seconds, cpu, text.count("\n"), is_bot_code(text), result


def _stopped(job: Job, reason: str) -> tuple[float, float, int, bool, dict[str, Any]]:
    return float("nan"), float("nan"), 0, False, runner._stopped(job, reason)


def sweep(
    paths: Sequence[Path],
    jobs: int = 0,
    time_budget: float = DEFAULT_TIME_BUDGET,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> SweepReport:
    """Lint every Python file under ``paths`` with every default rule, one result per file."""
    rules = resolve_rules(all_rules(), None, [])
    codes = tuple(r.code for r in rules)
    mode = runner.Mode(time_budget=time_budget, memory_budget=memory_budget)
    files = list(iter_python_files(list(paths), [], Path.cwd(), skipped=[]))
    work: list[Job] = [(str(f), codes, mode) for f in files]
    workers = jobs or min(os.cpu_count() or 1, 8)
    started = time.perf_counter()
    if workers > 1 and len(work) > 1:
        limit = runner._hard_limit(time_budget)

        def hard_limit(job: Job) -> float | None:  # the runner's limit for the file, as the CLI sets it
            try:
                content = Path(job[0]).read_bytes()
            except OSError:
                content = b""
            return limit((job[0], content, codes, {}, mode, True)) if limit else None

        outcomes = run_jobs(_timed_job, work, workers, hard_limit, _stopped)
    else:
        outcomes = [_timed_job(job) for job in work]
    report = SweepReport(wall=time.perf_counter() - started)
    for job, (seconds, cpu, lines, bot, result) in zip(work, outcomes):
        found = [finding_from_record(r, job[0]) for r in result.get("findings", [])]
        report.runs.append(FileRun(job[0], lines, seconds, cpu, found, result.get("crash"), bot))
    return report


def default_roots(stdlib: bool, site_packages: bool) -> list[Path]:
    roots = []
    if stdlib:
        roots.append(Path(sysconfig.get_paths()["stdlib"]))
    if site_packages:
        roots += [Path(p) for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}]
    return [r for r in roots if r.is_dir()]


def print_report(report: SweepReport, out: Any = sys.stdout) -> None:
    lines = report.lines
    print(
        f"{len(report.runs)} files, {lines} lines in {report.wall:.1f} s: {lines / max(report.wall, 1e-9):,.0f} lines/s",
        file=out,
    )
    print(f"internal errors: {len(report.errors)}", file=out)
    for error in report.errors:
        print(f"  {error}", file=out)
    print("10 slowest files (wall s, CPU s, lines):", file=out)
    for run in report.slowest():
        print(f"  {run.seconds:6.2f} {run.cpu:6.2f} {run.lines:7d}  {run.path}", file=out)
    over_wall = sum(1 for r in report.runs if r.seconds > 2)
    over_cpu = sum(1 for r in report.runs if r.cpu > 2)
    print(f"files over 2 s: {over_wall} by wall clock, {over_cpu} by CPU time", file=out)
    findings = report.non_bot_findings()
    print(f"findings on non-bot code: {len(findings)}", file=out)
    for (code, name), count in Counter((f.code, f.name) for f in findings).most_common():
        print(f"  {count:5d} {code} {name}", file=out)
    for finding in findings[:30]:
        print(f"  {finding.filename}:{finding.line}:{finding.column}: {finding.code} {finding.message}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=0)
    parser.add_argument("--no-stdlib", action="store_true")
    parser.add_argument("--no-site-packages", action="store_true")
    parser.add_argument("--file-time-budget", type=float, default=DEFAULT_TIME_BUDGET)
    args = parser.parse_args(argv)
    roots = default_roots(not args.no_stdlib, not args.no_site_packages) + list(args.paths)
    print("sweeping: " + ", ".join(map(str, roots)))
    report = sweep(roots, args.jobs, args.file_time_budget)
    print_report(report)
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
