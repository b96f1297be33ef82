"""What kind of number an expression holds, following locals and small helpers.

The precision rules (BYB1xx) ask one question many times: "is this value a float?" (or a
Decimal, or a string made from a float). The answer comes from the expression itself, the
assignment of a local variable that reaches it (the last one before the use, in the same
function), module constants, and the ``return`` values of small helpers in the same module
(``def calc_qty(...)``, ``self._qty(...)``). Nothing is guessed from names: an unknown value
(a parameter, a response field) stays unknown and is never reported.

The facts all of this reads (imports, functions and classes, every binding of every
scope, the source order of the nodes) come from one walk over the module, shared by the
BYB1xx rules of a run (``flow_facts``); each rule keeps its own ``Flow`` on top of them,
so what one rule asks never changes what another is told.

Not public API: the leading underscore keeps this module out of rule discovery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from ..analysis import Imports, call_name, dotted_name, per_module, returned_values, string_value, subscript_key
from ..syntax import child_nodes

Scope = cst.CSTNode  # a FunctionDef or the Module
#: Where a node stands in the source: its index in a pre-order walk of the module. A
#: binding is visible from the index just past its statement's last node, so comparing
#: these orders uses and bindings as their line and column would, without computing any.
Pos = int


@dataclass(frozen=True)
class Kind:
    """The kind of value: float, decimal, int, str, str_float (``str()`` of a float),
    rounded (``round(x, n)``: a float, but BYB103's business) or unknown."""

    kind: str
    reason: str = ""

    @property
    def is_float(self) -> bool:
        return self.kind == "float"


UNKNOWN = Kind("unknown")
INT = Kind("int")
STR = Kind("str")
DECIMAL = Kind("decimal")

DECIMAL_METHODS = frozenset(
    {"quantize", "normalize", "to_integral_value", "to_integral", "to_integral_exact", "scaleb", "copy_abs", "copy_negate"}
)
FLOAT_MATH = frozenset({"sqrt", "fsum", "log", "log10", "log2", "exp", "pow", "fabs", "fmod", "hypot", "copysign"})
INT_MATH = frozenset({"floor", "ceil", "trunc", "isqrt", "comb", "perm", "factorial"})


@dataclass
class Binding:
    end: Pos  # the value is visible to uses starting at or after this position
    value: cst.BaseExpression | None  # None: bound by something we do not follow (for, with, import)
    op: cst.BaseAugOp | None = None  # for ``x += v``
    start: Pos = 0


class _Binder:
    """Every binding of each name (dotted for ``self.x``) in one scope, nested scopes excluded."""

    def __init__(self, unplaced: list[tuple[Binding, cst.CSTNode]]) -> None:
        # the bindings the walk has yet to place, shared with ``FlowFacts``: the list, not
        # the facts, so that the facts and their binders form no reference cycle
        self.unplaced = unplaced
        self.binds: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()

    def placed(self, binding: Binding, stmt: cst.CSTNode) -> Binding:
        """``binding``, to be given the place of ``stmt`` once the walk has numbered it."""
        self.unplaced.append((binding, stmt))
        return binding

    def _bind(self, target: cst.CSTNode, value: cst.BaseExpression | None, stmt: cst.CSTNode) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            values: list[cst.BaseExpression | None]
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements):
                values = [e.value for e in value.elements]
            else:
                values = [None] * len(target.elements)
            for element, inner in zip(target.elements, values):
                inner_target = element.value
                if isinstance(inner_target, cst.StarredElement):  # pragma: no cover - defensive
                    inner_target = inner_target.value
                self._bind(inner_target, None if isinstance(element, cst.StarredElement) else inner, stmt)
            return
        if isinstance(target, cst.StarredElement):
            self._bind(target.value, None, stmt)
            return
        name = dotted_name(target)
        if name is None:
            return
        self.binds.setdefault(name, []).append(self.placed(Binding(end=0, value=value), stmt))

    # nested scopes bind for themselves (their names still shadow: record them as opaque)
    def bind_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name, None, node)

    def bind_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name, None, node)

    def bind_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value, node)

    def bind_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, node)

    def bind_AugAssign(self, node: cst.AugAssign) -> None:
        name = dotted_name(node.target)
        if name is not None:
            self.binds.setdefault(name, []).append(
                self.placed(Binding(end=0, value=node.value, op=node.operator), node)
            )

    def bind_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value, node)

    def bind_For(self, node: cst.For) -> None:
        self._bind(node.target, None, node.target)

    def bind_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None, node.asname)

    def bind_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name, None, node.name)

    def bind_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            target = alias.asname.name if alias.asname else alias.name
            while isinstance(target, cst.Attribute):
                target = target.value
            self._bind(target, None, node)

    def bind_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._bind(alias.asname.name if alias.asname else alias.name, None, node)

    def bind_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.globals.add(item.name.value)

    bind_Nonlocal = bind_Global


