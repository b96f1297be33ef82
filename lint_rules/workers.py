"""Worker processes that one file cannot take down with it.

``concurrent.futures`` cannot stop a task: a file stuck inside one long native call (where
the in-process budget cannot reach, see ``budget``) would hold the run forever, and a
worker that crashes (a segfault in a native parser) breaks the whole pool. Here each worker
takes one file at a time over its own pipe; a worker still busy past the hard limit is
killed, a worker that dies is replaced, and either way that file gets an error result and
the run goes on.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")


def _serve(
    conn: Connection, func: Callable[[Any], Any], initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, job = message
        conn.send((index, func(job)))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0
    limit: float | None = None  # the hard limit of the job it is running


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def run_jobs(
    func: Callable[[J], R],
    jobs: Sequence[J],
    workers: int,
    hard_limit: float | Callable[[J], float | None] | None,
    failed: Callable[[J, str], R],
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[R]:
    """``[func(job) for job in jobs]`` on ``workers`` processes, in order.

    A job still running after ``hard_limit`` seconds (None: no limit; a function of the job:
    a limit per job) has its worker killed; a job whose worker dies gets
    ``failed(job, reason)`` as its result. Each worker calls
    ``initializer(*initargs)`` once before its first job (a replacement worker too).
    """
    ctx = _context()
    limit_of: Callable[[J], float | None] = hard_limit if callable(hard_limit) else (lambda job: hard_limit)
    results: list[Any] = [None] * len(jobs)
    pending = deque(range(len(jobs)))
    pool: list[_Worker] = []

    def spawn() -> _Worker:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child, func, initializer, initargs), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def feed(worker: _Worker) -> None:
        worker.index = None
        if pending:
            index = pending.popleft()
            worker.conn.send((index, jobs[index]))
            worker.index, worker.started, worker.limit = index, time.monotonic(), limit_of(jobs[index])

    def replace(worker: _Worker, reason: str) -> None:
        assert worker.index is not None
        results[worker.index] = failed(jobs[worker.index], reason)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        fresh = spawn()
        pool[pool.index(worker)] = fresh
        feed(fresh)

    try:
        for _ in range(max(1, min(workers, len(jobs)))):
            pool.append(spawn())
        for worker in pool:
            feed(worker)
        while True:
            busy = [w for w in pool if w.index is not None]
            if not busy:
                break
            deadlines = [w.started + w.limit for w in busy if w.limit]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = wait([w.conn for w in busy], timeout)
            for worker in busy:
                if worker.conn in ready:
                    try:
                        index, result = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join()
                        replace(worker, f"the linter's worker process died ({_death(worker.process.exitcode)})")
                        continue
                    results[index] = result
                    feed(worker)
                elif worker.limit and time.monotonic() - worker.started > worker.limit:
                    replace(worker, f"no result after {worker.limit:g} s of wall-clock time: its worker was stopped")
    finally:
        for worker in pool:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in pool:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
    return results
