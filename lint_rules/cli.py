"""``bybit-lint``: ruff's interface for Bybit rules.

Exit codes: 0 clean, 1 findings (or, with ``--diff``, fixes to apply), 2 usage, config or
internal error. Nothing is ever written except under ``--fix``, and then atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__, reporters
from .budget import BudgetExceeded, file_budget
from .config import (
    Config,
    ConfigError,
    budget_value,
    find_pyproject,
    load_config,
    per_file_ignored,
    resolve_rules,
    validate_selectors,
)
from .discovery import iter_python_files
from .engine import lint_source
from .fixes import fix_source, unified_diff
from .parsing import UnsupportedSyntax
from .rule import Finding
from .rules import all_rules, rule_by_code
from .safe_write import WriteRefused, write_fixed
from .sources import SourceDecodeError, SourceReadError, decode, read_bytes
from .workers import run_jobs

FORMATS = ("text", "json", "sarif", "github")
#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64


def _split(values: Sequence[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or ():
        out += [v.strip() for v in value.split(",") if v.strip()]
    return out


def _check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bybit-lint",
        description="Lint Bybit trading-bot code. `bybit-lint rules` lists the rules, "
        "`bybit-lint rule CODE` explains one.",
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .)")
    p.add_argument("--select", action="append", help="rule codes or prefixes to enable (e.g. BYB1,BYB401)")
    p.add_argument("--extend-select", action="append", help="codes or prefixes to enable on top of the config")
    p.add_argument("--ignore", action="append", help="rule codes or prefixes to disable")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    p.add_argument("--diff", action="store_true", help="print the fixes as a diff; write nothing")
    p.add_argument("--output-format", choices=FORMATS, default=os.environ.get("BYBIT_LINT_OUTPUT_FORMAT", "text"))
    p.add_argument("--statistics", action="store_true", help="print counts per rule instead of findings")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--config", type=Path, help="a pyproject.toml or bybit-lint.toml to use instead of the nearest")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--no-cache", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: by file count)")
    p.add_argument(
        "--file-time-budget",
        type=float,
        metavar="SECONDS",
        help="give up on a file after this much CPU time and report it (default 10; 0 = no limit)",
    )
    p.add_argument(
        "--file-memory-budget",
        type=int,
        metavar="MIB",
        help="give up on a file that grows memory by more than this and report it (default 1024; 0 = no limit)",
    )
    p.add_argument("--version", action="version", version=f"bybit-lint {__version__}")
    return p


def _print_rules(fmt: str) -> int:
    rules = all_rules()
    if fmt == "json":
        print(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "message": r.message,
                        "prevents": r.prevents,
                        "fault": r.fault,
                        "fixable": r.fixable,
                        "default_enabled": r.default_enabled,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(r.name) for r in rules)
    for r in rules:
        flag = {"safe": "[*]", "unsafe": "[~]", "sometimes": "[*]"}.get(r.fixable, "   ")
        print(f"{r.code}  {flag} {r.name:<{width}}  {r.message}")
    print("\n[*] safe fix with --fix   [~] fix only with --unsafe-fixes")
    return 0


def _explain(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="bybit-lint rule", description="Explain one rule.")
    p.add_argument("code", nargs="?", help="a rule code (BYB101) or name (float-order-value)")
    p.add_argument("--all", action="store_true", help="explain every rule")
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    args = p.parse_args(argv)
    if args.all:
        targets = list(all_rules())
    elif args.code:
        rule = rule_by_code(args.code)
        if rule is None:
            print(
                f"bybit-lint: unknown rule '{args.code}'. `bybit-lint rules` lists the codes.",
                file=sys.stderr,
            )
            return 2
        targets = [rule]
    else:
        p.error("give a rule code, e.g. `bybit-lint rule BYB101`, or --all")
    if args.output_format == "json":
        print(json.dumps([{"code": r.code, "name": r.name, "explanation": r.explain()} for r in targets], indent=2))
    else:
        print("\n".join(r.explain() for r in targets), end="")
    return 0


def _config(args: argparse.Namespace) -> Config:
    rules = all_rules()
    if args.isolated:
        config = Config()
    elif args.config is not None:
        config = load_config(args.config, rules)
    else:
        start = args.paths[0] if args.paths else Path.cwd()
        config = load_config(find_pyproject(start if start.exists() else Path.cwd()), rules)
    where = str(config.path) if config.path else "defaults"
    config.select = validate_selectors(config.select, rules, where) if config.select is not None else None
    config.extend_select = validate_selectors(config.extend_select, rules, where)
    config.ignore = validate_selectors(config.ignore, rules, where)
    for pattern, codes in config.per_file_ignores.items():
        config.per_file_ignores[pattern] = validate_selectors(codes, rules, f"{where} per-file-ignores '{pattern}'")
    if args.select:
        config.select = validate_selectors(_split(args.select), rules, "--select")
    if args.extend_select:
        config.extend_select += validate_selectors(_split(args.extend_select), rules, "--extend-select")
    if args.ignore:
        config.ignore += validate_selectors(_split(args.ignore), rules, "--ignore")
    if args.file_time_budget is not None:
        config.time_budget = budget_value(args.file_time_budget, "--file-time-budget", float)
    if args.file_memory_budget is not None:
        config.memory_budget = int(budget_value(args.file_memory_budget, "--file-memory-budget", int))
    return config


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


#: One file's work: name, rule codes, rule options, fix, unsafe fixes, diff, time and memory budget.
Job = tuple[str, list[str], dict[str, Any], bool, bool, bool, float, int]
#: findings, the fixed bytes (if they changed), the digest of the bytes read, a diff, the fix count
Outcome = tuple[list[Finding], bytes | None, str | None, str | None, int]


def _job(item: Job) -> tuple[list[Finding], bytes | None, str | None, str | None, int, str | None]:
    """Lint (and maybe fix) one file within its budget; whatever goes wrong is reported as a
    one-line error for that file (the last field), never fatal to the run."""
    filename, seconds, megabytes = item[0], item[6], item[7]
    try:
        with file_budget(seconds, megabytes):
            return (*_lint_file(item), None)
    except BudgetExceeded as exc:
        error = f"error: {filename}: {exc}: not linted (raise it with {exc.option} or [tool.bybit-lint])"
    except SourceReadError as exc:
        error = f"error: {filename}: {exc}"
    except UnsupportedSyntax as exc:
        error = f"error: {filename}: {exc}"
    except RecursionError:
        error = f"error: {filename}: nested too deeply for the linter's recursion bound: not linted"
    except Exception as exc:  # an internal error: name the file, keep going, exit 2
        import traceback

        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        error = f"internal error while linting {filename}: {detail}. Please report it with that file."
    return [], None, None, None, 0, error


def _lint_file(item: Job) -> Outcome:
    """Lint or fix one file read as bytes: what is written back is encoded as it was read,
    and the digest of the bytes read lets the writer notice an edit made in the meantime."""
    filename, codes, options, fix, unsafe, diff = item[:6]
    rules = [r for r in all_rules() if r.code in codes]
    raw = read_bytes(filename)
    try:
        source = decode(raw)
    except SourceDecodeError as exc:
        finding = Finding("BYB001", "syntax-error", str(exc), filename, exc.line, 1, exc.line, 1)
        return [finding], None, None, None, 0
    if fix or diff:
        result = fix_source(source.text, filename, rules, options, unsafe=unsafe)
        if result.source == source.text:
            return result.remaining, None, None, None, 0
        patch = unified_diff(source.text, result.source, filename) if diff else None
        return result.remaining, source.encode(result.source), source.digest, patch, result.fixed
    return lint_source(source.text, filename, rules, options).findings, None, None, None, 0


def _hard_limit(time_budget: float) -> float | None:
    """Wall-clock seconds after which a worker that has not reported is killed: the
    in-worker budget (CPU time) stops Python code on time, so only a file stuck inside one
    native call, or waiting forever, gets this far. Generous, for a machine under load."""
    return time_budget * 4 + 30 if time_budget else None


def _stopped(job: Job, reason: str) -> tuple[list[Finding], None, None, None, int, str]:
    return [], None, None, None, 0, f"error: {job[0]}: {reason}: not linted"


def _workers(requested: int, files: int) -> int:
    """Never more workers than files or CPUs: each one costs a process and an import of LibCST."""
    cpus = os.cpu_count() or 1
    if requested:
        return max(1, min(requested, files, cpus))
    return min(cpus, 8, files) if files >= PARALLEL_THRESHOLD else 1


def _check(argv: Sequence[str]) -> int:
    parser = _check_parser()
    args = parser.parse_args(argv)
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"bybit-lint: error: {exc}", file=sys.stderr)
        return 2
    rules = resolve_rules(all_rules(), config.select, config.ignore, config.extend_select)
    paths = args.paths or [Path(".")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"bybit-lint: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.jobs < 0:
        print(f"bybit-lint: error: --jobs must be 0 (automatic) or more, got {args.jobs}", file=sys.stderr)
        return 2
    skipped: list[str] = []
    files = list(iter_python_files(paths, config.exclude, config.root, skipped))
    for note in skipped:
        print(f"bybit-lint: warning: {note}", file=sys.stderr)
    jobs: list[Job] = []
    for file in files:
        ignored = per_file_ignored(file, config)
        codes = [r.code for r in rules if not any(r.code.startswith(i) for i in ignored)]
        jobs.append(
            (
                _display(file),
                codes,
                config.options,
                args.fix,
                args.unsafe_fixes,
                args.diff,
                config.time_budget,
                config.memory_budget,
            )
        )
    workers = _workers(args.jobs, len(jobs))
    if workers > 1:
        results = run_jobs(_job, jobs, workers, _hard_limit(config.time_budget), _stopped)
    else:
        results = [_job(job) for job in jobs]

    findings: list[Finding] = []
    fixed_total = 0
    patches: list[str] = []
    crashes: list[str] = []
    for (filename, *_), (found, changed, read_digest, patch, fixed, crash) in zip(jobs, results):
        if crash:
            crashes.append(crash)
            continue
        findings.extend(found)
        if args.diff:
            if patch:
                patches.append(patch)
                fixed_total += fixed
        elif args.fix and changed is not None and read_digest is not None:
            try:
                write_fixed(Path(filename), changed, read_digest)
            except WriteRefused as exc:
                crashes.append(f"error: {filename}: {exc}")
                continue
            fixed_total += fixed
    findings.sort(key=lambda f: f.sort_key)
    for crash in crashes:
        print(f"bybit-lint: {crash}", file=sys.stderr)

    if args.diff:
        sys.stdout.write("".join(patches))
        n = len(patches)
        print(f"Would fix {fixed_total} error{'s' if fixed_total != 1 else ''} in {n} file{'s' if n != 1 else ''}.", file=sys.stderr)
        return 2 if crashes else (1 if patches and not args.exit_zero else 0)

    if args.statistics:
        sys.stdout.write(reporters.statistics(findings))
    elif args.output_format == "json":
        sys.stdout.write(reporters.as_json(findings))
    elif args.output_format == "sarif":
        sys.stdout.write(reporters.sarif(findings, rules, __version__))
    elif args.output_format == "github":
        sys.stdout.write(reporters.github(findings))
    else:
        sys.stdout.write(reporters.text(findings, fixable_hint=not args.fix))
        if args.fix and fixed_total:
            print(f"Fixed {fixed_total} error{'s' if fixed_total != 1 else ''}.")
        if not findings and not crashes and not (args.fix and fixed_total):
            print("All checks passed!")
    if crashes:
        return 2
    return 1 if findings and not args.exit_zero else 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "rules" and not Path("rules").exists():
            fmt = "json" if "--output-format=json" in argv or argv[1:3] == ["--output-format", "json"] else "text"
            return _print_rules(fmt)
        if argv and argv[0] == "rule" and not Path("rule").exists():
            return _explain(argv[1:])
        if argv and argv[0] == "check":
            argv = argv[1:]
        return _check(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: say so, and exit 2 like ruff
        import traceback

        traceback.print_exc()
        print(f"bybit-lint: internal error: {exc!r}. Please report it with the file that triggered it.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
