"""A tree linted as a project: one small JSON-able summary of facts per module, and a
resolver that follows the project's own imports between them.

Real bots spread the deciding value over modules: the clock helper lives in
``utils/clock.py``, the stream URL and the heartbeat in ``config.py``, the position size in
``sizer.py``, the 10006 handling in ``errors.py``. One module at a time, each of those is
an unknown, and a rule must then choose between a miss and a guess. The summary keeps what
the other modules need to know about a module (and nothing that needs its tree), so it is
cheap to build with CPython's own parser and cheap to cache per file content.

A summary is a plain dict (see ``summarize``):

``imports``   local name -> imported target (``utils.clock.time_ms``; relative imports keep
              their leading dots: ``.errors.raise_for_bybit``)
``constants`` module and class-level names bound to a literal (``WS_URL``, ``Config.heartbeat``)
``functions`` qualified name -> facts: ``params`` (parameter -> value kind from its
              annotation), ``returns`` (value kind: float, decimal, int, str, local_ms,
              server_ms), ``bybit`` (reaches Bybit), ``endpoints`` (paths it names),
              ``rate_limit`` (handles 10006 / 403 / 429 or waits on a limiter),
              ``retcode`` (reads retCode), ``retries`` (loops or decorators that retry)
``config``    whether the module reads configuration (environment, settings files, CLI)
``role``      ``bot`` (runs forever), ``script`` (one shot) or ``library``
``chain``     only in a file with a chain of calls too long to lint: [length, line] (``deep_code``)
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable, Iterator, Mapping

from .deep_code import MAX_CHAIN, chain_step

#: Bumped whenever the shape or meaning of a summary changes (cached summaries of another
#: version are rebuilt).
SUMMARY_VERSION = 1

_SCRIPT_MAX_DEFS = 6
_FLOAT_NAMES = frozenset({"float"})
_DECIMAL_NAMES = frozenset({"Decimal", "decimal.Decimal"})
_RATE_WORDS = ("10006", "10018", "retry-after", "retry_after", "x-bapi-limit", "ratelimit", "rate_limit", "too many")
_RATE_STATUSES = frozenset({403, 429, 10006, 10018})
_LIMITER_NAME = re.compile(r"limit|throttl|bucket|semaphore", re.I)
_PATH = re.compile(r"^/(?:v5|v2|v3|open-api|spot|private|public|contract|derivatives|unified|asset|user)(?:/[\w\-{}]*)+")
_CONFIG_CALLS = frozenset(
    {
        "os.getenv", "os.environ.get", "getenv", "environ.get", "load_dotenv", "dotenv_values", "json.load",
        "yaml.safe_load", "toml.load", "tomllib.load", "configparser.ConfigParser", "argparse.ArgumentParser",
        "decouple.config", "config",
    }
)


# --------------------------------------------------------------------------------------
# value kinds


def annotation_kind(node: ast.expr | None) -> str | None:
    """``float``, ``Optional[float]``, ``float | None``, ``"float"`` -> "float"; Decimal alike."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        kinds = {annotation_kind(node.left), annotation_kind(node.right)} - {None, "none"}
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(node, ast.Subscript) and _dotted(node.value) in ("Optional", "typing.Optional"):
        return annotation_kind(node.slice)
    if isinstance(node, ast.Subscript) and _dotted(node.value) in ("Union", "typing.Union"):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        kinds = {annotation_kind(i) for i in items} - {None, "none"}
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(node, ast.Constant) and node.value is None:
        return "none"
    name = _dotted(node)
    if name in _FLOAT_NAMES:
        return "float"
    if name in _DECIMAL_NAMES:
        return "decimal"
    if name in ("int", "str", "bool"):
        return name
    return None


def _dotted(node: ast.AST | None) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_local_clock(node: ast.AST) -> bool:
    """``time.time()``, ``time.time_ns()``, ``datetime.now().timestamp()`` and alike."""
    for sub in ast.walk(node):
        if type(sub) is ast.Call:
            func = sub.func
            name = _dotted(func) or ""
            if name in ("time.time", "time", "time.time_ns", "time_ns", "time.monotonic"):
                return True
            if isinstance(func, ast.Attribute) and func.attr == "timestamp" and isinstance(func.value, ast.Call):
                inner = _dotted(func.value.func) or ""
                if inner.endswith(("now", "utcnow", "today")):
                    return True
    return False


