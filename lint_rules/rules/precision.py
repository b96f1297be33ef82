"""Precision rules (BYB1xx): order values Bybit will reject for their decimals.

Bybit types every order value (qty, price, triggerPrice, takeProfit, stopLoss...) as a
string and checks it against the instrument's lotSizeFilter / priceFilter. pybit turns a
float into ``str(value)``, so ``0.1 + 0.2`` goes out as ``"0.30000000000000004"`` and the
order is refused (10001, or 170137 / 170148 / 170134 on spot). ccxt is different: its
``create_order`` snaps amounts and prices to the market's precision itself, so a float
handed to ccxt is fine, but ccxt's bybit precision values are tick sizes, not counts of
decimals, which trips people who round by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import libcst as cst

from pytest_bybit.facts import ORDER_VALUE_FIELDS, PYBIT_ORDER_METHODS

from ..analysis import call_name, dict_items, dotted_name, keyword, last_attr, string_value, subscript_key
from ..rule import Invalid, Rule, Valid
from ..syntax import child_nodes
from ._valueflow import Flow, Scope, float_literal_text, flow_facts, param_names, positional_params

#: V5 paths (and WS-trade ops) whose payloads carry order values.
ORDER_PATH_MARKERS = (
    "/v5/order/create",
    "/v5/order/amend",
    "/v5/position/trading-stop",
    "order.create",
    "order.amend",
)
#: ccxt implicit-API method names that post a raw V5 order payload (no precision snapping).
CCXT_RAW_ORDER_MARKERS = (
    "v5_order_create",
    "v5_order_amend",
    "v5_position_trading_stop",
    "V5OrderCreate",
    "V5OrderAmend",
    "V5PositionTradingStop",
)
FULL_CREATE_KEYS = frozenset({"category", "symbol", "side", "orderType"})
THREAD_WRAPPERS = ("asyncio.to_thread", "to_thread", "functools.partial", "partial")


_DECIMALS_NAMES = ("precision", "decimals", "digits", "places")


def step_name(field: str) -> str:
    return "qtyStep" if field == "qty" else "tickSize"


@dataclass
class Site:
    """One order value: ``field`` is ``value`` in an order call or a raw V5 order payload."""

    field: str
    value: cst.BaseExpression
    report: cst.CSTNode  # the keyword argument, dict entry or assignment holding it
    scope: Scope
    direct: bool  # the value is written right there (a literal fix is possible)


class _PrecisionRule(Rule):
    """Shared scope tracking for the BYB1xx rules (not a rule itself: it has no code).

    The value-flow facts (imports, functions, classes, bindings) come from one walk of the
    module that every BYB1xx rule shares (``flow_facts``); rules collect their candidates
    during the engine's visit and decide in ``leave_Module``, once the whole module has
    been seen."""

    def visit_Module(self, node: cst.Module) -> None:
        self.flow = Flow(flow_facts(node), self.context)
        #: functions and the module: where a name is looked up
        self.scope_stack: list[Scope] = [node]

    @property
    def scope(self) -> Scope:
        return self.scope_stack[-1]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope_stack.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scope_stack.pop()


class _OrderValueRule(_PrecisionRule):
    """Finds every order value sent to pybit or in a raw V5 order payload, then hands each
    one to ``check_site``. Everything is decided in ``leave_Module``, once the whole module
    (helpers, wrappers, order-posting functions) has been seen."""

    reached_by = "imports_order_wrapper"

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node)
        self.calls: list[tuple[cst.Call, Scope]] = []
        self.dicts: list[tuple[cst.Dict | cst.Call, Scope]] = []
        self.item_assigns: list[tuple[cst.Assign, Scope]] = []
        self._posting_scopes: set[int] = set()
        self._upper_names: list[tuple[str, Scope]] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, self.scope))
        if isinstance(node.func, cst.Name) and node.func.value == "dict" and node.args:
            self._maybe_payload(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self._maybe_payload(node)

    def _maybe_payload(self, node: cst.Dict | cst.Call) -> None:
        if any(key in ORDER_VALUE_FIELDS or key in ("symbol", "category") for key, _, _ in _entries(node)):
            self.dicts.append((node, self.scope))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript) and subscript_key(target.target) in ORDER_VALUE_FIELDS:
                self.item_assigns.append((node, self.scope))

    # which scopes post orders: an order path in a string, a ccxt raw order method, or an
    # UPPER_CASE name (maybe a module constant holding an order path, checked at the end)
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "order" in node.value or "trading-stop" in node.value:
            text = string_value(node)
            if text and any(m in text for m in ORDER_PATH_MARKERS):
                self._posting_scopes.add(id(self.scope))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if any(m in node.value for m in ORDER_PATH_MARKERS):
            self._posting_scopes.add(id(self.scope))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if any(m in node.attr.value for m in CCXT_RAW_ORDER_MARKERS):
            self._posting_scopes.add(id(self.scope))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value.isupper() and len(node.value) > 2:
            self._upper_names.append((node.value, self.scope))

    def check_site(self, site: Site) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- which calls are pybit order calls ---------------------------------------------
    def _pybit_order_call(self, call: cst.Call, scope: Scope) -> tuple[str, list[cst.Arg]] | None:
        """``(method, args)`` when ``call`` sends an order to pybit; args are its kwargs."""
        flow = self.flow
        name = call_name(call)
        if name in THREAD_WRAPPERS and call.args:
            first = call.args[0].value
            if isinstance(first, cst.Attribute) and first.attr.value in PYBIT_ORDER_METHODS:
                return first.attr.value, list(call.args[1:])
            return None
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in PYBIT_ORDER_METHODS:
            return None
        method = func.attr.value
        if isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            if flow.resolve_callee(call, scope) is not None:
                return None  # the bot's own method of that name: see wrappers
        strong = keyword(call, "category") is not None or any(a.star == "**" for a in call.args)
        if not strong and self._local_wrapper_named(method) is not None:
            return None  # most likely the bot's own wrapper class: see wrappers
        return (method, list(call.args)) if strong or flow.imports.uses("pybit") else None

    def _local_wrapper_named(self, method: str) -> cst.FunctionDef | None:
        """A method of a class in this module with this name and fixed parameters."""
        for methods in self.flow.scopes.methods.values():
            func = methods.get(method)
            if func is not None and not isinstance(func.params.star_kwarg, cst.Param):
                return func
        return None

    # -- which functions post orders ---------------------------------------------------
    def _resolve_posting_constants(self) -> None:
        """Scopes that use a module constant holding an order path count as posting."""
        module_binds = self.flow.binder(self.flow.module).binds
        for name, scope in self._upper_names:
            if id(scope) in self._posting_scopes:
                continue
            binds = module_binds.get(name)
            if binds and binds[-1].value is not None:
                text = string_value(binds[-1].value)
                if text and any(m in text for m in ORDER_PATH_MARKERS):
                    self._posting_scopes.add(id(scope))

    def posts_orders(self, scope: Scope) -> bool:
        return id(scope) in self._posting_scopes

    # -- the sites ---------------------------------------------------------------------
    def leave_Module(self, original_node: cst.Module) -> None:
        flow = self.flow
        self._resolve_posting_constants()
        sites: list[Site] = []
        bound_dicts: set[int] = set()
        pybit_calls: set[int] = set()
        kwargs_forwarders: set[int] = set()  # def f(**kw): session.place_order(**kw)

        def bind_dicts(expr: cst.BaseExpression, scope: Scope) -> None:
            literal = flow.literal_value(expr, scope)
            if isinstance(literal, cst.Dict) or (isinstance(literal, cst.Call) and call_name(literal) == "dict"):
                bound_dicts.add(id(literal))
            elif isinstance(literal, (cst.List, cst.Tuple)):
                for element in literal.elements:
                    bind_dicts(element.value, scope)
            elif isinstance(literal, (cst.ListComp, cst.GeneratorExp)):
                bind_dicts(literal.elt, scope)

        for call, scope in self.calls:
            found = self._pybit_order_call(call, scope)
            if found is None:
                continue
            pybit_calls.add(id(call))
            for arg in found[1]:
                if arg.star == "**":
                    bind_dicts(arg.value, scope)
                    if (
                        isinstance(scope, cst.FunctionDef)
                        and isinstance(arg.value, cst.Name)
                        and isinstance(scope.params.star_kwarg, cst.Param)
                        and scope.params.star_kwarg.name.value == arg.value.value
                    ):
                        kwargs_forwarders.add(id(scope))
                elif arg.keyword is not None and arg.keyword.value in ORDER_VALUE_FIELDS:
                    sites.append(Site(arg.keyword.value, arg.value, arg, scope, direct=True))
                elif arg.keyword is not None and arg.keyword.value == "request":
                    bind_dicts(arg.value, scope)
        del bind_dicts  # a recursive closure is a reference cycle: it would keep the tree alive until the collector runs

        called_from_posting: set[int] = set()
        for call, scope in self.calls:
            if self.posts_orders(scope):
                callee = flow.resolve_callee(call, scope)
                if callee is not None:
                    called_from_posting.add(id(callee))

        payloads: dict[int, cst.CSTNode] = {}
        for node, scope in self.dicts:
            entries = _entries(node)
            keys = {key for key, _, _ in entries}
            is_payload = id(node) in bound_dicts
            # every V5 order payload (create, amend, trading-stop, WS order.create) carries
            # category and symbol; a trade log or a risk table does not
            if not is_payload and {"category", "symbol"} <= keys:
                is_payload = (
                    FULL_CREATE_KEYS <= keys or self.posts_orders(scope) or id(scope) in called_from_posting
                )
            if not is_payload:
                continue
            payloads[id(node)] = node
            for key, value, report in entries:
                if key in ORDER_VALUE_FIELDS:
                    sites.append(Site(key, value, report, scope, direct=True))

        for assign, scope in self.item_assigns:
            for target in assign.targets:
                sub = target.target
                if isinstance(sub, cst.Subscript) and subscript_key(sub) in ORDER_VALUE_FIELDS:
                    literal = flow.literal_value(sub.value, scope)
                    if literal is not None and (id(literal) in payloads or id(literal) in bound_dicts):
                        sites.append(Site(subscript_key(sub) or "", assign.value, assign, scope, direct=True))

        # wrappers: the bot's own function forwarding a parameter straight into an order
        forwarded: dict[int, dict[str, str]] = {}
        for site in sites:
            if not isinstance(site.scope, cst.FunctionDef):
                continue
            value = site.value
            if isinstance(value, cst.Call) and call_name(value) == "str" and len(value.args) == 1:
                value = value.args[0].value
            if isinstance(value, cst.Name) and value.value in param_names(site.scope):
                if flow.reaching(value.value, site.scope, flow.start(value)) is None:
                    forwarded.setdefault(id(site.scope), {})[value.value] = site.field
        if forwarded or kwargs_forwarders:
            for call, scope in self.calls:
                if id(call) in pybit_calls:
                    continue
                callee = flow.resolve_callee(call, scope)
                is_method_call = isinstance(call.func, cst.Attribute)
                if callee is None and is_method_call:
                    callee = self._local_wrapper_named(last_attr(call) or "")
                if callee is None:
                    continue
                if id(callee) in kwargs_forwarders:
                    for arg in call.args:
                        if arg.keyword is not None and arg.keyword.value in ORDER_VALUE_FIELDS:
                            sites.append(Site(arg.keyword.value, arg.value, arg, scope, direct=True))
                if id(callee) not in forwarded:
                    continue
                fields = forwarded[id(callee)]
                is_method = flow.scopes.owner_class.get(id(callee)) is not None and is_method_call
                sites += _wrapper_sites(call, scope, fields, positional_params(callee, is_method))

        if self.context.project is not None:
            # wrappers in other modules of the project (``from .api import place_spot_order``,
            # a base class's ``sendTicker``, ``self.trader = Trader(...)``)
            for call, scope in self.calls:
                if id(call) in pybit_calls or flow.resolve_callee(call, scope) is not None:
                    continue
                facts = self._project_wrapper(call, scope)
                if not facts or not facts.get("order_params"):
                    continue
                sites += _wrapper_sites(call, scope, facts["order_params"], facts.get("positional", []))

        seen: set[int] = set()
        for site in sites:
            if id(site.report) in seen:
                continue
            seen.add(id(site.report))
            self.check_site(site)

    def _project_wrapper(self, call: cst.Call, scope: Scope) -> Any:
        """The facts of the project function or method a call reaches, if it is in another
        module: a name imported from it, a method of a base class defined there, or a method
        of an object built from one of its classes."""
        context = self.context
        project = context.project
        func = call.func
        if isinstance(func, cst.Name):
            return project.function(context.filename, func.value)
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        receiver = dotted_name(func.value)
        if receiver is None:
            return None
        if receiver in ("self", "cls"):
            return project.method(context.filename, self.flow.class_of(scope), method)
        made = context.summary().get("instances", {}).get(receiver)
        if made is not None:
            return project.method(context.filename, made, method)
        return project.function(context.filename, f"{receiver}.{method}")


def _wrapper_sites(call: cst.Call, scope: Scope, fields: dict[str, Any], positional: list[str]) -> list[Site]:
    """Arguments of a call to an order wrapper that land on the order fields it forwards."""
    sites: list[Site] = []
    index = 0
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is None:
            pname = positional[index] if index < len(positional) else None
            index += 1
        else:
            pname = arg.keyword.value
        if pname in fields:
            sites.append(Site(fields[pname], arg.value, arg, scope, direct=False))
    return sites


def _entries(node: cst.Dict | cst.Call) -> list[tuple[str, cst.BaseExpression, cst.CSTNode]]:
    """``(key, value, node to report)`` for a dict literal or a ``dict(key=value)`` call."""
    if isinstance(node, cst.Dict):
        out = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None:
                    out.append((key, element.value, element))
        return out
    return [(arg.keyword.value, arg.value, arg) for arg in node.args if arg.keyword is not None]


def _string_literal(value: str) -> cst.SimpleString:
    return cst.SimpleString(f'"{value}"')


# ------------------------------------------------------------------------------------------
class FloatOrderValue(_OrderValueRule):
    """
    ## What it does
    Flags a float sent as an order value (`qty`, `price`, `triggerPrice`, `takeProfit`,
    `stopLoss`...) to a pybit order method (`place_order`, `amend_order`,
    `place_batch_order`, `set_trading_stop`...) or in a raw V5 order payload (a dict sent
    to `/v5/order/create`, `/v5/order/amend`, a WS-trade `order.create`...): a float
    literal, `float(...)`, float arithmetic (any `/` division, or arithmetic with a float),
    `str()` of a float, or a local variable or small helper holding one.

    ## Why is this bad?
    Bybit types every order value as a string and checks it against the instrument's
    `qtyStep` / `tickSize`. pybit sends `str(value)`, so a computed float goes out as
    `"0.30000000000000004"` or `"1e-05"` and Bybit refuses the order: 10001 on
    linear / inverse, 170137 / 170148 (qty) or 170134 (price) on spot. The float only
    looks fine until the day the arithmetic lands between two steps.

    A float handed to ccxt's `create_order` is not flagged: ccxt snaps amounts and prices
    to the market's precision itself.

    ## Example
    ```python
    qty = balance * 0.1 / price
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                        orderType="Market", qty=qty)
    ```

    ## Use instead
    ```python
    from decimal import Decimal, ROUND_DOWN

    step = Decimal(info["lotSizeFilter"]["qtyStep"])  # from get_instruments_info
    qty = (Decimal(str(balance)) * Decimal("0.1") / Decimal(str(price)))
    qty = qty.quantize(step, rounding=ROUND_DOWN)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                        orderType="Market", qty=str(qty))
    ```

    ## Fix safety
    A plain decimal float literal written in the call or payload (`qty=0.01`) is replaced
    by the same digits as a string (`qty="0.01"`): pybit would have sent that text anyway,
    and a raw payload must carry a string. Exponent literals (`1e-3`, which `str()` turns
    into `"0.001"` but `1e-05` into `"1e-05"`) and computed values have no automatic fix:
    quantize them.

    Prevents Bybit 10001, 170137, 170148, 170134; demonstrated by the pytest-bybit fault
    `params_error`.
    """

    code = "BYB101"
    name = "float-order-value"
    message = (
        "Send order values as strings quantized with Decimal to the instrument's "
        "qtyStep/tickSize (instruments-info), not floats"
    )
    prevents = "10001, 170137, 170148, 170134"
    fault = "params_error"
    fixable = "sometimes"
    words = (
        *sorted(PYBIT_ORDER_METHODS),
        *ORDER_PATH_MARKERS,
        *CCXT_RAW_ORDER_MARKERS,
        "orderType",
    )

    def check_site(self, site: Site) -> None:
        kind = self.flow.kind(site.value, site.scope)
        if kind.kind not in ("float", "str_float"):
            return
        step = step_name(site.field)
        literal = float_literal_text(site.value)
        if literal is not None and not site.direct:
            return  # bot.buy("BTCUSDT", 0.01): the wrapper's str() sends the same digits
        if literal is not None:
            message = f'Float literal sent as `{site.field}`: send the string "{literal}" (a multiple of {step})'
            self.report(
                site.report,
                message,
                replacements=[(site.value, _string_literal(literal))],
                fix_description=f'Send "{literal}" as a string',
            )
            return
        self.report(
            site.report,
            f"Float sent as `{site.field}` ({kind.reason}): quantize a Decimal to {step} "
            "from instruments-info and send a string",
        )

    VALID = [
        Valid(
            """
            from pybit.unified_trading import HTTP

            def close(session: HTTP, position: dict):
                size = float(position["size"])
                session.place_order(category="linear", symbol=position["symbol"], side="Sell",
                                    orderType="Market", qty=str(size), reduceOnly=True)
            """,
            note="float() of Bybit's own size string round-trips through str()",
        ),
        Valid(
            """
            from decimal import Decimal, ROUND_DOWN
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def buy(balance: str, price: str, step: str) -> None:
                qty = (Decimal(balance) * Decimal("0.1") / Decimal(price)).quantize(Decimal(step), rounding=ROUND_DOWN)
                session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                    orderType="Market", qty=str(qty))
            """,
            note="Decimal arithmetic quantized to qtyStep, sent as a string",
        ),
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            def buy(balance: float, price: float) -> None:
                amount = balance * 0.1 / price
                exchange.create_order("BTC/USDT:USDT", "limit", "buy", amount, price * 0.999)
                exchange.create_limit_order("BTC/USDT:USDT", "buy", 0.01, 25000.5)
            """,
            note="ccxt snaps amounts and prices to precision itself",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def report(symbol):
                pos = session.get_positions(category="linear", symbol=symbol)["result"]["list"][0]
                size = float(pos["size"])
                print(f"size {size:.3f} worth {size * float(pos['markPrice']):.2f}")
                session.place_order(category="linear", symbol=symbol, side="Sell",
                                    orderType="Market", qty=pos["size"], reduceOnly=True)
            """,
            note="float() of an exchange string for display; the string itself is sent",
        ),
        Valid(
            """
            class Trader:
                def __init__(self, session):
                    self.session = session

                def open(self, symbol: str, qty: str, price: str) -> None:
                    self.session.place_order(category="linear", symbol=symbol, side="Buy",
                                             orderType="Limit", qty=qty, price=price)
            """,
            note="the bot's wrapper forwards strings it was given",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(testnet=False)
            ORDER_QTY = "0.05"

            def place(price_str: str) -> None:
                session.place_order(category="linear", symbol="ETHUSDT", side="Buy",
                                    orderType="Limit", qty=ORDER_QTY, price=price_str,
                                    takeProfit="2600", stopLoss="2300")
            """,
            note="string constants",
        ),
        Valid(
            """
            import json, requests

            def cancel(session, symbol, order_id):
                body = {"category": "linear", "symbol": symbol, "orderId": order_id}
                return session.post(BASE + "/v5/order/cancel", data=json.dumps(body))

            def risk(symbol):
                limits = {"symbol": symbol, "qty": 0.5, "side": "Buy"}
                return limits
            """,
            note="a dict that is never sent to an order endpoint",
        ),
        Valid(
            """
            from decimal import Decimal
            from pybit.unified_trading import HTTP

            session = HTTP()

            def fmt(value: Decimal, step: Decimal) -> str:
                return str((value // step) * step)

            def sell(qty: Decimal, step: Decimal) -> None:
                session.place_order(category="spot", symbol="BTCUSDT", side="Sell",
                                    orderType="Market", qty=fmt(qty, step))
            """,
            note="a helper that quantizes with Decimal and returns a string",
        ),
        Valid(
            """
            import asyncio
            from pybit.unified_trading import HTTP

            session = HTTP()

            async def close(symbol: str, size: str) -> None:
                await asyncio.to_thread(session.place_order, category="linear", symbol=symbol,
                                        side="Sell", orderType="Market", qty=size, reduceOnly=True)
            """,
            note="pybit run in a thread with a string qty",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def place(price: float) -> None:
                log.info("placing at %.2f (%s)", price, round(price * 1.001, 2))
                session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                    orderType="Limit", qty="0.001", price=quantize_price(price))
            """,
            note="floats only in logging; an imported helper is not second-guessed",
        ),
        Valid(
            """
            import json
            from decimal import Decimal, ROUND_DOWN
            import aiohttp

            class AsyncClient:
                async def buy(self, symbol: str, usdt: str, last: str, step: str) -> dict:
                    qty = (Decimal(usdt) / Decimal(last)).quantize(Decimal(step), rounding=ROUND_DOWN)
                    body = {"category": "spot", "symbol": symbol, "side": "Buy",
                            "orderType": "Market", "qty": format(qty, "f"), "marketUnit": "baseCoin"}
                    return await self._request("POST", "/v5/order/create", body)

                def record(self, fill: dict) -> dict:
                    return {"symbol": fill["symbol"], "side": fill["side"], "qty": float(fill["execQty"])}

                def buy_lot(self, bot):
                    bot.buy("BTCUSDT", 0.01)
            """,
            note="hand-signed client sending Decimal strings; a trade record is not a payload",
        ),
    ]

    INVALID = [
        Invalid(
            """
            from typing import Optional
            from pybit.unified_trading import HTTP

            def buy(session: HTTP, symbol: str, qty: float, price: Optional[float] = None):
                session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Limit",
                                    qty=str(qty), price=str(price))
            """,
            line=7,
            count=2,
            note="float-typed parameters (annotations are evidence)",
        ),
        Invalid(
            """
            import requests

            class Client:
                def _post(self, path, body):
                    return requests.post("https://api.bybit.com" + path, json=body).json()

                def market_buy(self, symbol: str, qty: float):
                    return self._post("/v5/order/create", {"category": "linear", "symbol": symbol, "side": "Buy",
                                                           "orderType": "Market", "qty": str(qty)})
            """,
            line=10,
            note="a float-typed parameter into the bot's own endpoint wrapper",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)
            session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                orderType="Limit", qty=0.01, price="25000")
            """,
            line=6,
            fixed="""
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)
            session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                orderType="Limit", qty="0.01", price="25000")
            """,
            note="float literal: safe fix",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def buy(balance, price):
                qty = balance * 0.1 / price
                session.place_order(
                    category="linear",
                    symbol="BTCUSDT",
                    side="Buy",
                    orderType="Market",
                    qty=qty,
                )
            """,
            line=13,
            note="a local holding float arithmetic",
        ),
        Invalid(
            """
            class Exchange:
                def __init__(self, session):
                    self.session = session

                def protect(self, symbol, entry: str):
                    sl = float(entry) * 0.98
                    self.session.set_trading_stop(
                        category="linear",
                        symbol=symbol,
                        stopLoss=str(sl),
                        takeProfit=str(float(entry) * 1.04),
                    )
            """,
            line=11,
            count=2,
            note="str() of a float, through the bot's own session attribute",
        ),
        Invalid(
            """
            import json, time, requests

            def market_order(symbol, side, usdt, price):
                qty = usdt / price
                body = {
                    "category": "linear",
                    "symbol": symbol,
                    "side": side,
                    "orderType": "Market",
                    "qty": str(qty),
                }
                return _request("POST", "/v5/order/create", body)
            """,
            line=11,
            note="raw V5 payload posted by a hand-signed client",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()
            RISK = 0.02

            def size_for(balance: float, price: float) -> float:
                return balance * RISK / price

            def enter(balance, price):
                session.place_order(category="linear", symbol="ETHUSDT", side="Buy",
                                    orderType="Market", qty=size_for(balance, price))
            """,
            line=12,
            note="a small helper returning a float",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def ladder(symbol, prices, qty):
                session.place_batch_order(
                    category="linear",
                    request=[
                        {"symbol": symbol, "side": "Buy", "orderType": "Limit", "qty": qty,
                         "price": 1e-3},
                        {"symbol": symbol, "side": "Buy", "orderType": "Limit", "qty": qty,
                         "price": float(prices[1])},
                    ],
                )
            """,
            line=11,
            count=2,
            fixed=None,
            note="batch requests; exponent literal gets no fix",
        ),
        Invalid(
            """
            import json

            async def amend(ws, symbol, order_id, last: str):
                new_price = float(last) * 1.001
                await ws.send(json.dumps({
                    "op": "order.amend",
                    "args": [{"category": "linear", "symbol": symbol, "orderId": order_id,
                              "price": str(new_price)}],
                }))
            """,
            line=9,
            note="WS-trade order.amend payload",
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def raw_order(symbol, qty_str):
                exchange.private_post_v5_order_create({
                    "category": "linear", "symbol": symbol, "side": "Buy",
                    "orderType": "Limit", "qty": qty_str, "price": 25000.5,
                })
            """,
            line=9,
            fixed="""
            import ccxt

            exchange = ccxt.bybit()

            def raw_order(symbol, qty_str):
                exchange.private_post_v5_order_create({
                    "category": "linear", "symbol": symbol, "side": "Buy",
                    "orderType": "Limit", "qty": qty_str, "price": "25000.5",
                })
            """,
            note="ccxt's implicit V5 API sends the payload untouched",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            class Bot:
                def __init__(self):
                    self.session = HTTP()

                def open(self, symbol, qty):
                    return self.session.place_order(category="linear", symbol=symbol,
                                                    side="Buy", orderType="Market", qty=qty)

                def run(self, equity: str, price: str):
                    self.open("BTCUSDT", float(equity) / float(price))
            """,
            line=13,
            note="a float passed to the bot's own wrapper, which forwards it to pybit",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()
            params = {"category": "linear", "symbol": "SOLUSDT", "side": "Sell", "orderType": "Limit"}
            params["qty"] = 0.5
            params["price"] = "150.25"
            session.place_order(**params)
            """,
            line=6,
            fixed="""
            from pybit.unified_trading import HTTP

            session = HTTP()
            params = {"category": "linear", "symbol": "SOLUSDT", "side": "Sell", "orderType": "Limit"}
            params["qty"] = "0.5"
            params["price"] = "150.25"
            session.place_order(**params)
            """,
            note="a value set on a payload dict later",
        ),
        Invalid(
            """
            import json, time, hmac, hashlib
            import aiohttp
            from tenacity import retry, stop_after_attempt, wait_random_exponential

            class AsyncClient:
                def _headers(self, body: str) -> dict:
                    ts = str(self.time_ms())
                    return {"X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": self._sign(ts + body)}

                @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
                async def stop_loss(self, symbol: str, entry: str, pct: float) -> dict:
                    body = dict(category="linear", symbol=symbol,
                                stopLoss=float(entry) * (1 - pct), positionIdx=0)
                    raw = json.dumps(body)
                    async with self.http.post(self.base + "/v5/position/trading-stop", data=raw,
                                              headers=self._headers(raw)) as resp:
                        return await resp.json()
            """,
            line=14,
            note="hand-signed aiohttp client; a dict(...) payload",
        ),
    ]


