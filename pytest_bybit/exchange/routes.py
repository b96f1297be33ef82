"""The V5 endpoints: thin functions ``(exchange, request) -> result`` registered by (METHOD, path).

Each one reads parameters, asks the engine, and shapes the result as the docs show it. Errors are
raised as :class:`BybitError`; the server wraps results and errors in the envelope. Dispatch is a
dict lookup on (method, path), never a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

from .errors import BybitError, Result, param_error
from .instruments import COINS
from . import liquidation
from .models import ZERO, Account, Instrument, Position, as_int, fmt
from .wire import Request

if TYPE_CHECKING:
    from .server import FakeBybit

Endpoint = Callable[["FakeBybit", Request], "dict[str, Any] | Result"]


@dataclass(frozen=True)
class Route:
    """An endpoint and what the gateway must check before calling it."""

    method: str
    path: str
    fn: Endpoint
    private: bool = True
    #: Needs a key with trade permission (a read-only key gets 10005).
    write: bool = False
    #: Batch endpoints: the body field holding the orders, each of which costs one rate-limit slot.
    batch_field: str | None = None


ROUTES: dict[tuple[str, str], Route] = {}


def route(method: str, path: str, *, private: bool = True, write: bool = False, batch_field: str | None = None) -> Callable[[Endpoint], Endpoint]:
    def register(fn: Endpoint) -> Endpoint:
        ROUTES[(method, path)] = Route(method, path, fn, private, write, batch_field)
        return fn

    return register


_CATEGORIES = ("spot", "linear", "inverse", "option")
_KLINE_MS = {
    **{str(m): m * 60_000 for m in (1, 3, 5, 15, 30, 60, 120, 240, 360, 720)},
    "D": 86_400_000,
    "W": 7 * 86_400_000,
    "M": 30 * 86_400_000,
}
_BATCH_MAX = {"linear": 20, "inverse": 20, "option": 20, "spot": 10}


# --- helpers ---------------------------------------------------------------------------------


def _category(p: dict[str, Any], allowed: tuple[str, ...] = _CATEGORIES, default: str | None = None) -> str:
    category = p.get("category") or default
    if category not in allowed:
        raise param_error()
    return category  # type: ignore[return-value]


def _int(p: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    raw = p.get(name)
    if raw in (None, ""):
        return default
    try:
        value = as_int(raw)
    except ValueError:
        raise param_error() from None
    if not lo <= value <= hi:
        raise param_error()
    return value


def _page(items: list[Any], p: dict[str, Any], default: int, hi: int) -> tuple[list[Any], str]:
    """Cursor pagination: the cursor is the offset of the next page, "" on the last page."""
    limit = _int(p, "limit", default, 1, hi)
    cursor = p.get("cursor") or "0"
    try:
        start = int(cursor)
    except (TypeError, ValueError):
        raise param_error() from None
    if start < 0:
        raise param_error()
    end = start + limit
    return items[start:end], (str(end) if end < len(items) else "")


def _usd(value: Decimal) -> str:
    return fmt(value.quantize(Decimal("1e-8")))


def _account(request: Request) -> Account:
    assert request.account is not None
    return request.account


def _ack(order: Any) -> dict[str, str]:
    return {"orderId": order.order_id, "orderLinkId": order.order_link_id}


# --- market (public) -------------------------------------------------------------------------


@route("GET", "/v5/market/time", private=False)
def market_time(ex: FakeBybit, request: Request) -> dict[str, Any]:
    now = request.now_ms
    return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}


@route("GET", "/v5/market/instruments-info", private=False)
def instruments_info(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p)
    symbol, status, base = p.get("symbol"), p.get("status"), p.get("baseCoin")
    items = [
        inst.info
        for (cat, _), inst in ex.engine.instruments.items()
        if cat == category
        and (not symbol or inst.symbol == symbol)
        and (not status or inst.status == status)
        and (not base or inst.base_coin == base)
    ]
    if category == "spot":  # spot is not paginated
        page, cursor = items, ""
    else:
        page, cursor = _page(items, p, 500, 1000)
    return {"category": category, "list": page, "nextPageCursor": cursor}


def _instruments(ex: FakeBybit, category: str, symbol: str | None) -> list[Instrument]:
    if symbol:
        return [ex.engine.instrument(category, symbol)]
    return [i for (c, _), i in ex.engine.instruments.items() if c == category]


@route("GET", "/v5/market/tickers", private=False)
def tickers(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p)
    rows = []
    base = p.get("baseCoin")
    for inst in _instruments(ex, category, p.get("symbol")):
        if base and inst.base_coin != base:
            continue
        last = ex.engine.price(inst.symbol)
        px = inst.fmt_price
        common = {
            "symbol": inst.symbol,
            "lastPrice": px(last),
            "prevPrice24h": px(last),
            "price24hPcnt": "0",
            "highPrice24h": px(last),
            "lowPrice24h": px(last),
            "turnover24h": "0",
            "volume24h": "0",
            "bid1Price": px(last - inst.tick_size),
            "bid1Size": "1",
            "ask1Price": px(last),
            "ask1Size": "1",
        }
        if category == "spot":
            common["usdIndexPrice"] = px(last)
        elif category == "option":
            # The option ticker shape; IV and greeks are not modelled: "0" (UNCONFIRMED values).
            underlying = ex.engine.prices.get(inst.base_coin + "USDT", ZERO)
            common = {
                "symbol": inst.symbol,
                "bid1Price": px(last - inst.tick_size),
                "bid1Size": "1",
                "bid1Iv": "0",
                "ask1Price": px(last),
                "ask1Size": "1",
                "ask1Iv": "0",
                "lastPrice": px(last),
                "highPrice24h": px(last),
                "lowPrice24h": px(last),
                "markPrice": px(last),
                "indexPrice": fmt(underlying),
                "markIv": "0",
                "underlyingPrice": fmt(underlying),
                "openInterest": "0",
                "turnover24h": "0",
                "volume24h": "0",
                "totalVolume": "0",
                "totalTurnover": "0",
                "delta": "0",
                "gamma": "0",
                "vega": "0",
                "theta": "0",
                "predictedDeliveryPrice": "0",
                "change24h": "0",
            }
        else:
            common.update(
                {
                    "indexPrice": px(ex.engine.index(inst.symbol)),
                    "markPrice": px(ex.engine.mark(inst.symbol)),
                    "prevPrice1h": px(last),
                    "openInterest": "0",
                    "openInterestValue": "0",
                    "fundingRate": fmt(ex.engine.funding_rate(inst.symbol)),
                    "nextFundingTime": str((request.now_ms // 28_800_000 + 1) * 28_800_000),
                    "predictedDeliveryPrice": "",
                    "basisRate": "",
                    "deliveryFeeRate": "",
                    "deliveryTime": "0",
                    "basis": "",
                }
            )
        rows.append(common)
    return {"category": category, "list": rows}


def _kline_window(ex: FakeBybit, request: Request, categories: tuple[str, ...]) -> tuple[str, Instrument, list[int]]:
    """A kline request's category, instrument and candle start times, newest first: the
    parameters every kline endpoint reads the same way."""
    p = request.params
    category = _category(p, categories, default="linear")
    inst = ex.engine.instrument(category, p.get("symbol"))
    step = _KLINE_MS.get(p.get("interval", ""))
    if step is None:
        raise param_error()
    limit = _int(p, "limit", 200, 1, 1000)
    end = _int(p, "end", request.now_ms, 0, 2**63)
    start = _int(p, "start", 0, 0, 2**63)
    times: list[int] = []
    t = end // step * step
    while len(times) < limit and t >= start:
        times.append(t)
        t -= step
    return category, inst, times


@route("GET", "/v5/market/kline", private=False)
def kline(ex: FakeBybit, request: Request) -> dict[str, Any]:
    category, inst, times = _kline_window(ex, request, ("spot", "linear", "inverse"))
    last = ex.engine.price(inst.symbol)
    interval = request.params["interval"]
    rows = [ex.candles.row(inst.symbol, interval, t, inst.fmt_price, last) for t in times]
    return {"category": category, "symbol": inst.symbol, "list": rows}


@route("GET", "/v5/market/orderbook", private=False)
def orderbook(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p, ("spot", "linear", "inverse"))
    inst = ex.engine.instrument(category, p.get("symbol"))
    depth = _int(p, "limit", 1 if category == "spot" else 25, 1, 200 if category == "spot" else 500)
    last = ex.engine.price(inst.symbol)
    tick = inst.tick_size
    bids = [[inst.fmt_price(last - tick * (i + 1)), "1"] for i in range(depth)]
    asks = [[inst.fmt_price(last + tick * i), "1"] for i in range(depth)]
    now = request.now_ms
    return {"s": inst.symbol, "b": bids, "a": asks, "ts": now, "u": now, "seq": now, "cts": now}


@route("GET", "/v5/market/recent-trade", private=False)
def recent_trade(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p, ("spot", "linear", "inverse"))
    inst = ex.engine.instrument(category, p.get("symbol"))
    limit = _int(p, "limit", 60 if category == "spot" else 500, 1, 60 if category == "spot" else 1000)
    trades = list(ex.engine.trades.get(inst.symbol, ()))[:limit]
    if not trades:  # a quiet market still has a last trade at the last price
        trades = [
            {
                "execId": "0",
                "symbol": inst.symbol,
                "price": inst.fmt_price(ex.engine.price(inst.symbol)),
                "size": fmt(inst.min_qty),
                "side": "Buy",
                "time": str(request.now_ms),
                "isBlockTrade": False,
                "isRPITrade": False,
            }
        ]
    return {"category": category, "list": trades}


# --- trade -----------------------------------------------------------------------------------


@route("POST", "/v5/order/create", write=True)
def order_create(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return _ack(ex.engine.place(_account(request), request.params, request.now_ms))


@route("POST", "/v5/order/amend", write=True)
def order_amend(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return _ack(ex.engine.amend(_account(request), request.params, request.now_ms))


@route("POST", "/v5/order/cancel", write=True)
def order_cancel(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return _ack(ex.engine.cancel(_account(request), request.params, request.now_ms))


@route("POST", "/v5/order/cancel-all", write=True)
def order_cancel_all(ex: FakeBybit, request: Request) -> dict[str, Any]:
    cancelled = ex.engine.cancel_all(_account(request), request.params, request.now_ms)
    return {"list": [_ack(o) for o in cancelled], "success": "1"}


def _batch(ex: FakeBybit, request: Request, apply: Callable[[Account, dict[str, Any], int], Any]) -> Result:
    """Run each item on its own: failures (and items past the rate limit) are reported per item."""
    p = request.params
    category = _category(p)
    items = p.get("request")
    if not isinstance(items, list) or not items or len(items) > _BATCH_MAX[category]:
        raise param_error()
    granted = len(items) if request.granted is None else request.granted
    results, ext = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise param_error()
        args = {**item, "category": category}
        try:
            if i >= granted:
                raise BybitError(10006)
            order = apply(_account(request), args, request.now_ms)
        except BybitError as e:
            results.append({"category": category, "symbol": item.get("symbol", ""), "orderId": "", "orderLinkId": item.get("orderLinkId", ""), "createAt": ""})
            ext.append({"code": e.ret_code, "msg": e.ret_msg})
            continue
        results.append({"category": category, "symbol": order.symbol, **_ack(order), "createAt": str(order.updated_ms or order.created_ms)})
        ext.append({"code": 0, "msg": "OK"})
    return Result({"list": results}, {"list": ext})


@route("POST", "/v5/order/create-batch", write=True, batch_field="request")
def order_create_batch(ex: FakeBybit, request: Request) -> Result:
    return _batch(ex, request, ex.engine.place)


@route("POST", "/v5/order/amend-batch", write=True, batch_field="request")
def order_amend_batch(ex: FakeBybit, request: Request) -> Result:
    return _batch(ex, request, ex.engine.amend)


@route("POST", "/v5/order/cancel-batch", write=True, batch_field="request")
def order_cancel_batch(ex: FakeBybit, request: Request) -> Result:
    return _batch(ex, request, ex.engine.cancel)


#: orderFilter -> the stopOrderType values it selects ("*": every order).
_ORDER_FILTERS: dict[str, Any] = {
    "": "*",
    "Order": ("",),
    "StopOrder": ("Stop",),
    "tpslOrder": ("TakeProfit", "StopLoss", "PartialTakeProfit", "PartialStopLoss"),
}


def _order_rows(ex: FakeBybit, orders: list[Any]) -> list[dict[str, Any]]:
    return [o.to_v5(ex.engine.instruments[(o.category, o.symbol)]) for o in orders]


def _select_orders(ex: FakeBybit, request: Request, open_only: bool) -> tuple[str, list[Any]]:
    p = request.params
    category = _category(p)
    symbol, base, settle = p.get("symbol"), p.get("baseCoin"), p.get("settleCoin")
    order_id, link_id = p.get("orderId"), p.get("orderLinkId")
    if open_only and category == "linear" and not (symbol or base or settle or order_id or link_id):
        raise param_error()
    status = p.get("orderStatus")
    kinds = _ORDER_FILTERS.get(p.get("orderFilter") or "")
    if kinds is None:
        raise BybitError(10001, "params error: orderFilter must be Order, StopOrder or tpslOrder")
    start = _int(p, "startTime", 0, 0, 2**63)
    end = _int(p, "endTime", 2**63, 0, 2**63)
    if open_only and (order_id or link_id or p.get("openOnly") not in (None, "", "0")):
        open_only = False  # a lookup by id finds recent closed orders too
    selected = []
    for order in reversed(list(_account(request).orders.values())):
        inst = ex.engine.instruments[(order.category, order.symbol)]
        if (
            order.category == category
            and (not symbol or order.symbol == symbol)
            and (not base or inst.base_coin == base)
            and (not settle or inst.settle_coin == settle)
            and (not order_id or order.order_id == order_id)
            and (not link_id or order.order_link_id == link_id)
            and (not status or order.status == status)
            and (kinds == "*" or order.stop_order_type in kinds)
            and start <= order.created_ms <= end
            and (not open_only or order.is_open)
        ):
            selected.append(order)
    return category, selected


@route("GET", "/v5/order/realtime")
def order_realtime(ex: FakeBybit, request: Request) -> dict[str, Any]:
    category, orders = _select_orders(ex, request, open_only=True)
    page, cursor = _page(orders, request.params, 20, 50)
    return {"category": category, "list": _order_rows(ex, page), "nextPageCursor": cursor}


@route("GET", "/v5/order/history")
def order_history(ex: FakeBybit, request: Request) -> dict[str, Any]:
    category, orders = _select_orders(ex, request, open_only=False)
    page, cursor = _page(orders, request.params, 20, 50)
    return {"category": category, "list": _order_rows(ex, page), "nextPageCursor": cursor}


@route("GET", "/v5/execution/list")
def execution_list(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p)
    symbol, order_id, link_id = p.get("symbol"), p.get("orderId"), p.get("orderLinkId")
    base, exec_type = p.get("baseCoin"), p.get("execType")
    start = _int(p, "startTime", 0, 0, 2**63)
    end = _int(p, "endTime", 2**63, 0, 2**63)
    bases = {inst.symbol: inst.base_coin for (c, _), inst in ex.engine.instruments.items() if c == category}
    rows = [
        e
        for e in reversed(_account(request).executions)
        if e["category"] == category
        and (not symbol or e["symbol"] == symbol)
        and (not order_id or e["orderId"] == order_id)
        and (not link_id or e["orderLinkId"] == link_id)
        and (not base or bases.get(e["symbol"]) == base)
        and (not exec_type or e["execType"] == exec_type)
        and start <= int(e["execTime"]) <= end
    ]
    page, cursor = _page(rows, p, 50, 100)
    return {"category": category, "list": page, "nextPageCursor": cursor}


# --- position --------------------------------------------------------------------------------


def _position_row(ex: FakeBybit, account: Account, inst: Instrument, pos: Position, now_ms: int) -> dict[str, Any]:
    engine = ex.engine
    mark = engine.mark(inst.symbol)
    lev = engine.leverage(account, inst.symbol)
    size = pos.size
    value = (size / pos.avg_price if inst.is_inverse else size * pos.avg_price) if size else ZERO
    im = value / lev
    mm = liquidation.maintenance_margin(inst, pos) if size else ZERO
    liq, bust = engine.liq_prices(account, inst, pos)
    tier = liquidation.tier_for(inst, pos)
    px = inst.fmt_price
    row = {
        "positionIdx": pos.idx,
        "riskId": tier.id,
        "riskLimitValue": fmt(tier.risk_limit_value),
        "symbol": inst.symbol,
        "side": pos.side if size else "",
        "size": inst.fmt_qty(size) if size else "0",
        "avgPrice": px(pos.avg_price) if size else "0",
        "positionValue": _usd(value) if size else "0",
        "tradeMode": 1 if account.is_isolated(inst.symbol) else 0,
        "positionStatus": "Normal",
        "autoAddMargin": 0,
        "adlRankIndicator": 2 if size else 0,
        "leverage": fmt(lev),
        "breakEvenPrice": px(pos.avg_price) if size else "0",
        "positionBalance": _usd(im) if size else "0",
        "markPrice": px(mark),
        "liqPrice": liquidation.shown(inst, liq),
        "bustPrice": liquidation.shown(inst, bust),
        "positionMM": _usd(mm) if size else "0",
        "positionMMByMp": _usd(mm) if size else "0",
        "positionIM": _usd(im) if size else "0",
        "positionIMByMp": _usd(im) if size else "0",
        "tpslMode": "Full",
        "takeProfit": px(pos.take_profit) if pos.take_profit else "0",
        "stopLoss": px(pos.stop_loss) if pos.stop_loss else "0",
        "trailingStop": fmt(pos.trailing_stop) if pos.trailing_stop else "0",
        "unrealisedPnl": _usd(engine.unrealised(inst, pos)) if size else "0",
        "curRealisedPnl": _usd(pos.cur_realised),
        "cumRealisedPnl": _usd(pos.cum_realised),
        "seq": pos.seq,
        "isReduceOnly": False,
        "mmrSysUpdatedTime": "",
        "leverageSysUpdatedTime": "",
        "sessionAvgPrice": "",
        "createdTime": str(pos.created_ms or now_ms),
        "updatedTime": str(pos.updated_ms or now_ms),
    }
    if inst.is_option:
        # No leverage and no margin on a long option (the only kind the fake lets you open).
        row.update(
            {
                "leverage": "",
                "positionBalance": "0",
                "positionMM": "0",
                "positionMMByMp": "0",
                "positionIM": "0",
                "positionIMByMp": "0",
                "tpslMode": "",
            }
        )
    return row


@route("GET", "/v5/position/list")
def position_list(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p, ("linear", "inverse", "option"))
    symbol, settle, base = p.get("symbol"), p.get("settleCoin"), p.get("baseCoin")
    if category == "linear" and not (symbol or settle):
        raise param_error()
    account = _account(request)
    rows = []
    if symbol:
        # With a symbol, Bybit answers even when flat: one row per side in hedge mode (pybit#367).
        inst = ex.engine.instrument(category, symbol)
        for idx in ((1, 2) if account.position_mode(symbol) == 3 else (0,)):
            pos = account.positions.get((symbol, idx)) or Position(category, symbol, idx)
            rows.append(_position_row(ex, account, inst, pos, request.now_ms))
    else:
        for (sym, _), pos in account.positions.items():
            inst = ex.engine.instruments.get((category, sym))
            if inst is None or not pos.size or (settle and inst.settle_coin != settle) or (base and inst.base_coin != base):
                continue
            rows.append(_position_row(ex, account, inst, pos, request.now_ms))
    page, cursor = _page(rows, p, 20, 200)
    return {"category": category, "list": page, "nextPageCursor": cursor}


@route("POST", "/v5/position/set-leverage", write=True)
def set_leverage(ex: FakeBybit, request: Request) -> dict[str, Any]:
    ex.engine.set_leverage(_account(request), request.params)
    return {}


@route("POST", "/v5/position/switch-mode", write=True)
def switch_mode(ex: FakeBybit, request: Request) -> dict[str, Any]:
    ex.engine.switch_mode(_account(request), request.params)
    return {}


@route("POST", "/v5/position/trading-stop", write=True)
def trading_stop(ex: FakeBybit, request: Request) -> dict[str, Any]:
    ex.engine.trading_stop(_account(request), request.params, request.now_ms)
    return {}


# --- account, asset, user --------------------------------------------------------------------


@route("GET", "/v5/account/wallet-balance")
def wallet_balance(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    account_type = p.get("accountType")
    if not account_type:
        raise param_error()
    if account_type != "UNIFIED":
        raise param_error("account_type")
    account = _account(request)
    engine = ex.engine
    wanted = [c for c in (p.get("coin") or "").split(",") if c]
    coins = wanted or list(engine.coins_of(account))
    rows = []
    total_wallet = total_equity = total_upl = total_im = total_mm = total_available = ZERO
    for coin in coins:
        v = engine.coin_view(account, coin)
        usd = engine.usd_price(coin)
        mm = v["position_mm"]
        rows.append(
            {
                "availableToBorrow": "",
                "bonus": "0",
                "accruedInterest": "0",
                "availableToWithdraw": "",
                "totalOrderIM": fmt(v["order_im"]),
                "equity": fmt(v["equity"]),
                "totalPositionMM": fmt(mm),
                "usdValue": _usd(v["equity"] * usd),
                "spotHedgingQty": "0",
                "unrealisedPnl": fmt(v["upl"]),
                "collateralSwitch": True,
                "borrowAmount": "0",
                "totalPositionIM": fmt(v["position_im"]),
                "walletBalance": fmt(v["wallet"]),
                "cumRealisedPnl": fmt(v["cum_realised"]),
                "locked": fmt(v["locked"]),
                "marginCollateral": True,
                "coin": coin,
                "spotBorrow": "0",
            }
        )
        total_wallet += v["wallet"] * usd
        total_equity += v["equity"] * usd
        total_upl += v["upl"] * usd
        total_im += (v["position_im"] + v["order_im"]) * usd
        total_mm += mm * usd
        total_available += v["available"] * usd
    im_rate = total_im / total_equity if total_equity else ZERO
    mm_rate = total_mm / total_equity if total_equity else ZERO
    return {
        "list": [
            {
                "totalEquity": _usd(total_equity),
                "accountIMRate": fmt(im_rate.quantize(Decimal("1e-4"))),
                "accountIMRateByMp": fmt(im_rate.quantize(Decimal("1e-4"))),
                "totalMarginBalance": _usd(total_equity),
                "totalInitialMargin": _usd(total_im),
                "totalInitialMarginByMp": _usd(total_im),
                "accountType": "UNIFIED",
                "totalAvailableBalance": _usd(total_available),
                "accountMMRate": fmt(mm_rate.quantize(Decimal("1e-4"))),
                "accountMMRateByMp": fmt(mm_rate.quantize(Decimal("1e-4"))),
                "totalPerpUPL": _usd(total_upl),
                "totalWalletBalance": _usd(total_wallet),
                "accountLTV": "0",
                "totalMaintenanceMargin": _usd(total_mm),
                "totalMaintenanceMarginByMp": _usd(total_mm),
                "coin": rows,
            }
        ]
    }


@route("GET", "/v5/account/fee-rate")
def fee_rate(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    # The docs' own request example (and ccxt's fetch_trading_fees) sends no category, and the
    # docs' response has the derivatives shape: a missing category means derivatives.
    category = _category(p, ("spot", "linear", "inverse", "option"), default="linear")
    taker, maker = ex.engine.fee_rates[category]
    base = p.get("baseCoin")
    if category == "option":  # options are rated per base coin, with an empty symbol
        bases = dict.fromkeys(i.base_coin for (c, _), i in ex.engine.instruments.items() if c == "option")
        rows = [
            {"symbol": "", "baseCoin": coin, "takerFeeRate": fmt(taker), "makerFeeRate": fmt(maker)}
            for coin in bases
            if not base or coin == base
        ]
        return {"category": category, "list": rows}
    rows = [
        {"symbol": inst.symbol, "baseCoin": "", "takerFeeRate": fmt(taker), "makerFeeRate": fmt(maker)}
        for inst in _instruments(ex, category, p.get("symbol"))
        if not base or inst.base_coin == base
    ]
    return {"category": category, "list": rows}


@route("GET", "/v5/account/info")
def account_info(ex: FakeBybit, request: Request) -> dict[str, Any]:
    return {
        "marginMode": _account(request).margin_mode,
        "updatedTime": str(request.now_ms),
        "unifiedMarginStatus": 5,
        "dcpStatus": "OFF",
        "timeWindow": 10,
        "smpGroup": 0,
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
    }


@route("GET", "/v5/user/query-api")
def query_api(ex: FakeBybit, request: Request) -> dict[str, Any]:
    key = request.api_key
    assert key is not None
    trade = [] if key.read_only else ["Order", "Position"]
    return {
        "id": str(key.uid),
        "note": "pytest-bybit",
        "apiKey": key.api_key,
        "readOnly": 1 if key.read_only else 0,
        "secret": "",
        "permissions": {
            "ContractTrade": trade,
            "Spot": [] if key.read_only else ["SpotTrade"],
            "Wallet": ["AccountTransfer", "SubMemberTransfer"],
            "Options": [] if key.read_only else ["OptionsTrade"],
            "Derivatives": [] if key.read_only else ["DerivativesTrade"],
            "CopyTrading": [],
            "BlockTrade": [],
            "Exchange": [],
            "NFT": [],
            "Affiliate": [],
        },
        "ips": ["*"],
        "type": 1,
        "deadlineDay": 90,
        "expiredAt": "",
        "createdAt": "",
        "unified": 0,
        "uta": 1,
        "userID": key.uid,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": key.rsa_public_key or "",
        "isMaster": True,
        "parentUid": "0",
        "kycLevel": "LEVEL_DEFAULT",
        "kycRegion": "",
    }


@route("GET", "/v5/asset/coin/query-info")
def coin_info(ex: FakeBybit, request: Request) -> dict[str, Any]:
    wanted = request.params.get("coin")
    rows = []
    for coin, c in COINS.items():
        if wanted and coin != wanted:
            continue
        chain = {
            "chainType": c["chain"],
            "confirmation": "6",
            "withdrawFee": c["withdrawFee"],
            "depositMin": "0",
            "withdrawMin": c["withdrawMin"],
            "chain": c["chain"],
            "chainDeposit": "1",
            "chainWithdraw": "1",
            "minAccuracy": c["minAccuracy"],
            "withdrawPercentageFee": "0",
            "contractAddress": "",
        }
        rows.append({"name": c["name"], "coin": coin, "remainAmount": "1000000", "chains": [chain]})
    return {"rows": rows}




# Endpoint families kept in their own modules register into ROUTES on import.
from . import routes_account, routes_market  # noqa: E402,F401
