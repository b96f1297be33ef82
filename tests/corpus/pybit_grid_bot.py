"""Neutral grid bot for Bybit USDT perpetuals, written against pybit 5.x.

Lays a ladder of post-only limit orders around the last price and re-arms the
opposite side whenever a level fills.

    pip install pybit
    python pybit_grid_bot.py
"""
import logging
import time

from pybit.unified_trading import HTTP

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("grid")

API_KEY = "q8Jd2LxV0mNc7RtP1z"  # expect: BYB302
API_SECRET = "Hs4kP9wQeT7yUi2oAz5xCv8bNm3LsDf6Gh1J"  # expect: BYB302

SYMBOL = "ETHUSDT"
GRID_LEVELS = 10
GRID_SPACING = 0.004
ORDER_QTY = "0.05"
POLL_SECONDS = 15

# exchange filters, copied from the website
QTY_STEP = {"BTCUSDT": 0.001, "ETHUSDT": 0.01, "SOLUSDT": 0.1}  # expect: BYB104
TICK_SIZE = {  # expect: BYB104
    "BTCUSDT": 0.1,
    "ETHUSDT": 0.01,
    "SOLUSDT": 0.001,
}

session = HTTP(
    testnet=True,  # expect: BYB301
    api_key=API_KEY,
    api_secret=API_SECRET,
)


def fetch_open_orders() -> list[dict]:
    while True:  # expect: BYB202, BYB204
        try:
            resp = session.get_open_orders(category="linear", symbol=SYMBOL)
            return resp["result"]["list"]
        except Exception as exc:
            log.warning("get_open_orders failed (%s), retrying", exc)
            time.sleep(2)


def place_grid() -> tuple[float, dict[str, str]]:
    """Place GRID_LEVELS orders, half below and half above the last price."""
    ticker = session.get_tickers(category="linear", symbol=SYMBOL)["result"]["list"][0]
    center = float(ticker["lastPrice"])
    levels: dict[str, str] = {}
    for i in range(1, GRID_LEVELS // 2 + 1):
        buy_px = center * (1 - GRID_SPACING * i)
        sell_px = center * (1 + GRID_SPACING * i)
        if sell_px - buy_px < 2 * TICK_SIZE[SYMBOL]:
            raise ValueError("grid spacing is tighter than two ticks")

        r = session.place_order(
            category="linear",
            symbol=SYMBOL,
            side="Buy",
            orderType="Limit",
            qty=ORDER_QTY,
            price=str(buy_px),  # expect: BYB101
            timeInForce="PostOnly",
        )
        levels[r["result"]["orderId"]] = "Buy"
        log.info(f"grid buy  #{i} @ {buy_px:.2f}")

        r = session.place_order(
            category="linear",
            symbol=SYMBOL,
            side="Sell",
            orderType="Limit",
            qty=ORDER_QTY,
            price=str(sell_px),  # expect: BYB101
            timeInForce="PostOnly",
        )
        levels[r["result"]["orderId"]] = "Sell"
        log.info(f"grid sell #{i} @ {sell_px:.2f}")
    return center, levels


def rearm(filled: dict) -> tuple[str, str]:
    """A filled buy becomes a sell one step higher, and vice versa."""
    filled_px = float(filled["avgPrice"] or filled["price"])
    if filled["side"] == "Buy":
        side = "Sell"
        target = filled_px * (1 + GRID_SPACING)
    else:
        side = "Buy"
        target = filled_px * (1 - GRID_SPACING)
    r = session.place_order(
        category="linear",
        symbol=SYMBOL,
        side=side,
        orderType="Limit",
        qty=ORDER_QTY,
        price=str(target),  # expect: BYB101
        timeInForce="PostOnly",
    )
    return r["result"]["orderId"], side


def report_position() -> None:
    pos = session.get_positions(category="linear", symbol=SYMBOL)["result"]["list"][0]
    size = float(pos["size"] or 0)
    upnl = float(pos["unrealisedPnl"] or 0)
    log.info("position %s %s, uPnL %s USDT", pos["side"] or "flat", size, round(upnl, 2))


def main() -> None:
    session.cancel_all_orders(category="linear", symbol=SYMBOL)
    center, live = place_grid()
    log.info("started grid on %s around %.2f", SYMBOL, center)

    while True:
        open_ids = {o["orderId"] for o in fetch_open_orders()}
        for order_id in [oid for oid in live if oid not in open_ids]:
            hist = session.get_order_history(category="linear", symbol=SYMBOL, orderId=order_id)
            rows = hist["result"]["list"]
            if not rows or rows[0]["orderStatus"] != "Filled":
                live.pop(order_id, None)
                continue
            new_id, side = rearm(rows[0])
            live.pop(order_id, None)
            live[new_id] = side
        report_position()
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log.info("stopping, cancelling grid")
        session.cancel_all_orders(category="linear", symbol=SYMBOL)
