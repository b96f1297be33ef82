"""The fairness rule, checked: every scenario is survived by clients that follow Bybit's
documented advice with common settings, and failed, with the reason, by clients that do not.

One inner run puts a dozen client behaviours through every scenario, each doing what a bot
does (read the balance, place an order). Unmodified pybit and ccxt with their defaults sit
beside hand-written bots that back off exponentially from 0.25, 0.5 and 1 s, with and without
jitter, capped at 3 to 5 attempts; and the bots that must fail: retrying at once, never
retrying, retrying with a fixed short wait, treating 110072 after a retry as an error.
"""

from __future__ import annotations

import json

import pytest

from pytest_bybit.scenarios import SCENARIOS

pytest.importorskip("ccxt")

CLIENTS = '''
import hashlib, hmac, json, random, time, uuid
from urllib.parse import urlencode

import requests

HOST = "https://api-testnet.bybit.com"
ORDER = dict(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")


class GaveUp(Exception):
    pass


class BackoffBot:
    """A raw V5 client: server-time signing, orderLinkId on every order, retries on 10006,
    5xx/403/429 and network errors, waiting ``base * 2**n`` (plus up to ``base`` of jitter),
    or ``fixed`` seconds every time, at most ``attempts`` tries."""

    def __init__(self, bybit, base=0.5, jitter=False, attempts=3, fixed=None, on_duplicate="lookup", seed=7):
        self.key, self.secret = bybit.api_key, bybit.api_secret
        self.base, self.jitter, self.attempts, self.fixed = base, jitter, attempts, fixed
        self.on_duplicate = on_duplicate
        self.rng = random.Random(seed)
        self.offset_ms = None

    def wait(self, attempt):
        if self.fixed is not None:
            return self.fixed
        return self.base * 2 ** attempt + (self.rng.uniform(0, self.base) if self.jitter else 0)

    def send(self, method, path, params, signed=True):
        if signed and self.offset_ms is None:
            before = time.time() * 1000
            server = int(self.call("GET", "/v5/market/time", {}, signed=False)["result"]["timeNano"]) // 1_000_000
            self.offset_ms = server - (before + time.time() * 1000) / 2
        headers = {"Content-Type": "application/json"}
        payload = urlencode(params) if method == "GET" else json.dumps(params)
        url = HOST + path + ("?" + payload if method == "GET" and payload else "")
        if signed:
            ts = str(int(time.time() * 1000 + self.offset_ms))
            sign = hmac.new(self.secret.encode(), f"{ts}{self.key}5000{payload}".encode(), hashlib.sha256).hexdigest()
            headers.update({"X-BAPI-API-KEY": self.key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN": sign})
        return requests.request(method, url, headers=headers, data=None if method == "GET" else payload, timeout=10)

    def call(self, method, path, params, signed=True):
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                reply = self.send(method, path, params, signed)
            except requests.exceptions.RequestException:
                if last:
                    raise
                time.sleep(self.wait(attempt))
                continue
            if reply.status_code != 200:
                if last:
                    raise GaveUp(f"{path}: HTTP {reply.status_code}")
                time.sleep(self.wait(attempt))
                continue
            body = reply.json()
            if body["retCode"] == 10006 and not last:
                time.sleep(self.wait(attempt))
                continue
            if body["retCode"] == 10002 and not last:
                self.offset_ms = None
                continue
            return body
        raise GaveUp(f"{path}: gave up after {self.attempts} attempts")

    def balance(self):
        body = self.call("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})
        assert body["retCode"] == 0, body
        return body["result"]

    def buy(self):
        link = uuid.uuid4().hex[:20]
        body = self.call("POST", "/v5/order/create", dict(ORDER, orderLinkId=link))
        if body["retCode"] == 110072 and self.on_duplicate == "lookup":
            # a retry of an order that already landed: find it by its orderLinkId
            found = self.call("GET", "/v5/order/realtime", {"category": "linear", "orderLinkId": link})
            assert found["result"]["list"], found
            return found["result"]["list"][0]
        assert body["retCode"] == 0, body
        return body["result"]
'''

BOTS = '''
import pytest
from fair_clients import ORDER, BackoffBot


@pytest.fixture(autouse=True)
def market(bybit):
    bybit.set_price("BTCUSDT", 50000)


def trade(bot, bybit):
    bot.balance()
    bot.buy()
    assert len(bybit.orders) == 1


@pytest.mark.parametrize("jitter", [False, True], ids=["plain", "jitter"])
@pytest.mark.parametrize(("base", "attempts"), [(0.25, 3), (0.5, 4), (1.0, 5)], ids=["0.25s-3", "0.5s-4", "1s-5"])
def test_exponential_backoff(bybit, base, attempts, jitter):
    trade(BackoffBot(bybit, base=base, jitter=jitter, attempts=attempts), bybit)


def test_retry_at_once(bybit):
    trade(BackoffBot(bybit, fixed=0, attempts=5), bybit)


def test_never_retry(bybit):
    trade(BackoffBot(bybit, attempts=1), bybit)


def test_fixed_short_wait(bybit):
    trade(BackoffBot(bybit, fixed=0.2, attempts=5), bybit)


def test_raises_on_110072(bybit):
    trade(BackoffBot(bybit, base=0.5, jitter=True, attempts=4, on_duplicate="raise"), bybit)


def test_pybit_defaults(bybit):
    from pybit.unified_trading import HTTP

    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    session.get_wallet_balance(accountType="UNIFIED")
    session.place_order(**ORDER, orderLinkId="pybit-1")
    assert len(bybit.orders) == 1


def test_ccxt_defaults(bybit):
    import ccxt

    exchange = ccxt.bybit({"apiKey": bybit.api_key, "secret": bybit.api_secret})
    exchange.set_sandbox_mode(True)
    exchange.fetch_balance()
    exchange.create_order("BTC/USDT:USDT", "market", "buy", 0.01, None, {"clientOrderId": "ccxt-1"})
    assert len(bybit.orders) == 1
'''

