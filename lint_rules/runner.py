"""Lint a set of files: answer what the cache knows, parse the rest (in parallel when many).

The files are linted as one project (``project.Project``): each file's summary of facts
comes from the cache when its content is unchanged, or from CPython's parser otherwise, and
every file's findings are judged against the summaries of all of them. While a file is
linted the project records what it was asked (``Project.recording``: another module's
summary, where an import leads, who calls a function...); a cached verdict is reused while
its content is unchanged and every one of those questions still gets the same answer, so a
change to one module re-judges only the files that read something that changed.

LibCST and the rules are imported here only once some file must be parsed, so a run on an
unchanged tree costs reading and hashing the files. Workers are forked after that import,
so each starts with the rules loaded; a file's work travels back as plain records (a
finding's fix holds LibCST nodes, which are only needed, and applied, inside the worker).

Each file is linted within its CPU-time and memory budget (``budget``), and the workers
are ``workers``' killable processes: a file that hangs or crashes a worker costs that file,
reported by name, never the run.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from .budget import DEFAULT_MEMORY_BUDGET, DEFAULT_TIME_BUDGET, BudgetExceeded, file_budget, no_gc_pauses
from .cache import Entry, FindingsCache, content_digest, file_key, finding_from_record, finding_record, settings_digest
from .catalog import RuleInfo, may_fire
from .chunks import is_large
from .finding import Finding
from .sources import SourceDecodeError, decode as decode_source

#: Below this many files to parse a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64
#: The cyclic collector's thresholds while linting (CPython's default: 700, 10, 10).
GC_THRESHOLDS = (100_000, 50, 100)


@dataclass(frozen=True)
class Mode:
    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    show_fixes: bool = False
    time_budget: float = DEFAULT_TIME_BUDGET  # CPU seconds per file; 0: no limit
    memory_budget: int = DEFAULT_MEMORY_BUDGET  # MiB per file; 0: no limit


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
    changed: bytes | None = None  # the fixed file, encoded as it was read, when fixes changed it
    patch: str | None = None  # under --diff
    fixed: int = 0
    fixed_codes: dict[str, int] = field(default_factory=dict)
    crash: str | None = None


def decode(raw: bytes) -> str:
    """The text of a file's bytes, in the encoding it declares (``sources.decode``)."""
    return decode_source(raw).text


def _undecodable(exc: SourceDecodeError) -> dict[str, Any]:
    return {"findings": [["BYB001", "syntax-error", str(exc), exc.line, 1, exc.line, 1, None]]}


#: The project the files of this run belong to (set before workers fork, or by their initializer).
_PROJECT: Any = None
#: Digests of the files CPython's parser accepted while they were summarised (workers fork
#: after that, so they inherit it): linting them need not ask CPython again.
_PYTHON_ACCEPTS: set[bytes] = set()
#: Past this many digests the set is emptied: a long-lived process must not grow it forever.
_PYTHON_ACCEPTS_LIMIT = 100_000


def _init_worker(project: Any) -> None:
    global _PROJECT
    _PROJECT = project
    _tune_gc()


def _summarize(content: bytes) -> dict[str, Any]:
    """A file's facts for the project model; one that does not decode or parse has none.

    The file's parse by CPython is remembered (``_PYTHON_ACCEPTS``): the engine checks every
    file with CPython's parser before LibCST's, and that second parse cost a sixth of LibCST's.
    """
    summary, parsed = _summary_and_parse(content)
    if parsed:
        _remember_accepted(content)
    return summary


def _summary_and_parse(content: bytes) -> tuple[dict[str, Any], bool]:
    """The summary, and whether CPython's parser accepted the file. The cyclic collector is
    held meanwhile, as while linting (``budget.no_gc_pauses``)."""
    import ast
    import warnings

    from .project import empty_summary, summarize

    with no_gc_pauses():
        try:
            text = decode(content)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SourceDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            return empty_summary(), False
        try:
            return summarize(tree), True
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return empty_summary(), True


def _remember_accepted(content: bytes) -> None:
    if len(_PYTHON_ACCEPTS) >= _PYTHON_ACCEPTS_LIMIT:
        _PYTHON_ACCEPTS.clear()
    _PYTHON_ACCEPTS.add(_digest(content))


