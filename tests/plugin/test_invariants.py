"""What a bot must never do, checked after every test that uses `bybit`: duplicate orders,
hammering after a 10006, unbounded retrying, unused faults, foreign hosts; and the
``bybit_allow`` opt-outs."""

from __future__ import annotations

import pytest


def test_duplicate_orders_after_a_lost_response(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_dup="""
        import time, uuid
        import pytest, requests
        from pybit.exceptions import InvalidRequestError
        from pybit.unified_trading import HTTP

        ORDER = dict(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")

        @pytest.fixture
        def session(bybit):
            bybit.set_price("BTCUSDT", 50000)
            return HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)

        def blind_retry(session, **order):
            for attempt in range(3):
                try:
                    return session.place_order(**order)
                except requests.exceptions.Timeout:
                    time.sleep(1)

        @pytest.mark.bybit_fault("lost_response")
        def test_naive_retry_without_link_id(bybit, session):
            blind_retry(session, **ORDER)
            assert len(bybit.orders) == 2  # the bot thinks it placed one

        @pytest.mark.bybit_fault("lost_response")
        def test_retry_with_a_fresh_link_id_is_still_a_duplicate(bybit, session):
            for attempt in range(3):
                try:
                    session.place_order(**ORDER, orderLinkId=uuid.uuid4().hex)
                    break
                except requests.exceptions.Timeout:
                    time.sleep(1)

        @pytest.mark.bybit_fault("lost_response")
        def test_link_id_and_lookup(bybit, session):
            link = "buy-1"
            for attempt in range(3):
                try:
                    session.place_order(**ORDER, orderLinkId=link)
                    break
                except requests.exceptions.Timeout:
                    time.sleep(1)
                    found = session.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId=link)
                    if not found["result"]["list"]:
                        found = session.get_order_history(category="linear", symbol="BTCUSDT", orderLinkId=link)
                    if found["result"]["list"]:
                        break
            assert [o["orderLinkId"] for o in bybit.orders] == [link]

        @pytest.mark.bybit_fault("lost_response")
        def test_blind_retry_with_the_same_link_id_is_refused(bybit, session):
            try:
                blind_retry(session, **ORDER, orderLinkId="same")
            except InvalidRequestError as exc:
                assert exc.status_code == 110072  # Bybit refuses the duplicate
            assert len(bybit.orders) == 1

        @pytest.mark.bybit_allow("duplicate_orders")
        @pytest.mark.bybit_fault("lost_response")
        def test_allowed(bybit, session):
            blind_retry(session, **ORDER)
            assert len(bybit.orders) == 2
        """
    )
    result = inner("-v")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_naive_retry_without_link_id FAILED*",
            "*::test_retry_with_a_fresh_link_id_is_still_a_duplicate FAILED*",
            "*::test_link_id_and_lookup PASSED*",
            "*::test_blind_retry_with_the_same_link_id_is_refused PASSED*",
            "*::test_allowed PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: order placed twice after a lost response (Buy 0.01 BTCUSDT accepted 2 times): "
            "add orderLinkId and look the order up before retrying (BYB205)",
        ]
    )


HAMMER = """
import time
import pytest
from bybit_signing import order, signed

def hammer(bybit):
    for attempt in range(10):
        reply = signed(bybit, "POST", "/v5/order/create", order())
        if reply.json()["retCode"] == 0:
            return attempt

def patient(bybit):
    for attempt in range(10):
        reply = signed(bybit, "POST", "/v5/order/create", order())
        if reply.json()["retCode"] != 10006:
            return attempt
        reset_ms = int(reply.headers["X-Bapi-Limit-Reset-Timestamp"])
        time.sleep(max(0.0, (reset_ms - time.time() * 1000) / 1000) + 0.05)

@pytest.fixture(autouse=True)
def price(bybit):
    bybit.set_price("BTCUSDT", 50000)
"""