RATE = ("rate_limit_burst", "rate_limit_global")
#: Stream scenarios are n/a for these REST clients; tests/streams judges them.
REST_SCENARIOS = [n for n in SCENARIOS if not n.startswith("ws_")]
TRANSPORT = [n for n in SCENARIOS if n.split("@")[0] in ("timeout", "bad_gateway", "connection_reset", "ssl_error")]
CLOCK = ("clock_ahead_2s", "clock_behind_7s")
FOLLOWS_THE_DOCS = [f"test_exponential_backoff[{b}-{j}]" for b in ("0.25s-3", "0.5s-4", "1s-5") for j in ("plain", "jitter")]


def expected() -> dict[tuple[str, str], str]:
    """The verdict each client must get under each scenario."""
    cells: dict[tuple[str, str], str] = {}
    for scenario in REST_SCENARIOS:
        for bot in FOLLOWS_THE_DOCS:
            cells[(bot, scenario)] = "ok"
        cells[("test_retry_at_once", scenario)] = "FAIL" if scenario in RATE else "ok"
        cells[("test_fixed_short_wait", scenario)] = "FAIL" if scenario in RATE else "ok"
        cells[("test_never_retry", scenario)] = "ok" if scenario in CLOCK else "FAIL"
        cells[("test_raises_on_110072", scenario)] = "FAIL" if scenario == "lost_response" else "ok"
        # pybit waits out 10006 and widens recv_window, but re-raises network errors and 5xx
        pybit_ok = scenario in RATE or scenario == "clock_behind_7s"
        cells[("test_pybit_defaults", scenario)] = "ok" if pybit_ok else "FAIL"
        # ccxt retries nothing by default and signs with the local clock, recvWindow 5000
        cells[("test_ccxt_defaults", scenario)] = "FAIL"
    return cells


#: The reason (or advice) each failing kind of client must be given.
REASONS = {
    ("test_retry_at_once", "rate_limit_burst"): "retried 4 times at once after 10006",
    ("test_retry_at_once", "rate_limit_global"): "retried 4 times at once after 10006",
    ("test_fixed_short_wait", "rate_limit_burst"): "with waits that do not grow (0.2",
    ("test_fixed_short_wait", "rate_limit_global"): "with waits that do not grow (0.2",
    ("test_never_retry", "rate_limit_burst"): "'retCode': 10006",
    ("test_never_retry", "timeout@order"): "ReadTimeout",
    ("test_ccxt_defaults", "rate_limit_burst"): "RateLimitExceeded",
    ("test_ccxt_defaults", "clock_ahead_2s"): "InvalidNonce",
    ("test_pybit_defaults", "clock_ahead_2s"): "retries exceeded maximum",
    ("test_pybit_defaults", "bad_gateway@order"): "status code is not 200",
}
ADVICE = {
    ("test_never_retry", "lost_response"): "the order is live and your bot lost track of it: look it up by orderLinkId",
    ("test_pybit_defaults", "lost_response"): "the order is live and your bot lost track of it: look it up by orderLinkId ('pybit-1'",
    ("test_raises_on_110072", "lost_response"): "110072 after a retry means your first attempt landed",
    ("test_never_retry", "rate_limit_global"): "back off with growing waits when the reset header is missing",
    ("test_pybit_defaults", "timeout@signed"): "retry idempotent requests after a timeout",
    ("test_never_retry", "timeout@order"): "send an orderLinkId so the retry cannot duplicate the order",
}


def test_every_client_gets_the_verdict_the_fairness_rule_gives(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(fair_clients=CLIENTS, test_fair_bots=BOTS)
    report = pytester.path / "matrix.json"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--bybit-faults={','.join(REST_SCENARIOS)}", f"--bybit-report={report}", "-q")
    results = json.loads(report.read_text())["results"]
    cells = {(r["test"].split("::")[1], r["scenario"]): r for r in results if r["scenario"]}
    bases = {r["test"].split("::")[1]: r for r in results if r["scenario"] is None}
    assert bases, "the inner run judged nothing:\n" + "\n".join(result.outlines[-60:])
    assert set(bases) == {bot for bot, _ in expected()}
    assert all(r["verdict"] == "ok" for r in bases.values()), {b: r["reason"] for b, r in bases.items() if r["verdict"] != "ok"}

    got = {key: cells[key]["verdict"] for key in expected()}
    wrong = {key: (got[key], cells[key]["reason"]) for key, verdict in expected().items() if got[key] != verdict}
    assert not wrong, "\n".join(f"{bot} under {scenario}: expected {expected()[(bot, scenario)]}, got {v}: {why}" for (bot, scenario), (v, why) in wrong.items())

    missing = [(key, "reason", cells[key]["reason"]) for key, text in REASONS.items() if text not in cells[key]["reason"]]
    missing += [(key, "advice", cells[key]["advice"]) for key, text in ADVICE.items() if text not in cells[key]["advice"]]
    assert not missing, "\n".join(map(str, missing))
    # every failure says why and what to do
    assert all(c["reason"] and c["advice"] for c in cells.values() if c["verdict"] == "FAIL")
    survived = sum(1 for c in cells.values() if c["verdict"] == "ok")
    result.stdout.fnmatch_lines([f"survived {survived} of {len(cells)} scenario runs*"])