_BINDERS = {
    cls: getattr(_Binder, f"bind_{cls.__name__}")
    for cls in (
        cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.WithItem,
        cst.ExceptHandler, cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal,
    )
}


class _ScopeMap:
    """Functions and classes of a module: parents, owning classes, methods by name."""

    def __init__(self, module: cst.Module) -> None:
        self.stack: list[cst.CSTNode] = [module]
        self.parent: dict[int, cst.CSTNode] = {}
        self.owner_class: dict[int, str | None] = {}
        self.module_funcs: dict[str, cst.FunctionDef] = {}
        self.methods: dict[str, dict[str, cst.FunctionDef]] = {}
        self.all_functions: list[cst.FunctionDef] = []

    def enter_class(self, node: cst.ClassDef) -> None:
        self.stack.append(node)

    def enter_function(self, node: cst.FunctionDef) -> None:
        container = self.stack[-1]
        # a method's scope parent is the enclosing function or module, not the class
        scope_parent = next(s for s in reversed(self.stack) if not isinstance(s, cst.ClassDef))
        self.parent[id(node)] = scope_parent
        self.all_functions.append(node)
        if isinstance(container, cst.ClassDef):
            cls = container.name.value
            self.owner_class[id(node)] = cls
            self.methods.setdefault(cls, {}).setdefault(node.name.value, node)
        else:
            self.owner_class[id(node)] = self.owner_class.get(id(container)) if isinstance(container, cst.FunctionDef) else None
            if isinstance(container, cst.Module):
                self.module_funcs.setdefault(node.name.value, node)
        self.stack.append(node)

    def leave(self) -> None:
        self.stack.pop()


class FlowFacts:
    """What one walk over a module tells: imports, functions and classes, the bindings of
    every scope (the module, each function and each class), and the source order of nodes.

    Statements bind in the function, class or module that holds them; names bound in a
    lambda or comprehension count as their enclosing function's.
    """

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.imports = Imports()
        self.scopes = _ScopeMap(module)
        self.binders: dict[int, _Binder] = {}
        self.order: dict[int, int] = {}  # id(node) -> pre-order index
        self._returns: dict[int, list[cst.BaseExpression]] = {}
        self._unplaced: list[tuple[Binding, cst.CSTNode]] = []
        self._walk(module)
        for binding, stmt in self._unplaced:  # the walk has numbered every node now
            binding.start, binding.end = self.start(stmt), self.end(stmt)
        self._unplaced.clear()

    def binder(self, scope: cst.CSTNode) -> _Binder:
        found = self.binders.get(id(scope))
        if found is None:
            found = self.binders[id(scope)] = _Binder(self._unplaced)
        return found

    def _walk(self, module: cst.Module) -> None:
        order, scopes, binder = self.order, self.scopes, self.binder
        binding_scopes: list[cst.CSTNode] = [module]
        index = 0
        stack: list[cst.CSTNode | None] = [module]
        while stack:
            node = stack.pop()
            if node is None:  # leaving a function or class
                binding_scopes.pop()
                scopes.leave()
                continue
            order[id(node)] = index
            index += 1
            kind = type(node)
            bind = _BINDERS.get(kind)
            if bind is not None:
                if kind is cst.Import or kind is cst.ImportFrom:
                    self.imports.add(node)
                bind(binder(binding_scopes[-1]), node)
            elif kind is cst.FunctionDef or kind is cst.ClassDef:
                owner = binder(binding_scopes[-1])
                if kind is cst.FunctionDef:
                    owner.bind_FunctionDef(node)
                    scopes.enter_function(node)
                else:
                    owner.bind_ClassDef(node)
                    scopes.enter_class(node)
                binding_scopes.append(node)
                stack.append(None)
            children = child_nodes(node)
            if children:
                children.reverse()
                stack.extend(children)

    def start(self, node: cst.CSTNode) -> Pos:
        return self.order[id(node)]

    def end(self, node: cst.CSTNode) -> Pos:
        """Just past the node's last descendant: where a binding it makes becomes visible."""
        last = node
        while True:
            children = child_nodes(last)
            if not children:
                return self.order[id(last)] + 1
            last = children[-1]

    def returned(self, func: cst.FunctionDef) -> list[cst.BaseExpression]:
        cached = self._returns.get(id(func))
        if cached is None:
            cached = self._returns[id(func)] = returned_values(func)
        return cached


