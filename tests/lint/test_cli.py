"""bybit-lint behaves like ruff: codes, exit status, formats, noqa, config, fixes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_rules.cli import main

FLOAT_ORDER = textwrap.dedent(
    """\
    from pybit.unified_trading import HTTP

    session = HTTP(api_key=KEY, api_secret=SECRET)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)
    """
)
CLEAN = "x = 1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bot.py").write_text(FLOAT_ORDER)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_and_exit_code(project, capsys):
    code, out, _ = run(capsys, ".")
    assert code == 1
    assert out.splitlines()[0].startswith("bot.py:4:")
    assert " BYB101 " in out.splitlines()[0]
    assert "Found 1 error." in out


def test_clean_tree_exits_zero(project, capsys):
    (project / "bot.py").unlink()
    code, out, _ = run(capsys, ".")
    assert code == 0 and "All checks passed!" in out


def test_exit_zero(project, capsys):
    assert run(capsys, ".", "--exit-zero")[0] == 0


def test_json_output(project, capsys):
    code, out, _ = run(capsys, ".", "--output-format", "json")
    data = json.loads(out)
    assert code == 1 and len(data) == 1
    item = data[0]
    for key in ("code", "message", "filename", "line", "column", "end_line", "end_column"):
        assert key in item
    assert item["code"] == "BYB101" and item["filename"] == "bot.py" and item["line"] == 4
    assert item["fix"]["applicability"] == "safe"


def test_sarif_and_github_output(project, capsys):
    _, out, _ = run(capsys, ".", "--output-format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "BYB101"
    _, out, _ = run(capsys, ".", "--output-format", "github")
    assert out.startswith("::error title=bybit-lint (BYB101),file=bot.py,line=4,")


def test_select_and_ignore_prefixes(project, capsys):
    assert run(capsys, ".", "--ignore", "BYB1")[0] == 0
    assert run(capsys, ".", "--select", "BYB3")[0] == 0
    assert run(capsys, ".", "--select", "BYB1", "--ignore", "BYB102")[0] == 1
    # the more specific selector wins, as in ruff
    assert run(capsys, ".", "--ignore", "BYB1", "--select", "BYB101")[0] == 1


def test_unknown_selector_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, ".", "--select", "BYB9")
    assert code == 2 and "unknown rule selector 'BYB9'" in err


def test_noqa(project, capsys):
    (project / "bot.py").write_text(FLOAT_ORDER.replace("qty=0.01)", "qty=0.01)  # noqa: BYB101"))
    assert run(capsys, ".")[0] == 0
    (project / "bot.py").write_text(FLOAT_ORDER.replace("qty=0.01)", "qty=0.01)  # noqa"))
    assert run(capsys, ".")[0] == 0
    (project / "bot.py").write_text(FLOAT_ORDER.replace("qty=0.01)", "qty=0.01)  # noqa: BYB301"))
    assert run(capsys, ".")[0] == 1


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_noqa_in_a_file_with_other_line_endings(project, capsys, newline):
    text = FLOAT_ORDER.replace("qty=0.01)", "qty=0.01)  # noqa: BYB101").replace("\n", newline)
    (project / "bot.py").write_bytes(text.encode())
    assert run(capsys, ".")[0] == 0
    (project / "bot.py").write_bytes(FLOAT_ORDER.replace("\n", newline).encode())
    code, out, _ = run(capsys, ".")
    assert code == 1 and "bot.py:4:" in out


def test_unused_noqa_when_selected(project, capsys):
    (project / "clean.py").write_text("x = 1  # noqa: BYB101\n")
    code, out, _ = run(capsys, "clean.py", "--extend-select", "BYB002")
    assert code == 1 and "BYB002" in out
    assert run(capsys, "clean.py")[0] == 0


def test_pyproject_config(project, capsys):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nignore = ["BYB101"]\n')
    assert run(capsys, ".")[0] == 0
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nexclude = ["bot.py"]\n')
    assert run(capsys, ".")[0] == 0
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nper-file-ignores = { "bot*.py" = ["BYB1"] }\n')
    assert run(capsys, ".")[0] == 0
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nselect = ["BYB3"]\n')
    assert run(capsys, ".")[0] == 0


def test_config_found_from_a_subfolder(project, capsys):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nignore = ["BYB101"]\n')
    sub = project / "src" / "bots"
    sub.mkdir(parents=True)
    (sub / "bot.py").write_text(FLOAT_ORDER)
    assert run(capsys, "src")[0] == 0


def test_bad_config_names_file_and_key(project, capsys):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nselct = ["BYB1"]\n')
    code, _, err = run(capsys, ".")
    assert code == 2 and "pyproject.toml" in err and "unknown key 'selct'" in err
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nmin-recv-window = "lots"\n')
    code, _, err = run(capsys, ".")
    assert code == 2 and "min-recv-window" in err


def test_syntax_error_is_reported_and_run_goes_on(project, capsys):
    (project / "broken.py").write_text("def f(:\n    pass\n")
    code, out, _ = run(capsys, ".")
    assert code == 1
    assert "broken.py:1:" in out and "BYB001 SyntaxError" in out
    assert "bot.py:4:" in out


def test_skips_virtualenvs_and_build_folders(project, capsys):
    for folder in (".venv/lib", "build", "node_modules/x", "myenv"):
        (project / folder).mkdir(parents=True)
        (project / folder / "bot.py").write_text(FLOAT_ORDER)
    (project / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    _, out, _ = run(capsys, ".")
    assert out.count("BYB101") == 1


def test_missing_path_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, "nope.py")
    assert code == 2 and "nope.py" in err


def test_diff_writes_nothing(project, capsys):
    before = (project / "bot.py").read_text()
    code, out, _ = run(capsys, ".", "--diff")
    assert code == 1
    assert '-session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)' in out
    assert '+session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")' in out
    assert (project / "bot.py").read_text() == before


def test_fix_writes_atomically_and_keeps_mode(project, capsys):
    os.chmod(project / "bot.py", 0o640)
    code, out, _ = run(capsys, ".", "--fix")
    assert code == 0 and "Fixed 1 error." in out
    assert 'qty="0.01")' in (project / "bot.py").read_text()
    assert oct((project / "bot.py").stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in project.iterdir()) == [".bybit_lint_cache", "bot.py", "clean.py"]  # no temp files left
    assert run(capsys, ".")[0] == 0


def test_lint_without_fix_never_writes(project, capsys):
    stamp = (project / "bot.py").stat().st_mtime_ns
    run(capsys, ".")
    run(capsys, ".", "--statistics")
    assert (project / "bot.py").stat().st_mtime_ns == stamp


def test_statistics(project, capsys):
    _, out, _ = run(capsys, ".", "--statistics")
    assert out.split() == ["1", "BYB101", "[*]", "float-order-value"]


def test_rules_and_rule(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "BYB101" in out and "float-order-value" in out
    code, out, _ = run(capsys, "rule", "BYB101")
    assert code == 0
    for part in ("float-order-value", "## What it does", "## Why is this bad?", "Prevents: Bybit", "10001"):
        assert part in out
    code, _, err = run(capsys, "rule", "BYB999")
    assert code == 2 and "unknown rule 'BYB999'" in err


def test_console_script_entry_point(project):
    """The installed `bybit-lint` command (or the module) runs in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "lint_rules.cli", "bot.py", "--output-format", "json"],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)[0]["code"] == "BYB101"


def test_linter_never_imports_pytest(project):
    code = "import sys, lint_rules.cli, lint_rules.rules as r; r.all_rules(); print('pytest' in sys.modules, 'libcst' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert proc.stdout.split() == ["False", "True"], proc.stderr
