"""The findings cache: warm runs skip parsing (and LibCST), every input that matters is in the key."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_rules import cache as cache_module
from lint_rules import engine, runner
from lint_rules.cache import CACHE_DIR_NAME, Entry, FindingsCache
from lint_rules.project import Project, summarize
from lint_rules.cli import main

FLOAT_ORDER = textwrap.dedent(
    """\
    from pybit.unified_trading import HTTP

    session = HTTP(api_key=KEY, api_secret=SECRET)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=0.01)
    """
)
RECV_WINDOW = "from pybit.unified_trading import HTTP\n\nsession = HTTP(api_key=KEY, api_secret=SECRET, recv_window=3000)\n"

# Runs the CLI in a fresh interpreter and reports whether LibCST was imported.
PROBE = "import sys; from lint_rules.cli import main; rc = main(sys.argv[1:]); print('LIBCST', 'libcst' in sys.modules, rc)"


def probe(cwd: Path, *args: str) -> tuple[bool, int, str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd)
    *lines, last = proc.stdout.strip().splitlines()
    _, imported, rc = last.split()
    return imported == "True", int(rc), "\n".join(lines) + proc.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.bybit-lint]\nignore = []\n")
    (tmp_path / "bot.py").write_text(FLOAT_ORDER)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_warm_run_neither_parses_nor_imports_libcst(project):
    imported, rc, cold = probe(project, ".")
    assert imported and rc == 1 and "bot.py:4:" in cold
    imported, rc, warm = probe(project, ".")
    assert not imported, "an unchanged tree must be answered from the cache"
    assert rc == 1 and warm == cold
    # a changed file is parsed again, and only then is LibCST imported
    (project / "bot.py").write_text(FLOAT_ORDER + "\n")
    imported, rc, _ = probe(project, ".")
    assert imported and rc == 1


def test_cache_folder_sits_beside_the_config_and_ignores_itself(project, capsys):
    sub = project / "src"
    sub.mkdir()
    (sub / "bot.py").write_text(FLOAT_ORDER)
    run(capsys, "src")
    folder = project / CACHE_DIR_NAME
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    data = json.loads(next(folder.glob("*/findings.json")).read_text())
    assert set(data) == {"src/bot.py"}  # relative to the config's folder
    assert not (sub / CACHE_DIR_NAME).exists()


def test_no_cache_reads_and_writes_nothing(project):
    for _ in range(2):
        imported, rc, _ = probe(project, ".", "--no-cache")
        assert imported and rc == 1
    assert not (project / CACHE_DIR_NAME).exists()


def test_cache_dir_from_config_and_command_line(project, capsys):
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nmin-recv-window = 5000\ncache-dir = "build/lint-cache"\n')
    run(capsys, ".")
    assert (project / "build" / "lint-cache" / ".gitignore").is_file()
    assert not (project / CACHE_DIR_NAME).exists()
    run(capsys, ".", "--cache-dir", str(project / "elsewhere"))
    assert (project / "elsewhere" / "CACHEDIR.TAG").is_file()


def test_bad_cache_dir_names_the_key(project, capsys):
    (project / "pyproject.toml").write_text("[tool.bybit-lint]\ncache-dir = 3\n")
    code = main(["."])
    err = capsys.readouterr().err
    assert code == 2 and "pyproject.toml" in err and "'cache-dir'" in err


def test_configuration_is_part_of_the_key(project, capsys):
    assert run(capsys, ".")[0] == 1
    assert run(capsys, ".", "--ignore", "BYB101")[0] == 0
    assert run(capsys, ".")[0] == 1
    (project / "pyproject.toml").write_text('[tool.bybit-lint]\nper-file-ignores = { "bot.py" = ["BYB1"] }\n')
    assert run(capsys, ".")[0] == 0


def test_rule_options_are_part_of_the_key(project, capsys):
    (project / "bot.py").write_text(RECV_WINDOW)
    code, out = run(capsys, ".")
    assert code == 1 and "BYB402" in out
    (project / "pyproject.toml").write_text("[tool.bybit-lint]\nmin-recv-window = 2000\n")
    assert run(capsys, ".")[0] == 0


def test_edited_content_is_judged_again(project, capsys):
    assert run(capsys, "bot.py")[0] == 1
    (project / "bot.py").write_text(FLOAT_ORDER.replace("qty=0.01", 'qty="0.01"'))
    assert run(capsys, "bot.py")[0] == 0


def test_tool_change_is_part_of_the_key(project, capsys, monkeypatch):
    run(capsys, ".")
    calls = []
    real = runner._work
    monkeypatch.setattr(runner, "_work", lambda item: calls.append(item[0]) or real(item))
    run(capsys, ".")
    assert calls == []
    monkeypatch.setattr(cache_module, "tool_fingerprint", lambda: "another version of the rules")
    run(capsys, ".")
    assert sorted(calls) == ["bot.py", "clean.py"]


def test_corrupt_cache_is_rebuilt(project, capsys):
    run(capsys, ".")
    for file in (project / CACHE_DIR_NAME).rglob("*.json"):
        file.write_text("{not json")
    code, out = run(capsys, ".")
    assert code == 1 and "BYB101" in out
    code, out = run(capsys, ".")
    assert code == 1 and "BYB101" in out


def test_fix_uses_the_cache_for_files_without_fixes(project, capsys, monkeypatch):
    run(capsys, ".")
    calls = []
    real = runner._work
    monkeypatch.setattr(runner, "_work", lambda item: calls.append(item[0]) or real(item))
    code, out = run(capsys, ".", "--fix")
    assert calls == ["bot.py"]  # clean.py has no fix to apply: not parsed
    assert code == 0 and "Fixed 1 error." in out


def test_cached_findings_keep_their_fix_applicability(project, capsys):
    first = run(capsys, ".", "--output-format", "json")[1]
    assert run(capsys, ".", "--output-format", "json")[1] == first
    assert json.loads(first)[0]["fix"]["applicability"] == "safe"


# -- summaries and the files that depend on them ------------------------------------


def test_entry_is_stale_when_an_answer_it_was_judged_on_changed():
    before = Project({"bot.py": summarize("from lib import place\n"), "lib.py": summarize("def place(qty):\n    return qty\n")})
    with before.recording("bot.py") as asked:
        assert before.function("bot.py", "place") is not None
    entry = Entry("k", [], None, asked)
    assert entry.fresh("k", before.still_holds)
    assert not entry.fresh("other key", before.still_holds)
    renamed = Project({"bot.py": before.summaries["bot.py"], "lib.py": summarize("def buy(qty):\n    return qty\n")})
    assert not entry.fresh("k", renamed.still_holds)
    gone = Project({"bot.py": before.summaries["bot.py"]})  # the module was deleted
    assert not entry.fresh("k", gone.still_holds)
    commented = Project({"bot.py": before.summaries["bot.py"], "lib.py": summarize("# a comment\ndef place(qty):\n    return qty\n")})
    assert entry.fresh("k", commented.still_holds)


def test_a_question_this_version_does_not_ask_makes_the_entry_stale():
    project = Project({"bot.py": summarize("")})
    assert not Entry("k", [], None, {"<project>": "abc"}).fresh("k", project.still_holds)
    assert not Entry("k", [], None, {'["no-such-question"]': ""}).fresh("k", project.still_holds)


def test_cache_round_trips_summaries(tmp_path):
    cache = FindingsCache(tmp_path / "c", tmp_path)
    (tmp_path / "a.py").write_text("")
    cache.put("a.py", Entry("k", [], {"facts": [1]}, {"b.py": "d"}))
    cache.save()
    again = FindingsCache(tmp_path / "c", tmp_path)
    assert again.get("a.py") == Entry("k", [], {"facts": [1]}, {"b.py": "d"})
    assert again.summaries() == {"a.py": {"facts": [1]}}


SIGNER = """import hashlib, hmac
from clock import time_ms

