"""The real-code bench's manifest and labels are well-formed, and its scoring is right.

The third-party files themselves are not in the repository, so these tests check what is:
every label names a rule that exists, a file the manifest lists and a reason; and the bench's
rebuild, lint and matching steps work on small repositories made here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lint_rules.rules import all_rules

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_realcode.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_realcode", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
REPOS = bench.load_manifest()
LABELS = bench.load_labels()
CODES = {rule.code for rule in all_rules()}


def test_manifest_entries_are_complete_and_distinct() -> None:
    names = [repo.name for repo in REPOS]
    assert len(names) == len(set(names)), "a repository is listed twice"
    assert len(REPOS) >= 25
    for repo in REPOS:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+", repo.name), repo.name
        assert repo.url == f"https://github.com/{repo.name}", repo.name
        assert re.fullmatch(r"[0-9a-f]{40}", repo.commit), f"{repo.name}: commit must be a full hash"
        assert repo.paths, f"{repo.name}: no paths"
        assert len(repo.paths) == len(set(repo.paths)), f"{repo.name}: a path is listed twice"
        for path in repo.paths:
            assert path.endswith(".py") and not path.startswith("/") and ".." not in Path(path).parts, path


def test_every_label_names_a_rule_a_manifest_file_and_a_reason() -> None:
    files = {(repo.name, path) for repo in REPOS for path in repo.paths}
    seen = set()
    for label in LABELS:
        where = f"{label.repo}:{label.path}:{label.line} {label.code}"
        assert label.code in CODES, f"{where}: no such rule"
        assert (label.repo, label.path) in files, f"{where}: not a file of manifest.toml"
        assert label.line >= 1, where
        assert len(label.reason.split()) >= 3, f"{where}: say why in a sentence"
        key = (label.repo, label.path, label.line, label.code)
        assert key not in seen, f"{where}: labelled twice"
        seen.add(key)
    assert any(label.expected for label in LABELS) and any(not label.expected for label in LABELS)


def test_a_label_without_its_reason_is_refused_with_the_table_and_key(tmp_path: Path) -> None:
    path = tmp_path / "labels.toml"
    path.write_text('[[fine]]\nrepo = "a/b"\npath = "x.py"\nline = 3\ncode = "BYB101"\n', encoding="utf-8")
    with pytest.raises(bench.BenchError, match=r"\[\[fine\]\] #1 lacks why_not"):
        bench.load_labels(path)


def _finding(line: int, code: str = "BYB101", path: str = "bot.py") -> object:
    return bench.Finding("a/b", path, line, 1, code, "message")


def _label(line: int, expected: bool, code: str = "BYB101", path: str = "bot.py") -> object:
    return bench.Label("a/b", path, line, code, "because of this", expected)


def test_scoring_pairs_closest_first_and_counts_every_finding() -> None:
    findings = [_finding(9), _finding(10), _finding(30), _finding(50, "BYB401")]
    labels = [_label(10, True), _label(12, False), _label(70, True), _label(50, True, "BYB401", "other.py")]
    scores = bench.score(findings, labels, tolerance=2)
    s101 = scores["BYB101"]
    # line 10 takes the label it sits on although line 9 is met first; 9 is then 3 lines from the next label
    assert [(f.line, lab.line) for f, lab in s101.true_positives] == [(10, 10)]
    assert [f.line for f in s101.unjudged] == [9, 30]
    assert [lab.line for lab in s101.misses] == [70]
    assert [lab.line for lab in s101.quiet_lookalikes] == [12]
    assert [f.line for f in scores["BYB401"].unjudged] == [50], "a label in another file does not match"
    assert [lab.path for lab in scores["BYB401"].misses] == ["other.py"]
    row = bench._row("BYB101", s101)
    assert row.split()[-2:] == ["0.33", "0.50"]  # 1 of 3 findings right; 1 of 2 defects found


def test_a_finding_on_a_fine_label_is_a_false_positive() -> None:
    scores = bench.score([_finding(5)], [_label(6, False)], tolerance=2)
    assert [(f.line, lab.line) for f, lab in scores["BYB101"].false_positives] == [(5, 6)]


def _git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *env_args, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_rebuild_and_lint_a_repository_as_a_project(tmp_path: Path) -> None:
    mirrors = tmp_path / "mirrors"
    clone = mirrors / "someone+bot"
    clone.mkdir(parents=True)
    _git(clone, "init", "-q")
    (clone / "pkg").mkdir()
    (clone / "pkg" / "trade.py").write_text(
        "from pybit.unified_trading import HTTP\n\n"
        "session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)\n",
        encoding="utf-8",
    )
    (clone / "unused.py").write_text("x = 1\n", encoding="utf-8")
    _git(clone, "add", ".")
    _git(clone, "commit", "-qm", "bot")
    commit = _git(clone, "rev-parse", "HEAD").strip()
    (clone / "pkg" / "trade.py").write_text("changed after the commit\n", encoding="utf-8")

    repo = bench.Repo("someone/bot", "https://github.com/someone/bot", commit, ("pkg/trade.py",))
    snapshot = tmp_path / "snap"
    stale = snapshot / "someone__bot" / "stale.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("old\n", encoding="utf-8")

    bench.rebuild(snapshot, mirrors, [repo])
    assert not stale.exists(), "a rebuild replaces the repository's old snapshot"
    rebuilt = snapshot / "someone__bot" / "pkg" / "trade.py"
    assert "testnet=True" in rebuilt.read_text(encoding="utf-8"), "files come from the commit, not the work tree"
    assert bench.corpus_size(snapshot, [repo]) == (1, 1, 3, [])

    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        f'[[repo]]\nname = "someone/bot"\nurl = "https://github.com/someone/bot"\ncommit = "{commit}"\n'
        'paths = ["pkg/trade.py"]\n',
        encoding="utf-8",
    )
    labels = tmp_path / "labels.toml"
    labels.write_text(
        '[[expected]]\nrepo = "someone/bot"\npath = "pkg/trade.py"\nline = 3\ncode = "BYB301"\n'
        'why = "testnet fixed at the client"\n\n'
        '[[expected]]\nrepo = "someone/bot"\npath = "pkg/trade.py"\nline = 1\ncode = "BYB101"\n'
        'why = "a miss the bench must report"\n',
        encoding="utf-8",
    )
    out = tmp_path / "scores.json"
    argv = [str(snapshot), "--rebuild", str(mirrors), "--manifest", str(manifest), "--labels", str(labels)]
    assert bench.main([*argv, "--quiet", "--json", str(out)]) == 0
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["corpus"] == {"repos": 1, "files": 1, "lines": 3}
    assert scores["rules"]["BYB301"]["true_positives"] == 1, "the repository was linted as a project from its root"
    assert scores["misses"] == [
        {"file": "someone__bot/pkg/trade.py", "line": 1, "code": "BYB101", "why": "a miss the bench must report"}
    ]


def test_rebuild_says_which_clone_is_missing(tmp_path: Path) -> None:
    repo = bench.Repo("nobody/none", "https://github.com/nobody/none", "0" * 40, ("a.py",))
    with pytest.raises(bench.BenchError, match=r"nobody/none: no clone holding commit 000000000000 .* clone https://github.com/nobody/none"):
        bench.rebuild(tmp_path / "snap", tmp_path, [repo])
