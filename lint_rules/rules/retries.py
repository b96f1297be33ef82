"""Resilience family, part 2: how a bot retries Bybit calls (BYB202-BYB205).

A *retry* is a loop, a decorator (tenacity, backoff, stamina, retrying, retry) or a
self-call from an error path that repeats a Bybit API call because it failed: a loop that
leaves on success (return / break after the call) and goes round again on an error
(an ``except`` that falls through or ``continue``s, a retCode / HTTP status check). A
``while True:`` service loop that ticks, logs errors and sleeps is not a retry.
The shared analysis lives in ``_resilience_model``.
"""

from __future__ import annotations

import libcst as cst

from ..analysis import dotted_name, string_value
from ..rule import Invalid, Rule, Valid
from ..syntax import frame_nodes
from ._resilience_model import (
    LINK_ID_KEYS,
    PYBIT_ORDER_CREATE,
    CallRef,
    Func,
    Model,
    Retry,
    header_range,
    model_for,
    names_in,
)

ORDER_PATHS = ("/v5/order/create",)  # create-batch too: the prefix matches
FRESH_ID_FUNCS = frozenset(
    {
        "uuid.uuid4", "uuid.uuid1", "uuid4", "uuid1", "time.time", "time.time_ns",
        "time.monotonic_ns", "time.perf_counter_ns", "datetime.datetime.now", "datetime.now",
        "datetime.datetime.utcnow", "os.urandom",
    }
)



class _RetryRule(Rule):
    words = ("except", "while", "range(", "retry", "Retrying", "backoff", "stamina", "retCode", "ret_code")

    def visit_Module(self, node: cst.Module) -> None:
        model = model_for(node, self.context.source)
        model.analyze_retries()
        self.check(model)

    def check(self, model: Model) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def where(self, retry: Retry):
        if isinstance(retry.node, (cst.For, cst.While)):
            return header_range(retry.node, self.position)
        return self.position(retry.node)

    @staticmethod
    def what(retry: Retry) -> str:
        if retry.kind == "decorator":
            return f"@{retry.lib} retry" if retry.lib else "retry decorator"
        if retry.kind == "iterator":
            return f"{retry.lib} retry loop"
        if retry.kind == "recursion":
            return "recursive retry"
        return "retry loop"


