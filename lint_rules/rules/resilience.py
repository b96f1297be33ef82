"""Resilience family, part 1: what a bot does with Bybit's answers (BYB201, BYB206, BYB207).

Retries themselves (BYB202-BYB205) live in ``retries.py``; both read the shared analysis in
``_resilience_model`` (which calls reach Bybit, the module's call graph).
"""

from __future__ import annotations

import re

import libcst as cst

from ..analysis import dotted_name
from ..rule import Invalid, Rule, Valid
from ..syntax import walk
from ._resilience_model import PYBIT_NON_API, CallRef, Func, Model, header_range, model_for, names_in

RATE_LIMIT_INTS = frozenset({10006, 10018, 403, 429})
RATE_LIMIT_ATTRS = frozenset({"TOO_MANY_REQUESTS", "FORBIDDEN", "too_many_requests", "forbidden"})


def _rate_limit_marker(model: Model, func: Func) -> bool:
    if func.ints & RATE_LIMIT_INTS:
        return True
    for s in func.strings:
        low = s.lower()
        if "x-bapi-limit" in low or low.strip() in ("10006", "10018", "403", "429") or "retry-after" in low:
            return True
    if func.attrs & RATE_LIMIT_ATTRS:
        return True
    for name in func.names:  # RATE_LIMIT_CODES = {10006, 10018}
        for value in model.module_assigns.get(name, []):
            for node in walk(value):
                if isinstance(node, cst.Integer) and int(node.value.replace("_", ""), 0) in RATE_LIMIT_INTS:
                    return True
                if isinstance(node, cst.SimpleString) and any(
                    m in node.value.lower() for m in ("10006", "x-bapi-limit", "429")
                ):
                    return True
    return False


#: Calls whose result is the HTTP response itself (its ``.json()`` is Bybit's envelope).
_RESPONSE_KINDS = frozenset({"raw", "pybybit"})
_LIMITER_NAME = re.compile(r"limiter|ratelimit|rate_limit|throttl|token_bucket", re.I)
_TIME_PATHS = ("/v5/market/time", "/v2/public/time", "/v3/public/time", "/spot/v3/public/server-time")


def _only_server_time(func: Func) -> bool:
    paths = [s for s in func.strings if s.startswith("/") or "://" in s]
    return bool(paths) and all(any(t in s for t in _TIME_PATHS) or "://" in s and "/" not in s.split("://", 1)[1] for s in paths) and any(
        any(t in s for t in _TIME_PATHS) for s in paths
    )


