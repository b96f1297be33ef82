"""A linted file's tree is freed by reference counting as soon as the file is done.

Were it held by a reference cycle (a recursive closure, a rule's bound methods kept in its
own lists, a call graph with recursion) or by a shared analysis, the cyclic collector would
walk its hundreds of thousands of nodes again before freeing them: a tenth of a cold run.
"""

from __future__ import annotations

import gc
from pathlib import Path

import libcst as cst
import pytest

from lint_rules.engine import lint_source
from lint_rules.project import Project, summarize
from lint_rules.rules import all_rules

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*.py"))


@pytest.fixture
def saved_garbage():
    """What the cyclic collector finds unreachable, kept for inspection."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


def test_no_tree_is_left_to_the_cyclic_collector(saved_garbage: list) -> None:
    sources = {str(p): p.read_text(encoding="utf-8") for p in FILES}
    project = Project({name: summarize(text) for name, text in sources.items()})
    rules = all_rules()
    total = 0
    gc.collect()
    saved_garbage.clear()
    for name, text in sources.items():
        total += len(lint_source(text, name, rules, project=project).findings)
    gc.collect()
    leaked = [o for o in saved_garbage if isinstance(o, cst.CSTNode)]
    assert total > 100  # the corpus exercises every rule family
    assert leaked == [], f"{len(leaked)} LibCST nodes were held by reference cycles"


def test_no_shared_analysis_outlives_its_file() -> None:
    """The analyses a rule family shares are dropped once the file is linted, tree and all."""
    path = CORPUS / "pybit_grid_bot.py"
    text = path.read_text(encoding="utf-8")
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is cst.Module)
    gc.disable()  # whatever is still alive is held by a reference, not awaiting the collector
    try:
        findings = lint_source(text, str(path), all_rules()).findings
        alive = sum(1 for o in gc.get_objects() if type(o) is cst.Module)
    finally:
        gc.enable()
    assert findings
    assert alive == before