# ------------------------------------------------------------------------------------------
class DecimalFromFloat(_PrecisionRule):
    """
    ## What it does
    Flags `Decimal(...)` built from a float: a float literal (`Decimal(0.1)`), `float(...)`,
    float arithmetic, or a local variable or small helper holding one.

    ## Why is this bad?
    `Decimal(0.1)` is `Decimal('0.1000000000000000055511151231257827021181583404541015625')`:
    the exact binary value of the float, not the decimal the code meant. Quantizing that to a
    step with `ROUND_DOWN` / `ROUND_UP`, or comparing it with a step, gives the wrong
    multiple: a qty one step short, a price one tick off, or a value that is not a multiple
    of the step at all, and Bybit answers 10001 (170137 / 170134 on spot). The point of
    using Decimal for order values is lost.

    ## Example
    ```python
    step = Decimal(0.001)
    qty = Decimal(balance * 0.1 / price).quantize(step, rounding=ROUND_DOWN)
    ```

    ## Use instead
    ```python
    step = Decimal(info["lotSizeFilter"]["qtyStep"])  # Bybit's string
    qty = (Decimal(balance) * Decimal("0.1") / Decimal(price)).quantize(step, rounding=ROUND_DOWN)
    ```

    ## Fix safety
    `Decimal(0.1)` becomes `Decimal("0.1")`, the value as written in the source (safe).
    `Decimal(x)` for a float variable or expression becomes `Decimal(str(x))` (unsafe: it
    changes the value from the float's binary expansion to its shortest repr, which is what
    the code almost always meant).

    Prevents Bybit 10001, 170137, 170134 (a qty or price off the step); demonstrated by
    the pytest-bybit fault `params_error`.
    """

    code = "BYB102"
    name = "decimal-from-float"
    message = 'Build Decimal from a string (Decimal("0.1"), Decimal(str(x))), not from a float'
    prevents = "10001, 170137, 170134"
    fault = "params_error"
    fixable = "sometimes"
    words = ("Decimal",)

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node)
        self.candidates: list[tuple[cst.Call, Scope]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if node.args and isinstance(node.func, (cst.Name, cst.Attribute)):
            self.candidates.append((node, self.scope))

    def leave_Module(self, original_node: cst.Module) -> None:
        for call, scope in self.candidates:
            if self.flow.is_decimal_ctor(call):
                self._check(call, scope)

    def _check(self, node: cst.Call, scope: Scope) -> None:
        arg = node.args[0]
        if arg.keyword is not None or arg.star:
            return
        value = arg.value
        kind = self.flow.kind(value, scope)
        if kind.kind == "rounded" and isinstance(value, cst.Call) and value.args:
            kind = self.flow.kind(value.args[0].value, scope)
            if kind.is_float:
                kind = kind.__class__("float", f"round() of {kind.reason}")
        if not (kind.is_float or kind.kind == "float_param"):
            return
        literal = _signed_float_text(value)
        if literal is not None:
            self.report(
                node,
                f'Decimal({literal}) holds the float\'s binary value: write Decimal("{literal}")',
                replacements=[(value, _string_literal(literal))],
                fix_description=f'Use Decimal("{literal}")',
            )
            return
        self.report(
            node,
            f"Decimal() of {kind.reason} keeps the float's binary error: build it from a string "
            "(Decimal(str(x)) or Bybit's own string value)",
            replacements=[(value, cst.Call(func=cst.Name("str"), args=[cst.Arg(value=value)]))],
            unsafe=True,
            fix_description="Wrap the float in str()",
        )

    VALID = [
        Valid('from decimal import Decimal\nstep = Decimal("0.001")\n'),
        Valid("from decimal import Decimal\nten = Decimal(10)\nzero = Decimal(0)\n"),
        Valid(
            """
            from decimal import Decimal

            def qty_step(info: dict) -> Decimal:
                return Decimal(info["lotSizeFilter"]["qtyStep"])
            """,
            note="Bybit's own string",
        ),
        Valid(
            """
            from decimal import Decimal

            def to_dec(x: float) -> Decimal:
                return Decimal(str(x))

            price = Decimal(str(float(ticker["lastPrice"]) * 1.001))
            """,
            note="str() first",
        ),
        Valid(
            """
            from decimal import Decimal as D

            def qty(balance: D, price: D, step: D) -> D:
                raw = balance / price
                return (D(raw) // step) * step
            """,
            note="Decimal arithmetic stays Decimal",
        ),
        Valid(
            """
            from decimal import Decimal

            def parse(row):
                size = row["size"]
                return Decimal(size), Decimal(f"{row['price']}")
            """,
            note="values of unknown type are not guessed at",
        ),
        Valid(
            """
            import decimal

            ctx = decimal.Context(prec=8)
            amount = decimal.Decimal("1e-3")
            n = decimal.Decimal(3 * 4)
            """,
        ),
        Valid(
            """
            from decimal import Decimal

            def f(qty: float):
                qty = str(qty)
                return Decimal(qty)
            """,
            note="the float was turned into a string before",
        ),
    ]

    INVALID = [
        Invalid(
            "from decimal import Decimal\nstep = Decimal(0.001)\n",
            line=2,
            fixed='from decimal import Decimal\nstep = Decimal("0.001")\n',
        ),
        Invalid(
            "from decimal import Decimal as D\nstop = D(-0.5) + D(1_000.25)\n",
            line=2,
            count=2,
            fixed='from decimal import Decimal as D\nstop = D("-0.5") + D("1000.25")\n',
        ),
        Invalid(
            """
            from decimal import Decimal, ROUND_DOWN

            def qty_for(balance: str, price: str, step: str) -> str:
                raw = float(balance) * 0.1 / float(price)
                return str(Decimal(raw).quantize(Decimal(step), rounding=ROUND_DOWN))
            """,
            line=6,
            unsafe_fixed="""
            from decimal import Decimal, ROUND_DOWN

            def qty_for(balance: str, price: str, step: str) -> str:
                raw = float(balance) * 0.1 / float(price)
                return str(Decimal(str(raw)).quantize(Decimal(step), rounding=ROUND_DOWN))
            """,
        ),
        Invalid(
            """
            import decimal

            def tick(info):
                return decimal.Decimal(float(info["priceFilter"]["tickSize"]))
            """,
            line=5,
        ),
        Invalid(
            """
            from decimal import Decimal

            class Sizer:
                def _usd_per_contract(self, price: str) -> float:
                    return 1 / float(price)

                def contracts(self, usd: str, price: str) -> Decimal:
                    return Decimal(usd) * Decimal(self._usd_per_contract(price))
            """,
            line=9,
            note="a helper returning a float",
        ),
        Invalid(
            """
            from decimal import Decimal

            def sl_price(entry: float, pct):
                sl = entry / (1 + pct)
                return Decimal(sl)
            """,
            line=6,
        ),
        Invalid(
            """
            from decimal import Decimal

            LOT = 0.01

            def lots(n):
                return Decimal(LOT) * n
            """,
            line=7,
            note="a module float constant",
        ),
        Invalid(
            """
            from decimal import Decimal

            def price(last: str):
                px = float(last)
                px *= 1.0005
                return Decimal(round(px, 2))
            """,
            line=7,
        ),
    ]


def _signed_float_text(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Float):
        return node.value.replace("_", "")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        inner = _signed_float_text(node.expression)
        if inner is not None:
            return ("-" if isinstance(node.operator, cst.Minus) else "") + inner
    return None


# ------------------------------------------------------------------------------------------
_FIXED_SPEC = re.compile(r"\.\d+[fF]$")
_PERCENT_FIXED = re.compile(r"%[-+ #0]*\d*\.\d+[fF]")
_BRACE_FIXED = re.compile(r"\{[^{}]*:[^{}]*\.\d+[fF]\}")


class FixedDecimalsRounding(_OrderValueRule):
    """
    ## What it does
    Flags an order value rounded to a fixed number of decimals: `round(qty, 3)`,
    `f"{price:.2f}"`, `"%.2f" % price`, `"{:.2f}".format(price)`, `format(qty, ".3f")`,
    when the result is sent to pybit or in a raw V5 order payload (directly, through a
    local variable, or from a small helper). Rounding for logs and prints is not flagged.

    ## Why is this bad?
    Bybit checks qty against `qtyStep` and price against `tickSize`, and those are steps, not
    numbers of decimals: `0.5`, `5`, `0.025` are common, and Bybit changes them. `round(qty,
    3)` is also round-half-even, so it can round *up*: a qty built from the whole balance
    then needs more margin than there is (110007), and a reduce-only close larger than the
    position fails (110017). The result is 10001 ("Request parameter error") the day the
    symbol or its filter changes.

    ## Example
    ```python
    session.place_order(category="linear", symbol=symbol, side="Buy",
                        orderType="Limit", qty=round(qty, 3), price=f"{price:.2f}")
    ```

    ## Use instead
    ```python
    from decimal import Decimal, ROUND_DOWN

    f = session.get_instruments_info(category="linear", symbol=symbol)["result"]["list"][0]
    qty_step = Decimal(f["lotSizeFilter"]["qtyStep"])
    tick = Decimal(f["priceFilter"]["tickSize"])
    qty = Decimal(str(qty)).quantize(qty_step, rounding=ROUND_DOWN)
    price = (Decimal(str(price)) / tick).to_integral_value() * tick
    session.place_order(category="linear", symbol=symbol, side="Buy",
                        orderType="Limit", qty=str(qty), price=str(price))
    ```

    Prevents Bybit 10001, 110017; demonstrated by the pytest-bybit fault `params_error`.
    """

    code = "BYB103"
    name = "fixed-decimals-rounding"
    message = (
        "Quantize order values to the instrument's qtyStep/tickSize with Decimal "
        "(ROUND_DOWN for qty), not to a fixed number of decimals"
    )
    prevents = "10001, 110017"
    fault = "params_error"
    words = FloatOrderValue.words

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node)
        self._reported: set[int] = set()

    def check_site(self, site: Site) -> None:
        for node, scope in self._roundings(site.value, site.scope, set()):
            if id(node) in self._reported:
                continue
            self._reported.add(id(node))
            self.report(
                node,
                f"`{site.field}` is rounded to fixed decimals: quantize it to the instrument's "
                f"{step_name(site.field)} from instruments-info with Decimal"
                + (" (ROUND_DOWN)" if site.field == "qty" else ""),
            )

    def _is_fixed_rounding(self, node: cst.CSTNode, scope: Scope) -> bool:
        flow = self.flow
        if isinstance(node, cst.Call):
            name = call_name(node)
            resolved = flow.imports.resolve(name) or name
            if name == "round" or resolved in ("numpy.round", "numpy.around", "numpy.round_"):
                if len(node.args) >= 2:
                    digits = flow.literal_value(node.args[1].value, scope)
                    if isinstance(digits, cst.UnaryOperation):
                        digits = digits.expression
                    if isinstance(digits, cst.Integer):
                        return True
                    # ``round(price, price_precision)``: the step's number of decimals is
                    # still not the step (a 0.5 tick, a 5 qty step)
                    ndigits = node.args[1].value
                    named = (dotted_name(ndigits) or (call_name(ndigits) if isinstance(ndigits, cst.Call) else "") or "").lower()
                    return any(w in named for w in _DECIMALS_NAMES)
                return False
            if name == "format" and len(node.args) >= 2:
                spec = string_value(node.args[1].value)
                return bool(spec and _FIXED_SPEC.search(spec))
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
                text = string_value(node.func.value)
                return bool(text and _BRACE_FIXED.search(text))
            return False
        if isinstance(node, cst.FormattedString):
            for part in node.parts:
                if isinstance(part, cst.FormattedStringExpression) and part.format_spec:
                    spec = "".join(p.value for p in part.format_spec if isinstance(p, cst.FormattedStringText))
                    if all(isinstance(p, cst.FormattedStringText) for p in part.format_spec) and _FIXED_SPEC.search(spec):
                        return True
            return False
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            text = string_value(node.left)
            return bool(text and _PERCENT_FIXED.search(text))
        return False

    def _roundings(self, expr: cst.CSTNode, scope: Scope, seen: set[int]) -> Iterator[tuple[cst.CSTNode, Scope]]:
        if id(expr) in seen:
            return
        seen.add(id(expr))
        flow = self.flow
        if self._is_fixed_rounding(expr, scope):
            yield expr, scope
            return
        if isinstance(expr, (cst.Name, cst.Attribute)):
            name = dotted_name(expr)
            if name is None:
                return
            found = flow.reaching(name, scope, flow.start(expr))
            if found is not None and found[1].value is not None:
                yield from self._roundings(found[1].value, found[0], seen)
            return
        if isinstance(expr, cst.Call):
            callee = flow.resolve_callee(expr, scope)
            if callee is not None:
                for value in flow.returned(callee):
                    yield from self._roundings(value, callee, seen)
                return
            for arg in expr.args:
                yield from self._roundings(arg.value, scope, seen)
            return
        if isinstance(expr, (cst.Subscript, cst.Lambda, cst.ListComp, cst.DictComp, cst.GeneratorExp, cst.SetComp)):
            return
        for child in child_nodes(expr):
            kind = type(child)
            if kind is cst.Arg:
                yield from self._roundings(child.value, scope, seen)
            elif kind is cst.FormattedStringExpression:
                yield from self._roundings(child.expression, scope, seen)
            elif cst.BaseExpression in kind.__mro__:  # isinstance on LibCST's ABCs is slow
                yield from self._roundings(child, scope, seen)

    VALID = [
        Valid(
            """
            from decimal import Decimal, ROUND_DOWN
            from pybit.unified_trading import HTTP

            session = HTTP()

            def buy(qty: float, step: str) -> None:
                q = Decimal(str(qty)).quantize(Decimal(step), rounding=ROUND_DOWN)
                log.info("buying %.3f", qty)
                session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                    orderType="Market", qty=str(q))
            """,
            note="quantized to the step; fixed decimals only in the log",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def show(symbol):
                pos = session.get_positions(category="linear", symbol=symbol)["result"]["list"][0]
                pnl = float(pos["unrealisedPnl"])
                print(f"{symbol}: {pnl:.2f} USDT ({round(pnl / 100, 4)})")
                logger.info("size %s at %.2f", pos["size"], float(pos["avgPrice"]))
            """,
            note="display only",
        ),
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def buy(amount: float, price: float) -> None:
                exchange.create_order("BTC/USDT:USDT", "limit", "buy", amount, price)
                print("sent", round(amount, 3), f"{price:.1f}")
            """,
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def place(qty: str, price: str) -> None:
                label = f"grid-{round(float(price), 1)}"
                session.place_order(category="linear", symbol="ETHUSDT", side="Buy",
                                    orderType="Limit", qty=qty, price=price, orderLinkId=label)
            """,
            note="rounding in a field that is not an order value",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def place(price: float, step: float) -> None:
                ticks = round(price / step)
                session.place_order(category="linear", symbol="ETHUSDT", side="Buy",
                                    orderType="Limit", qty="0.1", price=quantize(price, step))
            """,
            note="round() to an integer count of steps; an imported quantizer",
        ),
        Valid(
            """
            def summary(orders):
                rows = [f"{o['symbol']} {float(o['qty']):.3f} @ {float(o['price']):.2f}" for o in orders]
                return "\\n".join(rows)
            """,
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def sell(qty: float, decimals: int) -> None:
                session.place_order(category="spot", symbol="BTCUSDT", side="Sell",
                                    orderType="Market", qty=str(qty_to_step(qty)))
            """,
        ),
        Valid(
            """
            import json

            def body(symbol, qty, price):
                payload = {"category": "linear", "symbol": symbol, "side": "Buy",
                           "orderType": "Limit", "qty": qty, "price": price}
                log.debug("order %s %.4f @ %.2f", symbol, float(qty), float(price))
                return json.dumps(payload)
            """,
        ),
    ]

    INVALID = [
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def open_position(symbol, side, qty):
                session.place_order(category="linear", symbol=symbol, side=side,
                                    orderType="Market", qty=round(qty, 3))
            """,
            line=8,
        ),
        Invalid(
            """
            class Exchange:
                def protect(self, symbol, sl, tp):
                    self.session.set_trading_stop(
                        category="linear",
                        symbol=symbol,
                        stopLoss=f"{sl:.2f}",
                        takeProfit="{:.2f}".format(tp),
                    )
            """,
            line=7,
            count=2,
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()

            def limit(symbol, balance, price):
                qty = "%.3f" % (balance * 0.1 / price)
                log.info("qty %s", qty)
                session.place_order(category="linear", symbol=symbol, side="Buy",
                                    orderType="Limit", qty=qty, price=format(price, ".1f"))
            """,
            line=7,
            count=2,
            note="through a local; format() builtin",
        ),
        Invalid(
            """
            import json, requests

            def post_order(symbol, side, qty, price):
                body = {
                    "category": "spot",
                    "symbol": symbol,
                    "side": side,
                    "orderType": "Limit",
                    "qty": str(round(qty, 4)),
                    "price": str(price),
                }
                return requests.post(BASE + "/v5/order/create", data=json.dumps(body))
            """,
            line=10,
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP()
            QTY_DECIMALS = 2

            def fmt_qty(q: float) -> str:
                return f"{q:.3f}"

            def enter(q, p):
                session.place_order(category="linear", symbol="SOLUSDT", side="Buy",
                                    orderType="Limit", qty=fmt_qty(q), price=str(round(p, QTY_DECIMALS)))
            """,
            line=8,
            count=2,
            note="a helper's f-string and a constant number of decimals",
        ),
        Invalid(
            """
            import numpy as np
            from pybit.unified_trading import HTTP

            session = HTTP()

            def amend(order_id, new_price):
                session.amend_order(category="linear", symbol="BTCUSDT", orderId=order_id,
                                    price=str(np.round(new_price, 1)))
            """,
            line=9,
        ),
        Invalid(
            """
            import json

            async def place(ws, symbol, qty, px):
                await ws.send(json.dumps({
                    "op": "order.create",
                    "args": [{"category": "linear", "symbol": symbol, "side": "Buy",
                              "orderType": "Limit", "qty": f"{qty:.3f}", "price": f"{px:.1f}"}],
                }))
            """,
            line=8,
            count=2,
        ),
        Invalid(
            """
            class Bot:
                def __init__(self, session):
                    self.session = session

                def buy(self, symbol, qty):
                    return self.session.place_order(category="linear", symbol=symbol, side="Buy",
                                                    orderType="Market", qty=qty)

                def step(self, equity, price):
                    self.buy("ETHUSDT", round(equity * 0.1 / price, 2))
            """,
            line=11,
            note="rounded before being handed to the bot's own wrapper",
        ),
    ]


