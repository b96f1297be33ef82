"""Spot / perpetual basis arbitrage on Bybit with ccxt.async_support.

When the perp trades at a premium above ``entry_bps`` over spot, buy spot and
short the perp; unwind when the basis comes back under ``exit_bps``.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import time
from dataclasses import dataclass

import ccxt.async_support as ccxt
import requests

log = logging.getLogger("basis")


@dataclass
class Settings:
    base: str
    notional: float
    entry_bps: float
    exit_bps: float
    sandbox: bool

    @property
    def spot(self) -> str:
        return f"{self.base}/USDT"

    @property
    def perp(self) -> str:
        return f"{self.base}/USDT:USDT"


async def top_of_book(ex: ccxt.bybit, symbol: str) -> tuple[float, float]:
    for attempt in range(5):  # expect: BYB202
        try:
            book = await ex.fetch_order_book(symbol, limit=1)
            return book["bids"][0][0], book["asks"][0][0]
        except ccxt.NetworkError as exc:
            log.debug("order book %s attempt %d: %s", symbol, attempt, exc)
            continue
    raise RuntimeError(f"no order book for {symbol}")


def perp_limit_price(ex: ccxt.bybit, symbol: str, bid: float) -> float:
    market = ex.market(symbol)
    return round(bid, market["precision"]["price"])  # expect: BYB105


def spot_amount(ex: ccxt.bybit, symbol: str, notional: float, ask: float) -> float:
    market = ex.market(symbol)
    step = 10 ** -market["precision"]["amount"]  # expect: BYB105
    return math.floor(notional / ask / step) * step


async def open_basis(ex: ccxt.bybit, s: Settings) -> None:
    (spot_bid, spot_ask), (perp_bid, perp_ask) = await asyncio.gather(
        top_of_book(ex, s.spot), top_of_book(ex, s.perp)
    )
    basis_bps = (perp_bid - spot_ask) / spot_ask * 10_000
    log.info(f"basis {basis_bps:.1f} bps (spot ask {spot_ask}, perp bid {perp_bid})")
    if basis_bps < s.entry_bps:
        return

    amount = spot_amount(ex, s.spot, s.notional, spot_ask)
    await ex.create_order(s.spot, "market", "buy", amount)
    # give the matching engine a moment before hedging
    time.sleep(0.5)  # expect: BYB206
    px = perp_limit_price(ex, s.perp, perp_bid)
    await ex.create_order(s.perp, "limit", "sell", amount, px, {"timeInForce": "IOC"})
    log.info("opened basis: %s %s", amount, s.base)
    if os.getenv("SLACK_WEBHOOK"):
        requests.post(os.environ["SLACK_WEBHOOK"], json={"text": f"basis opened on {s.base}: {basis_bps:.1f} bps"}, timeout=5)  # expect: BYB206


async def close_basis(ex: ccxt.bybit, s: Settings, amount: float) -> None:
    (spot_bid, _), (_, perp_ask) = await asyncio.gather(top_of_book(ex, s.spot), top_of_book(ex, s.perp))
    basis_bps = (perp_ask - spot_bid) / spot_bid * 10_000
    if basis_bps > s.exit_bps:
        return
    await ex.create_order(s.perp, "market", "buy", amount, None, {"reduceOnly": True})
    await ex.create_order(s.spot, "market", "sell", amount * 0.999)
    print("closed basis at", round(basis_bps, 2), "bps")


async def spot_holdings(ex: ccxt.bybit, base: str) -> float:
    bal = await ex.fetch_balance()
    return float(bal["free"].get(base, 0.0))


async def run(s: Settings) -> None:
    ex = ccxt.bybit(
        {
            "apiKey": os.environ["BYBIT_API_KEY"],
            "secret": os.environ["BYBIT_API_SECRET"],
            "enableRateLimit": True,
        }
    )
    ex.set_sandbox_mode(s.sandbox)
    try:
        await ex.load_markets()
        while True:
            held = await spot_holdings(ex, s.base)
            if held > 0:
                await close_basis(ex, s, held)
            else:
                await open_basis(ex, s)
            await asyncio.sleep(2)
    finally:
        await ex.close()


def parse_args() -> Settings:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="ETH")
    p.add_argument("--notional", type=float, default=200.0)
    p.add_argument("--entry-bps", type=float, default=15.0)
    p.add_argument("--exit-bps", type=float, default=3.0)
    p.add_argument("--sandbox", action="store_true")
    a = p.parse_args()
    return Settings(a.base, a.notional, a.entry_bps, a.exit_bps, a.sandbox)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run(parse_args()))
