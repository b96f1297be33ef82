"""The demo's promise on the linter side: the naive bot is flagged, the resilient one is not."""

from __future__ import annotations

from pathlib import Path

from lint_rules.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _codes(capsys, path: Path) -> tuple[int, list[str]]:
    status = main([str(path), "--output-format", "json", "--isolated"])
    import json

    return status, sorted({item["code"] for item in json.loads(capsys.readouterr().out)})


def test_naive_bot_is_flagged(capsys):
    status, codes = _codes(capsys, EXAMPLES / "naive_bot")
    assert status == 1
    # float qty, no backoff, hardcoded testnet, local-clock signing
    for code in ("BYB101", "BYB202", "BYB301", "BYB401"):
        assert code in codes, codes


def test_resilient_bot_is_clean(capsys):
    status, codes = _codes(capsys, EXAMPLES / "resilient_bot")
    assert (status, codes) == (0, [])


def test_the_project_lints_itself(capsys, monkeypatch):
    """Dogfood: with the project's own config, only the naive example bot is flagged."""
    import json

    monkeypatch.chdir(EXAMPLES.parent)
    status = main([".", "--output-format", "json"])
    files = {item["filename"] for item in json.loads(capsys.readouterr().out)}
    assert status == 1
    assert files == {"examples/naive_bot/naive.py"}