def headers(key, secret, payload):
    ts = str(time_ms())
    sign = hmac.new(secret.encode(), (ts + key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
"""
SERVER_CLOCK = "import time\nOFFSET_MS = 0\n\ndef time_ms() -> int:\n    return int(time.time() * 1000) + OFFSET_MS\n"
LOCAL_CLOCK = "import time\n\ndef time_ms() -> int:\n    return int(time.time() * 1000)\n"


def test_dependents_of_a_changed_summary_are_judged_again(tmp_path, monkeypatch):
    """signer.py's BYB401 verdict rests on clock.py's summary: when that changes, the cached
    verdict on the unchanged signer.py is not reused."""
    (tmp_path / "clock.py").write_text(SERVER_CLOCK)
    (tmp_path / "signer.py").write_text(SIGNER)
    linted: list[str] = []
    real = runner._lint

    def counting(filename, *args, **kwargs):
        linted.append(Path(filename).name)
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(runner, "_lint", counting)

    def lint() -> dict[str, list[str]]:
        jobs = [runner.Job(p, p.name, p.read_bytes(), ("BYB401",)) for p in (tmp_path / "signer.py", tmp_path / "clock.py")]
        cache = FindingsCache(tmp_path / CACHE_DIR_NAME, tmp_path)
        outcomes = runner.run(jobs, {}, runner.Mode(), cache, workers=1)
        return {j.display: [f.code for f in o.findings] for j, o in zip(jobs, outcomes)}

    assert lint() == {"signer.py": [], "clock.py": []}
    assert sorted(linted) == ["clock.py", "signer.py"]
    linted.clear()
    assert lint() == {"signer.py": [], "clock.py": []}
    assert linted == []  # warm: nothing parsed
    (tmp_path / "clock.py").write_text(SERVER_CLOCK + "# a comment changes the text, not the facts\n")
    lint()
    assert linted == ["clock.py"]
    linted.clear()
    (tmp_path / "clock.py").write_text(LOCAL_CLOCK)  # the helper signer.py calls now reads the local clock
    assert lint() == {"signer.py": ["BYB401"], "clock.py": []}
    assert sorted(linted) == ["clock.py", "signer.py"]


class Tree:
    """A project on disk linted through the runner with a cache, counting the files parsed."""

    def __init__(self, root: Path, monkeypatch, codes: tuple[str, ...]) -> None:
        from lint_rules.catalog import describe
        from lint_rules.rules import all_rules

        self.root, self.codes, self.linted = root, codes, []
        self.catalog = describe(all_rules())
        real = runner._lint

        def counting(filename, *args, **kwargs):
            self.linted.append(filename)
            return real(filename, *args, **kwargs)

        monkeypatch.setattr(runner, "_lint", counting)

    def write(self, **files: str) -> None:
        for name, text in files.items():
            (self.root / f"{name}.py").write_text(text)

    def lint(self) -> dict[str, list[str]]:
        self.linted.clear()
        paths = sorted(self.root.glob("*.py"))
        jobs = [runner.Job(p, p.name, p.read_bytes(), self.codes) for p in paths]
        cache = FindingsCache(self.root / CACHE_DIR_NAME, self.root)
        outcomes = runner.run(jobs, {}, runner.Mode(), cache, workers=1, catalog=self.catalog)
        return {j.display: [f.code for f in o.findings] for j, o in zip(jobs, outcomes)}


RECV_BOT = """from pybit.unified_trading import HTTP

session = HTTP(api_key="k", api_secret="s", recv_window=1000)
"""


def test_a_changed_summary_re_judges_only_the_files_that_read_it(tmp_path, monkeypatch):
    tree = Tree(tmp_path, monkeypatch, ("BYB401", "BYB402"))
    tree.write(clock=SERVER_CLOCK, signer=SIGNER, other=RECV_BOT)
    assert tree.lint() == {"clock.py": [], "other.py": ["BYB402"], "signer.py": []}
    assert sorted(tree.linted) == ["clock.py", "other.py", "signer.py"]
    tree.write(clock=LOCAL_CLOCK)
    assert tree.lint() == {"clock.py": [], "other.py": ["BYB402"], "signer.py": ["BYB401"]}
    assert sorted(tree.linted) == ["clock.py", "signer.py"]  # other.py asked nothing of clock.py
    assert tree.lint()["signer.py"] == ["BYB401"] and tree.linted == []


WRAPPERS = """def place_spot_order(http, symbol, side, qty, price, link_id):
    kwargs = dict(category="spot", symbol=symbol, side=side, qty=str(qty), orderLinkId=link_id)
    return http.place_order(orderType="Limit", price=str(price), **kwargs)
"""
APP = """from helpers import place_spot_order


def on_fill(http, symbol, price):
    place_spot_order(http, symbol, "Sell", "0.5", price * (1 - 0.02), "sl")
"""


def test_a_module_that_appears_or_goes_re_judges_its_importers(tmp_path, monkeypatch):
    """app.py holds none of BYB101's trigger words: it is linted at all only because it calls
    an order wrapper imported from helpers.py, so whether it is parsed depends on that module."""
    tree = Tree(tmp_path, monkeypatch, ("BYB101",))
    tree.write(app=APP)
    assert tree.lint() == {"app.py": []} and tree.linted == []  # nothing to reach: not parsed
    tree.write(helpers=WRAPPERS)
    assert tree.lint() == {"app.py": ["BYB101"], "helpers.py": []}
    assert sorted(tree.linted) == ["app.py", "helpers.py"]
    tree.write(helpers="# the same wrapper, commented\n" + WRAPPERS)
    assert tree.lint() == {"app.py": ["BYB101"], "helpers.py": []}
    assert tree.linted == ["helpers.py"]  # its summary is unchanged: app.py's verdict stands
    (tmp_path / "helpers.py").unlink()
    assert tree.lint() == {"app.py": []}


def test_a_new_caller_changes_the_answer_about_callers():
    """BYB205 on an API helper asks who calls it; a module that starts calling it changes
    that answer, a module that does not leaves the verdict standing."""
    project = Project({"a.py": summarize("def send():\n    pass\n"), "b.py": summarize("def run():\n    send()\n")})
    with project.recording("a.py") as asked:
        callers = project.callers_of("send", exclude="a.py")
    assert [c[:2] for c in callers] == [("b.py", "run")]
    calling = Project({**project.summaries, "c.py": summarize("def again():\n    send()\n")})
    unrelated = Project({**project.summaries, "c.py": summarize("def other():\n    pass\n")})
    assert not calling.still_holds(asked) and unrelated.still_holds(asked)


def test_naming_one_file_judges_it_against_the_rest_of_the_project(project, capsys, monkeypatch):
    """pre-commit names the changed files only: the helper signer.py calls lives in clock.py,
    which it does not name, and the verdict must be the one a whole-tree run gives."""
    (project / "bot.py").unlink()
    (project / "clock.py").write_text(LOCAL_CLOCK)
    (project / "signer.py").write_text(SIGNER)
    code, whole = run(capsys, ".", "--output-format", "concise")
    assert code == 1 and "signer.py:5:" in whole and "BYB401" in whole
    (project / "signer.py").write_text(SIGNER + "# edited\n")
    code, named = run(capsys, "signer.py", "--output-format", "concise")
    assert code == 1 and named.splitlines()[0] == whole.splitlines()[0]
    # a file the run does not name is read as it is on disk now, not as it was cached
    (project / "clock.py").write_text(SERVER_CLOCK)
    (project / "signer.py").write_text(SIGNER + "# edited again\n")
    code, named = run(capsys, "signer.py", "--output-format", "concise")
    assert code == 0, named
    # and an editor's buffer on stdin is judged against the same project
    (project / "clock.py").write_text(LOCAL_CLOCK)
    run(capsys, ".")
    monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": __import__("io").BytesIO(SIGNER.encode())})())
    code, piped = run(capsys, "-", "--stdin-filename", "signer.py", "--output-format", "concise")
    assert code == 1 and "signer.py:5:" in piped and "BYB401" in piped
    # without a cache there is no project beyond the files named
    code, alone = run(capsys, "signer.py", "--no-cache", "--output-format", "concise")
    assert code == 0


def test_a_summary_mangled_in_the_cache_file_is_made_again(project, capsys):
    (project / "bot.py").unlink()
    (project / "clock.py").write_text(LOCAL_CLOCK)
    (project / "signer.py").write_text(SIGNER)
    code, whole = run(capsys, ".", "--output-format", "concise")
    assert code == 1 and "BYB401" in whole
    store = next((project / CACHE_DIR_NAME).rglob("findings.json"))
    data = json.loads(store.read_text())
    for mangled in ([1, 2], {"version": 1, "imports": [], "constants": {}, "functions": {}}, {"version": 99}):
        data["clock.py"]["summary"] = mangled
        store.write_text(json.dumps(data))
        (project / "signer.py").write_text(SIGNER + f"# {mangled!r}\n")
        assert run(capsys, "signer.py", "--output-format", "concise", "-q") == (1, whole.splitlines()[0] + "\n")


def test_parallel_workers_give_the_same_findings(project, capsys):
    for i in range(12):
        (project / f"bot{i}.py").write_text(FLOAT_ORDER if i % 2 else RECV_WINDOW)
    serial = run(capsys, ".", "--no-cache", "--jobs", "1")
    parallel = run(capsys, ".", "--no-cache", "--jobs", "2")
    assert parallel == serial and serial[1].count("BYB101") == 7 and serial[1].count("BYB402") == 6


# -- files no rule can fire on ----------------------------------------------------------

PLAIN = "import os\n\n\ndef join(a):\n    return os.path.join(a, 'b')\n"


def test_a_changed_file_no_rule_can_fire_on_does_not_import_libcst(project):
    (project / "bot.py").unlink()
    (project / "util.py").write_text(PLAIN)
    probe(project, ".")  # fills the cache (and the rule catalog)
    (project / "util.py").write_text(PLAIN + "\n\ndef other():\n    return 1\n")
    imported, rc, out = probe(project, ".")
    assert not imported and rc == 0 and "All checks passed!" in out
    (project / "util.py").write_text(PLAIN + "\ndef broken(:\n")
    imported, rc, out = probe(project, ".")
    assert not imported and rc == 1 and "util.py:7:" in out and "BYB001 SyntaxError" in out
    # asking for unused-noqa reports needs the full pass
    (project / "util.py").write_text(PLAIN + "x = 1  # noqa: BYB101\n")
    imported, rc, out = probe(project, ".", "--extend-select", "BYB002")
    assert imported and rc == 1 and "BYB002" in out


@pytest.mark.parametrize(
    "source",
    [PLAIN, PLAIN + "\ndef broken(:\n", "def f():\n\treturn 1\n        pass\n", "x = (\n", b"caf\xe9 = 1\n"],
    ids=["clean", "syntax-error", "indentation", "unclosed", "not-utf8"],
)
def test_syntax_only_check_matches_the_engine(source):
    from lint_rules.catalog import describe, may_fire
    from lint_rules.rules import all_rules

    content = source if isinstance(source, bytes) else source.encode()
    rules = [r for r in all_rules() if r.code != "BYB002"]
    codes = tuple(r.code for r in rules)
    assert not may_fire(content, codes, {i.code: i for i in describe(rules)})
    fast = runner._work(("util.py", content, codes, {}, runner.Mode(), False))
    full = runner._work(("util.py", content, codes, {}, runner.Mode(), True))
    assert fast["findings"] == full["findings"]
    if source is not PLAIN:
        assert fast["findings"] and fast["findings"][0][0] == "BYB001"


def test_trigger_words_decide_which_files_are_parsed():
    from lint_rules.catalog import describe, may_fire
    from lint_rules.rules import all_rules

    infos = {i.code: i for i in describe(all_rules())}
    codes = tuple(c for c in infos if c != "BYB002")
    assert not may_fire(PLAIN.encode(), codes, infos)
    assert may_fire(b"session.place_order(qty=0.1)\n", codes, infos)
    assert not may_fire(b"session.place_order(qty=0.1)\n", ("BYB001", "BYB402"), infos)
    assert may_fire(PLAIN.encode(), codes + ("BYB002",), infos)


def test_cyclic_gc_is_relaxed_while_linting_and_restored_after(tmp_path, monkeypatch):
    import gc

    (tmp_path / "a.py").write_text("x = 1\n")
    seen = []
    real = runner._work
    monkeypatch.setattr(runner, "_work", lambda item: seen.append(gc.get_threshold()) or real(item))
    before = gc.get_threshold()
    job = runner.Job(tmp_path / "a.py", "a.py", b"x = 1\n", ("BYB101",))
    runner.run([job], {}, runner.Mode(), None, workers=1)
    assert seen == [runner.GC_THRESHOLDS]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_rule_catalog_is_kept_per_version_of_the_rules(tmp_path, monkeypatch):
    from lint_rules import catalog

    first = catalog.load_catalog(tmp_path, "aaaa")
    assert [p.name for p in tmp_path.glob("catalog-*.json")] == ["catalog-aaaa.json"]
    monkeypatch.setattr(catalog, "_imported", lambda: pytest.fail("a stored catalog must not import the rules"))
    assert catalog.load_catalog(tmp_path, "aaaa") == first
    monkeypatch.undo()
    catalog.load_catalog(tmp_path, "bbbb")
    assert [p.name for p in tmp_path.glob("catalog-*.json")] == ["catalog-bbbb.json"]
    assert any(i.code == "BYB101" and i.words for i in first)


def test_concurrent_runs_keep_each_others_entries_and_deleted_files_are_dropped(tmp_path):
    """pre-commit starts several runs at once, each on its own batch of files."""
    for name in ("a.py", "b.py", "gone.py"):
        (tmp_path / name).write_text("")
    first, second = FindingsCache(tmp_path / "c", tmp_path), FindingsCache(tmp_path / "c", tmp_path)
    first.put("a.py", Entry("ka", []))
    first.put("gone.py", Entry("kg", []))
    second.put("b.py", Entry("kb", []))
    first.save()
    (tmp_path / "gone.py").unlink()
    second.save()
    merged = FindingsCache(tmp_path / "c", tmp_path)
    assert merged.get("a.py") == Entry("ka", []) and merged.get("b.py") == Entry("kb", [])
    assert merged.get("gone.py") is None
