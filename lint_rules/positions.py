"""Source positions of nodes, computed in one cheap code-generation pass.

LibCST's PositionProvider builds a CodePosition and CodeRange object for every node and
keys them by node (hashed in Python): on bot-sized files that costs twice the parse. Here
positions are plain tuples keyed by ``id(node)``, and CodeRange objects are made only for
the few nodes a rule reports.
"""

from __future__ import annotations

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
        if "\n" not in value and "\r" not in value:  # nearly every token
            self.column += len(value)
            return
        self.line += value.count("\n") + value.count("\r") - value.count("\r\n")
        self.column = len(value) - max(value.rfind("\n"), value.rfind("\r")) - 1

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
        else:
            self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self._stack.pop()
        key = id(node)
        if key not in self.computed:
            self.computed[key] = (line, column, self.line, self.column)

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> "_SyntacticPosition":
        return _SyntacticPosition(self, node, start_node, end_node)


class _SyntacticPosition:
    """``with state.record_syntactic_position(node):`` as a plain object: LibCST enters one
    for most nodes, and a ``@contextmanager`` generator costs several times as much."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(
        self, state: _State, node: cst.CSTNode, start_node: Optional[cst.CSTNode], end_node: Optional[cst.CSTNode]
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc_info: object) -> None:
        state = self.state
        computed = state.computed
        start = self.start
        if self.start_node is not None:
            start = computed[id(self.start_node)][:2]
        end = computed[id(self.end_node)][2:] if self.end_node is not None else (state.line, state.column)
        computed[id(self.node)] = (start[0], start[1], end[0], end[1])


class Positions:
    """``positions[node] -> CodeRange`` (1-based lines, 0-based columns, like LibCST's).

    The module is printed one top-level statement at a time, only as far as the nodes
    asked for: a file whose findings sit in its first functions does not pay for printing
    the rest (on a 50,000-line module, a full print costs as much as the rules).
    """

    def __init__(self, module: cst.Module) -> None:
        self._state = _State(module.default_indent, module.default_newline)
        self._computed = self._state.computed
        self._module = module  # keeps the ids valid
        # a generator of a method would hold ``self``: a cycle that keeps the tree alive
        self._steps = _print_in_steps(module, self._state)

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        key, computed = id(node), self._computed
        while key not in computed:
            if next(self._steps, StopIteration) is StopIteration and key not in computed:
                raise KeyError(node)
        start_line, start_col, end_line, end_col = computed[key]
        return CodeRange(CodePosition(start_line, start_col), CodePosition(end_line, end_col))


def _print_in_steps(module: cst.Module, state: _State) -> Iterator[None]:
    """``Module._codegen``, pausing after the header and after each statement."""
    state.before_codegen(module)
    for line in module.header:
        line._codegen(state)
    yield
    for statement in module.body:
        statement._codegen(state)
        yield
    for line in module.footer:
        line._codegen(state)
    state.after_codegen(module)
