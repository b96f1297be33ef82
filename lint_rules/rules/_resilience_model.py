"""What the resilience rules (BYB2xx) know about one module: which calls reach Bybit, and how.

Built once per module and shared by every BYB2xx rule (a one-slot cache keyed by the
module node the engine hands to all visitors). It answers:

- which client a call belongs to: a pybit ``HTTP`` session, a ccxt bybit exchange, a raw
  requests / aiohttp / httpx call whose URL reaches a Bybit host or a ``/v5/`` path, or a
  function of this module that (transitively) does one of those;
- the call graph between the module's functions (methods resolved through ``self``, the
  bot's wrapper attributes, and module classes);
- which loops, decorators and self-calls are *retries* of such a call, how long they wait
  between attempts, and whether they ever give up.

Values are followed through local assignments, ``self.x`` attributes, module constants,
helper return values and, for parameters, the arguments the module's own call sites pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

import libcst as cst

from pytest_bybit.facts import ALL_REST_HOSTS, ALL_STREAM_HOSTS

from ..analysis import Imports, collect_imports, dotted_name, number_value, per_module, string_value
from ..syntax import child_nodes, frame_nodes

# --------------------------------------------------------------------------------------
# vocabulary

HTTP_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options"})
RAW_LIBS = ("requests", "aiohttp", "httpx", "urllib")

#: pybit ``HTTP`` attributes that are settings, not endpoint methods.
PYBIT_NON_API = frozenset(
    {
        "api_key", "api_secret", "testnet", "demo", "domain", "tld", "recv_window", "timeout",
        "max_retries", "retry_delay", "force_retry", "log_requests", "logging_level",
        "referral_id", "record_request_time", "return_response_headers",
        "rsa_authentication", "prepare_payload", "prepare_file_payload", "retry_codes",
        "ignore_codes", "client", "endpoint", "logger",
    }
)

#: pybit methods common enough in bots to recognise even when the session's origin is unseen.
PYBIT_COMMON = frozenset(
    {
        "place_order", "amend_order", "cancel_order", "cancel_all_orders", "place_batch_order",
        "amend_batch_order", "cancel_batch_order", "get_open_orders", "get_order_history",
        "get_executions", "get_positions", "set_leverage", "set_trading_stop",
        "switch_margin_mode", "switch_position_mode", "set_tp_sl_mode", "get_wallet_balance",
        "get_kline", "get_tickers", "get_orderbook", "get_instruments_info", "get_server_time",
        "get_closed_pnl", "get_funding_rate_history", "get_public_trade_history",
        "get_mark_price_kline", "get_index_price_kline", "get_open_interest", "get_fee_rates",
        "get_coin_balance", "get_coins_balance", "get_transaction_log", "get_account_info",
        "get_risk_limit", "set_risk_limit", "create_internal_transfer",
        "create_universal_transfer", "get_api_key_information", "get_long_short_ratio",
        "get_borrow_quota", "get_spot_asset_info", "get_historical_volatility", "get_insurance",
        "spot_margin_trade_toggle_margin_trade", "get_premium_index_price_kline",
    }
)

PYBIT_ORDER_CREATE = frozenset({"place_order", "place_batch_order", "spread_place_order"})

CCXT_API_PREFIXES = (
    "fetch", "create", "cancel", "edit", "watch", "set_", "set", "private", "public",
    "v5", "load_markets", "loadMarkets", "transfer", "withdraw", "close_position",
    "closePosition", "close_all_positions", "add_margin", "reduce_margin", "un_watch",
)
CCXT_NON_API = frozenset(
    {
        "set_sandbox_mode", "setSandboxMode", "set_markets", "setMarkets", "enable_demo_trading",
        "enableDemoTrading", "create_order_request", "fetch2", "set_headers",
    }
)

#: names of URLs that belong to notification services, not to Bybit
FOREIGN_NAME_HINTS = ("webhook", "hook_url", "telegram", "discord", "slack", "notify", "alert", "tg_", "chat_url")

#: receiver names that look like an exchange client when its construction is not seen
CLIENT_NAME_HINTS = ("exchange", "bybit", "ccxt", "client", "broker", "exch", "session", "api", "http")

LINK_ID_KEYS = frozenset({"orderLinkId", "order_link_id", "clientOrderId", "client_order_id"})

SLEEP_FUNCS = frozenset(
    {
        "time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep",
        "eventlet.sleep", "eventlet.greenthread.sleep",
    }
)
RANDOM_MODULES = ("random.", "secrets.", "numpy.random.", "np.random.")
RANDOM_FUNCS = frozenset(
    {"uniform", "random", "randint", "randrange", "expovariate", "gauss", "triangular", "choice",
     "randbelow", "betavariate", "normalvariate", "lognormvariate"}
)
TIME_FUNCS = frozenset(
    {"time.time", "time.monotonic", "time.perf_counter", "time.time_ns", "time.monotonic_ns",
     "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.now", "datetime.utcnow"}
)

COUNTER_RE = re.compile(r"attempt|retr|tries|try_|_try|depth|count|left|remaining|n_?tries|max_", re.I)
CAP_NAME_RE = re.compile(r"deadline|timeout|elapsed|attempt|retr|tries|max|limit|budget|give_?up", re.I)
RESET_RE = re.compile(r"reset|retry[_-]?after|retryafter|x-bapi-limit", re.I)

STATUS_ATTRS = frozenset({"status", "status_code", "ok", "retCode", "ret_code"})
STATUS_NAMES_RE = re.compile(r"^(code|rc|ret|err_?code|error_?code)$|ret_?code|retcode|status_code|http_status", re.I)
STATUS_INTS = frozenset({10006, 10018, 10002, 10016, 429, 403, 200, 500, 502, 503, 504})


#: Bybit's REST paths before V5 (the ``usdt_perpetual`` / ``inverse_perpetual`` era), which
#: older bots still call: ``/v2/private/order/create``, ``/open-api/...``, ``/private/linear/...``
LEGACY_PATH = re.compile(
    r"^/?(?:v2/(?:private|public)|open-api|private/linear|public/linear|futures/private|spot/v[13]|spot/quote"
    r"|contract/v3|unified/v3|derivatives/v3|asset/v[13]|user/v3|perpetual/usdc|option/usdc)/"
)


def is_bybit_text(text: str) -> bool:
    low = text.lower()
    if "bybit" in low or "bytick" in low or "/v5/" in low or low.startswith("v5/") or low == "/v5":
        return True
    if LEGACY_PATH.match(low):
        return True
    return any(h in low for h in ALL_REST_HOSTS) or any(h in low for h in ALL_STREAM_HOSTS)


_URL_HOST = re.compile(r"^(?:https?|wss?)://([^/:{}?#]+)", re.I)


def foreign_url(text: str) -> bool:
    """A literal URL whose host is known and is not Bybit's."""
    match = _URL_HOST.match(text.strip())
    return bool(match) and not is_bybit_text(match.group(1))


# --------------------------------------------------------------------------------------
# small structural helpers

def contains_any(root: cst.CSTNode, ids: set[int]) -> bool:
    if not ids:
        return False
    return any(id(n) in ids for n in frame_nodes(root))


def simple_statements(stmt: cst.CSTNode) -> list[cst.BaseSmallStatement]:
    if isinstance(stmt, cst.SimpleStatementLine):
        return list(stmt.body)
    return []


def always_exits(stmts: Sequence[cst.BaseStatement]) -> bool:
    """Whether a block always leaves by raise / return / break (so it never falls through)."""
    if not stmts:
        return False
    last = stmts[-1]
    smalls = simple_statements(last)
    if smalls:
        return isinstance(smalls[-1], (cst.Raise, cst.Return, cst.Break))
    if isinstance(last, cst.If):
        if last.orelse is None:
            return False
        other = last.orelse
        other_body = other.body.body if isinstance(other, cst.Else) else [other]
        return always_exits(last.body.body) and always_exits(other_body)
    if isinstance(last, (cst.With, cst.Try)):
        return always_exits(last.body.body)
    return False


def block_has(stmts: Sequence[cst.BaseStatement], kinds: tuple[type, ...]) -> bool:
    for stmt in stmts:
        for node in frame_nodes(stmt, lambdas=False):
            if isinstance(node, kinds):
                return True
    return False


def names_in(node: cst.CSTNode) -> set[str]:
    out: set[str] = set()
    for n in frame_nodes(node):
        if isinstance(n, (cst.Name, cst.Attribute)):
            d = dotted_name(n)
            if d:
                out.add(d)
    return out


def header_range(node: cst.CSTNode, pos_of) -> object:
    """A CodeRange covering only a loop's / def's first line (what the user sees as 'the loop')."""
    from libcst.metadata import CodeRange

    start = pos_of(node).start
    if isinstance(node, cst.While):
        end = pos_of(node.test).end
    elif isinstance(node, cst.For):
        end = pos_of(node.iter).end
    elif isinstance(node, cst.FunctionDef):
        end = pos_of(node.name).end
    else:
        end = pos_of(node).end
    return CodeRange(start, end)


# --------------------------------------------------------------------------------------
# model objects


@dataclass(eq=False, repr=False)
class CallRef:
    """A call as the program makes it; ``func``/``args`` differ from ``node`` for indirect
    calls (``asyncio.to_thread(f, x)``, ``loop.run_in_executor(None, f, x)``, ``partial``)."""

    node: cst.Call
    func: cst.BaseExpression
    args: tuple[cst.Arg, ...]
    awaited: bool = False
    indirect: bool = False

    @property
    def attr(self) -> str | None:
        if isinstance(self.func, cst.Attribute):
            return self.func.attr.value
        if isinstance(self.func, cst.Name):
            return self.func.value
        return None

    @property
    def receiver(self) -> cst.BaseExpression | None:
        return self.func.value if isinstance(self.func, cst.Attribute) else None

    def kw(self, name: str) -> cst.Arg | None:
        for a in self.args:
            if a.keyword is not None and a.keyword.value == name:
                return a
        return None

    def positional(self) -> list[cst.BaseExpression]:
        return [a.value for a in self.args if a.keyword is None and not a.star]


@dataclass(eq=False, repr=False)
class Frame:
    kind: str  # loop, try, handler, try_else, finally, if, else, with
    node: cst.CSTNode


@dataclass(eq=False, repr=False)
class Event:
    node: cst.CSTNode  # Call, Return, Break, Continue, Raise
    frames: tuple[Frame, ...]