@per_module
def flow_facts(module: cst.Module) -> FlowFacts:
    """The module's facts, shared by the BYB1xx rules of a run."""
    return FlowFacts(module)


def annotation_kind(node: cst.CSTNode | None, imports: Imports | None = None) -> str | None:
    """``float``, ``Optional[float]``, ``float | None``, ``"float"`` -> "float"; Decimal alike
    (the LibCST twin of ``project.annotation_kind``)."""
    kind = type(node)
    if kind is cst.BinaryOperation and type(node.operator) is cst.BitOr:
        kinds = {annotation_kind(node.left, imports), annotation_kind(node.right, imports)} - {None, "none"}
        return kinds.pop() if len(kinds) == 1 else None
    if kind is cst.Subscript:
        base = dotted_name(node.value)
        if base in ("Optional", "typing.Optional", "Union", "typing.Union"):
            kinds = {
                annotation_kind(el.slice.value, imports) for el in node.slice if isinstance(el.slice, cst.Index)
            } - {None, "none"}
            return kinds.pop() if len(kinds) == 1 else None
        return None
    if kind is cst.SimpleString:
        text = (string_value(node) or "").replace(" ", "")
        if text in ("float", "Optional[float]", "float|None", "None|float"):
            return "float"
        return "decimal" if text in ("Decimal", "decimal.Decimal") else None
    name = dotted_name(node)
    if name == "None":
        return "none"
    if name == "float":
        return "float"
    if name in ("Decimal", "decimal.Decimal") or (name and imports is not None and imports.resolve(name) == "decimal.Decimal"):
        return "decimal"
    return None


def param_names(func: cst.FunctionDef) -> dict[str, cst.Param]:
    p = func.params
    out: dict[str, cst.Param] = {}
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        out[param.name.value] = param
    for star in (p.star_arg, p.star_kwarg):
        if isinstance(star, cst.Param):
            out[star.name.value] = star
    return out


def positional_params(func: cst.FunctionDef, is_method: bool) -> list[str]:
    names = [param.name.value for param in (*func.params.posonly_params, *func.params.params)]
    if is_method and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


