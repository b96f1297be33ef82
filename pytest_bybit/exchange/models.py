"""Plain state: API keys, instruments, accounts, positions, orders.

Numbers are :class:`~decimal.Decimal` inside and strings on the wire, exactly as V5 types them;
that difference is the point of several lint rules (float qty, step rounding), so the fake never
lets a float near an order value.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)


def as_int(value: Any) -> int:
    """``int(value)`` for an integer field of a request; ValueError for anything that is not
    one, including what ``int`` raises other errors for (a list, ``Infinity`` in the JSON)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"not an integer: {value!r}") from None


def dec(value: Any) -> Decimal | None:
    """A Decimal from a wire value, or None when it is not a sane number.

    Floats go through ``str`` as json would have written them.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(value if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    # Beyond these magnitudes Decimal's 28-digit context cannot take a remainder by a step.
    if not d.is_finite() or d.adjusted() > 15 or d.as_tuple().exponent < -18:
        return None
    return d


def fmt(value: Decimal, places: int | None = None) -> str:
    """A Decimal as Bybit writes it: plain notation, no exponent, no trailing zeros unless ``places``."""
    if places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    if not value:
        return "0"
    return format(value.normalize(), "f")


def _fixed(value: Decimal, places: int) -> str:
    """``value`` with at least ``places`` decimals, more only when it really has more (an average)."""
    own = places_of(value) if value else 0
    if own > places:
        return fmt(value.quantize(Decimal(1).scaleb(-min(own, places + 8))).normalize())
    return fmt(value, places)


def places_of(step: Decimal) -> int:
    """Decimal places a step allows: 0.001 -> 3, 0.10 -> 1 (by value, not by spelling), 1 -> 0."""
    exp = step.normalize().as_tuple().exponent
    return max(0, -int(exp))


@dataclass(eq=False)
class ApiKey:
    """A key pair registered in exactly one environment, owned by one account (UID)."""

    api_key: str
    api_secret: str
    env: str
    read_only: bool = False
    rsa_public_key: str | None = None
    uid: int = 0
    _verifier: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def is_rsa(self) -> bool:
        return self.rsa_public_key is not None


class Instrument:
    """One instruments-info entry. ``info`` is the exact wire shape (every number a string);
    the Decimal attributes are derived from it, so a test that edits a filter with
    :meth:`set_filter` changes what the exchange enforces and what it publishes at once."""

    def __init__(self, category: str, info: dict[str, Any]) -> None:
        self.category = category
        self.info = info
        self._derive()

    def _derive(self) -> None:
        info = self.info
        lot = info["lotSizeFilter"]
        pf = info["priceFilter"]
        self.symbol: str = info["symbol"]
        self.base_coin: str = info["baseCoin"]
        self.quote_coin: str = info["quoteCoin"]
        self.settle_coin: str = info.get("settleCoin") or info["quoteCoin"]
        self.status: str = info.get("status", "Trading")
        self.tick_size = Decimal(pf["tickSize"])
        self.min_price = Decimal(pf.get("minPrice", "0"))
        self.max_price = Decimal(pf["maxPrice"]) if "maxPrice" in pf else None
        risk = info.get("riskParameters") or {}
        self.price_limit_x = Decimal(risk.get("priceLimitRatioX", "0.05"))
        if self.category == "spot":
            self.qty_step = Decimal(lot["basePrecision"])
            self.quote_step = Decimal(lot["quotePrecision"])
            self.min_qty = Decimal(lot["minOrderQty"])
            self.min_amount = Decimal(lot["minOrderAmt"])
            self.max_qty = Decimal(lot["maxLimitOrderQty"])
            self.max_market_qty = Decimal(lot["maxMarketOrderQty"])
            self.min_notional = ZERO
            self.min_leverage = self.max_leverage = self.leverage_step = Decimal(1)
        elif self.category == "option":
            # The option shape has no maxMktOrderQty, minNotionalValue or leverageFilter
            # (bybit-v5.md D.3): maxOrderQty caps every order type, and there is no leverage.
            self.qty_step = Decimal(lot["qtyStep"])
            self.quote_step = self.tick_size
            self.min_qty = Decimal(lot["minOrderQty"])
            self.min_amount = ZERO
            self.max_qty = self.max_market_qty = Decimal(lot["maxOrderQty"])
            self.min_notional = ZERO
            self.min_leverage = self.max_leverage = self.leverage_step = Decimal(1)
        else:
            self.qty_step = Decimal(lot["qtyStep"])
            self.quote_step = self.tick_size
            self.min_qty = Decimal(lot["minOrderQty"])
            self.min_amount = ZERO
            self.max_qty = Decimal(lot["maxOrderQty"])
            self.max_market_qty = Decimal(lot["maxMktOrderQty"])
            self.min_notional = Decimal(lot.get("minNotionalValue") or "0")
            lev = info["leverageFilter"]
            self.min_leverage = Decimal(lev["minLeverage"])
            self.max_leverage = Decimal(lev["maxLeverage"])
            self.leverage_step = Decimal(lev["leverageStep"])
        self.qty_places = places_of(self.qty_step)
        self.price_places = places_of(self.tick_size)
        self.is_inverse = self.category == "inverse"
        self.is_option = self.category == "option"

    def set_filter(self, group: str, **values: Any) -> None:
        """Change a filter (``set_filter("lotSizeFilter", qtyStep="0.01")``) as Bybit does twice a month."""
        self.info.setdefault(group, {}).update({k: str(v) for k, v in values.items()})
        self._derive()

    def fmt_qty(self, qty: Decimal) -> str:
        """A qty in the instrument's step precision ("0.010"), or plain when it has more places."""
        return _fixed(qty, self.qty_places)

    def fmt_price(self, price: Decimal) -> str:
        """A price in the tick's precision ("60000.00" for tick 0.10, as priceScale says)."""
        return _fixed(price, max(self.price_places, int(self.info.get("priceScale", 0))))

    def __repr__(self) -> str:
        return f"<Instrument {self.category} {self.symbol}>"


