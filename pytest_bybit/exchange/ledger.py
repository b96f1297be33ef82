"""The account's history rows: closed PnL per closing fill and the unified wallet's transaction log.

Pure functions from what happened to the exact row shapes of /v5/position/closed-pnl and
/v5/account/transaction-log, so the engine only decides *when* a row is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .liquidation import position_value
from .models import ZERO, Instrument, Order, Position, fmt

_QUANT = Decimal("1e-8")


def closed_pnl_row(
    inst: Instrument, order: Order, pos: Position, closed: Decimal, px: Decimal, realised: Decimal, leverage: Decimal, now_ms: int
) -> dict[str, Any]:
    """One /v5/position/closed-pnl row per closing fill (fees are not part of closedPnl here)."""
    return {
        "symbol": inst.symbol,
        "orderType": order.order_type,
        "leverage": fmt(leverage),
        "updatedTime": str(now_ms),
        "side": order.side,
        "orderId": order.order_id,
        "closedPnl": fmt(realised.quantize(_QUANT)),
        "avgEntryPrice": inst.fmt_price(pos.avg_price),
        "qty": inst.fmt_qty(order.qty),
        "cumEntryValue": fmt(position_value(inst, closed, pos.avg_price).quantize(_QUANT)),
        "createdTime": str(order.created_ms),
        "orderPrice": inst.fmt_price(order.price) if order.price else "0",
        "closedSize": inst.fmt_qty(closed),
        "avgExitPrice": inst.fmt_price(px),
        "execType": order.exec_type,
        "fillCount": "1",
        "cumExitValue": fmt(position_value(inst, closed, px).quantize(_QUANT)),
        "category": inst.category,
    }


def transaction_row(
    row_id: str, inst: Instrument | None, order: Order | None, coin: str, kind: str, now_ms: int, trade_id: str, balance: Decimal,
    *, qty: Decimal = ZERO, px: Decimal = ZERO, cash_flow: Decimal = ZERO, fee: Decimal = ZERO, rate: Decimal = ZERO, size: Decimal = ZERO,
) -> dict[str, Any]:
    """One /v5/account/transaction-log row; ``change`` is the cash flow less the fee."""
    return {
        "id": row_id,
        "symbol": inst.symbol if inst else "",
        "category": inst.category if inst else "",
        "side": order.side if order else "None",
        "transactionTime": str(now_ms),
        "type": kind,
        "transSubType": "",
        "qty": fmt(qty),
        "size": fmt(size),
        "currency": coin,
        "tradePrice": inst.fmt_price(px) if inst and px else "",
        "funding": "",
        "fee": fmt(fee),
        "cashFlow": fmt(cash_flow.quantize(_QUANT)),
        "change": fmt((cash_flow - fee).quantize(_QUANT)),
        "cashBalance": fmt(balance.quantize(_QUANT)),
        "feeRate": fmt(rate) if order else "",
        "bonusChange": "",
        "tradeId": trade_id,
        "orderId": order.order_id if order else "",
        "orderLinkId": order.order_link_id if order else "",
        "extraFees": "",
    }
