"""Large files linted in pieces (``lint_rules.chunks``) find what the whole-file lint finds.

The differential tests force every file into pieces (the chunk threshold at one line, small
pieces) and compare findings (code, line, column) with the same files linted whole. The
regression tests have the shape of the defect: generated modules of tens of thousands of
lines, a giant class, a giant literal; they count LibCST parses instead of timing anything.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import libcst
import pytest

from lint_rules import chunks, engine, runner
from lint_rules.catalog import describe
from lint_rules.cli import main
from lint_rules.rules import all_rules

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RULES = all_rules()
CATALOG = describe(RULES)
DEFAULT = tuple(r.code for r in RULES if r.default_enabled)

OWN = '''\
"""A bot with its mistakes spread over many functions."""
import asyncio
import time
from decimal import Decimal

import requests
from pybit.unified_trading import HTTP

API_KEY = "x8Jd9sLq2Wm4Rt7Yp1Zc"
BASE = "https://api.bybit.com"
session = HTTP(testnet=True, api_key=API_KEY, api_secret="s3cr3tValueThatIsLong", recv_window=2000)


def buy(symbol):
    return session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty=0.01)


def step():
    return Decimal(0.1)


def tick():
    return Decimal(0.5)  # noqa: BYB102


def balance():
    r = requests.get(BASE + "/v5/account/wallet-balance", verify=False)
    return r.json()["result"]


async def loop():
    while True:
        time.sleep(1)
        await asyncio.sleep(0)


class Trader:
    """Orders for one symbol."""

    size = 0.01

    def __init__(self, symbol):
        self.symbol = symbol

    def sell(self):
        return session.place_order(category="linear", symbol=self.symbol, side="Sell", orderType="Market", qty=0.02)

    def limit(self):
        return Decimal(0.25)

    def cancel(self):
        return session.cancel_order(category="linear", symbol=self.symbol)


def price_of(x):
    return Decimal(1.5) * x
'''


@contextmanager
def chunked(monkeypatch: pytest.MonkeyPatch, piece_lines: int | None) -> Iterator[None]:
    """Every file in pieces of ``piece_lines`` (None: every file whole)."""
    with monkeypatch.context() as m:
        m.setattr(chunks, "CHUNK_LINES", 1 if piece_lines else 10**9)
        m.setattr(chunks, "WHOLE_UP_TO", 0)
        if piece_lines:
            m.setattr(chunks, "PIECE_LINES", piece_lines)
        yield


def lint(
    files: dict[str, bytes],
    mode: runner.Mode = runner.Mode(time_budget=0, memory_budget=0),
    codes: tuple[str, ...] = DEFAULT,
) -> list[runner.Outcome]:
    jobs = [runner.Job(None, name, content, codes) for name, content in files.items()]
    return runner.run(jobs, {}, mode, catalog=CATALOG)


def keys(outcome: runner.Outcome) -> list[tuple[str, int, int]]:
    assert outcome.crash is None, outcome.crash
    return sorted((f.code, f.line, f.column) for f in outcome.findings)


def compare(monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes], piece_lines: int) -> dict[str, tuple[list, list]]:
    with chunked(monkeypatch, None):
        whole = lint(files)
    with chunked(monkeypatch, piece_lines):
        pieces = lint(files)
    return {name: (keys(w), keys(p)) for name, w, p in zip(files, whole, pieces)}


def split_count(text: str, piece_lines: int) -> int:
    import ast

    plan = chunks.plan(ast.parse(text), chunks._LINE.findall(text), piece_lines)
    return len(plan.pieces) if plan else 0


def corpus() -> dict[str, bytes]:
    return {str(p.relative_to(CORPUS)): p.read_bytes() for p in sorted(CORPUS.rglob("*.py"))}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The line counts of the sources LibCST parses."""
    seen: list[int] = []
    real = libcst.parse_module

    def counting(source, *args, **kwargs):
        seen.append(source.count("\n"))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting)
    return seen


