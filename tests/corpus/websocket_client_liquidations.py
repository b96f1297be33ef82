"""Liquidation alerts: prints (and beeps on) large liquidations on Bybit perps.

websocket-client WebSocketApp, topic allLiquidation.<symbol>.
"""
import json
import logging
import sys
import time
from collections import deque

import websocket

log = logging.getLogger("liqs")

WS_URL = "wss://stream.bybit.com/v5/public/linear"
WATCH = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT", "XRPUSDT"]
ALERT_USD = 250_000
WINDOW_S = 60

recent: deque = deque()


def on_open(ws):
    args = [f"allLiquidation.{s}" for s in WATCH]
    ws.send(json.dumps({"op": "subscribe", "args": args}))
    log.info("watching %d symbols", len(args))


def on_message(ws, message):
    msg = json.loads(message)
    if not msg.get("topic", "").startswith("allLiquidation"):
        return
    now = time.time()
    for liq in msg["data"]:
        usd = float(liq["v"]) * float(liq["p"])
        side = "longs" if liq["S"] == "Buy" else "shorts"
        recent.append((now, liq["s"], side, usd))
        if usd >= ALERT_USD:
            print(f"\a{liq['s']}: {side} liquidated ${usd:,.0f} @ {float(liq['p']):,.2f}")
    while recent and recent[0][0] < now - WINDOW_S:
        recent.popleft()


def summary() -> str:
    per = {}
    for _, sym, side, usd in recent:
        per[(sym, side)] = per.get((sym, side), 0.0) + usd
    parts = [f"{sym} {side} {round(usd / 1e6, 2)}M" for (sym, side), usd in sorted(per.items(), key=lambda kv: -kv[1])]
    return ", ".join(parts[:5]) or "quiet"


def on_error(ws, error):
    log.error("error: %s", error)


def on_close(ws, status, msg):
    log.warning("closed: %s %s; last minute: %s", status, msg, summary())


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    app = websocket.WebSocketApp(WS_URL, on_open=on_open, on_message=on_message, on_error=on_error, on_close=on_close)  # expect: BYB501
    ok = app.run_forever(ping_interval=20, ping_timeout=10)
    return 0 if ok is False else 1


if __name__ == "__main__":
    sys.exit(main())
