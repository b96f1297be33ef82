"""Scan Bybit USDT perps for extreme funding and (optionally) fade it.

ccxt.async_support; amounts are floats and left to ccxt's own precision
handling (amount_to_precision truncates to qtyStep).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random

import ccxt.async_support as ccxt

log = logging.getLogger("funding")


async def retrying(coro_fn, *args, attempts: int = 4, **kwargs):
    for attempt in range(attempts):
        try:
            return await coro_fn(*args, **kwargs)
        except (ccxt.NetworkError, ccxt.RateLimitExceeded) as exc:
            if attempt == attempts - 1:
                raise
            delay = min(30.0, 1.5 ** attempt) + random.uniform(0, 1)
            log.warning("%s: %s; retrying in %.2fs", getattr(coro_fn, "__name__", coro_fn), exc, delay)
            await asyncio.sleep(delay)


async def scan(ex: ccxt.bybit, top: int) -> list[tuple[str, float, float]]:
    markets = await retrying(ex.load_markets)
    perps = [s for s, m in markets.items() if m.get("swap") and m.get("linear") and m["quote"] == "USDT" and m["active"]]
    rates = await retrying(ex.fetch_funding_rates, perps)
    rows = []
    for sym, fr in rates.items():
        rate = fr.get("fundingRate")
        if rate is None:
            continue
        rows.append((sym, float(rate), float(fr.get("markPrice") or 0)))
    rows.sort(key=lambda r: abs(r[1]), reverse=True)
    for sym, rate, mark in rows[:top]:
        print(f"{sym:<22} {rate * 100:+.4f}%  ({rate * 3 * 365 * 100:+.1f}% APR)  mark {mark:g}")
    return rows[:top]


async def fade(ex: ccxt.bybit, sym: str, rate: float, mark: float, usdt: float) -> None:
    market = ex.market(sym)
    amount = usdt / mark
    min_amount = market["limits"]["amount"]["min"] or 0
    if amount < min_amount:
        log.info("skip %s: %.6f < min %s", sym, amount, min_amount)
        return
    side = "sell" if rate > 0 else "buy"
    limit = mark * (0.9995 if side == "sell" else 1.0005)
    log.info("fading %s: %s %.6f @ %s (step %s)", sym, side, amount, round(limit, 6), market["precision"]["amount"])
    order = await ex.create_order(sym, "limit", side, amount, limit, {"timeInForce": "PO"})
    log.info("order %s %s", order["id"], order["status"])


async def main(args: argparse.Namespace) -> None:
    ex = ccxt.bybit(
        {
            "apiKey": os.getenv("BYBIT_API_KEY"),
            "secret": os.getenv("BYBIT_API_SECRET"),
            "enableRateLimit": True,
            "options": {"defaultType": "swap", "adjustForTimeDifference": True},
        }
    )
    ex.set_sandbox_mode(args.sandbox)
    try:
        top = await scan(ex, args.top)
        if args.trade:
            await asyncio.gather(*(fade(ex, s, r, m, args.usdt) for s, r, m in top if abs(r) >= args.min_rate))
    finally:
        await ex.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--trade", action="store_true")
    ap.add_argument("--usdt", type=float, default=25.0)
    ap.add_argument("--min-rate", type=float, default=0.0005)
    ap.add_argument("--sandbox", action="store_true")
    asyncio.run(main(ap.parse_args()))
