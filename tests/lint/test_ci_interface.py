"""What ruff users expect in pre-commit and CI: stdin, .gitignore, --force-exclude, formats, fixes."""

from __future__ import annotations

import json
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
FIXED = FLOAT_ORDER.replace("qty=0.01", 'qty="0.01"')


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bot.py").write_text(FLOAT_ORDER)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_rules.cli", *args], input=stdin, capture_output=True, text=True, cwd=cwd
    )


# -- stdin -----------------------------------------------------------------------------


def test_stdin_is_linted_under_the_given_name(project):
    proc = cli(project, "-", "--stdin-filename", "src/order.py", stdin=FLOAT_ORDER)
    assert proc.returncode == 1
    assert proc.stdout.startswith("src/order.py:4:") and "BYB101" in proc.stdout
    proc = cli(project, "-", stdin="x = 1\n")
    assert proc.returncode == 0 and "All checks passed!" in proc.stdout


def test_stdin_follows_the_config_of_its_filename(project):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nper-file-ignores = { "tests/*" = ["BYB1"] }\n')
    assert cli(project, "-", "--stdin-filename", "tests/test_order.py", stdin=FLOAT_ORDER).returncode == 0
    assert cli(project, "-", "--stdin-filename", "bot/order.py", stdin=FLOAT_ORDER).returncode == 1


def test_stdin_fix_prints_the_fixed_code(project):
    proc = cli(project, "-", "--stdin-filename", "order.py", "--fix", stdin=FLOAT_ORDER)
    assert proc.returncode == 0
    assert proc.stdout == FIXED
    assert "Fixed 1 error." in proc.stderr
    proc = cli(project, "-", "--stdin-filename", "order.py", "--fix", stdin="x = 1\n")
    assert proc.stdout == "x = 1\n"


def test_stdin_excluded_file_with_force_exclude(project):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nexclude = ["legacy/*"]\n')
    args = ("-", "--stdin-filename", "legacy/old.py")
    assert cli(project, *args, stdin=FLOAT_ORDER).returncode == 1
    proc = cli(project, *args, "--force-exclude", stdin=FLOAT_ORDER)
    assert proc.returncode == 0 and proc.stdout == ""
    proc = cli(project, *args, "--force-exclude", "--fix", stdin=FLOAT_ORDER)
    assert proc.stdout == FLOAT_ORDER  # passed through untouched


def test_stdin_filename_without_dash_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, "bot.py", "--stdin-filename", "x.py")
    assert code == 2 and "--stdin-filename needs `-`" in err


# -- .gitignore and --force-exclude --------------------------------------------------


