"""What the streams push, built from the fake exchange's state.

Public topics follow the last price (``set_price``) and the fills: ``tickers``,
``orderbook.{depth}``, ``publicTrade`` and ``kline.{interval}``. Private topics (``order``,
``execution``, ``position``, ``wallet``) are pushed when an account's state changes: after
every change the account's state is compared with what was last pushed, so anything that
moves an order, a position or a balance reaches the stream, whichever way it was made.
Payload shapes are the REST ones where Bybit shares them (the same route functions build them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..exchange import routes
from ..exchange.errors import BybitError
from ..exchange.models import Account, fmt
from ..exchange.server import FakeBybit
from ..exchange.wire import Request

PRIVATE_TOPICS = ("order", "execution", "position", "wallet")
ORDERBOOK_DEPTHS = {
    "spot": (1, 50, 200, 1000),
    "linear": (1, 50, 200, 500, 1000),
    "inverse": (1, 50, 200, 500, 1000),
    "option": (25, 100),
}
KLINE_MS = {
    **{str(m): m * 60_000 for m in (1, 3, 5, 15, 30, 60, 120, 240, 360, 720)},
    "D": 86_400_000,
    "W": 604_800_000,
    "M": 30 * 86_400_000,  # a calendar month on Bybit; 30 days here
}


class TopicError(ValueError):
    """A topic the stream does not serve; the message is Bybit's ``ret_msg``."""


def _route(ex: FakeBybit, fn: Any, query: str, now_ms: int, account: Account | None = None) -> Any:
    request = Request("GET", f"/?{query}")  # only the parameters matter to a route
    request.now_ms = now_ms
    request.account = account
    return fn(ex, request)


def _not_found(topic: str) -> TopicError:
    # Observed: {"success": false, "ret_msg": "error:handler not found,topic:dcp.future", ...}
    return TopicError(f"error:handler not found,topic:{topic}")


def parse_public(ex: FakeBybit, kind: str, topic: str) -> tuple[str, str, str]:
    """``(family, parameter, symbol)`` of a public topic, or TopicError."""
    parts = topic.split(".")
    family = parts[0]
    instruments = ex.engine.instruments
    if family == "tickers" and len(parts) == 2:
        param, symbol = "", parts[1]
    elif family == "publicTrade" and len(parts) == 2:
        param, symbol = "", parts[1]
        if kind == "option":  # option trades are per base coin
            if any(i.base_coin == symbol for (c, _), i in instruments.items() if c == "option"):
                return family, param, symbol
            raise _not_found(topic)
    elif family == "orderbook" and len(parts) == 3 and parts[1].isdigit():
        param, symbol = parts[1], parts[2]
        if int(param) not in ORDERBOOK_DEPTHS[kind]:
            raise _not_found(topic)
    elif family == "kline" and len(parts) == 3 and kind != "option":
        param, symbol = parts[1], parts[2]
        if param not in KLINE_MS:
            raise _not_found(topic)
    else:
        raise _not_found(topic)
    if (kind, symbol) not in instruments:
        raise _not_found(topic)
    return family, param, symbol


def parse_private(topic: str) -> tuple[str, str | None]:
    """``(family, category filter)``: ``order``, ``order.linear``, ``execution.spot``..."""
    family, _, category = topic.partition(".")
    if family not in PRIVATE_TOPICS or (category and (family == "wallet" or category not in ORDERBOOK_DEPTHS)):
        raise _not_found(topic)
    return family, category or None


# --- public -------------------------------------------------------------------------------


def ticker(ex: FakeBybit, kind: str, symbol: str, now_ms: int) -> dict[str, Any]:
    rows = _route(ex, routes.tickers, f"category={kind}&symbol={symbol}", now_ms)["list"]
    return rows[0]


def orderbook(ex: FakeBybit, kind: str, symbol: str, depth: int, now_ms: int, seq: int) -> dict[str, Any]:
    inst = ex.engine.instruments[(kind, symbol)]
    last, tick = ex.engine.price(symbol), inst.tick_size
    levels = min(depth, 25)  # a thin book: the fake market has no depth beyond a few levels
    return {
        "s": symbol,
        "b": [[inst.fmt_price(last - tick * (i + 1)), "1"] for i in range(levels)],
        "a": [[inst.fmt_price(last + tick * i), "1"] for i in range(levels)],
        "u": seq,
        "seq": seq,
    }


