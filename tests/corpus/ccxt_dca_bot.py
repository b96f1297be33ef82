"""Weekly DCA into a basket of Bybit spot coins with ccxt.

Amounts are plain floats: ccxt truncates them to the market's qtyStep itself
(amount_to_precision) before sending, and rejects an amount that would round
to zero.
"""
from __future__ import annotations

import json
import logging
import os
import random
import time
from pathlib import Path

import ccxt

log = logging.getLogger("basket")

CONFIG_PATH = Path(os.getenv("BASKET_CONFIG", "basket.json"))


def load_config() -> dict:
    cfg = json.loads(CONFIG_PATH.read_text())
    cfg.setdefault("sandbox", False)
    cfg.setdefault("weekly_usdt", 100.0)
    return cfg


def make_exchange(cfg: dict) -> ccxt.bybit:
    ex = ccxt.bybit(
        {
            "apiKey": os.environ.get("BYBIT_API_KEY", ""),
            "secret": os.environ.get("BYBIT_API_SECRET", ""),
            "enableRateLimit": True,
            "options": {"defaultType": "spot", "adjustForTimeDifference": True},
        }
    )
    ex.set_sandbox_mode(cfg["sandbox"])
    return ex


def with_retries(fn, *args, attempts: int = 5, **kwargs):
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kwargs)
        except (ccxt.NetworkError, ccxt.ExchangeNotAvailable) as exc:
            if attempt == attempts:
                raise
            delay = random.uniform(0.5, 1.0) * min(60, 2 ** attempt)
            log.warning("%s failed (%s); retry %d/%d in %.1fs", fn.__name__, exc, attempt, attempts, delay)
            time.sleep(delay)


def buy_basket(ex: ccxt.bybit, cfg: dict) -> list[dict]:
    total = float(cfg["weekly_usdt"])
    weights = cfg["weights"]
    norm = sum(weights.values())
    fills = []
    for coin, w in weights.items():
        symbol = f"{coin}/USDT"
        market = ex.market(symbol)
        ticker = with_retries(ex.fetch_ticker, symbol)
        ask = ticker["ask"] or ticker["last"]
        usdt = total * w / norm
        amount = usdt / ask
        min_amount = market["limits"]["amount"]["min"] or 0.0
        if amount < min_amount or usdt < (market["limits"]["cost"]["min"] or 0.0):
            log.warning("%s: %.2f USDT is under the minimum, skipped", symbol, usdt)
            continue
        limit_price = ask * 1.002
        order = ex.create_order(symbol, "limit", "buy", amount, limit_price, {"timeInForce": "IOC"})
        fills.append(order)
        log.info(f"{symbol}: {amount:.6f} @ <= {limit_price:.4f} ({usdt:.2f} USDT) -> {order['id']}")
    return fills


def report(ex: ccxt.bybit, cfg: dict) -> None:
    balance = with_retries(ex.fetch_balance)
    rows = []
    for coin in cfg["weights"]:
        held = float(balance["total"].get(coin, 0) or 0)
        if not held:
            continue
        last = ex.fetch_ticker(f"{coin}/USDT")["last"]
        rows.append((coin, held, held * last))
    total = sum(v for *_, v in rows) or 1.0
    for coin, held, value in sorted(rows, key=lambda r: -r[2]):
        print(f"{coin:>6} {held:>14.6f} {value:>10.2f} USDT {round(100 * value / total, 1):>5}%")


def main() -> None:
    cfg = load_config()
    ex = make_exchange(cfg)
    with_retries(ex.load_markets)
    buy_basket(ex, cfg)
    report(ex, cfg)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