@dataclass(eq=False)
class Position:
    """One position row. One-way mode uses idx 0 (side follows the net size); hedge mode keeps
    idx 1 for the Buy side and idx 2 for the Sell side."""

    category: str
    symbol: str
    idx: int
    side: str = ""
    size: Decimal = ZERO
    avg_price: Decimal = ZERO
    cum_realised: Decimal = ZERO
    cur_realised: Decimal = ZERO
    take_profit: Decimal = ZERO
    stop_loss: Decimal = ZERO
    trailing_stop: Decimal = ZERO
    tp_trigger_by: str = "LastPrice"
    sl_trigger_by: str = "LastPrice"
    risk_id: int = 0
    created_ms: int = 0
    updated_ms: int = 0
    seq: int = 0


@dataclass(eq=False)
class Order:
    """An accepted order; :meth:`to_v5` is the D.6 shape."""

    order_id: str
    order_link_id: str
    uid: int
    category: str
    symbol: str
    side: str
    order_type: str
    qty: Decimal
    price: Decimal | None
    time_in_force: str
    position_idx: int
    reduce_only: bool
    close_on_trigger: bool
    created_ms: int
    last_price_on_created: Decimal
    market_unit: str = ""
    status: str = "New"
    cum_exec_qty: Decimal = ZERO
    cum_exec_value: Decimal = ZERO
    cum_exec_fee: Decimal = ZERO
    cancel_type: str = "UNKNOWN"
    reject_reason: str = "EC_NoError"
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    updated_ms: int = 0
    is_leverage: str = "0"
    #: Conditional orders: rest Untriggered until ``trigger_by`` crosses ``trigger_price``.
    trigger_price: Decimal | None = None
    trigger_direction: int = 0
    trigger_by: str = ""
    stop_order_type: str = ""
    tp_trigger_by: str = ""
    sl_trigger_by: str = ""
    tpsl_mode: str = ""
    #: Trade, or BustTrade for the order that closes a liquidated position.
    exec_type: str = "Trade"

    OPEN = frozenset({"New", "PartiallyFilled", "Untriggered"})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def quote_sized(self) -> bool:
        """A spot market order whose qty is an amount of the quote coin."""
        return self.market_unit == "quoteCoin"

    @property
    def leaves_qty(self) -> Decimal:
        if not self.is_open:
            return ZERO
        if self.quote_sized:
            return self.qty - self.cum_exec_value
        return self.qty - self.cum_exec_qty

    @property
    def avg_price(self) -> Decimal:
        if not self.cum_exec_qty:
            return ZERO
        if self.category == "inverse":
            return self.cum_exec_qty / self.cum_exec_value
        return self.cum_exec_value / self.cum_exec_qty

    def to_v5(self, inst: Instrument) -> dict[str, Any]:
        leaves = self.leaves_qty
        price = self.price or ZERO
        avg = self.avg_price
        return {
            "orderId": self.order_id,
            "orderLinkId": self.order_link_id,
            "blockTradeId": "",
            "symbol": self.symbol,
            "price": inst.fmt_price(price) if price else "0",
            "qty": fmt(self.qty) if self.category == "spot" else inst.fmt_qty(self.qty),
            "side": self.side,
            "isLeverage": self.is_leverage if self.category == "spot" else "",
            "positionIdx": self.position_idx,
            "orderStatus": self.status,
            "cancelType": self.cancel_type,
            "rejectReason": self.reject_reason,
            "avgPrice": inst.fmt_price(avg) if avg else ("0" if self.category == "spot" else ""),
            "leavesQty": fmt(leaves),
            "leavesValue": fmt(leaves * price) if not self.quote_sized else fmt(leaves),
            "cumExecQty": fmt(self.cum_exec_qty),
            "cumExecValue": fmt(self.cum_exec_value),
            "cumExecFee": fmt(self.cum_exec_fee),
            "timeInForce": self.time_in_force,
            "orderType": self.order_type,
            "stopOrderType": self.stop_order_type,
            "orderIv": "",
            "marketUnit": self.market_unit,
            "triggerPrice": inst.fmt_price(self.trigger_price) if self.trigger_price else "0",
            "takeProfit": inst.fmt_price(self.take_profit) if self.take_profit else "0",
            "stopLoss": inst.fmt_price(self.stop_loss) if self.stop_loss else "0",
            "tpTriggerBy": self.tp_trigger_by,
            "slTriggerBy": self.sl_trigger_by,
            "triggerDirection": self.trigger_direction,
            "triggerBy": self.trigger_by,
            "lastPriceOnCreated": inst.fmt_price(self.last_price_on_created),
            "reduceOnly": self.reduce_only,
            "closeOnTrigger": self.close_on_trigger,
            "smpType": "None",
            "smpGroup": 0,
            "smpOrderId": "",
            "tpslMode": self.tpsl_mode,
            "tpLimitPrice": "",
            "slLimitPrice": "",
            "placeType": "",
            "createdTime": str(self.created_ms),
            "updatedTime": str(self.updated_ms or self.created_ms),
            "cumFeeDetail": {},
        }