def test_hammering_after_10006(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_hammer=HAMMER
        + """
@pytest.mark.bybit_clock(frozen=True)
@pytest.mark.bybit_fault("rate_limit", times=3)
def test_hammer(bybit):
    assert hammer(bybit) == 3

@pytest.mark.bybit_fault("rate_limit", times=3)
def test_waits_for_the_reset(bybit):
    assert patient(bybit) == 3
    assert bybit.clock.slept > 3

@pytest.mark.bybit_allow("hammering")
@pytest.mark.bybit_clock(frozen=True)
@pytest.mark.bybit_fault("rate_limit", times=3)
def test_allowed(bybit):
    assert hammer(bybit) == 3

@pytest.mark.bybit_clock(frozen=True)
@pytest.mark.bybit_fault("rate_limit_no_headers", times=3)
def test_hammer_without_reset_header(bybit):
    assert hammer(bybit) == 3  # no reset time given: Bybit's window is a rolling second

@pytest.mark.bybit_fault("rate_limit_no_headers", times=3)
def test_a_second_without_reset_header(bybit):
    for attempt in range(10):
        if signed(bybit, "POST", "/v5/order/create", order()).json()["retCode"] == 0:
            break
        time.sleep(1.05)
"""
    )
    result = inner("-v")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_hammer FAILED*",
            "*::test_waits_for_the_reset PASSED*",
            "*::test_allowed PASSED*",
            "*::test_hammer_without_reset_header FAILED*",
            "*::test_a_second_without_reset_header PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: hammering: POST /v5/order/create retried 3 times at once after 10006 (under 50 ms): "
            "wait for X-Bapi-Limit-Reset-Timestamp, or back off with growing waits (BYB202)",
            "pytest-bybit: hammering: POST /v5/order/create retried 3 times at once after 10006 (under 50 ms)*",
        ]
    )


def test_hammering_the_exchanges_own_rate_limit(inner, pytester: pytest.Pytester) -> None:
    """The real per-UID limit (10/s for linear orders), not an injected fault."""
    pytester.makepyfile(
        test_own_limit=HAMMER
        + """
@pytest.mark.bybit_clock(frozen=True)
def test_burst_then_hammer(bybit):
    for n in range(10):
        assert signed(bybit, "POST", "/v5/order/create", order()).json()["retCode"] == 0
    assert hammer(bybit) is None  # frozen time: the window never resets
    assert [r.ret_code for r in bybit.requests].count(10006) == 10

@pytest.mark.bybit_clock(frozen=True)
def test_burst_then_wait(bybit):
    for n in range(10):
        signed(bybit, "POST", "/v5/order/create", order())
    assert patient(bybit) == 1
"""
    )
    result = inner("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*::test_burst_then_hammer FAILED*", "*::test_burst_then_wait PASSED*"])
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: hammering: POST /v5/order/create retried 9 times at once after 10006 (under 50 ms)*",
            "hammering: 10 requests to /v5/order/create in 0.0 s inside a used-up window (the endpoint allows 10 per window)*",
        ]
    )


UNBOUNDED = """
import pytest, requests

def poll(n):
    codes = [requests.get("https://api-testnet.bybit.com/v5/market/time").json()["retCode"] for _ in range(n)]
    assert set(codes) == {10016}

@pytest.mark.bybit_fault("server_error", times=None)
def test_10_attempts(bybit):
    poll(10)

@pytest.mark.bybit_fault("server_error", times=None)
def test_11_attempts(bybit):
    poll(11)

@pytest.mark.bybit_allow("unbounded_retry")
@pytest.mark.bybit_fault("server_error", times=None)
def test_allowed(bybit):
    poll(30)
"""


def test_unbounded_retry_default_threshold(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unbounded=UNBOUNDED)
    result = inner("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*::test_10_attempts PASSED*", "*::test_11_attempts FAILED*", "*::test_allowed PASSED*"])
    result.stdout.fnmatch_lines(
        ["pytest-bybit: 11 failed attempts at GET /v5/market/time: cap retries (at most 10) and give up with an error (BYB204)"]
    )


