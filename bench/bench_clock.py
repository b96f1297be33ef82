"""What a scenario run costs: virtual vs real sleeping, and the two clock backends.

Prints figures; it is not a timed test. Run: python bench/bench_clock.py
"""

from __future__ import annotations

import statistics
import sys
import time

import logging

from pybit.unified_trading import HTTP

from pytest_bybit.clock import VirtualClock, real_monotonic
from pytest_bybit.faults import Fault
from pytest_bybit.fixture import Bybit


def pybit_rate_limit_scenario(backend: str) -> tuple[float, float]:
    """A pybit call that meets two 10006 (pybit sleeps until the reset each time)."""
    fake = Bybit(VirtualClock(backend=backend))
    fake.injector.add(Fault.create("rate_limit", times=2))
    started = real_monotonic()
    fake.start()
    try:
        session = HTTP(testnet=True, api_key=fake.api_key, api_secret=fake.api_secret)
        session.get_wallet_balance(accountType="UNIFIED")
    finally:
        fake.stop()
    return real_monotonic() - started, fake.clock.slept


def pybit_rate_limit_real_sleep() -> tuple[float, int]:
    """The same scenario with the exchange intercepted but no virtual clock: pybit really sleeps."""
    fake = Bybit(VirtualClock())
    fake.injector.add(Fault.create("rate_limit", times=2))
    started = real_monotonic()
    fake.interceptor.start()
    try:
        session = HTTP(testnet=True, api_key=fake.api_key, api_secret=fake.api_secret)
        session.get_wallet_balance(accountType="UNIFIED")
    finally:
        fake.interceptor.stop()
    return real_monotonic() - started, len(fake.requests)


def install_cost(backend: str, rounds: int = 30) -> float:
    samples = []
    for _ in range(rounds):
        clock = VirtualClock(backend=backend)
        started = real_monotonic()
        clock.install()
        clock.uninstall()
        samples.append(real_monotonic() - started)
    return statistics.median(samples)


def main() -> None:
    logging.disable(logging.ERROR)
    # import a realistic amount of modules, as a real test session has
    import ccxt  # noqa: F401
    import requests  # noqa: F401

    print(f"python {sys.version.split()[0]}, {len(sys.modules)} modules loaded")
    real_wall, n = pybit_rate_limit_real_sleep()
    print(f"{'real sleep':>12}: pybit 10006 x2 scenario {real_wall * 1000:7.1f} ms real ({n} requests; measured once)")
    for backend in ("freezegun", "time-machine"):
        runs = [pybit_rate_limit_scenario(backend) for _ in range(10)]
        wall = statistics.median(r[0] for r in runs)
        slept = runs[0][1]
        print(
            f"{backend:>12}: pybit 10006 x2 scenario {wall * 1000:7.1f} ms real "
            f"(virtual sleep {slept:.2f} s; {real_wall / wall:,.0f}x faster than sleeping for real)"
        )
        print(f"{backend:>12}: clock install+uninstall {install_cost(backend) * 1000:7.2f} ms (median of 30)")
    started = time.perf_counter()
    time.sleep(0.2)
    print(f"reference: a real time.sleep(0.2) took {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
