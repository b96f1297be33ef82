"""Order helpers for the mean-reversion bot: pybit calls wrapped with tenacity."""
from __future__ import annotations

import logging
import os
from decimal import ROUND_DOWN, Decimal

from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_fixed,
    wait_random_exponential,
)

log = logging.getLogger("orders")

TRANSIENT = (FailedRequestError, ReadTimeout, RequestsConnectionError)

session = HTTP(
    testnet=os.getenv("BYBIT_TESTNET") == "1",
    api_key=os.getenv("BYBIT_API_KEY"),
    api_secret=os.getenv("BYBIT_API_SECRET"),
    max_retries=1,
)


@retry(wait=wait_random_exponential(max=60), reraise=True)  # expect: BYB204
def server_time_ms() -> int:
    return int(session.get_server_time()["result"]["timeNano"]) // 1_000_000


@retry(retry=retry_if_exception_type(FailedRequestError))  # expect: BYB202, BYB204
def get_closes(symbol: str, interval: str = "60", limit: int = 100) -> list[float]:
    rows = session.get_kline(category="linear", symbol=symbol, interval=interval, limit=limit)
    return [float(r[4]) for r in reversed(rows["result"]["list"])]


@retry(wait=wait_exponential(multiplier=1, min=1, max=30), stop=stop_after_attempt(6))  # expect: BYB203
def get_position(symbol: str) -> dict:
    res = session.get_positions(category="linear", symbol=symbol)
    return res["result"]["list"][0]


@retry(wait=wait_fixed(2), stop=stop_after_attempt(3), retry=retry_if_exception_type(TRANSIENT))  # expect: BYB202
def submit_market(symbol: str, side: str, qty: str, reduce_only: bool = False) -> str:
    res = session.place_order(  # expect: BYB205
        category="linear",
        symbol=symbol,
        side=side,
        orderType="Market",
        qty=qty,
        reduceOnly=reduce_only,
    )
    log.info("market %s %s %s -> %s", side, qty, symbol, res["result"]["orderId"])
    return res["result"]["orderId"]


@retry(wait=wait_random_exponential(multiplier=1, max=20), stop=stop_after_attempt(5))
def cancel_all(symbol: str) -> None:
    session.cancel_all_orders(category="linear", symbol=symbol)


def instrument_steps(symbol: str) -> tuple[Decimal, Decimal]:
    info = session.get_instruments_info(category="linear", symbol=symbol)["result"]["list"][0]
    return Decimal(info["lotSizeFilter"]["qtyStep"]), Decimal(info["priceFilter"]["tickSize"])


def zscore(values: list[float]) -> float:
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return (values[-1] - mean) / var ** 0.5 if var else 0.0


def rebalance(symbol: str, usdt_per_trade: float, threshold: float = 2.0) -> None:
    closes = get_closes(symbol)
    z = zscore(closes[-50:])
    log.info(f"{symbol} z={z:+.2f} last={closes[-1]:.2f}")
    pos = get_position(symbol)
    size = Decimal(pos["size"] or "0")

    if size and abs(z) < 0.5:
        submit_market(symbol, "Sell" if pos["side"] == "Buy" else "Buy", pos["size"], reduce_only=True)
        return
    if size or abs(z) < threshold:
        return

    qty_step, _ = instrument_steps(symbol)
    raw_qty = usdt_per_trade / closes[-1]
    qty = Decimal(str(raw_qty)).quantize(qty_step, rounding=ROUND_DOWN)
    if qty <= 0:
        log.warning("budget too small for one step of %s", symbol)
        return
    cancel_all(symbol)
    submit_market(symbol, "Sell" if z > 0 else "Buy", format(qty, "f"))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    if os.getenv("SMOKE_TEST"):
        print(HTTP(testnet=True).get_server_time())
    try:
        rebalance(os.getenv("SYMBOL", "ETHUSDT"), float(os.getenv("USDT_PER_TRADE", "100")))
    except InvalidRequestError as exc:
        log.error("rejected: %s", exc)