class NoRateLimitHandling(Rule):
    """
    ## What it does
    Flags a hand-written Bybit request helper — a function that sends the HTTP request
    itself with requests / aiohttp / httpx to a Bybit host or a `/v5/` path and returns
    what came back — when neither it, nor the functions it calls, nor its callers in the
    module ever look at rate limiting: no retCode `10006` check, no `X-Bapi-Limit-*`
    header, no HTTP 403 / 429 status check, no limiter, no handler in another module of the
    project (`raise_for_bybit(resp)` from `.errors`) — and the helper can storm: something
    retries it, or nobody recognises an error envelope at all.

    Not flagged where no storm can come from: a one-shot script that never retries, a
    server-time call, a helper whose answers are checked for retCode (here or by every
    caller in the project) when nothing retries it, and a helper that paces itself.

    pybit and ccxt are not flagged: pybit waits for the reset on 10006 itself, ccxt
    throttles and raises `RateLimitExceeded`.

    ## Why is this bad?
    Bybit limits each endpoint per UID over a rolling second (10006, HTTP 200, with
    `X-Bapi-Limit-Reset-Timestamp`) and each IP to 600 requests per 5 s (HTTP 403 "access
    too frequent" for at least 10 minutes). A helper that does not tell these apart
    returns an error envelope as if it were data, or lets the caller retry at once: a
    retry storm that ends in an IP ban.

    ## Example
    ```python
    def _request(self, method, path, params):
        resp = self.http.request(method, BASE + path, json=params, headers=self._headers(params))
        return resp.json()
    ```

    ## Use instead
    ```python
    def _request(self, method, path, params):
        resp = self.http.request(method, BASE + path, json=params, headers=self._headers(params))
        if resp.status_code in (403, 429):
            raise IpRateLimited(resp.status_code)
        data = resp.json()
        if data["retCode"] == 10006:
            reset_ms = int(resp.headers.get("X-Bapi-Limit-Reset-Timestamp", 0))
            raise RateLimited(reset_ms)
        return data
    ```

    Prevents: retry storms on 10006 and the HTTP 403 IP ban.
    Demonstrated by the pytest-bybit fault `rate_limit`.
    """

    code = "BYB201"
    name = "no-rate-limit-handling"
    message = "Bybit request helper never handles rate limits: check retCode 10006 / X-Bapi-Limit-* headers and HTTP 403/429"
    prevents = "10006, HTTP 403, HTTP 429"
    fault = "rate_limit"
    words = ("requests", "aiohttp", "httpx", "urllib")

    def visit_Module(self, node: cst.Module) -> None:
        model = model_for(node, self.context.source)
        if any(
            "status_forcelist" in f.kw_names and f.ints & {403, 429} for f in model.funcs
        ):
            return  # urllib3 Retry(status_forcelist=[429, ...]) mounted on the session
        marked: dict[Func, bool] = {}

        def marker(f: Func) -> bool:
            if f not in marked:
                marked[f] = _rate_limit_marker(model, f)
            return marked[f]

        script = self.context.role() == "script"
        retries_analyzed = False
        for func in model.funcs:
            if func.is_module:
                continue
            # a helper that sends the request itself and uses what comes back
            if not any(
                kind == "raw" and ref.node is not None and id(ref.node) not in func.discarded
                for ref in func.calls
                for kind in [func.api_calls.get(id(ref))]
            ):
                continue
            # the helper, what it calls, who calls it, and where its callers hand the response
            # (`resp = self._send(...); return self._check(resp)`)
            related = model.transitive_callees([func] + self.response_handlers(model, func))
            related |= model.transitive_callers([func])
            related |= set(model.enclosing_func_chain(func))
            if any(marker(f) for f in related) or any(self._paced_or_handled(model, f, f is func) for f in related):
                continue
            if _only_server_time(func):
                continue  # /v5/market/time: one call at start-up, nothing to storm
            if not retries_analyzed:
                model.analyze_retries()
                retries_analyzed = True
            retried = any(f in model.retry_path or f in model.self_retrying for f in related) or any(
                id(ref.node) in model.retry_call_ids for f in related for ref in f.calls
            )
            if not retried and (script or any(_checks_retcode(f) for f in related) or self._checked_elsewhere(model, func)):
                # a one-shot script, or an error envelope that is recognised, and nothing
                # retries: no storm
                continue
            self.report(func.node, position=header_range(func.node, self.position))

    def _paced_or_handled(self, model: Model, func: Func, helper: bool) -> bool:
        """A limiter or 10006 handling the helper delegates to: a self-pacing sleep before
        the request, a call on a ``*limiter*`` object, or a function of another module of the
        project that handles rate limits (``raise_for_bybit(resp)`` from ``.errors``)."""
        if func.is_module:
            return False
        for ref in func.calls:
            name = dotted_name(ref.func) or ""
            if _LIMITER_NAME.search(name):
                return True
            qualified = model.qual(ref.func) or ""
            if helper and qualified in ("time.sleep", "asyncio.sleep") and not any(
                f.kind == "loop" for f in func.call_frames.get(id(ref.node), ())
            ):
                return True  # pacing: ``if elapsed < 0.5: time.sleep(0.5 - elapsed)``
            if name and self.context.project is not None:
                facts = self.context.project.function(self.context.filename, name)
                if facts is not None and facts.get("rate_limit"):
                    return True
        return False

    def _checked_elsewhere(self, model: Model, func: Func) -> bool:
        """A helper whose callers live in other modules of the project (none in its own),
        all of which check retCode and none of which retries."""
        project = self.context.project
        if project is None or model.callers.get(func):
            return False
        callers = project.callers_of(func.name, exclude=self.context.filename)
        return bool(callers) and all(
            project.checks_retcode(path, facts) and not facts.get("retries") for path, _, facts in callers
        )

    @staticmethod
    def response_handlers(model: Model, func: Func) -> list[Func]:
        """Functions a caller passes this helper's result to."""
        out: list[Func] = []
        for ref, caller in model.callers.get(func, []):
            names = {
                name
                for name, values in caller.assigns.items()
                for v in values
                if (v.expression if isinstance(v, cst.Await) else v) is ref.node
            }
            for other in caller.calls:
                targets = caller.targets.get(id(other), [])
                if not targets or other is ref:
                    continue
                for a in other.args:
                    v = a.value.expression if isinstance(a.value, cst.Await) else a.value
                    if v is ref.node or names_in(a.value) & names:
                        out += targets
                        break
        return out

    VALID = [
        Valid(
            """
            import requests

            BASE = "https://api.bybit.com"

            def _request(method, path, body):
                resp = requests.request(method, BASE + path, json=body, headers=headers(body), timeout=10)
                data = resp.json()
                if data["retCode"] != 0:
                    raise RuntimeError(data["retMsg"])
                return data["result"]
            """,
            note="an error envelope is recognised and nothing retries: a 10006 fails once, no storm",
        ),
        Valid(
            """
            import time, requests

            class Client:
                def __init__(self):
                    self._last = 0.0

                def _request(self, path, params):
                    wait = 0.5 - (time.monotonic() - self._last)
                    if wait > 0:
                        time.sleep(wait)
                    self._last = time.monotonic()
                    return requests.get("https://api.bybit.com" + path, params=params).json()
            """,
            note="the helper paces itself",
        ),
        Valid(
            """
            import requests

            def balance():
                resp = requests.get("https://api.bybit.com/v5/account/wallet-balance", headers=signed_headers())
                print(resp.json())

            if __name__ == "__main__":
                balance()
            """,
            note="a one-shot script: one request, nothing to storm",
        ),
        Valid(
            """
            import requests

            BASE = "https://api.bybit.com"

            def _request(method, path, body):
                resp = requests.request(method, BASE + path, json=body, headers=headers(body), timeout=10)
                if resp.status_code in (403, 429):
                    raise RuntimeError(f"IP rate limited: HTTP {resp.status_code}")
                data = resp.json()
                if data["retCode"] == 10006:
                    raise RateLimited(resp.headers.get("X-Bapi-Limit-Reset-Timestamp"))
                return data
            """,
        ),
        Valid(
            """
            import time, requests

            class Rest:
                BASE = "https://api.bybit.com"

                def _send(self, path, params):
                    return requests.get(self.BASE + path, params=params, headers=self._headers(params))

                def get(self, path, params=None):
                    resp = self._send(path, params)
                    data = resp.json()
                    if data.get("retCode") == 10006:
                        reset = int(resp.headers["X-Bapi-Limit-Reset-Timestamp"]) / 1000
                        time.sleep(max(0, reset - time.time()))
                        return self.get(path, params)
                    return data
            """,
            note="the caller of the sending helper handles 10006",
        ),
        Valid(
            """
            import aiohttp

            RATE_LIMITED = {10006, 10018}

            async def call(session: aiohttp.ClientSession, path, params):
                async with session.get("https://api.bybit.com" + path, params=params) as resp:
                    payload = await resp.json()
                if payload["retCode"] in RATE_LIMITED:
                    raise RateLimited(path)
                return payload
            """,
            note="the codes come from a module constant",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def positions():
                return session.get_positions(category="linear", settleCoin="USDT")
            """,
            note="pybit waits for the reset on 10006 itself",
        ),
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit({"enableRateLimit": True})

            def price(symbol):
                return exchange.fetch_ticker(symbol)["last"]
            """,
        ),
        Valid(
            """
            import requests

            def send_alert(text):
                r = requests.post("https://api.telegram.org/bot123/sendMessage", json={"text": text})
                return r.ok
            """,
            note="not Bybit",
        ),
        Valid(
            """
            import httpx

            class Client:
                def __init__(self):
                    self.http = httpx.Client(base_url="https://api.bybit.com")

                def get(self, path, params):
                    r = self.http.get(path, params=params)
                    if r.status_code == 429 or r.status_code == 403:
                        raise Backoff()
                    return r.json()
            """,
        ),
        Valid(
            """
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=1, status_forcelist=[403, 429, 502])))

            def kline(symbol):
                return session.get("https://api.bybit.com/v5/market/kline", params={"symbol": symbol}).json()
            """,
            note="urllib3's Retry handles 403/429 on the mounted session",
        ),
        Valid(
            """
            import requests

            BASE = "https://api.bybit.com"

            def post(path, body):
                requests.post(BASE + path, json=body, headers=sign(body))
            """,
            note="fire and forget: nothing comes back to misread (BYB207 has nothing to check either)",
        ),
    ]

    VALID = list(VALID) + [
        Valid(
            """
            import requests

            class Client:
                BASE = "https://api.bybit.com"

                def _send(self, method, path, params):
                    return requests.request(method, self.BASE + path, json=params, headers=self._sign(params))

                def _check(self, resp):
                    if resp.status_code in (403, 429):
                        raise IpLimited(resp.status_code)
                    data = resp.json()
                    if data["retCode"] == 10006:
                        raise RateLimited(resp.headers.get("X-Bapi-Limit-Reset-Timestamp"))
                    return data

                def request(self, method, path, params):
                    resp = self._send(method, path, params)
                    return self._check(resp)
            """,
            note="the caller hands the response to a checker that handles rate limits",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import time, requests

            BASE = "https://api.bybit.com"

            def _request(method, path, body):
                resp = requests.request(method, BASE + path, json=body, headers=headers(body), timeout=10)
                data = resp.json()
                if data["retCode"] != 0:
                    raise RuntimeError(data["retMsg"])
                return data["result"]

            def cancel_all(symbol):
                for attempt in range(5):
                    try:
                        return _request("POST", "/v5/order/cancel-all", {"category": "linear", "symbol": symbol})
                    except RuntimeError:
                        time.sleep(1)
            """,
            line=6,
            note="a 10006 is retried like any other error",
        ),
        Invalid(
            """
            import hmac, hashlib, time, requests

            class BybitClient:
                def __init__(self, key, secret, base_url="https://api.bybit.com"):
                    self.key, self.secret, self.base_url = key, secret, base_url
                    self.session = requests.Session()

                def _sign(self, payload):
                    ts = str(int(time.time() * 1000))
                    sig = hmac.new(self.secret.encode(), (ts + self.key + "5000" + payload).encode(), hashlib.sha256).hexdigest()
                    return {"X-BAPI-API-KEY": self.key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sig, "X-BAPI-RECV-WINDOW": "5000"}

                def get(self, path, query=""):
                    r = self.session.get(f"{self.base_url}{path}?{query}", headers=self._sign(query))
                    return r.json()

                def positions(self):
                    return self.get("/v5/position/list", "category=linear&settleCoin=USDT")
            """,
            line=14,
        ),
        Invalid(
            """
            import aiohttp

            class AsyncBybit:
                BASE = "https://api.bybit.com"

                async def get(self, path, params=None):
                    async with aiohttp.ClientSession() as s:
                        async with s.get(self.BASE + path, params=params) as resp:
                            return await resp.json()
            """,
            line=7,
        ),
        Invalid(
            """
            import httpx

            async def fetch_tickers(client: httpx.AsyncClient):
                r = await client.get("https://api.bybit.com/v5/market/tickers", params={"category": "spot"})
                return r.json()["result"]["list"]
            """,
            line=4,
        ),
        Invalid(
            """
            import json, urllib.request

            def tickers():
                with urllib.request.urlopen("https://api-testnet.bybit.com/v5/market/tickers?category=spot") as resp:
                    return json.loads(resp.read())["result"]["list"]
            """,
            line=4,
        ),
        Invalid(
            """
            import requests

            API = "https://api.bybit.com/v5"

            def get_kline(symbol, interval="1"):
                resp = requests.get(API + "/market/kline", params={"category": "linear", "symbol": symbol, "interval": interval})
                resp.raise_for_status()
                return resp.json()["result"]["list"]

            def get_ticker(symbol):
                resp = requests.get(API + "/market/tickers", params={"category": "linear", "symbol": symbol})
                return resp.json()["result"]["list"][0]
            """,
            line=6,
            count=2,
            note="raise_for_status() does not handle 10006 (HTTP 200)",
        ),
        Invalid(
            """
            import requests

            class Rest:
                def __init__(self, base_url):
                    self.base_url = base_url
                    self.http = requests.Session()

                def _call(self, method, path, **params):
                    headers = {"X-BAPI-API-KEY": self.key, "X-BAPI-SIGN": self._sign(params)}
                    return self.http.request(method, self.base_url + path, params=params, headers=headers).json()

                def wallet(self):
                    return self._call("GET", "/v5/account/wallet-balance", accountType="UNIFIED")
            """,
            line=9,
            note="the host is configured, the /v5/ paths come from the callers",
        ),
        Invalid(
            """
            import requests

            def place(body):
                resp = requests.post("https://api.bybit.com/v5/order/create", json=body, headers=sign(body))
                try:
                    return resp.json()
                except ValueError:
                    return None
            """,
            line=4,
        ),
    ]


# --------------------------------------------------------------------------------------


#: What puts a second task on the loop: with none of these, a script's coroutines run one
#: after the other and a blocking call delays only the code that made it.
_CONCURRENCY = re.compile(
    r"\b(?:gather|create_task|ensure_future|TaskGroup|as_completed|run_coroutine_threadsafe|start_server|serve|"
    r"run_app|call_soon|call_later|add_signal_handler)\b|asyncio\.wait\b|\bwait\(\s*\[",
)
_LOOP_STARTERS = re.compile(r"\basyncio\.run\(|\.run_until_complete\(|\btrio\.run\(|\banyio\.run\(")


def _sole_coroutine_script(source: str) -> bool:
    """A script that starts the event loop itself on one coroutine and never adds another
    task (``asyncio.run(main())``, ``loop.run_until_complete(stream())``)."""
    return source.count("async def") == 1 and bool(_LOOP_STARTERS.search(source)) and not _CONCURRENCY.search(source)


def _bravado_call(model: Model, receiver: cst.CSTNode | None, func: Func) -> bool:
    """``client.Order.Order_new(...)`` on a client of the old official ``bybit`` package
    (bravado): its ``.result()`` waits for the HTTP answer."""
    if not isinstance(receiver, cst.Call):
        return False
    root = receiver.func
    while isinstance(root, cst.Attribute):
        root = root.value
    name = dotted_name(root)
    if name is None:
        return False
    return any(
        isinstance(value, cst.Call) and model.qual(value.func) == "bybit.bybit" for value in model.lookup(name, func)
    )


class BlockingSleepInAsync(Rule):
    """
    ## What it does
    Flags blocking calls inside `async def`: `time.sleep(...)` (also `from time import
    sleep`), requests calls (`requests.get/post/...`, a `requests.Session` method),
    pybit `HTTP` methods (pybit is synchronous requests underneath) and sync ccxt
    exchange methods. Calls handed to `asyncio.to_thread` / `run_in_executor` are fine.

    ## Why is this bad?
    A blocking call freezes the whole event loop: no websocket frame is read, no
    `{"op": "ping"}` heartbeat goes out, other tasks' timeouts fire late. Bybit drops a
    websocket that stays silent, so a `time.sleep(5)` in a retry path can disconnect
    the bot's private stream and lose fills.

    ## Example
    ```python
    async def on_error(self):
        time.sleep(5)
        positions = self.session.get_positions(category="linear", settleCoin="USDT")
    ```

    ## Use instead
    ```python
    async def on_error(self):
        await asyncio.sleep(5)
        positions = await asyncio.to_thread(
            self.session.get_positions, category="linear", settleCoin="USDT"
        )
    ```

    ## Fix safety
    Replacing `time.sleep(x)` by `await asyncio.sleep(x)` is offered as an unsafe fix,
    only when `asyncio` is imported: it lets other tasks run during the wait, which can
    change the program's behaviour. Blocking I/O calls have no automatic fix.

    Prevents: a frozen event loop and missed websocket heartbeats (disconnects).
    Demonstrated by the pytest-bybit fault `latency`.
    """

    code = "BYB206"
    name = "blocking-sleep-in-async"
    message = "Blocking call inside async def: use `await asyncio.sleep()` / an async client / `asyncio.to_thread`"
    prevents = "websocket disconnects from missed heartbeats"
    fault = "latency"
    fixable = "unsafe"
    words = ("async def",)

    def visit_Module(self, node: cst.Module) -> None:
        if _sole_coroutine_script(self.context.source):
            return  # one coroutine on a loop the script runs itself: nothing else can starve
        model = model_for(node, self.context.source)
        asyncio_alias = None  # a module-level `import asyncio [as aio]` the fix can rely on
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            if dotted_name(alias.name) == "asyncio":
                                asyncio_alias = (
                                    alias.asname.name.value
                                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                                    else "asyncio"
                                )
        for func in model.funcs:
            if not func.is_async:
                continue
            for ref in func.calls:
                if ref.indirect:
                    continue
                frames = func.call_frames.get(id(ref.node), ())
                if any(f.kind == "lambda" for f in frames):
                    continue
                what = self.blocking(model, ref, func) or self.blocking_helper(model, ref, func)
                if what is None:
                    continue
                if what == "time.sleep":
                    message = "`time.sleep()` inside async def blocks the event loop: use `await asyncio.sleep()`"
                    if asyncio_alias is not None and not ref.awaited:
                        new = cst.Await(
                            expression=ref.node.with_changes(
                                func=cst.Attribute(value=cst.Name(asyncio_alias), attr=cst.Name("sleep"))
                            )
                        )
                        self.report(
                            ref.node,
                            message,
                            replacement=new,
                            unsafe=True,
                            fix_description=f"Replace with `await {asyncio_alias}.sleep(...)`",
                        )
                    else:
                        self.report(ref.node, message)
                else:
                    self.report(
                        ref.node,
                        f"Blocking {what} call inside async def freezes the event loop: "
                        "use an async client or `await asyncio.to_thread(...)`",
                    )

    @staticmethod
    def blocking(model: Model, ref: CallRef, func: Func) -> str | None:
        q = model.qual(ref.func) or ""
        if q == "time.sleep":
            return "time.sleep"
        if q.startswith("requests.") and q.count(".") == 1 and q.split(".")[1] in (
            "get", "post", "put", "delete", "patch", "head", "options", "request"
        ):
            return "requests"
        if q in ("urllib.request.urlopen",):
            return "urllib"
        if ref.awaited or ref.receiver is None or dotted_name(ref.receiver) in ("self", "cls"):
            return None
        method = ref.attr or ""
        kinds = model.receiver_kinds(ref.receiver, func)
        if "requests" in kinds and method in ("get", "post", "put", "delete", "patch", "head", "options", "request", "send"):
            return "requests"
        kind = func.api_calls.get(id(ref))
        if kind == "pybit" and method not in PYBIT_NON_API:
            return "pybit"
        if kind == "ccxt" and "ccxt" in kinds and "ccxt_async" not in kinds:
            return "sync ccxt"
        if method == "result" and _bravado_call(model, ref.receiver, func):
            return "bybit (bravado)"
        return None

    @staticmethod
    def blocking_helper(model: Model, ref: CallRef, func: Func, depth: int = 0) -> str | None:
        """A sync function of the module, called from a coroutine, that blocks: it calls
        ``time.sleep``, requests, pybit or sync ccxt itself or through another such helper."""
        if ref.awaited or depth > 2:
            return None
        for target in func.targets.get(id(ref), []):
            if target.is_async or target.is_module:
                continue
            for inner in target.calls:
                if inner.indirect or any(f.kind == "lambda" for f in target.call_frames.get(id(inner.node), ())):
                    continue
                what = BlockingSleepInAsync.blocking(model, inner, target) or BlockingSleepInAsync.blocking_helper(
                    model, inner, target, depth + 1
                )
                if what is not None:
                    return what if " via " in what else f"{what} via {target.name}()"
        return None

    VALID = [
        Valid(
            """
            import asyncio, time
            import requests

            async def main():
                while True:
                    data = requests.get("https://api.bybit.com/v5/market/tickers", params={"category": "spot"}).json()
                    print(data["retCode"], len(data["result"]["list"]))
                    time.sleep(5)

            asyncio.run(main())
            """,
            note="the only coroutine of a one-shot script: nothing else on the loop can starve",
        ),
        Valid(
            """
            import asyncio

            async def heartbeat(ws):
                while True:
                    await ws.send_json({"op": "ping"})
                    await asyncio.sleep(20)
            """,
        ),
        Valid(
            """
            import time

            def poll(session):
                while True:
                    session.get_tickers(category="linear", symbol="BTCUSDT")
                    time.sleep(5)
            """,
            note="not async",
        ),
        Valid(
            """
            import asyncio
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            async def positions():
                return await asyncio.to_thread(session.get_positions, category="linear", settleCoin="USDT")
            """,
            note="run in a worker thread",
        ),
        Valid(
            """
            import asyncio, functools, time
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            async def place(order):
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(None, functools.partial(session.place_order, **order))
            """,
        ),
        Valid(
            """
            import ccxt.async_support as ccxt

            async def ticker():
                exchange = ccxt.bybit()
                try:
                    return await exchange.fetch_ticker("BTC/USDT")
                finally:
                    await exchange.close()
            """,
            note="async ccxt",
        ),
        Valid(
            """
            import time

            async def main():
                def blocking_job():
                    time.sleep(1)
                    return 42
                started = time.time()
                return blocking_job, started
            """,
            note="a nested sync function runs wherever it is called; time.time() is not blocking",
        ),
        Valid(
            """
            import aiohttp

            async def server_time():
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://api.bybit.com/v5/market/time") as resp:
                        return await resp.json()
            """,
        ),
        Valid(
            """
            import asyncio, time

            async def slow():
                await asyncio.get_running_loop().run_in_executor(None, lambda: time.sleep(2))
            """,
            note="the lambda runs in the executor",
        ),
    ]

    INVALID = [
        Invalid(
            """
            from fastapi import FastAPI
            from pybit.unified_trading import HTTP

            app = FastAPI()
            session = HTTP(api_key=KEY, api_secret=SECRET)

            def get_price(symbol):
                tickers = session.get_tickers(category="linear", symbol=symbol)
                return tickers["result"]["list"][0]["lastPrice"]

            @app.post("/webhook")
            async def webhook(signal: dict):
                price = get_price(signal["symbol"])
                return {"price": price}
            """,
            line=14,
            note="a sync helper that calls pybit, from an async endpoint",
        ),
        Invalid(
            """
            import asyncio, time
            import requests

            async def ping(ws):
                while True:
                    await ws.send_json({"op": "ping"})
                    await asyncio.sleep(20)

            async def main(ws):
                asyncio.create_task(ping(ws))
                while True:
                    requests.get("https://api.bybit.com/v5/market/tickers", params={"category": "spot"})
                    time.sleep(5)

            asyncio.run(main(WS))
            """,
            line=13,
            count=2,
            note="a second task (the ping loop) starves while the first blocks",
        ),
        Invalid(
            """
            import asyncio, time

            async def reconnect(ws_url):
                time.sleep(5)
                return await connect(ws_url)
            """,
            line=5,
            unsafe_fixed="""
            import asyncio, time

            async def reconnect(ws_url):
                await asyncio.sleep(5)
                return await connect(ws_url)
            """,
        ),
        Invalid(
            """
            import time

            async def watch(exchange):
                while True:
                    print(await exchange.watch_ticker("BTC/USDT"))
                    time.sleep(1)
            """,
            line=7,
            note="no asyncio import: no fix offered",
        ),
        Invalid(
            """
            import asyncio
            from time import sleep

            class Bot:
                async def on_error(self, exc):
                    sleep(3)
            """,
            line=7,
            unsafe_fixed="""
            import asyncio
            from time import sleep

            class Bot:
                async def on_error(self, exc):
                    await asyncio.sleep(3)
            """,
        ),
        Invalid(
            """
            import requests

            async def server_time():
                r = requests.get("https://api.bybit.com/v5/market/time", timeout=5)
                return r.json()["time"]
            """,
            line=5,
        ),
        Invalid(
            """
            import asyncio
            from pybit.unified_trading import HTTP

            class Strategy:
                def __init__(self):
                    self.session = HTTP(api_key=KEY, api_secret=SECRET)

                async def on_candle(self, candle):
                    if candle["close"] > self.level:
                        self.session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
            """,
            line=11,
            note="pybit is synchronous requests",
        ),
        Invalid(
            """
            import requests

            class Rest:
                def __init__(self):
                    self.http = requests.Session()

                async def wallet(self):
                    return self.http.get("https://api.bybit.com/v5/account/wallet-balance", params={"accountType": "UNIFIED"}).json()
            """,
            line=9,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit()

            async def price():
                return exchange.fetch_ticker("BTC/USDT")["last"]
            """,
            line=7,
            note="sync ccxt uses requests",
        ),
        Invalid(
            """
            import asyncio, time, random

            async def fetch(exchange):
                for attempt in range(5):
                    try:
                        return await exchange.fetch_balance()
                    except Exception:
                        time.sleep(2 ** attempt + random.random())
            """,
            line=9,
            unsafe_fixed="""
            import asyncio, time, random

            async def fetch(exchange):
                for attempt in range(5):
                    try:
                        return await exchange.fetch_balance()
                    except Exception:
                        await asyncio.sleep(2 ** attempt + random.random())
            """,
        ),
    ]