class RetryFixedDelay(_RetryRule):
    """
    ## What it does
    Flags a retry around a Bybit API call (a `for attempt in range(n)` / `while` loop that
    goes round again when the call fails, or a tenacity / backoff / stamina / retrying
    decorator) whose wait between attempts does not grow: a constant `time.sleep(1)`, a
    linear `time.sleep(attempt)`, or no wait at all (including async retries that never
    `await asyncio.sleep(...)`, tenacity's default `wait_none()` and `backoff.constant`).

    A delay with random jitter (`1 + random.random()`, tenacity `wait_random`) is left
    alone: workers no longer retry in step. `backoff.constant` and stamina's
    `wait_exp_base=1` are flagged even with their default jitter: the library was told
    not to back off. Sleeping until
    `X-Bapi-Limit-Reset-Timestamp` (or a Retry-After) is the right wait and is not flagged.
    Main, polling, pagination and reconnect loops are not retries.

    ## Why is this bad?
    Bybit answers a rate-limited request with retCode 10006 (per UID and endpoint, a
    rolling 1-second window) and an IP flood with HTTP 403 for at least 10 minutes. A
    retry that comes back at the same pace keeps the window full: every attempt is
    another 10006, and a few bots (or threads) doing it together turn a blip into an IP
    ban. Back off exponentially, with jitter, or sleep until the
    `X-Bapi-Limit-Reset-Timestamp` the response carries.

    ## Example
    ```python
    for attempt in range(5):
        try:
            return session.get_positions(category="linear", symbol=symbol)
        except FailedRequestError:
            time.sleep(1)
    ```

    ## Use instead
    ```python
    for attempt in range(5):
        try:
            return session.get_positions(category="linear", symbol=symbol)
        except FailedRequestError:
            time.sleep(min(30, 2 ** attempt) + random.uniform(0, 1))
    ```

    Prevents: retry storms on retCode 10006 and the HTTP 403 IP ban.
    Demonstrated by the pytest-bybit fault `rate_limit`.
    """

    code = "BYB202"
    name = "retry-fixed-delay"
    message = "Retry waits a fixed, linear or no delay between attempts: back off exponentially (with jitter)"
    prevents = "10006, HTTP 403"
    fault = "rate_limit"

    def check(self, model: Model) -> None:
        for retry in model.retries:
            if retry.kind == "recursion":
                continue
            kind = retry.delay.kind
            if kind not in ("missing", "constant", "linear") or retry.delay.jitter:
                continue
            how = {
                "missing": "does not wait at all between attempts",
                "constant": "waits a constant delay between attempts",
                "linear": "waits a delay that only grows linearly",
            }[kind]
            self.report(
                retry.node,
                f"{self.what(retry).capitalize()} around a Bybit call {how}: back off exponentially "
                "(with jitter) or wait for X-Bapi-Limit-Reset-Timestamp",
                position=self.where(retry),
            )

    VALID = [
        Valid(
            """
            import random, time
            from pybit.unified_trading import HTTP
            from pybit.exceptions import FailedRequestError

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions(symbol):
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", symbol=symbol)
                    except FailedRequestError:
                        time.sleep(min(30, 2 ** attempt) + random.uniform(0, 1))
                raise RuntimeError("gave up")
            """,
            note="exponential backoff with jitter",
        ),
        Valid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def run():
                while True:
                    try:
                        tick = session.get_tickers(category="linear", symbol="BTCUSDT")
                        handle(tick)
                    except Exception as exc:
                        log.warning("tick failed: %s", exc)
                    time.sleep(5)
            """,
            note="a service loop (never leaves on success) is not a retry",
        ),
        Valid(
            """
            import time, requests

            BASE = "https://api.bybit.com"

            def get(path, params):
                for _ in range(5):
                    resp = requests.get(BASE + path, params=params, timeout=10)
                    data = resp.json()
                    if data["retCode"] == 10006:
                        reset_ms = int(resp.headers["X-Bapi-Limit-Reset-Timestamp"])
                        time.sleep(max(0.0, reset_ms / 1000 - time.time()))
                        continue
                    return data
            """,
            note="sleeping until the rate-limit reset is the right wait",
        ),
        Valid(
            """
            from tenacity import retry, stop_after_attempt, wait_random_exponential
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @retry(stop=stop_after_attempt(5), wait=wait_random_exponential(multiplier=0.5, max=30))
            def wallet():
                return session.get_wallet_balance(accountType="UNIFIED")
            """,
        ),
        Valid(
            """
            import backoff
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            @backoff.on_exception(backoff.expo, ccxt.NetworkError, max_tries=6)
            def ticker(symbol):
                return exchange.fetch_ticker(symbol)
            """,
            note="backoff.expo with its default full jitter",
        ),
        Valid(
            """
            import stamina
            import httpx

            @stamina.retry(on=httpx.HTTPError, attempts=5)
            def server_time():
                r = httpx.get("https://api.bybit.com/v5/market/time", timeout=5)
                return r.json()
            """,
            note="stamina waits exponentially with jitter by default",
        ),
        Valid(
            """
            import time

            def notify(text):
                for _ in range(3):
                    try:
                        return requests.post("https://api.telegram.org/bot/sendMessage", json={"text": text})
                    except Exception:
                        time.sleep(1)
            """,
            note="not a Bybit call",
        ),
        Valid(
            """
            import asyncio, random
            import ccxt.async_support as ccxt

            async def fetch_balance(exchange):
                delay = 0.5
                for attempt in range(6):
                    try:
                        return await exchange.fetch_balance()
                    except ccxt.NetworkError:
                        await asyncio.sleep(delay + random.random())
                        delay *= 2
            """,
            note="`delay *= 2` grows exponentially",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET, max_retries=3, retry_delay=3)

            def close(symbol):
                for order in session.get_open_orders(category="linear", symbol=symbol)["result"]["list"]:
                    session.cancel_order(category="linear", symbol=symbol, orderId=order["orderId"])
            """,
            note="a loop over orders is not a retry",
        ),
        Valid(
            """
            import random, time
            import ccxt

            exchange = ccxt.bybit()

            def ticker(symbol):
                for _ in range(4):
                    try:
                        return exchange.fetch_ticker(symbol)
                    except ccxt.NetworkError:
                        time.sleep(1 + random.random())
            """,
            note="a jittered delay: the herd is spread even if the pace stays",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP

            def cancel_all(session: HTTP, symbol: str):
                for attempt in range(5):
                    resp = session.cancel_all_orders(category="linear", symbol=symbol)
                    if resp["retMsg"] in ("OK", "success"):
                        return resp
                    time.sleep(1)
            """,
            line=6,
            note="success read from retMsg",
        ),
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP
            from pybit.exceptions import FailedRequestError

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions(symbol):
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", symbol=symbol)
                    except FailedRequestError:
                        time.sleep(1)
            """,
            line=9,
        ),
        Invalid(
            """
            import time

            class Bot:
                def fetch_orders(self):
                    while True:
                        try:
                            resp = self.session.get_open_orders(category="linear", symbol=self.symbol)
                            return resp["result"]["list"]
                        except Exception as exc:
                            log.warning("retrying: %s", exc)
                            time.sleep(self.retry_delay)

                def __init__(self):
                    from pybit.unified_trading import HTTP
                    self.session = HTTP(api_key=KEY, api_secret=SECRET)
            """,
            line=6,
            note="constant delay from a setting, through the bot's wrapper attribute",
        ),
        Invalid(
            """
            import time, requests

            BASE_URL = "https://api.bybit.com"

            def get_kline(symbol):
                for attempt in range(1, 6):
                    try:
                        r = requests.get(f"{BASE_URL}/v5/market/kline", params={"symbol": symbol}, timeout=5)
                        return r.json()["result"]["list"]
                    except requests.RequestException:
                        time.sleep(attempt * 2)
            """,
            line=7,
            note="linear",
        ),
        Invalid(
            """
            import ccxt.async_support as ccxt

            async def ticker(exchange, symbol):
                for _ in range(3):
                    try:
                        return await exchange.fetch_ticker(symbol)
                    except ccxt.NetworkError:
                        continue
            """,
            line=5,
            note="an async retry that never awaits a sleep",
        ),
        Invalid(
            """
            from tenacity import retry, stop_after_attempt, wait_fixed
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @retry(stop=stop_after_attempt(5), wait=wait_fixed(2))
            def wallet():
                return session.get_wallet_balance(accountType="UNIFIED")
            """,
            line=7,
        ),
        Invalid(
            """
            import tenacity
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            @tenacity.retry(stop=tenacity.stop_after_attempt(3))
            def positions():
                return exchange.fetch_positions(["BTC/USDT:USDT"])
            """,
            line=7,
            note="tenacity waits nothing unless told (wait_none)",
        ),
        Invalid(
            """
            import backoff, requests

            @backoff.on_exception(backoff.constant, requests.RequestException, interval=1, max_tries=5)
            def server_time():
                return requests.get("https://api-testnet.bybit.com/v5/market/time", timeout=5).json()
            """,
            line=4,
        ),
        Invalid(
            """
            import time, requests

            class BybitRest:
                base = "https://api.bybit.com"

                def _request(self, method, path, body=None):
                    attempts = 0
                    while attempts < 5:
                        resp = requests.request(method, self.base + path, json=body, headers=self._headers(body))
                        data = resp.json()
                        if data["retCode"] == 10006:
                            attempts += 1
                            time.sleep(0.5)
                            continue
                        return data
            """,
            line=9,
            note="a retCode-driven retry inside the hand-written request helper",
        ),
        Invalid(
            """
            import stamina
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @stamina.retry(on=Exception, attempts=5, wait_exp_base=1)
            def kline():
                return session.get_kline(category="linear", symbol="BTCUSDT", interval="1")
            """,
            line=7,
        ),
    ]