def _not_summarized(content: bytes, reason: str) -> tuple[dict[str, Any], bool]:
    from .project import empty_summary

    return empty_summary(), False  # the lint of the file reports what went wrong


def _summarize_all(contents: Sequence[bytes], workers: int, hard_limit: float | None) -> list[dict[str, Any]]:
    """The summaries of the files, on the worker processes when there are many: summarising
    is a fifth of a cold run's CPU, and the project must be whole before any file is linted."""
    if workers < 2 or len(contents) < 2:
        return [_summarize(content) for content in contents]
    from .workers import run_jobs

    done = run_jobs(_summary_and_parse, contents, workers, hard_limit, _not_summarized)
    for content, (_, parsed) in zip(contents, done):
        if parsed:
            _remember_accepted(content)
    return [summary for summary, _ in done]


def _digest(content: bytes) -> bytes:
    import hashlib

    return hashlib.blake2b(content, digest_size=16).digest()


def _reached(project: Any, display: str, codes: tuple[str, ...], infos: Mapping[str, RuleInfo]) -> bool:
    """Whether the project makes a rule run on a file its trigger words are absent from
    (``Rule.reached_by``: a file that calls an order wrapper imported from another module)."""
    return any(
        (query := infos[code].reached_by) and getattr(project, query)(display) for code in codes if code in infos
    )


def _work(item: tuple[str, bytes, tuple[str, ...], Mapping[str, Any], Mode, bool]) -> dict[str, Any]:
    """Lint (and maybe fix) one file within its budget; whatever goes wrong is reported as a
    one-line error for that file, never fatal to the run."""
    filename, content, codes, options, mode, parse = item
    try:
        # a large file is linted in pieces, each within the budget (``chunks``)
        with nullcontext() if parse and is_large(content) else file_budget(mode.time_budget, mode.memory_budget):
            if not parse:
                return _syntax_only(filename, content)
            chain = (_PROJECT.summaries.get(filename) or {}).get("chain") if _PROJECT is not None else None
            if chain:
                from .deep_code import refusal

                return {"crash": refusal(filename, *chain)}
            if _PROJECT is None:
                return _lint(filename, content, codes, options, mode)
            with _PROJECT.recording(filename) as asked:
                result = _lint(filename, content, codes, options, mode)
            result["depends"] = asked
            return result
    except BudgetExceeded as exc:
        return {"crash": f"error: {filename}: {exc}: not linted (raise it with {exc.option} or [tool.bybit-lint])"}
    except RecursionError:
        return {"crash": f"error: {filename}: nested too deeply for the linter's recursion bound: not linted"}
    except Exception as exc:  # an internal error: name the file, keep going, exit 2
        parsing = sys.modules.get(f"{__package__}.parsing")  # loaded with LibCST, if at all
        if parsing is not None and isinstance(exc, parsing.UnsupportedSyntax):
            return {"crash": f"error: {filename}: {exc}"}
        import traceback

        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return {"crash": f"internal error while linting {filename}: {detail}. Please report it with that file."}


def _stopped(item: tuple[Any, ...], reason: str) -> dict[str, Any]:
    """The result of a file whose worker died or was killed (``workers.run_jobs``)."""
    return {"crash": f"error: {item[0]}: {reason}: not linted"}


def _per_file_limit(time_budget: float) -> float | None:
    return time_budget * 4 + 30 if time_budget else None


