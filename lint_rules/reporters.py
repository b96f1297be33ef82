"""Output formats: text (ruff-style), JSON, SARIF 2.1.0 and GitHub Actions annotations."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from .finding import Finding

if TYPE_CHECKING:  # pragma: no cover
    from .rule import Rule

DOCS_URL = "https://github.com/pytest-bybit/pytest-bybit#rules"


def _fix_json(finding: Finding) -> dict | None:
    if finding.fix is None:
        return None
    return {
        "applicability": "safe" if finding.fix.safe else "unsafe",
        "message": finding.fix.description or None,
    }


def text(findings: Sequence[Finding], fixable_hint: bool = True, summary: bool = True) -> str:
    lines = [f"{f.filename}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
    if findings and summary:
        n = len(findings)
        lines.append(f"Found {n} error{'s' if n != 1 else ''}.")
        safe = sum(1 for f in findings if f.fix and f.fix.safe)
        unsafe = sum(1 for f in findings if f.fix and not f.fix.safe)
        if fixable_hint and safe:
            lines.append(f"[*] {safe} fixable with the `--fix` option.")
        if fixable_hint and unsafe:
            lines.append(f"{unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option.")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([_record(f) for f in findings], indent=2) + "\n"


def _github_data(value: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(value: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``, which end a property."""
    return _github_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    return "".join(
        f"::error title={_github_property(f'bybit-lint ({f.code})')},file={_github_property(f.filename)},"
        f"line={f.line},col={f.column},endLine={f.end_line},endColumn={f.end_column}"
        f"::{_github_data(f'{f.code} {f.message}')}\n"
        for f in findings
    )


def sarif(findings: Sequence[Finding], rules: Sequence[type[Rule]], version: str) -> str:
    used = sorted({f.code for f in findings} | {r.code for r in rules})
    by_code = {r.code: r for r in rules}
    rule_entries = []
    for code in used:
        rule = by_code.get(code)
        if rule is None:
            rule_entries.append({"id": code})
            continue
        rule_entries.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.message},
                "fullDescription": {"text": rule.doc()},
                "help": {"text": rule.doc(), "markdown": rule.explain()},
                "helpUri": f"{DOCS_URL}-{rule.code.lower()}",
                "properties": {"prevents": rule.prevents},
            }
        )
    index = {code: i for i, code in enumerate(used)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.filename.replace("\\", "/")},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bybit-lint",
                        "version": version,
                        "informationUri": DOCS_URL,
                        "rules": rule_entries,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def statistics(findings: Sequence[Finding]) -> str:
    counts = Counter((f.code, f.name) for f in findings)
    fixable = {f.code for f in findings if f.fix and f.fix.safe}
    width = max((len(str(c)) for c in counts.values()), default=1)
    lines = [
        f"{count:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{name}"
        for (code, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def _fix_mark(finding: Finding) -> str:
    return "[*] " if finding.fix is not None and finding.fix.safe else ""


def concise(findings: Sequence[Finding], fixable_hint: bool = True, summary: bool = True) -> str:
    """One line per finding, ``[*]`` marking those ``--fix`` repairs (ruff's concise)."""
    lines = [f"{f.filename}:{f.line}:{f.column}: {f.code} {_fix_mark(f)}{f.message}" for f in findings]
    tail = text(findings, fixable_hint, summary).splitlines()[len(findings):]
    return "\n".join(lines + tail) + ("\n" if lines else "")


def full(
    findings: Sequence[Finding],
    lines_of: Callable[[str], Sequence[str] | None],
    fixable_hint: bool = True,
    summary: bool = True,
) -> str:
    """Each finding with its source line and a caret under the flagged code (ruff's full).

    ``lines_of(filename)`` gives a file's lines (None when it cannot be read: then the
    finding is shown alone).
    """
    out: list[str] = []
    for f in findings:
        out.append(f"{f.filename}:{f.line}:{f.column}: {f.code} {_fix_mark(f)}{f.message}")
        lines = lines_of(f.filename)
        if lines is None or not 1 <= f.line <= len(lines):
            out.append("")
            continue
        source = lines[f.line - 1].rstrip("\r\n").expandtabs(1)
        width = len(str(f.line))
        start = max(f.column - 1, 0)
        end = f.end_column - 1 if f.end_line == f.line else len(source)
        carets = "^" * max(end - start, 1)
        gutter = " " * width
        out += [f"{gutter} |", f"{f.line} | {source}", f"{gutter} | {' ' * start}{carets} {f.code}", f"{gutter} |"]
        if f.fix is not None and f.fix.description:
            out.append(f"{gutter} = help: {f.fix.description}")
        out.append("")
    tail = text(findings, fixable_hint, summary).splitlines()[len(findings):]
    return "\n".join(out + tail) + ("\n" if findings else "")


def _record(f: Finding) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "filename": f.filename,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "fix": _fix_json(f),
        "url": f"{DOCS_URL}-{f.code.lower()}",
    }


def json_lines(findings: Sequence[Finding]) -> str:
    """One JSON object per line: a CI step can stream it with ``jq -c`` or ``grep``."""
    return "".join(json.dumps(_record(f)) + "\n" for f in findings)


def fix_summary(counts: Mapping[str, Mapping[tuple[str, str], int]], heading: str) -> str:
    """ruff's ``--show-fixes`` block: per file, how many of each rule were (or can be) fixed."""
    total = sum(n for per_file in counts.values() for n in per_file.values())
    if not total:
        return ""
    lines = [f"{heading} {total} error{'s' if total != 1 else ''}:"]
    for filename in sorted(counts):
        if not counts[filename]:
            continue
        lines.append(f"- {filename}:")
        for (code, name), n in sorted(counts[filename].items()):
            lines.append(f"    {n} × {code} ({name})")
    return "\n".join(lines) + "\n"
