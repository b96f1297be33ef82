"""--fix changes the fix and nothing else: not a concurrent edit, a link, a BOM, a line
ending, a mode, a read-only file; --diff shows exactly the bytes --fix writes."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

import pytest

from lint_rules import runner, safe_write
from lint_rules.cli import main

BAD = 'from pybit.unified_trading import HTTP\nsession = HTTP(api_key=KEY, api_secret=SECRET)\nsession.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)\n'
GOOD = BAD.replace("qty=0.01)", 'qty="0.01")')


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_file_edited_during_the_run_is_not_overwritten(tree, capsys, monkeypatch):
    (tree / "edited.py").write_text(BAD)
    (tree / "other.py").write_text(BAD)
    edit = BAD + "print('typed while the linter ran')\n"
    real = runner._lint

    def lint_then_edit(filename, *args):
        outcome = real(filename, *args)
        if filename == "edited.py":
            (tree / "edited.py").write_text(edit)
        return outcome

    monkeypatch.setattr(runner, "_lint", lint_then_edit)
    code, out, err = run(capsys, ".", "--fix")
    assert (tree / "edited.py").read_text() == edit
    assert (tree / "other.py").read_text() == GOOD
    assert "edited.py: changed on disk while the run went on" in err
    assert "Fixed 1 error." in out and "Traceback" not in err
    assert code == 2


def test_symlink_is_kept_and_its_target_fixed(tree, capsys):
    (tree / "real").mkdir()
    (tree / "real" / "bot.py").write_text(BAD)
    (tree / "link.py").symlink_to(tree / "real" / "bot.py")
    assert run(capsys, "link.py", "--fix")[0] == 0
    assert (tree / "link.py").is_symlink()
    assert (tree / "real" / "bot.py").read_text() == GOOD
    assert sorted(p.name for p in (tree / "real").iterdir()) == ["bot.py"]


def test_hard_link_is_kept(tree, capsys):
    (tree / "bot.py").write_text(BAD)
    os.link(tree / "bot.py", tree / "alias.txt")
    inode = (tree / "bot.py").stat().st_ino
    assert run(capsys, "bot.py", "--fix")[0] == 0
    assert (tree / "bot.py").stat().st_ino == inode == (tree / "alias.txt").stat().st_ino
    assert (tree / "alias.txt").read_text() == GOOD


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf-8-bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: text.replace("\n", "\r").encode(), id="cr-only"),
        pytest.param(lambda text: text.rstrip("\n").encode(), id="no-final-newline"),
        pytest.param(lambda text: text.replace("\n", "\r\n", 1).encode(), id="mixed-endings"),
        pytest.param(
            lambda text: ("# -*- coding: koi8-r -*-\n" + text + "note = 'проверка'\n").encode("koi8-r"), id="koi8-r"
        ),
        pytest.param(lambda text: ("# coding: latin-1\n" + text + "note = 'café'\f\n").encode("latin-1"), id="latin-1"),
    ],
)
def test_fix_keeps_bytes_around_the_fix_and_diff_shows_them(tree, capsys, encode):
    before, expected = encode(BAD), encode(GOOD)
    (tree / "bot.py").write_bytes(before)
    code, patch, _ = run(capsys, "bot.py", "--diff")
    assert code == 1 and (tree / "bot.py").read_bytes() == before
    assert run(capsys, "bot.py", "--fix")[0] == 0
    written = (tree / "bot.py").read_bytes()
    assert written == expected
    assert _apply(before, patch, "koi8-r" if b"koi8-r" in before else "latin-1" if b"latin-1" in before else "utf-8") == written


def _apply(before: bytes, patch: str, encoding: str) -> bytes:
    """Apply a one-file unified diff the way patch(1) would, line endings included."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+", before.decode(encoding))
    tokens = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+", patch)
    out: list[str] = []
    old_index = 0
    last_kind = ""
    i = 0
    while i < len(tokens):
        header = re.match(r"@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@", tokens[i])
        i += 1
        if not header:
            continue
        start = int(header.group(1)) - 1
        out += lines[old_index:start]
        old_index = start
        while i < len(tokens) and tokens[i][:1] in (" ", "-", "+", "\\"):
            kind, body = tokens[i][0], tokens[i][1:]
            if kind == "\\":  # "\ No newline at end of file": the previous line had none
                if last_kind in " +":
                    out[-1] = out[-1][:-1]
            elif kind in " +":
                out.append(body)
            if kind in " -":
                old_index += 1
            last_kind = kind
            i += 1
    out += lines[old_index:]
    text = "".join(out)
    return (b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b"") + text.lstrip("\ufeff").encode(encoding)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_fix_keeps_the_mode(tree, capsys, mode):
    (tree / "bot.py").write_text(BAD)
    os.chmod(tree / "bot.py", mode)
    assert run(capsys, "bot.py", "--fix")[0] == 0
    assert stat.S_IMODE((tree / "bot.py").stat().st_mode) == mode
    assert (tree / "bot.py").read_text() == GOOD


def test_read_only_file_is_reported_not_written(tree, capsys):
    (tree / "locked.py").write_text(BAD)
    (tree / "open.py").write_text(BAD)
    os.chmod(tree / "locked.py", 0o444)
    code, out, err = run(capsys, ".", "--fix")
    assert (tree / "locked.py").read_text() == BAD
    assert (tree / "open.py").read_text() == GOOD
    assert "locked.py: read-only file (mode 0444)" in err
    assert code == 2 and "Traceback" not in err


def test_unwritable_folder_is_reported_and_the_run_goes_on(tree, capsys, monkeypatch):
    locked, free = tree / "locked", tree / "free"
    for folder in (locked, free):
        folder.mkdir()
        (folder / "bot.py").write_text(BAD)
    os.chmod(locked, 0o555)
    if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as it would anyone else
        real_mkstemp = tempfile.mkstemp

        def refusing_mkstemp(*args, dir=None, **kwargs):
            if Path(dir) == locked:
                raise PermissionError(errno.EACCES, "Permission denied", str(locked / "tmp"))
            return real_mkstemp(*args, dir=dir, **kwargs)

        monkeypatch.setattr(safe_write.tempfile, "mkstemp", refusing_mkstemp)
    try:
        code, out, err = run(capsys, "locked", "free", "--fix")
    finally:
        os.chmod(locked, 0o755)
    assert (locked / "bot.py").read_text() == BAD
    assert (free / "bot.py").read_text() == GOOD
    assert f"{Path('locked') / 'bot.py'}: permission denied" in err
    assert "Fixed 1 error." in out
    assert code == 2 and "Traceback" not in err
    assert [p.name for p in locked.iterdir()] == ["bot.py"]  # no temporary file left behind


def test_stdin_fix_keeps_the_declared_encoding(tree):
    """With --fix on stdin the fixed code goes to stdout in the encoding it came in."""
    import subprocess
    import sys

    before = ("# coding: latin-1\n" + BAD + "note = 'café'\n").encode("latin-1")
    done = subprocess.run(
        [sys.executable, "-m", "lint_rules.cli", "-", "--stdin-filename", "bot.py", "--fix", "--no-cache"],
        input=before,
        capture_output=True,
        cwd=tree,
    )
    assert done.stdout == ("# coding: latin-1\n" + GOOD + "note = 'café'\n").encode("latin-1")
    assert done.returncode == 0 and b"Traceback" not in done.stderr
