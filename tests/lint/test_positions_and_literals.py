"""The linter's own cheap readings of a tree agree with LibCST's and CPython's."""

from __future__ import annotations

import ast
import random
import warnings
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lint_rules.analysis import string_value
from lint_rules.positions import Positions
from lint_rules.syntax import walk

CORPUS = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.py"))


@pytest.mark.parametrize("path", CORPUS[:12], ids=lambda p: p.name)
def test_positions_printed_in_steps_equal_libcsts(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in walk(module) if n in expected]
    for order in (nodes, nodes[::-1], random.Random(7).sample(nodes, len(nodes))):
        positions = Positions(module)
        assert [positions[n] for n in order] == [expected[n] for n in order]


def test_positions_of_a_node_from_another_tree_is_a_key_error():
    positions = Positions(cst.parse_module("x = 1\n"))
    with pytest.raises(KeyError):
        positions[cst.Name("y")]


LITERALS = [
    r"'plain'", r"'a\nb\tc'", r"'\x41\101\u00e9\U0001F600\N{BULLET}'", r"'\d\\d\''", '"""tri\\\nple"""',
    r"r'\n\d'", r"u'\t'", r"'''it''s'''", r"'\8\9'", "'\\\n'", r"'\0'", r"'\777'", r"'a\\'", r"'\1234'",
    "''", '""""""', r'"\"quoted\""', r"R'\\'", r"'\a\b\f\v'",
]


@pytest.mark.parametrize("literal", LITERALS)
def test_string_value_is_pythons(literal):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert string_value(cst.parse_expression(literal)) == ast.literal_eval(literal)


def test_string_value_on_random_escapes_and_concatenations():
    rng = random.Random(13)
    pieces = ["a", "é", "\\n", "\\\\", "\\'", "\\x7f", "\\u20ac", "\\101", "\\q", " ", "\\N{EM DASH}", '"']
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 4)):
            body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
            parts.append(rng.choice(["", "r", "u"]) + "'" + body.replace("'", "\\'") + "'")
        literal = " ".join(parts)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = ast.literal_eval(literal)
        except (SyntaxError, ValueError):
            continue
        assert string_value(cst.parse_expression(literal)) == expected, literal
    assert string_value(cst.parse_expression("b'x'")) is None
