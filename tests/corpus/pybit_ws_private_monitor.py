"""Account monitor: pybit private WebSocket -> console + Telegram.

    python pybit_ws_private_monitor.py [--testnet] [--symbols BTCUSDT,ETHUSDT]

Posts every fill, warns when margin usage crosses a threshold, and prints a
PnL line every minute.
"""
from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from collections import defaultdict

import requests
from pybit.unified_trading import HTTP, WebSocket

log = logging.getLogger("monitor")


def telegram(text: str) -> None:
    token, chat = os.getenv("TG_TOKEN"), os.getenv("TG_CHAT_ID")
    if not token or not chat:
        return
    try:
        r = requests.post(f"https://api.telegram.org/bot{token}/sendMessage", json={"chat_id": chat, "text": text}, timeout=5)
        if not r.json().get("ok"):
            log.warning("telegram refused: %s", r.text[:200])
    except requests.RequestException as exc:
        log.warning("telegram unreachable: %s", exc)


class Monitor:
    def __init__(self, testnet: bool = True, margin_alert: float = 0.6):
        key, secret = os.environ["BYBIT_API_KEY"], os.environ["BYBIT_API_SECRET"]
        self.http = HTTP(testnet=testnet, api_key=key, api_secret=secret)
        self.ws = WebSocket(
            channel_type="private",
            testnet=testnet,
            api_key=key,
            api_secret=secret,
            ping_interval=20,
            ping_timeout=10,
            private_auth_expire=30,
        )
        self.margin_alert = margin_alert
        self.realised: dict[str, float] = defaultdict(float)
        self.fees = 0.0
        self.lock = threading.Lock()
        self.alerted = False

    def on_execution(self, msg: dict) -> None:
        for e in msg["data"]:
            qty, price, fee = float(e["execQty"]), float(e["execPrice"]), float(e["execFee"])
            with self.lock:
                self.fees += fee
                if e.get("closedSize") and float(e["closedSize"]) > 0:
                    self.realised[e["symbol"]] += float(e.get("execPnl") or 0)
            text = f"{e['side']} {qty:g} {e['symbol']} @ {price:,.2f} (fee {fee:.4f})"
            log.info(text)
            telegram(text)

    def on_wallet(self, msg: dict) -> None:
        for acct in msg["data"]:
            im_rate = float(acct.get("accountIMRate") or 0)
            if im_rate >= self.margin_alert and not self.alerted:
                self.alerted = True
                telegram(f"margin usage {im_rate:.0%}, equity {round(float(acct['totalEquity']), 2)} USD")
            elif im_rate < self.margin_alert * 0.9:
                self.alerted = False

    def on_position(self, msg: dict) -> None:
        for p in msg["data"]:
            if float(p["size"] or 0) == 0:
                log.info("%s closed", p["symbol"])
            else:
                log.info("%s %s %s entry %s liq %s", p["symbol"], p["side"], p["size"], p["entryPrice"], p["liqPrice"])

    def snapshot(self) -> None:
        bal = self.http.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
        log.info("equity %.2f USD, available %s", float(bal["totalEquity"]), bal["totalAvailableBalance"])
        for p in self.http.get_positions(category="linear", settleCoin="USDT")["result"]["list"]:
            log.info("open: %s %s %s uPnL %s", p["symbol"], p["side"], p["size"], p["unrealisedPnl"])

    def start(self) -> None:
        self.snapshot()
        self.ws.execution_stream(callback=self.on_execution)
        self.ws.wallet_stream(callback=self.on_wallet)
        self.ws.position_stream(callback=self.on_position)

    def pnl_line(self) -> str:
        with self.lock:
            total = sum(self.realised.values())
            per = ", ".join(f"{s} {v:+.2f}" for s, v in sorted(self.realised.items()))
            return f"realised {total:+.2f} USDT ({per or 'no closes'}), fees {self.fees:.4f}"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--testnet", action="store_true")
    p.add_argument("--margin-alert", type=float, default=0.6)
    args = p.parse_args()
    mon = Monitor(testnet=args.testnet, margin_alert=args.margin_alert)
    mon.start()
    while True:
        time.sleep(60)
        print(mon.pnl_line())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
