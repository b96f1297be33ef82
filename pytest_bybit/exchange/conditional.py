"""Conditional orders and take-profit / stop-loss: what rests until a price crosses.

A conditional order (``triggerPrice`` + ``triggerDirection``) is accepted as ``Untriggered`` and
holds no margin; when its price source (``triggerBy``: LastPrice, MarkPrice or IndexPrice)
reaches the trigger it becomes ``Triggered`` and then a live order, checked and matched like any
other. A TP/SL in Full mode belongs to the position and closes all of it; in Partial mode it is
a reduce-only conditional order of its own size (``PartialTakeProfit`` / ``PartialStopLoss``).
Only Market TP/SL orders are simulated: a Limit one (``tpOrderType`` / ``slOrderType`` with a
limit price) is refused by the parameter table rather than filled at the wrong price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import BybitError, param_error
from .models import ZERO, Account, Instrument, Order, Position, as_int, dec
from .parameters import not_modelled

if TYPE_CHECKING:
    from .engine import Engine

TRIGGER_BY = ("LastPrice", "MarkPrice", "IndexPrice")
PARTIAL_KINDS = ("PartialTakeProfit", "PartialStopLoss")
ORDER_FILTERS = (None, "", "Order", "StopOrder", "tpslOrder")
RISE, FALL = 1, 2


@dataclass
class Trigger:
    price: Decimal
    direction: int
    by: str


@dataclass
class TpSl:
    take_profit: Decimal | None
    stop_loss: Decimal | None
    tp_trigger_by: str
    sl_trigger_by: str
    mode: str


def source_price(engine: Engine, symbol: str, by: str) -> Decimal:
    if by == "MarkPrice":
        return engine.mark(symbol)
    if by == "IndexPrice":
        return engine.index(symbol)
    return engine.price(symbol)


def _trigger_by(params: dict[str, Any], name: str, inst: Instrument) -> str:
    by = params.get(name) or "LastPrice"
    if by not in TRIGGER_BY or (inst.category == "spot" and by != "LastPrice"):
        raise BybitError(10001, f"params error: {name} must be one of {', '.join(TRIGGER_BY)}")
    return by


def _price(inst: Instrument, params: dict[str, Any], name: str) -> Decimal | None:
    """A trigger-like price: None when absent or "0" (Bybit's "none"), 10001 when malformed."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    value = dec(raw)
    if value is None or value < 0:
        raise BybitError(10001, f"params error: {name} must be a positive number")
    if not value:
        return None
    if value % inst.tick_size:
        raise BybitError(10001, f"params error: {name} {raw} is not a multiple of tickSize {inst.info['priceFilter']['tickSize']}")
    return value


def parse_trigger(engine: Engine, inst: Instrument, params: dict[str, Any]) -> Trigger | None:
    """The trigger of a conditional order, checked against the current price as Bybit does."""
    order_filter = params.get("orderFilter")
    if order_filter not in ORDER_FILTERS or (order_filter and inst.category != "spot"):
        raise BybitError(10001, "params error: orderFilter is for spot only: Order, StopOrder or tpslOrder")
    price = _price(inst, params, "triggerPrice")
    if order_filter in ("StopOrder", "tpslOrder") and price is None:
        raise BybitError(10001, f"params error: orderFilter {order_filter} needs a triggerPrice")
    if price is None:
        return None
    if inst.is_option:
        raise param_error()
    by = _trigger_by(params, "triggerBy", inst)
    current = source_price(engine, inst.symbol, by)
    raw_dir = params.get("triggerDirection")
    if inst.category == "spot" and raw_dir in (None, ""):
        direction = RISE if price > current else FALL  # spot infers it from the price
    else:
        try:
            direction = as_int(raw_dir)
        except ValueError:
            raise BybitError(10001, "params error: triggerDirection must be 1 (rise) or 2 (fall)") from None
        if direction not in (RISE, FALL):
            raise BybitError(10001, "params error: triggerDirection must be 1 (rise) or 2 (fall)")
    if direction == RISE and price <= current:
        raise BybitError(110092, f"expect Rising, but trigger_price[{inst.fmt_price(price)}] <= current[{inst.fmt_price(current)}]??{by}")
    if direction == FALL and price >= current:
        raise BybitError(110093, f"expect Falling, but trigger_price[{inst.fmt_price(price)}] >= current[{inst.fmt_price(current)}]??{by}")
    return Trigger(price, direction, by)


def parse_tpsl(engine: Engine, inst: Instrument, params: dict[str, Any], side: str, base: Decimal) -> TpSl | None:
    """TP/SL attached to a new order: checked against the price the order would enter at."""
    tp = _price(inst, params, "takeProfit")
    sl = _price(inst, params, "stopLoss")
    if tp is None and sl is None:
        return None
    if inst.category != "linear" and inst.category != "inverse":
        raise not_modelled(f"takeProfit / stopLoss on {inst.category} orders")
    mode = params.get("tpslMode") or "Full"
    if mode not in ("Full", "Partial"):
        raise BybitError(10001, "params error: tpslMode must be Full or Partial")
    tpsl = TpSl(tp, sl, _trigger_by(params, "tpTriggerBy", inst), _trigger_by(params, "slTriggerBy", inst), mode)
    check_sides(inst, "Buy" if side == "Buy" else "Sell", tp, sl, base, tpsl.tp_trigger_by, tpsl.sl_trigger_by)
    return tpsl


def check_sides(inst: Instrument, position_side: str, tp: Decimal | None, sl: Decimal | None, base: Decimal, tp_by: str, sl_by: str) -> None:
    """A long's TP above the base price and SL below it; a short's the other way round."""
    long = position_side == "Buy"
    if tp is not None and (tp <= base if long else tp >= base):
        word = "higher" if long else "lower"
        raise BybitError(10001, f"TakeProfit:{inst.fmt_price(tp)} set for {position_side} position should be {word} than base_price:{inst.fmt_price(base)}??{tp_by}")
    if sl is not None and (sl >= base if long else sl <= base):
        word = "lower" if long else "higher"
        raise BybitError(10001, f"StopLoss:{inst.fmt_price(sl)} set for {position_side} position should be {word} than base_price:{inst.fmt_price(base)}??{sl_by}")


def is_due(engine: Engine, order: Order) -> bool:
    assert order.trigger_price is not None
    current = source_price(engine, order.symbol, order.trigger_by or "LastPrice")
    if order.trigger_direction == RISE:
        return current >= order.trigger_price
    return current <= order.trigger_price


def closing_order(
    engine: Engine, uid: int, position: Position, qty: Decimal, price: Decimal | None, now_ms: int, **fields: Any
) -> Order:
    """A reduce-only IOC Market order against ``position``: how every TP, SL and
    liquidation closes it."""
    return Order(
        order_id=engine.ids.uuid(),
        order_link_id="",
        uid=uid,
        category=position.category,
        symbol=position.symbol,
        side="Sell" if position.side == "Buy" else "Buy",
        order_type="Market",
        qty=qty,
        price=price,
        time_in_force="IOC",
        position_idx=position.idx,
        reduce_only=True,
        close_on_trigger=True,
        created_ms=now_ms,
        last_price_on_created=engine.price(position.symbol),
        **fields,
    )


def partial_order(engine: Engine, position: Position, uid: int, kind: str, price: Decimal, size: Decimal, by: str, now_ms: int) -> Order:
    """A Partial-mode TP or SL: a reduce-only conditional Market order of ``size``."""
    long = position.side == "Buy"
    take = kind == "PartialTakeProfit"
    direction = RISE if (long == take) else FALL
    return closing_order(
        engine,
        uid,
        position,
        size,
        None,
        now_ms,
        status="Untriggered",
        trigger_price=price,
        trigger_direction=direction,
        trigger_by=by,
        stop_order_type=kind,
        tp_trigger_by=by if take else "",
        sl_trigger_by="" if take else by,
        tpsl_mode="Partial",
    )


def fired_position_stop(engine: Engine, inst: Instrument, pos: Position) -> tuple[str, Decimal] | None:
    """A Full-mode TP or SL of ``pos`` that its price source has reached, if any."""
    if not pos.size:
        return None
    long = pos.side == "Buy"
    if pos.take_profit:
        current = source_price(engine, inst.symbol, pos.tp_trigger_by)
        if (current >= pos.take_profit) if long else (current <= pos.take_profit):
            return "TakeProfit", pos.take_profit
    if pos.stop_loss:
        current = source_price(engine, inst.symbol, pos.sl_trigger_by)
        if (current <= pos.stop_loss) if long else (current >= pos.stop_loss):
            return "StopLoss", pos.stop_loss
    return None


def trading_stop(engine: Engine, account: Account, params: dict[str, Any], now_ms: int) -> None:
    """Set, move or cancel ("0") a position's TP/SL: Full on the position, Partial as orders."""
    inst = engine.instrument(params.get("category"), params.get("symbol"))
    if inst.category == "spot":
        raise param_error()
    if inst.is_option:
        raise not_modelled("tp/sl on option positions")
    try:
        raw_idx = params.get("positionIdx")
        idx = engine._position_idx(account, inst, None if raw_idx in (None, "") else as_int(raw_idx))
    except (TypeError, ValueError):
        raise param_error() from None
    pos = account.positions.get((inst.symbol, idx))
    if pos is None or not pos.size:
        raise param_error("zero_position")
    mode = params.get("tpslMode") or "Full"
    if mode not in ("Full", "Partial"):
        raise BybitError(10001, "params error: tpslMode must be Full or Partial")
    tp_by = _trigger_by(params, "tpTriggerBy", inst)
    sl_by = _trigger_by(params, "slTriggerBy", inst)
    tp = _price(inst, params, "takeProfit")
    sl = _price(inst, params, "stopLoss")
    check_sides(inst, pos.side, tp, sl, source_price(engine, inst.symbol, tp_by if tp else sl_by), tp_by, sl_by)
    if mode == "Partial":
        for kind, price, size_name, by in (("PartialTakeProfit", tp, "tpSize", tp_by), ("PartialStopLoss", sl, "slSize", sl_by)):
            if price is None:
                continue
            size = dec(params.get(size_name))
            if size is None or size <= 0 or size % inst.qty_step or size > pos.size:
                raise BybitError(10001, f"params error: {size_name} must be a positive multiple of qtyStep up to the position size")
            engine.add_order(account, partial_order(engine, pos, account.uid, kind, price, size, by, now_ms))
    else:
        for name, attr, by_attr, by in (("takeProfit", "take_profit", "tp_trigger_by", tp_by), ("stopLoss", "stop_loss", "sl_trigger_by", sl_by)):
            if name in params:
                value = _price(inst, params, name)
                setattr(pos, attr, value or ZERO)
                setattr(pos, by_attr, by)
    pos.updated_ms = now_ms
    # The new stop may already be reached (a trigger price source other than the last price).
    fired = fired_position_stop(engine, inst, pos)
    if fired is not None:
        engine._close_position(account, inst, pos, fired[0], fired[1], now_ms)