# -- differential: pieces against the whole file --------------------------------------


@pytest.mark.parametrize("piece_lines", [60, 120])
def test_corpus_in_pieces_finds_exactly_what_whole_files_do(monkeypatch, piece_lines):
    files = corpus()
    split = [name for name, content in files.items() if split_count(content.decode(), piece_lines) > 1]
    assert len(split) >= 12  # the comparison is not vacuous: these files really are split
    results = compare(monkeypatch, files, piece_lines)
    for name, (whole, pieces) in results.items():
        assert pieces == whole, name
    assert sum(len(w) for w, _ in results.values()) > 150


#: With pieces of 30 lines, classes of more than 30 lines are split into their methods, and
#: a split class cannot be copied whole into the header of a piece that uses it. Every
#: difference, explained:
TINY_PIECE_LOSSES = {
    # ``ladder(s: SignedSession, ...)`` sends orders through ``s._post``, whose @backoff
    # retry is in the split class SignedSession: the piece holding ``ladder`` does not see
    # that ``_post`` retries, so the order creation is not known to be retried
    "backoff_raw_orders.py": [("BYB205", 108, 15)],
}


def test_corpus_in_pieces_of_30_lines_differs_only_where_a_split_class_is_needed(monkeypatch):
    results = compare(monkeypatch, corpus(), 30)
    for name, (whole, pieces) in results.items():
        assert set(pieces) <= set(whole), name  # nothing the whole file does not find
        assert sorted(set(whole) - set(pieces)) == TINY_PIECE_LOSSES.get(name, []), name


@pytest.mark.parametrize("piece_lines", [1, 4, 10, 30])
def test_own_multi_function_file_is_identical_at_any_piece_size(monkeypatch, piece_lines):
    assert split_count(OWN, piece_lines) >= 2
    (whole, pieces), = compare(monkeypatch, {"own.py": OWN.encode()}, piece_lines).values()
    assert pieces == whole
    codes = {code for code, _, _ in whole}
    assert {"BYB101", "BYB102", "BYB206", "BYB301", "BYB303", "BYB402"} <= codes
    assert ("BYB102", 23, 12) not in whole  # its noqa holds in its piece


def test_a_giant_class_is_split_into_its_methods(monkeypatch, parses):
    methods = "".join(
        f"\n    def order_{i}(self, symbol):\n"
        f'        return self.session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty={i}.5)\n'
        for i in range(300)
    )
    text = 'from pybit.unified_trading import HTTP\n\n\nclass Bot:\n    """One big class."""\n\n    def __init__(self):\n        self.session = HTTP()\n' + methods
    assert split_count(text, 100) > 5
    (whole, pieces), = compare(monkeypatch, {"big_class.py": text.encode()}, 100).values()
    assert pieces == whole
    assert len(whole) == 300 and {c for c, _, _ in whole} == {"BYB101"}
    assert max(parses[-6:]) < 120  # the last lint parsed method pieces, not the class


# -- regression: the shape of the defect ------------------------------------------------


def generated_module(functions: int, trigger_every: int) -> str:
    """Thousands of small generated functions; one in ``trigger_every`` calls place_order
    with a float quantity, the rest compute numbers (no rule's trigger word)."""
    out = ['"""Generated."""\n', "from pybit.unified_trading import HTTP\n", "\nsession = HTTP()\n"]
    for i in range(functions):
        if i % trigger_every == 0:
            out.append(
                f"\n\ndef order_{i}(symbol):\n"
                f'    """Generated order {i}."""\n'
                f'    return session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty={i}.5)\n'
            )
        else:
            out.append(f"\n\ndef value_{i}(x, y):\n    total = x * {i} + y\n    if total > {i}:\n        return total - y\n    return total\n")
    return "".join(out)


