"""Helpers shared by the environment (3xx), time (4xx) and websocket (5xx) rule families.

One walk per module builds a parent map and the lists of nodes these rules look at; the
rules of the three families share it (a one-entry cache keyed by the module object: the
engine visits one module with every rule before it parses the next).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from pytest_bybit import facts

from ..analysis import Imports, dotted_name, number_value, string_prefix_text, string_value

STRING_NODES = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)

#: Fields that never hold an expression or a statement (whitespace, punctuation, operators).
_SKIP_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "dot", "equal", "colon", "semicolon", "leading_lines",
        "lines_after_decorators", "header", "footer", "newline", "operator", "whitespace",
        "star", "lbracket", "rbracket", "lbrace", "rbrace", "asynchronous", "first_line",
        "empty_lines", "trailing_whitespace", "indent",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def kids(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes that matter to these rules, without whitespace and punctuation.

    Several times faster than ``node.children`` (which runs a visitor per call); the order
    is the dataclass field order, which is source order for everything these rules read.
    """
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(
            f.name for f in dataclasses.fields(node) if not f.name.startswith("whitespace") and f.name not in _SKIP_FIELDS
        )
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif type(value) in (list, tuple):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out
SCOPE_NODES = (cst.FunctionDef, cst.Lambda)

#: pybit constructors, by their last name (resolved through imports to ``pybit.*``).
PYBIT_HTTP = frozenset({"HTTP"})
PYBIT_WS = frozenset({"WebSocket", "WebSocketTrading", "WebsocketSpreadTrading"})

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "print", "echo", "secho"}
)
LOGGER_NAMES = re.compile(r"(^|\.)(_?log(ger)?|_?LOG(GER)?|logging|console|click|rich|warnings|typer|sys\.std(out|err))$")


def norm(identifier: str) -> str:
    """``API_SECRET`` / ``apiSecret`` / ``X-BAPI-API-KEY`` -> ``apisecret`` / ``xbapiapikey``."""
    return re.sub(r"[^a-z0-9]", "", identifier.lower())


