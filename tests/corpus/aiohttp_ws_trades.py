"""Spot vs perp trade-flow lead/lag: which market moves first?

Two aiohttp websocket connections (spot and linear public trades); every
10 seconds prints the signed volume on each and the last price gap.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field

import aiohttp

log = logging.getLogger("leadlag")

SPOT_WS = "wss://stream.bybit.com/v5/public/spot"
LINEAR_WS = "wss://stream.bybit.com/v5/public/linear"
SYMBOL = "BTCUSDT"


@dataclass
class Flow:
    name: str
    signed_volume: float = 0.0
    trades: int = 0
    last_price: float = 0.0
    history: list[float] = field(default_factory=list)

    def add(self, t: dict) -> None:
        qty = float(t["v"])
        self.signed_volume += qty if t["S"] == "Buy" else -qty
        self.trades += 1
        self.last_price = float(t["p"])

    def roll(self) -> float:
        v = self.signed_volume
        self.history.append(v)
        self.signed_volume, self.trades = 0.0, 0
        return v


async def consume_spot(session: aiohttp.ClientSession, flow: Flow) -> None:
    async with session.ws_connect(SPOT_WS, heartbeat=15) as ws:  # expect: BYB501
        await ws.send_str(json.dumps({"op": "subscribe", "args": [f"publicTrade.{SYMBOL}"]}))
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.ERROR:
                raise ConnectionError(ws.exception())
            data = json.loads(msg.data)
            for t in data.get("data", []):
                flow.add(t)


async def consume_perp(session: aiohttp.ClientSession, flow: Flow) -> None:
    ws = await session.ws_connect(LINEAR_WS, heartbeat=15)  # expect: BYB501
    try:
        await ws.send_json({"op": "subscribe", "args": [f"publicTrade.{SYMBOL}"]})
        while True:
            msg = await ws.receive()
            if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
            for t in json.loads(msg.data).get("data", []):
                flow.add(t)
    finally:
        await ws.close()


def correlation(a: list[float], b: list[float]) -> float:
    n = min(len(a), len(b))
    if n < 3:
        return 0.0
    a, b = a[-n:], b[-n:]
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma) ** 2 for x in a) ** 0.5
    vb = sum((y - mb) ** 2 for y in b) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


async def report(spot: Flow, perp: Flow) -> None:
    while True:
        await asyncio.sleep(10)
        sv, pv = spot.roll(), perp.roll()
        gap_bps = (perp.last_price / spot.last_price - 1) * 10_000 if spot.last_price else 0.0
        lagged = correlation(spot.history[:-1], perp.history[1:])
        log.info(f"spot {sv:+9.3f}  perp {pv:+9.3f}  basis {gap_bps:+.1f} bps  spot->perp corr {lagged:+.2f}")


async def main() -> None:
    spot, perp = Flow("spot"), Flow("perp")
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(consume_spot(session, spot), consume_perp(session, perp), report(spot, perp))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