@dataclass(eq=False, repr=False)
class Func:
    node: cst.FunctionDef | cst.Module
    name: str
    qualname: str
    cls: str | None
    parent: "Func | None"
    params: list[str] = field(default_factory=list)
    positional_params: list[str] = field(default_factory=list)
    star_kwargs: str | None = None
    annotations: dict[str, cst.BaseExpression] = field(default_factory=dict)
    defaults: dict[str, cst.BaseExpression] = field(default_factory=dict)
    is_method: bool = False
    is_async: bool = False
    calls: list[CallRef] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    call_frames: dict[int, tuple[Frame, ...]] = field(default_factory=dict)
    assigns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    loops: list[cst.For | cst.While] = field(default_factory=list)
    strings: set[str] = field(default_factory=set)
    ints: set[int] = field(default_factory=set)
    attrs: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    kw_names: set[str] = field(default_factory=set)
    returns_value: bool = False
    discarded: set[int] = field(default_factory=set)  # calls whose result is thrown away
    # computed
    api_calls: dict[int, str] = field(default_factory=dict)  # id(CallRef) -> pybit/ccxt/raw
    targets: dict[int, list["Func"]] = field(default_factory=dict)  # id(CallRef) -> module funcs
    does_api: bool = False

    @property
    def is_module(self) -> bool:
        return isinstance(self.node, cst.Module)

    def returned_values(self) -> list[cst.BaseExpression]:
        """What the function's own ``return`` statements return, in source order."""
        if self.is_module:
            return []
        return [e.node.value for e in self.events if isinstance(e.node, cst.Return) and e.node.value is not None]

    def __hash__(self) -> int:  # identity
        return id(self)


@dataclass(eq=False, repr=False)
class Delay:
    kind: str  # missing, constant, linear, exponential, reset, unknown, random
    jitter: bool = False


@dataclass(eq=False, repr=False)
class Retry:
    """One retry construct around a Bybit API call."""

    kind: str  # loop, decorator, recursion, iterator
    node: cst.CSTNode  # For/While, Decorator, recursive Call
    func: Func
    delay: Delay
    bounded: bool | None  # None: cannot tell
    lib: str = ""  # tenacity, backoff, stamina, retrying, retry, user
    body_calls: list[CallRef] = field(default_factory=list)  # calls inside the retried body


# --------------------------------------------------------------------------------------
# the model


#: How many client-kind lookups building a model may make. Until the kinds are final they
#: are not memoized, and a name reassigned from itself many times over (``state =
#: state._replace(...)`` thirty times) makes the lookups grow exponentially: such a module
#: gets no BYB2xx findings rather than a linter that never returns. Bots need a few
#: thousand; ccxt's 7,000-line base exchange needs 12,500.
_KINDS_BUDGET = 250_000


#: Methods of dicts, lists and strings: on a receiver holding parsed data they are never the
#: module's own wrapper methods of the same name.
_CONTAINER_METHODS = frozenset(
    {
        "get", "items", "keys", "values", "pop", "update", "setdefault", "append", "extend", "copy",
        "format", "split", "join", "strip", "replace", "lower", "upper", "startswith", "endswith",
        "encode", "decode", "insert", "remove", "clear", "count", "index", "sort",
    }
)


class _TooCostly(Exception):
    """The module defeats the analysis (see ``_KINDS_BUDGET``)."""


