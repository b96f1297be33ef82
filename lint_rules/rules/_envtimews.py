"""Helpers shared by the environment (3xx), time (4xx) and websocket (5xx) rule families.

One walk per module builds a parent map and the lists of nodes these rules look at; the
rules of the three families share it (a one-entry cache keyed by the module object: the
engine visits one module with every rule before it parses the next).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from pytest_bybit import facts

from ..analysis import STRING_NODES, Imports, dotted_name, is_main_guard, per_module
from ..syntax import ParentMap, child_nodes, walk

SCOPE_NODES = (cst.FunctionDef, cst.Lambda)

#: pybit constructors, by their last name (resolved through imports to ``pybit.*``).
PYBIT_HTTP = frozenset({"HTTP"})
PYBIT_WS = frozenset({"WebSocket", "WebSocketTrading", "WebsocketSpreadTrading"})


def norm(identifier: str) -> str:
    """``API_SECRET`` / ``apiSecret`` / ``X-BAPI-API-KEY`` -> ``apisecret`` / ``xbapiapikey``."""
    return re.sub(r"[^a-z0-9]", "", identifier.lower())


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


_STRING_TYPES = frozenset(STRING_NODES)
_ASSIGN_TYPES = frozenset({cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr})
#: The node types the index records or that open a scope: every other node (names,
#: attributes, arguments, operators... most of a tree) only has its parent noted.
_INDEXED_TYPES = _STRING_TYPES | _ASSIGN_TYPES | {
    cst.Call, cst.Dict, cst.FunctionDef, cst.Param, cst.While, cst.For, cst.If, cst.Import,
    cst.ImportFrom, cst.Lambda, cst.ClassDef,
}


@dataclass
class Binding:
    """One assignment of ``value`` to a name, and the statement that does it."""

    value: cst.BaseExpression
    statement: cst.CSTNode
    target: cst.CSTNode


class ModuleIndex(ParentMap):
    """One walk over a module: parents, scopes, and the nodes these rule families read.

    Maps are keyed by ``id(node)`` (LibCST hashes nodes in Python, which is slow), and the
    nodes are grouped by scope so per-function analyses never rescan the whole module.
    """

    def __init__(self, module: cst.Module) -> None:
        super().__init__()  # the parents are recorded by the walk below
        self.module = module
        self.imports = Imports()
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
        parents, scopes, owners = self.parents, self.scopes, self.owners
        by_scope = self._by_scope
        calls, strings, dicts, assigns = self.calls, self.strings, self.dicts, self.assign_statements
        stack: list[tuple[cst.CSTNode, cst.CSTNode, cst.CSTNode]] = [(module, module, module)]
        indexed = _INDEXED_TYPES
        while stack:
            node, scope, owner = stack.pop()
            t = type(node)  # exact types: isinstance on LibCST's ABCs is slow
            if t not in indexed:
                children = child_nodes(node)
                if children:
                    for child in children:
                        parents[id(child)] = node
                    children.reverse()
                    stack.extend([(child, scope, owner) for child in children])
                continue
            kind = None
            if t is cst.Call:
                calls.append(node)
                kind = "call"
            elif t in _STRING_TYPES:
                if type(parents.get(id(node))) is not cst.ConcatenatedString:
                    strings.append(node)
                    kind = "string"
            elif t is cst.Dict:
                dicts.append(node)
                kind = "dict"
            elif t in _ASSIGN_TYPES:
                assigns.append(node)
                owners[id(node)] = owner
                kind = "assign"
            elif t is cst.FunctionDef:
                self.functions.append(node)
                self.by_name.setdefault(node.name.value, []).append(node)
            elif t is cst.Param:
                self.params.append(node)
            elif t is cst.While or t is cst.For:
                self.loops.append(node)
            elif t is cst.If:
                if is_main_guard(node):
                    self.main_guards.add(id(node))
            elif t is cst.Import or t is cst.ImportFrom:
                self.imports.add(node)
            if kind is not None:
                scopes[id(node)] = scope
                key = (kind, id(scope))
                found = by_scope.get(key)
                if found is None:
                    by_scope[key] = [node]
                else:
                    found.append(node)
            if t is cst.FunctionDef or t is cst.Lambda:
                child_scope = child_owner = node
            elif t is cst.ClassDef:
                child_scope, child_owner = scope, node
            else:
                child_scope, child_owner = scope, owner
            children = child_nodes(node)
            if children:
                for child in children:
                    parents[id(child)] = node
                children.reverse()
                stack.extend([(child, child_scope, child_owner) for child in children])
        for stmt in assigns:
            if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Lambda):
                for target in stmt.targets:
                    if isinstance(target.target, cst.Name):
                        self.lambdas[target.target.value] = stmt.value

    # -- structure ---------------------------------------------------------------------
    def in_scope(self, kind: str, scope: cst.CSTNode) -> list[cst.CSTNode]:
        """The calls / dicts / strings / assignments directly in ``scope``."""
        return self._by_scope.get((kind, id(scope)), [])

    def scope_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The enclosing function (or lambda), else the module."""
        known = self.scopes.get(id(node))
        if known is not None:
            return known
        return self.enclosing(node, SCOPE_NODES) or self.module

    def function_of(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        return self.enclosing(node, cst.FunctionDef)

    def class_of(self, node: cst.CSTNode) -> cst.ClassDef | None:
        return self.enclosing(node, cst.ClassDef)

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


@per_module
def module_index(module: cst.Module) -> ModuleIndex:
    """The index of ``module``, shared by every rule of the three families."""
    return ModuleIndex(module)


def names_in(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every Name and Attribute read under ``node`` (not descending into nested functions)."""
    for current in walk(node, prune=(cst.FunctionDef, cst.Lambda)):
        if type(current) is cst.Name or type(current) is cst.Attribute:
            yield current


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
