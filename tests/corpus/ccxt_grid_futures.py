"""Long-only futures grid with ccxt (sync): buys every GAP below the anchor and
sells each lot GAP higher.
"""
from __future__ import annotations

import logging
import os
import random
import time
from decimal import ROUND_DOWN, Decimal

import ccxt

log = logging.getLogger("fgrid")

PRICE_DECIMALS = {"BTC/USDT:USDT": 1, "ETH/USDT:USDT": 2, "SOL/USDT:USDT": 3}  # expect: BYB104

SYMBOL = os.getenv("GRID_SYMBOL", "ETH/USDT:USDT")
GAP = float(os.getenv("GRID_GAP", "0.006"))
LOT_USDT = float(os.getenv("GRID_LOT_USDT", "40"))
LEVELS = int(os.getenv("GRID_LEVELS", "8"))


def make_exchange() -> ccxt.bybit:
    ex = ccxt.bybit(
        {
            "apiKey": os.getenv("BYBIT_API_KEY"),
            "secret": os.getenv("BYBIT_API_SECRET"),
            "options": {"defaultType": "swap", "recvWindow": 10000},
        }
    )
    ex.set_sandbox_mode(os.getenv("BYBIT_TESTNET") == "1")
    return ex


def ticker_last(ex: ccxt.bybit) -> float:
    for attempt in range(5):
        try:
            return ex.fetch_ticker(SYMBOL)["last"]
        except (ccxt.NetworkError, ccxt.RateLimitExceeded) as exc:
            wait = random.uniform(0, min(20, 2 ** attempt))
            log.warning("fetch_ticker: %s (sleep %.2fs)", exc, wait)
            time.sleep(wait)
    raise RuntimeError("ticker unavailable")


def lot_amount(ex: ccxt.bybit, price: float) -> float:
    market = ex.market(SYMBOL)
    quantum = Decimal(1).scaleb(-int(market["precision"]["amount"]))  # expect: BYB105
    raw = LOT_USDT / price
    return float(Decimal(str(raw)).quantize(quantum, rounding=ROUND_DOWN))


def level_prices(ex: ccxt.bybit, anchor: float) -> list[float]:
    market = ex.market(SYMBOL)
    tick = Decimal(10) ** -market["precision"]["price"]  # expect: BYB105
    out = []
    for i in range(1, LEVELS + 1):
        px = Decimal(str(anchor * (1 - GAP * i))).quantize(tick, rounding=ROUND_DOWN)
        out.append(float(px))
    return out


def fmt(px: float) -> str:
    return f"{px:.{PRICE_DECIMALS.get(SYMBOL, 4)}f}"


def seed_grid(ex: ccxt.bybit) -> dict[str, float]:
    anchor = ticker_last(ex)
    orders = {}
    for px in level_prices(ex, anchor):
        amount = lot_amount(ex, px)
        o = ex.create_order(SYMBOL, "limit", "buy", amount, px, {"timeInForce": "PO"})
        orders[o["id"]] = px
        log.info("buy %s @ %s", amount, fmt(px))
    return orders


def on_fill(ex: ccxt.bybit, order: dict) -> None:
    if order["side"] == "buy":
        target = order["price"] * (1 + GAP)
        ex.create_order(SYMBOL, "limit", "sell", order["filled"], target, {"reduceOnly": True})
        log.info("filled buy @ %s -> sell @ %s", fmt(order["price"]), fmt(target))
    else:
        target = order["price"] / (1 + GAP)
        ex.create_order(SYMBOL, "limit", "buy", order["filled"], target)
        profit = order["filled"] * order["price"] * GAP
        print(f"closed lot, ~{profit:.3f} USDT gross")


def main() -> None:
    ex = make_exchange()
    ex.load_markets()
    open_ids = set(seed_grid(ex))
    while True:
        current = {o["id"] for o in ex.fetch_open_orders(SYMBOL)}
        for oid in open_ids - current:
            order = ex.fetch_order(oid, SYMBOL)
            if order["status"] == "closed":
                on_fill(ex, order)
        open_ids = {o["id"] for o in ex.fetch_open_orders(SYMBOL)}
        time.sleep(20)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