class Model:
    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        low = source.lower()
        self.bybit_evidence = (
            "bybit" in low or "bytick" in low or "/v5/" in low or "x-bapi" in low
        )
        self.imports: Imports = collect_imports(module)
        self.funcs: list[Func] = []
        self.by_name: dict[str, list[Func]] = {}  # bare name -> funcs (methods and functions)
        self.top_level: dict[str, Func] = {}
        self.class_methods: dict[str, dict[str, Func]] = {}
        self.class_bases: dict[str, list[str]] = {}
        self.module_assigns: dict[str, list[cst.BaseExpression]] = {}
        self.attr_assigns: dict[str, list[cst.BaseExpression]] = {}
        self.func_of_node: dict[int, Func] = {}
        self._collect()
        self.obj_kinds: dict[str, set[str]] = {}
        self._kinds_active: set[tuple[int, int]] = set()
        self._kinds_memo: dict[tuple[int, int], frozenset[str]] = {}
        self._kinds_final = False
        #: while the kinds are collected (``_collect_kinds``): lookups memoized until a kind is
        #: added (``_kinds_generation``); without it a module of many small methods calling
        #: each other spent its whole ``_KINDS_BUDGET`` (a second) and got no model
        self._pass_memo: dict[tuple[tuple[int, int], int, int], frozenset[str]] = {}
        self._kinds_generation = 0
        self._kinds_cut = False
        self._kinds_budget = _KINDS_BUDGET
        self._collect_kinds()
        self._kinds_final = True
        self.callers: dict[Func, list[tuple[CallRef, Func]]] = {}
        self._reach_cache: dict[tuple[int, int, bool], tuple[frozenset[str], bool, frozenset[str]]] = {}
        self._resolve_calls()
        self._propagate_api()
        self.retries: list[Retry] = []
        self._retry_analysis_done = False

    def release(self) -> None:
        """Forget the call graph once the file is linted (``analysis.release_shared``): a
        recursive function is a cycle that would keep the tree alive until the collector runs."""
        for func in self.funcs:
            func.targets.clear()

    # ---- collection --------------------------------------------------------------------
    def _collect(self) -> None:
        mod_func = Func(node=self.module, name="<module>", qualname="<module>", cls=None, parent=None)
        self._add_func(mod_func)

        def visit_block(body: Sequence[cst.CSTNode], cls: str | None, parent: Func | None, prefix: str) -> None:
            for stmt in body:
                self._scan_defs(stmt, cls, parent, prefix, visit_block)

        visit_block(self.module.body, None, None, "")
        del visit_block  # a recursive closure is a reference cycle: it would keep the tree alive until the collector runs
        for func in self.funcs:
            self._scan_func(func)
        # module-level and class-level assignments
        self.module_assigns = self.funcs[0].assigns
        for func in self.funcs[1:]:
            for key, values in func.assigns.items():
                if key.startswith("self.") or key.startswith("cls."):
                    self.attr_assigns.setdefault("self." + key.split(".", 1)[1], []).extend(values)

    def _scan_defs(self, stmt, cls, parent, prefix, visit_block) -> None:
        if isinstance(stmt, cst.ClassDef):
            name = stmt.name.value
            self.class_methods.setdefault(name, {})
            self.class_bases[name] = [dotted_name(b.value) or "" for b in stmt.bases]
            for inner in stmt.body.body:
                if isinstance(inner, cst.SimpleStatementLine):
                    for small in inner.body:
                        targets: list[cst.BaseExpression] = []
                        value = None
                        if isinstance(small, cst.Assign):
                            targets, value = [t.target for t in small.targets], small.value
                        elif isinstance(small, cst.AnnAssign) and small.value is not None:
                            targets, value = [small.target], small.value
                        for t in targets:
                            if isinstance(t, cst.Name) and value is not None:
                                for key in (f"self.{t.value}", f"{name}.{t.value}"):
                                    self.attr_assigns.setdefault(key, []).append(value)
                else:
                    self._scan_defs(inner, name, parent, f"{prefix}{name}.", visit_block)
            return
        if isinstance(stmt, cst.FunctionDef):
            name = stmt.name.value
            func = Func(
                node=stmt,
                name=name,
                qualname=f"{prefix}{name}",
                cls=cls,
                parent=parent,
                is_async=stmt.asynchronous is not None,
            )
            params = stmt.params
            ordered = list(params.posonly_params) + list(params.params)
            func.positional_params = [p.name.value for p in ordered]
            func.params = func.positional_params + [p.name.value for p in params.kwonly_params]
            if isinstance(params.star_arg, cst.Param):
                func.params.append(params.star_arg.name.value)
            if params.star_kwarg is not None:
                func.star_kwargs = params.star_kwarg.name.value
                func.params.append(func.star_kwargs)
            for p in ordered + list(params.kwonly_params):
                if p.annotation is not None:
                    func.annotations[p.name.value] = p.annotation.annotation
                if p.default is not None:
                    func.defaults[p.name.value] = p.default
            is_static = any(dotted_name(d.decorator) == "staticmethod" for d in stmt.decorators)
            func.is_method = cls is not None and not is_static and bool(func.positional_params)
            self._add_func(func)
            if cls is not None:
                self.class_methods[cls].setdefault(name, func)
            elif parent is None:
                self.top_level.setdefault(name, func)
            # nested defs and classes
            for node in self._nested_defs(stmt.body):
                self._scan_defs(node, None, func, f"{func.qualname}.", visit_block)
            return
        if isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)) and parent is None and cls is None:
            # defs under `if TYPE_CHECKING:` / try-import blocks at module level
            for node in self._nested_defs(stmt):
                self._scan_defs(node, cls, parent, prefix, visit_block)

    @staticmethod
    def _nested_defs(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
        stack = list(reversed(child_nodes(root)))
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is cst.FunctionDef or kind is cst.ClassDef:
                yield node
                continue
            if cst.BaseExpression in kind.__mro__:  # isinstance on LibCST's ABCs is slow
                continue  # defs are statements
            stack.extend(reversed(child_nodes(node)))

    def _add_func(self, func: Func) -> None:
        self.funcs.append(func)
        self.func_of_node[id(func.node)] = func
        if not func.is_module:
            self.by_name.setdefault(func.name, []).append(func)

    def _scan_func(self, func: Func) -> None:
        """One walk over a function's own frame: calls with their context, assignments..."""
        assigns = func.assigns
        awaited: set[int] = set()

        def add_assign(target: cst.CSTNode, value: cst.BaseExpression) -> None:
            if isinstance(target, (cst.Tuple, cst.List)):
                elements = [e.value for e in target.elements]
                if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements) and not any(
                    isinstance(e, (cst.StarredElement,)) for e in value.elements
                ):
                    for t, v in zip(elements, value.elements):
                        add_assign(t, v.value)
                else:
                    for t in elements:
                        add_assign(t, value)
                return
            name = dotted_name(target)
            if name is not None:
                assigns.setdefault(name, []).append(value)

        aug_ops = {
            cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract,
            cst.MultiplyAssign: cst.Multiply, cst.DivideAssign: cst.Divide,
            cst.PowerAssign: cst.Power, cst.LeftShiftAssign: cst.LeftShift,
        }
        try_types = (cst.Try, getattr(cst, "TryStar", cst.Try))

        def visit(node: cst.CSTNode, frames: tuple[Frame, ...]) -> None:
            t = type(node)  # exact types: isinstance on LibCST's ABCs is slow
            if t is cst.Name:  # the commonest nodes first: they need none of the tests below
                func.names.add(node.value)
                return
            if t is cst.Attribute:
                func.attrs.add(node.attr.value)
                for child in child_nodes(node):
                    visit(child, frames)
                return
            if t is cst.FunctionDef or t is cst.ClassDef:
                return
            if t in try_types:
                visit(node.body, frames + (Frame("try", node),))
                for h in node.handlers:
                    if h.type is not None:
                        visit(h.type, frames)
                    visit(h.body, frames + (Frame("handler", node),))
                if node.orelse is not None:
                    visit(node.orelse, frames + (Frame("try_else", node),))
                if node.finalbody is not None:
                    visit(node.finalbody, frames + (Frame("finally", node),))
                return
            if t is cst.If:
                visit(node.test, frames)
                visit(node.body, frames + (Frame("if", node),))
                if node.orelse is not None:
                    visit(node.orelse, frames + (Frame("else", node),))
                return
            if t is cst.For or t is cst.While:
                func.loops.append(node)
                if t is cst.For:
                    visit(node.iter, frames)
                    visit(node.target, frames)
                else:
                    visit(node.test, frames + (Frame("loop", node),))
                visit(node.body, frames + (Frame("loop", node),))
                if node.orelse is not None:
                    visit(node.orelse, frames)
                return
            if t is cst.With:
                for item in node.items:
                    visit(item, frames)
                    if item.asname is not None:
                        add_assign(item.asname.name, item.item)
                visit(node.body, frames + (Frame("with", node),))
                return
            if t is cst.Lambda:
                visit(node.body, frames + (Frame("lambda", node),))
                return
            if t is cst.Await:
                if type(node.expression) is cst.Call:
                    awaited.add(id(node.expression))
            elif t is cst.Call:
                self._add_call(func, node, id(node) in awaited, frames)
            elif t is cst.Return or t is cst.Break or t is cst.Continue or t is cst.Raise:
                func.events.append(Event(node, frames))
                if t is cst.Return and node.value is not None:
                    func.returns_value = True
            elif t is cst.Yield:
                func.returns_value = True
            elif t is cst.Expr:
                value = node.value.expression if type(node.value) is cst.Await else node.value
                if type(value) is cst.Call:
                    func.discarded.add(id(value))
            elif t is cst.Assign:
                for target in node.targets:
                    add_assign(target.target, node.value)
            elif t is cst.AnnAssign:
                if node.value is not None:
                    add_assign(node.target, node.value)
            elif t is cst.AugAssign:
                op = aug_ops.get(type(node.operator))
                if op is not None:
                    add_assign(node.target, cst.BinaryOperation(left=node.target, operator=op(), right=node.value))
            elif t is cst.NamedExpr:
                add_assign(node.target, node.value)
            elif t is cst.SimpleString:
                v = string_value(node)
                if v is not None:
                    func.strings.add(v)
                return
            elif t is cst.FormattedStringText:
                func.strings.add(node.value)
                return
            elif t is cst.Integer:
                v = number_value(node)
                if type(v) is int:
                    func.ints.add(v)
                return
            elif t is cst.Attribute:
                func.attrs.add(node.attr.value)
            elif t is cst.Name:
                func.names.add(node.value)
                return
            elif t is cst.Arg:
                if node.keyword is not None:
                    func.kw_names.add(node.keyword.value)
            for child in child_nodes(node):
                visit(child, frames)

        root = func.node
        if isinstance(root, cst.FunctionDef):
            visit(root.body, ())
        else:
            for stmt in root.body:
                visit(stmt, ())
        del visit, add_assign  # a recursive closure is a reference cycle: it would keep the tree alive until the collector runs

    def _add_call(self, func: Func, node: cst.Call, awaited: bool, frames: tuple[Frame, ...]) -> None:
        ref = CallRef(node, node.func, tuple(node.args), awaited)
        func.calls.append(ref)
        func.call_frames[id(node)] = frames
        func.events.append(Event(node, frames))
        # indirect calls: to_thread(f, ...), run_in_executor(ex, f, ...), partial(f, ...)
        name = self.qual(node.func) or ""
        last = name.rsplit(".", 1)[-1]
        args = list(node.args)
        fn_index = None
        if last in ("to_thread", "partial", "submit", "call_soon_threadsafe", "spawn"):
            fn_index = 0
        elif last == "run_in_executor":
            fn_index = 1
        if fn_index is not None and len(args) > fn_index and args[fn_index].keyword is None:
            target = args[fn_index].value
            if isinstance(target, (cst.Name, cst.Attribute)):
                func.calls.append(
                    CallRef(node, target, tuple(args[fn_index + 1 :]), awaited, indirect=True)
                )

    # ---- names -------------------------------------------------------------------------
    def qual(self, expr: cst.CSTNode | None) -> str | None:
        d = dotted_name(expr)
        if d is None:
            return None
        return self.imports.resolve(d) or d

    def lookup(self, name: str, func: Func | None) -> list[cst.BaseExpression]:
        """Values assigned to a dotted name, nearest scope first."""
        scope = func
        while scope is not None:
            if name in scope.assigns:
                return scope.assigns[name]
            scope = scope.parent
        if name.startswith("self.") or name.startswith("cls."):
            return self.attr_assigns.get("self." + name.split(".", 1)[1], [])
        if name in self.attr_assigns:
            return self.attr_assigns[name]
        return self.module_assigns.get(name, [])

    def param_owner(self, name: str, func: Func | None) -> Func | None:
        scope = func
        while scope is not None:
            if name in scope.assigns:
                return None
            if name in scope.params:
                return scope
            scope = scope.parent
        return None

    # ---- client kinds ------------------------------------------------------------------
    def _ctor_kinds(self, expr: cst.CSTNode | None, func: Func | None, depth: int = 0) -> set[str]:
        self._kinds_budget -= 1
        if self._kinds_budget < 0:
            raise _TooCostly  # see _KINDS_BUDGET
        if expr is None or depth > 4:
            return set()
        key = (id(expr), id(func))
        if key in self._kinds_active:
            self._kinds_cut = True
            return set()  # a cycle: a = f(); def f(): return a
        if self._kinds_final:
            memo = self._kinds_memo.get(key)
        else:  # while the kinds are collected: valid until they next change, at this depth
            memo = self._pass_memo.get((key, depth, self._kinds_generation))
        if memo is not None:
            return set(memo)
        self._kinds_active.add(key)
        outer_cut, self._kinds_cut = self._kinds_cut, False
        try:
            out = self._ctor_kinds_uncached(expr, func, depth)
        finally:
            self._kinds_active.discard(key)
            cut, self._kinds_cut = self._kinds_cut, outer_cut or self._kinds_cut
        if self._kinds_final:
            self._kinds_memo[key] = frozenset(out)
        elif not cut:  # a value cut short by a cycle depends on where the lookup started
            self._pass_memo[(key, depth, self._kinds_generation)] = frozenset(out)
        return out

    def _ctor_kinds_uncached(self, expr: cst.CSTNode, func: Func | None, depth: int) -> set[str]:
        if isinstance(expr, cst.Await):
            return self._ctor_kinds(expr.expression, func, depth + 1)
        if isinstance(expr, (cst.IfExp,)):
            return self._ctor_kinds(expr.body, func, depth + 1) | self._ctor_kinds(expr.orelse, func, depth + 1)
        if isinstance(expr, cst.BooleanOperation):
            return self._ctor_kinds(expr.left, func, depth + 1) | self._ctor_kinds(expr.right, func, depth + 1)
        if isinstance(expr, cst.Call):
            callee = expr.func
            # getattr(ccxt, "bybit")(...)
            if isinstance(callee, cst.Call) and dotted_name(callee.func) == "getattr" and callee.args:
                mod = self.qual(callee.args[0].value) or ""
                if mod.split(".")[0] in ("ccxt", "ccxtpro"):
                    return {"ccxt_async" if ("async" in mod or "pro" in mod) else "ccxt"}
            kind = self.type_kind(callee)
            if kind:
                return {kind}
            if isinstance(callee, (cst.Name, cst.Attribute)):
                out: set[str] = set()
                for target in self._funcs_named_for(callee, func):
                    for value in target.returned_values():
                        out |= self._ctor_kinds(value, target, depth + 1)
                return out
            return set()
        if isinstance(expr, (cst.Name, cst.Attribute)):
            d = dotted_name(expr)
            if d is None:
                return set()
            if d in self.obj_kinds:
                return set(self.obj_kinds[d])
            if d.startswith("cls.") and "self." + d[4:] in self.obj_kinds:
                return set(self.obj_kinds["self." + d[4:]])
        return set()

    def type_kind(self, callee: cst.CSTNode) -> str | None:
        """The kind of object a constructor / annotation names."""
        if isinstance(callee, cst.Subscript):
            callee = callee.value
        q = self.qual(callee)
        if not q:
            if isinstance(callee, cst.SimpleString):
                try:
                    return self.type_kind(cst.parse_expression(string_value(callee) or "x"))
                except Exception:
                    return None
            return None
        parts = q.split(".")
        head, last = parts[0], parts[-1]
        if head == "pybit" and last == "HTTP":
            return "pybit"
        if head == "pybit" and last in ("WebSocket", "WebSocketTrading"):
            return "pybit_ws"  # frames over a websocket: not a blocking HTTP call
        if head in ("ccxt", "ccxtpro"):
            if last in ("bybit", "Exchange"):
                return "ccxt_async" if ("async_support" in parts or "pro" in parts or head == "ccxtpro") else "ccxt"
            return None
        if head == "requests" and last in ("Session", "session"):
            return "requests"
        if head == "aiohttp" and last == "ClientSession":
            return "aiohttp"
        if head == "httpx" and last in ("Client", "AsyncClient"):
            return "httpx"
        if q in self.class_methods:
            return f"class:{q}"
        return None

    def _collect_kinds(self) -> None:
        kinds = self.obj_kinds
        for _ in range(3):
            changed = False
            for func in self.funcs:
                for name, values in func.assigns.items():
                    key = name if not name.startswith("cls.") else "self." + name[4:]
                    for value in values:
                        found = self._ctor_kinds(value, func)
                        if found - kinds.get(key, set()):
                            kinds.setdefault(key, set()).update(found)
                            changed = True
                            self._kinds_generation += 1
                for pname, ann in func.annotations.items():
                    kind = self.type_kind(ann)
                    if kind and kind not in kinds.get(pname, set()):
                        kinds.setdefault(pname, set()).add(kind)
                        changed = True
                        self._kinds_generation += 1
            for key, values in self.attr_assigns.items():
                for value in values:
                    found = self._ctor_kinds(value, None)
                    if found - kinds.get(key, set()):
                        kinds.setdefault(key, set()).update(found)
                        changed = True
                        self._kinds_generation += 1
            if not changed:
                break
        self._pass_memo.clear()

    def receiver_kinds(self, expr: cst.CSTNode | None, func: Func | None) -> set[str]:
        if expr is None:
            return set()
        if isinstance(expr, cst.Call):
            return self._ctor_kinds(expr, func)
        d = dotted_name(expr)
        if d is None:
            return set()
        out: set[str] = set()
        scope = func
        while scope is not None:
            if d in scope.assigns:
                for value in scope.assigns[d]:
                    out |= self._ctor_kinds(value, scope)
                if out:
                    return out
                break
            if d in scope.annotations:
                kind = self.type_kind(scope.annotations[d])
                if kind:
                    return {kind}
            scope = scope.parent
        return self._ctor_kinds(expr, func)

    # ---- call resolution ---------------------------------------------------------------
    def _enclosing_class(self, func: Func | None) -> str | None:
        while func is not None:
            if func.cls is not None:
                return func.cls
            func = func.parent
        return None

    def _methods_named(self, cls: str | None, name: str) -> list[Func]:
        seen: set[str] = set()
        while cls is not None and cls not in seen:
            seen.add(cls)
            method = self.class_methods.get(cls, {}).get(name)
            if method is not None:
                return [method]
            bases = [b for b in self.class_bases.get(cls, []) if b in self.class_methods]
            cls = bases[0] if bases else None
        return []

    def _funcs_named_for(self, callee: cst.CSTNode, func: Func | None) -> list[Func]:
        if isinstance(callee, cst.Name):
            name = callee.value
            scope = func
            while scope is not None:
                for f in self.by_name.get(name, []):
                    if f.parent is scope:
                        return [f]
                scope = scope.parent
            top = self.top_level.get(name)
            return [top] if top is not None else []
        if isinstance(callee, cst.Attribute):
            name = callee.attr.value
            recv = callee.value
            rd = dotted_name(recv)
            if rd in ("self", "cls"):
                own = self._methods_named(self._enclosing_class(func), name)
                if own:
                    return own
                return [f for f in self.by_name.get(name, []) if f.cls is not None]
            if isinstance(recv, cst.Call) and dotted_name(recv.func) == "super":
                return [f for f in self.by_name.get(name, []) if f.cls is not None and f.cls != self._enclosing_class(func)]
            if rd in self.class_methods:  # Class.method / Class.staticmethod
                return self._methods_named(rd, name)
            kinds = self.receiver_kinds(recv, func)
            classes = [k[6:] for k in kinds if k.startswith("class:")]
            if classes:
                out = []
                for c in classes:
                    out += self._methods_named(c, name)
                return out
            if kinds:
                return []
            if rd is not None and self.imports.resolve(rd.split(".")[0]) is not None:
                return []  # a call into an imported module
            if name in _CONTAINER_METHODS and self._plain_data(recv, func):
                return []  # ``data.get("retCode")`` is dict.get, not the client's own ``get``
            return [f for f in self.by_name.get(name, []) if f.cls is not None]
        return []

    def _plain_data(self, recv: cst.CSTNode, func: Func | None) -> bool:
        """Whether a receiver holds parsed data (a dict, a list, a response's JSON) rather
        than an object of the module's own classes."""
        if isinstance(recv, (cst.Subscript, cst.Dict, cst.List)):
            return True
        if isinstance(recv, cst.Call):
            return not self.receiver_kinds(recv, func)
        d = dotted_name(recv)
        if d is None:
            return True
        if self.param_owner(d, func) is not None:
            return True  # a parameter: ``resp.get(...)`` on whatever the caller passed
        values = self.lookup(d, func)
        if not values:
            return True
        return all(
            isinstance(v, (cst.Subscript, cst.Dict, cst.List, cst.SimpleString, cst.FormattedString))
            or (isinstance(v, (cst.Call, cst.Await)) and not self.receiver_kinds(v, func))
            for v in values
        )

    def classify(self, ref: CallRef, func: Func, raw: bool = True) -> str | None:
        """``pybit`` / ``ccxt`` / ``raw`` when the call itself talks to Bybit, else None."""
        if raw and self.raw_url(ref, func) is not None:
            return "raw" if self.is_bybit_request(ref, func) else None
        method = ref.attr
        recv = ref.receiver
        if method is None or recv is None:
            return None
        rd = dotted_name(recv)
        if rd in ("self", "cls"):
            return None
        kinds = self.receiver_kinds(recv, func)
        if "pybit" in kinds and method not in PYBIT_NON_API and not method.startswith("_"):
            return "pybit"
        if kinds & {"ccxt", "ccxt_async"} and _ccxt_api(method):
            return "ccxt"
        if kinds:
            return None
        if self._funcs_named_for(ref.func, func):
            return None
        if rd is not None and rd.split(".")[0] in self.imports.aliases and not rd.startswith("self"):
            mod = self.imports.aliases[rd.split(".")[0]]
            if not mod.startswith(("ccxt", "pybit")):
                return None
        if method in PYBIT_COMMON and self.imports.uses("pybit"):
            return "pybit"
        if method.startswith(("private_", "public_")) and rd is not None and ".rest." in f".{rd}." and self.imports.uses("pybybit"):
            # pybybit: ``bybit.rest.inverse.private_order_create(...)`` returns the
            # requests.Response itself
            return "pybybit"
        if _ccxt_api(method) and self.imports.uses("ccxt") and _client_like(rd):
            return "ccxt"
        return None

    def raw_url(self, ref: CallRef, func: Func) -> cst.BaseExpression | None:
        """The URL argument of a requests / aiohttp / httpx / urllib call (None if not one)."""
        q = self.qual(ref.func) or ""
        method = ref.attr
        parts = q.split(".")
        pos = ref.positional()
        url_kw = ref.kw("url")

        def url_at(index: int) -> cst.BaseExpression | None:
            if url_kw is not None:
                return url_kw.value
            return pos[index] if len(pos) > index else None

        if parts[0] in ("requests", "httpx") and len(parts) == 2:
            if parts[1] in HTTP_VERBS:
                return url_at(0)
            if parts[1] in ("request", "stream"):
                return url_at(1)
            return None
        if q in ("aiohttp.request",):
            return url_at(1)
        if q in ("urllib.request.urlopen", "urllib.request.Request"):
            return url_at(0)
        if method is None or ref.receiver is None:
            return None
        if method == "send" and pos and self.receiver_kinds(ref.receiver, func) & {"requests", "httpx"}:
            return self._request_url(pos[0], func)
        if method not in HTTP_VERBS and method not in ("request", "stream", "ws_connect"):
            return None
        if method == "ws_connect":
            return None
        rd = dotted_name(ref.receiver)
        if rd in ("self", "cls"):
            return None
        kinds = self.receiver_kinds(ref.receiver, func)
        index = 1 if method in ("request", "stream") else 0
        if kinds & {"requests", "aiohttp", "httpx"}:
            return url_at(index)
        if kinds:
            return None
        if self._funcs_named_for(ref.func, func):
            return None
        # unknown receiver: only when its URL is plainly Bybit's
        url = url_at(index)
        if url is not None and not isinstance(url, (cst.Integer, cst.Float)):
            strings, _, _ = self.reach(url, func)
            if any(is_bybit_text(s) for s in strings) and any(
                s.startswith(("http", "/")) or "/v5/" in s for s in strings
            ):
                return url
        return None

    def _request_url(self, expr: cst.CSTNode, func: Func, depth: int = 0) -> cst.BaseExpression | None:
        """The URL inside a prepared request (``build_request``, ``Request(...).prepare()``)."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Await):
            return self._request_url(expr.expression, func, depth + 1)
        if isinstance(expr, (cst.Name, cst.Attribute)):
            for value in self.lookup(dotted_name(expr) or "", func):
                url = self._request_url(value, func, depth + 1)
                if url is not None:
                    return url
            return None
        if not isinstance(expr, cst.Call):
            return None
        ref = CallRef(expr, expr.func, tuple(expr.args))
        pos = ref.positional()
        kw = ref.kw("url")
        attr = ref.attr
        q = self.qual(expr.func) or ""
        if attr == "prepare" and ref.receiver is not None:
            return self._request_url(ref.receiver, func, depth + 1)
        if attr == "prepare_request" and pos:
            return self._request_url(pos[0], func, depth + 1)
        if attr == "build_request" or q in ("requests.Request", "httpx.Request", "requests.models.Request"):
            if kw is not None:
                return kw.value
            return pos[1] if len(pos) > 1 else None
        return None

    def http_method(self, ref: CallRef, func: Func) -> set[str]:
        """The HTTP methods a raw call may use (upper case; empty when unknown)."""
        method = (ref.attr or "").lower()
        if method in HTTP_VERBS:
            return {method.upper()}
        target = None
        if method in ("request", "stream", "build_request") or (self.qual(ref.func) or "").endswith(".Request"):
            pos = ref.positional()
            kw = ref.kw("method")
            target = kw.value if kw is not None else (pos[0] if pos else None)
        elif method == "send" and ref.positional():
            inner = ref.positional()[0]
            for value in self.lookup(dotted_name(inner) or "", func) if isinstance(inner, (cst.Name, cst.Attribute)) else [inner]:
                if isinstance(value, cst.Call):
                    sub = CallRef(value, value.func, tuple(value.args))
                    while sub.attr == "prepare" and isinstance(sub.receiver, cst.Call):
                        sub = CallRef(sub.receiver, sub.receiver.func, tuple(sub.receiver.args))
                    return self.http_method(sub, func)
        if target is None:
            return set()
        strings = self.reach(target, func)[0]
        return {s.upper() for s in strings if s.upper() in {"GET", "POST", "PUT", "DELETE", "PATCH"}}

    def is_bybit_request(self, ref: CallRef, func: Func) -> bool:
        url = self.raw_url(ref, func)
        if url is None:
            return False
        strings, unresolved, _ = self.reach(url, func)
        if any(is_bybit_text(s) for s in strings):
            return True
        if any(foreign_url(s) for s in strings):
            return False
        if not self.bybit_evidence:
            return False
        if any(h in n.lower() for n in names_in(url) for h in FOREIGN_NAME_HINTS):
            return False  # self.webhook_url, TELEGRAM_URL...
        # nothing about the host or path is visible (a configured base URL, a path from a
        # caller outside the module) in a module that talks to Bybit
        meaningful = [s for s in strings if sum(ch.isalnum() for ch in s) >= 3 and s.upper() not in ("GET", "POST")]
        return not meaningful

    # ---- value reach -------------------------------------------------------------------
    def reach(
        self, expr: cst.CSTNode, func: Func | None, depth: int = 0, follow_params: bool = True
    ) -> tuple[frozenset[str], bool, frozenset[str]]:
        """(strings an expression may contain, whether some part is unknown, params it reads).

        With ``follow_params=False`` a parameter stays unknown instead of being replaced by
        what the module's call sites pass for it.
        """
        key = (id(expr), id(func), follow_params)
        cached = self._reach_cache.get(key)
        if cached is not None:
            return cached
        self._reach_cache[key] = (frozenset(), True, frozenset())  # cycle guard
        strings: set[str] = set()
        params: set[str] = set()
        unresolved = False
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Lambda, cst.FunctionDef)):
                continue
            if isinstance(node, cst.SimpleString):
                v = string_value(node)
                if v is not None:
                    strings.add(v)
                continue
            if isinstance(node, cst.FormattedStringText):
                strings.add(node.value)
                continue
            if isinstance(node, (cst.Name, cst.Attribute)):
                d = dotted_name(node)
                if d is None:
                    stack.extend(child_nodes(node))
                    continue
                if d in ("self", "cls", "None", "True", "False"):
                    continue
                owner = self.param_owner(d, func)
                if owner is not None:
                    params.add(d)
                    if not follow_params:
                        unresolved = True
                        continue
                    if d in owner.defaults:
                        # a default is evaluated where the function is defined, not in its
                        # own frame: ``def f(url=url)`` reads the enclosing ``url``
                        s, u, _ = self.reach(owner.defaults[d], owner.parent, depth + 1, follow_params)
                        strings |= s
                        unresolved = unresolved or u
                    if owner.name == "__init__" or depth >= 3:
                        unresolved = True
                        continue
                    sites = self.arg_values(owner, d)
                    if not sites:
                        unresolved = True
                    for value, caller in sites:
                        s, u, _ = self.reach(value, caller, depth + 1)
                        strings |= s
                        unresolved = unresolved or u
                    continue
                values = self.lookup(d, func)
                if values and depth < 6:
                    for value in values:
                        s, u, p = self.reach(value, func, depth + 1, follow_params)
                        strings |= s
                        params |= p
                        unresolved = unresolved or u
                    continue
                if isinstance(node, cst.Attribute):
                    # an attribute of something: read what we can of the base (cfg.url -> cfg)
                    unresolved = True
                    continue
                unresolved = True
                continue
            if isinstance(node, cst.Call):
                targets = self._funcs_named_for(node.func, func) if depth < 3 else []
                for target in targets:
                    for value in target.returned_values():
                        s, u, _ = self.reach(value, target, depth + 1)
                        strings |= s
                        unresolved = unresolved or u
                if isinstance(node.func, cst.Attribute):
                    stack.append(node.func.value)
                elif not targets:
                    unresolved = True
                for arg in node.args:
                    stack.append(arg.value)
                continue
            stack.extend(child_nodes(node))
        result = (frozenset(strings), unresolved, frozenset(params))
        self._reach_cache[key] = result
        return result

    def arg_values(self, owner: Func, param: str) -> list[tuple[cst.BaseExpression, Func]]:
        """What the module's own call sites pass for ``param`` of ``owner``."""
        out = []
        index = owner.positional_params.index(param) if param in owner.positional_params else None
        for ref, caller in self.callers.get(owner, []):
            if ref.indirect:
                continue
            kw = ref.kw(param)
            if kw is not None:
                out.append((kw.value, caller))
                continue
            if index is None:
                continue
            pos = ref.positional()
            i = index - (1 if owner.is_method and not _is_unbound_call(ref, self) else 0)
            if 0 <= i < len(pos):
                out.append((pos[i], caller))
        return out

    # ---- call graph --------------------------------------------------------------------
    def _resolve_calls(self) -> None:
        # 1. the call graph, with every HTTP-library call set aside: whether its URL is
        #    Bybit's may depend on what the module's own call sites pass
        http_calls: list[tuple[CallRef, Func]] = []
        unknown: list[tuple[CallRef, Func]] = []
        for func in self.funcs:
            for ref in func.calls:
                if self._http_lib_call(ref, func):
                    http_calls.append((ref, func))
                    continue
                kind = self.classify(ref, func, raw=False)
                if kind is not None:
                    func.api_calls[id(ref)] = kind
                    continue
                targets = self._funcs_named_for(ref.func, func)
                if targets:
                    func.targets[id(ref)] = targets
                    for t in targets:
                        self.callers.setdefault(t, []).append((ref, func))
                elif ref.attr in HTTP_VERBS or ref.attr in ("request", "stream"):
                    unknown.append((ref, func))
        # 2. now that call sites are known, which HTTP calls reach Bybit
        self._reach_cache.clear()
        for ref, func in http_calls + unknown:
            if self.raw_url(ref, func) is not None and self.is_bybit_request(ref, func):
                func.api_calls[id(ref)] = "raw"

    def _http_lib_call(self, ref: CallRef, func: Func) -> bool:
        q = self.qual(ref.func) or ""
        head = q.split(".")[0]
        if head in ("requests", "httpx", "aiohttp", "urllib") and ref.attr not in (
            "Session", "session", "ClientSession", "Client", "AsyncClient", "ClientTimeout", "TCPConnector", "Request",
        ):
            return True
        if ref.receiver is not None and (ref.attr in HTTP_VERBS or ref.attr in ("request", "stream", "send")):
            return bool(self.receiver_kinds(ref.receiver, func) & {"requests", "aiohttp", "httpx"})
        return False

    def _propagate_api(self) -> None:
        for func in self.funcs:
            func.does_api = bool(func.api_calls)
        changed = True
        while changed:
            changed = False
            for func in self.funcs:
                if func.does_api:
                    continue
                for targets in func.targets.values():
                    if any(t.does_api for t in targets):
                        func.does_api = True
                        changed = True
                        break

    def is_api_ref(self, ref: CallRef, func: Func) -> bool:
        if id(ref) in func.api_calls:
            return True
        return any(t.does_api for t in func.targets.get(id(ref), []))

    def callees(self, func: Func) -> Iterator[Func]:
        for targets in func.targets.values():
            yield from targets

    def transitive_callees(self, roots: Iterable[Func]) -> set[Func]:
        return _closure(roots, self.callees)

    def transitive_callers(self, roots: Iterable[Func]) -> set[Func]:
        return _closure(roots, lambda f: (c for _, c in self.callers.get(f, [])))

    def enclosing_func_chain(self, func: Func) -> Iterator[Func]:
        while func is not None:
            yield func
            func = func.parent

    # ---- sleeps and delays -------------------------------------------------------------
    def sleep_arg(self, ref: CallRef, func: Func) -> cst.BaseExpression | None | bool:
        """The delay of a sleep call (False when the call is not a sleep)."""
        q = self.qual(ref.func) or ""
        if q in SLEEP_FUNCS or (q.endswith(".sleep") and q.split(".")[0] in ("time", "asyncio", "trio", "anyio", "gevent", "eventlet")):
            pos = ref.positional()
            if pos:
                return pos[0]
            for name in ("seconds", "secs", "delay"):
                kw = ref.kw(name)
                if kw is not None:
                    return kw.value
            return None
        if q == "asyncio.wait_for" and ref.positional():
            inner = ref.positional()[0]
            if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) and inner.func.attr.value == "wait":
                kw = ref.kw("timeout")
                pos = ref.positional()
                return kw.value if kw is not None else (pos[1] if len(pos) > 1 else None)
        if ref.attr == "wait" and ref.receiver is not None:
            rd = (dotted_name(ref.receiver) or "").lower()
            if any(h in rd for h in ("event", "stop", "shutdown", "halt", "exit", "cancel", "kill")):
                pos = ref.positional()
                kw = ref.kw("timeout")
                if pos:
                    return pos[0]
                if kw is not None:
                    return kw.value
        return False

    def delay_traits(
        self, expr: cst.CSTNode | None, func: Func, loopvars: set[str], seen: set[int] | None = None, depth: int = 0
    ) -> set[str]:
        if expr is None:
            return {"constant"}
        seen = seen if seen is not None else set()
        if id(expr) in seen or depth > 6:
            return set()
        seen.add(id(expr))
        traits: set[str] = set()
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Lambda,)):
                continue
            if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Power, cst.LeftShift)):
                if number_value(node.right) is None:  # 2 ** 3 is a constant
                    traits.add("exp")
            if isinstance(node, cst.Call):
                q = self.qual(node.func) or ""
                last = q.rsplit(".", 1)[-1]
                if q in ("math.pow", "pow", "math.exp"):
                    traits.add("exp")
                if q.startswith(RANDOM_MODULES) or (last in RANDOM_FUNCS and self.imports.resolve(last) and (self.imports.resolve(last) or "").startswith("random.")):
                    traits.add("jitter")
                for target in self._funcs_named_for(node.func, func):
                    for value in target.returned_values():
                        traits |= self.delay_traits(value, target, set(target.params), seen, depth + 1)
                    # a helper computing a delay from a header / retry-after
                    if any(RESET_RE.search(s) for s in target.strings):
                        traits.add("reset")
            if isinstance(node, cst.SimpleString):
                v = string_value(node) or ""
                if RESET_RE.search(v):
                    traits.add("reset")
            if isinstance(node, (cst.Name, cst.Attribute)):
                d = dotted_name(node)
                if d is not None:
                    if RESET_RE.search(d):
                        traits.add("reset")
                    if d in loopvars:
                        traits.add("linear")
                    values = self.lookup(d, func) if d not in loopvars else []
                    for value in values:
                        if _self_referential(value, d, cst.Multiply) or _self_referential(value, d, cst.Power) or _self_referential(value, d, cst.LeftShift):
                            traits.add("exp")
                        elif _self_referential(value, d, cst.Add):
                            traits.add("linear")
                        traits |= self.delay_traits(value, func, loopvars, seen, depth + 1)
                    if isinstance(node, cst.Attribute):
                        continue
            stack.extend(child_nodes(node))
        return traits

    # ---- link ids ------------------------------------------------------------------------
    def dict_keys(self, expr: cst.CSTNode | None, func: Func, depth: int = 0) -> tuple[set[str], bool]:
        """Keys a dict-valued expression may hold, and whether some part is unknown."""
        if expr is None or depth > 5:
            return set(), True
        if isinstance(expr, cst.Dict):
            keys: set[str] = set()
            unknown = False
            for el in expr.elements:
                if isinstance(el, cst.DictElement):
                    k = string_value(el.key)
                    if k is not None:
                        keys.add(k)
                    else:
                        unknown = True
                else:  # **other
                    k2, u2 = self.dict_keys(el.value, func, depth + 1)
                    keys |= k2
                    unknown = unknown or u2
            return keys, unknown
        if isinstance(expr, cst.Call):
            q = self.qual(expr.func) or ""
            if q in ("dict",):
                keys = {a.keyword.value for a in expr.args if a.keyword is not None}
                unknown = False
                for a in expr.args:
                    if a.keyword is None:
                        k2, u2 = self.dict_keys(a.value, func, depth + 1)
                        keys |= k2
                        unknown = unknown or u2
                return keys, unknown
            if q.endswith("dumps") and expr.args:
                return self.dict_keys(expr.args[0].value, func, depth + 1)
            targets = self._funcs_named_for(expr.func, func)
            if targets:
                keys, unknown = set(), False
                for t in targets:
                    vals = t.returned_values()
                    if not vals:
                        unknown = True
                    for v in vals:
                        k2, u2 = self.dict_keys(v, t, depth + 1)
                        keys |= k2
                        unknown = unknown or u2
                    keys |= LINK_ID_KEYS & (t.strings | t.kw_names)
                return keys, unknown
            return set(), True
        if isinstance(expr, (cst.Name, cst.Attribute)):
            d = dotted_name(expr)
            if d is None:
                return set(), True
            if self.param_owner(d, func) is not None:
                return set(), True
            values = self.lookup(d, func)
            if not values:
                return set(), True
            keys, unknown = set(), False
            for v in values:
                k2, u2 = self.dict_keys(v, func, depth + 1)
                keys |= k2
                unknown = unknown or u2
            # body["orderLinkId"] = ..., body.update(orderLinkId=...)
            keys |= self._subscript_keys(d, func)
            return keys, unknown
        if isinstance(expr, cst.IfExp):
            k1, u1 = self.dict_keys(expr.body, func, depth + 1)
            k2, u2 = self.dict_keys(expr.orelse, func, depth + 1)
            return k1 | k2, u1 or u2
        if isinstance(expr, cst.BooleanOperation):
            k1, u1 = self.dict_keys(expr.left, func, depth + 1)
            k2, u2 = self.dict_keys(expr.right, func, depth + 1)
            return k1 | k2, u1 and u2
        if isinstance(expr, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return set(), False  # a query string: no body
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            k1, u1 = self.dict_keys(expr.left, func, depth + 1)
            k2, u2 = self.dict_keys(expr.right, func, depth + 1)
            return k1 | k2, u1 or u2
        if isinstance(expr, (cst.List, cst.Tuple)):
            keys, unknown = set(), False
            for el in expr.elements:
                k2, u2 = self.dict_keys(el.value, func, depth + 1)
                keys |= k2
                unknown = unknown or u2
            return keys, unknown
        return set(), True

    def _subscript_keys(self, name: str, func: Func) -> set[str]:
        out: set[str] = set()
        for node in frame_nodes(func.node):
            if isinstance(node, cst.Subscript) and dotted_name(node.value) == name:
                for el in node.slice:
                    if isinstance(el.slice, cst.Index):
                        k = string_value(el.slice.value)
                        if k is not None:
                            out.add(k)
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and dotted_name(node.func.value) == name:
                if node.func.attr.value in ("update", "setdefault"):
                    for a in node.args:
                        if a.keyword is not None:
                            out.add(a.keyword.value)
                        else:
                            k = string_value(a.value)
                            if k is not None:
                                out.add(k)
                            elif isinstance(a.value, cst.Dict):
                                out |= self.dict_keys(a.value, func)[0]
        return out


    # ---- retries -----------------------------------------------------------------------
    def analyze_retries(self) -> None:
        """Find every retry construct around a Bybit API call (once per module)."""
        if self._retry_analysis_done:
            return
        self._retry_analysis_done = True
        self.retry_call_ids: set[int] = set()  # calls lexically inside a retry loop body
        self.retry_loop_of: dict[int, cst.CSTNode] = {}  # call id -> innermost... first retry loop
        self.self_retrying: set[Func] = set()  # decorated / recursive retry functions
        roots: set[Func] = set()
        self._callable_params()
        for func in self.funcs:
            if not func.is_module and func.does_api:
                for dec in func.node.decorators:
                    spec = self.decorator_spec(dec, func)
                    if spec is not None:
                        lib, delay, bounded = spec
                        self.retries.append(Retry("decorator", dec, func, delay, bounded, lib, list(func.calls)))
                        self.self_retrying.add(func)
            for loop in func.loops:
                retry = self.loop_retry(loop, func)
                if retry is not None:
                    self.retries.append(retry)
                    for ref in retry.body_calls:
                        self.retry_call_ids.add(id(ref.node))
                        self.retry_loop_of.setdefault(id(ref.node), loop)
                        roots.update(func.targets.get(id(ref), []))
                        # a retried callable parameter: what the decorator wraps, what the
                        # call sites hand over
                        key = self._callable_param_key(ref, func)
                        if key is not None and key in self.api_callable_params:
                            self.retried_params.add(key)
                            for source, src_func, value in self.callable_sources.get(key, []):
                                if source is None:
                                    self.self_retrying.add(src_func)
                                    continue
                                for node in frame_nodes(value):
                                    self.retry_call_ids.add(id(node))
                                if isinstance(value, (cst.Name, cst.Attribute)):
                                    roots.update(self._funcs_named_for(value, src_func))
            if not func.is_module and func.does_api:
                for retry in self.recursion_retries(func):
                    self.retries.append(retry)
                    self.self_retrying.add(func)
        self.retry_path: set[Func] = self.transitive_callees(roots | self.self_retrying)
        self._senders()

    # callables handed to retry helpers ------------------------------------------------
    def _callable_params(self) -> None:
        """Parameters that receive a Bybit-calling callable: the function a decorator wraps,
        ``call_with_retry(session.get_positions, ...)``, ``retry(lambda: ...)``."""
        self.api_callable_params: set[tuple[Func, str]] = set()
        self.retried_params: set[tuple[Func, str]] = set()
        # (receiver, param) -> [(call site or None for a decorator, function, value)]
        self.callable_sources: dict[tuple[Func, str], list[tuple[CallRef | None, Func, cst.CSTNode]]] = {}
        for func in self.funcs:
            if not func.is_module:
                for dec in func.node.decorators:
                    for receiver in self._decorator_receivers(dec.decorator, func):
                        if not receiver.positional_params:
                            continue
                        key = (receiver, receiver.positional_params[0])
                        self.callable_sources.setdefault(key, []).append((None, func, func.node))
                        if func.does_api:
                            self.api_callable_params.add(key)
            for ref in func.calls:
                for target in func.targets.get(id(ref), []):
                    for param, value in self._bind_args(ref, target):
                        if self._api_callable(value, func):
                            key = (target, param)
                            self.api_callable_params.add(key)
                            self.callable_sources.setdefault(key, []).append((ref, func, value))

    def _decorator_receivers(self, expr: cst.CSTNode, func: Func) -> list[Func]:
        if isinstance(expr, cst.Call):
            out = []
            for g in self._funcs_named_for(expr.func, func.parent or self.funcs[0]):
                for value in g.returned_values():
                    if isinstance(value, cst.Name):
                        out += [h for h in self.by_name.get(value.value, []) if h.parent is g]
            return out
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return [g for g in self._funcs_named_for(expr, func.parent or self.funcs[0]) if not g.cls]
        return []

    def _bind_args(self, ref: CallRef, target: Func) -> list[tuple[str, cst.BaseExpression]]:
        out = []
        offset = 1 if target.is_method and not _is_unbound_call(ref, self) else 0
        pos = ref.positional()
        for i, value in enumerate(pos):
            j = i + offset
            if j < len(target.positional_params):
                out.append((target.positional_params[j], value))
        for a in ref.args:
            if a.keyword is not None and a.keyword.value in target.params:
                out.append((a.keyword.value, a.value))
        return out

    def _api_callable(self, value: cst.CSTNode, func: Func, depth: int = 0) -> bool:
        if depth > 2:
            return False
        if isinstance(value, cst.Lambda):
            ids = {id(n) for n in frame_nodes(value.body)}
            return any(id(r.node) in ids and self.is_api_ref(r, func) for r in func.calls)
        if isinstance(value, cst.Call):
            q = self.qual(value.func) or ""
            if q.endswith("partial") and value.args:
                return self._api_callable(value.args[0].value, func, depth + 1)
            return False
        if isinstance(value, (cst.Name, cst.Attribute)):
            if any(t.does_api for t in self._funcs_named_for(value, func)):
                return True
            ref = CallRef(cst.Call(func=value), value, ())
            return self.classify(ref, func, raw=False) is not None
        return False

    def _callable_param_key(self, ref: CallRef, func: Func) -> tuple[Func, str] | None:
        if isinstance(ref.func, cst.Name):
            owner = self.param_owner(ref.func.value, func)
            if owner is not None:
                return (owner, ref.func.value)
        return None

    def in_retry_path(self, ref: CallRef, func: Func) -> bool:
        self.analyze_retries()
        return id(ref.node) in self.retry_call_ids or any(f in self.retry_path for f in self.enclosing_func_chain(func))

    # decorators -------------------------------------------------------------------------
    def decorator_spec(self, dec: cst.Decorator, func: Func) -> tuple[str, Delay, bool | None] | None:
        expr = dec.decorator
        for _ in range(2):  # RETRY = retry(...); @RETRY
            if isinstance(expr, (cst.Name, cst.Attribute)) and self.qual(expr) == dotted_name(expr):
                values = self.module_assigns.get(dotted_name(expr) or "", [])
                if len(values) == 1 and isinstance(values[0], cst.Call):
                    expr = values[0]
                    continue
            break
        call = expr if isinstance(expr, cst.Call) else None
        callee = call.func if call is not None else expr
        q = self.qual(callee) or ""
        args = list(call.args) if call is not None else []
        if any(a.star == "**" for a in args):
            return None
        kw = {a.keyword.value: a.value for a in args if a.keyword is not None}
        pos = [a.value for a in args if a.keyword is None and not a.star]
        if q in ("tenacity.retry", "tenacity.asyncio.retry"):
            if call is None or (not args):
                return "tenacity", Delay("missing"), False
            delay = self.tenacity_wait(kw.get("wait"))
            stop = kw.get("stop")
            bounded = stop is not None and "stop_never" not in (self.qual(stop) or "")
            return "tenacity", delay, bounded
        if q in ("backoff.on_exception", "backoff.on_predicate"):
            gen = kw.get("wait_gen", pos[0] if pos else None)
            gq = (self.qual(gen) or "").rsplit(".", 1)[-1]
            jitter_arg = kw.get("jitter")
            jitter = jitter_arg is None or dotted_name(jitter_arg) not in ("None",)
            if gq in ("expo", "fibo"):
                base = kw.get("base")
                delay = Delay("constant", jitter) if number_value(base) == 1 else Delay("exponential", jitter)
            elif gq == "constant":
                # full jitter only shortens a fixed interval: the pace never drops
                delay = Delay("constant", False)
            elif gq == "runtime":
                delay = Delay("reset", jitter)
            else:
                delay = Delay("unknown", jitter)
            bounded = any(dotted_name(kw.get(k)) not in (None, "None") or (k in kw and not isinstance(kw[k], cst.Name)) for k in ("max_tries", "max_time"))
            return "backoff", delay, bounded
        if q in ("stamina.retry",):
            exp_base = number_value(kw.get("wait_exp_base")) if "wait_exp_base" in kw else 2
            jit = number_value(kw.get("wait_jitter")) if "wait_jitter" in kw else 1.0
            if exp_base == 1:
                delay = Delay("constant", False)  # a fixed base chosen explicitly, like backoff.constant
            else:
                delay = Delay("exponential", jit != 0)
            if number_value(kw.get("wait_initial")) == 0 and number_value(kw.get("wait_max")) == 0:
                delay = Delay("missing")
            none_attempts = "attempts" in kw and dotted_name(kw["attempts"]) == "None"
            none_timeout = "timeout" in kw and dotted_name(kw["timeout"]) == "None"
            return "stamina", delay, not (none_attempts and none_timeout)
        if q == "retrying.retry":
            if "wait_exponential_multiplier" in kw or "wait_exponential_max" in kw:
                delay = Delay("exponential", "wait_jitter_max" in kw or "wait_random_min" in kw)
            elif "wait_random_min" in kw or "wait_random_max" in kw:
                delay = Delay("constant", True)
            elif "wait_incrementing_start" in kw or "wait_incrementing_increment" in kw:
                delay = Delay("linear", "wait_jitter_max" in kw)
            elif "wait_fixed" in kw:
                delay = Delay("constant", "wait_jitter_max" in kw)
            else:
                delay = Delay("missing")
            bounded = any(k in kw for k in ("stop_max_attempt_number", "stop_max_delay", "stop_func", "stop"))
            return "retrying", delay, bounded
        if q in ("retry.retry", "retry.api.retry"):
            names = ["exceptions", "tries", "delay", "max_delay", "backoff", "jitter"]
            values = dict(zip(names, pos))
            values.update(kw)
            tries = number_value(values.get("tries")) if "tries" in values else -1
            bounded = tries is None or tries >= 0 if "tries" in values else False
            d = values.get("delay")
            b = number_value(values.get("backoff")) if "backoff" in values else 1
            jitter = isinstance(values.get("jitter"), cst.Tuple)
            if d is None or number_value(d) == 0:
                delay = Delay("missing")
            elif b is not None and b > 1:
                delay = Delay("exponential", jitter)
            elif b is None:
                delay = Delay("unknown")
            else:
                delay = Delay("constant", jitter)
            return "retry", delay, bounded
        return None

    def tenacity_wait(self, expr: cst.CSTNode | None, depth: int = 0) -> Delay:
        if expr is None:
            return Delay("missing")
        kinds: set[str] = set()
        jitter = False
        unknown = False
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BinaryOperation):
                stack += [node.left, node.right]
                continue
            if isinstance(node, (cst.Name, cst.Attribute)) and not isinstance(node, cst.Call):
                values = self.module_assigns.get(dotted_name(node) or "", [])
                if values and depth < 3:
                    sub = self.tenacity_wait(values[0], depth + 1)
                    kinds.add(sub.kind)
                    jitter = jitter or sub.jitter
                    continue
            if not isinstance(node, cst.Call):
                unknown = True
                continue
            name = (self.qual(node.func) or "").rsplit(".", 1)[-1]
            if name in ("wait_combine",):
                stack += [a.value for a in node.args]
            elif name == "wait_fixed":
                kinds.add("constant")
            elif name == "wait_none":
                kinds.add("missing")
            elif name == "wait_incrementing":
                kinds.add("linear")
            elif name == "wait_exponential":
                kinds.add("exponential")
            elif name in ("wait_random_exponential", "wait_full_jitter", "wait_exponential_jitter"):
                kinds.add("exponential")
                jitter = True
            elif name == "wait_random":
                kinds.add("constant")
                jitter = True
            else:
                unknown = True
        if "exponential" in kinds:
            return Delay("exponential", jitter)
        if unknown:
            return Delay("unknown", jitter)
        if "linear" in kinds:
            return Delay("linear", jitter)
        if "constant" in kinds:
            return Delay("constant", jitter)
        return Delay("missing", jitter)

    # loops ------------------------------------------------------------------------------
    def _loop_inner(self, frames: tuple[Frame, ...], loop: cst.CSTNode) -> tuple[Frame, ...] | None:
        for i, frame in enumerate(frames):
            if frame.kind == "loop" and frame.node is loop:
                return frames[i + 1 :]
        return None

    def loop_retry(self, loop: cst.For | cst.While, func: Func) -> Retry | None:
        body_calls = [
            ref for ref in func.calls
            if self._loop_inner(func.call_frames.get(id(ref.node), ()), loop) is not None
        ]
        api_refs = [
            ref for ref in body_calls
            if self.is_api_ref(ref, func) or self._callable_param_key(ref, func) in self.api_callable_params
        ]
        if not api_refs:
            return None
        # tenacity / stamina iterators: `for attempt in Retrying(...): with attempt: ...`
        if isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call):
            q = self.qual(loop.iter.func) or ""
            last = q.rsplit(".", 1)[-1]
            if q.startswith("tenacity") and last in ("Retrying", "AsyncRetrying"):
                kw = {a.keyword.value: a.value for a in loop.iter.args if a.keyword is not None}
                stop = kw.get("stop")
                bounded = stop is not None and "stop_never" not in (self.qual(stop) or "")
                return Retry("iterator", loop, func, self.tenacity_wait(kw.get("wait")), bounded, "tenacity", body_calls)
            if q == "stamina.retry_context":
                spec = self.decorator_spec(cst.Decorator(decorator=cst.Call(func=cst.parse_expression("stamina.retry"), args=loop.iter.args)), func)
                if spec is not None:
                    return Retry("iterator", loop, func, spec[1], spec[2], "stamina", body_calls)
                return None
        if isinstance(loop, cst.For):
            it = loop.iter
            if not (isinstance(it, cst.Call) and (self.qual(it.func) or "") in ("range", "itertools.count", "count")):
                return None
        bound_names = self._bound_names(loop)
        # names holding a call's result as such: `resp = session.get_x(...)`
        result_names = {
            name
            for ref in api_refs
            for name, values in func.assigns.items()
            for v in values
            if (v.expression if isinstance(v, cst.Await) else v) is ref.node
        }
        api_ids = {id(ref.node) for ref in api_refs}
        success = failure = False
        for event in func.events:
            inner = self._loop_inner(event.frames, loop)
            if inner is None:
                continue
            node = event.node
            own_loop = not any(f.kind == "loop" for f in inner)
            in_handler = any(f.kind == "handler" for f in inner)
            ifs = [f for f in inner if f.kind in ("if", "else")]
            if isinstance(node, cst.Return) or (isinstance(node, cst.Break) and own_loop):
                if in_handler:
                    continue
                polarities = [frame_polarity(f) for f in ifs]
                if "failure" in polarities:
                    continue  # giving up on an error is not leaving on success
                if isinstance(node, cst.Return) and node.value is not None and contains_any(node.value, api_ids):
                    success = True
                elif all(self._related(f.node.test, result_names) for f in ifs):
                    success = True
                if "success" in polarities:
                    failure = True  # `if ok: return data`: an error falls through to the next attempt
            elif isinstance(node, cst.Continue) and own_loop and not in_handler:
                if any(status_mention(f.node.test) for f in ifs):
                    failure = True
        tries = set()
        for ref in api_refs:
            inner = self._loop_inner(func.call_frames.get(id(ref.node), ()), loop) or ()
            for f in inner:
                if f.kind == "try":
                    tries.add(f.node)
        for t in tries:
            if any(not always_exits(h.body.body) for h in t.handlers):
                failure = True
        if not (success and failure):
            return None
        bounded = self._loop_bounded(loop, bound_names)
        delay = self._loop_delay(loop, func, body_calls)
        return Retry("loop", loop, func, delay, bounded, "", body_calls)

    def _bound_names(self, loop: cst.CSTNode) -> set[str]:
        out: set[str] = set()
        if isinstance(loop, cst.For):
            out |= names_in(loop.target)
        for node in frame_nodes(loop.body):
            targets: list[cst.CSTNode] = []
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
                targets = [node.target]
            elif isinstance(node, cst.NamedExpr):
                targets = [node.target]
            elif isinstance(node, cst.WithItem) and node.asname is not None:
                targets = [node.asname.name]
            elif isinstance(node, cst.For):
                targets = [node.target]
            for t in targets:
                out |= names_in(t)
        return out

    def _related(self, test: cst.CSTNode, results: set[str]) -> bool:
        """Whether an exit's condition is about the call succeeding (its status, or getting a
        result at all), not about the data (an order filled, a cursor exhausted, a signal)."""
        if status_mention(test) or message_mention(test):
            return True
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test = test.expression
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
            test.comparisons[0].operator, (cst.Is, cst.IsNot)
        ) and dotted_name(test.comparisons[0].comparator) == "None":
            test = test.left
        if isinstance(test, cst.Call) and dotted_name(test.func) == "bool" and test.args:
            test = test.args[0].value
        return dotted_name(test) in results

    def _counters(self, loop: cst.CSTNode) -> set[str]:
        out: set[str] = set()
        for node in frame_nodes(loop.body):
            if isinstance(node, cst.AugAssign) and isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign)):
                d = dotted_name(node.target)
                if d:
                    out.add(d)
        return out

    def _loop_bounded(self, loop: cst.For | cst.While, bound: set[str]) -> bool:
        if isinstance(loop, cst.For):
            return True
        test = loop.test
        forever = isinstance(test, cst.Name) and test.value == "True" or number_value(test) not in (None, 0)
        # `while not done:` / `while result is None:` where only success sets the flag
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and dotted_name(test.expression) in bound:
            forever = True
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
            test.comparisons[0].operator, cst.Is
        ) and dotted_name(test.comparisons[0].comparator) == "None" and dotted_name(test.left) in bound:
            forever = True
        if not forever:
            return True
        counters = self._counters(loop)
        for node in frame_nodes(loop.body):
            if isinstance(node, cst.If) and block_has(list(node.body.body), (cst.Raise, cst.Return, cst.Break)):
                if self._cap_test(node.test, counters):
                    return True
            if isinstance(node, cst.Assert) and self._cap_test(node.test, counters):
                return True
        return False

    def _cap_test(self, test: cst.CSTNode, counters: set[str]) -> bool:
        for node in frame_nodes(test):
            if isinstance(node, cst.Comparison) and any(
                isinstance(c.operator, (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual, cst.Equal))
                for c in node.comparisons
            ):
                names = names_in(node)
                if names & counters or any(CAP_NAME_RE.search(n.rsplit(".", 1)[-1]) for n in names):
                    return True
                for sub in frame_nodes(node):
                    if isinstance(sub, cst.Call) and ((self.qual(sub.func) or "") in TIME_FUNCS or (self.qual(sub.func) or "").endswith((".time", ".monotonic"))):
                        return True
        return False

    def _loop_delay(self, loop: cst.For | cst.While, func: Func, body_calls: list[CallRef]) -> Delay:
        loopvars = self._counters(loop)
        if isinstance(loop, cst.For):
            loopvars |= names_in(loop.target)
        traits_list: list[set[str]] = []
        for ref in body_calls:
            arg = self.sleep_arg(ref, func)
            if arg is not False:
                traits_list.append(self.delay_traits(arg, func, loopvars))
                continue
            for target in func.targets.get(id(ref), []):
                if target.does_api:
                    continue
                for inner in target.calls:
                    arg2 = self.sleep_arg(inner, target)
                    if arg2 is not False:
                        traits_list.append(self.delay_traits(arg2, target, set(target.params)))
        return verdict(traits_list)

    # recursion --------------------------------------------------------------------------
    def recursion_retries(self, func: Func) -> list[Retry]:
        out = []
        api_ids = {id(ref.node) for ref in func.calls if self.is_api_ref(ref, func)}
        for ref in func.calls:
            if func not in func.targets.get(id(ref), []):
                continue
            frames = func.call_frames.get(id(ref.node), ())
            retryish = False
            for f in frames:
                if f.kind == "handler" and contains_any(f.node.body, api_ids):
                    retryish = True
                if f.kind in ("if", "else") and status_mention(f.node.test):
                    retryish = True
            if not retryish:
                continue
            counters: set[str] = set()
            for a in ref.args:
                for node in frame_nodes(a.value):
                    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Subtract)):
                        counters |= names_in(node) & set(func.params)
                if a.keyword is not None and COUNTER_RE.search(a.keyword.value):
                    counters |= names_in(a.value) & set(func.params)
                counters |= {p for p in names_in(a.value) & set(func.params) if COUNTER_RE.search(p)}
            bounded = False
            guard_ifs = {id(f.node) for f in frames if f.kind in ("if", "else")}
            for node in frame_nodes(func.node):
                if not isinstance(node, cst.If):
                    continue
                if not any(
                    isinstance(c, cst.Comparison) and names_in(c) & counters for c in frame_nodes(node.test)
                ):
                    continue
                if id(node) in guard_ifs or block_has(list(node.body.body), (cst.Raise, cst.Return)):
                    bounded = True
                    break
            sleeps = [self.delay_traits(self.sleep_arg(r, func), func, {p for p in func.params if COUNTER_RE.search(p)})
                      for r in func.calls if self.sleep_arg(r, func) is not False]
            out.append(Retry("recursion", ref.node, func, verdict(sleeps), bounded, "", list(func.calls)))
        return out

    # generic request helpers that retry ---------------------------------------------------
    def _senders(self) -> None:
        """Functions whose request (URL / payload from their parameters) is retried."""
        generic: dict[Func, list[CallRef]] = {}
        changed = True
        while changed:
            changed = False
            for func in self.funcs:
                if func.is_module:
                    continue
                refs = generic.get(func, [])
                for ref in func.calls:
                    if ref in refs:
                        continue
                    hit = False
                    if func.api_calls.get(id(ref)) == "raw":
                        url = self.raw_url(ref, func)
                        if url is not None and self.reach(url, func)[2] & set(func.params):
                            hit = True
                    elif any(t in generic for t in func.targets.get(id(ref), [])):
                        used = set()
                        for a in ref.args:
                            used |= names_in(a.value)
                        if used & set(func.params):
                            hit = True
                    if hit:
                        generic.setdefault(func, []).append(ref)
                        changed = True
        self.generic_senders = generic
        retrying: set[Func] = set()
        changed = True
        while changed:
            changed = False
            for func, refs in generic.items():
                if func in retrying:
                    continue
                if func in self.self_retrying or any(
                    id(r.node) in self.retry_call_ids or any(t in retrying for t in func.targets.get(id(r), []))
                    for r in refs
                ):
                    retrying.add(func)
                    changed = True
        self.retrying_senders = retrying


