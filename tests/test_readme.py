"""The README's examples run: the fixture example passes as a user's test would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_fixture_example_passes(pytester: pytest.Pytester) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    example = next(b for b in blocks if "def test_buy(bybit)" in b)
    pytester.makepyfile(test_readme_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_setup_commands_come_first() -> None:
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)[:2]
    assert "bybit-lint examples/" in commands[0] and "--bybit-faults" in commands[0]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run exactly the README's test command"