class BackoffWithoutJitter(_RetryRule):
    """
    ## What it does
    Flags an exponential backoff around a Bybit API call that adds no randomness:
    `time.sleep(2 ** attempt)`, `delay *= 2`, tenacity's `wait_exponential(...)` alone,
    `backoff.expo` with `jitter=None`, stamina with `wait_jitter=0`.

    ## Why is this bad?
    Bybit's per-endpoint limit (10006) is a rolling one-second window shared by every
    process using the same API key. Workers that fail together and back off by the same
    schedule retry together: 1 s, 2 s, 4 s later they hit the endpoint again in a burst
    and are rate-limited again. Random jitter spreads the retries out.

    ## Example
    ```python
    for attempt in range(6):
        try:
            return session.place_order(**order)
        except FailedRequestError:
            time.sleep(2 ** attempt)
    ```

    ## Use instead
    ```python
    for attempt in range(6):
        try:
            return session.place_order(**order)
        except FailedRequestError:
            time.sleep(2 ** attempt + random.uniform(0, 1))
    ```
    (tenacity: `wait_random_exponential(...)` or `wait_exponential(...) + wait_random(0, 1)`;
    backoff: keep the default `jitter=backoff.full_jitter`.)

    Prevents: synchronized retry herds hitting 10006 again.
    Demonstrated by the pytest-bybit fault `rate_limit`.
    """

    code = "BYB203"
    name = "backoff-without-jitter"
    message = "Exponential backoff without jitter: add a random component (random.uniform, wait_random_exponential)"
    prevents = "10006"
    fault = "rate_limit"

    def check(self, model: Model) -> None:
        for retry in model.retries:
            if retry.kind == "recursion":
                continue
            if retry.delay.kind == "exponential" and not retry.delay.jitter:
                self.report(
                    retry.node,
                    f"{self.what(retry).capitalize()} backs off exponentially without jitter: add a random "
                    "component so workers do not retry in step",
                    position=self.where(retry),
                )

    VALID = [
        Valid(
            """
            import random, time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", settleCoin="USDT")
                    except Exception:
                        time.sleep(2 ** attempt + random.uniform(0, 1))
            """,
        ),
        Valid(
            """
            import random, time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def backoff_delay(attempt):
                return min(30.0, 0.5 * 2 ** attempt) * random.random()

            def positions():
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", settleCoin="USDT")
                    except Exception:
                        time.sleep(backoff_delay(attempt))
            """,
            note="full jitter computed in a helper",
        ),
        Valid(
            """
            from tenacity import retry, stop_after_attempt, wait_exponential, wait_random
            import ccxt

            exchange = ccxt.bybit()

            @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1, max=20) + wait_random(0, 1))
            def ohlcv():
                return exchange.fetch_ohlcv("BTC/USDT:USDT", "1m")
            """,
        ),
        Valid(
            """
            import backoff
            import ccxt

            exchange = ccxt.bybit()

            @backoff.on_exception(backoff.expo, ccxt.RateLimitExceeded, max_time=60)
            def book():
                return exchange.fetch_order_book("BTC/USDT")
            """,
            note="backoff's default jitter is full_jitter",
        ),
        Valid(
            """
            import stamina, requests

            @stamina.retry(on=requests.RequestException, attempts=4)
            def instruments():
                return requests.get("https://api.bybit.com/v5/market/instruments-info", params={"category": "linear"}).json()
            """,
        ),
        Valid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", settleCoin="USDT")
                    except Exception:
                        time.sleep(1)
            """,
            note="constant delay: BYB202's business, not this rule's",
        ),
        Valid(
            """
            import asyncio, random
            import ccxt.pro as ccxtpro

            async def balance(exchange):
                delay = 1.0
                for _ in range(5):
                    try:
                        return await exchange.fetch_balance()
                    except Exception:
                        await asyncio.sleep(delay * (0.5 + random.random()))
                        delay = min(delay * 2, 30)
            """,
        ),
        Valid(
            """
            import time

            def compute(values):
                for attempt in range(5):
                    try:
                        return expensive(values)
                    except ValueError:
                        time.sleep(2 ** attempt)
            """,
            note="not a Bybit call",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time
            import requests

            def call(url, body):
                delay = 1.0
                for attempt in range(6):
                    resp = requests.post(url, json=body, timeout=10)
                    if resp.status_code == 429:
                        time.sleep(float(resp.headers.get("Retry-After", "1")))
                        continue
                    data = resp.json()
                    if data["retCode"] == 0:
                        return data
                    time.sleep(delay)
                    delay *= 2
                raise RuntimeError("https://api.bybit.com gave up")
            """,
            line=7,
            note="doubling on errors next to Retry-After on 429",
        ),
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                for attempt in range(5):
                    try:
                        return session.get_positions(category="linear", settleCoin="USDT")
                    except Exception:
                        time.sleep(2 ** attempt)
            """,
            line=8,
        ),
        Invalid(
            """
            import time, requests

            class Client:
                BASE = "https://api.bybit.com"

                def get(self, path, params=None):
                    delay = 1
                    for _ in range(6):
                        try:
                            return requests.get(self.BASE + path, params=params, timeout=5).json()
                        except requests.ConnectionError:
                            time.sleep(delay)
                            delay *= 2
            """,
            line=9,
        ),
        Invalid(
            """
            from tenacity import retry, stop_after_attempt, wait_exponential
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1, min=1, max=30))
            def wallet():
                return session.get_wallet_balance(accountType="UNIFIED")
            """,
            line=7,
        ),
        Invalid(
            """
            import backoff
            import ccxt

            exchange = ccxt.bybit()

            @backoff.on_exception(backoff.expo, ccxt.NetworkError, max_tries=5, jitter=None)
            def ticker():
                return exchange.fetch_ticker("BTC/USDT:USDT")
            """,
            line=7,
        ),
        Invalid(
            """
            import asyncio
            import aiohttp

            async def get_json(session: aiohttp.ClientSession, path):
                for attempt in range(5):
                    try:
                        async with session.get("https://api.bybit.com" + path) as resp:
                            return await resp.json()
                    except aiohttp.ClientError:
                        await asyncio.sleep(min(60, 2 ** attempt))
            """,
            line=6,
        ),
        Invalid(
            """
            import stamina
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @stamina.retry(on=Exception, attempts=5, wait_jitter=0)
            def kline():
                return session.get_kline(category="linear", symbol="BTCUSDT", interval="1")
            """,
            line=7,
        ),
        Invalid(
            """
            import time
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            def balance():
                wait = 0.5
                while True:
                    try:
                        return exchange.fetch_balance()
                    except ccxt.NetworkError as exc:
                        if wait > 30:
                            raise
                        time.sleep(wait)
                        wait = wait * 2
            """,
            line=9,
        ),
        Invalid(
            """
            import time
            from tenacity import Retrying, stop_after_attempt, wait_exponential
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                for attempt in Retrying(stop=stop_after_attempt(4), wait=wait_exponential()):
                    with attempt:
                        return session.get_positions(category="linear", settleCoin="USDT")
            """,
            line=9,
        ),
    ]


class UnboundedRetry(_RetryRule):
    """
    ## What it does
    Flags a retry of a Bybit API call that never gives up: a `while True:` loop that goes
    round again when the call fails with no attempt counter or deadline, a function that
    calls itself again from its error handler with no attempt parameter, a tenacity
    `@retry` without `stop=`, a `@backoff.on_exception` without `max_tries` / `max_time`.

    A `while True:` *service* loop (tick, log the error, sleep, next cycle) is not a retry
    and is not flagged.

    ## Why is this bad?
    Some failures do not pass: an invalid key (10003), a revoked permission (10005), an IP
    ban (HTTP 403 for 10 minutes and longer if the bot keeps knocking), an exchange outage.
    A retry with no cap blocks the bot forever in one call, silently: no alert, no
    position management, no shutdown path.

    ## Example
    ```python
    while True:
        try:
            return session.get_open_orders(category="linear", symbol=symbol)
        except Exception:
            time.sleep(2)
    ```

    ## Use instead
    ```python
    for attempt in range(6):
        try:
            return session.get_open_orders(category="linear", symbol=symbol)
        except Exception:
            time.sleep(min(30, 2 ** attempt) + random.random())
    raise RuntimeError("Bybit unavailable")
    ```

    Prevents: a bot stuck forever on 10006 / HTTP 403 / server errors (10016).
    Demonstrated by the pytest-bybit fault `server_error`.
    """

    code = "BYB204"
    name = "unbounded-retry"
    message = "Retry never gives up: cap the attempts or set a deadline"
    prevents = "10006, 10016, HTTP 403"
    fault = "server_error"

    def check(self, model: Model) -> None:
        for retry in model.retries:
            if retry.bounded is not False:
                continue
            if retry.kind == "decorator":
                msg = f"@{retry.lib} retry around a Bybit call has no stop condition: add stop= / max_tries / max_time"
            elif retry.kind == "recursion":
                msg = "Function retries itself from its error path with no attempt limit: pass and check an attempt count"
            else:
                msg = "Retry loop around a Bybit call has no attempt cap or deadline: bound it and raise when it runs out"
            self.report(retry.node, msg, position=self.where(retry))

    VALID = [
        Valid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def main():
                while True:
                    try:
                        step(session.get_tickers(category="linear", symbol="BTCUSDT"))
                    except Exception:
                        log.exception("cycle failed")
                    time.sleep(15)
            """,
            note="service loop: errors are logged and the next cycle runs by design",
        ),
        Valid(
            """
            import random, time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def fetch_open_orders():
                attempt = 0
                while True:
                    try:
                        return session.get_open_orders(category="linear", symbol="BTCUSDT")
                    except Exception:
                        attempt += 1
                        if attempt >= 5:
                            raise
                        time.sleep(2 ** attempt + random.random())
            """,
        ),
        Valid(
            """
            import time, random
            import ccxt

            exchange = ccxt.bybit()

            def wait_for_markets(timeout=60):
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        return exchange.load_markets()
                    except ccxt.NetworkError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(1 + random.random())
            """,
            note="a deadline bounds it",
        ),
        Valid(
            """
            from tenacity import retry, stop_after_delay, wait_random_exponential
            import ccxt

            exchange = ccxt.bybit()

            @retry(stop=stop_after_delay(120), wait=wait_random_exponential(max=20))
            def positions():
                return exchange.fetch_positions()
            """,
        ),
        Valid(
            """
            import time, requests

            def place(body, attempt=0):
                resp = requests.post("https://api.bybit.com/v5/order/create", json=body, headers=sign(body))
                data = resp.json()
                if data["retCode"] == 10006 and attempt < 3:
                    time.sleep(2 ** attempt)
                    return place(body, attempt + 1)
                return data
            """,
            note="the recursion carries and checks an attempt count",
        ),
        Valid(
            """
            import asyncio
            import ccxt.pro as ccxtpro

            async def stream(exchange):
                while True:
                    try:
                        book = await exchange.watch_order_book("BTC/USDT:USDT")
                        on_book(book)
                    except Exception as exc:
                        log.warning("stream error %s", exc)
                        await asyncio.sleep(1)
            """,
            note="a streaming loop, not a retry",
        ),
        Valid(
            """
            import backoff
            import ccxt

            exchange = ccxt.bybit()

            @backoff.on_exception(backoff.expo, ccxt.NetworkError, max_time=300)
            def balance():
                return exchange.fetch_balance()
            """,
        ),
        Valid(
            """
            import time

            def wait_for_file(path):
                while True:
                    try:
                        return open(path).read()
                    except FileNotFoundError:
                        time.sleep(1)
            """,
            note="not a Bybit call",
        ),
        Valid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def all_executions(symbol):
                rows, cursor = [], ""
                while True:
                    page = session.get_executions(category="linear", symbol=symbol, cursor=cursor)
                    rows += page["result"]["list"]
                    cursor = page["result"]["nextPageCursor"]
                    if not cursor:
                        break
                return rows
            """,
            note="pagination, not a retry",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def fetch_open_orders(symbol):
                while True:
                    try:
                        resp = session.get_open_orders(category="linear", symbol=symbol)
                        return resp["result"]["list"]
                    except Exception as exc:
                        log.warning("get_open_orders failed (%s), retrying", exc)
                        time.sleep(2)
            """,
            line=8,
        ),
        Invalid(
            """
            import asyncio
            import ccxt.async_support as ccxt

            class Trader:
                def __init__(self):
                    self.exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

                async def balance(self):
                    while True:
                        try:
                            bal = await self.exchange.fetch_balance()
                            break
                        except ccxt.NetworkError:
                            await asyncio.sleep(5)
                    return bal["USDT"]["free"]
            """,
            line=10,
        ),
        Invalid(
            """
            import time, requests

            def server_time():
                try:
                    r = requests.get("https://api.bybit.com/v5/market/time", timeout=5)
                    return int(r.json()["result"]["timeNano"]) // 1_000_000
                except requests.RequestException:
                    time.sleep(1)
                    return server_time()
            """,
            line=10,
            note="unbounded recursion",
        ),
        Invalid(
            """
            from tenacity import retry, wait_random_exponential
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @retry(wait=wait_random_exponential(max=30))
            def wallet():
                return session.get_wallet_balance(accountType="UNIFIED")
            """,
            line=7,
        ),
        Invalid(
            """
            import backoff
            import ccxt

            exchange = ccxt.bybit()

            @backoff.on_exception(backoff.expo, ccxt.BaseError)
            def ticker(symbol):
                return exchange.fetch_ticker(symbol)
            """,
            line=7,
        ),
        Invalid(
            """
            import time, random, requests

            class Rest:
                BASE = "https://api.bybit.com"

                def _get(self, path, params):
                    while True:
                        resp = requests.get(self.BASE + path, params=params, headers=self._headers(params))
                        data = resp.json()
                        if data["retCode"] != 0:
                            time.sleep(1 + random.random())
                            continue
                        return data["result"]
            """,
            line=8,
            note="retCode-driven retry",
        ),
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP

            class Exchange:
                def __init__(self):
                    self.http = HTTP(api_key=KEY, api_secret=SECRET)

                def cancel_all(self, symbol):
                    done = False
                    while not done:
                        try:
                            self.http.cancel_all_orders(category="linear", symbol=symbol)
                            done = True
                            break
                        except Exception:
                            time.sleep(2)
            """,
            line=11,
        ),
        Invalid(
            """
            import asyncio
            import aiohttp

            async def kline(session: aiohttp.ClientSession, symbol):
                while True:
                    try:
                        async with session.get("https://api.bybit.com/v5/market/kline", params={"symbol": symbol}) as r:
                            return await r.json()
                    except aiohttp.ClientError:
                        await asyncio.sleep(3)
            """,
            line=6,
        ),
    ]


# --------------------------------------------------------------------------------------
# BYB205


def _has_order_path(strings) -> bool:
    return any(p in s for s in strings for p in ORDER_PATHS)


def _path_strings(model: Model, ref: CallRef, func: Func, local: bool = True) -> bool:
    """Whether an argument of the call is (or holds) the order-create path."""
    for arg in ref.args:
        if arg.keyword is not None and arg.keyword.value not in ("path", "endpoint", "url", "route", "uri"):
            continue
        if isinstance(arg.value, (cst.Dict, cst.Call)):
            continue
        strings, _, _ = model.reach(arg.value, func, follow_params=not local)
        if _has_order_path(strings):
            return True
    return False


class OrderRetryWithoutLinkId(_RetryRule):
    """
    ## What it does
    Flags order creation (pybit `place_order` / `place_batch_order`, ccxt `create_order`
    and its variants, a raw `POST /v5/order/create`) that a retry can send again — inside
    a retry loop, in a function a retry decorator wraps or a retry loop calls, or sent
    through a request helper that retries — without an `orderLinkId` (ccxt:
    `params={"orderLinkId": ...}` or `clientOrderId`).

    ## Why is this bad?
    A timeout does not mean the order failed: Bybit may have accepted it and the response
    was lost. Sending it again without a client id opens a second position. With a stable
    `orderLinkId`, Bybit rejects the repeat as a duplicate (110072 "OrderLinkedID is
    duplicate") and the bot can look the first order up by its link id.

    ## Example
    ```python
    for attempt in range(3):
        try:
            return session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                       orderType="Market", qty="0.01")
        except Exception:
            time.sleep(2 ** attempt + random.random())
    ```

    ## Use instead
    ```python
    link_id = f"bot-{uuid.uuid4().hex[:20]}"  # once, before the first attempt
    for attempt in range(3):
        try:
            return session.place_order(category="linear", symbol="BTCUSDT", side="Buy",
                                       orderType="Market", qty="0.01", orderLinkId=link_id)
        except Exception:
            time.sleep(2 ** attempt + random.random())
    ```

    Prevents: duplicate orders after a lost response.
    Demonstrated by the pytest-bybit fault `lost_response`.
    """

    code = "BYB205"
    name = "order-retry-without-link-id"
    message = "Order creation can be retried without an orderLinkId: set one (stable across attempts)"
    prevents = "duplicate orders when a lost response is retried"
    fault = "lost_response"
    words = ("place_order", "place_batch_order", "create_", "createOrder", "/v5/order/create", "OrderCreate", "order_create")

    def check(self, model: Model) -> None:
        model.analyze_retries()
        self.model = model
        reported: set[int] = set()
        # functions whose order payload (and maybe path) comes from a parameter:
        # func -> (payload param or None, path comes from the callers too, retried inside)
        forwarders: dict[Func, tuple[str | None, bool, bool]] = {}

        def report(ref: CallRef) -> None:
            if id(ref.node) not in reported:
                reported.add(id(ref.node))
                self.report(ref.node)

        for func in model.funcs:
            for ref in func.calls:
                site = self.site_status(ref, func)
                if site is None:
                    continue
                status, path_from_caller = site
                retried = model.in_retry_path(ref, func) or any(
                    t in model.retrying_senders for t in func.targets.get(id(ref), [])
                )
                if status == "absent" and not path_from_caller and retried:
                    report(ref)
                elif status == "present" and retried and not path_from_caller:
                    fresh = self.fresh_link_id(ref, func)
                    if fresh is not None and id(ref.node) not in reported:
                        reported.add(id(ref.node))
                        self.report(
                            ref.node,
                            "orderLinkId is generated anew on every attempt, so a retried order "
                            "cannot be recognised as a duplicate: create it once, before the retry",
                        )
                elif status.startswith("param:") or (status == "absent" and path_from_caller):
                    # retried inside the forwarder itself (not because some caller retries it:
                    # then that caller's call site is on the retry path and is judged there)
                    intrinsic = (
                        id(ref.node) in model.retry_call_ids
                        or func in model.self_retrying
                        or any(t in model.retrying_senders for t in func.targets.get(id(ref), []))
                    )
                    param = status[6:] if status.startswith("param:") else None
                    if func in forwarders and forwarders[func][0] is not None and param is None:
                        continue
                    forwarders[func] = (param, path_from_caller, intrinsic)
        # `call_with_retry(session.place_order, qty=...)`: the kwargs are the order
        for key in model.retried_params:
            target, param = key
            for source, func, value in model.callable_sources.get(key, []):
                if source is None or not isinstance(value, (cst.Name, cst.Attribute)):
                    continue
                probe = CallRef(cst.Call(func=value), value, ())
                kind = model.classify(probe, func, raw=False)
                method = probe.attr or ""
                if not ((kind == "pybit" and method in PYBIT_ORDER_CREATE) or (kind == "ccxt" and self._ccxt_create(method))):
                    continue
                extra = [a for a in source.args if a.keyword is None or a.keyword.value not in target.params]
                probe = CallRef(source.node, value, tuple(a for a in extra if a.value is not value))
                payload = [a.value for a in probe.args if a.star == "**" or isinstance(a.value, cst.Dict)]
                if self.payload_status(probe, func, payload) == "absent":
                    report(source)
        for _ in range(4):  # forwarders of forwarders
            new: dict[Func, tuple[str | None, bool, bool]] = {}
            for func in model.funcs:
                for ref in func.calls:
                    for target in func.targets.get(id(ref), []):
                        if target not in forwarders or target is func:
                            continue
                        param, path_dep, inner_retried = forwarders[target]
                        retried = inner_retried or model.in_retry_path(ref, func)
                        intrinsic = inner_retried or id(ref.node) in model.retry_call_ids or func in model.self_retrying
                        status = "absent" if param is None else self.forwarded_status(ref, func, target, param)
                        if path_dep and not _path_strings(model, ref, func, local=True):
                            used: set[str] = set()
                            for a in ref.args:
                                used |= names_in(a.value)
                            if used & set(func.params) and func not in forwarders:
                                fwd = status[6:] if status.startswith("param:") else None
                                if status in ("absent",) or fwd is not None:
                                    new[func] = (fwd, True, intrinsic)
                            continue
                        if status == "absent" and retried:
                            report(ref)
                        elif status.startswith("param:") and func not in forwarders:
                            new[func] = (status[6:], False, intrinsic)
            if not new:
                break
            forwarders.update(new)

    # -- what an order call carries ------------------------------------------------------
    def site_status(self, ref: CallRef, func: Func) -> tuple[str, bool] | None:
        """None (not order creation) or (status, path comes from the callers).

        status: 'present', 'absent', 'unknown' or 'param:<name>' (payload from a parameter).
        """
        model = self.model
        kind = func.api_calls.get(id(ref))
        method = ref.attr or ""
        if (kind == "pybit" and method in PYBIT_ORDER_CREATE) or (
            kind == "pybybit" and method in ("private_order_create", "private_linear_order_create", "private_spot_order")
        ):
            payload = [a.value for a in ref.args if a.star == "**"]
            payload += [a.value for a in ref.args if a.keyword is not None and a.keyword.value == "request"]
            return self.payload_status(ref, func, payload), False
        if kind == "ccxt" and self._ccxt_create(method):
            payload = [a.value for a in ref.args if a.star == "**" or (a.keyword is not None and a.keyword.value == "params")]
            payload += [v for v in ref.positional()[1:] if isinstance(v, cst.Dict) or self._dictish(v, func)]
            return self.payload_status(ref, func, payload), False
        if kind == "raw":
            url = model.raw_url(ref, func)
            if url is None:
                return None
            local = model.reach(url, func, follow_params=False)[0]
            full = model.reach(url, func)[0]
            methods = model.http_method(ref, func)
            if methods and "POST" not in methods:
                return None
            if _has_order_path(local):
                path_from_caller = False
            elif _has_order_path(full):
                path_from_caller = True
            else:
                return None
            payload = [a.value for a in ref.args if a.keyword is not None and a.keyword.value in ("json", "data", "content", "body")]
            return self.payload_status(ref, func, payload), path_from_caller
        if id(ref) in func.targets and _path_strings(model, ref, func, local=True):
            payload = [
                a.value for a in ref.args
                if a.star == "**" or isinstance(a.value, cst.Dict) or (a.keyword is None and self._dictish(a.value, func))
                or (a.keyword is not None and a.keyword.value in ("json", "data", "body", "params", "payload"))
            ]
            return self.payload_status(ref, func, payload), False
        return None

    # -- a link id made inside the retried code -------------------------------------------
    def fresh_link_id(self, ref: CallRef, func: Func) -> cst.CSTNode | None:
        """The uuid4() / time() call that makes the order's link id, when every retry runs it."""
        model = self.model
        loop = model.retry_loop_of.get(id(ref.node))
        if loop is not None:
            region = {id(n) for n in frame_nodes(loop.body)}
        elif model.in_retry_path(ref, func) and id(ref) in func.api_calls:
            region = None  # the whole function runs again
        else:
            return None
        for value in self._link_values(ref, func):
            for gen in self._fresh_calls(value, func, set()):
                if region is None or id(gen) in region:
                    return gen
        return None

    def _link_values(self, ref: CallRef, func: Func) -> list[cst.BaseExpression]:
        out = [a.value for a in ref.args if a.keyword is not None and a.keyword.value in LINK_ID_KEYS]
        stack = [a.value for a in ref.args if a.keyword is None or a.keyword.value in ("params", "json", "data", "body", "request")]
        seen: set[int] = set()
        while stack:
            expr = stack.pop()
            if id(expr) in seen:
                continue
            seen.add(id(expr))
            if isinstance(expr, cst.Dict):
                for el in expr.elements:
                    if isinstance(el, cst.DictElement) and string_value(el.key) in LINK_ID_KEYS:
                        out.append(el.value)
                    elif isinstance(el, cst.StarredDictElement):
                        stack.append(el.value)
            elif isinstance(expr, (cst.Name, cst.Attribute)):
                d = dotted_name(expr)
                if d is not None and d not in func.params:
                    stack.extend(self.model.lookup(d, func))
                    for node in frame_nodes(func.node):
                        if (
                            isinstance(node, cst.Assign)
                            and len(node.targets) == 1
                            and isinstance(node.targets[0].target, cst.Subscript)
                            and dotted_name(node.targets[0].target.value) == d
                        ):
                            keys = [string_value(e.slice.value) for e in node.targets[0].target.slice if isinstance(e.slice, cst.Index)]
                            if any(k in LINK_ID_KEYS for k in keys):
                                out.append(node.value)
            elif isinstance(expr, cst.Call) and (self.model.qual(expr.func) or "").endswith("dumps") and expr.args:
                stack.append(expr.args[0].value)
        return out

    def _fresh_calls(self, expr: cst.CSTNode, func: Func, seen: set[int]) -> list[cst.Call]:
        if id(expr) in seen:
            return []
        seen.add(id(expr))
        out: list[cst.Call] = []
        for node in frame_nodes(expr):
            if isinstance(node, cst.Call):
                q = self.model.qual(node.func) or ""
                if q in FRESH_ID_FUNCS or q.startswith(("random.", "secrets.")):
                    out.append(node)
            elif isinstance(node, cst.Name) and node.value not in func.params:
                for value in func.assigns.get(node.value, []):
                    out += self._fresh_calls(value, func, seen)
        return out

    @staticmethod
    def _ccxt_create(method: str) -> bool:
        low = method.lower()
        if low in ("create_orders", "createorders"):
            return False
        return (low.startswith("create") and "order" in low) or low in (
            "private_post_v5_order_create", "privatepostv5ordercreate"
        )

    def _dictish(self, expr: cst.CSTNode, func: Func) -> bool:
        d = dotted_name(expr)
        if d is None:
            return False
        low = d.rsplit(".", 1)[-1].lower()
        if any(h in low for h in ("param", "body", "payload", "order", "req", "extra", "opts", "kwargs")):
            return True
        return any(isinstance(v, cst.Dict) for v in self.model.lookup(d, func))

    def payload_status(self, ref: CallRef, func: Func, payload: list[cst.BaseExpression]) -> str:
        if any(a.keyword is not None and a.keyword.value in LINK_ID_KEYS for a in ref.args):
            return "present"
        unknown_param = None
        unknown = False
        for expr in payload:
            keys, unk = self.model.dict_keys(expr, func)
            if keys & LINK_ID_KEYS:
                return "present"
            if unk:
                d = dotted_name(expr)
                if d is not None and d in func.params:
                    unknown_param = d
                else:
                    unknown = True
        if unknown_param is not None:
            return f"param:{unknown_param}"
        if unknown:
            return "unknown"
        return "absent"

    def forwarded_status(self, ref: CallRef, func: Func, target: Func, param: str) -> str:
        if param == target.star_kwargs:
            if any(a.keyword is not None and a.keyword.value in LINK_ID_KEYS for a in ref.args):
                return "present"
            payload = [a.value for a in ref.args if a.star == "**"]
            return self.payload_status(ref, func, payload)
        values = [v for v, caller in self.model.arg_values(target, param) if caller is func]
        kw = ref.kw(param)
        mine = [kw.value] if kw is not None else []
        if not mine:
            index = target.positional_params.index(param) if param in target.positional_params else None
            pos = ref.positional()
            if index is not None:
                i = index - (1 if target.is_method else 0)
                if 0 <= i < len(pos):
                    mine = [pos[i]]
        if not mine:
            return "unknown" if not values else "unknown"
        return self.payload_status(ref, func, mine)

    VALID = [
        Valid(
            """
            import random, time, uuid
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def buy(symbol, qty):
                link_id = f"bot-{uuid.uuid4().hex[:20]}"
                for attempt in range(3):
                    try:
                        return session.place_order(
                            category="linear", symbol=symbol, side="Buy", orderType="Market",
                            qty=qty, orderLinkId=link_id,
                        )
                    except Exception:
                        time.sleep(2 ** attempt + random.random())
            """,
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def buy(symbol, qty):
                return session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty=qty)
            """,
            note="no retry in the user's code",
        ),
        Valid(
            """
            import ccxt
            from tenacity import retry, stop_after_attempt, wait_random_exponential

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
            def sell(symbol, amount, client_id):
                return exchange.create_order(symbol, "market", "sell", amount, None, {"clientOrderId": client_id})
            """,
        ),
        Valid(
            """
            import time, random
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                for attempt in range(3):
                    try:
                        return session.get_positions(category="linear", settleCoin="USDT")
                    except Exception:
                        time.sleep(2 ** attempt + random.random())

            def buy(symbol, qty):
                if positions():
                    return None
                return session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty=qty)
            """,
            note="the retry covers a read, not the order",
        ),
        Valid(
            """
            import time, random, uuid, requests

            class Rest:
                BASE = "https://api.bybit.com"

                def _post(self, path, body):
                    for attempt in range(3):
                        try:
                            return requests.post(self.BASE + path, json=body, headers=self._sign(body)).json()
                        except requests.Timeout:
                            time.sleep(2 ** attempt + random.random())

                def place(self, symbol, side, qty):
                    body = {"category": "linear", "symbol": symbol, "side": side, "orderType": "Market", "qty": qty}
                    body["orderLinkId"] = uuid.uuid4().hex
                    return self._post("/v5/order/create", body)
            """,
        ),
        Valid(
            """
            import asyncio, random
            import ccxt.async_support as ccxt

            async def buy(exchange, symbol, amount, client_id):
                params = {"orderLinkId": client_id, "reduceOnly": False}
                for attempt in range(3):
                    try:
                        return await exchange.create_order(symbol, "market", "buy", amount, None, params)
                    except ccxt.RequestTimeout:
                        await asyncio.sleep(2 ** attempt + random.random())
            """,
        ),
        Valid(
            """
            import time, random
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def run():
                while True:
                    try:
                        if signal():
                            session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
                    except Exception:
                        log.exception("cycle failed")
                    time.sleep(60)
            """,
            note="a service loop places at most one order per cycle by design",
        ),
        Valid(
            """
            import time, random
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def place(order: dict):
                for attempt in range(3):
                    try:
                        return session.place_order(**order)
                    except Exception:
                        time.sleep(2 ** attempt + random.random())

            def buy():
                return place({"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market",
                              "qty": "0.01", "orderLinkId": new_link_id()})
            """,
            note="the payload comes from the caller, which sets a link id",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def buy(symbol, qty):
                for attempt in range(5):
                    try:
                        resp = session.place_order(category="linear", symbol=symbol, side="Buy", orderType="Market", qty=qty)
                        return resp["result"]["orderId"]
                    except Exception:
                        time.sleep(2)
            """,
            line=10,
        ),
        Invalid(
            """
            import ccxt
            from tenacity import retry, stop_after_attempt, wait_random_exponential

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

            @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
            def sell(symbol, amount):
                return exchange.create_order(symbol, "market", "sell", amount)
            """,
            line=9,
        ),
        Invalid(
            """
            import time, random, requests

            class Rest:
                BASE = "https://api.bybit.com"

                def _request(self, method, path, body):
                    for attempt in range(3):
                        try:
                            return requests.request(method, self.BASE + path, json=body, headers=self._sign(body)).json()
                        except requests.Timeout:
                            time.sleep(2 ** attempt + random.random())

                def market_buy(self, symbol, qty):
                    body = {"category": "linear", "symbol": symbol, "side": "Buy", "orderType": "Market", "qty": qty}
                    return self._request("POST", "/v5/order/create", body)
            """,
            line=16,
            note="the generic request helper retries the POST",
        ),
        Invalid(
            """
            import asyncio, random
            import ccxt.async_support as ccxt

            class Bot:
                def __init__(self):
                    self.exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})

                async def enter(self, symbol, amount):
                    for attempt in range(4):
                        try:
                            return await self.exchange.create_market_buy_order(symbol, amount)
                        except ccxt.NetworkError:
                            await asyncio.sleep(2 ** attempt + random.random())
            """,
            line=12,
        ),
        Invalid(
            """
            import backoff
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @backoff.on_exception(backoff.expo, Exception, max_tries=3)
            def open_long(symbol, qty):
                order = {"category": "linear", "symbol": symbol, "side": "Buy", "orderType": "Market", "qty": qty}
                return session.place_order(**order)
            """,
            line=10,
        ),
        Invalid(
            """
            import time, random
            from pybit.unified_trading import HTTP

            class Exchange:
                def __init__(self):
                    self.session = HTTP(api_key=KEY, api_secret=SECRET)

                def _submit(self, symbol, side, qty):
                    return self.session.place_order(category="linear", symbol=symbol, side=side, orderType="Market", qty=qty)

                def open(self, symbol, side, qty):
                    for attempt in range(3):
                        try:
                            return self._submit(symbol, side, qty)
                        except Exception:
                            time.sleep(2 ** attempt + random.random())
            """,
            line=10,
            note="the retry loop reaches the order through a helper",
        ),
        Invalid(
            """
            import time, requests

            def create_order(body):
                while True:
                    try:
                        r = requests.post("https://api.bybit.com/v5/order/create", json=body, headers=sign(body), timeout=5)
                        return r.json()
                    except requests.Timeout:
                        time.sleep(1)

            def buy():
                return create_order({"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "10"})
            """,
            line=13,
            note="the caller's payload has no orderLinkId",
        ),
        Invalid(
            """
            import time, random
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def place(**kwargs):
                for attempt in range(3):
                    try:
                        return session.place_order(**kwargs)
                    except Exception:
                        time.sleep(2 ** attempt + random.random())

            def buy():
                return place(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
            """,
            line=15,
        ),
        Invalid(
            """
            import uuid
            from tenacity import retry, stop_after_attempt, wait_random_exponential
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
            def buy(qty):
                return session.place_order(
                    category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty=qty,
                    orderLinkId=f"bot-{uuid.uuid4().hex[:20]}",
                )
            """,
            line=10,
            note="a new link id on every attempt cannot catch the duplicate",
        ),
    ]
