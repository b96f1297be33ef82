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
from decimal import Decimal
from typing import Any, Callable

from .. import facts
from .auth import Authenticator, KeyRegistry
from .clocks import Clock, SystemClock
from .engine import Engine
from .errors import BybitError, Result, envelope
from .instruments import DEFAULT_PRICES, default_instruments
from .limits import RateLimits
from .models import Account, ApiKey, Ids, Instrument, Position, dec
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
        self.routes: dict[tuple[str, str], Route] = ROUTES
        self._middleware: list[Middleware] = []
        self._chain: Handler = self._serve
        self._lock = threading.RLock()
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

    def set_price(self, symbol: str, price: Any) -> None:
        """Move the last price of ``symbol``; resting orders it crosses fill."""
        value = dec(price)
        if symbol not in self.engine.prices or value is None or value <= 0:
            raise ValueError(f"cannot set {symbol} to {price!r}")
        with self._lock:
            self.engine.set_price(symbol, value, self.now_ms())
        self.changed()

    def changed(self) -> None:
        """Tell observers that orders, positions, balances or prices may have moved."""
        for observer in list(self.observers):
            observer()

    def price(self, symbol: str) -> Decimal:
        return self.engine.price(symbol)

    def instrument(self, category: str, symbol: str) -> Instrument:
        return self.engine.instruments[(category, symbol)]

    def set_balance(self, coin: str, amount: Any, account: Account | None = None) -> None:
        (account or self.account).balances[coin] = Decimal(str(amount))
        self.changed()

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
        request.record = record
        self.requests.append(record)
        try:
            reply = self._chain(request)
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
