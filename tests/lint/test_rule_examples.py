"""Every rule's own VALID / INVALID examples, run as tests (Fixit's model)."""

from __future__ import annotations

import textwrap

import pytest

from lint_rules.engine import lint_source
from lint_rules.fixes import fix_source
from lint_rules.rules import all_rules

CASES = []
for _rule in all_rules():
    for _i, _case in enumerate(_rule.valid_cases()):
        CASES.append(pytest.param(_rule, _case, False, id=f"{_rule.code}-valid-{_i}"))
    for _i, _case in enumerate(_rule.invalid_cases()):
        CASES.append(pytest.param(_rule, _case, True, id=f"{_rule.code}-invalid-{_i}"))


def _lint(rule, case):
    code = textwrap.dedent(case.code)
    return code, lint_source(code, "example.py", [rule], dict(case.options)).findings


@pytest.mark.parametrize(("rule", "case", "invalid"), CASES)
def test_example(rule, case, invalid):
    code, findings = _lint(rule, case)
    own = [f for f in findings if f.code == rule.code]
    if not invalid:
        assert own == [], f"{rule.code} must not fire on:\n{code}\nbut reported: {[(f.line, f.message) for f in own]}"
        return
    assert len(own) == case.count, (
        f"{rule.code} must report {case.count} finding(s) on:\n{code}\ngot: {[(f.line, f.message) for f in own]}"
    )
    if case.line is not None:
        assert own[0].line == case.line, f"{rule.code} reported line {own[0].line}, expected {case.line}:\n{code}"
    for finding in own:
        assert finding.message and finding.name == rule.name
    if case.fixed is not None:
        result = fix_source(code, "example.py", [rule], dict(case.options))
        assert result.source == textwrap.dedent(case.fixed)
    if case.unsafe_fixed is not None:
        result = fix_source(code, "example.py", [rule], dict(case.options), unsafe=True)
        assert result.source == textwrap.dedent(case.unsafe_fixed)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented(rule):
    assert rule.code.startswith("BYB") and len(rule.code) == 6
    assert rule.name and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.message and "\n" not in rule.message
    doc = rule.doc()
    for heading in ("## What it does", "## Why is this bad?"):
        assert heading in doc, f"{rule.code} docstring lacks {heading!r}"
    if not getattr(rule, "engine_check", False):
        for heading in ("## Example", "## Use instead"):
            assert heading in doc, f"{rule.code} docstring lacks {heading!r}"
        assert rule.prevents, f"{rule.code} must name the Bybit error it prevents"
        assert len(rule.valid_cases()) >= 6 and len(rule.invalid_cases()) >= 6, f"{rule.code}: at least 6 VALID and 6 INVALID"
    if rule.fixable:
        assert any(c.fixed is not None or c.unsafe_fixed is not None for c in rule.invalid_cases()), (
            f"{rule.code} says it is fixable but no INVALID example shows the fix"
        )
