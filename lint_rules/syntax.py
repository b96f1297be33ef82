"""Fast, read-only traversal of LibCST trees: child nodes, walks, the parent map.

LibCST's own traversal (``node.visit(...)``, ``node.children``) rebuilds every node it
passes through, because its visitors may replace children: that costs as much as parsing
the file. The linter never changes a tree while it reads it, so it reads the fields itself,
in the order LibCST visits them (source order) and, by default, without the whitespace and
punctuation fields no rule reads. Every rule family walks trees through these helpers.
"""

from __future__ import annotations

import typing
from typing import Iterator

import libcst as cst
from libcst import MaybeSentinel

#: Fields that only ever hold whitespace, comments, brackets, punctuation or operators.
TRIVIA_FIELDS = frozenset(
    {
        "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace", "comma", "dot", "equal",
        "colon", "first_colon", "second_colon", "semicolon", "operator", "asynchronous",
        "relative", "leading_lines", "lines_after_decorators", "header", "footer", "newline",
        "trailing_whitespace", "leading_whitespace", "empty_lines", "comment", "last_line",
        "separator", "trailing_comma",
    }
)

#: The node types that only occur under trivia fields (and inside one another).
TRIVIA_TYPES: tuple[type, ...] = (
    cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Comment,
    cst.Newline, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon,
    cst.AssignEqual, cst.Asynchronous, cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp,
    cst.BaseUnaryOp, cst.BaseAugOp,
)


def _is_trivia_field(name: str) -> bool:
    return name in TRIVIA_FIELDS or name.startswith("whitespace")


class _FieldRecorder(cst.CSTVisitor):
    """The names of the fields LibCST visits on one node, in its visiting order."""

    def __init__(self, root: cst.CSTNode) -> None:
        super().__init__()
        self.root = root
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node is self.root

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.root and attribute not in self.fields:
            self.fields.append(attribute)


#: type -> the fields holding child nodes, in LibCST's (source) order; with and without trivia
_EVERY: dict[type, tuple[str, ...]] = {}
_STRUCTURAL: dict[type, tuple[str, ...]] = {}
#: type -> fields LibCST visits only when they are set (``format_spec``), not yet placed
_PENDING: dict[type, tuple[str, ...]] = {}


def _merge(old: tuple[str, ...], new: list[str]) -> tuple[str, ...]:
    """``new`` plus the fields only ``old`` had, each after the field it followed in ``old``."""
    out = list(new)
    for i, name in enumerate(old):
        if name not in out:
            at = next((out.index(p) + 1 for p in reversed(old[:i]) if p in out), 0)
            out.insert(at, name)
    return tuple(out)


def _may_hold_nodes(annotation: object) -> bool:
    """Whether a dataclass field's type admits a node (``Optional[str]`` does not)."""
    if isinstance(annotation, type):
        return issubclass(annotation, cst.CSTNode)
    if isinstance(annotation, str):  # a forward reference: assume it might
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return False
    return any(_may_hold_nodes(arg) for arg in typing.get_args(annotation))


def _holds_nodes(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, cst.CSTNode) for v in value)
    return isinstance(value, cst.CSTNode)


