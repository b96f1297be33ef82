"""What Bybit's streams cost under ``bybit``: the server's start and stop, a ping round trip,
a ``set_price`` reaching a subscriber, WS trade orders per second, and the real time a
10-minute idle cut takes on the virtual clock (target: well under a second).

Everything runs through the fixture's own objects (``pytest_bybit.fixture.Bybit``) and real
clients (websocket-client, websockets). Run: ``python bench/bench_streams.py [rounds]``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websocket  # noqa: E402
import websockets  # noqa: E402

from pytest_bybit.clock import VirtualClock, real_monotonic  # noqa: E402
from pytest_bybit.fixture import Bybit  # noqa: E402

LINEAR = "wss://stream.bybit.com/v5/public/linear"


def _fake() -> Bybit:
    return Bybit(VirtualClock()).start()


def bench_start_stop() -> tuple[float, float]:
    fake = _fake()
    try:
        started = real_monotonic()
        ws = websocket.create_connection(LINEAR)
        first = real_monotonic() - started
        ws.close()
        started = real_monotonic()
        fake.streams.stop()
        stop = real_monotonic() - started
    finally:
        fake.stop()
    return first, stop


def bench_ping(rounds: int) -> float:
    fake = _fake()
    try:
        ws = websocket.create_connection(LINEAR)
        started = real_monotonic()
        for _ in range(rounds):
            ws.send('{"op":"ping"}')
            ws.recv()
        per = (real_monotonic() - started) / rounds
        ws.close()
    finally:
        fake.stop()
    return per


def bench_push(rounds: int) -> float:
    fake = _fake()
    try:
        ws = websocket.create_connection(LINEAR)
        ws.send(json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT"]}))
        ws.recv(), ws.recv()  # reply, snapshot
        samples = []
        for n in range(rounds):
            started = real_monotonic()
            fake.set_price("BTCUSDT", 50000 + n)
            ws.recv()
            samples.append(real_monotonic() - started)
        ws.close()
    finally:
        fake.stop()
    return statistics.median(samples)


def bench_trade(rounds: int) -> float:
    fake = _fake()
    fake.exchange.limits.set_limit("/v5/order/create", "linear", 10**9)

    async def bot() -> float:
        async with websockets.connect("wss://stream-testnet.bybit.com/v5/trade", ping_interval=None) as ws:
            expires = fake.clock.server_ms() + 60_000
            sign = hmac.new(fake.api_secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
            await ws.send(json.dumps({"op": "auth", "args": [fake.api_key, expires, sign]}))
            await ws.recv()
            started = real_monotonic()
            for n in range(rounds):
                order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
                         "qty": "0.001", "price": str(40000 + n % 100)}
                header = {"X-BAPI-TIMESTAMP": str(fake.clock.server_ms())}
                await ws.send(json.dumps({"reqId": str(n), "header": header, "op": "order.create", "args": [order]}))
                assert json.loads(await ws.recv())["retCode"] == 0
            return rounds / (real_monotonic() - started)

    try:
        fake.max_active_orders = 10**6
        return asyncio.run(bot())
    finally:
        fake.stop()


def bench_idle_cut() -> float:
    fake = _fake()

    async def bot() -> None:
        async with websockets.connect(LINEAR, ping_interval=None) as ws:
            reader = asyncio.create_task(ws.wait_closed())
            while not reader.done():
                await asyncio.sleep(20)

    try:
        started = real_monotonic()
        asyncio.run(bot())
        return real_monotonic() - started
    finally:
        fake.stop()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    first, stop = bench_start_stop()
    print(f"server start + first connection: {first * 1000:.1f} ms; stop: {stop * 1000:.1f} ms")
    print(f"ping round trip (websocket-client): {bench_ping(rounds) * 1e6:.0f} us")
    print(f"set_price -> ticker delta at the client (median): {bench_push(rounds) * 1e6:.0f} us")
    print(f"WS trade order.create (websockets, one connection): {bench_trade(rounds):.0f} orders/s "
          "(each reply waits the 20 ms network latency the server models)")
    print(f"a 10-minute idle cut on the virtual clock took {bench_idle_cut() * 1000:.0f} ms of real time")


if __name__ == "__main__":
    main()
