"""Small static-analysis helpers the rule families share.

Rules must tell pybit from ccxt, and follow a value through a local assignment or a small
helper function in the same module, without the cost of a full data-flow analysis. These
helpers work on LibCST nodes with plain structural matching: names and literals, imports,
a function's returns. Walking trees (child nodes, parents) lives in ``syntax``; what one
rule family alone knows stays in that family's private module.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TypeVar

import libcst as cst

from .syntax import all_child_nodes, child_nodes, walk as _walk_structure

STRING_NODES = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)

_T = TypeVar("_T")

#: Every ``per_module`` slot, so that ``release_shared`` can empty them once a file is done.
_SLOTS: list[threading.local] = []


def per_module(build: Callable[..., _T]) -> Callable[..., _T]:
    """Build a module's analysis once and share it between the rules of its family.

    The engine hands every rule the same module before it parses the next file, so one
    slot per thread, keyed by the identity of the first argument (the module, or an
    analysis of it), is enough: the rule that asks first builds, the others reuse.
    """
    slot = threading.local()
    _SLOTS.append(slot)

    @functools.wraps(build)
    def shared(key: Any, *args: Any) -> _T:
        cached = getattr(slot, "entry", None)
        if cached is not None and cached[0] is key:
            return cached[1]
        value = build(key, *args)
        slot.entry = (key, value)
        return value

    return shared


def release_shared() -> None:
    """Drop this thread's shared analyses once its file is linted.

    A slot would otherwise keep the last file's tree alive until the next file replaced
    it, and the cyclic collector would walk those hundreds of thousands of nodes once or
    twice more (a tenth of a cold run) before they were freed. An analysis whose parts
    refer to one another (a call graph with recursion) breaks those cycles in ``release``.
    """
    for slot in _SLOTS:
        entry = slot.__dict__.pop("entry", None)
        release = getattr(entry[1], "release", None) if entry is not None else None
        if release is not None:
            release()


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a Name / Attribute chain, else None (calls and subscripts break it)."""
    kind = type(node)  # exact types (these classes have no subclasses): isinstance on LibCST's ABCs is slow
    if kind is cst.Name:
        return node.value
    parts: list[str] = []
    while kind is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
        kind = type(node)
    if kind is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def call_name(call: cst.Call) -> str | None:
    """The dotted name of the called function (``requests.post``, ``self.s.place_order``)."""
    return dotted_name(call.func)


def ident(node: cst.CSTNode | None) -> str | None:
    """The last identifier of a Name / Attribute (``self.cfg.api_key`` -> ``api_key``)."""
    kind = type(node)
    if kind is cst.Name:
        return node.value
    if kind is cst.Attribute:
        return node.attr.value
    return None


def last_attr(call: cst.Call) -> str | None:
    """The final name of the callee: ``place_order`` for ``self.session.place_order(...)``."""
    return ident(call.func)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _string_parts(node: cst.ConcatenatedString) -> list[cst.BaseString]:
    """The pieces of an implicit concatenation, left to right, without recursion (generated
    code such as ``pydoc_data/topics.py`` concatenates thousands of literals)."""
    parts: list[cst.BaseString] = []
    stack: list[cst.BaseString] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, cst.ConcatenatedString):
            stack.append(item.right)
            stack.append(item.left)
        else:
            parts.append(item)
    return parts


_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE = re.compile(r"\\(\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]+\})")


