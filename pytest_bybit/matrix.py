"""The ``--bybit-faults`` matrix: one row per test id (its own parameters kept), one column
per scenario, a verdict in each cell, the failures with their reason, advice and a command
that reproduces them, and the same data as JSON for CI.

Verdicts: ``ok`` (survived a fault that hit it), ``FAIL``, ``n/a`` (the scenario's fault never
hit a request, or a clock scenario on a test that signs nothing), ``skip``, ``xfail`` /
``xpass``, and ``n/j`` (not judged: the test fails without any fault, so its scenario runs say
nothing). Only ``ok`` and ``FAIL`` count in "survived X of Y".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CELL = {
    "ok": "ok", "FAIL": "FAIL", "n/a": "n/a", "skipped": "skip", "xfail": "xfail", "xpass": "xpass",
    "not judged": "n/j",
}
LEGEND = (
    "n/a: the scenario's fault never hit a request, or the test signs nothing; "
    "n/j: not judged, the test fails without any fault"
)


def scenario_id(scenario: str | None) -> str:
    return f"bybit:{scenario}" if scenario else "bybit"


def row_name(nodeid: str, scenario: str | None) -> str:
    """``test_x[bybit:timeout-BTCUSDT]`` -> ``test_x[BTCUSDT]``: the scenario's id leaves, the
    test's own parameters stay."""
    ident = scenario_id(scenario)
    head, bracket, inner = nodeid.partition("[")
    if not bracket or not inner.endswith("]"):
        return nodeid
    parts = inner[:-1]
    if parts == ident:
        return head
    if parts.startswith(ident + "-"):
        return f"{head}[{parts[len(ident) + 1:]}]"
    if parts.endswith("-" + ident):
        return f"{head}[{parts[: -len(ident) - 1]}]"
    if f"-{ident}-" in parts:
        return f"{head}[{parts.replace(f'-{ident}-', '-', 1)}]"
    return nodeid


def judge(results: list[dict[str, Any]]) -> None:
    """Give every entry its ``verdict`` (a scenario run of a test that fails without faults is
    not judged)."""
    base_failed = {e["test"] for e in results if e["scenario"] is None and e["outcome"] == "failed"}
    for entry in results:
        outcome = entry["outcome"]
        if outcome in ("skipped", "xfail", "xpass"):
            entry["verdict"] = outcome
        elif entry["scenario"] is not None and entry["test"] in base_failed:
            entry["verdict"] = "not judged"
        elif outcome == "failed":
            entry["verdict"] = "FAIL"
        else:
            entry["verdict"] = "ok" if entry["exercised"] else "n/a"


def _rows(results: list[dict[str, Any]]) -> dict[str, dict[str | None, dict[str, Any]]]:
    rows: dict[str, dict[str | None, dict[str, Any]]] = {}
    for entry in results:
        rows.setdefault(entry["test"], {})[entry["scenario"]] = entry
    return dict(sorted(rows.items()))


def table(results: list[dict[str, Any]], scenarios: list[str]) -> list[str]:
    rows = _rows(results)
    columns = ["base", *scenarios]
    name_width = min(max((len(t) for t in rows), default=4), 60)
    cells = {
        test: [CELL[row[s]["verdict"]] if s in row else "-" for s in (None, *scenarios)] for test, row in rows.items()
    }
    widths = [max([len(c)] + [len(r[i]) for r in cells.values()]) for i, c in enumerate(columns)]
    header = f"{'test':<{name_width}}  " + "  ".join(f"{c:<{w}}" for c, w in zip(columns, widths))
    lines = [header, "-" * len(header)]
    for test, row in cells.items():
        label = test if len(test) <= name_width else "..." + test[-(name_width - 3):]
        lines.append(f"{label:<{name_width}}  " + "  ".join(f"{c:<{w}}" for c, w in zip(row, widths)).rstrip())
    return lines


def listing(results: list[dict[str, Any]], scenarios: list[str]) -> list[str]:
    """The matrix for a narrow terminal: one block per test, one line per verdict."""
    lines = []
    for test, row in _rows(results).items():
        base = row.get(None)
        lines.append(f"{test}: base {CELL[base['verdict']] if base else '-'}")
        for verdict in ("ok", "FAIL", "n/a", "skipped", "xfail", "xpass", "not judged"):
            names = [s for s in scenarios if s in row and row[s]["verdict"] == verdict]
            if names:
                label = CELL[verdict] + ":"
                lines.append(f"  {label:<6}{' ' if len(label) >= 6 else ''}{', '.join(names)}")
    return lines


def counts(results: list[dict[str, Any]]) -> tuple[int, int]:
    judged = [e for e in results if e["scenario"] and e["verdict"] in ("ok", "FAIL")]
    return sum(1 for e in judged if e["verdict"] == "ok"), len(judged)


def failures(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for entry in results:
        if entry["verdict"] != "FAIL":
            continue
        if entry["scenario"]:
            lines.append(f"FAIL {entry['test']} under {entry['scenario']}: {entry['reason']}")
        else:
            lines.append(f"FAIL {entry['test']} (no fault): {entry['reason']}")
            lines.append("     base failed, scenarios not judged")
        if entry["advice"]:
            lines.append(f"     fix: {entry['advice']}")
        lines.append(f"     reproduce: pytest '{entry['nodeid']}' --bybit-faults={entry['scenario'] or 'all'}")
    return lines


def write(path: str, scenarios: list[str], results: list[dict[str, Any]]) -> str | None:
    """Write the JSON report, making its folder; the error in words when it cannot."""
    text = json.dumps({"scenarios": scenarios, "results": results}, indent=2) + "\n"
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
