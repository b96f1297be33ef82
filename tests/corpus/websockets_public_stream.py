"""Public trade stream -> per-minute cumulative volume delta (CVD).

Uses the `websockets` library. Library-level pings are off because Bybit wants
its own JSON heartbeat: we send {"op": "ping"} every 20 seconds.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import defaultdict
from typing import Awaitable, Callable

import websockets

log = logging.getLogger("cvd")

Bar = dict[str, float]


class TradeFlow:
    def __init__(
        self,
        symbols: list[str],
        on_bar: Callable[[str, int, Bar], Awaitable[None]],
        url: str = "wss://stream.bybit.com/v5/public/linear",
        ping_every: float = 20.0,
    ):
        self.symbols = symbols
        self.on_bar = on_bar
        self.url = url
        self.ping_every = ping_every
        self._stop = asyncio.Event()
        self._bars: dict[tuple[str, int], Bar] = defaultdict(lambda: {"buy": 0.0, "sell": 0.0, "n": 0})
        self.cvd: dict[str, float] = defaultdict(float)

    def stop(self) -> None:
        self._stop.set()

    async def _heartbeat(self, ws) -> None:
        while True:
            await asyncio.sleep(self.ping_every)
            await ws.send(json.dumps({"req_id": "hb", "op": "ping"}))

    async def _flush(self, minute: int) -> None:
        for key in [k for k in self._bars if k[1] < minute]:
            bar = self._bars.pop(key)
            symbol = key[0]
            self.cvd[symbol] += bar["buy"] - bar["sell"]
            await self.on_bar(symbol, key[1], bar)

    async def _consume(self, ws) -> None:
        await ws.send(json.dumps({"op": "subscribe", "args": [f"publicTrade.{s}" for s in self.symbols]}))
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("op") in ("ping", "pong", "subscribe"):
                if msg.get("success") is False:
                    log.error("subscribe failed: %s", msg)
                continue
            for t in msg.get("data", []):
                minute = t["T"] // 60_000
                bar = self._bars[(t["s"], minute)]
                bar["buy" if t["S"] == "Buy" else "sell"] += float(t["v"])
                bar["n"] += 1
                await self._flush(minute)

    async def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                async with websockets.connect(self.url, ping_interval=None, close_timeout=5) as ws:
                    failures = 0
                    hb = asyncio.create_task(self._heartbeat(ws))
                    try:
                        await self._consume(ws)
                    finally:
                        hb.cancel()
            except (websockets.ConnectionClosed, OSError) as exc:
                failures += 1
                delay = random.uniform(0, min(60, 2 ** failures))
                log.warning("stream dropped (%s); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)


async def print_bar(symbol: str, minute: int, bar: Bar) -> None:
    delta = bar["buy"] - bar["sell"]
    print(f"{symbol} {minute}: trades={bar['n']:>5} delta={delta:+.3f} buy%={100 * bar['buy'] / ((bar['buy'] + bar['sell']) or 1):.1f}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    flow = TradeFlow(["BTCUSDT", "ETHUSDT"], print_bar)
    try:
        asyncio.run(flow.run())
    except KeyboardInterrupt:
        print({s: round(v, 3) for s, v in flow.cvd.items()})