# --------------------------------------------------------------------------------------

JSON_LOADS = frozenset({"json.loads", "orjson.loads", "ujson.loads", "simplejson.loads", "rapidjson.loads"})
LOG_FUNCS = frozenset({"print", "pprint", "pprint.pprint"})


def _checks_retcode(func: Func) -> bool:
    if func.attrs & {"retCode", "ret_code"}:
        return True
    lowered = {s.lower() for s in func.strings}
    if lowered & {"retcode", "ret_code"}:
        return True
    # ``if res["ret_msg"] != "OK"``: success read from the message
    return bool(lowered & {"retmsg", "ret_msg"}) and bool(lowered & {"ok", "success"})


class UncheckedRetCode(Rule):
    """
    ## What it does
    Flags raw Bybit response JSON (`resp.json()`, `await resp.json()`,
    `json.loads(resp.text)`) that is used without anyone looking at `retCode`
    (or the old `ret_code`): not the function that parses it, not a helper the data is
    passed to, not (when the function returns the whole envelope) its callers.

    ## Why is this bad?
    Bybit reports nearly every error with HTTP 200 and a non-zero `retCode`: a rejected
    order (110007 insufficient balance, 10001 bad qty), an expired timestamp (10002), a
    rate limit (10006). `result` is then `{}`, so `data["result"]["list"]` raises a
    KeyError far from the cause, or an empty list reads as "no position" and the bot
    trades on it. `raise_for_status()` does not help: the status is 200.

    ## Example
    ```python
    resp = requests.get(BASE + "/v5/position/list", params=params, headers=headers)
    positions = resp.json()["result"]["list"]
    ```

    ## Use instead
    ```python
    resp = requests.get(BASE + "/v5/position/list", params=params, headers=headers)
    data = resp.json()
    if data["retCode"] != 0:
        raise BybitError(data["retCode"], data["retMsg"])
    positions = data["result"]["list"]
    ```

    Prevents: silently ignored errors (every retCode, e.g. 10001, 10002, 10006, 110007).
    Demonstrated by the pytest-bybit fault `params_error`.
    """

    code = "BYB207"
    name = "unchecked-retcode"
    message = "Bybit response JSON used without checking retCode (errors come with HTTP 200): check it first"
    prevents = "errors returned with HTTP 200 (10001, 10002, 10006, 110007, ...)"
    fault = "params_error"
    words = (".json(", "loads(")

    def visit_Module(self, node: cst.Module) -> None:
        model = model_for(node, self.context.source)
        self.model = model
        checked: dict[Func, bool] = {}

        def is_checked(f: Func) -> bool:
            if f not in checked:
                checked[f] = _checks_retcode(f)
            return checked[f]

        for func in model.funcs:
            raw_ids = {id(ref.node) for ref in func.calls if func.api_calls.get(id(ref)) in _RESPONSE_KINDS}
            for ref in func.calls:
                receiver = self.json_receiver(model, ref)
                if receiver is None or not self.is_bybit_response(receiver, func, raw_ids):
                    continue
                if self.only_displayed(ref, func):
                    continue
                if is_checked(func) or any(is_checked(f) for f in model.enclosing_func_chain(func)):
                    continue
                if self.passed_to_checker(ref, func, is_checked):
                    continue
                if self.returned_whole(ref, func) and any(
                    is_checked(f) for f in model.transitive_callers([func]) if f is not func
                ):
                    continue
                self.report(ref.node)

    # -- which calls parse a response ----------------------------------------------------
    @staticmethod
    def json_receiver(model: Model, ref: CallRef) -> cst.BaseExpression | None:
        if ref.indirect:
            return None
        if ref.attr == "json" and ref.receiver is not None and all(a.keyword is not None for a in ref.args):
            return ref.receiver
        q = model.qual(ref.func) or ""
        if q in JSON_LOADS and ref.args:
            arg = ref.args[0].value
            if isinstance(arg, cst.Await):
                arg = arg.expression
            if isinstance(arg, cst.Call) and isinstance(arg.func, cst.Attribute) and arg.func.attr.value in ("text", "read", "content"):
                return arg.func.value
            if isinstance(arg, cst.Attribute) and arg.attr.value in ("text", "content"):
                return arg.value
        return None

    def is_bybit_response(self, expr: cst.BaseExpression, func: Func, raw_ids: set[int], depth: int = 0) -> bool:
        model = self.model
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            if id(expr) in raw_ids:
                return True
            if depth < 2:
                for target in model._funcs_named_for(expr.func, func):
                    t_raw = {id(r.node) for r in target.calls if target.api_calls.get(id(r)) in _RESPONSE_KINDS}
                    if not t_raw:
                        continue
                    for value in target.returned_values():
                        if self.is_bybit_response(value, target, t_raw, depth + 1):
                            return True
            return False
        d = dotted_name(expr)
        if d is None:
            return False
        owner = model.param_owner(d, func)
        if owner is not None:  # `def _parse(resp): resp.json()`: what do the callers pass?
            if depth >= 2:
                return False
            for value, caller in model.arg_values(owner, d):
                c_raw = {id(r.node) for r in caller.calls if caller.api_calls.get(id(r)) in _RESPONSE_KINDS}
                if self.is_bybit_response(value, caller, c_raw, depth + 1):
                    return True
            return False
        for value in model.lookup(d, func):
            if self.is_bybit_response(value, func, raw_ids, depth + 1):
                return True
        return False

    # -- how the parsed data is used -----------------------------------------------------
    def _json_names(self, ref: CallRef, func: Func) -> set[str]:
        out = set()
        for name, values in func.assigns.items():
            for v in values:
                inner = v.expression if isinstance(v, cst.Await) else v
                if inner is ref.node:
                    out.add(name)
        return out

    def only_displayed(self, ref: CallRef, func: Func) -> bool:
        for other in func.calls:
            q = self.model.qual(other.func) or ""
            last = q.rsplit(".", 1)[-1]
            if q in LOG_FUNCS or last in ("debug", "info", "warning", "error", "exception", "critical", "log"):
                for a in other.args:
                    v = a.value.expression if isinstance(a.value, cst.Await) else a.value
                    if v is ref.node:
                        return True
        return False

    def passed_to_checker(self, ref: CallRef, func: Func, is_checked) -> bool:
        names = self._json_names(ref, func)
        for other in func.calls:
            targets = func.targets.get(id(other), [])
            if not targets:
                continue
            hit = False
            for a in other.args:
                v = a.value.expression if isinstance(a.value, cst.Await) else a.value
                if v is ref.node or names_in(a.value) & names:
                    hit = True
            if hit and any(is_checked(f) for f in self.model.transitive_callees(targets)):
                return True
        return False

    def returned_whole(self, ref: CallRef, func: Func) -> bool:
        names = self._json_names(ref, func)
        for value in func.returned_values():
            v = value.expression if isinstance(value, cst.Await) else value
            if v is ref.node or (dotted_name(v) in names):
                return True
            if isinstance(v, cst.Tuple) and any(
                (e.value is ref.node or dotted_name(e.value) in names) for e in v.elements
            ):
                return True
        return False

    VALID = [
        Valid(
            """
            import requests

            def positions(params, headers):
                resp = requests.get("https://api.bybit.com/v5/position/list", params=params, headers=headers)
                data = resp.json()
                if data["retCode"] != 0:
                    raise RuntimeError(data["retMsg"])
                return data["result"]["list"]
            """,
        ),
        Valid(
            """
            import requests

            class BybitError(Exception):
                pass

            def _unwrap(payload):
                if payload.get("retCode") != 0:
                    raise BybitError(payload["retCode"], payload["retMsg"])
                return payload["result"]

            def tickers():
                r = requests.get("https://api.bybit.com/v5/market/tickers", params={"category": "spot"})
                return _unwrap(r.json())["list"]
            """,
            note="the data passes through a helper that checks",
        ),
        Valid(
            """
            import aiohttp

            class Client:
                BASE = "https://api.bybit.com"

                async def _get(self, path, params):
                    async with self.session.get(self.BASE + path, params=params) as resp:
                        return await resp.json()

                async def wallet(self):
                    data = await self._get("/v5/account/wallet-balance", {"accountType": "UNIFIED"})
                    if data["retCode"]:
                        raise RuntimeError(data)
                    return data["result"]["list"][0]

                def __init__(self):
                    self.session = aiohttp.ClientSession()
            """,
            note="the helper returns the whole envelope and its caller checks",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(api_key=KEY, api_secret=SECRET)

            def wallet():
                return session.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
            """,
            note="pybit raises InvalidRequestError on a non-zero retCode",
        ),
        Valid(
            """
            import requests

            def weather():
                return requests.get("https://api.weather.example/now").json()["temp"]
            """,
            note="not Bybit",
        ),
        Valid(
            """
            import json, requests

            def server_time():
                r = requests.get("https://api.bybit.com/v5/market/time")
                body = json.loads(r.text)
                if body["ret_code"] != 0:
                    return None
                return int(body["result"]["timeSecond"])
            """,
            note="the V2 spelling counts too",
        ),
        Valid(
            """
            import requests

            def debug_dump(path):
                r = requests.get("https://api.bybit.com" + path)
                print(r.json())
            """,
            note="only displayed",
        ),
        Valid(
            """
            import httpx

            async def kline(client: httpx.AsyncClient, symbol):
                r = await client.get("https://api.bybit.com/v5/market/kline", params={"symbol": symbol})
                payload = r.json()
                match payload:
                    case {"retCode": 0, "result": {"list": rows}}:
                        return rows
                    case _:
                        raise ValueError(payload.get("retMsg"))
            """,
        ),
    ]

    INVALID = [
        Invalid(
            """
            import requests

            def positions(params, headers):
                resp = requests.get("https://api.bybit.com/v5/position/list", params=params, headers=headers)
                return resp.json()["result"]["list"]
            """,
            line=6,
        ),
        Invalid(
            """
            import aiohttp

            async def tickers(session: aiohttp.ClientSession):
                async with session.get("https://api.bybit.com/v5/market/tickers", params={"category": "linear"}) as resp:
                    data = await resp.json()
                return {t["symbol"]: t["lastPrice"] for t in data["result"]["list"]}
            """,
            line=6,
        ),
        Invalid(
            """
            import requests

            class Rest:
                BASE = "https://api.bybit.com"

                def _request(self, method, path, body=None):
                    resp = requests.request(method, self.BASE + path, json=body, headers=self._headers(body))
                    return resp.json()

                def place(self, body):
                    return self._request("POST", "/v5/order/create", body)["result"]["orderId"]
            """,
            line=9,
            note="the envelope is returned whole and no caller looks at retCode",
        ),
        Invalid(
            """
            import json, requests

            def server_time():
                r = requests.get("https://api.bybit.com/v5/market/time")
                return int(json.loads(r.text)["result"]["timeSecond"])
            """,
            line=6,
        ),
        Invalid(
            """
            import httpx

            class Client:
                def __init__(self):
                    self.http = httpx.Client(timeout=10)

                def wallet(self):
                    r = self.http.get("https://api-testnet.bybit.com/v5/account/wallet-balance", params={"accountType": "UNIFIED"})
                    r.raise_for_status()
                    return float(r.json()["result"]["list"][0]["totalEquity"])
            """,
            line=11,
            note="raise_for_status() does not see errors sent with HTTP 200",
        ),
        Invalid(
            """
            import requests

            BASE = "https://api.bybit.com"

            def cancel(symbol, order_id):
                r = requests.post(BASE + "/v5/order/cancel", json={"category": "linear", "symbol": symbol, "orderId": order_id}, headers=sign())
                data = r.json()
                if "result" in data and data["result"]:
                    return True
                return False
            """,
            line=8,
        ),
        Invalid(
            """
            import aiohttp

            async def fetch_kline(symbol):
                async with aiohttp.ClientSession() as s:
                    async with s.get("https://api.bybit.com/v5/market/kline", params={"symbol": symbol, "interval": "1"}) as r:
                        rows = (await r.json())["result"]["list"]
                return [float(k[4]) for k in rows]
            """,
            line=7,
        ),
        Invalid(
            """
            import requests

            def send(path, body):
                return requests.post("https://api.bybit.com" + path, json=body, headers=sign(body))

            def buy(body):
                r = send("/v5/order/create", body)
                return r.json()["result"]["orderId"]
            """,
            line=9,
            note="the response comes back from a sending helper",
        ),
    ]
