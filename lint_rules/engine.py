"""Lint one source text: parse once, visit once with every rule that can apply, filter noqa.

Speed comes from doing less: rules whose trigger words are absent from the text never run,
and only the metadata providers the remaining rules ask for are computed.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper

from .noqa import parse_suppressions
from .rule import Finding, Rule, RuleContext

SYNTAX_ERROR_CODE = "BYB001"
UNUSED_NOQA_CODE = "BYB002"


@dataclass
class FileResult:
    filename: str
    source: str
    findings: list[Finding]
    module: cst.Module | None = None


def _syntax_error(filename: str, source: str, exc: cst.ParserSyntaxError) -> Finding:
    """Prefer CPython's message (it names the problem); fall back to LibCST's."""
    line, col, message = exc.raw_line, exc.raw_column + 1, exc.message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except SyntaxError as py_exc:
        line = py_exc.lineno or line
        col = py_exc.offset or col
        message = py_exc.msg
    return Finding(
        code=SYNTAX_ERROR_CODE,
        name="syntax-error",
        message=f"SyntaxError: {message} (the file was not linted)",
        filename=filename,
        line=line,
        column=col,
        end_line=line,
        end_column=col,
    )


def applicable_rules(source: str, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    """Rules that can fire on this text: the others are not even instantiated."""
    return [
        r
        for r in rules
        if not getattr(r, "engine_check", False) and (not r.words or any(w in source for w in r.words))
    ]


def lint_source(
    source: str,
    filename: str,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any] | None = None,
    *,
    keep_module: bool = False,
) -> FileResult:
    """Findings for one file, after ``# noqa``; the parsed module is kept for fixing."""
    options = options or {}
    report_unused_noqa = any(r.code == UNUSED_NOQA_CODE for r in rules)
    active = applicable_rules(source, rules)
    if not active and not report_unused_noqa:
        return FileResult(filename, source, [])
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return FileResult(filename, source, [_syntax_error(filename, source, exc)])
    findings: list[Finding] = []
    if active:
        context = RuleContext(filename=filename, source=source, options=options)
        visitors = [rule(context) for rule in active]
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        wrapper.visit_batched(visitors)
        for visitor in visitors:
            findings.extend(visitor.findings)
    suppressions = parse_suppressions(source)
    kept = [
        f
        for f in findings
        if not suppressions.suppresses(f.code, (f.line,) if f.line == f.end_line else (f.line, f.end_line))
    ]
    if report_unused_noqa:
        known = {r.code for r in rules}
        for directive in suppressions.by_line.values():
            unused = (
                ()
                if directive.codes is None
                else tuple(c for c in directive.codes if c not in directive.used and c.startswith("BYB"))
            )
            if directive.codes is None and not directive.used:
                message = "Unused blanket `noqa` directive: remove it"
            elif unused:
                unknown = [c for c in unused if c not in known]
                detail = ", ".join(unused)
                message = f"Unused `noqa` directive ({detail}): remove it"
                if unknown:
                    message += f" (unknown or not selected: {', '.join(unknown)})"
            else:
                continue
            kept.append(
                Finding(
                    code=UNUSED_NOQA_CODE,
                    name="unused-noqa",
                    message=message,
                    filename=filename,
                    line=directive.line,
                    column=directive.column,
                    end_line=directive.line,
                    end_column=directive.column,
                )
            )
    kept.sort(key=lambda f: f.sort_key)
    return FileResult(filename, source, kept, module if keep_module else None)
