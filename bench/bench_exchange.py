"""What the fake exchange costs per request, next to a bare ``responses`` mock.

Both sides run the same signed pybit ``get_wallet_balance`` call through ``requests`` and
``responses``; the bare side answers with a canned body, the fake one routes, authenticates
(HMAC over the raw query), checks the timestamp window and both rate limits, computes the
wallet, builds the envelope and logs the request. The figure that matters is the ratio
(target <= 1.3x). Run: ``python bench/bench_exchange.py [calls-per-round] [rounds]``.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import responses  # noqa: E402
from pybit.unified_trading import HTTP  # noqa: E402

from pytest_bybit.exchange import FakeBybit, Interceptor  # noqa: E402


def _time_calls(session: HTTP, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        session.get_wallet_balance(accountType="UNIFIED")
    return (time.perf_counter() - start) / calls


def bench_fake(calls: int) -> float:
    exchange = FakeBybit()
    # Keep the limiter's bookkeeping on the path but never trip it: we measure cost, not limits.
    exchange.limits.set_limit("/v5/account/wallet-balance", None, 10**9)
    exchange.limits.ip_limit = 10**9
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)
    with Interceptor(exchange):
        _time_calls(session, 100)  # warm-up
        per_call = _time_calls(session, calls)
    assert all(r.ret_code == 0 for r in exchange.requests)
    return per_call


def bench_bare(calls: int, body: str) -> float:
    key_session = FakeBybit()  # only for a key pair of the right shape
    session = HTTP(testnet=True, api_key=key_session.api_key, api_secret=key_session.api_secret)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, re.compile(r".*"), body=body, content_type="application/json")
        _time_calls(session, 100)
        return _time_calls(session, calls)


def canned_body() -> str:
    """The fake's own wallet-balance reply: both sides hand pybit the same bytes to parse."""
    exchange = FakeBybit()
    session = HTTP(testnet=True, api_key=exchange.api_key, api_secret=exchange.api_secret)
    with Interceptor(exchange):
        session.get_wallet_balance(accountType="UNIFIED")
    reply = exchange.requests.last.reply
    assert reply is not None
    return reply.text()


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    body = canned_body()
    fake, bare = [], []
    for _ in range(rounds):  # interleave so drift in machine load hits both sides alike
        bare.append(bench_bare(calls, body))
        fake.append(bench_fake(calls))
    fake_mean, bare_mean = statistics.mean(fake), statistics.mean(bare)
    fake_best, bare_best = min(fake), min(bare)
    print(f"signed pybit get_wallet_balance, {rounds} rounds x {calls} calls")
    print(f"  bare responses mock : mean {bare_mean * 1e6:8.1f} us/call  (best round {bare_best * 1e6:.1f})")
    print(f"  fake exchange       : mean {fake_mean * 1e6:8.1f} us/call  (best round {fake_best * 1e6:.1f})")
    print(f"  ratio fake / bare   : mean {fake_mean / bare_mean:.2f}x  (best rounds {fake_best / bare_best:.2f}x; target <= 1.3x)")


if __name__ == "__main__":
    main()
