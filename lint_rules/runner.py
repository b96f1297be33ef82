"""Lint a set of files: answer what the cache knows, parse the rest (in parallel when many).

LibCST and the rules are imported here only once some file must be parsed, so a run on an
unchanged tree costs reading and hashing the files. Workers are forked after that import,
so each starts with the rules loaded; a file's work travels back as plain records (a
finding's fix holds LibCST nodes, which are only needed, and applied, inside the worker).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from .cache import Entry, FindingsCache, file_key, finding_from_record, finding_record, settings_digest, summary_digest
from .catalog import RuleInfo, may_fire
from .finding import Finding

#: Below this many files to parse a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64
#: Dependents re-judged in rounds; a summary only depends on its own file, so one is usual.
MAX_ROUNDS = 5
#: The cyclic collector's thresholds while linting (CPython's default: 700, 10, 10).
GC_THRESHOLDS = (100_000, 50, 100)


@dataclass(frozen=True)
class Mode:
    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    show_fixes: bool = False


@dataclass
class Job:
    """One file: where it is, how it is shown, its text and the rules that apply to it."""

    path: Path | None  # None for stdin
    display: str
    content: bytes
    codes: tuple[str, ...]


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    changed: str | None = None  # the fixed text, when fixes changed it
    patch: str | None = None  # under --diff
    fixed: int = 0
    fixed_codes: dict[str, int] = field(default_factory=dict)
    crash: str | None = None


def decode(raw: bytes) -> str:
    return raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("utf-8")


def _work(item: tuple[str, bytes, tuple[str, ...], Mapping[str, Any], Mode, bool]) -> dict[str, Any]:
    """Lint (and maybe fix) one file; a crash in a rule is reported, not fatal to the run."""
    filename, content, codes, options, mode, parse = item
    try:
        if not parse:
            return _syntax_only(filename, content)
        return _lint(filename, content, codes, options, mode)
    except Exception as exc:  # an internal error: name the file, keep going, exit 2
        import traceback

        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return {"crash": f"{filename}: {detail}"}


def _syntax_only(filename: str, content: bytes) -> dict[str, Any]:
    """A file no selected rule can fire on: CPython's parser still reports a syntax error.

    The same finding ``engine.lint_source`` gives such a file, without importing LibCST.
    """
    import ast
    import warnings

    try:
        source = decode(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except UnicodeDecodeError as exc:
        message = f"cannot decode file as UTF-8: {exc.reason} at byte {exc.start}"
        return {"findings": [["BYB001", "syntax-error", message, 1, 1, 1, 1, None]]}
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        message = f"SyntaxError: {exc.msg} (the file was not linted)"
        return {"findings": [["BYB001", "syntax-error", message, line, col, line, col, None]]}
    return {"findings": [], "summary": None, "depends_on": {}}


def _lint(filename: str, content: bytes, codes: tuple[str, ...], options: Mapping[str, Any], mode: Mode) -> dict[str, Any]:
    from .engine import lint_source
    from .rules import all_rules

    rules = [r for r in all_rules() if r.code in codes]
    try:
        source = decode(content)
    except UnicodeDecodeError as exc:
        message = f"cannot decode file as UTF-8: {exc.reason} at byte {exc.start}"
        return {"findings": [["BYB001", "syntax-error", message, 1, 1, 1, 1, None]]}
    if mode.fix or mode.diff:
        from .fixes import fix_source, unified_diff

        result = fix_source(source, filename, rules, options, unsafe=mode.unsafe)
        changed = result.source if result.source != source else None
        out: dict[str, Any] = {
            "findings": [finding_record(f) for f in result.remaining],
            "changed": changed,
            "patch": unified_diff(source, result.source, filename) if (mode.diff and changed) else None,
            "fixed": result.fixed,
        }
        if mode.show_fixes and changed is not None:
            before = Counter(f.code for f in lint_source(source, filename, rules, options).findings if f.fix)
            after = Counter(f.code for f in result.remaining)
            out["fixed_codes"] = dict(before - after)
        return out
    linted = lint_source(source, filename, rules, options)
    return {
        "findings": [finding_record(f) for f in linted.findings],
        "summary": linted.summary,
        "depends_on": dict(linted.depends_on),
    }


def _needs_parse(entry: Entry, mode: Mode) -> bool:
    """Whether a cached file must still be parsed: only to apply (or show) its fixes."""
    if not (mode.fix or mode.diff):
        return False
    return any(rec[7] is not None and (rec[7][0] or mode.unsafe) for rec in entry.findings)


def _tune_gc() -> None:
    """Collect cycles less often: parsing allocates millions of objects and few cycles.

    With CPython's defaults the collector runs every 700 allocations and keeps walking
    the trees being built, which cost a fifth of a cold run's CPU time (mypy raises its
    thresholds for the same reason). Objects alive now (the imported rules) are frozen
    out of every collection.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def _gc_tuned() -> Iterator[None]:
    before = gc.get_threshold()
    _tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _pool_map(items: list[tuple[Any, ...]], workers: int) -> list[dict[str, Any]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .rules import all_rules

    all_rules()  # loaded before the fork: every worker starts with the rules imported
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # biggest files first, one at a time: no worker is left with a long tail
    order = sorted(range(len(items)), key=lambda i: -len(items[i][1]))
    results: list[dict[str, Any]] = [{} for _ in items]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_tune_gc) as pool:
        for index, result in zip(order, pool.map(_work, [items[i] for i in order], chunksize=1)):
            results[index] = result
    return results


