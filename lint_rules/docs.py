"""The README's rule table, generated from the rules themselves so the two cannot drift.

``python -m lint_rules.docs`` rewrites the table between the markers in README.md;
``--check`` exits 1 when it is stale (the test-suite runs that).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .rules import all_rules

START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"


def rules_table() -> str:
    rows = [
        "| code | name | what to do | prevents | fix | fault that shows it |",
        "|---|---|---|---|---|---|",
    ]
    for rule in all_rules():
        if getattr(rule, "engine_check", False):
            continue
        fix = {"safe": "safe", "unsafe": "unsafe", "sometimes": "in some cases"}.get(rule.fixable, "")
        fault = f"`{rule.fault}`" if rule.fault else ""
        message = rule.message.replace("|", "\\|")
        rows.append(f"| {rule.code} | `{rule.name}` | {message} | {rule.prevents} | {fix} | {fault} |")
    rows.append("")
    rows.append("`bybit-lint rule CODE` prints a rule's full documentation, with examples.")
    return "\n".join(rows)


def render(readme: str) -> str:
    head, sep, rest = readme.partition(START)
    if not sep or END not in rest:
        raise ValueError(f"README has no {START} ... {END} markers")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rules_table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lint_rules.docs")
    parser.add_argument("readme", nargs="?", type=Path, default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(f"{args.readme}: the rule table is stale; run python -m lint_rules.docs", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
