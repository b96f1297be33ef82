"""A chain of calls LibCST's parser would take minutes on is refused up front, with its line."""

from __future__ import annotations

import ast
import time

import pytest

from lint_rules import runner
from lint_rules.cli import main
from lint_rules.deep_code import MAX_CHAIN, longest_chain
from lint_rules.project import summarize

BOT = "from pybit.unified_trading import HTTP\n\nsession = HTTP(testnet=True)\n"


@pytest.mark.parametrize(
    "code, expected",
    [
        ("x = a.b().c().d()", (3, 1)),
        ("x = a[0][1][2][3]", (4, 1)),
        ("x = f(a.b().c())\ny = 1", (2, 1)),
        ("x = 1\ny = a.b\nz = q(w)[0].e()", (3, 3)),
        ("x = 1", (0, 0)),
    ],
)
def test_longest_chain(code: str, expected: tuple[int, int]) -> None:
    assert longest_chain(ast.parse(code)) == expected


def test_only_a_chain_over_the_limit_is_in_the_summary() -> None:
    at_limit = "x = a" + ".b()" * MAX_CHAIN + "\n"
    over = "\n" + "x = a" + ".b()" * (MAX_CHAIN + 1) + "\n"
    assert "chain" not in summarize(at_limit)
    assert summarize(over)["chain"] == [MAX_CHAIN + 1, 2]


@pytest.mark.parametrize("trailer", [".get()", "[0]"], ids=["calls", "subscripts"])
def test_a_file_with_a_long_chain_is_refused_and_the_run_goes_on(tmp_path, monkeypatch, capsys, trailer):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bot.py").write_text(BOT + "session.place_order(qty=0.01)\n")
    links = MAX_CHAIN + 200  # within what CPython compiles on every supported version
    (tmp_path / "generated.py").write_text(BOT + "\n\nx = session" + trailer * links + "\n")
    parsed: list[str] = []
    real = runner._lint
    monkeypatch.setattr(runner, "_lint", lambda filename, *args, **kwargs: parsed.append(filename) or real(filename, *args, **kwargs))
    code = main([".", "--no-cache", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 2 and parsed == ["bot.py"]  # LibCST never saw generated.py
    assert f"generated.py:6: a chain of {links} calls and subscripts (over {MAX_CHAIN})" in err
    assert "bot.py:4:" in out and "BYB101" in out


def test_a_chain_no_parser_should_be_asked_to_read_costs_no_time(tmp_path, monkeypatch, capsys):
    """20,000 links: CPython 3.11 and 3.12 refuse to compile it (BYB001); on 3.10 and 3.13
    it compiles, and LibCST would take hours. Either way the run answers at once."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "generated.py").write_text(BOT + "\n\nx = session" + ".get()" * 20_000 + "\n")
    started = time.process_time()
    code = main([".", "--no-cache", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert time.process_time() - started < 60
    assert ("a chain of 20000 calls" in err and code == 2) or ("BYB001" in out and "nested too deeply" in out)
