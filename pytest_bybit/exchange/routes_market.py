"""Market data endpoints beyond the basics: mark / index price klines, open interest, funding
history and risk tiers. Public, registered in the same table as routes.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import liquidation
from .errors import param_error
from .models import ZERO, fmt
from .routes import _category, _instruments, _int, _kline_window, _page, route
from .wire import Request

if TYPE_CHECKING:
    from .server import FakeBybit

_OI_MS = {"5min": 300_000, "15min": 900_000, "30min": 1_800_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000}
_DERIVATIVES = ("linear", "inverse")


def _price_kline(ex: FakeBybit, request: Request, source: str) -> dict[str, Any]:
    """Flat candles at the mark or index price: [startTime, open, high, low, close], newest first."""
    category, inst, times = _kline_window(ex, request, _DERIVATIVES)
    price = ex.engine.mark(inst.symbol) if source == "mark" else ex.engine.index(inst.symbol)
    px = inst.fmt_price(price)
    return {"category": category, "symbol": inst.symbol, "list": [[str(t), px, px, px, px] for t in times]}


@route("GET", "/v5/market/mark-price-kline", private=False)
def mark_price_kline(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return _price_kline(ex, request, "mark")


@route("GET", "/v5/market/index-price-kline", private=False)
def index_price_kline(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return _price_kline(ex, request, "index")


@route("GET", "/v5/market/open-interest", private=False)
def open_interest(ex: FakeBybit, request: Request) -> dict[str, Any]:
    """Open interest is what every account holds now (one side counted), flat over time."""
    p = request.params
    category = _category(p, _DERIVATIVES)
    inst = ex.engine.instrument(category, p.get("symbol"))
    step = _OI_MS.get(p.get("intervalTime") or "")
    if step is None:
        raise param_error()
    limit = _int(p, "limit", 50, 1, 200)
    end = _int(p, "endTime", request.now_ms, 0, 2**63)
    start = _int(p, "startTime", 0, 0, 2**63)
    held = sum(
        (pos.size for account in ex.engine.accounts.values() for (sym, _), pos in account.positions.items() if sym == inst.symbol and pos.side == "Buy"),
        ZERO,
    )
    times = []
    t = end // step * step
    while len(times) < 10_000 and t >= start:
        times.append(t)
        t -= step
    page, cursor = _page(times, {"limit": str(limit), "cursor": p.get("cursor")}, limit, 200)
    rows = [{"openInterest": fmt(held), "timestamp": str(t)} for t in page]
    return {"symbol": inst.symbol, "category": category, "list": rows, "nextPageCursor": cursor}


@route("GET", "/v5/market/funding/history", private=False)
def funding_history(ex: FakeBybit, request: Request) -> dict[str, Any]:
    """Past funding events every fundingInterval, at the rate the tickers show."""
    p = request.params
    category = _category(p, _DERIVATIVES)
    inst = ex.engine.instrument(category, p.get("symbol"))
    step = int(inst.info.get("fundingInterval", 480)) * 60_000
    limit = _int(p, "limit", 200, 1, 200)
    end = _int(p, "endTime", request.now_ms, 0, 2**63)
    start = _int(p, "startTime", 0, 0, 2**63)
    rate = fmt(ex.engine.funding_rate(inst.symbol))
    rows = []
    t = end // step * step
    while len(rows) < limit and t >= start:
        rows.append({"symbol": inst.symbol, "fundingRate": rate, "fundingRateTimestamp": str(t)})
        t -= step
    return {"category": category, "list": rows}


@route("GET", "/v5/market/risk-limit", private=False)
def risk_limit(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p, _DERIVATIVES)
    rows = []
    for inst in _instruments(ex, category, p.get("symbol")):
        for tier in liquidation.risk_tiers(inst):
            rows.append(
                {
                    "id": tier.id,
                    "symbol": inst.symbol,
                    "riskLimitValue": fmt(tier.risk_limit_value),
                    "maintenanceMargin": fmt(tier.maintenance_margin),
                    "initialMargin": fmt(tier.initial_margin),
                    "isLowestRisk": 1 if tier.id == 1 else 0,
                    "maxLeverage": fmt(tier.max_leverage, 2),
                    "mmDeduction": fmt(tier.mm_deduction) if tier.mm_deduction else "",
                }
            )
    page, cursor = _page(rows, p, 1000, 1000)
    return {"category": category, "list": page, "nextPageCursor": cursor}
