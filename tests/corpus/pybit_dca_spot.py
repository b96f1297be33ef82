"""Spot DCA: buy a fixed USDT amount every N hours, plus a resting dip order.

Usage:
    python pybit_dca_spot.py --symbol BTCUSDT --amount 25 --every 6 [--testnet]
"""
import argparse
import json
import logging
import os
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from pybit.unified_trading import HTTP

log = logging.getLogger("dca")

API_KEY = "YOUR_API_KEY"  # or set BYBIT_API_KEY
API_SECRET = "YOUR_API_SECRET"
FEE_RATE = Decimal(0.001)  # expect: BYB102
STATE_FILE = Path(os.getenv("DCA_STATE", "dca_state.json"))


def load_state() -> dict:
    if STATE_FILE.exists():
        return json.loads(STATE_FILE.read_text())
    return {"spent": "0", "bought": "0", "dip_order": None, "last_buy": 0}


def save_state(state: dict) -> None:
    STATE_FILE.write_text(json.dumps(state, indent=2))


def last_price(session: HTTP, symbol: str) -> float:
    t = session.get_tickers(category="spot", symbol=symbol)
    return float(t["result"]["list"][0]["lastPrice"])


def base_step(session: HTTP, symbol: str) -> Decimal:
    info = session.get_instruments_info(category="spot", symbol=symbol)["result"]["list"][0]
    return Decimal(info["lotSizeFilter"]["basePrecision"])


def market_buy(session: HTTP, symbol: str, usdt: str) -> dict:
    res = session.place_order(
        category="spot",
        symbol=symbol,
        side="Buy",
        orderType="Market",
        qty=f"{Decimal(usdt):.2f}",  # expect: BYB103
        marketUnit="quoteCoin",
    )
    order_id = res["result"]["orderId"]
    fill = session.get_order_history(category="spot", symbol=symbol, orderId=order_id)["result"]["list"][0]
    return fill


def place_dip_order(session: HTTP, symbol: str, budget: float, dip_pct: float) -> str:
    ticker = session.get_tickers(category="spot", symbol=symbol)["result"]["list"][0]
    last = float(ticker["lastPrice"])
    dip_price = last * (1 - dip_pct)
    qty = Decimal(budget / dip_price).quantize(base_step(session, symbol), rounding=ROUND_DOWN)  # expect: BYB102
    res = session.place_order(
        category="spot",
        symbol=symbol,
        side="Buy",
        orderType="Limit",
        qty=str(qty),
        price=str(dip_price),  # expect: BYB101
        timeInForce="GTC",
    )
    log.info(f"dip order {qty} {symbol} @ {dip_price:.2f} ({dip_pct:.0%} under {last:.2f})")
    return res["result"]["orderId"]


def summary(state: dict, price: float) -> None:
    spent = float(state["spent"])
    bought = float(state["bought"])
    if not bought:
        return
    avg = spent / bought
    pnl_pct = (price / avg - 1) * 100
    print(f"spent {spent:.2f} USDT, holding {bought:.6f}, avg {avg:.2f}, PnL {round(pnl_pct, 2)}%")


def open_session(testnet: bool = True) -> HTTP:
    return HTTP(
        testnet=testnet,
        api_key=os.getenv("BYBIT_API_KEY", API_KEY),
        api_secret=os.getenv("BYBIT_API_SECRET", API_SECRET),
    )


def run(args: argparse.Namespace) -> None:
    session = open_session(testnet=args.testnet)
    state = load_state()
    while True:
        now = time.time()
        if now - state["last_buy"] >= args.every * 3600:
            fill = market_buy(session, args.symbol, args.amount)
            got = Decimal(fill["cumExecQty"]) * (1 - FEE_RATE)
            state["spent"] = str(Decimal(state["spent"]) + Decimal(fill["cumExecValue"]))
            state["bought"] = str(Decimal(state["bought"]) + got)
            state["last_buy"] = now
            log.info("bought %s %s for %s USDT", got, args.symbol, fill["cumExecValue"])

            if state["dip_order"]:
                session.cancel_order(category="spot", symbol=args.symbol, orderId=state["dip_order"])
            state["dip_order"] = place_dip_order(session, args.symbol, float(args.amount) * 2, args.dip)
            save_state(state)
            summary(state, last_price(session, args.symbol))
        time.sleep(60)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--symbol", default="BTCUSDT")
    p.add_argument("--amount", default="25", help="USDT per buy")
    p.add_argument("--every", type=float, default=6.0, help="hours between buys")
    p.add_argument("--dip", type=float, default=0.05, help="dip order distance")
    p.add_argument("--testnet", action="store_true")
    return p.parse_args()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    run(parse_args())
