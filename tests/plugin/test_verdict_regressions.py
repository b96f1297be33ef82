"""Regressions for verdicts a user could not trust: retries counted wrongly, faults that
missed the order code, the plugin's own diagnosis lost when the test failed first, and a
matrix that merged, miscounted or misaligned its rows."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
import requests

from pytest_bybit import invariants
from pytest_bybit.clock import real_monotonic

PUBLIC_TIME = "https://api-testnet.bybit.com/v5/market/time"


def wallet(bybit) -> int:
    """One signed wallet-balance request, sent once: the retCode the exchange answered."""
    ts, query = str(int(time.time() * 1000)), "accountType=UNIFIED"
    sign = hmac.new(bybit.api_secret.encode(), f"{ts}{bybit.api_key}5000{query}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-BAPI-API-KEY": bybit.api_key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN": sign}
    url = f"https://api-testnet.bybit.com/v5/account/wallet-balance?{query}"
    return requests.get(url, headers=headers, timeout=5).json()["retCode"]


def test_an_unrelated_call_after_a_10006_is_not_a_retry(bybit) -> None:
    bybit.fault("rate_limit", endpoint="/v5/account/wallet-balance")
    wallet(bybit)
    assert requests.get(PUBLIC_TIME, timeout=5).json()["retCode"] == 0  # at once, but another request
    time.sleep(1)
    assert wallet(bybit) == 0
    assert [r.ret_code for r in bybit.requests] == [10006, 0, 0]
    assert invariants.hammering(bybit.requests, bybit.injector.slept_at) == []


def test_the_same_request_again_at_once_is_hammering(bybit) -> None:
    bybit.fault("rate_limit", endpoint="/v5/account/wallet-balance", times=2)
    wallet(bybit)
    wallet(bybit)
    found = invariants.hammering(bybit.requests, bybit.injector.slept_at)
    assert len(found) == 1 and "GET /v5/account/wallet-balance retried 1 time at once after 10006" in found[0]
    bybit.requests.clear()  # judged here; the test itself stays green


def test_an_immediate_retry_on_a_loaded_machine_is_still_immediate(bybit) -> None:
    """Waits are the bot's own sleeps, not clock time: 80 ms of a busy CPU is not a backoff."""
    bybit.fault("rate_limit", endpoint="/v5/account/wallet-balance", times=2)
    wallet(bybit)
    started = real_monotonic()
    while real_monotonic() - started < 0.08:
        pass
    wallet(bybit)
    assert bybit.requests[1].time_ms - bybit.requests[0].time_ms >= 80
    found = invariants.hammering(bybit.requests, bybit.injector.slept_at)
    assert len(found) == 1 and "retried 1 time at once after 10006" in found[0]
    bybit.requests.clear()


def test_a_header_less_10006_never_hits_a_public_endpoint(bybit) -> None:
    fault = bybit.fault("rate_limit_no_headers", times=None)
    assert requests.get(PUBLIC_TIME, timeout=5).json()["retCode"] == 0
    assert wallet(bybit) == 10006
    assert fault.hits == 1
    bybit.injector.faults.remove(fault)


@pytest.mark.bybit_allow("hammering")
def test_a_rate_limit_window_answers_10006_until_its_reset_then_passes(bybit) -> None:
    bybit.fault("rate_limit_window")
    codes = []
    for _ in range(4):
        codes.append(wallet(bybit))
        time.sleep(0.25)  # a fixed wait gets through the window, but Bybit feels it as hammering
    assert codes == [10006, 10006, 10006, 0]  # 0, 0.25, 0.5 inside the 600 ms window; 0.75 after
    reset = int(bybit.requests[0].reply_headers["X-Bapi-Limit-Reset-Timestamp"])
    assert all(int(r.reply_headers["X-Bapi-Limit-Reset-Timestamp"]) == reset for r in bybit.requests[:3])
    assert bybit.requests[3].time_ms >= reset
    assert "with waits that do not grow (0.25" in invariants.hammering(bybit.requests, bybit.injector.slept_at)[0]


STARTUP_PING = """
import requests, pytest

def ping():
    for attempt in range(3):
        try:
            return requests.get("https://api-testnet.bybit.com/v5/market/time", timeout=5).json()
        except requests.exceptions.RequestException:
            continue

def test_pings_then_orders_without_retrying(bybit):
    from pybit.unified_trading import HTTP
    bybit.set_price("BTCUSDT", 50000)
    ping()
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", orderLinkId="x-1")
"""


def test_transport_faults_reach_the_order_past_a_startup_ping(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ping=STARTUP_PING)
    report = pytester.path / "r.json"
    inner("--bybit-faults=timeout,timeout@signed,timeout@order,connection_reset@order", f"--bybit-report={report}")
    verdicts = {r["scenario"]: r["verdict"] for r in json.loads(report.read_text())["results"]}
    # the plain variant is absorbed by the ping; the aimed ones meet the order code
    assert verdicts == {None: "ok", "timeout": "ok", "timeout@signed": "FAIL", "timeout@order": "FAIL", "connection_reset@order": "FAIL"}