def ident(node: cst.CSTNode | None) -> str | None:
    """The last identifier of a Name / Attribute (``self.cfg.api_key`` -> ``api_key``)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def bool_value(node: cst.CSTNode | None) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
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


_ANY_HOST = re.compile(
    r"(?<![\w.-])(" + "|".join(re.escape(h) for h in sorted(facts.ALL_REST_HOSTS | facts.ALL_STREAM_HOSTS, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
_STREAM_TEMPLATE = re.compile(r"wss?://stream[\w{}\-]*\.(?:bybit|bytick|bybitgeorgia|manepa)\b", re.IGNORECASE)


def hosts_in(text: str | None) -> list[str]:
    """Bybit REST / stream hosts named in a string (see pytest_bybit.facts)."""
    if not text:
        return []
    return [m.group(1).lower() for m in _ANY_HOST.finditer(text)]


def stream_host_in(text: str | None) -> bool:
    if not text:
        return False
    if any(h in facts.ALL_STREAM_HOSTS for h in hosts_in(text)):
        return True
    return bool(_STREAM_TEMPLATE.search(text))


def is_main_guard(node: cst.If) -> bool:
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


def is_log_call(call: cst.Call) -> bool:
    """print(...), logger.info(...), logging.warning(...), click.echo(...), warnings.warn(...)."""
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
class Binding:
    """One assignment of ``value`` to a name, and the statement that does it."""

    value: cst.BaseExpression
    statement: cst.CSTNode
    target: cst.CSTNode


class ModuleIndex:
    """One walk over a module: parents, scopes, and the nodes these rule families read.

    Maps are keyed by ``id(node)`` (LibCST hashes nodes in Python, which is slow), and the
    nodes are grouped by scope so per-function analyses never rescan the whole module.
    """

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.imports = Imports()
        self.parents: dict[int, cst.CSTNode] = {}
        self.scopes: dict[int, cst.CSTNode] = {}  # id(node) -> enclosing FunctionDef / Lambda / Module
        self.owners: dict[int, cst.CSTNode] = {}  # id(assignment) -> FunctionDef / Lambda / ClassDef / Module
        self.calls: list[cst.Call] = []
        self.strings: list[cst.BaseExpression] = []  # outermost string nodes
        self.dicts: list[cst.Dict] = []
        self.functions: list[cst.FunctionDef] = []
        self.by_name: dict[str, list[cst.FunctionDef]] = {}
        self.lambdas: dict[str, cst.Lambda] = {}
        self.assign_statements: list[cst.CSTNode] = []
        self.params: list[cst.Param] = []
        self.loops: list[cst.CSTNode] = []
        self.main_guards: set[int] = set()
        self._by_scope: dict[tuple[str, int], list[cst.CSTNode]] = {}
        self._bindings: dict[int, dict[str, list[Binding]]] | None = None
        self._attr_bindings: dict[str, list[Binding]] | None = None
        self._build()

    def _build(self) -> None:
        module = self.module
        parents, scopes = self.parents, self.scopes
        by_scope = self._by_scope
        stack: list[tuple[cst.CSTNode, cst.CSTNode, cst.CSTNode]] = [(module, module, module)]
        while stack:
            node, scope, owner = stack.pop()
            kind = None
            if isinstance(node, cst.Call):
                self.calls.append(node)
                kind = "call"
            elif isinstance(node, STRING_NODES):
                if not isinstance(parents.get(id(node)), cst.ConcatenatedString):
                    self.strings.append(node)
                    kind = "string"
            elif isinstance(node, cst.Dict):
                self.dicts.append(node)
                kind = "dict"
            elif isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
                self.assign_statements.append(node)
                self.owners[id(node)] = owner
                kind = "assign"
            elif isinstance(node, cst.FunctionDef):
                self.functions.append(node)
                self.by_name.setdefault(node.name.value, []).append(node)
            elif isinstance(node, cst.Param):
                self.params.append(node)
            elif isinstance(node, (cst.While, cst.For)):
                self.loops.append(node)
            elif isinstance(node, cst.If) and is_main_guard(node):
                self.main_guards.add(id(node))
            elif isinstance(node, (cst.Import, cst.ImportFrom)):
                _add_import(self.imports, node)
            if kind is not None:
                scopes[id(node)] = scope
                by_scope.setdefault((kind, id(scope)), []).append(node)
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                child_scope = child_owner = node
            elif isinstance(node, cst.ClassDef):
                child_scope, child_owner = scope, node
            else:
                child_scope, child_owner = scope, owner
            children = kids(node)
            for child in children:
                parents[id(child)] = node
            stack.extend((child, child_scope, child_owner) for child in reversed(children))
        for stmt in self.assign_statements:
            if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Lambda):
                for target in stmt.targets:
                    if isinstance(target.target, cst.Name):
                        self.lambdas[target.target.value] = stmt.value

    # -- structure ---------------------------------------------------------------------
    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parents = self.parents
        current = parents.get(id(node))
        while current is not None:
            yield current
            current = parents.get(id(current))

    def in_scope(self, kind: str, scope: cst.CSTNode) -> list[cst.CSTNode]:
        """The calls / dicts / strings / assignments directly in ``scope``."""
        return self._by_scope.get((kind, id(scope)), [])

    def scope_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The enclosing function (or lambda), else the module."""
        known = self.scopes.get(id(node))
        if known is not None:
            return known
        for anc in self.ancestors(node):
            if isinstance(anc, SCOPE_NODES):
                return anc
        return self.module

    def function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        for anc in self.ancestors(node):
            if isinstance(anc, cst.FunctionDef):
                return anc
        return None

    def class_of(self, node: cst.CSTNode) -> cst.ClassDef | None:
        for anc in self.ancestors(node):
            if isinstance(anc, cst.ClassDef):
                return anc
        return None

    def in_main_guard(self, node: cst.CSTNode) -> bool:
        if not self.main_guards:
            return False
        return any(id(anc) in self.main_guards for anc in self.ancestors(node))

    # -- imports -----------------------------------------------------------------------
    def qualified(self, call_or_expr: cst.CSTNode) -> str | None:
        expr = call_or_expr.func if isinstance(call_or_expr, cst.Call) else call_or_expr
        return self.imports.resolve(dotted_name(expr))

    def is_pybit_constructor(self, call: cst.Call, kinds: frozenset[str] = PYBIT_HTTP | PYBIT_WS) -> bool:
        name = self.qualified(call)
        return bool(name and name.startswith("pybit.") and name.rsplit(".", 1)[-1] in kinds)

    def is_ccxt_constructor(self, call: cst.Call) -> bool:
        """``ccxt.bybit({...})``, ``ccxt.async_support.bybit(...)``, ``ccxtpro.bybit(...)``,
        ``getattr(ccxt, name)({...})``."""
        name = self.qualified(call)
        if name and (name.startswith("ccxt.") or name.startswith("ccxtpro.")):
            return name.rsplit(".", 1)[-1][:1].islower()
        func = call.func
        if isinstance(func, cst.Call) and dotted_name(func.func) == "getattr" and func.args:
            target = self.imports.resolve(dotted_name(func.args[0].value))
            return bool(target and target.startswith(("ccxt", "ccxtpro")))
        return False

    # -- bindings ----------------------------------------------------------------------
    def bindings(self, scope: cst.CSTNode) -> dict[str, list[Binding]]:
        """Assignments directly in ``scope`` (a function, lambda, class or the module), by
        dotted target name, in source order; nested functions and classes excluded."""
        if self._bindings is None:
            table: dict[int, dict[str, list[Binding]]] = {}
            for stmt in self.assign_statements:
                owner = self.owners[id(stmt)]
                for target, value in _targets(stmt):
                    name = dotted_name(target)
                    if name is not None:
                        table.setdefault(id(owner), {}).setdefault(name, []).append(Binding(value, stmt, target))
            self._bindings = table
        return self._bindings.get(id(scope), {})

    def attr_bindings(self) -> dict[str, list[Binding]]:
        """``self.x = ...`` anywhere in the module and class-level ``x = ...``, by ``x``."""
        if self._attr_bindings is None:
            out: dict[str, list[Binding]] = {}
            for stmt in self.assign_statements:
                owner = self.owners[id(stmt)]
                for target, value in _targets(stmt):
                    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value in ("self", "cls"):
                        out.setdefault(target.attr.value, []).append(Binding(value, stmt, target))
                    elif isinstance(owner, cst.ClassDef) and isinstance(target, cst.Name):
                        out.setdefault(target.value, []).append(Binding(value, stmt, target))
            self._attr_bindings = out
        return self._attr_bindings

    def resolve(self, expr: cst.CSTNode, at: cst.CSTNode | None = None) -> list[Binding]:
        """Where a Name / ``self.attr`` / ``Class.attr`` read at ``at`` may come from:
        the enclosing function's assignments first, then the outer ones, then the module's."""
        at = at or expr
        if isinstance(expr, cst.Name):
            scope = self.scope_of(at)
            while True:
                found = self.bindings(scope).get(expr.value)
                if found:
                    return found
                if scope is self.module:
                    return []
                scope = self.scope_of(scope)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            owner = expr.value.value
            if owner in ("self", "cls") or owner[:1].isupper():
                return self.attr_bindings().get(expr.attr.value, [])
        return []

    def local_function(self, call: cst.Call) -> cst.FunctionDef | cst.Lambda | None:
        """The module's own function or method a call goes to (``f()``, ``self.f()``, ``cls.f()``)."""
        func = call.func
        name = None
        if isinstance(func, cst.Name):
            name = func.value
            if name in self.lambdas and name not in self.by_name:
                return self.lambdas[name]
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and (
            func.value.value in ("self", "cls") or func.value.value[:1].isupper()
        ):
            name = func.attr.value
        if name is None:
            return None
        found = self.by_name.get(name)
        return found[0] if found else None


