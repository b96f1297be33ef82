"""Hedge-mode position manager: opens both legs, keeps TP/SL attached,
and chases the entry price of the resting leg.
"""
from __future__ import annotations

import logging
import os

from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

log = logging.getLogger("hedge")

BUY_IDX, SELL_IDX = 1, 2


def make_session(testnet: bool = True) -> HTTP:
    return HTTP(
        testnet=testnet,
        api_key=os.getenv("BYBIT_API_KEY"),
        api_secret=os.getenv("BYBIT_API_SECRET"),
    )


class HedgeManager:
    def __init__(self, session: HTTP, symbol: str):
        self.session = session
        self.symbol = symbol

    def ensure_hedge_mode(self) -> None:
        try:
            self.session.switch_position_mode(category="linear", symbol=self.symbol, mode=3)
        except InvalidRequestError as exc:
            if exc.status_code != 110025:  # already in hedge mode
                raise

    def legs(self) -> dict[int, dict]:
        rows = self.session.get_positions(category="linear", symbol=self.symbol)["result"]["list"]
        # one row per side in hedge mode; list[0] is not necessarily the long
        return {row["positionIdx"]: row for row in rows}

    def open_straddle(self, base_qty: str) -> list[dict]:
        ticker = self.session.get_tickers(category="linear", symbol=self.symbol)["result"]["list"][0]
        res = self.session.place_batch_order(
            category="linear",
            request=[
                {
                    "symbol": self.symbol,
                    "side": "Buy",
                    "orderType": "Limit",
                    "qty": base_qty,
                    "price": ticker["bid1Price"],
                    "positionIdx": BUY_IDX,
                    "timeInForce": "PostOnly",
                },
                {
                    "symbol": self.symbol,
                    "side": "Sell",
                    "orderType": "Limit",
                    "qty": str(0.5 * float(base_qty)),  # expect: BYB101
                    "price": ticker["ask1Price"],
                    "positionIdx": SELL_IDX,
                    "timeInForce": "PostOnly",
                },
            ],
        )
        return res["result"]["list"]

    def attach_tp_sl(self) -> None:
        for idx, leg in self.legs().items():
            if float(leg["size"]) == 0:
                continue
            entry = float(leg["avgPrice"])
            long_leg = idx == BUY_IDX
            self.session.set_trading_stop(
                category="linear",
                symbol=self.symbol,
                positionIdx=idx,
                takeProfit=str(entry * 1.015 if long_leg else entry * 0.985),  # expect: BYB101
                stopLoss=str(entry * 0.99 if long_leg else entry * 1.01),  # expect: BYB101
                tpTriggerBy="MarkPrice",
                slTriggerBy="MarkPrice",
            )
            log.info("leg %d: entry %.2f, TP/SL attached", idx, entry)

    def chase(self, order_id: str, side: str) -> None:
        book = self.session.get_orderbook(category="linear", symbol=self.symbol, limit=1)["result"]
        best_bid = float(book["b"][0][0])
        best_ask = float(book["a"][0][0])
        new_px = best_bid + 0.1 if side == "Buy" else best_ask - 0.1
        if new_px <= 0:
            return
        self.session.amend_order(
            category="linear",
            symbol=self.symbol,
            orderId=order_id,
            price=str(new_px),  # expect: BYB101
        )

    def report(self) -> None:
        for idx, leg in sorted(self.legs().items()):
            pnl = float(leg["unrealisedPnl"] or 0)
            print(f"{'LONG ' if idx == BUY_IDX else 'SHORT'} size={leg['size']:>8} uPnL={pnl:+.2f}")


def cli() -> None:
    mgr = HedgeManager(make_session(testnet=os.getenv("BYBIT_ENV") != "mainnet"), os.getenv("SYMBOL", "ETHUSDT"))
    mgr.ensure_hedge_mode()
    mgr.attach_tp_sl()
    mgr.report()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    demo = HedgeManager(HTTP(testnet=True, api_key="<key>", api_secret="<secret>"), "BTCUSDT")
    demo.ensure_hedge_mode()
    for o in demo.open_straddle("0.002"):
        print(o)
    demo.report()