FAILS_FIRST = """
import urllib.request
import pytest, requests
from bybit_signing import order, signed

def test_typo_in_the_path(bybit):
    requests.get("https://api-testnet.bybit.com/v5/market/tikers", params={"category": "linear"}).raise_for_status()

def test_blind_retry_then_assert(bybit):
    bybit.set_price("BTCUSDT", 50000)
    for attempt in range(2):
        try:
            signed(bybit, "POST", "/v5/order/create", order())
            break
        except requests.exceptions.ReadTimeout:
            continue
    assert len(bybit.orders) == 1

def test_foreign_host(bybit):
    urllib.request.urlopen("https://example.com/", timeout=1)

@pytest.mark.bybit_fault("server_error", endpoint="/v5/position/list")
def test_unused_fault_then_assert(bybit):
    assert 1 == 2
"""


def test_plugin_findings_survive_a_test_that_fails_first(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_first=FAILS_FIRST)
    report = pytester.path / "r.json"
    result = inner("--bybit-faults=lost_response", f"--bybit-report={report}", "-p", "no:randomly")
    text = result.stdout.str()
    # each failure report carries the plugin's own finding beside the test's error
    assert text.count("pytest-bybit found") >= 4
    result.stdout.fnmatch_lines(["*HTTPError: 404 Client Error*", "*pytest-bybit found*", "*no such endpoint (HTTP 404). did you mean GET /v5/market/tickers*"])
    result.stdout.fnmatch_lines(["*assert 2 == 1*", "*pytest-bybit found*", "*order placed twice after a lost response*"])
    result.stdout.fnmatch_lines(["*pytest-bybit found*", "*connection to example.com:443*blocked*"])
    result.stdout.fnmatch_lines(["*assert 1 == 2*", "*pytest-bybit found*", "*fault server_error (1x on /v5/position/list) was never triggered*"])
    rows = {(r["test"].split("::")[1], r["scenario"]): r for r in json.loads(report.read_text())["results"]}
    assert rows[("test_typo_in_the_path", None)]["reason"].startswith("request to https://api-testnet.bybit.com/v5/market/tikers")
    assert "did you mean GET /v5/market/tickers" in rows[("test_typo_in_the_path", None)]["reason"]
    assert "the test then failed: requests.exceptions.HTTPError: 404 Client Error" in rows[("test_typo_in_the_path", None)]["reason"]
    dup = rows[("test_blind_retry_then_assert", "lost_response")]["reason"]
    assert dup.startswith("order placed twice after a lost response") and "the test then failed: AssertionError: assert 2 == 1" in dup
    assert "connection to example.com:443" in rows[("test_foreign_host", None)]["reason"]
    assert "was never triggered" in rows[("test_unused_fault_then_assert", None)]["reason"]


PARAMETRIZED = """
import pytest, requests
from bybit_signing import signed

@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT"])
def test_price(bybit, symbol):
    for attempt in range(3):
        try:
            reply = requests.get("https://api-testnet.bybit.com/v5/market/tickers", params={"category": "linear", "symbol": symbol})
            break
        except requests.exceptions.RequestException:
            if symbol == "ETHUSDT":
                raise
    assert reply.json()["retCode"] == 0

@pytest.mark.skip(reason="not today")
def test_skipped(bybit):
    pass

@pytest.mark.xfail(reason="known")
def test_known_failure(bybit):
    assert signed(bybit, "GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"}).json()["retCode"] == 1
"""


def test_matrix_rows_per_test_id_and_counts_without_skips(inner, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    pytester.makepyfile(test_param=PARAMETRIZED)
    report = pytester.path / "r.json"
    result = inner("--bybit-faults=timeout,clock_ahead_2s", f"--bybit-report={report}")
    lines = [line for line in result.outlines if line.startswith(("test ", "test_param.py::"))]
    assert [line.split() for line in lines] == [
        ["test", "base", "timeout", "clock_ahead_2s"],
        ["test_param.py::test_known_failure", "xfail", "xfail", "xfail"],
        ["test_param.py::test_price[BTCUSDT]", "ok", "ok", "n/a"],
        ["test_param.py::test_price[ETHUSDT]", "ok", "FAIL", "n/a"],
        ["test_param.py::test_skipped", "skip", "skip", "skip"],
    ]
    # the columns line up whatever the cell says
    header = lines[0]
    starts = [header.index(c) for c in ("base", "timeout", "clock_ahead_2s")]
    for line in lines[1:]:
        assert all(line[i - 1] == " " and line[i] != " " for i in starts), line
    result.stdout.fnmatch_lines(["survived 1 of 2 scenario runs*"])  # skips, xfails and n/a are not judged
    results = json.loads(report.read_text())["results"]
    assert sorted({r["test"] for r in results}) == [
        "test_param.py::test_known_failure", "test_param.py::test_price[BTCUSDT]", "test_param.py::test_price[ETHUSDT]",
        "test_param.py::test_skipped",
    ]


def test_narrow_listing_keeps_na_and_skip_apart_from_ok(inner, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    pytester.makepyfile(test_param=PARAMETRIZED)
    result = inner("--bybit-faults=timeout,clock_ahead_2s")
    result.stdout.fnmatch_lines(
        [
            "test_param.py::test_price[BTCUSDT]: base ok",
            "  ok:   timeout",
            "  n/a:  clock_ahead_2s",
            "test_param.py::test_price[ETHUSDT]: base ok",
            "  FAIL: timeout",
            "  n/a:  clock_ahead_2s",
            "test_param.py::test_skipped: base skip",
            "  skip: timeout, clock_ahead_2s",
        ]
    )
