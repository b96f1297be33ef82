"""``bybit-lint``: ruff's interface for Bybit rules.

Exit codes: 0 clean, 1 findings (or, with ``--diff``, fixes to apply), 2 usage, config or
internal error. No linted file is ever written except under ``--fix``, and then atomically;
the findings cache has a folder of its own (``cache``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import __version__
from .config import (
    Config,
    ConfigError,
    budget_value,
    configured_cache_dir,
    find_pyproject,
    load_config,
    per_file_ignored,
    resolve_rules,
    validate_selectors,
)

if TYPE_CHECKING:  # pragma: no cover
    from .catalog import RuleInfo
    from .finding import Finding

# Everything else (LibCST, the rules, the pool, the reporters) is imported where it is
# needed: a warm run on a few files must not pay for it (see ``runner``).

FORMATS = ("text", "concise", "full", "json", "json-lines", "sarif", "github")


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
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: .); `-` reads stdin")
    p.add_argument("--select", action="append", help="rule codes or prefixes to enable (e.g. BYB1,BYB401)")
    p.add_argument("--extend-select", action="append", help="codes or prefixes to enable on top of the config")
    p.add_argument("--ignore", action="append", help="rule codes or prefixes to disable")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    p.add_argument("--diff", action="store_true", help="print the fixes as a diff; write nothing")
    p.add_argument(
        "--output-format",
        choices=FORMATS,
        default=os.environ.get("BYBIT_LINT_OUTPUT_FORMAT", "text"),
        help="text (default), concise (marks fixable findings), full (the source line with a caret), "
        "json, json-lines, sarif (GitHub code scanning), github (workflow annotations)",
    )
    p.add_argument("--show-fixes", action="store_true", help="list the fixes applied (with --fix) or available, per file and rule")
    p.add_argument("--exit-non-zero-on-fix", action="store_true", help="with --fix, exit 1 when a file was changed even if nothing is left")
    p.add_argument("--statistics", action="store_true", help="print counts per rule instead of findings")
    p.add_argument("-o", "--output-file", type=Path, help="write the report to this file instead of standard output")
    p.add_argument("-q", "--quiet", action="store_true", help="print the findings and nothing else (no summary, no \"All checks passed!\")")
    p.add_argument("-s", "--silent", action="store_true", help="print no report; the exit status still says whether there were findings")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--config", type=Path, help="a pyproject.toml or bybit-lint.toml to use instead of the nearest")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the findings cache")
    p.add_argument("--cache-dir", type=Path, help="the cache folder (default: .bybit_lint_cache beside the config)")
    p.add_argument("--stdin-filename", type=Path, help="the path of the code read from stdin (`-`): config, per-file-ignores and messages use it")
    p.add_argument("--force-exclude", action="store_true", default=None, help="apply `exclude` to files named on the command line too (for pre-commit)")
    p.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false", default=None, help="lint files .gitignore excludes")
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
    import json

    from .rules import all_rules

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
    import json

    from .rules import all_rules, rule_by_code

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


def _config_path(args: argparse.Namespace) -> Path | None:
    if args.isolated:
        return None
    if args.config is not None:
        return args.config
    start = args.stdin_filename if _reads_stdin(args) and args.stdin_filename else (args.paths[0] if args.paths else Path.cwd())
    start = Path(os.path.abspath(start))
    while not start.exists():  # a buffer not saved yet: its folder decides
        start = start.parent
    return find_pyproject(start)


def _cache_dir(args: argparse.Namespace, config_path: Path | None) -> Path | None:
    """Where the cache lives: ``--cache-dir``, else ``cache-dir`` in the config, else beside it.

    Read before the config is validated, because validating needs the rule catalog that
    is kept in this very folder.
    """
    from .cache import CACHE_DIR_NAME

    if args.no_cache:
        return None
    if args.cache_dir is not None:
        return args.cache_dir.resolve()
    if config_path is not None:
        return configured_cache_dir(config_path) or config_path.parent.resolve() / CACHE_DIR_NAME
    return Path.cwd() / CACHE_DIR_NAME


def _config(args: argparse.Namespace, config_path: Path | None, rules: Sequence[RuleInfo]) -> Config:
    if args.isolated:
        config = Config()
    else:
        config = load_config(config_path, rules)
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
    if args.force_exclude is not None:
        config.force_exclude = args.force_exclude
    if args.respect_gitignore is not None:
        config.respect_gitignore = args.respect_gitignore
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


def _reads_stdin(args: argparse.Namespace) -> bool:
    return [str(p) for p in args.paths] == ["-"] or (not args.paths and args.stdin_filename is not None)


def _codes_for(path: Path, rules: Sequence[RuleInfo], config: Config) -> tuple[str, ...]:
    ignored = per_file_ignored(path, config)
    return tuple(r.code for r in rules if not any(r.code.startswith(i) for i in ignored))


def _source_lines(stdin: tuple[str, bytes] | None) -> Callable[[str], list[str] | None]:
    """``lines_of`` for the full format: the text that was linted, read again only if shown."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def lines_of(filename: str) -> list[str] | None:
        from .runner import decode

        from .sources import SourceDecodeError, SourceReadError, read_bytes

        try:
            raw = stdin[1] if stdin is not None and filename == stdin[0] else read_bytes(filename)
            return decode(raw).splitlines()
        except (SourceReadError, SourceDecodeError):
            return None

    return lines_of