def test_a_50k_line_generated_module_is_linted_and_only_its_trigger_pieces_parsed(monkeypatch, parses):
    text = generated_module(7_200, 1_000)
    assert text.count("\n") > 50_000
    outcome, = lint({"gen.py": text.encode()}, runner.Mode())  # the default budgets
    assert outcome.crash is None
    found = keys(outcome)
    assert [c for c, _, _ in found] == ["BYB101"] * 8
    lines = text.splitlines()
    assert all("qty=" in lines[line - 1] for _, line, _ in found)
    # eight pieces hold an order; the file's other pieces were never parsed by LibCST
    assert 8 <= len(parses) <= 16 and max(parses) < chunks.PIECE_LINES + 50


def test_every_function_with_a_trigger_still_parses_each_piece_once(monkeypatch, parses):
    text = generated_module(1_200, 1)
    with chunked(monkeypatch, 300):
        outcome, = lint({"gen.py": text.encode()})
    assert len(keys(outcome)) == 1_200
    # every piece but the file's leading header (its imports name no trigger word)
    assert len(parses) == split_count(text, 300) - 1 and max(parses) < 320


def giant_literal(entries: int, value: str) -> str:
    return "import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n\n\nDATA = {\n" + "".join(
        f"    {i}: {value},\n" for i in range(entries)
    ) + "}\n"


def test_a_giant_literal_without_trigger_words_is_never_parsed(monkeypatch, parses):
    text = giant_literal(50_000, "(1, 2)")
    outcome, = lint({"data.py": text.encode()}, runner.Mode())
    assert keys(outcome) == [("BYB303", 5, 30)]
    assert parses and max(parses) < 20  # the function's piece only


def test_a_giant_literal_full_of_trigger_words_keeps_the_budget_and_its_message(monkeypatch, capsys, tmp_path):
    text = giant_literal(20_000, '"api_key"')
    real = engine.lint_source

    def slow_on_big_sources(source, *args, **kwargs):
        if source.count("\n") > 10_000:  # the literal's piece: a pathological rule
            while True:
                pass
        return real(source, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_source", slow_on_big_sources)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.py").write_text(text)
    code = main(["data.py", "--no-cache", "--file-time-budget", "0.5"])
    err = capsys.readouterr().err
    assert code == 2
    assert "data.py: lines 6-20009 (the file is linted in pieces): over the per-file time budget of 0.5 s: not linted" in err
    assert "--file-time-budget" in err


def test_the_budget_applies_to_each_piece_not_the_whole_file(monkeypatch):
    entered: list[tuple[float, int]] = []
    real = chunks.file_budget

    @contextmanager
    def recording(seconds, megabytes):
        entered.append((seconds, megabytes))
        with real(seconds, megabytes):
            yield

    monkeypatch.setattr(chunks, "file_budget", recording)
    monkeypatch.setattr(runner, "file_budget", lambda *a: pytest.fail("a large file got a whole-file budget"))
    text = generated_module(1_200, 300)
    with chunked(monkeypatch, 300):
        outcome, = lint({"gen.py": text.encode()}, runner.Mode(time_budget=7, memory_budget=512))
    assert len(keys(outcome)) == 4
    assert entered == [(7, 512)] * 4  # one per piece holding an order


def test_a_file_under_the_threshold_is_linted_whole(monkeypatch):
    monkeypatch.setattr(chunks, "lint_in_pieces", lambda *a, **k: pytest.fail("chunked"))
    outcome, = lint({"own.py": OWN.encode()})
    assert len(keys(outcome)) == 14
    assert chunks.is_large(b"x\n" * chunks.CHUNK_LINES) and not chunks.is_large(b"x\n" * (chunks.CHUNK_LINES - 1))


# -- suppressions --------------------------------------------------------------------------


