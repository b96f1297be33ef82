"""Small static-analysis helpers the rule families share.

Rules must tell pybit from ccxt, and follow a value through a local assignment or a small
helper function in the same module, without the cost of a full data-flow analysis. These
helpers work on LibCST nodes with plain structural matching; rules that need exact name
resolution also ask for LibCST's QualifiedNameProvider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a Name / Attribute chain, else None (calls and subscripts break it)."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def call_name(call: cst.Call) -> str | None:
    """The dotted name of the called function (``requests.post``, ``self.s.place_order``)."""
    return dotted_name(call.func)


def last_attr(call: cst.Call) -> str | None:
    """The final name of the callee: ``place_order`` for ``self.session.place_order(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain (non-f) string literal, implicit concatenation included."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def string_prefix_text(node: cst.CSTNode | None) -> str | None:
    """The literal text of a string, with f-string holes as ``{}``: enough to read a host."""
    plain = string_value(node)
    if plain is not None:
        return plain
    if isinstance(node, cst.FormattedString):
        out = []
        for part in node.parts:
            out.append(part.value if isinstance(part, cst.FormattedStringText) else "{}")
        return "".join(out)
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_prefix_text(node.left), string_prefix_text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def dict_items(node: cst.Dict) -> Iterator[tuple[str, cst.DictElement]]:
    """``(key, element)`` for each string-keyed entry of a dict literal."""
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            key = string_value(element.key)
            if key is not None:
                yield key, element


def number_value(node: cst.CSTNode | None) -> float | int | None:
    """The value of a numeric literal, including a leading minus and ``1_000`` forms."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = number_value(node.expression)
        return -inner if inner is not None else None
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    return None


@dataclass
class Imports:
    """Which clients a module imports, and under which local names.

    ``aliases`` maps a local name to the dotted module or object it stands for:
    ``from pybit.unified_trading import HTTP as Bybit`` gives ``Bybit -> pybit.unified_trading.HTTP``.
    """

    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, dotted: str | None) -> str | None:
        """The fully qualified name of a dotted name, through import aliases."""
        if not dotted:
            return None
        head, _, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def uses(self, package: str) -> bool:
        return any(t == package or t.startswith(package + ".") for t in self.aliases.values())


class _ImportCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.imports = Imports()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports.aliases[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.imports.aliases.setdefault(head, head)
                self.imports.aliases[full] = full

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        base = dotted_name(node.module) or ""
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports.aliases[local] = f"{base}.{name}"

    # imports inside functions count too (bots do `import time` in odd places)


def collect_imports(module: cst.Module) -> Imports:
    collector = _ImportCollector()
    module.visit(collector)
    return collector.imports


def functions(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Module-level functions and methods by name (a method is also found as ``Class.name``)."""
    out: dict[str, cst.FunctionDef] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            out[stmt.name.value] = stmt
        elif isinstance(stmt, cst.ClassDef):
            for inner in stmt.body.body:
                if isinstance(inner, cst.FunctionDef):
                    out[f"{stmt.name.value}.{inner.name.value}"] = inner
                    out.setdefault(inner.name.value, inner)
    return out


class _ReturnCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.values: list[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions return for themselves

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.values.append(node.value)


def returned_values(func: cst.FunctionDef) -> list[cst.BaseExpression]:
    collector = _ReturnCollector()
    func.body.visit(collector)
    return collector.values


class _AssignCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.assignments: dict[str, list[cst.BaseExpression]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def _add(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted_name(target)
        if name is not None:
            self.assignments.setdefault(name, []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._add(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._add(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        # ``x += 0.5`` makes x whatever ``x + 0.5`` is
        name = dotted_name(node.target)
        if name is not None:
            op = node.operator
            binop_cls = {
                cst.AddAssign: cst.Add,
                cst.SubtractAssign: cst.Subtract,
                cst.MultiplyAssign: cst.Multiply,
                cst.DivideAssign: cst.Divide,
            }.get(type(op))
            if binop_cls is not None:
                self.assignments.setdefault(name, []).append(
                    cst.BinaryOperation(left=cst.Name(name.split(".")[-1]), operator=binop_cls(), right=node.value)
                )


def local_assignments(scope: cst.CSTNode) -> dict[str, list[cst.BaseExpression]]:
    """Every value assigned to each name in a function body (or module), nested defs excluded.

    Assignments are kept in source order; a rule deciding whether a name "is a float" asks
    whether any of them is, which errs towards reporting only when the code really does it.
    """
    collector = _AssignCollector()
    body = scope.body if isinstance(scope, cst.FunctionDef) else scope
    body.visit(collector)
    return collector.assignments


def enclosing(node: cst.CSTNode, parents: dict[cst.CSTNode, cst.CSTNode], kind: type) -> cst.CSTNode | None:
    """The nearest ancestor of ``kind``, using a parent map from ParentNodeProvider."""
    current = parents.get(node)
    while current is not None and not isinstance(current, kind):
        current = parents.get(current)
    return current


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (pre-order), without visitor boilerplate."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
