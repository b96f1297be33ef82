"""Per-file limits, so one pathological file can neither hang a run nor exhaust the machine.

A periodic timer (``SIGALRM``) checks the time spent on the file and the growth of the
process's resident memory, and raises ``BudgetExceeded`` in the code that is running: rule
code, the analyses, LibCST's own traversals. The check runs between Python bytecodes, so
a file is stopped within a tick of its budget unless it sits inside one long native call
(LibCST's parser is linear in the file's size, and files over ``sources.MAX_FILE_BYTES``
are not read at all). The timer needs the main thread of a process, which both the
command line and its worker processes are; elsewhere (a linter called from a thread) the
budget is not enforced.

Deeply nested expressions (1,000 implicitly concatenated strings, a 500-term sum) are
valid Python that LibCST prints and visits recursively: ``recursion_headroom`` raises the
interpreter's limit while one file is linted, to a bound the C stack holds.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

DEFAULT_TIME_BUDGET = 10.0  # CPU seconds per file
DEFAULT_MEMORY_BUDGET = 1024  # MiB of resident memory a file may add
TICK = 0.05  # seconds between checks

#: Python frames allowed while linting one file. From 3.11 on, a call from Python code to
#: Python code does not use the C stack, so LibCST's recursive printers and visitors can go
#: this deep in the default 8 MiB main-thread stack; 3.10 keeps its own bound.
RECURSION_LIMIT = 20_000 if sys.version_info >= (3, 11) else 6_000


class BudgetExceeded(BaseException):
    """Raised inside a file's linting when it goes over its budget.

    A ``BaseException``, so that rule code catching ``Exception`` cannot swallow it.
    ``option`` names the command-line option that raises the limit.
    """

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


def _resident_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def file_budget(seconds: float | None, megabytes: int | None) -> Iterator[None]:
    """Raise ``BudgetExceeded`` if the block spends more than ``seconds`` of CPU time or grows
    the resident memory by more than ``megabytes``; ``None`` (or 0) turns a limit off.

    CPU time, not the wall clock: on a loaded machine (a CI runner, eight jobs on two cores)
    a file must not fail for waiting its turn. A loop burns CPU time and is caught; a worker
    that waits on something forever is the worker pool's hard limit's to stop.
    """
    if not (seconds or megabytes) or not _can_time():
        yield
        return
    start = time.process_time()
    baseline = _resident_bytes() if megabytes else None
    limit = baseline + megabytes * 1024 * 1024 if baseline is not None and megabytes else None

    def check(signum: int, frame: object) -> None:
        if seconds and time.process_time() - start > seconds:
            raise BudgetExceeded(f"over the per-file time budget of {seconds:g} s", "--file-time-budget")
        if limit is not None:
            now = _resident_bytes()
            if now is not None and now > limit:
                raise BudgetExceeded(f"over the per-file memory budget of {megabytes} MiB", "--file-memory-budget")

    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while one file is linted.

    LibCST builds hundreds of thousands of nodes for a large file, and each generation-2
    collection scans all of them again: a quarter of the time on a 20,000-line file. The
    trees hold no cycles (nodes do not point to their parents), so reference counting frees
    them; what cycles the rules leave are collected once the collector runs again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def recursion_headroom(limit: int = RECURSION_LIMIT) -> Iterator[None]:
    """Let one file's linting recurse up to ``limit`` frames, then restore the old limit."""
    old = sys.getrecursionlimit()
    if old >= limit:
        yield
        return
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