def _tree(root: Path) -> None:
    for rel in ("app/bot.py", "generated/api_pb.py", "app/models_pb2.py", "app/keep_pb2.py", "app/sub/local.py", "app/sub/other.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(FLOAT_ORDER)
    (root / ".gitignore").write_text("generated/\n*_pb2.py\n!keep_pb2.py\n")
    (root / "app" / "sub" / ".gitignore").write_text("local.py\n")


def _linted(out: str) -> list[str]:
    return sorted({line.split(":")[0] for line in out.splitlines() if "BYB101" in line})


def test_gitignore_is_respected_in_a_git_repository(project, capsys):
    (project / "bot.py").unlink()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    _tree(project)
    (project / ".git" / "info").mkdir(exist_ok=True)
    (project / ".git" / "info" / "exclude").write_text("other.py\n")
    _, out, _ = run(capsys, ".")
    assert _linted(out) == ["app/bot.py", "app/keep_pb2.py"]
    _, out, _ = run(capsys, ".", "--no-respect-gitignore")
    assert len(_linted(out)) == 6
    (project / "pyproject.toml").write_text("[tool.bybit-lint]\nrespect-gitignore = false\n")
    _, out, _ = run(capsys, ".")
    assert len(_linted(out)) == 6


def test_gitignore_outside_a_repository_applies_below_the_config(project, capsys):
    (project / "bot.py").unlink()
    (project / "pyproject.toml").write_text("[tool.bybit-lint]\nselect = ['BYB1']\n")
    _tree(project)
    _, out, _ = run(capsys, "app")
    assert _linted(out) == ["app/bot.py", "app/keep_pb2.py", "app/sub/other.py"]


def test_a_file_named_explicitly_is_linted_unless_force_exclude(project, capsys):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nexclude = ["legacy"]\n')
    for rel in ("legacy/old.py", "build/gen.py", "src/ok.py"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(FLOAT_ORDER)
    files = ("legacy/old.py", "build/gen.py", "src/ok.py")
    assert _linted(run(capsys, *files)[1]) == ["build/gen.py", "legacy/old.py", "src/ok.py"]
    assert _linted(run(capsys, *files, "--force-exclude")[1]) == ["src/ok.py"]
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nexclude = ["legacy"]\nforce-exclude = true\n')
    assert _linted(run(capsys, *files)[1]) == ["src/ok.py"]
    code, out, _ = run(capsys, "legacy/old.py")
    assert code == 0 and "All checks passed!" in out


# -- output formats ------------------------------------------------------------------


def test_concise_marks_fixable_findings(project, capsys):
    code, out, _ = run(capsys, ".", "--output-format", "concise")
    first = out.splitlines()[0]
    assert code == 1 and first.startswith("bot.py:4:") and " BYB101 [*] Float literal sent as `qty`" in first
    assert "Found 1 error." in out


def test_full_shows_the_line_and_a_caret_under_the_code(project, capsys):
    for _ in range(2):  # the second run is answered from the cache, and prints the same
        code, out, _ = run(capsys, ".", "--output-format", "full")
        lines = out.splitlines()
        assert code == 1 and lines[0].startswith("bot.py:4:")
        column = int(lines[0].split(":")[2])
        assert lines[2] == "4 | " + FLOAT_ORDER.splitlines()[3]
        caret = lines[3]
        assert caret.startswith("  | ") and caret.endswith(" BYB101")
        start = caret.index("^") - len("  | ")
        assert start == column - 1
        assert FLOAT_ORDER.splitlines()[3][start : start + caret.count("^")] == "qty=0.01"


def test_full_on_stdin(project):
    proc = cli(project, "-", "--stdin-filename", "order.py", "--output-format", "full", stdin=FLOAT_ORDER)
    assert "4 | session.place_order(" in proc.stdout and "^^^^^^^^ BYB101" in proc.stdout


def test_json_lines(project, capsys):
    (project / "other.py").write_text(FLOAT_ORDER)
    code, out, _ = run(capsys, ".", "--output-format", "json-lines")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r["filename"] for r in records] == ["bot.py", "other.py"]
    assert records[0]["code"] == "BYB101" and records[0]["fix"]["applicability"] == "safe"


def test_sarif_from_a_warm_cache(project, capsys):
    run(capsys, ".")
    sarif = json.loads(run(capsys, ".", "--output-format", "sarif")[1])
    assert sarif["runs"][0]["results"][0]["ruleId"] == "BYB101"
    assert any(r["id"] == "BYB101" and "help" in r for r in sarif["runs"][0]["tool"]["driver"]["rules"])


# -- fixes -----------------------------------------------------------------------------


def test_show_fixes_lists_what_was_fixed(project, capsys):
    code, out, _ = run(capsys, ".", "--show-fixes")
    assert code == 1 and "Would fix (--fix) 1 error:\n- bot.py:\n    1 × BYB101 (float-order-value)\n" in out
    code, out, _ = run(capsys, ".", "--fix", "--show-fixes")
    assert code == 0 and "Fixed 1 error:\n- bot.py:\n    1 × BYB101 (float-order-value)\n" in out
    code, out, _ = run(capsys, ".", "--fix", "--show-fixes")
    assert code == 0 and "Fixed" not in out and "All checks passed!" in out


def test_exit_non_zero_on_fix(project, capsys):
    (project / "again.py").write_text(FLOAT_ORDER)
    code, out, _ = run(capsys, "bot.py", "--fix", "--exit-non-zero-on-fix")
    assert code == 1 and "Fixed 1 error." in out and (project / "bot.py").read_text() == FIXED
    assert run(capsys, "bot.py", "--fix", "--exit-non-zero-on-fix")[0] == 0  # nothing left to fix
    assert run(capsys, "again.py", "--fix")[0] == 0  # without the flag a fixed file is a success


def test_every_option_is_in_the_readme():
    from lint_rules.cli import _check_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    flags = [s for action in _check_parser()._actions for s in action.option_strings if s.startswith("--")]
    missing = [f for f in flags if f not in ("--help",) and f not in readme]
    assert not missing, f"document these options in README.md: {missing}"


def test_stdin_buffer_not_yet_saved_finds_its_config(project):
    app = project / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text('[tool.bybit-lint]\nignore = ["BYB101"]\n')
    new_file = str(app / "new" / "pkg" / "order.py")
    proc = cli(project, "-", "--stdin-filename", new_file, stdin=FLOAT_ORDER)
    assert proc.returncode == 0, proc.stdout
    assert cli(project, "-", "--stdin-filename", str(project / "new.py"), stdin=FLOAT_ORDER).returncode == 1


# -- quiet, silent, output file ----------------------------------------------------------


def test_quiet_prints_the_findings_and_nothing_else(project, capsys):
    code, out, _ = run(capsys, "bot.py", "--quiet")
    assert code == 1 and out.splitlines() == [line for line in out.splitlines() if line.startswith("bot.py:4:")]
    assert len(out.splitlines()) == 1
    (project / "clean.py").write_text("x = 1\n")
    assert run(capsys, "clean.py", "-q") == (0, "", "")
    code, out, _ = run(capsys, "bot.py", "-q", "--output-format", "full")
    assert code == 1 and "Found" not in out and "^" in out


def test_silent_prints_nothing_but_keeps_the_exit_status(project, capsys):
    assert run(capsys, "bot.py", "--silent") == (1, "", "")
    (project / "clean.py").write_text("x = 1\n")
    assert run(capsys, "clean.py", "-s") == (0, "", "")
    code, out, err = run(capsys, "missing.py", "-s")
    assert code == 2 and "no such file" in err  # errors are never silenced


def test_output_file_holds_the_report(project, capsys):
    code, out, _ = run(capsys, "bot.py", "--output-format", "json", "-o", "reports/lint.json")
    assert code == 1 and out == ""
    report = json.loads((project / "reports" / "lint.json").read_text())
    assert [f["code"] for f in report] == ["BYB101"]
    assert not [p.name for p in (project / "reports").iterdir() if p.name != "lint.json"]  # no temporary left


def test_output_file_that_cannot_be_written_keeps_the_report(project, capsys):
    (project / "reports").mkdir()
    code, out, err = run(capsys, "bot.py", "--output-file", "reports")
    assert code == 2 and "--output-file reports" in err and "is a folder" in err
    assert out.startswith("bot.py:4:")  # the report is printed instead of lost
