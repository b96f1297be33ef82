"""Apply rule fixes to a source text, and write files atomically.

Fixes replace nodes of the very tree the rules visited (matched by identity), so a fix can
never land on the wrong node. Like ruff, fixing repeats until nothing changes (a fix may
expose another), with a cap so a pair of fighting fixes cannot loop forever.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import libcst as cst

from .engine import FileResult, lint_source
from .rule import Finding, Rule

MAX_ROUNDS = 10


class _Replacer(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, cst.CSTNode | cst.RemovalSentinel]) -> None:
        super().__init__()
        self.replacements = replacements

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        return self.replacements.get(id(original_node), updated_node)


def _applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (finding.fix.safe or unsafe)


@dataclass
class FixResult:
    source: str
    fixed: int
    remaining: list[Finding]


def fix_source(
    source: str,
    filename: str,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any] | None = None,
    *,
    unsafe: bool = False,
    project: Any = None,
) -> FixResult:
    """The source with every applicable fix applied, and the findings that remain."""
    fixed = 0
    result: FileResult = lint_source(source, filename, rules, options, keep_module=True, project=project)
    for _ in range(MAX_ROUNDS):
        todo = [f for f in result.findings if _applicable(f, unsafe)]
        if not todo or result.module is None:
            break
        replacements: dict[int, cst.CSTNode | cst.RemovalSentinel] = {}
        for finding in todo:
            assert finding.fix is not None
            if any(id(old) in replacements for old, _ in finding.fix.replacements):
                continue  # overlapping fix: the next round picks it up
            for old, new in finding.fix.replacements:
                replacements[id(old)] = new
            fixed += 1
        new_source = result.module.visit(_Replacer(replacements)).code
        if new_source == source:
            break
        source = new_source
        result = lint_source(source, filename, rules, options, keep_module=True, project=project)
    return FixResult(source, fixed, result.findings)


def unified_diff(before: str, after: str, filename: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=filename if filename.startswith("/") else f"a/{filename}",
            tofile=filename if filename.startswith("/") else f"b/{filename}",
        )
    )


def write_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write beside the target and rename over it: a crash leaves the old file intact."""
    directory = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bybit-lint", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
