"""The corpus: realistic bot modules whose ``# expect: CODE`` comments are the truth.

Each file is checked once per rule family, so a miss or a false alarm names the family
that owns it. Every expected finding must be reported on its line, and nothing else.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from lint_rules.config import resolve_rules
from lint_rules.engine import lint_source
from lint_rules.project import lint_sources
from lint_rules.rules import all_rules

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FAMILIES = ("BYB1", "BYB2", "BYB3", "BYB4", "BYB5")
_EXPECT = re.compile(r"#.*\bexpect:\s*(?P<codes>BYB\d{3}(?:\s*,\s*BYB\d{3})*)")


def expected_findings(source: str) -> set[tuple[int, str]]:
    out = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            match = _EXPECT.search(tok.string)
            if match:
                for code in re.findall(r"BYB\d{3}", match.group("codes")):
                    out.add((tok.start[0], code))
    return out


FILES = sorted(CORPUS.glob("*.py"))
#: Projects of several modules (one directory each), linted as a tree: their findings depend
#: on what the other modules of the project hold.
PROJECTS = sorted(p for p in CORPUS.iterdir() if p.is_dir() and any(p.rglob("*.py")))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_file(path: Path, family: str) -> None:
    rules = [r for r in resolve_rules(all_rules(), None, []) if r.code.startswith(family)]
    source = path.read_text(encoding="utf-8")
    expected = {(line, code) for line, code in expected_findings(source) if code.startswith(family)}
    found = lint_source(source, path.name, rules).findings
    assert not [f for f in found if f.code == "BYB001"], f"{path.name} does not parse"
    got = {(f.line, f.code) for f in found}
    missing = sorted(expected - got)
    extra = sorted(got - expected)
    lines = source.splitlines()
    detail = [f"  missing {code} at {path.name}:{line}: {lines[line - 1].strip()}" for line, code in missing]
    detail += [
        f"  false alarm {code} at {path.name}:{line}: {lines[line - 1].strip()}"
        for line, code in extra
    ]
    assert not missing and not extra, "\n" + "\n".join(detail)


def test_corpus_size() -> None:
    total = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in FILES)
    assert len(FILES) >= 25 and total >= 3000, (len(FILES), total)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_corpus_project(project: Path) -> None:
    rules = resolve_rules(all_rules(), None, [])
    sources = {
        path.relative_to(project).as_posix(): path.read_text(encoding="utf-8") for path in sorted(project.rglob("*.py"))
    }
    results = lint_sources(sources, rules)
    problems = []
    for name, source in sources.items():
        found = results[name].findings
        assert not [f for f in found if f.code == "BYB001"], f"{name} does not parse"
        got = {(f.line, f.code) for f in found}
        expected = expected_findings(source)
        lines = source.splitlines()
        problems += [f"  missing {c} at {name}:{l}: {lines[l - 1].strip()}" for l, c in sorted(expected - got)]
        problems += [f"  false alarm {c} at {name}:{l}: {lines[l - 1].strip()}" for l, c in sorted(got - expected)]
    assert not problems, "\n" + "\n".join(problems)


def test_corpus_projects_need_the_project() -> None:
    """Linted one file at a time, the projects lose findings: the model is what finds them."""
    rules = resolve_rules(all_rules(), None, [])
    alone = together = 0
    for project in PROJECTS:
        sources = {p.relative_to(project).as_posix(): p.read_text(encoding="utf-8") for p in project.rglob("*.py")}
        together += sum(len(r.findings) for r in lint_sources(sources, rules).values())
        alone += sum(len(lint_source(text, name, rules).findings) for name, text in sources.items())
    assert PROJECTS and together > alone