def _closure(roots: Iterable[Func], step) -> set[Func]:
    """The roots and every function reached from them by ``step`` (callees or callers)."""
    seen: set[Func] = set()
    stack = list(roots)
    while stack:
        f = stack.pop()
        if f in seen:
            continue
        seen.add(f)
        stack.extend(step(f))
    return seen


def verdict(traits_list: list[set[str]]) -> Delay:
    """How a retry waits, from the traits of each sleep on its path."""
    if not traits_list:
        return Delay("missing")
    jitter = any("jitter" in t for t in traits_list)
    if any("reset" in t for t in traits_list):
        # honouring Retry-After on a 429 does not excuse ``delay *= 2`` on every other error
        doubling = [t for t in traits_list if "exp" in t and "reset" not in t]
        if doubling and not any("jitter" in t for t in doubling):
            return Delay("exponential", False)
        return Delay("reset", jitter)
    if any("exp" in t for t in traits_list):
        return Delay("exponential", jitter)
    if any("linear" in t for t in traits_list):
        return Delay("linear", jitter)
    return Delay("constant", jitter)


# --------------------------------------------------------------------------------------
# helpers on nodes


def _self_referential(value: cst.CSTNode, name: str, op: type) -> bool:
    for node in frame_nodes(value):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, op):
            for side in (node.left, node.right):
                if dotted_name(side) == name:
                    return True
    return False


