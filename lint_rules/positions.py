"""Source positions of nodes, computed in one cheap code-generation pass.

LibCST's PositionProvider builds a CodePosition and CodeRange object for every node and
keys them by node (hashed in Python): on bot-sized files that costs twice the parse. Here
positions are plain tuples keyed by ``id(node)``, and CodeRange objects are made only for
the few nodes a rule reports.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange


class _State(CodegenState):
    __slots__ = ("line", "column", "computed", "_stack")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1
        self.column = 0
        self.computed: dict[int, tuple[int, int, int, int]] = {}
        self._stack: list[tuple[int, int]] = []

    def _advance(self, value: str) -> None:
        newlines = value.count("\n") + value.count("\r") - value.count("\r\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - max(value.rfind("\n"), value.rfind("\r")) - 1
        else:
            self.column += len(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        key = id(node)
        if key not in self.computed:
            self.computed[key] = (start[0], start[1], self.line, self.column)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        start = (self.line, self.column)
        try:
            yield
        finally:
            computed = self.computed
            if start_node is not None:
                start = computed[id(start_node)][:2]
            end = computed[id(end_node)][2:] if end_node is not None else (self.line, self.column)
            computed[id(node)] = (start[0], start[1], end[0], end[1])


class Positions:
    """``positions[node] -> CodeRange`` (1-based lines, 0-based columns, like LibCST's)."""

    def __init__(self, module: cst.Module) -> None:
        state = _State(module.default_indent, module.default_newline)
        module._codegen(state)
        self._computed = state.computed
        self._module = module  # keeps the ids valid

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start_line, start_col, end_line, end_col = self._computed[id(node)]
        return CodeRange(CodePosition(start_line, start_col), CodePosition(end_line, end_col))
