"""The instruments the fake exchange lists, in the exact instruments-info shape.

Linear BTCUSDT and spot BTCUSDT are the docs' own examples (bybit-v5.md D.3). The others
(linear/spot ETHUSDT, inverse BTCUSD) follow the same shape with plausible live values:
UNCONFIRMED figures, chosen so every filter is exercised (a 0.01 step, a 0.50 tick, a
whole-contract inverse qty). Tests change any of them with ``Instrument.set_filter``.

Options (BTC-26DEC26-100000-C/-P, ETH-26DEC26-4000-C) follow the docs' option example
(``ETH-3JAN23-1250-P``: status, baseCoin, quoteCoin, settleCoin USDC, optionsType, launchTime,
deliveryTime, deliveryFeeRate "0.00015", priceFilter{minPrice,maxPrice,tickSize},
lotSizeFilter{maxOrderQty,minOrderQty,qtyStep}, displayName) and ccxt's own sample
(``BTC-29DEC23-80000-C``: tick 5, qty 0.01..500), quoteCoin "USD" and settleCoin "USDC" as
both examples have them (ccxt then names the market ``BTC/USD:USDC-261226-100000-C``). launchTime and the ETH
filters are plausible values, not copied from a live reply.
"""

from __future__ import annotations

import copy
from typing import Any

from .models import Instrument


def _linear(
    symbol: str,
    base: str,
    *,
    tick: str,
    min_price: str,
    max_price: str,
    step: str,
    min_qty: str,
    max_qty: str,
    max_mkt_qty: str,
    min_notional: str,
    launch: str,
    symbol_id: int,
    contract_type: str = "LinearPerpetual",
    quote: str = "USDT",
    settle: str = "USDT",
    funding_cap: str = "0.00375",
    price_scale: str = "2",
    max_leverage: str = "100.00",
    leverage_step: str = "0.01",
) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "symbolId": symbol_id,
        "contractType": contract_type,
        "status": "Trading",
        "baseCoin": base,
        "quoteCoin": quote,
        "launchTime": launch,
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": price_scale,
        "leverageFilter": {"minLeverage": "1", "maxLeverage": max_leverage, "leverageStep": leverage_step},
        "priceFilter": {"minPrice": min_price, "maxPrice": max_price, "tickSize": tick},
        "lotSizeFilter": {
            "maxOrderQty": max_qty,
            "minOrderQty": min_qty,
            "qtyStep": step,
            "postOnlyMaxOrderQty": max_qty,
            "maxMktOrderQty": max_mkt_qty,
            "minNotionalValue": min_notional,
        },
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
        "settleCoin": settle,
        "copyTrading": "both",
        "upperFundingRate": funding_cap,
        "lowerFundingRate": "-" + funding_cap,
        "isPreListing": False,
        "preListingInfo": None,
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
        "symbolType": "",
    }


def _spot(
    symbol: str,
    base: str,
    *,
    base_precision: str,
    min_qty: str,
    max_qty: str,
    max_market_qty: str,
    tick: str,
    symbol_id: int,
    quote: str = "USDT",
    min_amount: str = "5",
    quote_precision: str = "0.0000001",
) -> dict[str, Any]:
    return {
        "symbolId": symbol_id,
        "symbol": symbol,
        "baseCoin": base,
        "quoteCoin": quote,
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "utaOnly",
        "stTag": "0",
        "lotSizeFilter": {
            "basePrecision": base_precision,
            "quotePrecision": quote_precision,
            "minOrderQty": min_qty,
            "maxOrderQty": max_qty,
            "minOrderAmt": min_amount,
            "maxOrderAmt": "8000000",
            "maxLimitOrderQty": max_qty,
            "maxMarketOrderQty": max_market_qty,
            "postOnlyMaxLimitOrderSize": "60000",
        },
        "priceFilter": {"tickSize": tick},
        "riskParameters": {"priceLimitRatioX": "0.005", "priceLimitRatioY": "0.01"},
        "symbolType": "",
    }


def _option(
    symbol: str,
    base: str,
    *,
    tick: str,
    min_price: str,
    max_price: str,
    step: str,
    min_qty: str,
    max_qty: str,
    delivery: str,
    launch: str = "1750406400000",  # UNCONFIRMED (2025-06-20 08:00 UTC)
) -> dict[str, Any]:
    """The option shape of instruments-info (bybit-v5.md D.3): no leverageFilter, no priceScale."""
    return {
        "symbol": symbol,
        "status": "Trading",
        "baseCoin": base,
        "quoteCoin": "USD",  # as in the docs' example; settlement is in USDC
        "settleCoin": "USDC",
        "optionsType": "Call" if symbol.endswith("-C") else "Put",
        "launchTime": launch,
        "deliveryTime": delivery,
        "deliveryFeeRate": "0.00015",
        "priceFilter": {"minPrice": min_price, "maxPrice": max_price, "tickSize": tick},
        "lotSizeFilter": {"maxOrderQty": max_qty, "minOrderQty": min_qty, "qtyStep": step},
        "displayName": "",  # UNCONFIRMED: newer docs fill it for USDT options only
    }


