"""Record confirmed 1m klines for a symbol list (websockets), after a REST
backfill of the last few hours so the file has no gap at start-up.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from decimal import Decimal

import aiohttp
import websockets

log = logging.getLogger("recorder")

CATEGORY = os.getenv("CATEGORY", "linear")
STREAM = f"wss://stream.bybit.com/v5/public/{CATEGORY}"
REST = os.environ.get("BYBIT_REST_URL", "")
SYMBOLS = os.getenv("SYMBOLS", "BTCUSDT,ETHUSDT").split(",")

db = sqlite3.connect(os.getenv("KLINE_DB", "klines.db"))
db.execute(
    "CREATE TABLE IF NOT EXISTS k1m (symbol TEXT, start INTEGER, o TEXT, h TEXT, l TEXT, c TEXT, v TEXT, vwap TEXT,"
    " PRIMARY KEY (symbol, start))"
)


def store(symbol: str, start: int, o: str, h: str, l: str, c: str, volume: str, turnover: str) -> None:
    vol = float(volume)
    vwap = float(turnover) / vol if vol else float(c)
    db.execute(
        "INSERT OR REPLACE INTO k1m VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (symbol, start, o, h, l, c, volume, str(Decimal(vwap))),  # expect: BYB102
    )


async def backfill(session: aiohttp.ClientSession, symbol: str, limit: int = 240) -> int:
    params = {"category": CATEGORY, "symbol": symbol, "interval": "1", "limit": str(limit)}
    delay = 0.5
    for attempt in range(6):  # expect: BYB203
        async with session.get(f"{REST}/v5/market/kline", params=params) as resp:
            if resp.status in (403, 429):
                log.warning("HTTP %s on backfill", resp.status)
            else:
                body = await resp.json()
                if body["retCode"] == 10006:
                    log.warning("rate limited (10006) on backfill")
                elif body["retCode"] == 0:
                    rows = body["result"]["list"]
                    for start, o, h, l, c, v, t in rows:
                        store(symbol, int(start), o, h, l, c, v, t)
                    db.commit()
                    return len(rows)
                else:
                    log.warning("backfill %s: %s %s", symbol, body["retCode"], body["retMsg"])
        await asyncio.sleep(delay)
        delay *= 2
    raise RuntimeError(f"backfill failed for {symbol}")


async def stream() -> None:
    topics = [f"kline.1.{s}" for s in SYMBOLS]
    async with websockets.connect(STREAM, max_size=2**22) as ws:  # expect: BYB501
        await ws.send(json.dumps({"op": "subscribe", "args": topics}))
        async for raw in ws:
            msg = json.loads(raw)
            topic = msg.get("topic")
            if not topic:
                continue
            symbol = topic.split(".")[-1]
            for k in msg["data"]:
                if not k["confirm"]:
                    continue
                store(symbol, k["start"], k["open"], k["high"], k["low"], k["close"], k["volume"], k["turnover"])
                db.commit()
                chg = (float(k["close"]) / float(k["open"]) - 1) * 100
                log.info(f"{symbol} {k['start']} close {k['close']} ({chg:+.2f}%)")


async def main() -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        counts = await asyncio.gather(*(backfill(session, s) for s in SYMBOLS))
    log.info("backfilled %s", dict(zip(SYMBOLS, counts)))
    await stream()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
