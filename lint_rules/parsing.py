"""LibCST's parser, with a way around the valid Python it rejects.

CPython is the judge of what is valid: a file that LibCST rejects but CPython compiles is
not a syntax error. LibCST rejects a parenthesized annotated target (``(x): int = 1``,
legal since PEP 526); such targets are rewritten without their parentheses, padded with
spaces so every other position in the file stays where it was, and the file is linted from
the rewritten text (it is not fixed: a fix would write the rewrite back). Anything else
LibCST cannot read is reported as a file the linter could not parse, never as BYB001.
"""

from __future__ import annotations

import ast
import re
import warnings

import libcst as cst

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class UnsupportedSyntax(Exception):
    """Valid Python (CPython compiles it) that LibCST cannot parse: the file is not linted."""


def python_accepts(source: str, filename: str = "<unknown>") -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return False
    return True


def parse(source: str, filename: str = "<unknown>") -> tuple[cst.Module, bool]:
    """The module, and whether it was parsed from a rewritten text (then do not fix it).

    Raises ``cst.ParserSyntaxError`` for a real syntax error and ``UnsupportedSyntax`` for
    valid Python LibCST cannot read.
    """
    try:
        return cst.parse_module(source), False
    except cst.ParserSyntaxError as exc:
        if not python_accepts(source, filename):
            raise
        error = exc
    repaired = unparenthesize_annotated_targets(source)
    if repaired is not None:
        try:
            return cst.parse_module(repaired), True
        except cst.ParserSyntaxError:
            pass
    raise UnsupportedSyntax(
        f"valid Python that LibCST cannot parse (line {error.raw_line}, column {error.raw_column + 1}): "
        "the file was not linted"
    )


def unparenthesize_annotated_targets(source: str) -> str | None:
    """``(x): int`` becomes ``x  : int`` (same length); None when there is nothing to rewrite."""
    tree = ast.parse(source)
    lines = _LINE.findall(source)
    edits: dict[int, list[tuple[int, int, int]]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.AnnAssign):
            continue
        target, annotation = node.target, node.annotation
        if not (node.lineno == target.lineno == target.end_lineno == annotation.lineno):
            continue  # a target spread over lines: left alone (and reported if LibCST fails)
        assert target.end_col_offset is not None
        edits.setdefault(node.lineno - 1, []).append(
            (node.col_offset, target.col_offset, target.end_col_offset)
        )
    changed = False
    for index, spans in edits.items():
        raw = lines[index].encode("utf-8")  # ast columns are UTF-8 byte offsets
        for start, target_start, target_end in sorted(spans, reverse=True):
            if b"(" not in raw[start:target_start]:
                continue
            colon = raw.index(b":", target_end)
            gap = raw[target_end:colon]
            if gap.strip(b" \t)") or raw[start:target_start].strip(b" \t("):
                continue
            target = raw[target_start:target_end]
            raw = raw[:start] + target + b" " * (colon - start - len(target)) + raw[colon:]
            changed = True
        lines[index] = raw.decode("utf-8")
    return "".join(lines) if changed else None