def _ccxt_api(method: str) -> bool:
    if method in CCXT_NON_API or method.startswith("_"):
        return False
    return method.startswith(CCXT_API_PREFIXES)


def _client_like(dotted: str | None) -> bool:
    if not dotted:
        return False
    last = dotted.rsplit(".", 1)[-1].lower().lstrip("_")
    return last in ("ex", "x") or any(h in last for h in CLIENT_NAME_HINTS)


def _is_unbound_call(ref: CallRef, model: Model) -> bool:
    """``Class.method(obj, ...)``: the instance is passed explicitly."""
    recv = ref.receiver
    return recv is not None and dotted_name(recv) in model.class_methods


_OK_VALUES = frozenset({0, 200, "0", "OK", "ok", "success", "SUCCESS"})
_BAD_VALUES = frozenset({10006, 10018, 10002, 10016, 429, 403, 500, 502, 503, 504, "10006", "429", "403"})


def _literal(node: cst.CSTNode) -> object:
    v = number_value(node)
    if v is not None:
        return v
    return string_value(node)


def polarity(test: cst.CSTNode) -> str | None:
    """'success' when a test holds on a good response (retCode == 0, resp.ok), 'failure'
    when it holds on an error (retCode != 0, status == 429), None when it cannot tell."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = polarity(test.expression)
        return {"success": "failure", "failure": "success"}.get(inner or "")
    if isinstance(test, cst.BooleanOperation):
        return polarity(test.left) or polarity(test.right)
    if isinstance(test, cst.Comparison):
        for comp in test.comparisons:
            values = [_literal(test.left), _literal(comp.comparator)]
            if isinstance(comp.comparator, (cst.Tuple, cst.List, cst.Set)):
                values += [_literal(e.value) for e in comp.comparator.elements]
            positive = isinstance(comp.operator, (cst.Equal, cst.Is, cst.In))
            negative = isinstance(comp.operator, (cst.NotEqual, cst.IsNot, cst.NotIn))
            if any(v in _OK_VALUES for v in values if v is not None and not isinstance(v, float)):
                if positive:
                    return "success"
                if negative:
                    return "failure"
            if any(v in _BAD_VALUES for v in values if v is not None and not isinstance(v, float)):
                if positive:
                    return "failure"
            if isinstance(comp.operator, (cst.GreaterThanEqual, cst.GreaterThan)) and any(
                isinstance(v, int) and v >= 300 for v in values
            ):
                return "failure"
        return None
    if isinstance(test, cst.Attribute) and test.attr.value == "ok":
        return "success"
    if status_mention(test) and isinstance(test, (cst.Subscript, cst.Call, cst.Name, cst.Attribute)):
        return "failure"  # `if data["retCode"]:` is true on an error
    return None


def frame_polarity(frame: "Frame") -> str | None:
    p = polarity(frame.node.test)
    if frame.kind == "else":
        return {"success": "failure", "failure": "success"}.get(p or "")
    return p


def message_mention(node: cst.CSTNode) -> bool:
    """Whether a test reads the response's message (``resp["retMsg"] in ("OK", "success")``):
    some bots decide success from ``retMsg`` rather than ``retCode``."""
    for n in frame_nodes(node):
        if isinstance(n, cst.SimpleString) and (string_value(n) or "").lower() in ("retmsg", "ret_msg"):
            return True
        if isinstance(n, cst.Attribute) and n.attr.value in ("retMsg", "ret_msg"):
            return True
    return False


def status_mention(node: cst.CSTNode) -> bool:
    """Whether a test looks at a response's status: retCode, HTTP status, a rate-limit code."""
    for n in frame_nodes(node):
        if isinstance(n, cst.SimpleString):
            v = (string_value(n) or "").lower()
            if v in ("retcode", "ret_code", "status", "status_code") or v in {str(i) for i in STATUS_INTS}:
                return True
        elif isinstance(n, cst.Attribute):
            if n.attr.value in STATUS_ATTRS:
                return True
        elif isinstance(n, cst.Name):
            if STATUS_NAMES_RE.search(n.value):
                return True
        elif isinstance(n, cst.Integer):
            if number_value(n) in STATUS_INTS:
                return True
    return False