def test_unbounded_retry_threshold_from_the_ini_file(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_max_requests_per_intent = 3\n")
    pytester.makepyfile(
        test_unbounded_ini=UNBOUNDED
        + """
@pytest.mark.bybit_fault("server_error", times=None)
def test_3_attempts(bybit):
    poll(3)

def test_different_requests_are_different_intents(bybit):
    bybit.fault("server_error", times=None)
    for category in ("linear", "spot", "inverse", "option"):
        for _ in range(3):
            requests.get("https://api-testnet.bybit.com/v5/market/instruments-info", params={"category": category})
"""
    )
    result = inner("-v")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_10_attempts FAILED*",
            "*::test_11_attempts FAILED*",
            "*::test_allowed PASSED*",
            "*::test_3_attempts PASSED*",
            "*::test_different_requests_are_different_intents PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(["*10 failed attempts at GET /v5/market/time: cap retries (at most 3)*"])


def test_bad_threshold_is_a_usage_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbybit_max_requests_per_intent = ten\n")
    pytester.makepyfile("def test_it(bybit):\n    pass\n")
    result = inner()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bybit_max_requests_per_intent = *: use a positive integer*"])


def test_unused_faults(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unused="""
        import pytest, requests

        def test_fault_from_the_fixture_never_hit(bybit):
            bybit.fault("rate_limit", endpoint="/v5/order/create")
            requests.get("https://api-testnet.bybit.com/v5/market/time")

        @pytest.mark.bybit_fault("server_error", after=5)
        def test_matched_but_never_fired(bybit):
            for _ in range(5):
                requests.get("https://api-testnet.bybit.com/v5/market/time")

        @pytest.mark.bybit_fault("server_error", after=5, optional=True)
        def test_optional(bybit):
            requests.get("https://api-testnet.bybit.com/v5/market/time")

        @pytest.mark.bybit_allow("unused_faults")
        def test_allowed(bybit):
            bybit.fault("timeout")
        """
    )
    result = inner("-v")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_fault_from_the_fixture_never_hit FAILED*",
            "*::test_matched_but_never_fired FAILED*",
            "*::test_optional PASSED*",
            "*::test_allowed PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: fault rate_limit (1x on /v5/order/create) was never triggered: the test made no "
            "matching request. Point it at an endpoint the bot calls (endpoint='/v5/...') or mark it optional=True",
            "pytest-bybit: fault server_error (1x on any endpoint) was never triggered*",
        ]
    )


def test_unexpected_requests(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_hosts="""
        import pytest, requests

        def fetch(url):
            try:
                requests.get(url, timeout=1)
            except requests.exceptions.ConnectionError as exc:
                return str(exc)

        def test_plain_http_to_bybit(bybit):
            assert "blocked: not https" in fetch("http://api.bybit.com/v5/market/time")

        def test_foreign_host(bybit):
            fetch("https://api.binance.com/api/v3/time")

        @pytest.mark.bybit_allow("unexpected_requests")
        def test_allowed(bybit):
            assert "not a Bybit REST host" in fetch("https://api.binance.com/api/v3/time")
            assert bybit.unexpected  # still recorded

        def test_no_bybit_no_interception():
            from requests.adapters import HTTPAdapter
            assert HTTPAdapter.send.__qualname__ == "HTTPAdapter.send"  # responses is not patching it
        """
    )
    result = inner("-v")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*::test_plain_http_to_bybit FAILED*",
            "*::test_foreign_host FAILED*",
            "*::test_allowed PASSED*",
            "*::test_no_bybit_no_interception PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: request to http://api.bybit.com/v5/market/time blocked: not https.*",
            "pytest-bybit: request to https://api.binance.com/api/v3/time blocked: not a Bybit REST host.*",
        ]
    )