@dataclass(eq=False)
class Account:
    """A unified trading account (one UID): balances, positions, orders and fills."""

    uid: int
    balances: dict[str, Decimal] = field(default_factory=dict)
    hedge_symbols: set[str] = field(default_factory=set)
    leverage: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[tuple[str, int], Position] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    link_ids: dict[str, Order] = field(default_factory=dict)
    executions: list[dict[str, Any]] = field(default_factory=list)
    #: REGULAR_MARGIN (cross) or ISOLATED_MARGIN, as /v5/account/set-margin-mode sets it.
    margin_mode: str = "REGULAR_MARGIN"
    #: Symbols switched to isolated margin one by one (/v5/position/switch-isolated).
    isolated_symbols: set[str] = field(default_factory=set)
    #: The funding wallet (accountType FUND), apart from the unified one in ``balances``.
    funding: dict[str, Decimal] = field(default_factory=dict)
    closed_pnl: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    deposits: list[dict[str, Any]] = field(default_factory=list)

    def is_isolated(self, symbol: str) -> bool:
        return self.margin_mode == "ISOLATED_MARGIN" or symbol in self.isolated_symbols

    def position_mode(self, symbol: str) -> int:
        """0 = one-way (MergedSingle), 3 = hedge (BothSide), as switch-mode spells them."""
        return 3 if symbol in self.hedge_symbols else 0

    def open_orders(self, category: str | None = None, symbol: str | None = None) -> list[Order]:
        return [
            o
            for o in self.orders.values()
            if o.is_open
            and (category is None or o.category == category)
            and (symbol is None or o.symbol == symbol)
        ]


class Ids:
    """Order, execution and key ids from a seeded generator: runs are reproducible."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._spot = 1_900_000_000_000_000_000

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def numeric(self) -> str:
        self._spot += self._rng.randrange(1, 1_000_000)
        return str(self._spot)

    def token(self, length: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self._rng.choice(alphabet) for _ in range(length))