def _mentions_offset(node: ast.AST) -> bool:
    text = ast.unparse(node).lower()
    return any(w in text for w in ("offset", "server", "time_diff", "timedelta_ms", "delta", "drift", "skew"))


class _Returns:
    """What a function returns, from its annotation and its own ``return`` statements."""

    def __init__(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef, local_kinds: Mapping[str, str], nodes: list[ast.AST] | None = None
    ) -> None:
        self.func = func
        self.local_kinds = local_kinds
        self.nodes = nodes

    def kind(self) -> str | None:
        annotated = annotation_kind(self.func.returns)
        nodes = self.nodes if self.nodes is not None else list(_own_nodes(self.func))
        values = [n.value for n in nodes if type(n) is ast.Return and n.value is not None]
        clocks = [v for v in values if _is_local_clock(v) or self._assigned_clock(v)]
        if clocks and any(self._scaled_to_ms(v) for v in values):
            return "server_ms" if any(_mentions_offset(v) for v in values) else "local_ms"
        if annotated in ("float", "decimal"):
            return annotated
        kinds = {self.expr_kind(v) for v in values}
        if kinds == {"float"}:
            return "float"
        if kinds == {"decimal"}:
            return "decimal"
        return annotated if annotated in ("int", "str") else None

    def _assigned_clock(self, value: ast.AST) -> bool:
        if not isinstance(value, ast.Name) and not (isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Name)):
            return False
        name = value.id if isinstance(value, ast.Name) else value.args[0].id
        return self.local_kinds.get(name) == "clock"

    def _scaled_to_ms(self, value: ast.AST) -> bool:
        text = ast.unparse(value)
        if "1000" in text or "1_000" in text or "10 ** 6" in text or "1e3" in text or "1e6" in text or "time_ns" in text:
            return True
        if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Name):
            return self.local_kinds.get(value.args[0].id + ":ms") == "yes"
        if isinstance(value, ast.Name):
            return self.local_kinds.get(value.id + ":ms") == "yes"
        return False

    def expr_kind(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            return "float"
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name == "float":
                return "float"
            if name in _DECIMAL_NAMES:
                return "decimal"
            if name == "round" and len(node.args) == 2:
                return "float"
            return None
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return "float"
            left, right = self.expr_kind(node.left), self.expr_kind(node.right)
            if "decimal" in (left, right):
                return "decimal"
            if "float" in (left, right):
                return "float"
            return None
        if isinstance(node, ast.Name):
            return self.local_kinds.get(node.id)
        return None


_FRAMES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LEAVES = (ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del)


def _children(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
    return out


def _own_nodes(func: ast.AST) -> Iterable[ast.AST]:
    """The nodes of a function body, nested functions and classes left out."""
    stack = [n for n in func.body] + list(func.decorator_list) if hasattr(func, "body") else _children(func)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _FRAMES) or isinstance(node, _LEAVES):
            continue
        stack.extend(_children(node))


# --------------------------------------------------------------------------------------
# one module


def _literal(node: ast.AST | None) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
        return "".join(str(p) for p in parts)
    return None


#: Methods that send an order to Bybit (pybit V5 and the older usdt_perpetual / inverse
#: clients) and the fields that carry its numbers.
_ORDER_METHODS = frozenset(
    {
        "place_order", "amend_order", "set_trading_stop", "place_batch_order", "amend_batch_order",
        "place_active_order", "replace_active_order", "place_conditional_order", "replace_conditional_order",
    }
)
_ORDER_FIELDS = frozenset(
    {
        "qty", "price", "triggerPrice", "takeProfit", "stopLoss", "tpTriggerPrice", "slTriggerPrice",
        "tpLimitPrice", "slLimitPrice", "basePrice", "trailingStop", "activePrice",
        "stop_loss", "take_profit", "base_price", "stop_px", "trailing_stop", "trigger_price",
    }
)
_ORDER_PATHS = ("/v5/order/create", "/v5/order/amend", "/v5/position/trading-stop", "order/create", "order.create")


def _order_params(
    func: ast.FunctionDef | ast.AsyncFunctionDef, params: Iterable[str], nodes: Iterable[ast.AST] | None = None
) -> dict[str, str]:
    """Parameters the function puts, as they are (or through ``str()``), into an order's
    number fields: ``def buy(self, qty): self.session.place_order(..., qty=str(qty))``."""
    names = set(params) - {"self", "cls"}
    out: dict[str, str] = {}

    def param_of(value: ast.AST) -> str | None:
        if isinstance(value, ast.Call) and _dotted(value.func) in ("str", "float") and len(value.args) == 1:
            value = value.args[0]
        return value.id if isinstance(value, ast.Name) and value.id in names else None

    posts = False
    candidates: list[tuple[str, ast.AST]] = []
    for node in nodes if nodes is not None else _own_nodes(func):
        if isinstance(node, ast.Call):
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = [(k.arg, k.value) for k in node.keywords if k.arg in _ORDER_FIELDS]
            if attr in _ORDER_METHODS:
                posts = True
                for field_name, value in keywords:
                    name = param_of(value)
                    if name:
                        out.setdefault(name, field_name)
            elif attr == "dict":
                candidates += keywords
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in _ORDER_FIELDS:
                    candidates.append((key.value, value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and any(p in node.value for p in _ORDER_PATHS):
            posts = True
    if posts:
        for field_name, value in candidates:
            name = param_of(value)
            if name:
                out.setdefault(name, field_name)
    return out


def _function_facts(func: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any]:
    args = func.args
    params = {}
    for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        kind = annotation_kind(a.annotation)
        if kind in ("float", "decimal", "int", "str"):
            params[a.arg] = kind
    local_kinds: dict[str, str] = {}
    strings: list[str] = []
    ints: set[int] = set()
    text_bits: list[str] = []
    retries = False
    limiter = False
    calls: set[str] = set()
    forwards: list[tuple[str, int, str | None, str]] = []
    all_params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} - {"self", "cls"}
    nodes = list(_own_nodes(func))
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, (ast.Call, ast.BinOp)) and _is_local_clock(node.value):
                local_kinds[name] = "clock"
                if "1000" in ast.unparse(node.value) or "time_ns" in ast.unparse(node.value):
                    local_kinds[name + ":ms"] = "yes"
            else:
                kind = _Returns(func, local_kinds).expr_kind(node.value)
                if kind:
                    local_kinds[name] = kind
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                strings.append(node.value)
            elif isinstance(node.value, int) and not isinstance(node.value, bool):
                ints.add(node.value)
        elif isinstance(node, (ast.While, ast.For)) and not retries and any(isinstance(n, ast.Try) for n in node.body):
            retries = True
        elif isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            if _LIMITER_NAME.search(name) and not name.startswith(("print", "log")):
                limiter = True
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if callee:
                calls.add(callee)
                for i, arg in enumerate(node.args):
                    if isinstance(arg, ast.Name) and arg.id in all_params:
                        forwards.append((callee, i, None, arg.id))
                for kw in node.keywords:
                    if kw.arg and isinstance(kw.value, ast.Name) and kw.value.id in all_params:
                        forwards.append((callee, 0, kw.arg, kw.value.id))
        elif isinstance(node, (ast.Name, ast.Attribute)):
            text_bits.append(node.id if isinstance(node, ast.Name) else node.attr)
    low = " ".join(s.lower() for s in strings) + " " + " ".join(text_bits).lower()
    endpoints = sorted({s for s in strings if _PATH.match(s)})
    for dec in func.decorator_list:
        name = _dotted(dec.func if isinstance(dec, ast.Call) else dec) or ""
        if any(w in name for w in ("retry", "backoff", "stamina")):
            retries = True
        if _LIMITER_NAME.search(name):
            limiter = True
    return {
        "params": params,
        "returns": _Returns(func, local_kinds, nodes).kind(),
        "bybit": bool(endpoints) or any("bybit" in s.lower() or "bytick" in s.lower() for s in strings),
        "endpoints": endpoints,
        "rate_limit": limiter or bool(ints & _RATE_STATUSES) or any(w in low for w in _RATE_WORDS),
        "retcode": "retcode" in low or "ret_code" in low,
        "retries": retries,
        "async": isinstance(func, ast.AsyncFunctionDef),
        "calls": sorted(calls),
        "positional": [a.arg for a in (*args.posonlyargs, *args.args) if a.arg not in ("self", "cls")],
        "order_params": _order_params(func, [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)], nodes),
        "_forwards": forwards,
    }