def _add_import(imports: Imports, node: cst.Import | cst.ImportFrom) -> None:
    """The same aliases as analysis.collect_imports, gathered during the index walk."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                imports.aliases[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                imports.aliases.setdefault(head, head)
                imports.aliases[full] = full
        return
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return
    base = dotted_name(node.module) or ""
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
        imports.aliases[local] = f"{base}.{name}"


def _targets(stmt: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, cst.BaseExpression]]:
    if isinstance(stmt, cst.Assign):
        for target in stmt.targets:
            yield target.target, stmt.value
    elif isinstance(stmt, cst.AnnAssign):
        if stmt.value is not None:
            yield stmt.target, stmt.value
    elif isinstance(stmt, cst.AugAssign):
        op = {
            cst.AddAssign: cst.Add,
            cst.SubtractAssign: cst.Subtract,
            cst.MultiplyAssign: cst.Multiply,
            cst.DivideAssign: cst.Divide,
            cst.FloorDivideAssign: cst.FloorDivide,
        }.get(type(stmt.operator))
        if op is not None:
            yield stmt.target, cst.BinaryOperation(left=stmt.target, operator=op(), right=stmt.value)
    elif isinstance(stmt, cst.NamedExpr):
        yield stmt.target, stmt.value


_LOCAL = threading.local()


def module_index(module: cst.Module) -> ModuleIndex:
    """The index of ``module`` (built once, shared by every rule of the three families:
    the engine visits one module with every rule before it parses the next)."""
    cached = getattr(_LOCAL, "index", None)
    if cached is not None and cached.module is module:
        return cached
    idx = ModuleIndex(module)
    _LOCAL.index = idx
    return idx


def text_of(node: cst.CSTNode | None) -> str | None:
    """String text with f-string holes as ``{}`` (see analysis.string_prefix_text)."""
    return string_prefix_text(node)


def names_in(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every Name and Attribute read under ``node`` (not descending into nested functions)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            yield current
        if isinstance(current, (cst.FunctionDef, cst.Lambda)) and current is not node:
            continue
        stack.extend(kids(current))


def replace_number(node: cst.CSTNode, value: float | int) -> cst.CSTNode:
    """A literal like ``node`` (int, float or numeric string) holding ``value``."""
    if isinstance(node, cst.SimpleString):
        quote = node.quote
        prefix = node.prefix
        return node.with_changes(value=f"{prefix}{quote}{_fmt(value)}{quote}")
    if isinstance(node, cst.Float):
        return node.with_changes(value=repr(float(value)))
    if isinstance(node, cst.Integer):
        return node.with_changes(value=_fmt(value))
    return cst.Integer(_fmt(value))


def _fmt(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