def run(
    jobs: Sequence[Job],
    options: Mapping[str, Any],
    mode: Mode,
    cache: FindingsCache | None = None,
    workers: int = 0,
    catalog: Sequence[RuleInfo] = (),
) -> list[Outcome]:
    """An outcome per job, in the jobs' order.

    With the rule ``catalog``, a file none of its rules can fire on is checked for syntax
    only, without LibCST (``catalog.may_fire``).
    """
    infos = {info.code: info for info in catalog}
    outcomes: list[Outcome | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    names: list[str | None] = [None] * len(jobs)
    hits: dict[int, Entry] = {}
    todo: list[int] = []
    if cache is not None:
        for i, job in enumerate(jobs):
            if job.path is None:
                todo.append(i)
                continue
            names[i] = cache.relative(job.path)
            keys[i] = file_key(settings_digest(job.codes, options), job.content)
        current = cache.summary_digests(n for n in names if n is not None)
        for i, job in enumerate(jobs):
            name, key = names[i], keys[i]
            if name is None or key is None:
                continue
            entry = cache.get(name)
            if entry is not None and entry.fresh(key, current) and not _needs_parse(entry, mode):
                hits[i] = entry
            else:
                todo.append(i)
    else:
        todo = list(range(len(jobs)))

    for _ in range(MAX_ROUNDS):
        if not todo:
            break
        items = [
            (jobs[i].display, jobs[i].content, jobs[i].codes, options, mode, not infos or may_fire(jobs[i].content, jobs[i].codes, infos))
            for i in todo
        ]
        parsed = sum(1 for item in items if item[5])
        n_workers = workers or (min(os.cpu_count() or 1, 8) if parsed >= PARALLEL_THRESHOLD else 1)
        if n_workers > 1 and len(items) > 1:
            results = _pool_map(items, n_workers)
        else:
            with _gc_tuned():
                results = [_work(item) for item in items]
        changed_summaries: dict[str, str] = {}
        for i, result in zip(todo, results):
            outcomes[i] = _outcome(jobs[i], result)
            name, key = names[i], keys[i]
            # only a plain lint judges the text on disk (a fix-mode run judges the fixed text)
            if cache is not None and name and key and "crash" not in result and not (mode.fix or mode.diff):
                _store(cache, name, key, result, changed_summaries)
        # a cached file that read a summary which just changed is judged again
        todo = []
        if changed_summaries and cache is not None:
            current = cache.summary_digests(n for n in names if n is not None)
            for i, entry in list(hits.items()):
                if not entry.fresh(entry.key, current):
                    del hits[i]
                    todo.append(i)

    for i, entry in hits.items():
        outcomes[i] = Outcome([finding_from_record(r, jobs[i].display) for r in entry.findings])
    if cache is not None:
        cache.save()
    return [o if o is not None else Outcome() for o in outcomes]


def _outcome(job: Job, result: Mapping[str, Any]) -> Outcome:
    if "crash" in result:
        return Outcome(crash=result["crash"])
    return Outcome(
        findings=[finding_from_record(r, job.display) for r in result["findings"]],
        changed=result.get("changed"),
        patch=result.get("patch"),
        fixed=result.get("fixed", 0),
        fixed_codes=result.get("fixed_codes", {}),
    )


def _store(
    cache: FindingsCache,
    name: str,
    key: str,
    result: Mapping[str, Any],
    changed_summaries: dict[str, str],
) -> None:
    """Remember what a file's content was judged to be, and note a summary that changed."""
    previous = cache.get(name)
    summary = result.get("summary")
    if previous is None or previous.summary != summary:
        changed_summaries[name] = summary_digest(summary)
    cache.put(name, Entry(key, list(result["findings"]), summary, dict(result.get("depends_on", {}))))