def _fields(node: cst.CSTNode, table: dict[type, tuple[str, ...]]) -> tuple[str, ...]:
    """Learn (or refine) the visiting order of ``type(node)`` from one instance.

    The order is LibCST's own, read through the public visitor hooks, so it follows the
    installed LibCST. A field LibCST skips when it is empty is placed the first time an
    instance has it; until then nodes of that type take this slower path.
    """
    cls = type(node)
    known = _EVERY.get(cls)
    pending = _PENDING.get(cls, ())
    if known is None or any(_holds_nodes(getattr(node, name, None)) for name in pending):
        recorder = _FieldRecorder(node)
        node.visit(recorder)
        every = tuple(recorder.fields) if known is None else _merge(known, recorder.fields)
        _EVERY[cls] = every
        pending = tuple(
            name
            for name, spec in getattr(cls, "__dataclass_fields__", {}).items()
            if name not in every and getattr(node, name, None) is None and _may_hold_nodes(spec.type)
        )
        structural = tuple(name for name in every if not _is_trivia_field(name))
        if pending:
            _PENDING[cls] = pending
            _STRUCTURAL.pop(cls, None)
        else:
            _PENDING.pop(cls, None)
            _STRUCTURAL[cls] = structural
        return every if table is _EVERY else structural
    every = _EVERY[cls]
    return every if table is _EVERY else tuple(name for name in every if not _is_trivia_field(name))


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` in source order, without whitespace and punctuation.

    What ``node.children`` gives minus trivia, many times faster: ``.children`` runs a
    visitor that rebuilds the node on every call.
    """
    fields = _STRUCTURAL.get(type(node))
    if fields is None:
        fields = _fields(node, _STRUCTURAL)
    # ``_gather``, inlined: every walk of every rule family calls this once per node
    out: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            out.extend(value)
        elif value is not None and kind is not MaybeSentinel:
            out.append(value)
    return out


def child_fields(node: cst.CSTNode) -> tuple[str, ...] | None:
    """The fields ``child_nodes`` reads on nodes of ``type(node)``, in source order, for a
    walker that gathers children itself; None while the type has a field not yet placed."""
    cls = type(node)
    fields = _STRUCTURAL.get(cls)
    if fields is None:
        _fields(node, _STRUCTURAL)  # learn the type from this instance
        fields = _STRUCTURAL.get(cls)
    return fields


def all_child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Exactly ``node.children`` (whitespace and punctuation included), without its cost."""
    fields = _EVERY.get(type(node)) if type(node) not in _PENDING else None
    if fields is None:
        fields = _fields(node, _EVERY)
    return _gather(node, fields)


def _gather(node: cst.CSTNode, fields: tuple[str, ...]) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            out.extend(value)
        elif value is not None and kind is not MaybeSentinel:
            out.append(value)
    return out


def walk(node: cst.CSTNode, prune: tuple[type, ...] = ()) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (itself first), pre-order in source order, without trivia.

    Nodes of a ``prune`` class below ``node`` are yielded but not entered (a nested
    ``FunctionDef`` for a walk that stays in one function's frame). LibCST's concrete node
    classes have no subclasses, so the test is on the exact type (``isinstance`` on
    LibCST's abstract base classes is slow).
    """
    pruned = frozenset(prune)
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if type(current) in pruned and current is not node:
            continue
        children = child_nodes(current)
        if children:
            children.reverse()
            stack.extend(children)


_NESTED_FRAMES = frozenset({cst.FunctionDef, cst.ClassDef})
_NESTED_FRAMES_AND_LAMBDAS = _NESTED_FRAMES | {cst.Lambda}


def frame_nodes(root: cst.CSTNode, *, lambdas: bool = True) -> Iterator[cst.CSTNode]:
    """The nodes that run in ``root``'s own frame: nested functions and classes (and, with
    ``lambdas=False``, lambdas) are neither yielded nor entered.

    For a function that is its body (not its decorators, defaults or annotations), for a
    module or a class its statements; any other node is yielded itself, then its frame.
    """
    if isinstance(root, cst.FunctionDef):
        stack: list[cst.CSTNode] = [root.body]
    elif isinstance(root, (cst.Module, cst.ClassDef)):
        stack = child_nodes(root)
        stack.reverse()
    else:
        stack = [root]
    skipped = _NESTED_FRAMES if lambdas else _NESTED_FRAMES_AND_LAMBDAS
    while stack:
        node = stack.pop()
        if type(node) in skipped:  # exact types: isinstance on LibCST's ABCs is slow
            continue
        yield node
        children = child_nodes(node)
        if children:
            children.reverse()
            stack.extend(children)


class ParentMap:
    """Parents keyed by ``id(node)``: hashing a LibCST node runs Python code, ``id`` does not.

    The map keeps the tree alive, so the ids stay valid for as long as it is used. A
    subclass that walks the tree anyway (``ModuleIndex``) fills ``parents`` itself.
    """

    def __init__(self, root: cst.CSTNode | None = None) -> None:
        self.root = root
        self.parents: dict[int, cst.CSTNode] = {}
        if root is not None:
            parents = self.parents
            stack = [root]
            while stack:
                node = stack.pop()
                for child in child_nodes(node):
                    parents[id(child)] = node
                    stack.append(child)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The parent, its parent, ... up to the root."""
        parents = self.parents
        current = parents.get(id(node))
        while current is not None:
            yield current
            current = parents.get(id(current))

    def enclosing(self, node: cst.CSTNode, kind: type | tuple[type, ...]) -> cst.CSTNode | None:
        """The nearest ancestor of ``kind`` (concrete node classes, tested by exact type)."""
        kinds = kind if isinstance(kind, tuple) else (kind,)
        parents = self.parents
        current = parents.get(id(node))
        while current is not None:
            if type(current) in kinds:
                return current
            current = parents.get(id(current))
        return None
