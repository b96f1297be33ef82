"""What one request to the fake exchange costs on each HTTP client stack, and what the
process-wide network guard costs when no ``bybit`` test is active.

Each transport sends the same public GET (``/v5/market/time``) to the fake through its
adapter; the figure is microseconds per request (lower is better) and requests per second.
The guard's audit hook sees every audited event of the process (file opens, imports...), so
its idle cost per event matters: it is printed in nanoseconds next to a process with no hook.
Run: ``python bench/bench_transports.py [requests-per-transport]``.
"""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from pytest_bybit import network_guard  # noqa: E402
from pytest_bybit.clock import VirtualClock  # noqa: E402
from pytest_bybit.fixture import Bybit  # noqa: E402

URL = "https://api-testnet.bybit.com/v5/market/time"


def _requests(n: int) -> None:
    with requests.Session() as session:
        for _ in range(n):
            session.get(URL).json()


def _urllib(n: int) -> None:
    for _ in range(n):
        with urllib.request.urlopen(URL) as resp:
            resp.read()


def _httpx(n: int) -> None:
    import httpx

    with httpx.Client() as client:
        for _ in range(n):
            client.get(URL).json()


def _httpx_async(n: int) -> None:
    import httpx

    async def main() -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(n):
                (await client.get(URL)).json()

    asyncio.run(main())


def _aiohttp(n: int) -> None:
    import aiohttp

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(n):
                async with session.get(URL) as resp:
                    await resp.json()

    asyncio.run(main())


def bench_transports(n: int) -> None:
    print(f"{'transport':<12} {'us/request':>11} {'requests/s':>11}")
    for name, run in (("requests", _requests), ("urllib", _urllib), ("httpx", _httpx),
                      ("httpx_async", _httpx_async), ("aiohttp", _aiohttp)):
        fake = Bybit(VirtualClock()).start()
        fake.exchange.limits.ip_limit = 10**9
        try:
            run(10)  # warm-up
            start = time.perf_counter()
            run(n)
            per = (time.perf_counter() - start) / n
        finally:
            fake.stop()
        print(f"{name:<12} {per * 1e6:>11.0f} {1 / per:>11.0f}")


def bench_idle_guard(events: int = 200_000) -> None:
    def audited() -> float:
        start = time.perf_counter()
        for _ in range(events):
            sys.audit("bench.event")
        return (time.perf_counter() - start) / events

    baseline = audited()
    network_guard._add_hook_once()
    idle = audited()
    print(f"audit event, no hook: {baseline * 1e9:.0f} ns; with the idle guard hook: {idle * 1e9:.0f} ns "
          f"(+{(idle - baseline) * 1e9:.0f} ns per audited event)")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    bench_idle_guard()  # first: the transports add the hook, and it stays for the process
    bench_transports(count)
