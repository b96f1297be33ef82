"""The hooks in .pre-commit-hooks.yaml work in a real ``pre-commit run`` on a throwaway repository.

pre-commit installs the hook from a local snapshot of this project (a git repository it
clones by path), the way it would from GitHub: what runs is the installed console script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOAT_ORDER = textwrap.dedent(
    """\
    from pybit.unified_trading import HTTP

    session = HTTP(api_key=KEY, api_secret=SECRET)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)
    """
)


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This project as it is on disk, committed into a repository pre-commit can clone.

    The third item is a PRE_COMMIT_HOME the tests share, so the hook is installed once.
    """
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]' installs it)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    try:
        tracked = git(ROOT, "ls-files", "-co", "--exclude-standard").splitlines()
    except subprocess.CalledProcessError:
        pytest.skip("not a git checkout: the hook is installed from a snapshot of the tracked files")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for rel in tracked:
        source = ROOT / rel
        if source.is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / rel)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, git(snapshot, "rev-parse", "HEAD"), tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=540
    )


def test_hooks_in_a_real_pre_commit_run(hook_repo, tmp_path):
    snapshot, rev, home = hook_repo
    repo = tmp_path / "bot-project"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n      - id: bybit-lint\n"
    )
    (repo / "pyproject.toml").write_text('[tool.bybit-lint]\nexclude = ["legacy"]\n')
    (repo / "bot.py").write_text(FLOAT_ORDER)
    (repo / "legacy").mkdir()
    (repo / "legacy" / "old.py").write_text(FLOAT_ORDER)  # excluded: pre-commit names it, --force-exclude skips it
    (repo / "clean.py").write_text("x = 1\n")
    git(repo, "add", "-A")

    proc = pre_commit(repo, home, "run", "--all-files")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "bybit-lint" in out and "Failed" in out
    assert "bot.py:4:" in out and "BYB101" in out
    assert "legacy/old.py" not in out
    assert (repo / ".bybit_lint_cache" / ".gitignore").is_file()
    assert git(repo, "status", "--porcelain", "--untracked-files=all", ".bybit_lint_cache") == ""

    (repo / "bot.py").write_text(FLOAT_ORDER.replace("qty=0.01", 'qty="0.01"'))
    git(repo, "add", "-A")
    proc = pre_commit(repo, home, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_fix_hook_repairs_the_file(hook_repo, tmp_path):
    snapshot, rev, home = hook_repo
    repo = tmp_path / "bot-project"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n      - id: bybit-lint-fix\n"
    )
    (repo / "bot.py").write_text(FLOAT_ORDER)
    git(repo, "add", "-A")
    proc = pre_commit(repo, home, "run", "--all-files")
    # pre-commit fails a hook that changed files, so the fix is reviewed before the commit
    assert proc.returncode == 1 and "files were modified by this hook" in proc.stdout, proc.stdout + proc.stderr
    assert 'qty="0.01")' in (repo / "bot.py").read_text()
