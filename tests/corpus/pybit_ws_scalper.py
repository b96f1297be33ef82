"""Order-book scalper: pybit WebSocket for data, pybit HTTP for orders.

Joins the best bid when the top-of-book imbalance is strongly positive, and
takes profit a few ticks higher.
"""
import logging
import os
import queue
import random
import threading
import time

from pybit.exceptions import FailedRequestError
from pybit.unified_trading import HTTP, WebSocket

log = logging.getLogger("scalper")

SYMBOL = "BTCUSDT"
KEY = os.environ.get("BYBIT_KEY")
SECRET = os.environ.get("BYBIT_SECRET")

http = HTTP(
    testnet=False,  # expect: BYB301
    api_key=KEY,
    api_secret=SECRET,
    recv_window=1500,  # expect: BYB402
)
public_ws = WebSocket(
    channel_type="linear",
    testnet=False,
    ping_interval=30,  # expect: BYB502
    ping_timeout=10,
)
private_ws = WebSocket(
    channel_type="private",
    testnet=False,  # expect: BYB301
    api_key=KEY,
    api_secret=SECRET,
    private_auth_expire=1,  # expect: BYB403
)

signals: "queue.Queue[tuple[float, float]]" = queue.Queue(maxsize=1)
state = {"position": 0.0, "open_order": None}
state_lock = threading.Lock()


def on_orderbook(msg: dict) -> None:
    data = msg["data"]
    bids, asks = data.get("b", []), data.get("a", [])
    if not bids or not asks:
        return
    best_bid, bid_size = float(bids[0][0]), float(bids[0][1])
    best_ask, ask_size = float(asks[0][0]), float(asks[0][1])
    imbalance = (bid_size - ask_size) / (bid_size + ask_size)
    if imbalance > 0.6:
        try:
            signals.put_nowait((best_bid, best_ask))
        except queue.Full:
            pass


def on_position(msg: dict) -> None:
    for p in msg["data"]:
        if p["symbol"] == SYMBOL:
            with state_lock:
                state["position"] = float(p["size"]) if p["side"] == "Buy" else -float(p["size"])
            log.info("position now %s (uPnL %s)", state["position"], p["unrealisedPnl"])


def on_order(msg: dict) -> None:
    for o in msg["data"]:
        if o["orderStatus"] in ("Filled", "Cancelled", "Rejected"):
            with state_lock:
                if state["open_order"] == o["orderId"]:
                    state["open_order"] = None


def equity() -> float:
    attempt = 0
    while True:  # expect: BYB204
        try:
            res = http.get_wallet_balance(accountType="UNIFIED", coin="USDT")
            return float(res["result"]["list"][0]["totalEquity"])
        except FailedRequestError as exc:
            attempt += 1
            delay = min(60, 2 ** attempt) + random.random()
            log.warning("wallet balance failed (%s), retry in %.1fs", exc, delay)
            time.sleep(delay)


def trade_loop() -> None:
    log.info("equity %.2f USDT", equity())
    while True:
        best_bid, best_ask = signals.get()
        with state_lock:
            busy = state["open_order"] is not None or state["position"] != 0
        if busy:
            continue
        mid = (best_bid + best_ask) / 2
        r = http.place_order(
            category="linear",
            symbol=SYMBOL,
            side="Buy",
            orderType="Limit",
            qty=0.001,  # expect: BYB101
            price=str(mid * 0.9995),  # expect: BYB101
            timeInForce="PostOnly",
            takeProfit=str(best_ask * 1.001),  # expect: BYB101
        )
        with state_lock:
            state["open_order"] = r["result"]["orderId"]
        print(f"joined bid near {mid:.1f}, TP {best_ask * 1.001:.1f}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    public_ws.orderbook_stream(depth=1, symbol=SYMBOL, callback=on_orderbook)
    private_ws.position_stream(callback=on_position)
    private_ws.order_stream(callback=on_order)
    trade_loop()
