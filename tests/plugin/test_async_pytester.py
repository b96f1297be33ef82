"""``async def`` tests of a user's suite: the ``--bybit-faults`` matrix under pytest-asyncio and
anyio, virtual ``asyncio.sleep``, and refusals attached to the failure report."""

from __future__ import annotations

import json

import pytest

from pytest_bybit.clock import real_monotonic

pytest.importorskip("aiohttp")
pytest.importorskip("pytest_asyncio")
pytest.importorskip("anyio")

ASYNC_BOT = '''
import asyncio, hashlib, hmac, json, random, time
import aiohttp

HOST = "https://api-testnet.bybit.com"


def headers(key, secret, ts, payload):
    sign = hmac.new(secret.encode(), f"{ts}{key}5000{payload}".encode(), hashlib.sha256).hexdigest()
    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": str(ts), "X-BAPI-RECV-WINDOW": "5000",
            "X-BAPI-SIGN": sign, "Content-Type": "application/json"}


class ResilientBot:
    """Server-time offset, bounded retries with backoff, waits for the rate-limit reset."""

    def __init__(self, session, key, secret):
        self.session, self.key, self.secret, self.offset = session, key, secret, 0.0

    def now_ms(self):
        return int(time.time() * 1000 + self.offset)

    async def sync_clock(self):
        for attempt in range(5):
            try:
                async with self.session.get(HOST + "/v5/market/time") as resp:
                    server = (await resp.json(content_type=None))["time"]
                self.offset = server - time.time() * 1000
                return
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                await asyncio.sleep(0.5 * 2 ** attempt + random.uniform(0, 0.1))
        raise RuntimeError("no server time")

    async def order(self, **params):
        body = json.dumps(params)
        delay = 0.5
        for attempt in range(6):
            try:
                async with self.session.post(HOST + "/v5/order/create", data=body,
                                             headers=headers(self.key, self.secret, self.now_ms(), body)) as resp:
                    data = await resp.json(content_type=None)
                    reset = resp.headers.get("X-Bapi-Limit-Reset-Timestamp")
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                await asyncio.sleep(delay + random.uniform(0, 0.1))
                delay *= 2
                continue
            if data["retCode"] == 10006:
                wait = (int(reset) - self.now_ms()) / 1000 if reset else delay
                await asyncio.sleep(max(wait, delay) + random.uniform(0, 0.1))
                delay *= 2
                continue
            if data["retCode"] == 10002:
                await self.sync_clock()
                continue
            return data
        raise RuntimeError("gave up")


async def naive_order(session, key, secret, **params):
    body = json.dumps(params)
    async with session.post(HOST + "/v5/order/create", data=body,
                            headers=headers(key, secret, int(time.time() * 1000), body)) as resp:
        return await resp.json(content_type=None)


async def resilient_run(bybit):
    async with aiohttp.ClientSession() as session:
        bot = ResilientBot(session, bybit.api_key, bybit.api_secret)
        await bot.sync_clock()
        data = await bot.order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market",
                               qty="0.01", orderLinkId="async-1")
    assert data["retCode"] == 0, data
    assert [o["orderLinkId"] for o in bybit.orders] == ["async-1"]
'''

TESTS = '''
import aiohttp, pytest
from async_bot import naive_order, resilient_run


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.asyncio
async def test_resilient_under_pytest_asyncio(bybit):
    await resilient_run(bybit)


@pytest.mark.anyio
async def test_resilient_under_anyio(bybit):
    await resilient_run(bybit)


@pytest.mark.asyncio
async def test_naive(bybit):
    async with aiohttp.ClientSession() as session:
        data = await naive_order(session, bybit.api_key, bybit.api_secret, category="linear", symbol="BTCUSDT",
                                 side="Buy", orderType="Market", qty="0.01", orderLinkId="naive-1")
    assert data["retCode"] == 0, data
'''

SCENARIOS = "rate_limit_burst,timeout,clock_ahead_2s,ssl_error"


def test_fault_matrix_for_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(async_bot=ASYNC_BOT, test_async_bots=TESTS)
    report = pytester.path / "report.json"
    started = real_monotonic()
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-p", "no:randomly", f"--bybit-faults={SCENARIOS}", f"--bybit-report={report}"
    )
    elapsed = real_monotonic() - started
    result.assert_outcomes(passed=11, failed=4)
    entries = {(e["test"].split("::")[-1], e["scenario"]): e for e in json.loads(report.read_text())["results"]}
    for runner in ("test_resilient_under_pytest_asyncio", "test_resilient_under_anyio"):
        for scenario in (None, *SCENARIOS.split(",")):
            entry = entries[(runner, scenario)]
            assert entry["outcome"] == "passed" and entry["exercised"], entry
        # backoff and the reset wait were slept on the virtual clock, not waited for
        assert entries[(runner, "rate_limit_burst")]["virtual_sleep_s"] >= 0.6  # the window resets 600 ms ahead
        assert entries[(runner, "timeout")]["virtual_sleep_s"] >= 0.5
    naive = {s: entries[("test_naive", s)]["outcome"] for s in (None, *SCENARIOS.split(","))}
    assert naive == {None: "passed", "rate_limit_burst": "failed", "timeout": "failed",
                     "clock_ahead_2s": "failed", "ssl_error": "failed"}
    result.stdout.fnmatch_lines(["*bybit faults*", "*test_naive*under timeout*Timeout on reading data from socket*"])
    assert elapsed < 30  # several virtual seconds of sleeping per scenario run, none of them real


def test_asyncio_sleep_is_virtual_in_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio, time, pytest
        from pytest_bybit.clock import real_monotonic

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.asyncio
        async def test_asyncio(bybit):
            before, real = time.time(), real_monotonic()
            await asyncio.sleep(30)
            assert time.time() - before >= 30 and real_monotonic() - real < 1
            assert bybit.clock.slept == 30

        @pytest.mark.anyio
        async def test_anyio(bybit):
            import anyio
            real = real_monotonic()
            await asyncio.sleep(45)
            assert real_monotonic() - real < 1 and bybit.clock.slept == 45
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_a_swallowed_refusal_is_in_the_failure_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio, aiohttp, pytest

        async def price_from_another_exchange():
            try:
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://api.binance.com/api/v3/time") as resp:
                        return await resp.json()
            except Exception:
                return None  # the bot swallows the refusal: only the report can tell

        def test_bot(bybit):
            assert asyncio.run(price_from_another_exchange()) is not None, "no price"

        @pytest.mark.bybit_allow("unexpected_requests")
        def test_refusals_allowed(bybit):
            assert asyncio.run(price_from_another_exchange()) is not None, "still no price"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*AssertionError: no price*",
        "*- pytest-bybit: refused -*",
        "pytest-bybit: connection to api.binance.com:443 (name resolution) blocked: while `bybit` is active*",
        "*test_refusals_allowed*",
        "*AssertionError: still no price*",
    ])
    assert result.stdout.str().count("- pytest-bybit: refused -") == 1  # not for the test that allows them