#: 26 Dec 2026 08:00 UTC, Bybit's option delivery hour.
_DEC26 = "1798272000000"

_CATALOGUE: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "linear",
        _linear(
            "BTCUSDT", "BTC", tick="0.10", min_price="0.10", max_price="1999999.80",
            step="0.001", min_qty="0.001", max_qty="1190.000", max_mkt_qty="500.000",
            min_notional="5", launch="1585526400000", symbol_id=5,
        ),
    ),
    (
        "linear",
        _linear(
            "ETHUSDT", "ETH", tick="0.01", min_price="0.01", max_price="199999.98",
            step="0.01", min_qty="0.01", max_qty="7240.00", max_mkt_qty="1250.00",
            min_notional="5", launch="1615766400000", symbol_id=6,
        ),
    ),
    (
        "inverse",
        _linear(
            "BTCUSD", "BTC", tick="0.50", min_price="0.50", max_price="999999.00",
            step="1", min_qty="1", max_qty="1000000", max_mkt_qty="200000",
            min_notional="", launch="1542211200000", symbol_id=1,
            contract_type="InversePerpetual", quote="USD", settle="BTC",
        ),
    ),
    (
        "spot",
        _spot(
            "BTCUSDT", "BTC", base_precision="0.000001", min_qty="0.000011", max_qty="83",
            max_market_qty="41.5", tick="0.1", symbol_id=9,
        ),
    ),
    (
        "spot",
        _spot(
            "ETHUSDT", "ETH", base_precision="0.00001", min_qty="0.00062", max_qty="2000",
            max_market_qty="1000", tick="0.01", symbol_id=10,
        ),
    ),
    # The most traded names after BTC and ETH. Filters follow the live pattern (a tick and a step
    # sized to the price, 5 USDT min notional); the exact figures are UNCONFIRMED: tests that
    # depend on one set it with Instrument.set_filter or bybit.add_instrument.
    (
        "linear",
        _linear(
            "SOLUSDT", "SOL", tick="0.010", min_price="0.010", max_price="19999.980",
            step="0.1", min_qty="0.1", max_qty="79770.0", max_mkt_qty="5000.0",
            min_notional="5", launch="1634256000000", symbol_id=41, price_scale="3",
        ),
    ),
    (
        "linear",
        _linear(
            "XRPUSDT", "XRP", tick="0.0001", min_price="0.0001", max_price="199.9998",
            step="1", min_qty="1", max_qty="2300000", max_mkt_qty="370000",
            min_notional="5", launch="1620345600000", symbol_id=27, price_scale="4", max_leverage="75.00",
        ),
    ),
    (
        "linear",
        _linear(
            "DOGEUSDT", "DOGE", tick="0.00001", min_price="0.00001", max_price="19.99998",
            step="1", min_qty="1", max_qty="21050000", max_mkt_qty="4600000",
            min_notional="5", launch="1620345600000", symbol_id=28, price_scale="5", max_leverage="75.00",
        ),
    ),
    (
        "inverse",
        _linear(
            "ETHUSD", "ETH", tick="0.05", min_price="0.05", max_price="99999.90",
            step="1", min_qty="1", max_qty="1000000", max_mkt_qty="200000",
            min_notional="", launch="1548633600000", symbol_id=2,
            contract_type="InversePerpetual", quote="USD", settle="ETH", max_leverage="50.00",
        ),
    ),
    (
        "spot",
        _spot(
            "SOLUSDT", "SOL", base_precision="0.001", min_qty="0.001", max_qty="8000",
            max_market_qty="4000", tick="0.01", symbol_id=120,
        ),
    ),
    (
        "spot",
        _spot(
            "XRPUSDT", "XRP", base_precision="0.01", min_qty="0.01", max_qty="2000000",
            max_market_qty="1000000", tick="0.0001", symbol_id=121,
        ),
    ),
    (
        "spot",
        _spot(
            "DOGEUSDT", "DOGE", base_precision="0.1", min_qty="0.1", max_qty="10000000",
            max_market_qty="5000000", tick="0.00001", symbol_id=122,
        ),
    ),
    (
        "option",
        _option(
            "BTC-26DEC26-100000-C", "BTC", tick="5", min_price="5", max_price="10000000",
            step="0.01", min_qty="0.01", max_qty="500", delivery=_DEC26,
        ),
    ),
    (
        "option",
        _option(
            "BTC-26DEC26-100000-P", "BTC", tick="5", min_price="5", max_price="10000000",
            step="0.01", min_qty="0.01", max_qty="500", delivery=_DEC26,
        ),
    ),
    (
        "option",
        _option(
            "ETH-26DEC26-4000-C", "ETH", tick="0.1", min_price="0.1", max_price="10000000",
            step="0.1", min_qty="0.1", max_qty="1500", delivery=_DEC26,
        ),
    ),
)

#: Starting last price per symbol (spot and derivatives share it).
DEFAULT_PRICES: dict[str, str] = {
    "BTCUSDT": "60000",
    "ETHUSDT": "3000",
    "BTCUSD": "60000",
    "ETHUSD": "3000",
    "SOLUSDT": "150",
    "XRPUSDT": "2.5",
    "DOGEUSDT": "0.2",
    # Option premiums in USDC (mark = last in this fake); plausible, UNCONFIRMED.
    "BTC-26DEC26-100000-C": "2500",
    "BTC-26DEC26-100000-P": "41000",
    "ETH-26DEC26-4000-C": "150",
}

