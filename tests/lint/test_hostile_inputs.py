"""Valid but unusual Python, broken configs and odd paths: a finding or one clear line,
never a traceback, a false BYB001 or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lint_rules import engine, runner, workers
from lint_rules.cli import main

HEADER = 'from pybit.unified_trading import HTTP\nsession = HTTP(api_key=KEY, api_secret=SECRET)\nsession.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)\n'


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(cwd: Path, *args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lint_rules.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=stdin,
    )


DEEP = {
    "1000-concatenated-strings": "doc = (\n" + "".join(f"    'topic {i} '\n" for i in range(1000)) + ")\n",
    "500-term-sum": "total = " + " + ".join(f"a{i}" for i in range(500)) + "\n",
    "500-nested-lambdas": "f = " + "lambda: " * 500 + "1\n",
    "500-chained-calls": "r = session" + ".get_tickers()" * 500 + "\n",
    "500-attributes": "r = session" + ".attr" * 500 + "\n",
    "500-nested-ternaries": "r = " + "a if b else " * 500 + "c\n",
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_deep_valid_python_is_linted(tree, capsys, body):
    (tree / "deep.py").write_text(HEADER + body)
    code, out, err = run(capsys, "deep.py")
    assert err == ""
    assert out.startswith("deep.py:3:") and "BYB101" in out
    assert code == 1
    assert run(capsys, "deep.py", "--fix")[0] == 0
    assert 'qty="0.01")' in (tree / "deep.py").read_text()


def test_stdlib_generated_module_is_linted(tree, capsys):
    import pydoc_data.topics

    code, _, err = run(capsys, pydoc_data.topics.__file__)
    assert (code, err) == (0, "")


def test_beyond_pythons_own_parser_is_a_syntax_error_not_a_crash(tree, capsys):
    (tree / "parens.py").write_text(HEADER + "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    (tree / "minus.py").write_text(HEADER + "x = " + "-" * 20000 + "1\n")
    code, out, err = run(capsys, ".")
    assert "parens.py:4:" in out and "minus.py:1:1: BYB001" in out
    assert code == 1 and err == ""


def test_internal_failure_never_says_all_checks_passed(tree, capsys, monkeypatch):
    (tree / "bot.py").write_text(HEADER)  # trigger words, so the rules (not only CPython's parser) run

    def broken(*args, **kwargs):
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(engine, "lint_source", broken)
    code, out, err = run(capsys, ".")
    assert "internal error while linting bot.py: RuntimeError: rule exploded" in err
    assert "All checks passed!" not in out
    assert code == 2


@pytest.mark.parametrize(
    "encoding, cookie, text",
    [("koi8-r", "# -*- coding: koi8-r -*-\n", "note = 'привет'\n"), ("latin-1", "# coding: latin-1\n", "note = 'café'\n")],
)
def test_coding_cookie_is_honoured(tree, capsys, encoding, cookie, text):
    (tree / "bot.py").write_bytes((cookie + HEADER + text).encode(encoding))
    code, out, _ = run(capsys, "bot.py")
    assert "BYB001" not in out
    assert out.startswith("bot.py:4:") and "BYB101" in out and code == 1


def test_undecodable_bytes_are_a_syntax_error_naming_the_encoding(tree, capsys):
    (tree / "bot.py").write_bytes(b"x = 1\ny = '\xff'\n")
    code, out, _ = run(capsys, "bot.py")
    assert out.startswith("bot.py:2:1: BYB001 cannot decode file as utf-8") and code == 1


def test_parenthesized_annotated_target_is_valid(tree, capsys):
    (tree / "bot.py").write_text(HEADER + "(x): int = 1\n(y): float\n(obj.attr): int = 2; (z) : str = 'a'\n")
    code, out, _ = run(capsys, "bot.py")
    assert "BYB001" not in out
    assert out.startswith("bot.py:3:90: BYB101") and code == 1


def test_malformed_pyproject_is_an_error_not_skipped(tree, capsys):
    (tree / "pyproject.toml").write_text('[tool.bybit-lint]\nignore = ["BYB101"]\n')
    sub = tree / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.bybit-lint\nselect = ["BYB1"]\n')
    (sub / "bot.py").write_text(HEADER)
    code, out, err = run(capsys, "sub")
    assert code == 2 and out == ""
    assert f"{sub / 'pyproject.toml'}: invalid TOML: " in err and "line 1" in err


@pytest.mark.parametrize(
    "content, message",
    [
        ('tool = "bybit-lint"\n', "'tool' must be a table"),
        ('[tool]\nbybit-lint = "on"\n', "[tool.bybit-lint] must be a table"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "invalid TOML"),
    ],
)
def test_ill_shaped_pyproject(tree, capsys, content, message):
    (tree / "pyproject.toml").write_text(content)
    (tree / "bot.py").write_text("x = 1\n")
    code, _, err = run(capsys, ".")
    assert code == 2 and message in err and "pyproject.toml" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_config_that_is_a_folder_or_binary(tree, capsys):
    (tree / "bot.py").write_text("x = 1\n")
    (tree / "conf").mkdir()
    code, _, err = run(capsys, ".", "--config", "conf")
    assert code == 2 and "conf: is a directory" in err
    (tree / "blob.toml").write_bytes(bytes(range(256)))
    code, _, err = run(capsys, ".", "--config", "blob.toml")
    assert code == 2 and "blob.toml: config file is not UTF-8 text" in err
    code, _, err = run(capsys, ".", "--config", "missing.toml")
    assert code == 2 and "missing.toml: config file not found" in err


def test_dev_stdin_as_a_path_does_not_hang(tree):
    proc = cli_process(tree, "/dev/stdin", stdin=subprocess.PIPE)
    assert proc.returncode == 2
    assert "/dev/stdin:" in proc.stderr and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_broken_symlink_named_py(tree):
    (tree / "bot.py").write_text(HEADER)
    os.mkfifo(tree / "pipe.py")
    (tree / "dangling.py").symlink_to(tree / "gone.py")
    proc = cli_process(tree, ".")  # walked: skipped with a warning, the rest is linted
    assert proc.returncode == 1 and "bot.py:3:" in proc.stdout
    assert "pipe.py: not a regular file: skipped" in proc.stderr
    assert "dangling.py: a broken symbolic link: skipped" in proc.stderr
    proc = cli_process(tree, "pipe.py", "bot.py")  # named: an error, and still no hang
    assert proc.returncode == 2 and "bot.py:3:" in proc.stdout
    assert "pipe.py: a FIFO (named pipe), not a regular file" in proc.stderr
    proc = cli_process(tree, "dangling.py")
    assert proc.returncode == 2 and "dangling.py" in proc.stderr and "Traceback" not in proc.stderr


def test_jobs_are_capped_by_files_and_cpus(tree, capsys, monkeypatch):
    (tree / "bot.py").write_text(HEADER)

    def no_pool(*args, **kwargs):
        raise AssertionError("worker processes for one file")

    monkeypatch.setattr(workers, "run_jobs", no_pool)
    assert run(capsys, "bot.py", "-j", "300")[0] == 1
    assert runner._workers(300, 1) == 1
    assert runner._workers(300, 1000) == (os.cpu_count() or 1)
    assert runner._workers(0, 3) == 1
    code, _, err = run(capsys, "bot.py", "-j", "-1")
    assert code == 2 and "--jobs" in err


def test_github_format_escapes_properties(tree, capsys):
    name = "odd:name,100%.py"
    (tree / name).write_text(HEADER)
    _, out, _ = run(capsys, name, "--output-format", "github")
    assert out.startswith("::error title=bybit-lint (BYB101),file=odd%3Aname%2C100%25.py,line=3,col=90,")
    message = out.split("::", 2)[2]
    assert message.startswith("BYB101 ") and "%3A" not in message


def test_unknown_coding_cookie_is_a_syntax_error(tree, capsys):
    (tree / "bot.py").write_bytes(b"# coding: no-such-codec\nx = 1\n")
    code, out, err = run(capsys, "bot.py")
    assert out.startswith("bot.py:1:1: BYB001 unknown encoding: no-such-codec") and code == 1 and err == ""
