"""The object behind the ``bybit`` fixture: one fake exchange, one clock, one fault injector.

It is deliberately small: the state lives in the exchange's models, and this object only
ties them to a test's lifetime and exposes what a test asserts on.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .clock import VirtualClock
from .exchange.interceptor import Interceptor
from .exchange.server import FakeBybit
from .faults import Fault, FaultInjector
from .network_guard import NetworkGuard
from .scenarios import Scenario
from .transports import Transports
from .transports import mocks
from .transports.gateway import Gateway
from .streams import StreamServer
from .streams.routing import Router


class Bybit:
    """A fake Bybit V5 exchange for one test (``bybit`` fixture).

    Requests from pybit, ccxt (sync) and plain requests to any Bybit REST host land here;
    a request to anything else fails the test. ``api_key`` / ``api_secret`` are a testnet
    key pair with a funded unified account.
    """

    def __init__(self, clock: VirtualClock, scenario: Scenario | None = None) -> None:
        self.clock = clock
        self.scenario = scenario
        self.exchange = FakeBybit(clock=clock)
        self.injector = FaultInjector(clock)
        self.exchange.add_middleware(self.injector)
        self.interceptor = Interceptor(self.exchange)
        self.network_guard = NetworkGuard(self.interceptor.unexpected.append)
        self.transports = Transports(Gateway(self.exchange, self.interceptor.unexpected))
        self._teardown: contextlib.ExitStack | None = None
        #: Bybit's WebSocket streams, on loopback; started by the first connection.
        self.streams = StreamServer(self.exchange, clock, self.injector)
        self.stream_router = Router(lambda: self.streams.port, self.interceptor.unexpected.append)
        self.api_key: str = self.exchange.api_key
        self.api_secret: str = self.exchange.api_secret

    # -- what tests use ----------------------------------------------------------------
    @property
    def orders(self) -> list[dict[str, Any]]:
        """Orders the exchange accepted, as /v5/order/realtime list items."""
        return self.exchange.orders

    @property
    def requests(self):  # -> RequestLog
        """Every request received: method, host, path, params, retCode, HTTP status."""
        return self.exchange.requests

    def create_key(self, env: str = "mainnet", **kwargs: Any):
        """Another key pair, valid only in ``env`` (mainnet, testnet, demo, demo-testnet)."""
        return self.exchange.create_key(env=env, **kwargs)

    def set_price(self, symbol: str, price: Any) -> None:
        self.exchange.set_price(symbol, price)

    def paused(self):  # -> ContextManager[None]
        """``with bybit.paused():`` the test's own set-up requests use up no fault and break no invariant."""
        return self.exchange.paused()

    def open_position(self, symbol: str, side: str, size: Any, price: Any = None, leverage: Any = None, **kwargs: Any):
        """Seed a position without a request (see FakeBybit.open_position)."""
        return self.exchange.open_position(symbol, side, size, price, leverage, **kwargs)

    def place_resting_order(self, symbol: str, side: str, qty: Any, price: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Seed an order on the book without a request (see FakeBybit.place_resting_order)."""
        return self.exchange.place_resting_order(symbol, side, qty, price, **kwargs)

    def set_klines(self, symbol: str, candles: Any, interval: str = "1") -> None:
        """Seed /v5/market/kline history: (open, high, low, close, volume) rows, oldest first."""
        self.exchange.set_klines(symbol, candles, interval)

    def add_instrument(self, symbol: str, category: str = "linear", **kwargs: Any):
        """List any symbol the built-in table lacks (see FakeBybit.add_instrument)."""
        return self.exchange.add_instrument(symbol, category, **kwargs)

    def fault(self, name: str, **params: Any) -> Fault:
        """Inject a fault into the next matching requests, from inside a test."""
        return self.injector.add(Fault.create(name, origin="fixture", **params))

    @property
    def max_active_orders(self) -> int:
        """Open orders allowed per symbol before Bybit answers 110020."""
        return self.exchange.max_active_orders

    @max_active_orders.setter
    def max_active_orders(self, value: int) -> None:
        self.exchange.max_active_orders = value

    @property
    def unexpected(self) -> list[str]:
        return self.interceptor.unexpected

    def __getattr__(self, name: str) -> Any:
        # everything else the exchange offers (positions, limits, instruments...)
        if name.startswith("_") or name in ("exchange", "streams", "stream_router"):
            raise AttributeError(name)
        return getattr(self.exchange, name)

    # -- lifetime ----------------------------------------------------------------------
    def start(self) -> "Bybit":
        """Install everything, or nothing: a step that fails undoes the steps before it."""
        if self._teardown is not None:
            return self
        with contextlib.ExitStack() as steps:
            # each undo is registered before its step, so a half-done step is undone too
            mocks.check_no_outer_responses_mock()
            steps.callback(self.interceptor.stop)
            self.interceptor.start()
            steps.callback(self.network_guard.uninstall)
            self.network_guard.install()
            steps.callback(self.transports.uninstall)
            self.transports.install()
            steps.callback(mocks.cooperate(self.interceptor._mock))
            steps.callback(self.clock.uninstall)
            self.clock.install()
            # undone first: no new stream is routed, then the server stops while the clock is still there
            steps.callback(self.streams.stop)
            steps.callback(self.stream_router.uninstall)
            self.stream_router.install()
            self._teardown = steps.pop_all()
        return self

    def stop(self) -> None:
        teardown, self._teardown = self._teardown, None
        if teardown is not None:
            teardown.close()

    def __repr__(self) -> str:
        scenario = f" scenario={self.scenario.name}" if self.scenario else ""
        return f"<bybit fake exchange{scenario} requests={len(self.requests)} orders={len(self.orders)}>"