#: Coins of /v5/asset/coin/query-info (what ccxt's fetch_currencies reads).
COINS: dict[str, dict[str, str]] = {
    "BTC": {"name": "BTC", "chain": "BTC", "withdrawFee": "0.0005", "withdrawMin": "0.001", "minAccuracy": "8"},
    "ETH": {"name": "ETH", "chain": "ETH", "withdrawFee": "0.003", "withdrawMin": "0.01", "minAccuracy": "8"},
    "USDT": {"name": "USDT", "chain": "ETH", "withdrawFee": "3", "withdrawMin": "10", "minAccuracy": "6"},
    "USDC": {"name": "USDC", "chain": "ETH", "withdrawFee": "3", "withdrawMin": "10", "minAccuracy": "6"},  # UNCONFIRMED
}


def default_instruments() -> dict[tuple[str, str], Instrument]:
    """A fresh, independent copy of the catalogue keyed by (category, symbol)."""
    return {
        (category, info["symbol"]): Instrument(category, copy.deepcopy(info))
        for category, info in _CATALOGUE
    }


#: Settle / quote coins recognised at the end of a symbol, longest first.
_QUOTES = ("USDT", "USDC", "USD")


def make_instrument(
    symbol: str,
    category: str,
    *,
    tick_size: Any,
    qty_step: Any,
    min_qty: Any,
    max_qty: Any = None,
    max_market_qty: Any = None,
    min_notional: Any = "5",
    max_leverage: Any = "100",
    min_price: Any = None,
    max_price: Any = None,
    base_coin: str | None = None,
    quote_coin: str | None = None,
    min_order_amt: Any = "5",
    symbol_id: int = 0,
) -> Instrument:
    """An instruments-info entry for any symbol, in the same shape as the built-in ones.

    Every number is checked here, so a typo in a test fails at the call that made it (naming the
    argument), not at the first order the bot sends.
    """
    from decimal import Decimal

    from .models import dec

    def number(name: str, value: Any, *, positive: bool = True) -> str:
        d = dec(value)
        if d is None or (positive and d <= 0):
            raise ValueError(f"add_instrument({symbol!r}): {name}={value!r} must be a positive number (a str such as '0.01')")
        return format(d, "f")

    if not isinstance(symbol, str) or not symbol or symbol != symbol.upper():
        raise ValueError(f"add_instrument: symbol={symbol!r} must be an upper-case symbol name such as 'SOLUSDT'")
    if category not in ("linear", "inverse", "spot"):
        raise ValueError(f"add_instrument({symbol!r}): category={category!r} must be 'linear', 'inverse' or 'spot'")
    quote = quote_coin or next((q for q in _QUOTES if symbol.endswith(q) and len(symbol) > len(q)), None)
    if quote is None:
        raise ValueError(f"add_instrument({symbol!r}): cannot tell the quote coin from the name; pass quote_coin='USDT'")
    base = base_coin or symbol[: -len(quote)]
    tick = number("tick_size", tick_size)
    step = number("qty_step", qty_step)
    low = number("min_qty", min_qty)
    high = number("max_qty", max_qty) if max_qty is not None else format(Decimal(low) * 1_000_000, "f")
    market_high = number("max_market_qty", max_market_qty) if max_market_qty is not None else high
    if Decimal(low) % Decimal(step):
        raise ValueError(f"add_instrument({symbol!r}): min_qty={min_qty!r} is not a multiple of qty_step={qty_step!r}")
    if category == "spot":
        info = _spot(
            symbol, base, base_precision=step, min_qty=low, max_qty=high, max_market_qty=market_high,
            tick=tick, symbol_id=symbol_id, quote=quote, min_amount=number("min_order_amt", min_order_amt),
        )
        return Instrument(category, info)
    places = max(0, -Decimal(tick).normalize().as_tuple().exponent)  # type: ignore[operator]
    floor = number("min_price", min_price) if min_price is not None else tick
    ceiling = number("max_price", max_price) if max_price is not None else format(Decimal(tick) * 10**9 - Decimal(tick), "f")
    lev = Decimal(number("max_leverage", max_leverage))
    if lev < 1:
        raise ValueError(f"add_instrument({symbol!r}): max_leverage={max_leverage!r} must be at least 1")
    inverse = category == "inverse"
    info = _linear(
        symbol, base, tick=tick, min_price=floor, max_price=ceiling, step=step, min_qty=low,
        max_qty=high, max_mkt_qty=market_high,
        min_notional="" if inverse else number("min_notional", min_notional, positive=False),
        launch="0", symbol_id=symbol_id, contract_type="InversePerpetual" if inverse else "LinearPerpetual",
        quote=quote, settle=base if inverse else quote, price_scale=str(places),
        max_leverage=format(lev.quantize(Decimal("0.01")), "f"),
    )
    return Instrument(category, info)
