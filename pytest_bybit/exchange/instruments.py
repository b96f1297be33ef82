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
        "priceScale": "2",
        "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
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
) -> dict[str, Any]:
    return {
        "symbolId": symbol_id,
        "symbol": symbol,
        "baseCoin": base,
        "quoteCoin": "USDT",
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "utaOnly",
        "stTag": "0",
        "lotSizeFilter": {
            "basePrecision": base_precision,
            "quotePrecision": "0.0000001",
            "minOrderQty": min_qty,
            "maxOrderQty": max_qty,
            "minOrderAmt": "5",
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
