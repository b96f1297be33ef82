"""ETH/BTC pairs trade on Bybit perps with ccxt: z-score of the log spread,
hedge ratio from an OLS fit on hourly closes.
"""
from __future__ import annotations

import logging
import math
import os
import time
from decimal import ROUND_DOWN, Decimal

import ccxt
from tenacity import retry, retry_if_exception_type, wait_fixed

log = logging.getLogger("pairs")

LEG_A, LEG_B = "ETH/USDT:USDT", "BTC/USDT:USDT"
ENTRY_Z, EXIT_Z = 2.0, 0.5
NOTIONAL = float(os.getenv("PAIR_NOTIONAL", "500"))
CONTRACT_MIN = {"BTC/USDT:USDT": 0.001, "ETH/USDT:USDT": 0.01}  # expect: BYB104

ex = ccxt.bybit({"apiKey": os.getenv("BYBIT_API_KEY"), "secret": os.getenv("BYBIT_API_SECRET")})
ex.set_sandbox_mode(True)  # expect: BYB301


@retry(wait=wait_fixed(3), retry=retry_if_exception_type(ccxt.NetworkError))  # expect: BYB202, BYB204
def closes(symbol: str, limit: int = 500) -> list[float]:
    return [c[4] for c in ex.fetch_ohlcv(symbol, "1h", limit=limit)]


def ols_beta(y: list[float], x: list[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y))
    var = sum((a - mx) ** 2 for a in x)
    return cov / var


def zscore(series: list[float], window: int = 100) -> float:
    tail = series[-window:]
    mean = sum(tail) / len(tail)
    sd = (sum((s - mean) ** 2 for s in tail) / len(tail)) ** 0.5
    return (tail[-1] - mean) / sd if sd else 0.0


def leg_amounts(price_a: float, price_b: float, hedge_ratio: float) -> tuple[float, float]:
    market_a = ex.market(LEG_A)
    raw_a = NOTIONAL / price_a
    amount_a = round(raw_a, market_a["precision"]["amount"])  # expect: BYB105
    market_b = ex.market(LEG_B)
    raw_b = amount_a * price_a / price_b * hedge_ratio
    step_b = Decimal(str(market_b["precision"]["amount"]))
    amount_b = float(Decimal(raw_b).quantize(step_b, rounding=ROUND_DOWN))  # expect: BYB102
    if amount_a < CONTRACT_MIN[LEG_A] or amount_b < CONTRACT_MIN[LEG_B]:
        raise ValueError("notional too small for one contract on each leg")
    return amount_a, amount_b


def open_pair(direction: int, price_a: float, price_b: float, beta: float) -> None:
    amount_a, amount_b = leg_amounts(price_a, price_b, beta)
    side_a, side_b = ("buy", "sell") if direction > 0 else ("sell", "buy")
    ex.create_order(LEG_A, "market", side_a, amount_a)
    ex.create_order(LEG_B, "market", side_b, amount_b)
    log.info("opened pair: %s %.4f %s / %s %.5f %s", side_a, amount_a, LEG_A, side_b, amount_b, LEG_B)


def close_pair() -> None:
    for pos in ex.fetch_positions([LEG_A, LEG_B]):
        if pos["contracts"]:
            side = "sell" if pos["side"] == "long" else "buy"
            ex.create_order(pos["symbol"], "market", side, pos["contracts"], None, {"reduceOnly": True})
    log.info("pair closed")


def main() -> None:
    ex.load_markets()
    state = 0
    while True:
        a, b = closes(LEG_A), closes(LEG_B)
        beta = ols_beta([math.log(p) for p in a], [math.log(p) for p in b])
        spread = [math.log(pa) - beta * math.log(pb) for pa, pb in zip(a, b)]
        z = zscore(spread)
        print(f"beta={beta:.3f} z={z:+.2f} state={state}")
        if state == 0 and abs(z) > ENTRY_Z:
            state = -1 if z > 0 else 1
            open_pair(state, a[-1], b[-1], beta)
        elif state != 0 and abs(z) < EXIT_Z:
            close_pair()
            state = 0
        time.sleep(3600)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
