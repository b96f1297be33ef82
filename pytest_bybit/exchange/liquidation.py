"""Risk tiers, liquidation and bankruptcy prices, and liquidation when the mark price crosses.

The formulas are Bybit's published ones for USDT and inverse contracts:

- isolated, long:  ``liqPrice = entry - (IM - MM) / size``, short: ``entry + (IM - MM) / size``
- bankruptcy:      the same with ``MM = 0`` (the price at which the margin is gone)
- inverse:         the same balance in the settle coin, ``size / liqPrice = size / entry ± (IM - MM)``
- cross:           IM is replaced by what the account has in the settle coin (wallet balance plus
  the other positions' unrealised PnL) and MM by the maintenance margin of all its positions,
  i.e. the price at which the coin's equity equals its maintenance margin.

where ``IM = value / leverage``, ``MM = value * maintenanceMargin - mmDeduction`` of the position's
risk tier and ``value`` is the position value at the entry price.

Simplified here (say so in the README): the estimated fee to close is not added to MM; cross
margin only counts the settle coin (the live unified account converts all collateral to USD
with haircuts); the tiers below are generated from the instrument's leverage filter (tier 1 =
``maxLeverage`` with ``maintenanceMargin = 1 / (2 * maxLeverage)``), not copied from
/v5/market/risk-limit. A position is liquidated in one go at its bankruptcy price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from .models import ZERO, Account, Instrument, Position

if TYPE_CHECKING:
    from .engine import Engine

TIERS = 10
#: riskLimitValue of tier 1 (in the settle coin for linear, in contracts for inverse), by symbol;
#: BTCUSDT's 2,000,000 is the docs' position example, the others are plausible (UNCONFIRMED).
FIRST_LIMIT = {"BTCUSDT": Decimal(2_000_000), "ETHUSDT": Decimal(1_000_000), "BTCUSD": Decimal(1_000_000)}
DEFAULT_FIRST_LIMIT = Decimal(200_000)
_MMR_STEP = Decimal("0.005")


@dataclass(frozen=True)
class RiskTier:
    """One row of /v5/market/risk-limit."""

    id: int
    risk_limit_value: Decimal
    maintenance_margin: Decimal
    initial_margin: Decimal
    max_leverage: Decimal
    mm_deduction: Decimal


def risk_tiers(inst: Instrument) -> list[RiskTier]:
    """The instrument's tiers, each with a higher limit, a higher MMR and a lower max leverage."""
    return list(_tiers(inst.symbol, inst.max_leverage))


@lru_cache(maxsize=256)
def _tiers(symbol: str, max_leverage: Decimal) -> tuple[RiskTier, ...]:
    """Cached by what they derive from: a price move asks for them once per position."""
    first = FIRST_LIMIT.get(symbol, DEFAULT_FIRST_LIMIT)
    mmr0 = Decimal(1) / (2 * max_leverage)
    imr0 = Decimal(1) / max_leverage
    tiers: list[RiskTier] = []
    deduction = ZERO
    for i in range(TIERS):
        mmr = mmr0 + _MMR_STEP * i
        imr = imr0 + 2 * _MMR_STEP * i
        if tiers:
            prev = tiers[-1]
            deduction += prev.risk_limit_value * (mmr - prev.maintenance_margin)
        max_lev = (Decimal(1) / imr).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        tiers.append(RiskTier(i + 1, first * (i + 1), mmr, imr, max_lev, deduction))
    return tuple(tiers)


def tier_for(inst: Instrument, pos: Position) -> RiskTier:
    """The tier the position sits in: the one chosen by set-risk-limit, or the first that holds it."""
    tiers = risk_tiers(inst)
    if pos.risk_id:
        return tiers[pos.risk_id - 1]
    value = position_value(inst, pos.size, pos.avg_price)
    measure = pos.size if inst.is_inverse else value
    for tier in tiers:
        if measure <= tier.risk_limit_value:
            return tier
    return tiers[-1]


def position_value(inst: Instrument, size: Decimal, price: Decimal) -> Decimal:
    """Value in the settle coin: USDT for linear, coins (contracts / price) for inverse."""
    if not size or not price:
        return ZERO
    return size / price if inst.is_inverse else size * price


def maintenance_margin(inst: Instrument, pos: Position) -> Decimal:
    tier = tier_for(inst, pos)
    return max(ZERO, position_value(inst, pos.size, pos.avg_price) * tier.maintenance_margin - tier.mm_deduction)


def price_at_margin(inst: Instrument, pos: Position, margin: Decimal) -> Decimal | None:
    """The mark price at which the position has lost ``margin`` (settle coin); None if never."""
    entry, size = pos.avg_price, pos.size
    long = pos.side == "Buy"
    if inst.is_inverse:
        denominator = size / entry + (margin if long else -margin)
        if denominator <= 0:
            return None
        return size / denominator
    price = entry - margin / size if long else entry + margin / size
    return price if price > 0 else None


def on_tick(inst: Instrument, price: Decimal | None, long: bool) -> Decimal | None:
    """Round to the tick against the trader (a long's liquidation rounds up, a short's down)."""
    if price is None:
        return None
    rounding = ROUND_CEILING if long else ROUND_FLOOR
    return (price / inst.tick_size).to_integral_value(rounding=rounding) * inst.tick_size


def shown(inst: Instrument, price: Decimal | None) -> str:
    """liqPrice / bustPrice as the docs write them: "" when outside [minPrice, maxPrice]."""
    if price is None or price <= inst.min_price or (inst.max_price is not None and price >= inst.max_price):
        return ""
    return inst.fmt_price(price)


def crossed(pos: Position, mark: Decimal, liq: Decimal | None) -> bool:
    """True when the mark price has reached the liquidation price."""
    if liq is None or not pos.size:
        return False
    return mark <= liq if pos.side == "Buy" else mark >= liq


def prices(engine: Engine, account: Account, inst: Instrument, pos: Position) -> tuple[Decimal | None, Decimal | None]:
    """(liqPrice, bustPrice) of a position, on the tick; None where there is none."""
    if not pos.size or inst.is_option:
        return None, None
    mm = maintenance_margin(inst, pos)
    if account.is_isolated(inst.symbol):
        margin = engine.position_margin(account, inst, pos)
        liq_at, bust_at = margin - mm, margin
    else:
        funds, mm_all = cross_funds(engine, account, inst, pos)
        liq_at, bust_at = funds - mm_all, funds
    long = pos.side == "Buy"
    liq = on_tick(inst, price_at_margin(inst, pos, liq_at), long)
    bust = on_tick(inst, price_at_margin(inst, pos, bust_at), long)
    return liq, bust


def cross_funds(engine: Engine, account: Account, inst: Instrument, pos: Position) -> tuple[Decimal, Decimal]:
    """(what the cross position can lose, the maintenance margin of all cross positions) in its settle coin."""
    funds = account.balances.get(inst.settle_coin, ZERO)
    mm_all = ZERO
    for (sym, _), other in account.positions.items():
        other_inst = engine.instruments.get((other.category, sym))
        if other_inst is None or other_inst.settle_coin != inst.settle_coin or not other.size or other_inst.is_option:
            continue
        if account.is_isolated(sym):
            funds -= engine.position_margin(account, other_inst, other)
            continue
        mm_all += maintenance_margin(other_inst, other)
        if other is not pos:
            funds += engine.unrealised(other_inst, other)
    return funds, mm_all