# ------------------------------------------------------------------------------------------
_SYMBOL_KEY = re.compile(
    r"^(?:[A-Z0-9]{2,}(?:USDT|USDC|USD|BTC|ETH|EUR|PERP|DAI|BUSD|FDUSD)(?:-[0-9A-Z]+)?"  # BTCUSDT, BTCPERP, BTCUSD-27DEC24
    r"|[A-Z0-9]{2,}/[A-Z0-9]{2,}(?::[A-Z0-9]+)?(?:-[0-9A-Z-]+)?"  # ccxt: BTC/USDT, BTC/USDT:USDT
    r"|[A-Z0-9]{2,}-\d{1,2}[A-Z]{3}\d{2}-\d+-[CP])$"  # options: BTC-29JUL22-25000-C
)
_COIN_KEY = re.compile(r"^[A-Z0-9]{2,10}$")
_NAME_TOKENS = frozenset(
    {
        "step", "stepsize", "stepsizes", "qtystep", "qtysteps", "tick", "ticksize", "ticksizes",
        "precision", "precisions", "decimal", "decimals", "digits", "places", "dp",
        "lot", "lots", "lotsize", "increment", "increments", "filter", "filters",
    }
)
_MIN_WORDS = frozenset(
    {"qty", "quantity", "order", "notional", "amount", "amt", "size", "value", "contract", "contracts", "lot", "lots"}
)
_NOT_FILTER_TOKENS = frozenset(
    {
        "grid", "pct", "percent", "spacing", "offset", "distance", "atr", "dca", "tp", "sl",
        "trail", "trailing", "pnl", "risk", "leverage", "slippage", "spread", "gap", "band",
    }
)
_FILTER_KEYS = frozenset(
    {
        "qtystep", "ticksize", "minorderqty", "maxorderqty", "minqty", "maxqty", "basepre"
        "cision", "quoteprecision", "minorderamt", "minnotionalvalue", "stepsize",
        "qty_step", "tick_size", "min_qty", "max_qty", "step_size", "min_order_qty",
        "price_precision", "qty_precision", "amount_precision", "price_decimals",
        "qty_decimals", "lot_size", "min_notional", "pricescale", "price_tick", "qtyprecision",
        "priceprecision", "minprice", "maxprice", "maxmktorderqty",
    }
)


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [t for t in re.split(r"[_\W]+", spaced.lower()) if t]