def test_several_violations_are_all_listed(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_several="""
        import pytest, requests

        @pytest.mark.bybit_fault("server_error", times=None, endpoint="/v5/market/time")
        @pytest.mark.bybit_fault("timeout", endpoint="/v5/order/create")
        def test_it(bybit):
            for _ in range(12):
                requests.get("https://api-testnet.bybit.com/v5/market/time")
            try:
                requests.get("https://example.org/")
            except requests.exceptions.ConnectionError:
                pass
        """
    )
    result = inner()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "pytest-bybit: request to https://example.org/ blocked*",
            "12 failed attempts at GET /v5/market/time*",
            "fault timeout (1x on /v5/order/create) was never triggered*",
        ]
    )


@pytest.mark.parametrize("check", ["duplicate_orders", "hammering", "unbounded_retry", "unused_faults", "unexpected_requests"])
def test_each_allow_switches_off_only_its_check(inner, pytester: pytest.Pytester, check: str) -> None:
    """One test breaks every invariant; allowing all but one leaves exactly that one's message."""
    messages = {
        "duplicate_orders": "order placed twice after a lost response*",
        "hammering": "hammering: * at once after 10006*",
        "unbounded_retry": "*failed attempts at GET /v5/market/time*",
        "unused_faults": "fault ssl_error (1x on /v5/asset/*) was never triggered*",
        "unexpected_requests": "pytest-bybit: request to https://example.org/ blocked*",
    }
    others = ", ".join(repr(c) for c in messages if c != check)
    pytester.makepyfile(
        test_allow=f"""
        import time
        import pytest, requests
        from bybit_signing import order, signed

        def everything_wrong(bybit):
            bybit.set_price("BTCUSDT", 50000)
            try:
                signed(bybit, "POST", "/v5/order/create", order())
            except requests.exceptions.Timeout:
                signed(bybit, "POST", "/v5/order/create", order())  # duplicate
            for _ in range(3):
                signed(bybit, "GET", "/v5/account/wallet-balance", {{"accountType": "UNIFIED"}})  # hammering
            for _ in range(11):
                requests.get("https://api-testnet.bybit.com/v5/market/time")  # unbounded
            try:
                requests.get("https://example.org/")
            except requests.exceptions.ConnectionError:
                pass

        FAULTS = [
            pytest.mark.bybit_clock(frozen=True),
            pytest.mark.bybit_fault("lost_response"),
            pytest.mark.bybit_fault("rate_limit", endpoint="/v5/account/wallet-balance"),
            pytest.mark.bybit_fault("server_error", endpoint="/v5/market/time", times=None),
            pytest.mark.bybit_fault("ssl_error", endpoint="/v5/asset/*"),
        ]

        @pytest.mark.bybit_allow({others})
        def test_one_check_left(bybit):
            everything_wrong(bybit)
        test_one_check_left.pytestmark += FAULTS

        @pytest.mark.bybit_allow({others}, {check!r})
        def test_all_allowed(bybit):
            everything_wrong(bybit)
        test_all_allowed.pytestmark += FAULTS
        """
    )
    result = inner("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*::test_one_check_left FAILED*", "*::test_all_allowed PASSED*"])
    result.stdout.fnmatch_lines([f"*{messages[check]}"])
    for other in messages:
        if other != check:
            result.stdout.no_fnmatch_line(f"*{messages[other]}")


def test_unknown_name_in_bybit_allow_is_a_clear_error(inner, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_allow_typo="""
        import pytest

        @pytest.mark.bybit_allow("hammer")
        def test_it(bybit):
            pass
        """
    )
    result = inner()
    result.assert_outcomes(errors=1)  # reported at setup, before the test body runs
    result.stdout.fnmatch_lines(
        [
            "*UsageError: test_allow_typo.py::test_it: bybit_allow: unknown check(s) hammer; known: duplicate_orders, hammering, "
            "unbounded_retry, unused_faults, unexpected_requests, ws_resubscribe"
        ]
    )