# --------------------------------------------------------------------------------------
# one model per module, shared by all BYB2xx rules of a run

class _EmptyModel(Model):
    """What the rules see when a module defeats the analysis (they report nothing)."""

    def __init__(self, module: cst.Module, source: str) -> None:  # noqa: D107
        self.module, self.source = module, source
        self.imports = Imports()
        self.funcs, self.retries = [], []
        self.by_name, self.top_level, self.class_methods, self.class_bases = {}, {}, {}, {}
        self.module_assigns, self.attr_assigns, self.obj_kinds, self.callers = {}, {}, {}, {}
        self._retry_analysis_done = True
        self.retry_call_ids, self.self_retrying, self.retry_path = set(), set(), set()
        self.retry_loop_of, self.generic_senders, self.retrying_senders = {}, {}, set()
        self.api_callable_params, self.retried_params, self.callable_sources = set(), set(), {}
        self._kinds_budget = float("inf")


@per_module
def model_for(module: cst.Module, source: str) -> Model:
    """The module's model, shared by every BYB2xx rule."""
    try:
        model = Model(module, source)
        model.analyze_retries()
    except (RecursionError, _TooCostly):  # pathological code: better silent than a crashed or hung run
        return _EmptyModel(module, source)
    model._kinds_budget = float("inf")  # the kinds are memoized from here on: rules ask freely
    return model
