"""Record Bybit linear tickers to CSV with the `websockets` library.

Meant to run under systemd (Restart=always): when the socket drops the script
exits and is restarted.
"""
import asyncio
import csv
import json
import logging
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

import websockets

log = logging.getLogger("tickers")

URL = "wss://stream.bybit.com/v5/public/linear"
SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]
OUT_DIR = Path("data/tickers")


class TickerBook:
    """Bybit sends a snapshot then partial deltas: keep the merged state."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}

    def apply(self, msg: dict) -> dict:
        data = msg["data"]
        sym = data["symbol"]
        if msg.get("type") == "snapshot" or sym not in self.state:
            self.state[sym] = dict(data)
        else:
            self.state[sym].update(data)
        return self.state[sym]


def open_writer(symbol: str):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    day = datetime.now(timezone.utc).strftime("%Y%m%d")
    fh = open(OUT_DIR / f"{symbol}-{day}.csv", "a", newline="")
    writer = csv.writer(fh)
    if fh.tell() == 0:
        writer.writerow(["ts", "last", "mark", "index", "funding", "oi"])
    return fh, writer


async def record(stop: asyncio.Event) -> None:
    book = TickerBook()
    writers = {s: open_writer(s) for s in SYMBOLS}
    try:
        async with websockets.connect(URL, ping_interval=30) as ws:  # expect: BYB501, BYB502
            await ws.send(json.dumps({"op": "subscribe", "args": [f"tickers.{s}" for s in SYMBOLS]}))
            log.info("subscribed to %d tickers", len(SYMBOLS))
            while not stop.is_set():
                raw = await ws.recv()
                msg = json.loads(raw)
                if "topic" not in msg:
                    if not msg.get("success", True):
                        log.error("subscription rejected: %s", msg)
                    continue
                t = book.apply(msg)
                _, writer = writers[t["symbol"]]
                writer.writerow(
                    [msg["ts"], t.get("lastPrice"), t.get("markPrice"), t.get("indexPrice"),
                     t.get("fundingRate"), t.get("openInterest")]
                )
                if t["symbol"] == "BTCUSDT":
                    spread = float(t["ask1Price"]) - float(t["bid1Price"])
                    log.debug(f"BTC last {float(t['lastPrice']):,.1f} spread {spread:.1f}")
    finally:
        for fh, _ in writers.values():
            fh.close()


def main() -> int:
    logging.basicConfig(level=logging.INFO)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        loop.run_until_complete(record(stop))
    except websockets.ConnectionClosed as exc:
        log.error("stream closed: %s", exc)
        return 1
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