class Flow:
    """One rule's value-flow answers over a module's facts, computed lazily and cached."""

    def __init__(self, facts: FlowFacts, context: Any = None) -> None:
        self.facts = facts
        self.context = context  # the rule's context: the project the module belongs to
        self.module = facts.module
        self.imports: Imports = facts.imports
        self.scopes = facts.scopes
        self._kinds: dict[int, Kind] = {}
        self._in_progress: set[int] = set()

    @property
    def uses_decimal(self) -> bool:
        """``a / b`` of two unknown values may be Decimal division in a module using decimal."""
        return self.imports.uses("decimal")

    # -- scopes and bindings -----------------------------------------------------------
    def binder(self, scope: Scope) -> _Binder:
        return self.facts.binder(scope)

    def parent_scope(self, scope: Scope) -> Scope | None:
        if isinstance(scope, cst.Module):
            return None
        return self.scopes.parent.get(id(scope), self.module)

    def class_of(self, scope: Scope) -> str | None:
        if isinstance(scope, cst.FunctionDef):
            return self.scopes.owner_class.get(id(scope))
        return None

    def start(self, node: cst.CSTNode) -> Pos:
        return self.facts.start(node)

    def reaching(self, name: str, scope: Scope, at: Pos | None) -> tuple[Scope, Binding] | None:
        """The binding of ``name`` visible at ``at`` (None: any time later, e.g. from a
        function body reading a module constant). Walks out through enclosing scopes."""
        current: Scope | None = scope
        while current is not None:
            binder = self.binder(current)
            head = name.split(".")[0]
            if head in binder.globals:
                current, at = self.module, None
                continue
            binds = binder.binds.get(name)
            if binds:
                if at is None:
                    return current, binds[-1]
                before = [b for b in binds if b.end <= at]
                if before:
                    return current, max(before, key=lambda b: b.end)
                if isinstance(current, cst.FunctionDef) and head in param_names(current):
                    return None
                return current, Binding(end=0, value=None)  # bound only later: unknown
            if isinstance(current, cst.FunctionDef) and head in param_names(current):
                return None
            current, at = self.parent_scope(current), None
        return None

    def param_of(self, name: str, scope: Scope) -> cst.Param | None:
        if isinstance(scope, cst.FunctionDef):
            return param_names(scope).get(name)
        return None

    # -- callees -----------------------------------------------------------------------
    def resolve_callee(self, call: cst.Call, scope: Scope) -> cst.FunctionDef | None:
        """A function or method of this module that ``call`` runs, if it can be told."""
        func = call.func
        if isinstance(func, cst.Name):
            found = self.reaching(func.value, scope, None)
            if found is not None and found[1].value is not None:
                return None  # a local variable holding something else
            return self.scopes.module_funcs.get(func.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            cls = self.class_of(scope)
            if cls is not None and func.attr.value in self.scopes.methods.get(cls, {}):
                return self.scopes.methods[cls][func.attr.value]
            owners = [m[func.attr.value] for m in self.scopes.methods.values() if func.attr.value in m]
            if len(owners) == 1:
                return owners[0]
        return None

    def returned(self, func: cst.FunctionDef) -> list[cst.BaseExpression]:
        return self.facts.returned(func)

    # -- kinds -------------------------------------------------------------------------
    def is_decimal_ctor(self, call: cst.Call) -> bool:
        name = call_name(call)
        if name is None:
            return False
        return name in ("Decimal", "decimal.Decimal") or self.imports.resolve(name) == "decimal.Decimal"

    def kind(self, expr: cst.CSTNode, scope: Scope) -> Kind:
        key = id(expr)
        cached = self._kinds.get(key)
        if cached is not None:
            return cached
        if key in self._in_progress:
            return UNKNOWN
        self._in_progress.add(key)
        try:
            result = self._kind(expr, scope)
        finally:
            self._in_progress.discard(key)
        self._kinds[key] = result
        return result

    def _kind(self, expr: cst.CSTNode, scope: Scope) -> Kind:
        if isinstance(expr, cst.Float):
            return Kind("float", "a float literal")
        if isinstance(expr, cst.Integer):
            return INT
        if isinstance(expr, cst.FormattedString):
            # f"{qty}" is str(qty)
            parts = expr.parts
            if (
                len(parts) == 1
                and isinstance(parts[0], cst.FormattedStringExpression)
                and not parts[0].format_spec
                and parts[0].conversion in (None, "s", "r")
            ):
                inner = self.kind(parts[0].expression, scope)
                if inner.is_float:
                    return Kind("str_float", f"an f-string of {inner.reason}")
            return STR
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            return STR
        if isinstance(expr, cst.UnaryOperation):
            if isinstance(expr.operator, cst.Not):
                return UNKNOWN
            return self.kind(expr.expression, scope)
        if isinstance(expr, cst.Await):
            return self.kind(expr.expression, scope)
        if isinstance(expr, cst.IfExp):
            return combine(self.kind(expr.body, scope), self.kind(expr.orelse, scope))
        if isinstance(expr, cst.BinaryOperation):
            return arithmetic(
                expr.operator, self.kind(expr.left, scope), self.kind(expr.right, scope), expr.right, self.uses_decimal
            )
        if isinstance(expr, cst.Call):
            return self._call_kind(expr, scope)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self._name_kind(expr, scope)
        if isinstance(expr, cst.Subscript):
            return self._subscript_kind(expr, scope)
        return UNKNOWN

    def _name_kind(self, expr: cst.Name | cst.Attribute, scope: Scope) -> Kind:
        name = dotted_name(expr)
        if name is None or name in ("True", "False", "None"):
            return UNKNOWN
        found = self.reaching(name, scope, self.start(expr))
        if found is None:
            param = self.param_of(name, scope)
            if param is not None and param.annotation is not None:
                ann = annotation_kind(param.annotation.annotation, self.imports)
                if ann == "decimal":
                    return DECIMAL
                if ann == "float":
                    # the author's own word: ``qty: float`` (or Optional[float], float | None)
                    return Kind("float", f"the float-typed parameter `{name}`")
            return UNKNOWN
        bscope, binding = found
        if binding.value is None:
            return UNKNOWN
        value = self.kind(binding.value, bscope)
        if binding.op is not None:
            previous = self.reaching(name, bscope, binding.start)
            prev_kind = UNKNOWN
            if previous is not None and previous[1].value is not None:
                prev_kind = self.kind_of_binding(name, previous[0], previous[1])
            op = _AUG_TO_BIN.get(type(binding.op))
            return arithmetic(op() if op else None, prev_kind, value, binding.value, self.uses_decimal)
        if value.is_float and value.reason == "a float literal":
            where = "a float constant" if bscope is self.module else "a float literal"
            return Kind("float", f"{where} (`{name} = {self.module.code_for_node(binding.value)}`)")
        return value

    def kind_of_binding(self, name: str, scope: Scope, binding: Binding) -> Kind:
        if binding.value is None:
            return UNKNOWN
        if binding.op is None:
            return self.kind(binding.value, scope)
        previous = self.reaching(name, scope, binding.start)
        prev_kind = UNKNOWN
        if previous is not None and previous[1] is not binding:
            prev_kind = self.kind_of_binding(name, previous[0], previous[1])
        op = _AUG_TO_BIN.get(type(binding.op))
        return arithmetic(op() if op else None, prev_kind, self.kind(binding.value, scope), binding.value, self.uses_decimal)

    def _subscript_kind(self, expr: cst.Subscript, scope: Scope) -> Kind:
        # ``TICK_SIZE[symbol]`` where TICK_SIZE is a literal table of floats
        table = self.literal_value(expr.value, scope)
        if isinstance(table, cst.Dict):
            key = subscript_key(expr)
            values = [e.value for e in table.elements if isinstance(e, cst.DictElement)]
            if key is not None:
                # ``predict["buy_price"]``: the entry itself, when the key is a literal
                values = [
                    e.value for e in table.elements if isinstance(e, cst.DictElement) and string_value(e.key) == key
                ] or values
        elif isinstance(table, (cst.List, cst.Tuple)):
            values = [e.value for e in table.elements if isinstance(e, cst.Element)]
        else:
            return UNKNOWN
        kinds = [self.kind(v, scope) for v in values]
        if kinds and all(k.kind in ("float", "int") for k in kinds) and any(k.is_float for k in kinds):
            return Kind("float", f"a float from the literal table `{dotted_name(expr.value)}`")
        return UNKNOWN

    def _float_converter(self, func: cst.FunctionDef) -> bool:
        """A helper that only turns its first parameter into a float (``_safe_float``):
        every return is ``float(<that parameter>)``, a parameter or a literal default."""
        params = list(param_names(func))
        if not params:
            return False
        first = params[1] if params[0] in ("self", "cls") and len(params) > 1 else params[0]
        returned = self.returned(func)
        converts = False
        for value in returned:
            if isinstance(value, cst.Call) and call_name(value) == "float" and len(value.args) == 1:
                if dotted_name(value.args[0].value) != first:
                    return False
                converts = True
            elif not (isinstance(value, (cst.Name, cst.Float, cst.Integer)) and (not isinstance(value, cst.Name) or value.value in params)):
                return False
        return converts

    def _exchange_field(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """A field read from a response (``data["execQty"]``, ``pos["size"]``,
        ``pos.get("size")``) whose key names an order quantity or price Bybit returned."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" and expr.args:
            key = string_value(expr.args[0].value) or ""
            source = (dotted_name(expr.func.value) or "").rsplit(".", 1)[-1].lower()
            return key in _EXCHANGE_FIELDS and not any(word in source for word in _NOT_RESPONSES)
        if not isinstance(expr, cst.Subscript):
            return False
        key = subscript_key(expr) or ""
        root = expr.value
        while isinstance(root, cst.Subscript):
            root = root.value
        source = (dotted_name(root) or "").rsplit(".", 1)[-1].lower()
        if any(word in source for word in _NOT_RESPONSES):
            return False  # a webhook alert or a config value: a number someone typed
        return key in _EXCHANGE_FIELDS and self.kind(expr, scope).kind == "unknown"

    def literal_value(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> cst.BaseExpression | None:
        """The literal a name stands for (through plain assignments), or the node itself."""
        if isinstance(expr, (cst.Name, cst.Attribute)) and depth < 5:
            name = dotted_name(expr)
            if name is None:
                return None
            found = self.reaching(name, scope, self.start(expr))
            if found is None or found[1].value is None or found[1].op is not None:
                return None
            return self.literal_value(found[1].value, found[0], depth + 1)
        return expr

    def _call_kind(self, call: cst.Call, scope: Scope) -> Kind:
        name = call_name(call)
        args = [a for a in call.args if a.keyword is None and not a.star]
        if name == "float":
            if args and (string_value(args[0].value) or "").strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
                return UNKNOWN  # float("inf") is exact: a sentinel, not a price
            if args and self._exchange_field(args[0].value, scope):
                # ``float(data["execQty"])``: Bybit's own decimal string, which ``str()``
                # gives back digit for digit
                return Kind("float_exact", "float() of a response field")
            return Kind("float", "float()")
        if name in ("int", "len"):
            return INT
        if name in ("str", "repr"):
            if args:
                inner = self.kind(args[0].value, scope)
                if inner.is_float:
                    return Kind("str_float", f"str() of {inner.reason}")
            return STR
        if name == "format":
            return STR
        if self.is_decimal_ctor(call):
            return DECIMAL
        if isinstance(call.func, cst.Attribute):
            attr = call.func.attr.value
            if attr in DECIMAL_METHODS:
                return DECIMAL
            if attr == "format" and isinstance(call.func.value, (cst.SimpleString, cst.ConcatenatedString)):
                return STR
        if name == "round":
            if len(call.args) < 2:
                return INT
            inner = self.kind(call.args[0].value, scope)
            if inner.kind == "decimal":
                return DECIMAL
            return Kind("rounded", "round()")
        if name in ("abs", "min", "max", "sum"):
            kinds = [self.kind(a.value, scope) for a in args]
            out = UNKNOWN
            for k in kinds:
                out = combine(out, k) if out is not UNKNOWN else k
            return out if out.kind in ("float", "float_param", "decimal", "int") else UNKNOWN
        resolved = self.imports.resolve(name) or name
        if resolved and resolved.startswith("math."):
            fn = resolved.split(".", 1)[1]
            if fn in INT_MATH:
                return INT
            if fn in FLOAT_MATH:
                return Kind("float", f"{name}()")
        callee = self.resolve_callee(call, scope)
        if callee is not None:
            if args and self._float_converter(callee) and self._exchange_field(args[0].value, scope):
                # ``_safe_float(pos.get("size"))``: float() of Bybit's own string, round-trips
                return Kind("float_exact", f"{callee.name.value}() of a response field")
            annotated = annotation_kind(callee.returns.annotation, self.imports) if callee.returns else None
            if annotated == "float":
                return Kind("float", f"{callee.name.value}() annotated `-> float`")
            kinds = [self.kind(v, callee) for v in self.returned(callee)]
            floats = [k for k in kinds if k.is_float or k.kind == "str_float"]
            if floats:
                k = floats[0]
                return Kind(k.kind, f"{callee.name.value}() returning {k.reason}")
            if kinds and all(k.kind == kinds[0].kind for k in kinds):
                return Kind(kinds[0].kind, kinds[0].reason)
            return UNKNOWN
        if self.context is not None and name:
            facts = self.context.project and self.context.project.function(self.context.filename, name)
            if facts and facts.get("returns") in ("float", "decimal"):
                kind = facts["returns"]
                return DECIMAL if kind == "decimal" else Kind("float", f"{name}() (another module of the project) returning a float")
        return UNKNOWN


#: Response fields that hold a quantity or price as Bybit's own decimal string.
_EXCHANGE_FIELDS = frozenset(
    {
        "execQty", "execPrice", "qty", "size", "price", "avgPrice", "cumExecQty", "leavesQty", "lastPrice",
        "markPrice", "entryPrice", "entry_price", "takeProfit", "stopLoss", "triggerPrice", "bid1Price", "ask1Price",
        "walletBalance", "availableToWithdraw",
    }
)

_NOT_RESPONSES = ("alert", "signal", "payload", "body", "request", "req", "webhook", "param", "arg", "cfg", "config", "setting")

_AUG_TO_BIN: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power,
}


def combine(a: Kind, b: Kind) -> Kind:
    """The kind of ``a if c else b``: a float if either branch is one."""
    for k in (a, b):
        if k.is_float:
            return k
    for k in (a, b):
        if k.kind == "str_float":
            return k
    if a.kind == b.kind:
        return a
    return UNKNOWN


def arithmetic(
    op: cst.BaseBinaryOp | None,
    left: Kind,
    right: Kind,
    right_node: cst.CSTNode | None = None,
    decimal_possible: bool = False,
) -> Kind:
    """The kind of ``left op right``. ``decimal_possible``: the module uses decimal, so two
    values of unknown kind may be Decimals and their ``/`` is not known to be a float."""
    kinds = {left.kind, right.kind}
    if "str" in kinds or "str_float" in kinds:
        return STR if isinstance(op, (cst.Add, cst.Modulo, cst.Multiply)) else UNKNOWN
    if "decimal" in kinds:
        return DECIMAL
    floaty = bool(kinds & {"float", "float_param", "float_exact", "rounded"})
    if isinstance(op, cst.Divide) and (floaty or not decimal_possible):
        return Kind("float", "float division (`/`)")
    if floaty:
        return Kind("float", "float arithmetic")
    if isinstance(op, cst.Power) and isinstance(right_node, cst.UnaryOperation) and isinstance(right_node.operator, cst.Minus):
        return Kind("float", "a negative power")
    if kinds == {"int"}:
        return INT
    return UNKNOWN


def float_literal_text(node: cst.CSTNode) -> str | None:
    """``"0.01"`` for a plain decimal float literal (no exponent, no sign), else None."""
    if isinstance(node, cst.Float):
        text = node.value.replace("_", "")
        head, dot, tail = text.partition(".")
        if dot and head.isdigit() and tail.isdigit():
            return text
    return None


__all__ = [
    "Binding",
    "DECIMAL",
    "Flow",
    "FlowFacts",
    "INT",
    "Kind",
    "STR",
    "UNKNOWN",
    "float_literal_text",
    "flow_facts",
    "param_names",
    "positional_params",
    "string_value",
]