def _is_forever(node: ast.AST) -> bool:
    if isinstance(node, ast.While):
        test = node.test
        if isinstance(test, ast.Constant) and test.value:
            return True
        if isinstance(test, (ast.Name, ast.Attribute, ast.UnaryOp)):
            return True  # while self.running / while not stop
    if isinstance(node, ast.Call):
        name = _dotted(node.func) or ""
        return name.endswith(("run_forever", "serve_forever", "run_until_complete")) or name in ("app.run", "uvicorn.run") or "schedule.every" in name
    return False


def _role(tree: ast.Module, forever: bool) -> str:
    entry = False
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
            entry = True
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Call, ast.Await)):
            entry = True
    if forever:
        return "bot"
    if not entry:
        return "library"
    # a module that defines a whole API surface and calls a few of it under ``__main__``
    # is a library with a self-test, not a one-shot script
    defs = sum(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for s in tree.body)
    return "script" if defs <= _SCRIPT_MAX_DEFS else "library"


def summarize(module: ast.Module | str) -> dict[str, Any]:
    """The facts about one module that other modules of the project may need.

    Takes CPython's tree (or the source): a summary must cost a fraction of a LibCST parse,
    since every file of the tree is summarised before any is linted.
    """
    if isinstance(module, str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                tree = ast.parse(module)
            except (SyntaxError, ValueError, RecursionError):
                return empty_summary()
    else:
        tree = module
    imports: dict[str, str] = {}
    constants: dict[str, Any] = {}
    functions: dict[str, dict[str, Any]] = {}
    config = False
    forever = False
    classes: dict[str, list[str]] = {}
    instances: dict[str, str] = {}
    typed: dict[str, str] = {}  # parameter -> its class annotation (``client: Client``)
    assigns: list[ast.Assign] = []
    chains: dict[int, int] = {}
    chain, chain_line = 0, 0
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Name or kind is ast.Constant or kind is ast.Attribute or kind is ast.Load or kind is ast.Store:
            continue  # most nodes: nothing to learn
        if kind is ast.Call or kind is ast.Subscript:
            length = chain_step(node, chains)
            if length > chain:
                chain, chain_line = length, node.lineno
        if kind is ast.ClassDef:
            classes[node.name] = [b for b in (_dotted(base) for base in node.bases) if b]
        elif kind is ast.arg:
            if node.annotation is not None:
                made = _dotted(node.annotation)
                if made and made.rsplit(".", 1)[-1][:1].isupper():
                    typed[node.arg] = made
        elif kind is ast.Assign:
            if len(node.targets) == 1:
                assigns.append(node)
        elif kind is ast.While:
            forever = forever or _is_forever(node)
        if kind is ast.Call and not forever:
            forever = _is_forever(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    imports.setdefault(alias.name.split(".")[0], alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.names[0].name != "*":
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                sep = "" if base.endswith(".") else "."
                imports[alias.asname or alias.name] = f"{base}{sep}{alias.name}" if base else alias.name
        elif isinstance(node, ast.Call) and not config:
            name = _dotted(node.func) or ""
            config = name in _CONFIG_CALLS or name.endswith(("getenv", "environ.get", "parse_args", "load_dotenv"))
        elif isinstance(node, ast.Subscript) and not config:
            config = _dotted(node.value) in ("os.environ", "environ")

    def scan(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = _literal(stmt.value)
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        constants[prefix + target.id] = value
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[prefix + stmt.name] = _function_facts(stmt)
                if prefix and stmt.name == "__init__":
                    # a settings class fills its attributes in __init__: self.x = literal
                    for sub in ast.walk(stmt):
                        if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                            t = sub.targets[0]
                            value = _literal(sub.value)
                            if isinstance(t, ast.Attribute) and _dotted(t.value) == "self" and value is not None:
                                constants.setdefault(prefix + t.attr, value)
            elif isinstance(stmt, ast.ClassDef) and not prefix:
                scan(stmt.body, stmt.name + ".")
            elif isinstance(stmt, (ast.If, ast.Try)) and not prefix:
                scan(stmt.body, prefix)

    scan(tree.body, "")
    _forward_order_params(functions)
    for node in assigns:
        target = _dotted(node.targets[0])
        if not target:
            continue
        if isinstance(node.value, ast.Call):
            made = _dotted(node.value.func)
            if made and made.rsplit(".", 1)[-1][:1].isupper():
                instances.setdefault(target, made)
        elif isinstance(node.value, ast.Name) and node.value.id in typed:
            instances.setdefault(target, typed[node.value.id])
    summary = {
        "version": SUMMARY_VERSION,
        "imports": imports,
        "constants": constants,
        "functions": functions,
        "classes": classes,
        "instances": instances,
        "config": config,
        "role": _role(tree, forever),
    }
    if chain > MAX_CHAIN:  # the file is not linted (``deep_code``)
        summary["chain"] = [chain, chain_line]
    return summary


def _forward_order_params(functions: dict[str, dict[str, Any]]) -> None:
    """A function that hands its parameter to a wrapper of the same module
    (``def buy(self, qty): return self._order("Buy", qty)``) puts it in the order too."""
    by_name = {q.rsplit(".", 1)[-1]: f for q, f in functions.items() if f["order_params"]}
    if not by_name:
        return
    for facts in functions.values():
        forwarded = facts.pop("_forwards", None)
        if not forwarded:
            continue
        for callee, position, keyword_name, param in forwarded:
            target = by_name.get(callee)
            if target is None:
                continue
            pname = keyword_name or (target["positional"][position] if position < len(target["positional"]) else None)
            if pname in target["order_params"]:
                facts["order_params"].setdefault(param, target["order_params"][pname])
    for facts in functions.values():
        facts.pop("_forwards", None)


def well_formed(summary: Any) -> bool:
    """Whether a summary read back from the cache has this version's shape (a cache file
    edited by hand, or by a buggy tool, is summarised again rather than trusted)."""
    return (
        isinstance(summary, dict)
        and summary.get("version") == SUMMARY_VERSION
        and all(isinstance(summary.get(key), dict) for key in ("imports", "constants", "functions"))
        and all(isinstance(facts, dict) for facts in summary["functions"].values())
        and isinstance(summary.get("role"), str)
    )


def empty_summary() -> dict[str, Any]:
    return {"version": SUMMARY_VERSION, "imports": {}, "constants": {}, "functions": {}, "config": False, "role": "library"}


# --------------------------------------------------------------------------------------
# the project


@dataclass(frozen=True)
class Resolved:
    """Where an imported name leads: a function's facts, a constant's value, or a module."""

    path: str
    kind: str  # function, constant, module, class
    name: str  # qualified name inside the module ("" for the module itself)
    facts: Any  # the function's facts dict, the constant's value, or the module's summary


def _module_parts(path: str) -> tuple[str, ...]:
    parts = list(PurePath(path).with_suffix("").parts)
    parts = [p for p in parts if p not in ("", ".", "/")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return tuple(parts)


class Project:
    """The summaries of a tree's modules and the resolution of imports between them.

    An absolute import is matched against every suffix of each file's path, so ``import
    utils.clock`` finds ``bot/utils/clock.py`` and ``src/bot/utils/clock.py`` whatever the
    directory the linter was started from; among several matches the file nearest the
    importer wins. A relative import is resolved from the importer's own package.
    """

    def __init__(self, summaries: Mapping[str, Mapping[str, Any]]) -> None:
        self.summaries = dict(summaries)
        self._imported: set[str] | None = None
        self._wrapper_users: dict[str, bool] = {}
        self._checkers: frozenset[str] | None = None
        self._digests: dict[str, str] = {}
        self._answers: dict[str, str] = {}
        #: while a file is linted: the file, and what it asked (``recording``)
        self._reader: str | None = None
        self._reads: dict[str, str] | None = None
        self._by_name: dict[str, list[str]] = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        for path in self.summaries:
            parts = _module_parts(path)
            self._parts[path] = parts
            for i in range(len(parts)):
                self._by_name.setdefault(".".join(parts[i:]), []).append(path)

    # ----------------------------------------------------------------------------------
    # what a file's verdict depends on
    #
    # A cached verdict stays valid while every question its file asked of the project gets
    # the same answer. The questions are recorded at the lowest level: the summary of
    # another module read (``summary``), a module name resolved from an importer
    # (``module``), and the few queries over the whole project, recorded as their answers
    # (``callers``, ``checkers``, ``imported``, ``wrapper-user``) so that a change elsewhere
    # in the project that does not change the answer does not re-judge the file.

    @contextmanager
    def recording(self, path: str) -> Iterator[dict[str, str]]:
        """Record what linting ``path`` asks of the other modules: ``{question: answer}``.

        ``path``'s own summary is not recorded: it follows from the file's content, which
        the cache keys on already.
        """
        outer = (self._reader, self._reads)
        reads: dict[str, str] = {}
        self._reader, self._reads = path, reads
        try:
            yield reads
        finally:
            self._reader, self._reads = outer

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Inside a query recorded by its answer, the reads it makes are not recorded."""
        reads, self._reads = self._reads, None
        try:
            yield
        finally:
            self._reads = reads

    def _note(self, question: tuple[Any, ...], answer: str) -> None:
        if self._reads is not None:
            self._reads[json.dumps(question)] = answer

    def _summary_of(self, path: str) -> Mapping[str, Any] | None:
        summary = self.summaries.get(path)
        if self._reads is not None and path != self._reader:
            self._note(("summary", path), self._digest_of(path))
        return summary

    def _digest_of(self, path: str) -> str:
        digest = self._digests.get(path)
        if digest is None:
            summary = self.summaries.get(path)
            digest = self._digests[path] = "" if summary is None else _digest(summary)
        return digest

    def answer(self, question: str) -> str | None:
        """Today's answer to a recorded question (None: a question this version does not ask)."""
        known = self._answers.get(question)
        if known is not None:
            return known
        try:
            kind, *args = json.loads(question)
        except (ValueError, TypeError):
            return None
        with self._quiet():
            if kind == "summary" and len(args) == 1:
                found = self._digest_of(args[0])
            elif kind == "module" and len(args) == 2:
                found = self._module(args[0], args[1]) or ""
            elif kind == "callers" and len(args) == 2:
                found = _digest(self._callers(args[0], args[1]))
            elif kind == "checkers" and not args:
                found = _digest(sorted(self._retcode_checkers()))
            elif kind == "imported" and len(args) == 1:
                found = "1" if args[0] in self.imported_paths() else "0"
            elif kind == "wrapper-user" and len(args) == 1:
                found = "1" if self.imports_order_wrapper(args[0]) else "0"
            else:
                return None
        self._answers[question] = found
        return found

    def still_holds(self, depends_on: Mapping[str, str]) -> bool:
        """Whether every recorded question still gets its recorded answer."""
        return all(self.answer(question) == answer for question, answer in depends_on.items())

    @classmethod
    def from_sources(cls, sources: Mapping[str, str]) -> "Project":
        return cls({path: summarize(text) for path, text in sources.items()})

    def summary(self, path: str) -> Mapping[str, Any] | None:
        return self._summary_of(path)

    def _module(self, importer: str, dotted: str) -> str | None:
        """The file of a module name as seen from ``importer``."""
        found = self._find_module(importer, dotted)
        self._note(("module", importer, dotted), found or "")
        return found

    def _find_module(self, importer: str, dotted: str) -> str | None:
        if dotted.startswith("."):
            level = len(dotted) - len(dotted.lstrip("."))
            rest = dotted[level:]
            base = self._parts.get(importer, _module_parts(importer))
            is_package = PurePath(importer).stem == "__init__"
            package = base if is_package else base[:-1]
            if level > 1:
                package = package[: len(package) - (level - 1)]
            target = ".".join((*package, *([rest] if rest else [])))
            found = [p for p in self._by_name.get(target, ()) if self._parts[p] == tuple(target.split("."))]
            return found[0] if found else None
        candidates = self._by_name.get(dotted)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        mine = self._parts.get(importer, ())

        def shared(path: str) -> int:
            n = 0
            for a, b in zip(self._parts[path], mine):
                if a != b:
                    break
                n += 1
            return n

        return max(candidates, key=shared)

    def resolve(self, importer: str, dotted: str | None, _depth: int = 0) -> Resolved | None:
        """What a dotted name used in ``importer`` is, when it comes from the project.

        ``time_ms`` (``from utils.clock import time_ms``), ``config.WS_URL`` (``import
        config``), ``settings.Settings.heartbeat``; re-exports through a package's
        ``__init__`` are followed a few hops.
        """
        if not dotted or _depth > 4:
            return None
        summary = self._summary_of(importer)
        if summary is None:
            return None
        head, _, rest = dotted.partition(".")
        target = summary["imports"].get(head)
        if target is None:
            return None
        full = f"{target}.{rest}" if rest else target
        return self._lookup(importer, full, _depth)

    def _lookup(self, importer: str, full: str, depth: int) -> Resolved | None:
        leading = len(full) - len(full.lstrip("."))
        dots, body = full[:leading], full[leading:]
        names = body.split(".") if body else []
        # the longest prefix that is a module of the project; the rest are members
        for cut in range(len(names), -1, -1):
            module_name = dots + ".".join(names[:cut])
            if not module_name or module_name == "." * leading and cut == 0 and not leading:
                continue
            path = self._module(importer, module_name)
            if path is None:
                continue
            member = ".".join(names[cut:])
            found = self.member(path, member, depth)
            if found is not None:
                return found
        return None

    def member(self, path: str, member: str, depth: int = 0) -> Resolved | None:
        summary = self._summary_of(path) or empty_summary()
        if not member:
            return Resolved(path, "module", "", summary)
        if member in summary["functions"]:
            return Resolved(path, "function", member, summary["functions"][member])
        if member in summary["constants"]:
            return Resolved(path, "constant", member, summary["constants"][member])
        head, _, rest = member.partition(".")
        if any(name.startswith(head + ".") for name in summary["functions"]) or any(
            name.startswith(head + ".") for name in summary["constants"]
        ):
            if not rest:
                return Resolved(path, "class", head, summary)
            return None
        if head in summary["imports"] and depth < 4:  # a re-export
            return self.resolve(path, member, depth + 1)
        return None

    def method(self, importer: str, class_name: str | None, method: str, _depth: int = 0) -> Mapping[str, Any] | None:
        """A method of a class of the project seen from ``importer`` (a class defined there or
        imported), looked up through the class's bases in any module of the project."""
        if not class_name or _depth > 4:
            return None
        summary = self._summary_of(importer)
        if summary is None:
            return None
        if class_name in summary.get("classes", {}):
            found = summary["functions"].get(f"{class_name}.{method}")
            if found is not None:
                return found
            for base in summary["classes"][class_name]:
                found = self.method(importer, base, method, _depth + 1)
                if found is not None:
                    return found
            return None
        resolved = self.resolve(importer, class_name)
        if resolved is not None and resolved.kind == "class":
            return self.method(resolved.path, resolved.name, method, _depth + 1)
        return None

    def function(self, importer: str, dotted: str | None) -> Mapping[str, Any] | None:
        found = self.resolve(importer, dotted)
        return found.facts if found is not None and found.kind == "function" else None

    def constant(self, importer: str, dotted: str | None) -> Any:
        found = self.resolve(importer, dotted)
        return found.facts if found is not None and found.kind == "constant" else None

    def callers_of(self, name: str, exclude: str | None = None) -> list[tuple[str, str, Mapping[str, Any]]]:
        """Functions of the project (outside ``exclude``) that call something named ``name``:
        ``(path, qualified name, facts)``. Names only: enough to ask "does every caller of
        ``_make_request`` check retCode?"."""
        with self._quiet():
            out = self._callers(name, exclude)
        self._note(("callers", name, exclude), _digest(out))
        return out

    def _callers(self, name: str, exclude: str | None) -> list[tuple[str, str, Mapping[str, Any]]]:
        out = []
        for path, summary in self.summaries.items():
            if path == exclude:
                continue
            for qualname, facts in summary["functions"].items():
                if name in facts.get("calls", ()):
                    out.append((path, qualname, facts))
        return out

    def checks_retcode(self, path: str, facts: Mapping[str, Any]) -> bool:
        """Whether a function reads retCode itself or through a function of the project it
        calls (``self._check_response(data)``)."""
        if facts.get("retcode"):
            return True
        checkers = self._retcode_checkers()
        self._note(("checkers",), _digest(sorted(checkers)))
        return bool(checkers & set(facts.get("calls", ())))

    def _retcode_checkers(self) -> frozenset[str]:
        """The names of the project's functions that read retCode."""
        if self._checkers is None:
            self._checkers = frozenset(
                q.rsplit(".", 1)[-1]
                for summary in self.summaries.values()
                for q, f in summary["functions"].items()
                if f.get("retcode")
            )
        return self._checkers

    def role(self, path: str) -> str | None:
        """``bot``, ``script`` or ``library``: a module with a ``__main__`` block that other
        modules of the project import is a library with a self-test, not a one-shot script."""
        summary = self._summary_of(path)
        if summary is None:
            return None
        role = summary["role"]
        if role == "script":
            imported = path in self.imported_paths()
            self._note(("imported", path), "1" if imported else "0")
            if imported:
                return "library"
        return role

    def imports_order_wrapper(self, path: str) -> bool:
        """Whether a file imports a module of the project that defines an order wrapper
        (a function putting one of its parameters into an order's numbers)."""
        cached = self._wrapper_users.get(path)
        if cached is None:
            with self._quiet():
                cached = any(
                    any(f.get("order_params") for f in self.summaries[target]["functions"].values())
                    for target in self.imported_by(path)
                )
            self._wrapper_users[path] = cached
        self._note(("wrapper-user", path), "1" if cached else "0")
        return cached

    def imported_by(self, importer: str) -> set[str]:
        """The files of the project that ``importer`` imports (or imports from)."""
        found: set[str] = set()
        summary = self._summary_of(importer)
        if summary is None:
            return found
        for target in summary["imports"].values():
            leading = len(target) - len(target.lstrip("."))
            names = target[leading:].split(".") if target[leading:] else []
            for cut in range(len(names), -1, -1):
                module_name = target[:leading] + ".".join(names[:cut])
                if not module_name:
                    continue
                path = self._module(importer, module_name)
                if path is not None and path != importer:
                    found.add(path)
                    break
        return found

    def imported_paths(self) -> set[str]:
        """The files some other file of the project imports (or imports from)."""
        if self._imported is None:
            found: set[str] = set()
            with self._quiet():
                for importer in self.summaries:
                    found |= self.imported_by(importer)
            self._imported = found
        return self._imported



def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def project_of_files(paths: Iterable[PurePath]) -> Project:
    """Summaries of the files about to be linted, keyed by the names they are linted under.

    A file that cannot be read or parsed gets an empty summary: the lint itself reports it.
    """
    summaries: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            text = open(path, encoding="utf-8-sig").read()
        except (OSError, UnicodeDecodeError):
            summaries[str(path)] = empty_summary()
            continue
        summaries[str(path)] = summarize(text)
    return Project(summaries)


def lint_sources(
    sources: Mapping[str, str], rules: Any, options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Lint several files as one project: ``{file name: engine.FileResult}``."""
    from .engine import lint_source

    project = Project.from_sources(sources)
    return {name: lint_source(text, name, rules, options, project=project) for name, text in sources.items()}