def _filter_like_name(name: str) -> bool:
    tokens = _name_tokens(name)
    if any(t in _NOT_FILTER_TOKENS for t in tokens):
        return False  # GRID_STEP_PCT, TP_TICKS: the bot's own strategy settings
    if any(t in _NAME_TOKENS for t in tokens):
        return True
    for a, b in zip(tokens, tokens[1:]):
        if (a == "min" and b in _MIN_WORDS) or (b == "min" and a in _MIN_WORDS):
            return True  # MIN_QTY, CONTRACT_MIN
        if b in ("steps", "ticks") and a in ("qty", "price", "amount", "size", "lot", "order", "symbol"):
            return True
    return any(t in ("minqty", "minnotional", "minorder", "minorderqty") for t in tokens)


def _numeric(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    text = string_value(node)
    if text is None:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


class HardcodedInstrumentFilter(Rule):
    """
    ## What it does
    Flags a literal per-symbol table of instrument filters: a dict keyed by symbols
    (`"BTCUSDT"`, `"BTC/USDT:USDT"`) whose values are numbers or numeric strings (or small
    dicts of them), assigned to a name about steps, ticks, precision, decimals, lot sizes
    or min / max qty, or whose inner keys are filter fields (`qtyStep`, `tickSize`,
    `minOrderQty`...).

    ## Why is this bad?
    Bybit changes instrument filters: `maxLimitOrderQty` / `maxMarketOrderQty` twice a
    month, tick sizes after big price moves, qty steps on relisting. The docs say not to
    hard-code them. A table copied from the website is right the day it is written, then
    orders start failing with 10001 (170137 / 170134 / 170136 on spot), usually on the
    symbol nobody was watching.

    ## Example
    ```python
    QTY_STEP = {"BTCUSDT": 0.001, "ETHUSDT": 0.01}
    TICK_SIZE = {"BTCUSDT": 0.1, "ETHUSDT": 0.01}
    ```

    ## Use instead
    ```python
    def load_filters(session, category="linear"):
        rows = session.get_instruments_info(category=category)["result"]["list"]
        return {
            r["symbol"]: (Decimal(r["lotSizeFilter"]["qtyStep"]), Decimal(r["priceFilter"]["tickSize"]))
            for r in rows
        }
    ```
    (refresh it daily, or when an order fails with 10001 / 170137). With ccxt,
    `exchange.load_markets(reload=True)` and `amount_to_precision` / `price_to_precision`.

    Prevents Bybit 10001 after a filter change (170137, 170134 on spot); demonstrated by
    the pytest-bybit fault `params_error`.
    """

    code = "BYB104"
    name = "hardcoded-instrument-filter"
    message = "Read qtyStep/tickSize/minOrderQty from instruments-info instead of hard-coding them per symbol"
    prevents = "10001, 170137, 170134"
    fault = "params_error"
    words = ("USD", "BTC", "ETH", "EUR", "PERP")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if self._check(target.target, node.value, node):
                return

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(node.target, node.value, node)

    def _check(self, target: cst.BaseExpression, value: cst.BaseExpression, stmt: cst.CSTNode) -> bool:
        if not isinstance(value, cst.Dict):
            return False
        name = dotted_name(target)
        if name is None:
            return False
        items = list(dict_items(value))
        if not items or len(items) != len(value.elements):
            return False
        keys = [k for k, _ in items]
        strict = all(_SYMBOL_KEY.match(k) for k in keys)
        coins = all(_COIN_KEY.match(k) and not k.isdigit() for k in keys)
        if not (strict or coins):
            return False
        filter_keys_inside = False
        for _, element in items:
            inner = element.value
            if _numeric(inner):
                continue
            if isinstance(inner, (cst.Tuple, cst.List)) and inner.elements and all(_numeric(e.value) for e in inner.elements):
                continue
            if isinstance(inner, cst.Dict):
                sub = list(dict_items(inner))
                if sub and all(_numeric(e.value) for _, e in sub):
                    if any(k.lower() in _FILTER_KEYS or _filter_like_name(k) for k, _ in sub):
                        filter_keys_inside = True
                    continue
            return False
        short = name.split(".")[-1]
        if not (filter_keys_inside or (_filter_like_name(short) and (strict or len(keys) >= 2))):
            return False
        self.report(
            stmt,
            f"`{short}` hard-codes per-symbol instrument filters: read qtyStep/tickSize/minOrderQty "
            "from get_instruments_info (or ccxt's load_markets) at start-up and refresh them",
        )
        return True

    VALID = [
        Valid('LEVERAGE = {"BTCUSDT": 10, "ETHUSDT": 5}\n', note="not a filter"),
        Valid('POSITION_USDT = {"BTCUSDT": 200.0, "ETHUSDT": 100.0}\n', note="sizing config"),
        Valid(
            """
            from decimal import Decimal

            def load_filters(session):
                rows = session.get_instruments_info(category="linear")["result"]["list"]
                return {r["symbol"]: Decimal(r["lotSizeFilter"]["qtyStep"]) for r in rows}

            qty_steps: dict[str, Decimal] = {}
            """,
        ),
        Valid('SYMBOLS = {"BTCUSDT": "linear", "BTCUSDC": "spot"}\n'),
        Valid('tick_cache = {symbol: None for symbol in SYMBOLS}\n'),
        Valid('PRICE_STEP_HEADERS = {"Content-Type": "application/json", "X-BAPI-RECV-WINDOW": "5000"}\n'),
        Valid('CHANNEL_STEPS = {"public": 1, "private": 2}\n'),
        Valid(
            """
            TOPICS = {"BTCUSDT": "orderbook.50.BTCUSDT", "ETHUSDT": "orderbook.50.ETHUSDT"}
            WEIGHTS = {"BTC/USDT:USDT": 0.6, "ETH/USDT:USDT": 0.4}
            """,
        ),
    ]

    INVALID = [
        Invalid('QTY_STEP = {"BTCUSDT": 0.001, "ETHUSDT": 0.01, "SOLUSDT": 0.1}\n', line=1),
        Invalid(
            """
            TICK_SIZE = {
                "BTCUSDT": 0.1,
                "ETHUSDT": 0.01,
            }
            """,
            line=2,
        ),
        Invalid('PRICE_DECIMALS = {"BTCUSDT": 1, "ETHUSDT": 2}\n', line=1),
        Invalid(
            """
            INSTRUMENTS = {
                "BTCUSDT": {"qtyStep": "0.001", "tickSize": "0.10", "minOrderQty": "0.001"},
                "ETHUSDT": {"qtyStep": "0.01", "tickSize": "0.01", "minOrderQty": "0.01"},
            }
            """,
            line=2,
            note="inner keys are filter fields",
        ),
        Invalid(
            """
            class Sizer:
                min_qty = {"BTC/USDT:USDT": 0.001, "ETH/USDT:USDT": 0.01}
            """,
            line=3,
        ),
        Invalid(
            """
            class Bot:
                def __init__(self):
                    self.lot_sizes = {"BTCUSDT": "0.001", "XRPUSDT": "1"}
            """,
            line=4,
        ),
        Invalid(
            'PRECISION: dict[str, tuple[int, int]] = {"BTCUSDT": (3, 1), "ETHUSDT": (2, 2)}\n',
            line=1,
        ),
        Invalid('qtyPrecision = {"BTC": 6, "ETH": 5, "SOL": 3}\n', line=1, note="keyed by coin"),
    ]


# ------------------------------------------------------------------------------------------
_PRECISION_KEYS = frozenset({"amount", "price", "cost", "base", "quote"})
_MODE_WORDS = ("precisionMode", "DECIMAL_PLACES", "SIGNIFICANT_DIGITS", "TICK_SIZE")
_MODE_WORD = re.compile(r"\b(?:" + "|".join(_MODE_WORDS) + r")\b")


class CcxtPrecisionMisuse(_PrecisionRule):
    """
    ## What it does
    Flags ccxt precision values used as a number of decimals: `int(market["precision"]
    ["amount"])`, `round(x, market["precision"]["price"])`, `10 ** -precision`,
    `"{:.{}f}".format(x, precision)`, `f"{x:.{precision}f}"`, for values read from
    `market["precision"]`, `exchange.markets[symbol]["precision"]` or
    `exchange.market(symbol)["precision"]` (directly, through a local, or a small helper).

    ## Why is this bad?
    ccxt's bybit uses `TICK_SIZE` precision mode: `precision["amount"]` is the step itself
    (`0.001`, the market's qtyStep or basePrecision) and `precision["price"]` is the
    tickSize (`0.1`), not a count of decimals as on some other exchanges. `int(0.001)` is
    `0`, so `round(qty, 0)` makes whole coins or a qty of 0; `10 ** -0.001` is `0.998`.
    The order is then refused (10001, 110017 "orderQty will be truncated to zero", or
    ccxt's `InvalidOrder` before it is sent), or is far larger than intended.

    ## Example
    ```python
    market = exchange.market(symbol)
    amount = round(usdt / price, int(market["precision"]["amount"]))
    ```

    ## Use instead
    ```python
    amount = exchange.amount_to_precision(symbol, usdt / price)  # truncates to the step
    price = exchange.price_to_precision(symbol, price)
    ```
    Code written for several exchanges can branch on `exchange.precisionMode`
    (`ccxt.TICK_SIZE` vs `ccxt.DECIMAL_PLACES`); such branches are not flagged.

    Prevents Bybit 10001, 110017 (and ccxt `InvalidOrder`); demonstrated by the pytest-bybit
    fault `params_error`.
    """

    code = "BYB105"
    name = "ccxt-precision-misuse"
    message = (
        "ccxt's bybit precision is a tick size, not a number of decimals: use "
        "exchange.amount_to_precision() / price_to_precision()"
    )
    prevents = "10001, 110017"
    fault = "params_error"
    words = ('"precision"', "'precision'")

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node)
        self._claimed: set[int] = set()
        self._mode_guard = 0
        self._mode_tests: list[bool] = []
        self._mode_words_in_file = any(w in self.context.source for w in _MODE_WORDS)
        self.candidates: list[tuple[Callable[[Any], None], cst.CSTNode, Scope]] = []
        self._at_scope: Scope = node

    def visit_If(self, node: cst.If) -> None:
        self._enter_test(node.test)

    def leave_If(self, original_node: cst.If) -> None:
        self._leave_test()

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._enter_test(node.test)

    def leave_IfExp(self, original_node: cst.IfExp) -> None:
        self._leave_test()

    def _enter_test(self, test: cst.CSTNode) -> None:
        # kept for the leave hook: printing the test's code again cost as much once more
        guards = self._mentions_mode(test)
        self._mode_tests.append(guards)
        if guards:
            self._mode_guard += 1

    def _leave_test(self) -> None:
        if self._mode_tests.pop():
            self._mode_guard -= 1

    def _mentions_mode(self, test: cst.CSTNode) -> bool:
        if not self._mode_words_in_file:
            return False
        code = self.flow.module.code_for_node(test)
        return _MODE_WORD.search(code) is not None

    # -- what is a ccxt precision value ------------------------------------------------
    def _is_precision_dict(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> bool:
        if depth > 6:
            return False
        if isinstance(expr, cst.Subscript):
            return subscript_key(expr) == "precision"
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
            return bool(expr.args) and string_value(expr.args[0].value) == "precision"
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self._follow(expr, scope, depth, self._is_precision_dict)
        return False

    def _is_precision_value(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> bool:
        if depth > 6:
            return False
        if isinstance(expr, cst.Subscript):
            return subscript_key(expr) in _PRECISION_KEYS and self._is_precision_dict(expr.value, scope, depth + 1)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value == "get" and expr.args:
                return string_value(expr.args[0].value) in _PRECISION_KEYS and self._is_precision_dict(
                    func.value, scope, depth + 1
                )
            if call_name(expr) == "float" and expr.args:
                return self._is_precision_value(expr.args[0].value, scope, depth + 1)
            callee = self.flow.resolve_callee(expr, scope)
            if callee is not None:
                return any(self._is_precision_value(v, callee, depth + 1) for v in self.flow.returned(callee))
            return False
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return self._follow(expr, scope, depth, self._is_precision_value)
        return False

    def _follow(self, expr: cst.Name | cst.Attribute, scope: Scope, depth: int, check) -> bool:
        name = dotted_name(expr)
        if name is None:
            return False
        found = self.flow.reaching(name, scope, self.flow.start(expr))
        if found is None or found[1].value is None or found[1].op is not None:
            return False
        return check(found[1].value, found[0], depth + 1)

    def _precision_operand(self, expr: cst.CSTNode) -> bool:
        """P, -P, int(P), -int(P), (P)."""
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            expr = expr.expression
        if isinstance(expr, cst.Call) and call_name(expr) == "int" and expr.args:
            if self._is_precision_value(expr.args[0].value, self._at_scope):
                self._claimed.add(id(expr))
                return True
            return False
        return self._is_precision_value(expr, self._at_scope)

    def _flag(self, node: cst.CSTNode, what: str) -> None:
        if id(node) in self._claimed:
            return
        self._claimed.add(id(node))
        self.report(
            node,
            f"{what} reads ccxt's precision as a number of decimals, but on bybit it is a tick "
            "size (e.g. 0.001): use exchange.amount_to_precision() / price_to_precision()",
        )

    # -- the misuses -------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if not self._mode_guard:
            self.candidates.append((self._check_call, node, self.scope))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not self._mode_guard and isinstance(node.operator, (cst.Power, cst.Modulo)):
            self.candidates.append((self._check_binary, node, self.scope))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if not self._mode_guard:
            self.candidates.append((self._check_fstring, node, self.scope))

    def leave_Module(self, original_node: cst.Module) -> None:
        # pre-order: an outer misuse (round(x, int(p))) claims the inner one first
        for check, node, scope in self.candidates:
            if id(node) not in self._claimed:
                self._at_scope = scope
                check(node)
        # the bound methods above refer back to the rule: a cycle that would keep the tree alive
        self.candidates.clear()

    def _check_call(self, node: cst.Call) -> None:
        name = call_name(node)
        resolved = self.flow.imports.resolve(name) or name
        if name == "int" and node.args and self._is_precision_value(node.args[0].value, self._at_scope):
            self._flag(node, "int(precision)")
        elif name == "round" and len(node.args) >= 2 and self._precision_operand(node.args[1].value):
            self._flag(node, "round(x, precision)")
        elif resolved in ("pow", "math.pow") and len(node.args) >= 2 and self._is_ten(node.args[0].value):
            if self._precision_operand(node.args[1].value):
                self._flag(node, "10 ** precision")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            text = string_value(node.func.value)
            if text and ("{:." in text or ".{" in text or "{}f" in text):
                if any(self._precision_operand(a.value) for a in node.args):
                    self._flag(node, "str.format with precision as decimals")
        elif name == "format" and len(node.args) >= 2 and isinstance(node.args[1].value, cst.FormattedString):
            if self._fstring_uses_precision(node.args[1].value, top_level=True):
                self._flag(node, "format(x, f'.{precision}f')")

    def _check_binary(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Power) and self._is_ten(node.left):
            if self._precision_operand(node.right):
                self._flag(node, "10 ** precision")
        elif isinstance(node.operator, cst.Modulo):
            text = string_value(node.left)
            if text and "%.*f" in text and isinstance(node.right, cst.Tuple) and node.right.elements:
                if self._precision_operand(node.right.elements[0].value):
                    self._flag(node, '"%.*f" % (precision, x)')

    def _check_fstring(self, node: cst.FormattedString) -> None:
        if self._fstring_uses_precision(node, top_level=False):
            self._flag(node, "an f-string with precision as decimals")

    def _fstring_uses_precision(self, node: cst.FormattedString, top_level: bool) -> bool:
        parts = node.parts
        for i, part in enumerate(parts):
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            if part.format_spec:
                for inner in part.format_spec:
                    if isinstance(inner, cst.FormattedStringExpression) and self._precision_operand(inner.expression):
                        return True
            # ".{p}f" as a format spec built at top level, or "1e-{p}"
            before = parts[i - 1].value if i > 0 and isinstance(parts[i - 1], cst.FormattedStringText) else ""
            after = parts[i + 1].value if i + 1 < len(parts) and isinstance(parts[i + 1], cst.FormattedStringText) else ""
            if (top_level and before.endswith(".") and after.startswith("f")) or before.endswith(("e-", "E-")):
                if self._precision_operand(part.expression):
                    return True
        return False

    @staticmethod
    def _is_ten(node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Integer):
            return node.value == "10"
        if isinstance(node, cst.Float):
            return float(node.value) == 10.0
        if isinstance(node, cst.Call) and call_name(node) in ("Decimal", "decimal.Decimal", "D") and node.args:
            value = node.args[0].value
            return (isinstance(value, cst.Integer) and value.value == "10") or string_value(value) == "10"
        return False

    VALID = [
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def order(symbol, usdt, price):
                exchange.load_markets()
                amount = exchange.amount_to_precision(symbol, usdt / price)
                px = exchange.price_to_precision(symbol, price * 0.999)
                return exchange.create_order(symbol, "limit", "buy", amount, px)
            """,
        ),
        Valid(
            """
            import math
            import ccxt

            exchange = ccxt.bybit()

            def floor_to_step(symbol, amount):
                step = exchange.market(symbol)["precision"]["amount"]
                return math.floor(amount / step) * step
            """,
            note="the precision used as the step it is",
        ),
        Valid(
            """
            import ccxt

            def decimals(exchange, symbol):
                p = exchange.markets[symbol]["precision"]["price"]
                if exchange.precisionMode == ccxt.DECIMAL_PLACES:
                    return int(p)
                return round(x, int(-math.log10(p)))
            """,
            note="a branch on precisionMode",
        ),
        Valid(
            """
            from decimal import Decimal
            import ccxt

            def snap(market, amount):
                step = Decimal(str(market["precision"]["amount"]))
                return (Decimal(str(amount)) // step) * step
            """,
        ),
        Valid(
            """
            def show(market):
                print(f"{market['symbol']}: step {market['precision']['amount']}, "
                      f"tick {market['precision']['price']}")
                return int(market["limits"]["amount"]["min"] or 0)
            """,
        ),
        Valid(
            """
            def fmt(x, precision):
                return round(x, precision)

            cfg = {"precision": 3}
            n = int(cfg["precision"])
            """,
            note="a precision that is not a ccxt market's",
        ),
        Valid(
            """
            import ccxt

            ex = ccxt.bybit()

            def tick_decimals(symbol):
                tick = ex.market(symbol)["precision"]["price"]
                return len(f"{tick:.10f}".rstrip("0").split(".")[1])
            """,
            note="counting the decimals of the tick size is fine",
        ),
        Valid(
            """
            import ccxt

            ex = ccxt.bybit()
            p = ex.market("BTC/USDT:USDT")["precision"]["amount"]
            steps = int(qty / p)
            """,
            note="int() of a quotient, not of the precision",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def order_amount(symbol, usdt, price):
                market = exchange.market(symbol)
                whole_lots = int(market["precision"]["amount"]) == 0
                return float(int(usdt / price)) if whole_lots else usdt / price
            """,
            line=8,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def amount_for(symbol, usdt, price):
                market = exchange.markets[symbol]
                return round(usdt / price, int(market["precision"]["amount"]))
            """,
            line=8,
            note="round(..., int(precision)) is one finding",
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit()

            def price_for(symbol, price):
                prec = exchange.market(symbol)["precision"]
                digits = prec["price"]
                return float(f"{price:.{digits}f}")
            """,
            line=9,
        ),
        Invalid(
            """
            import math

            def floor_amount(market, amount):
                p = market["precision"]["amount"]
                factor = 10 ** p
                return math.floor(amount * factor) / factor
            """,
            line=6,
        ),
        Invalid(
            """
            import ccxt.async_support as ccxt

            async def qty(exchange, symbol, usdt, price):
                await exchange.load_markets()
                step = 10 ** -exchange.markets[symbol]["precision"]["amount"]
                return usdt / price // step * step
            """,
            line=6,
        ),
        Invalid(
            """
            import ccxt

            ex = ccxt.bybit()

            def fmt_price(symbol, price):
                precision = ex.market(symbol).get("precision", {}).get("price")
                return "{:.{}f}".format(price, precision)
            """,
            line=8,
        ),
        Invalid(
            """
            import ccxt

            class Trader:
                def __init__(self):
                    self.ex = ccxt.bybit()

                def _amount_precision(self, symbol):
                    return self.ex.market(symbol)["precision"]["amount"]

                def size(self, symbol, amount):
                    return round(amount, self._amount_precision(symbol))
            """,
            line=12,
            note="through a helper method",
        ),
        Invalid(
            """
            from decimal import Decimal

            def step_of(market):
                return Decimal(f"1e-{market['precision']['amount']}")
            """,
            line=5,
        ),
    ]