def _fix_counts(findings: Sequence[Finding], unsafe: bool) -> dict[str, dict[tuple[str, str], int]]:
    counts: dict[str, dict[tuple[str, str], int]] = {}
    for f in findings:
        if f.fix is not None and (f.fix.safe or unsafe):
            per_file = counts.setdefault(f.filename, {})
            per_file[(f.code, f.name)] = per_file.get((f.code, f.name), 0) + 1
    return counts


def _check(argv: Sequence[str]) -> int:
    from . import runner
    from .cache import FindingsCache, tool_fingerprint
    from .catalog import load_catalog

    parser = _check_parser()
    args = parser.parse_args(argv)
    stdin = _reads_stdin(args)
    try:
        config_path = _config_path(args)
        cache_dir = _cache_dir(args, config_path)
        catalog = load_catalog(cache_dir, tool_fingerprint())
        config = _config(args, config_path, catalog)
    except ConfigError as exc:
        print(f"bybit-lint: error: {exc}", file=sys.stderr)
        return 2
    rules = resolve_rules(catalog, config.select, config.ignore, config.extend_select)
    if args.jobs < 0:
        print(f"bybit-lint: error: --jobs must be 0 (automatic) or more, got {args.jobs}", file=sys.stderr)
        return 2
    mode = runner.Mode(
        fix=args.fix,
        unsafe=args.unsafe_fixes,
        diff=args.diff,
        show_fixes=args.show_fixes,
        time_budget=config.time_budget,
        memory_budget=config.memory_budget,
    )
    crashes: list[str] = []

    stdin_source: tuple[str, bytes] | None = None
    if stdin:
        from .sources import force_excluded, read_stdin

        content = read_stdin()
        name = args.stdin_filename
        display = _display(name) if name is not None else "-"
        stdin_source = (display, content)
        if name is not None and config.force_exclude and force_excluded(name, config):
            if args.fix:
                sys.stdout.buffer.write(content)  # an excluded file passes through unchanged
            return 0
        codes = _codes_for(name, rules, config) if name is not None else tuple(r.code for r in rules)
        jobs = [runner.Job(None, display, content, codes)]
        # read only: the buffer is judged against the rest of the project, and never cached
        cache = FindingsCache(cache_dir, config.root if config.path else Path.cwd()) if cache_dir else None
    else:
        from .sources import SourceReadError, collect, read_bytes

        paths = args.paths or [Path(".")]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            print(f"bybit-lint: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
            return 2
        if args.stdin_filename is not None:
            print("bybit-lint: error: --stdin-filename needs `-` as the path (the code is read from stdin)", file=sys.stderr)
            return 2
        jobs = []
        skipped: list[str] = []
        files = collect(
            paths, config, respect_gitignore=config.respect_gitignore, force_exclude=config.force_exclude, skipped=skipped
        )
        for file in files:
            try:  # only regular files, never blocking on a FIFO or a device
                content = read_bytes(str(file))
            except SourceReadError as exc:
                crashes.append(f"error: {_display(file)}: {exc}")
                continue
            jobs.append(runner.Job(file, _display(file), content, _codes_for(file, rules, config)))
        for note in skipped:
            print(f"bybit-lint: warning: {note}", file=sys.stderr)
        cache = FindingsCache(cache_dir, config.root if config.path else Path.cwd()) if cache_dir else None

    outcomes = runner.run(jobs, config.options, mode, cache, workers=args.jobs, catalog=catalog, display=_display)

    findings: list[Finding] = []
    fixed_total = 0
    fixed_counts: dict[str, dict[tuple[str, str], int]] = {}
    patches: list[str] = []
    for job, outcome in zip(jobs, outcomes):
        if outcome.crash:
            crashes.append(outcome.crash)
            continue
        findings.extend(outcome.findings)
        if args.diff:
            if outcome.patch:
                patches.append(outcome.patch)
                fixed_total += outcome.fixed
        elif args.fix and outcome.changed is not None:
            if job.path is None:
                sys.stdout.buffer.write(outcome.changed)
            else:
                from .safe_write import WriteRefused, write_fixed
                from .sources import digest

                try:  # only if the file still holds the bytes that were linted
                    write_fixed(job.path, outcome.changed, digest(job.content))
                except WriteRefused as exc:
                    crashes.append(f"error: {job.display}: {exc}")
                    continue
            fixed_total += outcome.fixed
            if outcome.fixed_codes:
                names = {r.code: r.name for r in catalog}
                fixed_counts[job.display] = {(c, names.get(c, "")): n for c, n in outcome.fixed_codes.items()}
        elif args.fix and job.path is None:
            sys.stdout.buffer.write(job.content)  # nothing to fix: the code passes through
    findings.sort(key=lambda f: f.sort_key)
    for crash in crashes:
        print(f"bybit-lint: {crash}", file=sys.stderr)

    if args.diff:
        if not args.silent:
            sys.stdout.write("".join(patches))
        n = len(patches)
        if not (args.quiet or args.silent):
            print(f"Would fix {fixed_total} error{'s' if fixed_total != 1 else ''} in {n} file{'s' if n != 1 else ''}.", file=sys.stderr)
        return 2 if crashes else (1 if patches and not args.exit_zero else 0)

    import io

    # with --fix on stdin, stdout carries the fixed code: the report goes to stderr
    out = io.StringIO()
    _report(args, out, findings, crashes, fixed_total, fixed_counts, rules, stdin_source)
    if args.output_file is not None:
        try:
            _write_report(args.output_file, out.getvalue())
        except OSError as exc:
            print(
                f"bybit-lint: error: --output-file {args.output_file}: {exc.strerror or exc}; the report follows here instead",
                file=sys.stderr,
            )
            sys.stdout.write(out.getvalue())
            return 2
    elif not args.silent:
        (sys.stderr if (stdin and args.fix) else sys.stdout).write(out.getvalue())
    if crashes:
        return 2
    if args.fix and args.exit_non_zero_on_fix and fixed_total and not args.exit_zero:
        return 1
    return 1 if findings and not args.exit_zero else 0


def _write_report(path: Path, report: str) -> None:
    """Whole or not at all: a CI step reading the file never sees half a report."""
    import tempfile

    if path.is_dir():
        raise IsADirectoryError(21, "is a folder: name a file")
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)  # as ruff does
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(report)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _report(
    args: argparse.Namespace,
    out: Any,
    findings: list[Finding],
    crashes: list[str],
    fixed_total: int,
    fixed_counts: dict[str, dict[tuple[str, str], int]],
    rules: Sequence[RuleInfo],
    stdin_source: tuple[str, bytes] | None,
) -> None:
    from . import reporters

    summary = not args.quiet
    fmt = args.output_format
    if args.statistics:
        out.write(reporters.statistics(findings))
    elif fmt == "json":
        out.write(reporters.as_json(findings))
    elif fmt == "json-lines":
        out.write(reporters.json_lines(findings))
    elif fmt == "sarif":
        from .rules import all_rules

        selected = {r.code for r in rules}
        out.write(reporters.sarif(findings, [r for r in all_rules() if r.code in selected], __version__))
    elif fmt == "github":
        out.write(reporters.github(findings))
    else:
        if fmt == "full":
            out.write(reporters.full(findings, _source_lines(stdin_source), fixable_hint=not args.fix, summary=summary))
        elif fmt == "concise":
            out.write(reporters.concise(findings, fixable_hint=not args.fix, summary=summary))
        else:
            out.write(reporters.text(findings, fixable_hint=not args.fix, summary=summary))
        if args.show_fixes:
            if args.fix:
                out.write(reporters.fix_summary(fixed_counts, "Fixed"))
            else:
                out.write(reporters.fix_summary(_fix_counts(findings, args.unsafe_fixes), "Would fix (--fix)"))
        if summary and args.fix and fixed_total:
            print(f"Fixed {fixed_total} error{'s' if fixed_total != 1 else ''}.", file=out)
        if summary and not findings and not crashes and not (args.fix and fixed_total):
            print("All checks passed!", file=out)


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