def _escape_value(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _ESCAPES:
        return _ESCAPES[code]
    if code[0] in "xuU":
        return chr(int(code[1:], 16))
    if code[0] == "N":
        return unicodedata.lookup(code[2:-1])
    return chr(int(code, 8))


def _simple_string_value(node: cst.SimpleString) -> str | None:
    """Python's value of a str literal, read without compiling it.

    LibCST's ``evaluated_value`` compiles each literal (``ast.literal_eval``): on generated
    modules of thousands of escaped strings that was a third of the time. Bytes literals
    are not strings; a literal holding a carriage return (whose value depends on the
    newline translation of the tokenizer) is left to LibCST.
    """
    raw = node.value
    quote_at = 0
    while quote_at < len(raw) and raw[quote_at] not in "'\"":
        quote_at += 1
    prefix = raw[:quote_at].lower()
    if "b" in prefix:
        return None
    width = 3 if raw[quote_at : quote_at + 3] in ('"""', "'''") else 1
    body = raw[quote_at + width : len(raw) - width]
    if "\r" in body:
        return _evaluated(node)
    if "\\" not in body or "r" in prefix:
        return body
    try:
        return _ESCAPE.sub(_escape_value, body)
    except (KeyError, ValueError):  # an unknown \N{name}: Python refuses it too
        return _evaluated(node)


def _evaluated(node: cst.SimpleString) -> str | None:
    value = node.evaluated_value
    return value if isinstance(value, str) else None


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain (non-f) string literal, implicit concatenation included.

    A quoted string with no prefix, escape or triple quote is read directly: LibCST's
    ``evaluated_value`` compiles the literal (``ast.literal_eval``) on every call.
    """
    if isinstance(node, cst.SimpleString):
        return _simple_string_value(node)
    if isinstance(node, cst.ConcatenatedString):
        out = []
        for part in _string_parts(node):
            value = _simple_string_value(part) if isinstance(part, cst.SimpleString) else None
            if value is None:
                return None
            out.append(value)
        return "".join(out)
    return None


def subscript_key(node: cst.Subscript) -> str | None:
    """The string key of ``x["key"]`` (one plain index), else None."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None


def string_prefix_text(node: cst.CSTNode | None) -> str | None:
    """The literal text of a string, with f-string holes as ``{}``: enough to read a host."""
    plain = string_value(node)
    if plain is not None:
        return plain
    if isinstance(node, cst.FormattedString):
        return _formatted_text(node)
    if isinstance(node, cst.ConcatenatedString):
        out = []
        for part in _string_parts(node):
            if isinstance(part, cst.SimpleString):
                value = _simple_string_value(part)
            elif isinstance(part, cst.FormattedString):
                value = _formatted_text(part)
            else:
                value = None
            if value is None:
                return None
            out.append(value)
        return "".join(out)
    return None


def _formatted_text(node: cst.FormattedString) -> str:
    return "".join(part.value if isinstance(part, cst.FormattedStringText) else "{}" for part in node.parts)


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


def literal_number(node: cst.CSTNode | None) -> float | int | None:
    """A numeric literal, a numeric string literal (``"2000"``), or simple constant arithmetic."""
    value = number_value(node)
    if value is not None:
        return value
    text = string_value(node)
    if text is not None:
        try:
            return float(text) if "." in text else int(text.strip())
        except ValueError:
            return None
    if isinstance(node, cst.BinaryOperation):
        left, right = literal_number(node.left), literal_number(node.right)
        if left is None or right is None or isinstance(node.left, STRING_NODES) or isinstance(node.right, STRING_NODES):
            return None
        op = node.operator
        try:
            if isinstance(op, cst.Add):
                return left + right
            if isinstance(op, cst.Subtract):
                return left - right
            if isinstance(op, cst.Multiply):
                return left * right
            if isinstance(op, cst.Divide):
                return left / right
            if isinstance(op, cst.FloorDivide):
                return left // right
            if isinstance(op, cst.Power) and abs(right) <= 12:
                return left**right
        except (ZeroDivisionError, OverflowError, TypeError):
            return None
    if isinstance(node, (cst.Call,)) and isinstance(node.func, cst.Name) and node.func.value in ("int", "float", "str"):
        if len(node.args) == 1:
            return literal_number(node.args[0].value)
    return None


def bool_value(node: cst.CSTNode | None) -> bool | None:
    """``True`` / ``False`` for those two names, else None."""
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def is_main_guard(node: cst.If) -> bool:
    """``if __name__ == "__main__":`` (either way round): code a script runs, not a library."""
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [s for s in sides if string_value(s) == "__main__"]
    return bool(names and strings)


LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "print", "echo", "secho"}
)
LOGGER_NAMES = re.compile(r"(^|\.)(_?log(ger)?|_?LOG(GER)?|logging|console|click|rich|warnings|typer|sys\.std(out|err))$")


def is_log_call(call: cst.Call) -> bool:
    """print(...), logger.info(...), logging.warning(...), click.echo(...), warnings.warn(...):
    what goes there is shown to a person, not used."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in ("print", "echo", "pprint")
    if isinstance(func, cst.Attribute):
        if func.attr.value not in LOG_METHODS:
            return False
        owner = dotted_name(func.value)
        if owner is None:
            return isinstance(func.value, cst.Call) and dotted_name(func.value.func) in ("logging.getLogger",)
        return bool(LOGGER_NAMES.search(owner)) or owner.lower().endswith(("log", "logger"))
    return False


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

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        """Record the names one import statement binds (relative and star imports bind
        nothing this linter can follow)."""
        aliases = self.aliases
        if type(node) is cst.Import:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    aliases.setdefault(head, head)
                    aliases[full] = full
            return
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        base = dotted_name(node.module) or ""
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            aliases[local] = f"{base}.{name}"


#: Nodes that hold statements (where an import can be); expressions never do.
_STATEMENT_CONTAINERS = frozenset(
    {
        cst.Module, cst.IndentedBlock, cst.If, cst.Else, cst.For, cst.While, cst.With, cst.Try,
        cst.TryStar, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.FunctionDef,
        cst.ClassDef, cst.Match, cst.MatchCase,
    }
)
_SIMPLE_STATEMENTS = frozenset({cst.SimpleStatementLine, cst.SimpleStatementSuite})
_IMPORTS = frozenset({cst.Import, cst.ImportFrom})


def collect_imports(module: cst.Module) -> Imports:
    """Every import of the module, in source order: those inside functions, classes and
    ``if`` / ``try`` blocks too (bots do ``import time`` in odd places).

    Only statements are read, never expressions: a fraction of a full-tree visit.
    """
    imports = Imports()
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _SIMPLE_STATEMENTS:
            for small in node.body:
                if type(small) in _IMPORTS:
                    imports.add(small)
        elif kind in _STATEMENT_CONTAINERS or cst.BaseCompoundStatement in kind.__mro__:
            children = child_nodes(node)
            children.reverse()
            stack.extend(children)
    return imports


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


_OTHER_FRAMES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def returned_values(func: cst.FunctionDef) -> list[cst.BaseExpression]:
    """What the function's own ``return`` statements return, in source order (the returns
    of functions, lambdas and classes nested in it are theirs, not its)."""
    return [
        node.value
        for node in _walk_structure(func.body, prune=_OTHER_FRAMES)
        if type(node) is cst.Return and node.value is not None
    ]


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
    """Every node under ``node`` (pre-order), whitespace and punctuation included.

    Rules walk with ``syntax.walk``, which leaves those out and is cheaper still.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = all_child_nodes(current)
        children.reverse()
        stack.extend(children)
