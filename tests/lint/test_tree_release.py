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


def _jobs(tmp_path: Path, texts: dict[str, str]) -> list:
    from lint_rules import runner

    codes = tuple(r.code for r in all_rules())
    jobs = []
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        jobs.append(runner.Job(path, name, path.read_bytes(), codes))
    return jobs


def test_cpython_parses_each_file_once_per_cold_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse that summarised a file also vouches for its syntax when it is linted."""
    import ast

    from lint_rules import runner

    texts = {p.name: p.read_text(encoding="utf-8") for p in FILES[:4]}
    texts["broken.py"] = "from pybit.unified_trading import HTTP\ndef f(:\n    pass\n"
    parsed: list[str] = []
    real_parse = ast.parse

    def counting_parse(source, *args, **kwargs):
        parsed.append(source if isinstance(source, str) else source.decode())
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    outcomes = runner.run(_jobs(tmp_path, texts), {}, runner.Mode(), None, workers=1)
    by_text = {text: parsed.count(text) for text in texts.values()}
    assert [by_text[texts[name]] for name in texts if name != "broken.py"] == [1, 1, 1, 1]
    # a file CPython refused is asked again, by the engine, for its error
    assert by_text[texts["broken.py"]] >= 2
    assert [f.code for f in outcomes[-1].findings] == ["BYB001"]
    assert sum(len(o.findings) for o in outcomes[:-1]) > 0


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork", reason="the remembered parses reach the lint workers by fork")
def test_files_are_summarised_on_the_workers_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With several workers the summaries are made in parallel, before any file is linted,
    and each file's parse there still spares the engine its own."""
    from lint_rules import runner

    texts = {p.name: p.read_text(encoding="utf-8") for p in FILES[:6]}
    serial = runner.run(_jobs(tmp_path, texts), {}, runner.Mode(), None, workers=1)
    runner._PYTHON_ACCEPTS.clear()
    summarised_here: list[bytes] = []
    real = runner._summarize
    monkeypatch.setattr(runner, "_summarize", lambda content: summarised_here.append(content) or real(content))
    parallel = runner.run(_jobs(tmp_path, texts), {}, runner.Mode(), None, workers=2)
    assert summarised_here == []  # every summary was made by a worker
    assert len(runner._PYTHON_ACCEPTS) == len(texts)  # the lint workers fork with these
    assert [[(f.code, f.line) for f in o.findings] for o in parallel] == [[(f.code, f.line) for f in o.findings] for o in serial]