def test_a_file_wide_noqa_in_any_piece_covers_every_piece(monkeypatch):
    text = generated_module(400, 40) + "\n# bybit-lint: noqa: BYB101\n"
    with chunked(monkeypatch, 100):
        outcome, = lint({"gen.py": text.encode()})
    assert keys(outcome) == []
    with chunked(monkeypatch, 100):
        outcome, = lint({"gen.py": text.replace("noqa: BYB101", "noqa: BYB999").encode()})
    assert len(keys(outcome)) == 10


def test_unused_noqa_reports_need_the_whole_file(monkeypatch):
    text = OWN.replace("def cancel(self):", "def cancel(self):  # noqa: BYB303")
    codes = DEFAULT + ("BYB002",)
    with chunked(monkeypatch, None):
        whole, = lint({"own.py": text.encode()}, codes=codes)
    with chunked(monkeypatch, 5):
        pieces, = lint({"own.py": text.encode()}, codes=codes)
    assert ("BYB002", 51, 24) in keys(whole)
    assert keys(pieces) == keys(whole)


def test_a_file_that_does_not_parse_is_reported_as_whole_files_are(monkeypatch):
    text = OWN + "\ndef broken(:\n    pass\n"
    (whole, pieces), = compare(monkeypatch, {"bad.py": text.encode()}, 5).values()
    assert pieces == whole == [("BYB001", 58, 12)]


# -- fixes -------------------------------------------------------------------------------


def fix(monkeypatch, content: bytes, piece_lines: int | None, unsafe: bool = False) -> runner.Outcome:
    with chunked(monkeypatch, piece_lines):
        outcome, = lint({"own.py": content}, runner.Mode(fix=True, diff=True, unsafe=unsafe, show_fixes=True, time_budget=0, memory_budget=0))
    assert outcome.crash is None, outcome.crash
    return outcome


@pytest.mark.parametrize("unsafe", [False, True])
@pytest.mark.parametrize("piece_lines", [1, 6, 20])
def test_fixing_in_pieces_writes_the_bytes_a_whole_file_fix_writes(monkeypatch, piece_lines, unsafe):
    content = OWN.encode()
    whole = fix(monkeypatch, content, None, unsafe)
    pieces = fix(monkeypatch, content, piece_lines, unsafe)
    assert whole.changed is not None
    assert pieces.changed == whole.changed
    assert pieces.patch == whole.patch
    assert pieces.fixed == whole.fixed
    assert pieces.fixed_codes == whole.fixed_codes
    assert keys(pieces) == keys(whole)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_fixing_in_pieces_keeps_bom_line_endings_and_everything_else(monkeypatch, newline):
    content = b"\xef\xbb\xbf" + OWN.replace("\n", newline).encode("utf-8")
    whole = fix(monkeypatch, content, None)
    pieces = fix(monkeypatch, content, 4)
    assert pieces.changed == whole.changed
    assert pieces.changed.startswith(b"\xef\xbb\xbf")
    assert pieces.changed.count(newline.encode()) == content.count(newline.encode())
    assert b'Decimal("0.1")' in pieces.changed
    # nothing but the fixed values changed: every other line is byte for byte the same
    before, after = content.split(newline.encode()), pieces.changed.split(newline.encode())
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == pieces.fixed >= 5
    assert all(b.replace(b'"', b"") == a.replace(b'"', b"") for a, b in changed)  # a value quoted


