"""Lint throughput on the corpus of realistic bots. Prints figures; not a timed test.

Run: python bench/bench_lint.py [N_COPIES]
It reports lines per second for the full rule set, what the per-rule trigger words save
(the same run with every rule forced onto every file), and a run on files no rule applies to.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from lint_rules.config import resolve_rules
from lint_rules.engine import lint_source
from lint_rules.rules import all_rules

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def run(sources: list[tuple[str, str]], rules) -> tuple[float, int]:
    started = time.perf_counter()
    findings = 0
    for name, text in sources:
        findings += len(lint_source(text, name, rules).findings)
    return time.perf_counter() - started, findings


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    files = sorted(CORPUS.glob("*.py"))
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in files] * copies
    lines = sum(text.count("\n") for _, text in sources)
    rules = resolve_rules(all_rules(), None, [])
    forced = [type(r.__name__, (r,), {"words": ()}) for r in rules]
    unrelated = [(f"plain{i}.py", "import os\n\n\ndef f(x):\n    return os.path.join(x, 'a')\n" * 40) for i in range(len(sources))]
    unrelated_lines = sum(text.count("\n") for _, text in unrelated)

    for label, srcs, rule_set, n_lines in (
        ("corpus, all rules", sources, rules, lines),
        ("corpus, trigger words ignored", sources, forced, lines),
        ("files no rule applies to", unrelated, rules, unrelated_lines),
    ):
        times = []
        for _ in range(3):
            seconds, findings = run(srcs, rule_set)
            times.append(seconds)
        best = min(times)
        print(
            f"{label:<32} {len(srcs):4d} files {n_lines:6d} lines  {best:6.2f} s  "
            f"{n_lines / best:8.0f} lines/s  ({findings} findings; median {statistics.median(times):.2f} s)"
        )


if __name__ == "__main__":
    main()
