"""What ties the two tools together: every rule names a real fault, every fault names real
rules, each side stays free of the other's machinery, and the README table is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lint_rules import docs
from lint_rules.rules import all_rules
from pytest_bybit.faults import CATALOG

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.fault], ids=lambda r: r.code)
def test_rule_fault_exists_and_points_back(rule):
    assert rule.fault in CATALOG, f"{rule.code} names unknown fault {rule.fault!r}"
    assert rule.code in CATALOG[rule.fault].lint, f"fault {rule.fault} does not list {rule.code}"


@pytest.mark.parametrize("fault", CATALOG.values(), ids=lambda f: f.name)
def test_fault_lint_codes_exist(fault):
    codes = {r.code for r in all_rules()}
    for code in filter(None, (c.strip() for c in fault.lint.split(","))):
        assert code in codes, f"fault {fault.name} names unknown rule {code}"


def test_plugin_never_imports_libcst():
    code = (
        "import sys, pytest_bybit.plugin, pytest_bybit.exchange, pytest_bybit.faults; "
        "print('libcst' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "False", proc.stderr


def test_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.render(readme) == readme, "README rule table is stale: run python -m lint_rules.docs"