def test_a_fix_that_would_edit_the_header_is_left_out_and_says_so(monkeypatch):
    """A fix that adds an import needs the file's header: no piece may apply it alone."""
    from lint_rules.rule import Rule

    class AddsImport(Rule):
        code = "BYB999"
        name = "adds-import"
        message = "needs an import"
        words = ("needs_import",)
        fixable = "safe"

        def visit_Module(self, node):
            for stmt in node.body:
                if isinstance(stmt, libcst.FunctionDef) and stmt.name.value == "needs_import":
                    first = node.body[0]
                    self.report(stmt, replacements=[(first, libcst.parse_statement("import os\n")), (stmt.name, stmt.name.with_changes(value="needs_import_fixed"))])

    text = OWN + "\n\ndef needs_import():\n    return Decimal(2.5)\n"
    monkeypatch.setattr(runner, "_lint", _with_rule(runner._lint, AddsImport))
    with chunked(monkeypatch, 5):
        outcome, = lint({"own.py": text.encode()}, runner.Mode(fix=True, time_budget=0, memory_budget=0), DEFAULT + ("BYB999",))
    new = outcome.changed.decode()
    assert "import os" not in new and "def needs_import():" in new  # left out, nothing corrupted
    assert 'Decimal("2.5")' in new  # the piece's other fixes still applied
    refused = [f for f in outcome.findings if f.code == "BYB999"]
    assert len(refused) == 1 and chunks.NOT_FIXED in refused[0].message and refused[0].fix is None


def _with_rule(real_lint, rule):
    import lint_rules.rules as rules_module

    def lint_with(filename, content, codes, options, mode, whole=False):
        original = rules_module.all_rules
        rules_module.all_rules = lambda: [*original(), rule]
        try:
            return real_lint(filename, content, codes, options, mode, whole)
        finally:
            rules_module.all_rules = original

    return lint_with


def test_a_future_import_stays_first_in_every_piece(monkeypatch):
    text = '"""Doc."""\nfrom __future__ import annotations\n\nimport requests\n' + OWN.split('"""\n', 1)[1] + "\nLATE = 5\n"
    monkeypatch.setattr(chunks, "_whole", lambda *a: pytest.fail("fell back to the whole file"))
    with chunked(monkeypatch, 4):
        pieces, = lint({"own.py": text.encode()})
    with chunked(monkeypatch, None):
        whole, = lint({"own.py": text.encode()})
    assert keys(pieces) == keys(whole) and len(keys(whole)) == 14


def test_cli_fix_and_diff_on_a_large_file_match_the_whole_file(monkeypatch, capsys, tmp_path):
    text = generated_module(1_000, 100).replace("\n", "\r\n")
    assert chunks.is_large(text.encode())
    monkeypatch.chdir(tmp_path)
    results = {}
    for how, threshold in (("pieces", chunks.CHUNK_LINES), ("whole", 10**9)):
        monkeypatch.setattr(chunks, "CHUNK_LINES", threshold)
        path = tmp_path / f"{how}.py"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        assert main([path.name, "--no-cache", "--diff"]) == 1
        diff = capsys.readouterr().out.replace(f"{how}.py", "gen.py")
        assert main([path.name, "--no-cache", "--fix"]) == 0
        capsys.readouterr()
        results[how] = (diff, path.read_bytes())
    assert results["pieces"] == results["whole"]
    diff, written = results["pieces"]
    assert diff.count('qty="') == 10 and written.startswith(b"\xef\xbb\xbf")
    assert written.count(b"\r\n") == text.count("\r\n") and b'qty="900.5"' in written


def test_a_mid_size_file_mostly_holding_triggers_is_linted_whole(monkeypatch, parses):
    """Under ``WHOLE_UP_TO`` lines, pieces pay off only when most of the file needs no
    LibCST parse; otherwise the headers they copy cost more than the whole file's parse."""
    busy = generated_module(1_000, 1)  # every function places an order
    quiet = generated_module(1_000, 700)  # two orders: two pieces of about a dozen
    assert chunks.is_large(busy.encode()) and chunks.is_large(quiet.encode())
    assert busy.count("\n") < chunks.WHOLE_UP_TO
    outcome, = lint({"busy.py": busy.encode()})
    assert len(keys(outcome)) == 1_000 and len(parses) == 1  # one parse: the whole file
    parses.clear()
    outcome, = lint({"quiet.py": quiet.encode()})
    assert len(keys(outcome)) == 2 and 2 <= len(parses) <= 4 and max(parses) < chunks.PIECE_LINES + 50
