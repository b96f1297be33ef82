"""Apply rule fixes to a source text.

Fixes replace nodes of the very tree the rules visited (matched by identity), so a fix can
never land on the wrong node. Like ruff, fixing repeats until nothing changes (a fix may
expose another), with a cap so a pair of fighting fixes cannot loop forever.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import libcst as cst

from .budget import no_gc_pauses, recursion_headroom
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
    with recursion_headroom(), no_gc_pauses():
        return _fix_source(source, filename, rules, options, unsafe=unsafe, project=project)


def _fix_source(
    source: str,
    filename: str,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any] | None,
    *,
    unsafe: bool,
    project: Any,
) -> FixResult:
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
        new_source = keep_final_line_ending(source, result.module.visit(_Replacer(replacements)).code)
        if new_source == source:
            break
        source = new_source
        result = lint_source(source, filename, rules, options, keep_module=True, project=project)
    return FixResult(source, fixed, result.findings)


def keep_final_line_ending(before: str, after: str) -> str:
    """LibCST drops the last ``\r`` of a CR-only file when it prints a module: put it back."""
    if before.endswith("\r") and not after.endswith(("\r", "\n")):
        return after + "\r"
    return after


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> list[str]:
    """Lines split only on Python's line endings (``str.splitlines`` also splits on form
    feeds and other separators, and the diff would not show the bytes that are written)."""
    return _LINE.findall(text)


def unified_diff(before: str, after: str, filename: str) -> str:
    """A unified diff of exactly what ``--fix`` writes: line endings as they are, and GNU
    diff's marker when the last line has none."""
    out = []
    for line in difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=filename if filename.startswith("/") else f"a/{filename}",
        tofile=filename if filename.startswith("/") else f"b/{filename}",
    ):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)