def _hard_limit(time_budget: float) -> Callable[[tuple[Any, ...]], float] | None:
    """Wall-clock seconds after which a worker that has not reported on a file is killed:
    the in-worker budget (CPU time) stops Python code on time, so only a file stuck inside
    one native call, or waiting forever, gets this far. Generous, for a machine under load;
    a file linted in pieces (``chunks``) has the budget once per piece, and so this limit."""
    per_file = _per_file_limit(time_budget)
    if per_file is None:
        return None

    def limit(item: tuple[Any, ...]) -> float:
        content, parse = item[1], item[5]
        if parse and is_large(content):
            from .chunks import PIECE_LINES

            return per_file * (max(content.count(b"\n"), content.count(b"\r")) // PIECE_LINES + 1)
        return per_file

    return limit


def _workers(requested: int, files: int) -> int:
    """Never more workers than files or CPUs: each one costs a process and an import of LibCST."""
    cpus = os.cpu_count() or 1
    if requested:
        return max(1, min(requested, files, cpus))
    return min(cpus, 8, files) if files >= PARALLEL_THRESHOLD else 1


def _syntax_only(filename: str, content: bytes) -> dict[str, Any]:
    """A file no selected rule can fire on: CPython's parser still reports a syntax error.

    The same finding ``engine.lint_source`` gives such a file, without importing LibCST.
    """
    import ast
    import warnings

    def syntax_error(line: int, col: int, msg: str) -> dict[str, Any]:
        message = f"SyntaxError: {msg} (the file was not linted)"
        return {"findings": [["BYB001", "syntax-error", message, line, col, line, col, None]]}

    try:
        source = decode(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except SourceDecodeError as exc:
        return _undecodable(exc)
    except SyntaxError as exc:
        return syntax_error(exc.lineno or 1, exc.offset or 1, exc.msg)
    except (RecursionError, MemoryError):
        return syntax_error(1, 1, "nested too deeply for Python's own parser")
    except ValueError as exc:  # null bytes
        return syntax_error(1, 1, str(exc))
    return {"findings": []}


def _lint(
    filename: str, content: bytes, codes: tuple[str, ...], options: Mapping[str, Any], mode: Mode, whole: bool = False
) -> dict[str, Any]:
    from .engine import lint_source
    from .rules import all_rules

    rules = [r for r in all_rules() if r.code in codes]
    try:
        decoded = decode_source(content)
    except SourceDecodeError as exc:
        return _undecodable(exc)
    if not whole and is_large(content):
        from .chunks import lint_in_pieces

        return lint_in_pieces(
            filename, decoded, rules, options, mode, _PROJECT, whole=lambda: _lint(filename, content, codes, options, mode, True)
        )
    source = decoded.text
    if mode.fix or mode.diff:
        from .fixes import fix_source, unified_diff

        result = fix_source(source, filename, rules, options, unsafe=mode.unsafe, project=_PROJECT)
        changed = result.source if result.source != source else None
        out: dict[str, Any] = {
            "findings": [finding_record(f) for f in result.remaining],
            # encoded as read (BOM, coding cookie): the bytes --fix writes and --diff shows
            "changed": decoded.encode(changed) if changed is not None else None,
            "patch": unified_diff(source, result.source, filename) if (mode.diff and changed) else None,
            "fixed": result.fixed,
        }
        if mode.show_fixes and changed is not None:
            before = Counter(f.code for f in lint_source(source, filename, rules, options, project=_PROJECT).findings if f.fix)
            after = Counter(f.code for f in result.remaining)
            out["fixed_codes"] = dict(before - after)
        return out
    accepted = bool(_PYTHON_ACCEPTS) and _digest(content) in _PYTHON_ACCEPTS
    linted = lint_source(source, filename, rules, options, project=_PROJECT, python_accepts=accepted)
    return {"findings": [finding_record(f) for f in linted.findings]}


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


def _pool_map(
    items: list[tuple[Any, ...]], workers: int, hard_limit: float | Callable[[tuple[Any, ...]], float] | None = None
) -> list[dict[str, Any]]:
    from .rules import all_rules
    from .workers import run_jobs

    all_rules()  # loaded before the fork: every worker starts with the rules imported
    # biggest files first, one at a time: no worker is left with a long tail
    order = sorted(range(len(items)), key=lambda i: -len(items[i][1]))
    done = run_jobs(
        _work, [items[i] for i in order], workers, hard_limit, _stopped, initializer=_init_worker, initargs=(_PROJECT,)
    )
    results: list[dict[str, Any]] = [{} for _ in items]
    for index, result in zip(order, done):
        results[index] = result
    return results


def _project_of(
    jobs: Sequence[Job],
    contents: Sequence[str | None],
    names: Sequence[str | None],
    cache: FindingsCache | None,
    display: Callable[[Path], str] | None,
    workers: int = 1,
    hard_limit: float | None = None,
) -> Any:
    """The run's project: summaries keyed by the names files are shown under, taken from the
    cache for a file whose content it knows.

    With a ``display`` for file names, the files the cache knows and the run does not name
    (pre-commit names only the changed ones) are part of the project too, while their
    content is unchanged: a file is judged against the same project whether the whole
    tree or only that file is linted.
    """
    from .project import Project, well_formed

    summaries: dict[str, Any] = {}
    missing: dict[str, bytes] = {}  # files to summarise now, by the name they are shown under

    def take(name: str, entry: Entry | None, content: bytes, digest: str | None) -> None:
        if entry is not None and entry.content and entry.content == digest and well_formed(entry.summary):
            summaries[name] = entry.summary
        else:
            summaries[name] = None  # keeps the order: cached or not, a file has one place
            missing[name] = content

    if cache is not None and display is not None:
        for path, entry, content in cache.known_files(name for name in names if name):
            take(display(path), entry, content, content_digest(content))
    for i, job in enumerate(jobs):
        take(job.display, cache.get(names[i]) if cache is not None and names[i] else None, job.content, contents[i])
    made = _summarize_all(list(missing.values()), _workers(workers, len(missing)), hard_limit)
    summaries.update(zip(missing, made))
    return Project(summaries)


def run(
    jobs: Sequence[Job],
    options: Mapping[str, Any],
    mode: Mode,
    cache: FindingsCache | None = None,
    workers: int = 0,
    catalog: Sequence[RuleInfo] = (),
    display: Callable[[Path], str] | None = None,
) -> list[Outcome]:
    """An outcome per job, in the jobs' order.

    With the rule ``catalog``, a file none of its rules can fire on is checked for syntax
    only, without LibCST (``catalog.may_fire``). With ``display`` (how a path is shown,
    as the jobs' ``display``), the cached summaries of the files the run does not name
    complete the project (``_project_of``).
    """
    global _PROJECT
    infos = {info.code: info for info in catalog}
    outcomes: list[Outcome | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    names: list[str | None] = [None] * len(jobs)
    contents: list[str | None] = [None] * len(jobs)
    if cache is not None:
        for i, job in enumerate(jobs):
            if job.path is not None:
                names[i] = cache.relative(job.path)
                contents[i] = content_digest(job.content)
                keys[i] = file_key(settings_digest(job.codes, options), contents[i])
    project = _project_of(jobs, contents, names, cache, display, workers, _per_file_limit(mode.time_budget))
    hits: dict[int, Entry] = {}
    todo: list[int] = []
    for i in range(len(jobs)):
        name, key = names[i], keys[i]
        entry = cache.get(name) if cache is not None and name is not None else None
        if entry is not None and key is not None and entry.fresh(key, project.still_holds) and not _needs_parse(entry, mode):
            hits[i] = entry
        else:
            todo.append(i)

    # whether a file is parsed at all is part of its verdict: what deciding it asked is recorded too
    asked: dict[int, dict[str, str]] = {}
    items = []
    for i in todo:
        job = jobs[i]
        with project.recording(job.display) as asked[i]:
            parse = not infos or may_fire(job.content, job.codes, infos) or _reached(project, job.display, job.codes, infos)
        items.append((job.display, job.content, job.codes, options, mode, parse))
    _PROJECT = project
    try:
        parsed = sum(1 for item in items if item[5])
        n_workers = _workers(workers, parsed if not workers else len(items))
        if n_workers > 1 and len(items) > 1:
            results = _pool_map(items, n_workers, _hard_limit(mode.time_budget))
        else:
            with _gc_tuned():
                results = [_work(item) for item in items]
    finally:
        _PROJECT = None
    for i, result in zip(todo, results):
        outcomes[i] = _outcome(jobs[i], result)
        name, key = names[i], keys[i]
        # only a plain lint judges the text on disk (a fix-mode run judges the fixed text)
        if cache is not None and name and key and "crash" not in result and not (mode.fix or mode.diff):
            summary = project.summaries.get(jobs[i].display)
            depends = {**asked[i], **result.get("depends", {})}
            cache.put(name, Entry(key, list(result["findings"]), summary, depends, contents[i] or ""))

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
