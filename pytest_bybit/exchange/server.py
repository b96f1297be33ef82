"""``FakeBybit``: the exchange a test talks to.

It owns the state (engine, keys, limits), a clock, and the request log, and answers one request
at a time through :meth:`FakeBybit.handle`, in the order the live gateway checks things:
IP limit, route, authentication, per-endpoint rate limit, endpoint, envelope.

Middleware wraps that pipeline. ``fn(request, call_next) -> Reply`` may answer by itself, raise
(a ``requests`` exception the client will see, or a :class:`BybitError` turned into an envelope),
or call ``call_next(request)`` and then raise: a "lost response", where the exchange applied the
request but the client never heard back. The request log sits outside every middleware, so it
records what the client saw as well as what the exchange did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Callable, Iterator

from .. import facts
from .auth import Authenticator, KeyRegistry
from .candles import CandleBook, parse_candles
from .clocks import Clock, SystemClock
from .engine import Engine
from .errors import BybitError, Result, envelope
from .instruments import DEFAULT_PRICES, default_instruments, make_instrument
from .limits import RateLimits
from .models import Account, ApiKey, Ids, Instrument, Position, dec, fmt
from .parameters import refuse_unmodelled
from .recording import RequestLog, RequestRecord
from .routes import ROUTES, Route
from .wire import Reply, Request

Handler = Callable[[Request], Reply]
Middleware = Callable[[Request, Handler], Reply]

_HOST_ENV: dict[str, str] = {h: env for env, hosts in facts.REST_HOSTS.items() for h in hosts}
_JSON = "application/json; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"

#: Starting balances of a funded unified account.
#: USDC settles the options (bybit-v5.md D.3).
DEFAULT_BALANCES: dict[str, str] = {"USDT": "100000", "BTC": "1", "USDC": "100000"}
_FIRST_UID = 100_000_001


class FakeBybit:
    """A stateful V5 exchange for tests (moto-style: plain state, thin endpoints).

    ``clock`` gives the exchange's TRUE time (``now_ms()``); the bot's own clock may be drifted,
    which is exactly what the 10002 check must judge against.
    """

    def __init__(self, clock: Clock | None = None, *, env: str = "testnet", seed: int = 0) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.ids = Ids(seed)
        self.engine = Engine(
            default_instruments(), {s: Decimal(p) for s, p in DEFAULT_PRICES.items()}, self.ids
        )
        self.keys = KeyRegistry(self.ids)
        self.auth = Authenticator(self.keys)
        self.limits = RateLimits()
        self.requests = RequestLog()
        self.candles = CandleBook()
        self.routes: dict[tuple[str, str], Route] = ROUTES
        self._middleware: list[Middleware] = []
        self._chain: Handler = self._serve
        self._lock = threading.RLock()
        self._paused = 0
        #: Called (no arguments) after anything may have changed state: the stream server's hook.
        self.observers: list[Callable[[], None]] = []
        self.account = self.create_account()
        self.default_key = self.create_key(env=env)

    # --- accounts and keys -----------------------------------------------------------------

    def create_account(self, balances: dict[str, Any] | None = None) -> Account:
        """A new UID with a unified wallet (funded with DEFAULT_BALANCES unless told otherwise)."""
        uid = _FIRST_UID + len(self.engine.accounts)
        source = DEFAULT_BALANCES if balances is None else balances
        account = Account(uid, {coin: Decimal(str(v)) for coin, v in source.items()})
        self.engine.accounts[uid] = account
        return account

    def create_key(
        self, env: str = "testnet", read_only: bool = False, rsa: bool = False, account: Account | None = None
    ) -> ApiKey:
        """A key for ``env`` (mainnet, testnet, demo, demo-testnet) on ``account`` (default: the main one)."""
        return self.keys.create(env, (account or self.account).uid, read_only=read_only, rsa=rsa)

    @property
    def api_key(self) -> str:
        return self.default_key.api_key

    @property
    def api_secret(self) -> str:
        return self.default_key.api_secret

    # --- market and state ------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def _checked_price(self, what: str, symbol: str, price: Any) -> Decimal:
        if not isinstance(symbol, str) or symbol not in self.engine.prices:
            known = ", ".join(sorted(self.engine.prices))
            raise ValueError(
                f"{what}({symbol!r}, ...): no such symbol on the fake exchange (it lists {known}); "
                f"add it first with bybit.add_instrument({symbol!r}, category='linear', tick_size=..., qty_step=..., min_qty=..., price=...)"
            )
        value = dec(price)
        if value is None or value <= 0:
            raise ValueError(f"{what}({symbol!r}, {price!r}): the price must be a positive number (a str or Decimal such as '150.5')")
        return value

    def set_price(self, symbol: str, price: Any) -> None:
        """Move the last price of ``symbol``: resting orders it crosses fill, conditional orders
        and TP/SL triggered by the last price fire, and so do liquidations while the mark price
        follows the last one."""
        value = self._checked_price("set_price", symbol, price)
        with self._lock:
            self.engine.set_price(symbol, value, self.now_ms())
        self.changed()

    def changed(self) -> None:
        """Tell observers that orders, positions, balances or prices may have moved."""
        for observer in list(self.observers):
            observer()

    def set_mark_price(self, symbol: str, price: Any) -> None:
        """Pin the mark price apart from the last one: it drives liquidation and MarkPrice triggers."""
        value = self._checked_price("set_mark_price", symbol, price)
        with self._lock:
            self.engine.set_mark(symbol, value, self.now_ms())

    def set_index_price(self, symbol: str, price: Any) -> None:
        """Pin the index price apart from the last one: it drives IndexPrice triggers."""
        value = self._checked_price("set_index_price", symbol, price)
        with self._lock:
            self.engine.set_index(symbol, value, self.now_ms())

    def set_klines(self, symbol: str, candles: Iterable[Sequence[Any]], interval: str = "1") -> None:
        """Seed the candle history /v5/market/kline answers for ``symbol`` at ``interval``.

        ``candles`` are (open, high, low, close, volume), oldest first; the last one is the
        candle open now. Older and newer candles stay flat at the last price with no volume,
        and the last price itself is still set_price's.
        """
        self._checked_price("set_klines", symbol, "1")
        parsed = parse_candles(symbol, str(interval), candles)
        with self._lock:
            self.candles.seed(symbol, str(interval), parsed, self.now_ms())

    def add_instrument(self, symbol: str, category: str = "linear", *, price: Any = None, **filters: Any) -> Instrument:
        """List a new instrument (any symbol the built-in table lacks), tradable at once.

        ``filters`` are make_instrument's: tick_size, qty_step, min_qty (required), max_qty,
        max_market_qty, min_notional, max_leverage, min_price, max_price, base_coin, quote_coin,
        min_order_amt (spot). ``price`` is the starting last price (required for a new name).
        """
        inst = make_instrument(symbol, category, symbol_id=1000 + len(self.engine.instruments), **filters)
        if (category, symbol) in self.engine.instruments:
            raise ValueError(f"add_instrument({symbol!r}, category={category!r}): already listed; change it with bybit.instrument({category!r}, {symbol!r}).set_filter(...)")
        if price is None and symbol not in self.engine.prices:
            raise ValueError(f"add_instrument({symbol!r}): give price=... (the starting last price)")
        value = self._checked_price("add_instrument", symbol, price) if symbol in self.engine.prices and price is not None else None
        if value is None and price is not None:
            value = dec(price)
            if value is None or value <= 0:
                raise ValueError(f"add_instrument({symbol!r}): price={price!r} must be a positive number")
        with self._lock:
            self.engine.instruments[(category, symbol)] = inst
            if value is not None:
                self.engine.prices[symbol] = value
        return inst

    # --- set-up without HTTP -----------------------------------------------------------------

    @property
    def is_paused(self) -> bool:
        """The one flag faults and invariants consult: True inside ``with paused():``."""
        return self._paused > 0

    @contextmanager
    def paused(self) -> Iterator[None]:
        """A test's own set-up: requests sent inside are served, logged with ``paused=True``,
        and no fault fires on them nor does any invariant count them."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def _derivative(self, what: str, symbol: str, category: str | None) -> Instrument:
        for cat in ((category,) if category else ("linear", "inverse")):
            inst = self.engine.instruments.get((cat, symbol))  # type: ignore[arg-type]
            if inst is not None:
                return inst
        raise ValueError(f"{what}({symbol!r}): no {category or 'linear or inverse'} instrument of that name; add it with bybit.add_instrument({symbol!r}, ...)")

    def open_position(
        self, symbol: str, side: str, size: Any, price: Any = None, leverage: Any = None,
        *, category: str | None = None, account: Account | None = None,
    ) -> Position:
        """Seed a position as if it had been opened earlier (no request, no fee, no fault used).

        The entry is ``price`` (default: the last price); ``leverage`` sets the symbol's leverage
        first. In hedge mode the Buy side is positionIdx 1 and the Sell side 2.
        """
        inst = self._derivative("open_position", symbol, category)
        if side not in ("Buy", "Sell"):
            raise ValueError(f"open_position({symbol!r}): side={side!r} must be 'Buy' or 'Sell'")
        qty = dec(size)
        if qty is None or qty < inst.min_qty or qty % inst.qty_step:
            raise ValueError(f"open_position({symbol!r}): size={size!r} must be a multiple of qtyStep {fmt(inst.qty_step)} and at least minOrderQty {fmt(inst.min_qty)}")
        entry = self.engine.price(symbol) if price is None else self._checked_price("open_position", symbol, price)
        if entry % inst.tick_size:
            raise ValueError(f"open_position({symbol!r}): price={price!r} is not a multiple of tickSize {fmt(inst.tick_size)}")
        target = account or self.account
        if leverage is not None:
            lev = dec(leverage)
            if lev is None or lev < inst.min_leverage or lev > inst.max_leverage or lev % inst.leverage_step:
                raise ValueError(f"open_position({symbol!r}): leverage={leverage!r} must be within {fmt(inst.min_leverage)}..{fmt(inst.max_leverage)} in steps of {fmt(inst.leverage_step)}")
            target.leverage[symbol] = lev
        idx = (1 if side == "Buy" else 2) if target.position_mode(symbol) == 3 else 0
        with self._lock:
            pos = target.positions.get((symbol, idx))
            if pos is not None and pos.size:
                raise ValueError(f"open_position({symbol!r}): a {pos.side} position of {fmt(pos.size)} is already open on positionIdx {idx}")
            now = self.now_ms()
            pos = Position(inst.category, symbol, idx, side=side, size=qty, avg_price=entry, created_ms=now, updated_ms=now)
            target.positions[(symbol, idx)] = pos
        return pos

    def place_resting_order(
        self, symbol: str, side: str, qty: Any, price: Any = None, *, category: str = "linear",
        order_type: str = "Limit", account: Account | None = None, **params: Any,
    ) -> dict[str, Any]:
        """Put an order on the book as if the bot had placed it earlier (no request, no fault used).

        It is checked exactly as /v5/order/create checks it; ``params`` are further V5 fields
        (``orderLinkId``, ``triggerPrice``, ``triggerDirection``, ``reduceOnly``...). It must
        rest: a limit price that would fill at once is refused. Returns the order in the V5 shape.
        """
        target = account or self.account
        body: dict[str, Any] = {"category": category, "symbol": symbol, "side": side, "orderType": order_type, "qty": str(qty), **params}
        if price is not None:
            body["price"] = str(price)
        conditional = params.get("triggerPrice") not in (None, "", "0")
        if order_type == "Market" and not conditional:
            raise ValueError(f"place_resting_order({symbol!r}): a Market order never rests; give triggerPrice= and triggerDirection= for a conditional one")
        if (category, symbol) not in self.engine.instruments:
            raise ValueError(f"place_resting_order({symbol!r}): no {category} instrument of that name; add it with bybit.add_instrument({symbol!r}, category={category!r}, ...)")
        if not conditional and price is not None:
            last, limit = self.engine.price(symbol), dec(price)
            if limit is not None and (limit >= last if side == "Buy" else limit <= last):
                raise ValueError(f"place_resting_order({symbol!r}): a {side} at {price} would fill at once against the last price {fmt(last)}")
        with self._lock:
            try:
                order = self.engine.place(target, body, self.now_ms())
            except BybitError as err:
                raise ValueError(f"place_resting_order({symbol!r}): the exchange refuses this order: {err}") from None
        return order.to_v5(self.engine.instruments[(order.category, order.symbol)])

    def price(self, symbol: str) -> Decimal:
        return self.engine.price(symbol)

    def instrument(self, category: str, symbol: str) -> Instrument:
        return self.engine.instruments[(category, symbol)]

    def set_balance(self, coin: str, amount: Any, account: Account | None = None) -> None:
        (account or self.account).balances[coin] = Decimal(str(amount))
        self.changed()

    def deposit(self, coin: str, amount: Any, account: Account | None = None, *, chain: str = "ETH") -> dict[str, Any]:
        """Credit an on-chain deposit to the funding wallet (FUND), listed by /v5/asset/deposit/query-record."""
        value = dec(amount)
        if not isinstance(coin, str) or not coin or value is None or value <= 0:
            raise ValueError(f"deposit({coin!r}, {amount!r}): give a coin name and a positive amount")
        target = account or self.account
        now = self.now_ms()
        with self._lock:
            target.funding[coin] = target.funding.get(coin, Decimal(0)) + value
            row = {
                "id": str(len(target.deposits) + 1), "coin": coin, "chain": chain, "amount": fmt(value),
                "txID": self.ids.token(64).lower(), "status": 3, "toAddress": "0x" + self.ids.token(40).lower(),
                "tag": "", "depositFee": "", "successAt": str(now), "confirmations": "64", "txIndex": "0",
                "blockHash": "0x" + self.ids.token(64).lower(), "batchReleaseLimit": "-1", "depositType": "0",
                "fromAddress": "", "taxDepositRecordsId": "0", "taxStatus": 0,
            }
            target.deposits.append(row)
        return row

    def balance(self, coin: str, account: Account | None = None) -> Decimal:
        return (account or self.account).balances.get(coin, Decimal(0))

    def set_position_mode(self, symbol: str, hedge: bool, account: Account | None = None) -> None:
        target = account or self.account
        (target.hedge_symbols.add if hedge else target.hedge_symbols.discard)(symbol)

    def position(self, symbol: str, idx: int = 0, account: Account | None = None) -> Position | None:
        return (account or self.account).positions.get((symbol, idx))

    @property
    def orders(self) -> list[dict[str, Any]]:
        """Every accepted order (all accounts), oldest first, in the V5 order shape."""
        instruments = self.engine.instruments
        return [o.to_v5(instruments[(o.category, o.symbol)]) for o in self.engine.orders]

    def fill_order(self, order_id: str, qty: Any = None, price: Any = None) -> None:
        """Fill an open order now (all of it, or ``qty`` to leave it PartiallyFilled)."""
        for order in self.engine.orders:
            if order.order_id == order_id or (order.order_link_id and order.order_link_id == order_id):
                with self._lock:
                    self.engine.fill(order, dec(qty) if qty is not None else None, dec(price) if price is not None else None, self.now_ms())
                self.changed()
                return
        raise KeyError(order_id)

    @property
    def max_active_orders(self) -> int:
        return self.engine.max_active_orders

    @max_active_orders.setter
    def max_active_orders(self, value: int) -> None:
        self.engine.max_active_orders = value

    # --- middleware ------------------------------------------------------------------------

    def add_middleware(self, fn: Middleware) -> Callable[[], None]:
        """Wrap the pipeline with ``fn(request, call_next)``; the first added is the outermost.

        Returns a function that removes it again.
        """
        self._middleware.append(fn)
        self._rebuild()
        return lambda: self.remove_middleware(fn)

    def remove_middleware(self, fn: Middleware) -> None:
        if fn in self._middleware:
            self._middleware.remove(fn)
            self._rebuild()

    def clear_middleware(self) -> None:
        self._middleware.clear()
        self._rebuild()

    def _rebuild(self) -> None:
        handler: Handler = self._serve
        for mw in reversed(self._middleware):
            handler = _bind(mw, handler)
        self._chain = handler

    def error_reply(
        self,
        ret_code: int,
        ret_msg: str | None = None,
        *,
        http_status: int = 200,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        content_type: str | None = None,
    ) -> Reply:
        """The reply the exchange would send for an error: for middleware that injects one."""
        err = BybitError(ret_code, ret_msg, http_status=http_status, body=body, content_type=content_type, headers=headers)
        return self._error_reply(err, {}, self.now_ms())

    # --- the pipeline ----------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """Answer one request. Exceptions raised by middleware propagate to the caller."""
        record = RequestRecord(request, self.clock.now_ms())
        record.paused = self.is_paused
        request.record = record
        self.requests.append(record)
        try:
            # While paused (a test's own set-up), no middleware sees the request: no fault fires.
            reply = self._serve(request) if record.paused else self._chain(request)
        except BybitError as err:
            reply = self._error_reply(err, {}, self.clock.now_ms())
        except Exception as exc:
            record.error = exc
            raise
        record._received(reply)
        return reply

    def _serve(self, request: Request) -> Reply:
        with self._lock:
            now = self.clock.now_ms()
            request.now_ms = now
            reply = self._process(request, now)
        self.changed()
        if request.record is not None:
            request.record._served(reply)
        return reply

    def _process(self, request: Request, now: int) -> Reply:
        if self.limits.hit_ip(now):
            return Reply(403, {}, facts.IP_BAN_BODY, _TEXT)
        if request.method == "GET" and request.body:
            return Reply(403, {}, "403 Forbidden", _TEXT)
        env = _HOST_ENV.get(request.host)
        route = self.routes.get((request.method, request.path))
        if env is None or route is None:
            return Reply(404, {}, "404 page not found", _TEXT)
        limit_headers: dict[str, str] = {}
        try:
            if route.private:
                key = self.auth.authenticate(request, env, now)
                request.api_key = key
                request.account = self.engine.accounts[key.uid]
                if route.write and key.read_only:
                    raise BybitError(10005)
                limit_headers = self._rate_limit(route, request, key.uid, now)
            refuse_unmodelled(request.method, request.path, request.params)
            result = route.fn(self, request)
        except BybitError as err:
            return self._error_reply(err, limit_headers, now)
        if isinstance(result, Result):
            body = envelope(0, "OK", result.result, now, result.ext_info)
        else:
            body = envelope(0, "OK", result, now)
        limit_headers["Timenow"] = str(now)
        return Reply(200, limit_headers, body, _JSON, 0)

    def _rate_limit(self, route: Route, request: Request, uid: int, now: int) -> dict[str, str]:
        params = request.safe_params()
        category = params.get("category")
        if not isinstance(category, str):
            category = None
        n = 1
        if route.batch_field:
            items = params.get(route.batch_field)
            n = len(items) if isinstance(items, list) and items else 1
        quota = self.limits.acquire(uid, route.path, category, now, n)
        if quota is None:
            return {}
        headers = quota.headers() if self.limits.send_headers else {}
        if quota.granted == 0:
            raise BybitError(10006, headers=headers)
        if route.batch_field:
            request.granted = quota.granted
        return headers

    def _error_reply(self, err: BybitError, headers: dict[str, str], now: int) -> Reply:
        merged = {**headers, **err.headers}
        if err.body is not None:
            return Reply(err.http_status, merged, err.body, err.content_type or _TEXT, None)
        merged["Timenow"] = str(now)
        body = envelope(err.ret_code, err.ret_msg, None, now)
        return Reply(err.http_status, merged, body, _JSON, err.ret_code)


def _bind(mw: Middleware, call_next: Handler) -> Handler:
    def call(request: Request) -> Reply:
        return mw(request, call_next)

    return call