def trades_since(ex: FakeBybit, kind: str, symbol: str, last_id: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Trades newer than ``last_id`` (oldest first) in the stream's short form, and the newest id."""
    if kind == "option":
        symbols = {s for (c, s), i in ex.engine.instruments.items() if c == "option" and i.base_coin == symbol}
    else:
        symbols = {symbol}
    fresh: list[dict[str, Any]] = []
    newest = last_id
    for sym in symbols:
        for trade in ex.engine.trades.get(sym, ()):
            if trade["execId"] == last_id:
                break
            fresh.append(trade)
    fresh.sort(key=lambda t: int(t["time"]))
    if fresh:
        newest = fresh[-1]["execId"]
    out = []
    for trade in fresh:
        out.append(
            {
                "T": int(trade["time"]),
                "s": trade["symbol"],
                "S": trade["side"],
                "v": trade["size"],
                "p": trade["price"],
                "L": "PlusTick" if trade["side"] == "Buy" else "MinusTick",
                "i": trade["execId"],
                "BT": False,
            }
        )
    return out, newest


class Candle:
    """The open kline of one ``kline.{interval}.{symbol}`` subscription."""

    def __init__(self, interval: str, price: Decimal, now_ms: int, fmt_price: Any = fmt) -> None:
        self.interval = interval
        self.fmt_price = fmt_price
        self.step = KLINE_MS[interval]
        self._open(price, now_ms)

    def _open(self, price: Decimal, now_ms: int) -> None:
        self.start = now_ms // self.step * self.step
        self.open = self.high = self.low = self.close = price
        self.volume = self.turnover = Decimal(0)

    def update(self, price: Decimal, trades: list[dict[str, Any]], now_ms: int) -> list[dict[str, Any]]:
        """The candles to push: the closed one (``confirm: true``) when the interval rolled over."""
        pushed = []
        if now_ms >= self.start + self.step:
            pushed.append(self.row(now_ms, confirm=True))
            self._open(self.close, now_ms)
        for trade in trades:
            px, qty = Decimal(trade["p"]), Decimal(trade["v"])
            self.volume += qty
            self.turnover += qty * px
        self.close = price
        self.high, self.low = max(self.high, price), min(self.low, price)
        pushed.append(self.row(now_ms, confirm=False))
        return pushed

    def row(self, now_ms: int, confirm: bool) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.start + self.step - 1,
            "interval": self.interval,
            "open": self.fmt_price(self.open),
            "close": self.fmt_price(self.close),
            "high": self.fmt_price(self.high),
            "low": self.fmt_price(self.low),
            "volume": fmt(self.volume),
            "turnover": fmt(self.turnover),
            "confirm": confirm,
            "timestamp": now_ms,
        }


# --- private ------------------------------------------------------------------------------


class AccountState:
    """What was last pushed for one account, to push only what changed since."""

    def __init__(self, ex: FakeBybit, account: Account, now_ms: int) -> None:
        self.ex = ex
        self.account = account
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[str, int], dict[str, Any]] = {}
        self.wallet: dict[str, Any] = {}
        self.executions = 0
        self.changes(now_ms)  # the baseline: nothing that happened before is pushed

    def changes(self, now_ms: int) -> dict[str, list[dict[str, Any]]]:
        """Rows per private topic that changed since the last call."""
        ex, account = self.ex, self.account
        instruments = ex.engine.instruments
        out: dict[str, list[dict[str, Any]]] = {t: [] for t in PRIVATE_TOPICS}
        for order in account.orders.values():
            row = {"category": order.category, **order.to_v5(instruments[(order.category, order.symbol)])}
            if self.orders.get(order.order_id) != row:
                self.orders[order.order_id] = row
                out["order"].append(row)
        fresh = account.executions[self.executions:]
        self.executions = len(account.executions)
        out["execution"] = [dict(e) for e in fresh]
        for key, pos in account.positions.items():
            inst = instruments[(pos.category, pos.symbol)]
            row = {"category": pos.category, **routes._position_row(ex, account, inst, pos, now_ms)}
            comparable = {k: v for k, v in row.items() if k != "updatedTime"}
            if self.positions.get(key) != comparable:
                self.positions[key] = comparable
                out["position"].append(row)
        try:
            wallet = _route(ex, routes.wallet_balance, "accountType=UNIFIED", now_ms, account)["list"]
        except BybitError:  # pragma: no cover - the route only refuses a bad accountType
            wallet = []
        if wallet != self.wallet:
            self.wallet = wallet
            out["wallet"] = wallet
        return out
