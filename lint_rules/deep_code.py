"""Code that LibCST's parser takes minutes to read: long chains of calls and subscripts.

LibCST's native parser is quadratic in the length of one chain of trailers
(``a.b().c().d()...``, ``x[0][0][0]...``): 500 of them take about 0.3 s, 1,000 about 1.5 s,
3,000 about 15 s and 20,000 hours, all inside one native call that neither the per-file CPU
budget (a signal, delivered only between bytecodes) nor anything else in the process can
interrupt. CPython 3.11 and 3.12 refuse to compile a chain much over 1,000 links (the file
is then reported as BYB001, as Python would fail on it), but 3.10 accepts any length and
3.13 several thousand. No hand-written code comes near; generated or hostile code can, so
such a file is refused up front, with the line of the chain, instead of stalling the run.

The chains are measured while the file is summarised for the project model (``project``),
in the walk over CPython's tree that the summary makes anyway, so a file costs nothing more.
"""

from __future__ import annotations

import ast

#: The longest chain of calls and subscripts linted; LibCST reads it in about 0.3 s.
MAX_CHAIN = 500


def chain_step(node: ast.Call | ast.Subscript, depth: dict[int, int]) -> int:
    """One call or subscript met in a breadth-first walk (a chain's outer end comes before
    its inner links): the length of its chain so far, passed on to its inner link."""
    length = depth.pop(id(node), 0) + 1
    inner = node.func if isinstance(node, ast.Call) else node.value
    while isinstance(inner, ast.Attribute):
        inner = inner.value
    if isinstance(inner, (ast.Call, ast.Subscript)):
        depth[id(inner)] = length
    return length


def longest_chain(tree: ast.AST) -> tuple[int, int]:
    """The length of the longest chain of calls and subscripts, and the line it starts on."""
    depth: dict[int, int] = {}
    best, line = 0, 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Subscript)):
            length = chain_step(node, depth)
            if length > best:
                best, line = length, node.lineno
    return best, line


def refusal(filename: str, length: int, line: int) -> str:
    return (
        f"error: {filename}:{line}: a chain of {length} calls and subscripts (over {MAX_CHAIN}), "
        "which LibCST's parser takes minutes to read: not linted"
    )
