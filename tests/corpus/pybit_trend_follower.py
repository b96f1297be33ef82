"""Donchian trend follower for Bybit linear perps (pybit 5 + tenacity).

Sizing uses instruments-info (qtyStep / tickSize / minOrderQty) and Decimal.
Orders carry an orderLinkId created once per intent, so a retried submit
can never open a second position.
"""
from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

log = logging.getLogger("trend")

NETWORK_ERRORS = (FailedRequestError, ReadTimeout, RequestsConnectionError)
resilient = retry(
    retry=retry_if_exception_type(NETWORK_ERRORS),
    wait=wait_random_exponential(multiplier=0.5, max=30),
    stop=stop_after_attempt(5),
    reraise=True,
)


@dataclass(frozen=True)
class Filters:
    qty_step: Decimal
    tick: Decimal
    min_qty: Decimal

    def qty(self, raw) -> Decimal:
        return Decimal(str(raw)).quantize(self.qty_step, rounding=ROUND_DOWN)

    def price(self, raw) -> Decimal:
        return Decimal(str(raw)).quantize(self.tick, rounding=ROUND_HALF_UP)


def make_client(testnet: bool = True, key: str | None = None, secret: str | None = None) -> HTTP:
    return HTTP(
        testnet=testnet,
        api_key=key or os.getenv("BYBIT_API_KEY"),
        api_secret=secret or os.getenv("BYBIT_API_SECRET"),
        recv_window=10000,
        ignore_codes={110043},
    )


class TrendFollower:
    def __init__(self, client: HTTP, symbol: str, risk_usdt: str, lookback: int = 55):
        self.client = client
        self.symbol = symbol
        self.risk_usdt = Decimal(risk_usdt)
        self.lookback = lookback
        self.filters = self._load_filters()

    @resilient
    def _load_filters(self) -> Filters:
        info = self.client.get_instruments_info(category="linear", symbol=self.symbol)["result"]["list"][0]
        lot, pf = info["lotSizeFilter"], info["priceFilter"]
        return Filters(Decimal(lot["qtyStep"]), Decimal(pf["tickSize"]), Decimal(lot["minOrderQty"]))

    @resilient
    def _candles(self) -> list[list[str]]:
        res = self.client.get_kline(category="linear", symbol=self.symbol, interval="240", limit=self.lookback + 1)
        return list(reversed(res["result"]["list"]))

    @resilient
    def _position(self) -> dict:
        return self.client.get_positions(category="linear", symbol=self.symbol)["result"]["list"][0]

    @resilient
    def _submit(self, side: str, qty: Decimal, stop: Decimal, link_id: str, reduce_only: bool = False) -> str:
        try:
            res = self.client.place_order(
                category="linear",
                symbol=self.symbol,
                side=side,
                orderType="Market",
                qty=str(qty),
                stopLoss=str(stop),
                reduceOnly=reduce_only,
                orderLinkId=link_id,
            )
            return res["result"]["orderId"]
        except InvalidRequestError as exc:
            if exc.status_code == 110072:  # duplicate orderLinkId: the first attempt went through
                log.info("order %s already accepted", link_id)
                return link_id
            raise

    def step(self) -> None:
        candles = self._candles()
        highs = [Decimal(c[2]) for c in candles[:-1]]
        lows = [Decimal(c[3]) for c in candles[:-1]]
        last = Decimal(candles[-1][4])
        upper, lower = max(highs), min(lows)
        log.info("%s last=%s channel=[%s, %s]", self.symbol, last, lower, upper)
        print(f"{self.symbol}: {float(last):,.2f} ({float((last - lower) / (upper - lower)):.0%} of channel)")

        pos = self._position()
        if Decimal(pos["size"] or "0") > 0:
            return
        if last > upper:
            side, stop_raw = "Buy", lower
        elif last < lower:
            side, stop_raw = "Sell", upper
        else:
            return

        qty = self.filters.qty(self.risk_usdt / abs(last - stop_raw))
        if qty < self.filters.min_qty:
            log.warning("risk budget too small: %s < min %s", qty, self.filters.min_qty)
            return
        link_id = f"trend-{uuid.uuid4().hex[:24]}"
        oid = self._submit(side, qty, self.filters.price(stop_raw), link_id)
        log.info("entered %s %s %s (stop %s) -> %s", side, qty, self.symbol, stop_raw, oid)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    public = HTTP(testnet=True)
    closes = [float(k[4]) for k in public.get_kline(category="linear", symbol="BTCUSDT", interval="D")["result"]["list"]]
    print("30d range:", round(min(closes[:30]), 1), "-", round(max(closes[:30]), 1))
