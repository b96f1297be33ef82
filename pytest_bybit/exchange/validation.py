"""Order checks against an instrument's lotSizeFilter / priceFilter, with Bybit's errors.

The arithmetic is Decimal and exact: ``"0.30000000000000004"`` is not a multiple of 0.001, and
that is precisely the mistake (a float qty) the fake must catch. Derivatives answer 10001 /
110003 / 110094, spot the 170xxx family, each from its real cause (bybit-v5.md B.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import BybitError, param_error
from .models import Instrument, as_int, dec

SIDES = ("Buy", "Sell")
ORDER_TYPES = ("Market", "Limit")
TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PostOnly", "RPI")
MAX_LINK_ID = 36
_SCALE = Decimal(10) ** 8


@dataclass
class OrderSpec:
    """A validated order request."""

    side: str
    order_type: str
    qty: Decimal
    price: Decimal | None
    time_in_force: str
    market_unit: str
    reduce_only: bool
    close_on_trigger: bool
    position_idx: int | None
    order_link_id: str
    take_profit: Decimal | None
    stop_loss: Decimal | None
    is_leverage: str


def parse_order(inst: Instrument, params: dict[str, Any], ref_price: Decimal) -> OrderSpec:
    """Validate a create-order request for ``inst``; raise the BybitError the live server would."""
    side = params.get("side")
    order_type = params.get("orderType")
    if side not in SIDES:
        raise invalid_field("side", side, "Buy or Sell (case-sensitive)", params)
    if order_type not in ORDER_TYPES:
        raise invalid_field("orderType", order_type, "Market or Limit (case-sensitive)", params)
    qty = dec(params.get("qty"))
    if qty is None:
        raise invalid_field("qty", params.get("qty"), "a decimal string such as \"0.01\"", params)
    price = dec(params.get("price")) if order_type == "Limit" else None
    if order_type == "Limit" and (price is None or price <= 0):
        raise invalid_field("price", params.get("price"), "a positive decimal string (a Limit order needs a price)", params)
    tif = params.get("timeInForce") or "GTC"
    if tif not in TIME_IN_FORCE:
        raise invalid_field("timeInForce", tif, " / ".join(TIME_IN_FORCE), params)
    if order_type == "Market":
        tif = "IOC"
    link_id = params.get("orderLinkId") or ""
    if not isinstance(link_id, str) or len(link_id) > MAX_LINK_ID:
        raise param_error()
    if inst.category == "option" and not link_id:
        # bybit-v5.md D.4: orderLinkId is required for options. The live wording was not found
        # in any primary source, so this is the plain 10001 text (UNCONFIRMED).
        raise param_error()
    idx = params.get("positionIdx")
    try:
        position_idx = None if idx in (None, "") else as_int(idx)
    except ValueError:
        raise param_error() from None
    if position_idx not in (None, 0, 1, 2):
        raise param_error("position_idx")

    market_unit = ""
    if inst.category == "spot":
        if order_type == "Market":
            market_unit = params.get("marketUnit") or ("quoteCoin" if side == "Buy" else "baseCoin")
            if market_unit not in ("baseCoin", "quoteCoin"):
                raise param_error()
            check_spot_market(inst, qty, market_unit, ref_price)
        else:
            assert price is not None
            check_spot_limit(inst, side, qty, price, ref_price)
    elif inst.category == "option":
        check_option(inst, qty, price)
    else:
        check_contract(inst, side, order_type, qty, price, ref_price)

    return OrderSpec(
        side=side,
        order_type=order_type,
        qty=qty,
        price=price,
        time_in_force=tif,
        market_unit=market_unit,
        reduce_only=_flag(params.get("reduceOnly")),
        close_on_trigger=_flag(params.get("closeOnTrigger")),
        position_idx=position_idx,
        order_link_id=link_id,
        take_profit=dec(params.get("takeProfit")) or None,
        stop_loss=dec(params.get("stopLoss")) or None,
        is_leverage=str(params.get("isLeverage", 0)),
    )


def invalid_field(name: str, value: Any, expected: str, params: dict[str, Any] | None = None) -> BybitError:
    """A 10001 that names the field and what Bybit expects in it.

    Bybit's own 10001 texts vary ("params error: ..."); the generic "Request parameter error."
    would leave a bot author guessing which of a dozen fields was wrong. A missing field sent
    under its snake_case name (V3 habits, pybit passes any keyword through) is pointed out,
    because Bybit silently ignores the unknown name.
    """
    if value is None or value == "":
        snake = re.sub(r"([A-Z])", r"_\1", name).lower()
        hint = f" ({snake} is not a V5 field and is ignored: send {name})" if snake != name and params and snake in params else ""
        return BybitError(10001, f"params error: {name} is missing: expected {expected}{hint}")
    return BybitError(10001, f"params error: {name}={value!r} is invalid: expected {expected}")


def check_contract(
    inst: Instrument, side: str, order_type: str, qty: Decimal, price: Decimal | None, ref: Decimal
) -> None:
    """Linear / inverse: 10001 for qty, 10001 / 110003 for price, 110094 for notional."""
    if qty <= 0 or qty < inst.min_qty:
        raise param_error("qty_below_min")
    if qty % inst.qty_step:
        raise param_error("qty_step")
    cap = inst.max_market_qty if order_type == "Market" else inst.max_qty
    if qty > cap:
        # The live message scales both numbers by 10^8 (pybit#284).
        raise param_error("qty_above_max", order_qty=int(qty * _SCALE), max_qty=int(cap * _SCALE))
    if price is not None:
        check_price_tick(inst, price, code=10001)
        if price < inst.min_price or (inst.max_price is not None and price > inst.max_price):
            raise BybitError(110003)
        if _outside_band(inst, side, price, ref):
            raise BybitError(110003)
    if inst.min_notional and not inst.is_inverse and qty * (price or ref) < inst.min_notional:
        raise BybitError(110094)


def check_option(inst: Instrument, qty: Decimal, price: Decimal | None) -> None:
    """Options: the contract checks without the linear-only parts.

    Same 10001 texts as linear for qty below min / off step / above max and for an off-tick
    price, 110003 outside [minPrice, maxPrice] (UNCONFIRMED for options: assumed to match
    linear). Options have no priceLimitRatio band and no minNotionalValue in instruments-info.
    """
    if qty <= 0 or qty < inst.min_qty:
        raise param_error("qty_below_min")
    if qty % inst.qty_step:
        raise param_error("qty_step")
    if qty > inst.max_qty:
        raise param_error("qty_above_max", order_qty=int(qty * _SCALE), max_qty=int(inst.max_qty * _SCALE))
    if price is not None:
        check_price_tick(inst, price, code=10001)
        if price < inst.min_price or (inst.max_price is not None and price > inst.max_price):
            raise BybitError(110003)


def check_spot_limit(inst: Instrument, side: str, qty: Decimal, price: Decimal, ref: Decimal) -> None:
    if qty <= 0 or qty % inst.qty_step:
        raise BybitError(170137)
    check_price_tick(inst, price, code=170134)
    if qty < inst.min_qty:
        raise BybitError(170136)
    if qty * price < inst.min_amount:
        raise BybitError(170140)
    if qty > inst.max_qty:
        raise BybitError(170124)
    if _outside_band(inst, side, price, ref):
        limit = band_limit(inst, side, ref)
        raise BybitError(170193 if side == "Buy" else 170194, limit=inst.fmt_price(limit))


def check_spot_market(inst: Instrument, qty: Decimal, unit: str, ref: Decimal) -> None:
    if unit == "quoteCoin":
        if qty <= 0 or qty % inst.quote_step:
            raise BybitError(170148)
        if qty < inst.min_amount:
            raise BybitError(170140)
        if qty / ref > inst.max_market_qty:
            raise BybitError(170124)
        return
    if qty <= 0 or qty % inst.qty_step:
        raise BybitError(170148)
    if qty < inst.min_qty:
        raise BybitError(170136)
    if qty * ref < inst.min_amount:
        raise BybitError(170140)
    if qty > inst.max_market_qty:
        raise BybitError(170124)


def check_price_tick(inst: Instrument, price: Decimal, code: int) -> None:
    """A price that is not a multiple of tickSize: 10001 on derivatives, 170134 on spot."""
    if price % inst.tick_size:
        raise BybitError(code)


def band_limit(inst: Instrument, side: str, ref: Decimal) -> Decimal:
    """The highest buy / lowest sell price accepted: ``ref * (1 ± priceLimitRatioX)``, on the tick.

    /v5/market/price-limit's example (buyLmt 105878.10, sellLmt 103781.60) is ±1 % around the
    price, the priceLimitRatioX of linear BTCUSDT.
    """
    if side == "Buy":
        raw = ref * (1 + inst.price_limit_x)
        return (raw / inst.tick_size).to_integral_value(rounding="ROUND_FLOOR") * inst.tick_size
    raw = ref * (1 - inst.price_limit_x)
    return (raw / inst.tick_size).to_integral_value(rounding="ROUND_CEILING") * inst.tick_size


def _outside_band(inst: Instrument, side: str, price: Decimal, ref: Decimal) -> bool:
    limit = band_limit(inst, side, ref)
    return price > limit if side == "Buy" else price < limit


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
