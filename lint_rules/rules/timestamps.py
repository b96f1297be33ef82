"""Time rules (BYB4xx): signed timestamps, recv_window and WebSocket auth expiry.

Bybit accepts a signed request when ``server_time - recv_window <= timestamp < server_time
+ 1000`` (see /work/shared/bybit-v5.md A.4): a clock that runs fast fails after 1 s whatever
recv_window is, a slow clock or a slow network is tolerated up to recv_window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from ..analysis import (
    dotted_name,
    ident,
    keyword,
    last_attr,
    literal_number,
    per_module,
    returned_values,
    string_prefix_text,
    string_value,
    subscript_key,
)
from ..rule import Invalid, Option, Rule, Valid
from ..syntax import child_nodes
from ._envtimews import Binding, ModuleIndex, module_index, names_in, norm, replace_number

# --------------------------------------------------------------------------------------
# The clock evaluator: which expressions read the local clock, in which unit, how far ahead
# --------------------------------------------------------------------------------------

_OFFSET_WORDS = ("offset", "drift", "skew", "diff", "delta", "server", "correction", "adjust", "shift", "sync", "bias", "lag")
_SERVER_TIME_MARKERS = ("market/time", "get_server_time", "timenano", "timesecond", "fetch_time", "server_time", "servertime")
_TS_KEYS = frozenset({"xbapitimestamp", "timestamp", "expires", "expire", "ts", "nonce", "reqtime"})
_SIGN_SNAKE = re.compile(r"(^|_)(sign|signed|signing|sig)(_|$)|signature|hmac|^_?(gen|make|create|get|compute|calc|auth)_?sign")
_SIGN_CAMEL = re.compile(r"^_?sign[A-Z0-9]|[a-z]Sign([A-Z]|$)")


def is_sign_name(name: str) -> bool:
    """``_sign``, ``sign_request``, ``generate_signature``, ``genSignature``, ``hmac_sha256``
    (not ``signal`` / ``assign`` / ``design``)."""
    return bool(_SIGN_SNAKE.search(name.lower()) or _SIGN_CAMEL.search(name))
_WRAPPERS = frozenset({"int", "round", "str", "float", "floor", "ceil", "trunc", "Decimal", "repr", "format"})
_PAST_LIMIT_MS = 60_000
#: An ``expires`` this far ahead of the local clock survives any skew Bybit tolerates: it is
#: what BYB403 recommends, so BYB401 must not then ask for a server offset.
_SKEW_PROOF_MS = 10_000


@dataclass(frozen=True)
class Clock:
    """A value read from the local clock: its unit, how far ahead of "now" (in that unit,
    ``None`` when unknown), the node that reads the clock, and whether a server-time offset
    corrects it."""

    unit: str  # "s", "ms", "ns" or "dt" (a datetime)
    ahead: float | None
    producer: cst.CSTNode
    corrected: bool = False

    def shifted(self, delta: float | None) -> "Clock":
        ahead = None if self.ahead is None or delta is None else self.ahead + delta
        return Clock(self.unit, ahead, self.producer, self.corrected)

    def as_unit(self, unit: str, factor: float) -> "Clock":
        ahead = None if self.ahead is None else self.ahead * factor
        return Clock(unit, ahead, self.producer, self.corrected)

    def ahead_ms(self) -> float | None:
        if self.ahead is None:
            return None
        return {"ms": 1.0, "s": 1000.0, "ns": 1e-6}.get(self.unit, 0) * self.ahead if self.unit != "dt" else self.ahead * 1000


def _scale(node: cst.CSTNode) -> float | None:
    value = literal_number(node)
    return float(value) if value is not None and not isinstance(node, cst.SimpleString) else None


class ClockAnalysis:
    """Per-module: evaluates expressions to Clock values, following local assignments and
    the module's own helper functions (cached per function)."""

    def __init__(self, idx: ModuleIndex) -> None:
        self.idx = idx
        self.context = None  # the linted file's RuleContext: the project its imports lead to
        self._helper: dict[int, Clock | None] = {}
        self._in_progress: set[int] = set()
        # (node, depth, helpers being evaluated) -> result: a name bound many times in a
        # long function made the depth-limited search exponential (14M calls on one file)
        self._memo: dict[tuple[int, int, frozenset[int]], Clock | None] = {}

    # -- offsets -------------------------------------------------------------------------
    def is_offset(self, expr: cst.CSTNode, depth: int = 0) -> bool:
        """A server-time offset: a name like ``time_offset`` / ``_drift_ms`` / ``server_delta``,
        or a value computed from /v5/market/time, get_server_time(), timeNano..."""
        for node in names_in(expr):
            name = ident(node)
            if name is None:
                continue
            lower = name.lower()
            if "timedelta" in lower:
                continue
            if any(word in lower for word in _OFFSET_WORDS):
                if self._constant_number(node):
                    continue  # ``TIME_OFFSET_MS = 0``: a constant, not a measured offset
                return True
            if depth < 2 and isinstance(node, cst.Name):
                for binding in self.idx.resolve(node):
                    if self._mentions_server_time(binding.value) or self.is_offset(binding.value, depth + 1):
                        return True
        return self._mentions_server_time(expr)

    def _constant_number(self, node: cst.CSTNode) -> bool:
        """A name whose every assignment is a numeric literal (never measured)."""
        if isinstance(node, cst.Attribute) and not (isinstance(node.value, cst.Name) and node.value.value in ("self", "cls")):
            return False
        bindings = self.idx.resolve(node)
        return bool(bindings) and all(_scale(b.value) is not None for b in bindings)

    @staticmethod
    def _mentions_server_time(expr: cst.CSTNode) -> bool:
        stack = [expr]
        while stack:
            current = stack.pop()
            text = None
            if isinstance(current, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
                text = string_prefix_text(current)
            elif isinstance(current, (cst.Name, cst.Attribute)):
                text = ident(current)
            if text and any(marker in norm(text) or marker in text.lower() for marker in _SERVER_TIME_MARKERS):
                return True
            stack.extend(child_nodes(current))
        return False

    # -- evaluation ----------------------------------------------------------------------
    def evaluate(self, expr: cst.CSTNode | None, depth: int = 0) -> Clock | None:
        if expr is None or depth > 8:
            return None
        key = (id(expr), depth, frozenset(self._in_progress))
        if key in self._memo:
            return self._memo[key]
        result = self._memo[key] = self._evaluate(expr, depth)
        return result

    def _evaluate(self, expr: cst.CSTNode, depth: int) -> Clock | None:
        if isinstance(expr, cst.Call):
            return self._call(expr, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._binop(expr, depth)
        if isinstance(expr, cst.Name):
            return self._name(expr, depth)
        if isinstance(expr, cst.FormattedString) and len(expr.parts) == 1 and isinstance(expr.parts[0], cst.FormattedStringExpression):
            return self.evaluate(expr.parts[0].expression, depth + 1)
        return None

    def _call(self, call: cst.Call, depth: int) -> Clock | None:
        qualified = self.idx.qualified(call) or ""
        if qualified in ("time.time",) or qualified.endswith("_helpers.generate_timestamp"):
            return Clock("ms" if "generate_timestamp" in qualified else "s", 0.0, call)
        if qualified == "time.time_ns":
            return Clock("ns", 0.0, call)
        if qualified.endswith(("datetime.now", "datetime.utcnow", "datetime.today")) and qualified.startswith("datetime"):
            return Clock("dt", 0.0, call)
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "timestamp" and not call.args:
            inner = self.evaluate(func.value, depth + 1)
            if inner is not None and inner.unit == "dt":
                return Clock("s", inner.ahead, inner.producer, inner.corrected)
            return None
        name = last_attr(call)
        if name in _WRAPPERS and isinstance(func, (cst.Name, cst.Attribute)) and call.args:
            if isinstance(func, cst.Attribute) and dotted_name(func.value) not in ("math", "decimal", "np", "numpy"):
                return None
            return self.evaluate(call.args[0].value, depth + 1)
        helper = self.idx.local_function(call)
        if helper is not None:
            result = self.helper_clock(helper)
            if result is not None:
                return Clock(result.unit, result.ahead, call, result.corrected)
            return None
        context = self.context
        if context is not None and context.project is not None and isinstance(func, (cst.Name, cst.Attribute)):
            # a clock helper in another module of the project (``from utils.clock import time_ms``)
            facts = context.project.function(context.filename, dotted_name(func))
            if facts is not None and facts.get("returns") in ("local_ms", "server_ms"):
                return Clock("ms", 0.0, call, facts["returns"] == "server_ms")
        return None

    def helper_clock(self, func: cst.FunctionDef | cst.Lambda) -> Clock | None:
        """What a module helper returns, when it is a local-clock value (``def now_ms()``)."""
        key = id(func)
        if key in self._helper:
            return self._helper[key]
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            # a helper's last return is tried first (the order this rule has always used)
            values = [func.body] if isinstance(func, cst.Lambda) else returned_values(func)[::-1]
            result = None
            for value in values:
                clock = self.evaluate(value, 1)
                if clock is not None and clock.unit in ("ms", "s", "ns"):
                    if clock.corrected:
                        result = clock
                        break
                    result = result or clock
            self._helper[key] = result
            return result
        finally:
            self._in_progress.discard(key)

    def _binop(self, node: cst.BinaryOperation, depth: int) -> Clock | None:
        op = node.operator
        left = self.evaluate(node.left, depth + 1)
        right = self.evaluate(node.right, depth + 1)
        if left is not None and right is not None:
            return None  # a duration: now - start
        clock, other = (left, node.right) if left is not None else (right, node.left)
        if clock is None:
            return None
        number = self._number(other)
        if isinstance(op, cst.Multiply):
            if number is None:
                return None
            if clock.unit == "s" and 999 <= number <= 1001:
                return clock.as_unit("ms", 1000.0)
            if clock.unit == "s" and 999_999 <= number <= 1_000_001:
                return clock.as_unit("us", 1e6)
            return None
        if isinstance(op, (cst.FloorDivide, cst.Divide)) and other is node.right:
            if number is None:
                return None
            if clock.unit == "ns" and 999_999 <= number <= 1_000_001:
                return clock.as_unit("ms", 1e-6)
            if clock.unit == "ns" and 999_999_999 <= number <= 1_000_000_001:
                return clock.as_unit("s", 1e-9)
            if clock.unit == "ms" and 999 <= number <= 1001:
                return clock.as_unit("s", 1e-3)
            if clock.unit == "us" and 999 <= number <= 1001:
                return clock.as_unit("ms", 1e-3)
            return None
        if isinstance(op, (cst.Add, cst.Subtract)):
            if other is node.left and isinstance(op, cst.Subtract):
                return None  # deadline - now: a duration
            if self.is_offset(other):
                return Clock(clock.unit, clock.ahead, clock.producer, True)
            if number is not None:
                return clock.shifted(number if isinstance(op, cst.Add) else -number)
            if clock.unit == "dt" and isinstance(other, cst.Call) and (last_attr(other) or "") == "timedelta":
                return clock.shifted(_timedelta_seconds(other))
            return clock.shifted(None)
        return None

    def _number(self, node: cst.CSTNode) -> float | None:
        value = _scale(node)
        if value is not None:
            return value
        if isinstance(node, (cst.Name, cst.Attribute)):
            values = [_scale(b.value) for b in self.idx.resolve(node)]
            if values and all(v is not None for v in values):
                return values[-1]
        return None

    def _name(self, node: cst.Name, depth: int) -> Clock | None:
        bindings = self.idx.resolve(node)
        found = None
        for binding in bindings:
            if binding.value is node:
                continue
            clock = self.evaluate(binding.value, depth + 1)
            if clock is None:
                continue
            if clock.corrected:
                return clock
            found = clock
        return found


def _timedelta_seconds(call: cst.Call) -> float | None:
    factors = {"seconds": 1, "milliseconds": 0.001, "minutes": 60, "hours": 3600, "days": 86400}
    total = 0.0
    for i, arg in enumerate(call.args):
        value = literal_number(arg.value)
        if value is None:
            return None
        name = arg.keyword.value if arg.keyword else ("days", "seconds")[min(i, 1)]
        total += value * factors.get(name, 0)
    return total


@per_module
def clock_analysis(idx: ModuleIndex) -> ClockAnalysis:
    """One ClockAnalysis per module index (BYB401 and BYB403 share its helper cache)."""
    return ClockAnalysis(idx)


# --------------------------------------------------------------------------------------
# BYB401
# --------------------------------------------------------------------------------------


def _ts_key(key: str | None) -> bool:
    return key is not None and norm(key) in _TS_KEYS


#: a scope's sinks: before its calls, per call (what a signing call takes, the helper it
#: may call), after its calls
_Sinks = tuple[list[cst.CSTNode], list[tuple[cst.Call, list[cst.CSTNode], "cst.FunctionDef | None"]], list[cst.CSTNode]]


class _Flow:
    """Backward flow within one function: which values end up in a timestamp header, a
    signature or a WS auth message, and which local-clock reads produce them."""

    def __init__(self, rule: "LocalClockTimestamp", analysis: ClockAnalysis) -> None:
        self.rule = rule
        self.analysis = analysis
        self.idx = analysis.idx
        self.sink_params: dict[int, set[str]] = {}
        self._static: dict[int, _Sinks] = {}

    def scopes(self) -> list[cst.CSTNode]:
        return [self.idx.module, *self.idx.functions]

    def sink_exprs(self, scope: cst.CSTNode) -> list[cst.CSTNode]:
        head, calls, tail = self._sinks(scope)
        out = list(head)
        for call, signed, helper in calls:
            out.extend(signed)
            if helper is not None:
                params = self.sink_params.get(id(helper))
                if params:
                    out.extend(self._args_for(call, helper, params))
        out.extend(tail)
        return out

    def _sinks(self, scope: cst.CSTNode) -> _Sinks:
        """What flows into a timestamp, a signature or a WS auth in ``scope``, apart from
        the helpers' sink parameters (which ``run`` learns round by round): computed once."""
        cached = self._static.get(id(scope))
        if cached is not None:
            return cached
        idx = self.idx
        head: list[cst.CSTNode] = []
        for dct in idx.in_scope("dict", scope):
            items = {string_value(e.key): e for e in dct.elements if isinstance(e, cst.DictElement)}
            for key, element in items.items():
                if key is not None and norm(key) == "xbapitimestamp":
                    head.append(element.value)
            op = items.get("op")
            if op is not None and string_value(op.value) == "auth" and "args" in items:
                head.append(items["args"].value)
        for stmt in idx.in_scope("assign", scope):
            if isinstance(stmt, cst.Assign):
                for target in stmt.targets:
                    t = target.target
                    if isinstance(t, cst.Subscript) and norm(subscript_key(t) or "") == "xbapitimestamp":
                        head.append(stmt.value)
        calls: list[tuple[cst.Call, list[cst.CSTNode], cst.FunctionDef | None]] = []
        for call in idx.in_scope("call", scope):
            qualified = idx.qualified(call) or ""
            name = last_attr(call) or ""
            signed: list[cst.CSTNode] = []
            if qualified.startswith(("hmac.", "hashlib.")) or is_sign_name(name):
                signed.extend(arg.value for arg in call.args)
                if isinstance(call.func, cst.Attribute) and name in ("sign", "update", "hexdigest", "digest"):
                    signed.append(call.func.value)
            helper = idx.local_function(call)
            calls.append((call, signed, helper if isinstance(helper, cst.FunctionDef) else None))
        tail: list[cst.CSTNode] = []
        for string in idx.in_scope("string", scope):
            if "GET/realtime" in (string_prefix_text(string) or ""):
                tail.append(self._string_expression(string))
        cached = self._static[id(scope)] = (head, calls, tail)
        return cached

    def _string_expression(self, string: cst.CSTNode) -> cst.CSTNode:
        node = string
        while True:
            parent = self.idx.parent(node)
            if isinstance(parent, cst.BinaryOperation):
                node = parent
                continue
            if isinstance(parent, cst.Attribute) and parent.attr.value == "format":
                call = self.idx.parent(parent)
                if isinstance(call, cst.Call):
                    node = call
                    continue
            return node

    @staticmethod
    def _args_for(call: cst.Call, func: cst.FunctionDef, params: set[str]) -> list[cst.CSTNode]:
        positional = [p.name.value for p in func.params.params]
        if positional and positional[0] in ("self", "cls") and isinstance(call.func, cst.Attribute):
            positional = positional[1:]
        out = []
        i = 0
        for arg in call.args:
            if arg.keyword is not None:
                if arg.keyword.value in params:
                    out.append(arg.value)
            elif arg.star:
                out.append(arg.value)
            else:
                if i < len(positional) and positional[i] in params:
                    out.append(arg.value)
                i += 1
        return out

    def consume(self, expr: cst.CSTNode, producers: list[Clock], names: list[cst.Name]) -> None:
        stack = [expr]
        while stack:
            node = stack.pop()
            clock = self.analysis.evaluate(node) if isinstance(node, (cst.Call, cst.BinaryOperation)) else None
            if clock is not None:
                ahead = clock.ahead_ms()
                if (
                    clock.unit == "ms"
                    and not clock.corrected
                    and not (ahead is not None and ahead <= -_PAST_LIMIT_MS)
                    and not (ahead is not None and ahead >= _SKEW_PROOF_MS)
                ):
                    producers.append(clock)
                if clock.unit in ("ms", "s", "ns", "dt"):
                    continue
            if isinstance(node, cst.Name):
                names.append(node)
                continue
            if isinstance(node, (cst.Lambda, cst.FunctionDef)):
                continue
            if isinstance(node, cst.Dict):
                for element in node.elements:
                    if isinstance(element, cst.DictElement) and _ts_key(string_value(element.key)):
                        stack.append(element.value)
                continue
            if isinstance(node, cst.Attribute):
                continue  # self.api_key, resp.headers: not a local value
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                stack.append(node.func.value)
                stack.extend(arg.value for arg in node.args)
                continue
            if isinstance(node, cst.Call):
                stack.extend(arg.value for arg in node.args)
                continue
            stack.extend(child_nodes(node))

    def producers_in(self, scope: cst.CSTNode) -> tuple[list[Clock], set[str]]:
        """Local-clock reads reaching a sink in ``scope``, and the names that do."""
        producers: list[Clock] = []
        names: list[cst.Name] = []
        for expr in self.sink_exprs(scope):
            self.consume(expr, producers, names)
        seen_bindings: set[int] = set()
        consumed: set[str] = set()
        while names:
            name = names.pop()
            consumed.add(name.value)
            bindings = self.idx.resolve(name)
            if self._corrected(bindings):
                continue
            for binding in bindings:
                if id(binding.statement) in seen_bindings:
                    continue
                seen_bindings.add(id(binding.statement))
                self.consume(binding.value, producers, names)
        return producers, consumed

    def _corrected(self, bindings: list[Binding]) -> bool:
        for binding in bindings:
            clock = self.analysis.evaluate(binding.value)
            if clock is not None and clock.corrected:
                return True
        return False

    def run(self) -> list[Clock]:
        functions = self.idx.functions
        for _ in range(4):
            changed = False
            for func in functions:
                _, consumed = self.producers_in(func)
                params = {p.name.value for p in func.params.params} & consumed
                if params and params != self.sink_params.get(id(func)):
                    self.sink_params[id(func)] = params
                    changed = True
            if not changed:
                break
        out: list[Clock] = []
        for scope in self.scopes():
            producers, _ = self.producers_in(scope)
            out.extend(producers)
        return out


class LocalClockTimestamp(Rule):
    """
    ## What it does
    Flags a millisecond timestamp read from the local clock (`int(time.time() * 1000)`,
    `time.time_ns() // 1_000_000`, `int(datetime.now().timestamp() * 1000)`, or a call to
    the module's own helper returning one, such as `def now_ms(): return int(time.time() *
    1000)`) that ends up in the `X-BAPI-TIMESTAMP` header, in a signature (an HMAC over it,
    a `_sign(ts, ...)` call) or in a WebSocket auth `expires`, with no server-time offset.

    The rule follows the value through local assignments, the module's helper functions and
    helper parameters (`self._headers(ts, body)`), and reports the line that reads the clock
    in the function that builds the request (a helper's own `return` line is not reported;
    the call to it is). Adding or subtracting an offset measured against the server
    (`+ self.time_offset`, `- self._drift_ms`, an offset computed from `/v5/market/time`,
    `get_server_time()`, `timeNano` / `timeSecond`) makes it fine, and so does taking the
    timestamp from the server. pybit signs with the local clock internally and cannot be
    told otherwise, so pybit calls are never flagged; ccxt subtracts its own
    `timeDifference` (`adjustForTimeDifference`).

    ## Why is this bad?
    Bybit accepts a signed request only when
    `server_time - recv_window <= timestamp < server_time + 1000`. A local clock that runs
    more than 1 s fast fails every request, whatever `recv_window` is; a clock that is slow
    by more than `recv_window` (5 s by default) fails too. VMs, containers after a host
    suspend, and Windows machines drift by seconds. The error is
    `10002 invalid request, please check your server timestamp or recv_window param.
    req_timestamp[...],server_timestamp[...],recv_window[...]` (not 10004, which is a bad
    signature). Measure the offset once at start-up (and every few minutes) from
    `GET /v5/market/time` and apply it to every timestamp.

    ## Example
    ```python
    def _headers(self, payload: str) -> dict:
        ts = str(int(time.time() * 1000))
        sign = hmac.new(self.secret, (ts + self.key + "5000" + payload).encode(), "sha256").hexdigest()
        return {"X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign, ...}
    ```

    ## Use instead
    ```python
    def sync_time(self) -> None:
        server_ms = int(self.http.get(BASE + "/v5/market/time").json()["result"]["timeNano"]) // 1_000_000
        self.time_offset = server_ms - int(time.time() * 1000)

    def _headers(self, payload: str) -> dict:
        ts = str(int(time.time() * 1000) + self.time_offset)
        ...
    ```

    Prevents Bybit 10002 (timestamp outside the recv_window). Demonstrated by the
    pytest-bybit fault `timestamp_expired` and by `@pytest.mark.bybit_clock(drift=2)`
    (the bot's clock 2 s ahead of the server).
    """

    code = "BYB401"
    name = "local-clock-timestamp"
    message = "Signed timestamp read from the local clock: add a server-time offset measured from /v5/market/time"
    prevents = "10002 (request timestamp outside recv_window)"
    fault = "timestamp_expired"
    words = ("time(", "time_ns(", "timestamp(", "generate_timestamp", "TIMESTAMP", "expires")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        analysis = clock_analysis(idx)
        analysis.context = self.context
        seen: set[int] = set()
        for clock in _Flow(self, analysis).run():
            if id(clock.producer) in seen:
                continue
            seen.add(id(clock.producer))
            self.report(clock.producer)

    VALID = [
        Valid(
            """
            import hashlib, hmac, json, time

            async def auth(ws, key, secret):
                expires = int((time.time() + 10) * 1000)
                signature = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                await ws.send(json.dumps({"op": "auth", "args": [key, expires, signature]}))
            """,
            note="expires 10 s ahead survives any clock skew: what BYB403 recommends",
        ),
        Valid(
            """
            import os
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=os.environ["K"], api_secret=os.environ["S"])
            session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
            """,
            note="pybit signs by itself",
        ),
        Valid(
            """
            import hashlib
            import hmac
            import time

            import requests

            class Bybit:
                def __init__(self, key, secret):
                    self.key, self.secret = key, secret
                    self.time_offset = 0

                def sync_time(self):
                    data = requests.get("https://api.bybit.com/v5/market/time").json()
                    server_ms = int(data["result"]["timeNano"]) // 1_000_000
                    self.time_offset = server_ms - int(time.time() * 1000)

                def _headers(self, payload: str) -> dict:
                    ts = str(int(time.time() * 1000) + self.time_offset)
                    msg = ts + self.key + "5000" + payload
                    sign = hmac.new(self.secret.encode(), msg.encode(), hashlib.sha256).hexdigest()
                    return {"X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign, "X-BAPI-RECV-WINDOW": "5000"}
            """,
            note="a server-time offset",
        ),
        Valid(
            """
            import time

            class Client:
                def _now_ms(self) -> int:
                    return int(time.time() * 1000) - self._drift_ms

                def _headers(self, body: str) -> dict:
                    ts = self._now_ms()
                    return {"X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": self._sign(ts, body)}
            """,
            note="the helper applies the offset",
        ),
        Valid(
            """
            import time

            def kline_params(symbol: str) -> dict:
                end = int(time.time() * 1000)
                return {"category": "linear", "symbol": symbol, "start": end - 3_600_000, "end": end}

            def log_latency(sent_ms: int) -> None:
                print("latency", int(time.time() * 1000) - sent_ms)
            """,
            note="timestamps that are not signed",
        ),
        Valid(
            """
            import hashlib
            import hmac
            import json
            import time

            def create_order(session, key, secret, ts_server):
                body = json.dumps({"category": "linear", "orderLinkId": f"bot-{int(time.time() * 1000)}"})
                sign = hmac.new(secret, f"{ts_server}{key}5000{body}".encode(), hashlib.sha256).hexdigest()
                return session.post("/v5/order/create", data=body, headers={"X-BAPI-TIMESTAMP": str(ts_server), "X-BAPI-SIGN": sign})
            """,
            note="a clock-based orderLinkId is not the request timestamp",
        ),
        Valid(
            """
            def server_now_ms(http) -> int:
                return int(http.get("/v5/market/time").json()["result"]["timeNano"]) // 1_000_000

            def headers(http, key, sign) -> dict:
                ts = server_now_ms(http)
                return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": sign(ts)}
            """,
            note="the timestamp comes from the server",
        ),
        Valid(
            """
            import time
            import ccxt

            exchange = ccxt.bybit({"options": {"adjustForTimeDifference": True}})
            since = int(time.time() * 1000) - 86_400_000
            candles = exchange.fetch_ohlcv("BTC/USDT:USDT", "1h", since=since)
            """
        ),
        Valid(
            """
            import time

            class Signer:
                def __init__(self, offset_ms: int):
                    self.offset_ms = offset_ms

                def headers(self, payload):
                    ts = int(time.time() * 1000)
                    ts += self.offset_ms
                    return {"X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": self._sign(ts, payload)}
            """,
            note="the offset is added on the next line",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time

            TIME_OFFSET_MS = 0

            def headers(key: str, payload: str) -> dict:
                ts = int(time.time() * 1000) + TIME_OFFSET_MS
                return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": sign(ts, payload)}
            """,
            line=7,
            note="an 'offset' that is a constant was never measured",
        ),
        Invalid(
            """
            import hashlib
            import hmac
            import time

            def headers(key: str, secret: str, payload: str) -> dict:
                ts = str(int(time.time() * 1000))
                sign = hmac.new(secret.encode(), f"{ts}{key}5000{payload}".encode(), hashlib.sha256).hexdigest()
                return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
            """,
            line=7,
        ),
        Invalid(
            """
            import time

            def now_ms() -> int:
                return int(time.time() * 1000)

            class Client:
                def _request(self, method, path, body):
                    ts = now_ms()
                    headers = {"X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": self._sign(ts, body)}
                    return self.session.request(method, path, data=body, headers=headers)
            """,
            line=9,
            note="reported at the call of the helper, not at its return",
        ),
        Invalid(
            """
            import time

            class Client:
                def _ts(self) -> str:
                    return str(time.time_ns() // 1_000_000)

                def _headers(self, body: str) -> dict:
                    return {
                        "X-BAPI-API-KEY": self.key,
                        "X-BAPI-TIMESTAMP": self._ts(),
                        "X-BAPI-SIGN": self._sign(body),
                    }
            """,
            line=11,
        ),
        Invalid(
            """
            from datetime import datetime, timezone

            def sign_params(key, secret, query):
                ts = int(datetime.now(timezone.utc).timestamp() * 1000)
                return ts, _sign(secret, f"{ts}{key}5000{query}")
            """,
            line=5,
        ),
        Invalid(
            """
            import hashlib
            import hmac
            import json
            import time

            async def auth(ws, key, secret):
                expires = int((time.time() + 1) * 1000)
                signature = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                await ws.send(json.dumps({"op": "auth", "args": [key, expires, signature]}))
            """,
            line=8,
            note="WS auth expires from the local clock, 1 s ahead",
        ),
        Invalid(
            """
            import time

            class Rest:
                def _headers(self, ts, payload):
                    return {"X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": self._hmac(ts, payload)}

                def post(self, path, payload):
                    ts = int(time.time() * 1000)
                    return self.session.post(path, data=payload, headers=self._headers(ts, payload))
            """,
            line=9,
            note="through a helper's parameter",
        ),
        Invalid(
            """
            import time
            import aiohttp

            now_ms = lambda: int(time.time() * 1e3)

            async def get(session: aiohttp.ClientSession, url: str, query: str, key: str):
                ts = now_ms()
                headers = {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": str(ts)}
                headers["X-BAPI-SIGN"] = sign(f"{ts}{key}5000{query}")
                async with session.get(f"{url}?{query}", headers=headers) as resp:
                    return await resp.json()
            """,
            line=8,
        ),
        Invalid(
            """
            import time

            def build(secret, key, body):
                ts = int(time.time()) * 1000
                headers = {}
                headers["X-BAPI-TIMESTAMP"] = str(ts)
                return headers
            """,
            line=5,
        ),
    ]


# --------------------------------------------------------------------------------------
# BYB402
# --------------------------------------------------------------------------------------

_RECV_NAMES = frozenset({"recvwindow", "recvwindowms", "xbapirecvwindow"})


def _recv_name(name: str | None) -> bool:
    """``RECV_WINDOW``, ``recv_window_ms``, ``DEFAULT_RECV_WINDOW`` (not ``RECV_WINDOW_STEP``)."""
    return name is not None and norm(name).endswith(("recvwindow", "recvwindowms"))


class RecvWindowTooSmall(Rule):
    """
    ## What it does
    Flags a `recv_window` below 5000 ms (the option `min-recv-window`): pybit's
    `HTTP(recv_window=1000)`, ccxt's `options={"recvWindow": 2000}`, an
    `"X-BAPI-RECV-WINDOW": "2000"` header, a `recv_window=` argument to the bot's own
    client, and a constant such as `RECV_WINDOW = 3000` (reported on the constant's line)
    used for one of them. `0` reads as "unset" and is not flagged: pybit's
    `WebSocketTrading(recv_window=0)` sends no header, so Bybit's default of 5000 applies.

    ## Why is this bad?
    Bybit rejects a request whose timestamp is more than `recv_window` behind the server's
    clock: `server_time - recv_window <= timestamp < server_time + 1000`. A small window
    leaves no room for network latency, a GC pause, a busy event loop or a local clock a
    little slow, so requests fail with 10002 exactly when the market is busy. Bybit's
    default is 5000.

    A larger `recv_window` only helps a **slow** clock or a slow network: it never helps a
    clock that runs **fast** by more than 1 s, which fails whatever the window (see BYB401
    for the server-time offset that fixes that).

    ## Example
    ```python
    session = HTTP(api_key=key, api_secret=secret, recv_window=2000)
    ```

    ## Use instead
    ```python
    session = HTTP(api_key=key, api_secret=secret, recv_window=5000)
    ```

    ## Fix safety
    The fix raises the literal to `min-recv-window` (5000). It changes how stale a
    request Bybit will accept, so it is unsafe: apply with `--unsafe-fixes`.

    Prevents Bybit 10002 (`invalid request, please check your server timestamp or
    recv_window param`). Demonstrated by the pytest-bybit fault `latency` (the request
    reaches Bybit late) and by `timestamp_expired` / `@pytest.mark.bybit_clock(drift=-2)`
    (the bot's clock a little slow).
    """

    code = "BYB402"
    name = "recv-window-too-small"
    message = "recv_window below 5000 ms: requests fail with 10002 on any latency; use at least 5000"
    prevents = "10002 (request timestamp outside recv_window)"
    fault = "latency"
    fixable = "unsafe"
    options = (Option("min-recv-window", 5000, "smallest recv_window (ms) accepted without a finding"),)
    words = ("recv", "RECV", "Recv")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        minimum = self.option_values["min-recv-window"]
        reported: set[int] = set()

        def check(value: cst.CSTNode | None, depth: int = 0) -> None:
            if value is None or depth > 3:
                return
            if isinstance(value, cst.Call) and last_attr(value) in ("str", "int") and len(value.args) == 1:
                check(value.args[0].value, depth + 1)
                return
            if isinstance(value, cst.FormattedString) and len(value.parts) == 1 and isinstance(value.parts[0], cst.FormattedStringExpression):
                check(value.parts[0].expression, depth + 1)
                return
            if isinstance(value, (cst.Name, cst.Attribute)):
                for binding in idx.resolve(value):
                    check(binding.value, depth + 1)
                return
            number = literal_number(value)
            if number is None or id(value) in reported:
                return
            if number == 0:
                return  # 0 is "unset" (pybit's WebSocketTrading sends no header, Bybit's 5000 applies)
            if number < minimum:
                reported.add(id(value))
                self.report(
                    value,
                    message=f"recv_window {number:g} ms is below {minimum} ms: requests fail with 10002 on any latency",
                    replacement=_literal_replacement(value, minimum),
                    unsafe=True,
                    fix_description=f"Raise recv_window to {minimum}",
                )

        for call in idx.calls:
            for arg in call.args:
                if arg.keyword is not None and norm(arg.keyword.value) in _RECV_NAMES:
                    check(arg.value)
        for dct in idx.dicts:
            for element in dct.elements:
                if isinstance(element, cst.DictElement) and norm(string_value(element.key) or "") in _RECV_NAMES:
                    check(element.value)
        for stmt in idx.assign_statements:
            if not isinstance(stmt, (cst.Assign, cst.AnnAssign)) or stmt.value is None:
                continue
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            for target in targets:
                name = subscript_key(target) if isinstance(target, cst.Subscript) else ident(target)
                if _recv_name(name) and literal_number(stmt.value) is not None:
                    check(stmt.value)
        for param in idx.params:
            if param.default is not None and _recv_name(param.name.value):
                check(param.default)
        del check  # a recursive closure is a reference cycle: it would keep the tree alive until the collector runs

    VALID = [
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=10000)
            """
        ),
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET, "options": {"recvWindow": 5000}})
            """
        ),
        Valid(
            """
            RECV_WINDOW = "5000"

            def headers(ts, key, sign):
                return {"X-BAPI-TIMESTAMP": ts, "X-BAPI-API-KEY": key, "X-BAPI-RECV-WINDOW": RECV_WINDOW, "X-BAPI-SIGN": sign}
            """
        ),
        Valid(
            """
            from pybit.unified_trading import WebSocketTrading

            ws = WebSocketTrading(testnet=cfg.testnet, api_key=KEY, api_secret=SECRET, recv_window=0)
            """,
            note="0: pybit sends no header and Bybit's 5000 applies",
        ),
        Valid(
            """
            import os
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=int(os.getenv("RECV_WINDOW", "8000")))
            """
        ),
        Valid(
            """
            class Client:
                def __init__(self, key, secret, recv_window: int = 20_000):
                    self.recv_window = recv_window
            """
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=3000)
            """,
            options={"min-recv-window": 3000},
        ),
        Valid(
            """
            TIMEOUT = 2000
            session.get(url, timeout=TIMEOUT / 1000)
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=2000)
            """,
            line=4,
            unsafe_fixed="""
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=5000)
            """,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit({
                "apiKey": KEY,
                "secret": SECRET,
                "options": {"defaultType": "swap", "recvWindow": 2500},
            })
            """,
            line=7,
        ),
        Invalid(
            """
            def headers(ts, key, sign):
                return {
                    "X-BAPI-API-KEY": key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": "1000",
                    "X-BAPI-SIGN": sign,
                }
            """,
            line=6,
            unsafe_fixed="""
            def headers(ts, key, sign):
                return {
                    "X-BAPI-API-KEY": key,
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-RECV-WINDOW": "5000",
                    "X-BAPI-SIGN": sign,
                }
            """,
        ),
        Invalid(
            """
            RECV_WINDOW = 3000

            def payload(ts, key, body):
                return f"{ts}{key}{RECV_WINDOW}{body}"

            def headers(ts, key, sign):
                return {"X-BAPI-RECV-WINDOW": str(RECV_WINDOW), "X-BAPI-SIGN": sign}
            """,
            line=2,
            note="reported once, on the constant",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            class Exchange:
                def __init__(self, cfg):
                    self.session = HTTP(
                        testnet=cfg.testnet,
                        api_key=cfg.key,
                        api_secret=cfg.secret,
                        recv_window=1_000,
                    )
            """,
            line=10,
        ),
        Invalid(
            """
            class BybitRest:
                def __init__(self, key: str, secret: str, recv_window: int = 2000):
                    self.recv_window = recv_window
            """,
            line=3,
        ),
        Invalid(
            """
            import ccxt.async_support as ccxt

            async def main():
                exchange = ccxt.bybit()
                exchange.options["recvWindow"] = 3000
            """,
            line=6,
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=5000)
            """,
            line=4,
            options={"min-recv-window": 8000},
            unsafe_fixed="""
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, recv_window=8000)
            """,
        ),
    ]


def _literal_replacement(node: cst.CSTNode, value: float | int) -> cst.CSTNode | None:
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return replace_number(node, value)
    return None


# --------------------------------------------------------------------------------------
# BYB403
# --------------------------------------------------------------------------------------


class WsAuthExpiryTooShort(Rule):
    """
    ## What it does
    Flags a WebSocket auth `expires` less than 5 s (option `min-ws-auth-expiry`, in
    seconds) ahead of now: `int((time.time() + 1) * 1000)`, `now_ms + 1000`, `expires =
    int(time.time() * 1000)`, and pybit's `WebSocket(..., private_auth_expire=1)` /
    `WebSocketTrading(..., private_auth_expire=2)`. The rule looks at the `expires` that is
    signed into `"GET/realtime" + expires` or sent in `{"op": "auth", "args": [key, expires,
    signature]}`, following it through local assignments and helpers.

    pybit's default `private_auth_expire` is 1 second, which is exactly the bug of
    pybit#300; the rule only flags explicit values (a private `WebSocket` built without
    `private_auth_expire` is not reported), so pass `private_auth_expire=10` or more.

    ## Why is this bad?
    Bybit rejects an auth message whose `expires` is already in the past when it arrives.
    Bybit's own sample uses one second ahead; a local clock one second slow, or a slow
    handshake, makes the auth fail with `{"success": false, "ret_msg": "Params Error",
    "op": "auth"}`. Nothing raises in the bot: pybit raises on its WebSocket thread and
    tears the connection down, and a raw client just never receives private data.

    ## Example
    ```python
    expires = int((time.time() + 1) * 1000)
    ws = WebSocket(channel_type="private", api_key=key, api_secret=secret, private_auth_expire=1)
    ```

    ## Use instead
    ```python
    expires = int((time.time() + 10) * 1000)
    ws = WebSocket(channel_type="private", api_key=key, api_secret=secret, private_auth_expire=10)
    ```

    ## Fix safety
    pybit's `private_auth_expire=` literal can be raised to 10 s (`max(10,
    min-ws-auth-expiry)`) with `--unsafe-fixes`; an `expires` expression is not rewritten.

    Prevents "Params Error" on private stream auth (no data, no exception in the main
    thread). Demonstrated by `@pytest.mark.bybit_clock(drift=-2)`, the bot's clock behind
    the server.
    """

    code = "BYB403"
    name = "ws-auth-expiry-too-short"
    message = "WebSocket auth expires less than 5 s ahead: a slightly slow clock gives 'Params Error'; sign at least 10 s ahead"
    prevents = "WS auth 'Params Error' (private stream silently unauthenticated)"
    fault = ""
    fixable = "unsafe"
    options = (Option("min-ws-auth-expiry", 5, "smallest WebSocket auth expiry (seconds ahead) accepted without a finding"),)
    words = ("private_auth_expire", "GET/realtime", "auth")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        analysis = clock_analysis(idx)
        analysis.context = self.context
        minimum_s = self.option_values["min-ws-auth-expiry"]
        reported: set[int] = set()

        for call in idx.calls:
            arg = keyword(call, "private_auth_expire")
            if arg is None:
                continue
            values = [arg.value]
            if isinstance(arg.value, (cst.Name, cst.Attribute)):
                values = [b.value for b in idx.resolve(arg.value)]
            for value in values:
                number = literal_number(value)
                if number is not None and number < minimum_s and id(value) not in reported:
                    reported.add(id(value))
                    fix_to = max(10, minimum_s)
                    self.report(
                        arg if value is arg.value else value,
                        message=f"pybit private_auth_expire={number:g} s: auth fails with 'Params Error' when the clock is slightly slow; use {fix_to} or more",
                        replacements=[(value, replace_number(value, fix_to))] if isinstance(value, (cst.Integer, cst.Float)) else (),
                        unsafe=True,
                        fix_description=f"Set private_auth_expire to {fix_to}",
                    )

        for expr in self._expires_expressions(idx):
            for target in self._follow(idx, expr):
                clock = analysis.evaluate(target)
                if clock is None or id(target) in reported:
                    continue
                ahead = clock.ahead_ms()
                if clock.unit not in ("ms", "s") or ahead is None:
                    continue
                if ahead < minimum_s * 1000:
                    reported.add(id(target))
                    self.report(
                        target,
                        message=f"WebSocket auth expires only {ahead / 1000:g} s ahead: a slightly slow clock gives 'Params Error'; sign at least 10 s ahead",
                    )

    @staticmethod
    def _follow(idx: ModuleIndex, expr: cst.CSTNode) -> list[cst.CSTNode]:
        """The expression, or where the name it reads is assigned (str(expires) -> expires = ...)."""
        while isinstance(expr, cst.Call) and last_attr(expr) in ("str", "int") and len(expr.args) == 1:
            expr = expr.args[0].value
        if isinstance(expr, cst.Name):
            return [b.value for b in idx.resolve(expr)]
        return [expr]

    @staticmethod
    def _expires_expressions(idx: ModuleIndex) -> list[cst.CSTNode]:
        out: list[cst.CSTNode] = []
        for dct in idx.dicts:
            items = {string_value(e.key): e for e in dct.elements if isinstance(e, cst.DictElement)}
            op = items.get("op")
            if op is None or string_value(op.value) != "auth" or "args" not in items:
                continue
            args = items["args"].value
            if isinstance(args, (cst.List, cst.Tuple)) and len(args.elements) >= 2:
                out.append(args.elements[1].value)
        for string in idx.strings:
            text = string_prefix_text(string) or ""
            if "GET/realtime" not in text:
                continue
            if isinstance(string, cst.FormattedString):
                for part in string.parts:
                    if isinstance(part, cst.FormattedStringExpression):
                        out.append(part.expression)
                continue
            node = string
            parent = idx.parent(node)
            while isinstance(parent, cst.BinaryOperation):
                out.append(parent.right if parent.left is node else parent.left)
                node = parent
                parent = idx.parent(node)
            if isinstance(parent, cst.Attribute) and parent.attr.value == "format":
                call = idx.parent(parent)
                if isinstance(call, cst.Call):
                    out.extend(arg.value for arg in call.args)
        return out

    VALID = [
        Valid(
            """
            import hashlib
            import hmac
            import json
            import time

            async def auth(ws, key, secret):
                expires = int((time.time() + 10) * 1000)
                sig = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                await ws.send(json.dumps({"op": "auth", "args": [key, expires, sig]}))
            """
        ),
        Valid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="private", testnet=cfg.testnet, api_key=K, api_secret=S, private_auth_expire=30)
            """
        ),
        Valid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="private", testnet=cfg.testnet, api_key=K, api_secret=S)
            """,
            note="pybit's default (1 s) is documented, not flagged",
        ),
        Valid(
            """
            import time

            AUTH_TTL_MS = 60_000

            def auth_message(key, sign):
                expires = int(time.time() * 1000) + AUTH_TTL_MS
                return {"op": "auth", "args": [key, expires, sign("GET/realtime" + str(expires))]}
            """
        ),
        Valid(
            """
            import time

            def subscribe_message():
                return {"op": "subscribe", "req_id": str(int(time.time() * 1000)), "args": ["orderbook.50.BTCUSDT"]}
            """
        ),
        Valid(
            """
            from datetime import datetime, timedelta

            def expires_ms() -> int:
                return int((datetime.now() + timedelta(seconds=30)).timestamp() * 1000)

            def auth(key, sign):
                expires = expires_ms()
                return {"op": "auth", "args": [key, expires, sign(f"GET/realtime{expires}")]}
            """
        ),
        Valid(
            """
            import time

            def auth(ws, key, sign):
                expires = int((time.time() + 3) * 1000)
                ws.send({"op": "auth", "args": [key, expires, sign(f"GET/realtime{expires}")]})
            """,
            options={"min-ws-auth-expiry": 2},
        ),
        Valid(
            """
            def auth(ws, key, sign, server_ms):
                expires = server_ms + 10_000
                ws.send({"op": "auth", "args": [key, expires, sign(f"GET/realtime{expires}")]})
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            import hashlib
            import hmac
            import json
            import time

            async def auth(ws, key, secret):
                expires = int((time.time() + 1) * 1000)
                sig = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
                await ws.send(json.dumps({"op": "auth", "args": [key, expires, sig]}))
            """,
            line=8,
        ),
        Invalid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(
                channel_type="private",
                api_key=KEY,
                api_secret=SECRET,
                private_auth_expire=1,
            )
            """,
            line=8,
            unsafe_fixed="""
            from pybit.unified_trading import WebSocket

            ws = WebSocket(
                channel_type="private",
                api_key=KEY,
                api_secret=SECRET,
                private_auth_expire=10,
            )
            """,
        ),
        Invalid(
            """
            import time

            def now_ms() -> int:
                return int(time.time() * 1000)

            def auth_args(key, sign):
                expires = now_ms() + 1000
                return {"op": "auth", "args": [key, expires, sign("GET/realtime" + str(expires))]}
            """,
            line=8,
        ),
        Invalid(
            """
            import time

            class PrivateStream:
                def _auth(self):
                    expires = int(time.time() * 1000)
                    signature = self._sign(f"GET/realtime{expires}")
                    self.ws.send_json({"op": "auth", "args": [self.key, expires, signature]})
            """,
            line=6,
            note="0 s ahead",
        ),
        Invalid(
            """
            import time

            def auth(ws, key, sign):
                ws.send({"op": "auth", "args": [key, int(time.time() * 1000) + 2000, sign]})
            """,
            line=5,
        ),
        Invalid(
            """
            from pybit.unified_trading import WebSocketTrading

            AUTH_EXPIRE = 2
            ws = WebSocketTrading(testnet=cfg.testnet, api_key=K, api_secret=S, private_auth_expire=AUTH_EXPIRE)
            """,
            line=4,
            note="reported on the constant",
        ),
        Invalid(
            """
            import time

            def auth(ws, key, sign):
                expires = time.time_ns() // 1_000_000 + 3000
                ws.send({"op": "auth", "args": [key, expires, sign("GET/realtime{}".format(expires))]})
            """,
            line=5,
        ),
        Invalid(
            """
            import time

            def auth(ws, key, sign):
                expires = int((time.time() + 8) * 1000)
                ws.send({"op": "auth", "args": [key, expires, sign(f"GET/realtime{expires}")]})
            """,
            line=5,
            options={"min-ws-auth-expiry": 10},
        ),
    ]
