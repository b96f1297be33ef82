"""Property tests: whatever a client sends, the fake exchange answers as Bybit would.

Every endpoint is fed arbitrary JSON bodies and query strings (type-confused fields, deep
nesting, huge numbers, odd unicode) through a correctly signed request. The exchange must
never raise: it answers an envelope (a 10001 params error for the malformed ones) or one of
the gateway's own HTTP errors, and a field of the wrong JSON type is named in the message.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_bybit.exchange import FakeBybit, ManualClock, Request
from pytest_bybit.exchange.routes import ROUTES

from exchange_signing import signed_request

HOST = "https://api-testnet.bybit.com"
POST_PATHS = sorted(path for method, path in ROUTES if method == "POST")
GET_PATHS = sorted(path for method, path in ROUTES if method == "GET")
#: Fields the endpoints read: drawn often so the fuzz reaches past the first check.
FIELDS = [
    "category", "symbol", "side", "orderType", "qty", "price", "orderId", "orderLinkId", "positionIdx",
    "triggerPrice", "triggerDirection", "takeProfit", "stopLoss", "limit", "cursor", "coin", "accountType",
    "buyLeverage", "sellLeverage", "mode", "settleCoin", "baseCoin", "interval", "tradeMode", "request",
    "setMarginMode", "amount", "fromAccountType", "toAccountType", "transferId", "tpslMode", "riskId",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["linear", "spot", "inverse", "option", "BTCUSDT", "Buy", "Sell", "Limit", "Market", "0.01", "60000", "1e400", "-1", "NaN"])
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=8)
query_values = st.text(max_size=12) | st.sampled_from(["linear", "spot", "BTCUSDT", "1", "-5", "99999999999999999999", "UNIFIED"])
queries = st.dictionaries(st.sampled_from(FIELDS), query_values, max_size=6)


def _signed(ex: FakeBybit, method: str, path: str, payload: str) -> Request:
    return signed_request(ex, method, path, payload)


@pytest.fixture(scope="module")
def ex() -> FakeBybit:
    exchange = FakeBybit(clock=ManualClock(1_800_000_000_000))
    exchange.limits.ip_limit = 10**9
    return exchange


def _assert_answer(reply: Any) -> dict[str, Any] | None:
    if reply.ret_code is None:  # a gateway error: only the documented ones
        assert reply.status in (403, 404), reply
        return None
    body = reply.json()
    assert list(body) == ["retCode", "retMsg", "result", "retExtInfo", "time"]
    assert isinstance(body["retCode"], int) and isinstance(body["retMsg"], str)
    return body


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(POST_PATHS), body=bodies)
def test_any_json_body_gets_an_envelope(ex: FakeBybit, path: str, body: dict[str, Any]) -> None:
    ex.clock.advance(1001)
    _assert_answer(ex.handle(_signed(ex, "POST", path, json.dumps(body))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(GET_PATHS), query=queries)
def test_any_query_gets_an_envelope(ex: FakeBybit, path: str, query: dict[str, str]) -> None:
    ex.clock.advance(1001)
    _assert_answer(ex.handle(_signed(ex, "GET", path, urlencode(query))))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/v5/order/create", "/v5/order/cancel", "/v5/order/amend", "/v5/position/trading-stop"]),
    name=st.sampled_from(["symbol", "orderId", "orderLinkId", "category", "qty", "price"]),
    value=st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
def test_a_container_in_a_scalar_field_is_a_params_error_naming_it(ex: FakeBybit, path: str, name: str, value: Any) -> None:
    ex.clock.advance(1001)
    body = {"category": "linear", "symbol": "BTCUSDT", "orderId": "x", name: value}
    answer = _assert_answer(ex.handle(_signed(ex, "POST", path, json.dumps(body))))
    assert answer is not None and answer["retCode"] == 10001
    assert name in answer["retMsg"]


@pytest.mark.parametrize("depth", [50, 5_000, 200_000])
def test_deeply_nested_body_is_a_params_error(ex: FakeBybit, depth: int) -> None:
    ex.clock.advance(1001)
    body = '{"category":"linear","symbol":' + "[" * depth + "]" * depth + "}"
    answer = _assert_answer(ex.handle(_signed(ex, "POST", "/v5/order/create", body)))
    assert answer is not None and answer["retCode"] == 10001


def test_batch_item_with_a_container_names_the_item_field(ex: FakeBybit) -> None:
    ex.clock.advance(1001)
    body = {"category": "linear", "request": [{"symbol": "BTCUSDT", "orderLinkId": {"a": 1}}]}
    answer = _assert_answer(ex.handle(_signed(ex, "POST", "/v5/order/create-batch", json.dumps(body))))
    assert answer is not None and answer["retCode"] == 10001
    assert "request[0].orderLinkId" in answer["retMsg"]


def test_negative_cursor_is_a_params_error(ex: FakeBybit) -> None:
    ex.clock.advance(1001)
    answer = _assert_answer(ex.handle(_signed(ex, "GET", "/v5/order/history", "category=linear&cursor=-3")))
    assert answer is not None and answer["retCode"] == 10001


BASE_ORDER = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01", "price": "59000"}
odd_values = scalars | st.sampled_from(["0", "0.0000000000000000001", "1" * 40, "-0.01", "1e3", "٣", "Infinity", " 1", "1,5"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/v5/order/create", "/v5/order/amend", "/v5/order/cancel", "/v5/position/trading-stop", "/v5/position/set-leverage"]),
    mutations=st.dictionaries(st.sampled_from(FIELDS), odd_values, min_size=1, max_size=3),
)
def test_a_valid_request_with_odd_fields_gets_an_envelope(ex: FakeBybit, path: str, mutations: dict[str, Any]) -> None:
    """Past the category and symbol checks: the engine itself meets the odd values."""
    ex.clock.advance(1001)
    body = {**BASE_ORDER, "orderId": "x", "triggerDirection": 1, **mutations}
    _assert_answer(ex.handle(_signed(ex, "POST", path, json.dumps(body))))


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), [1], "1.5"], ids=repr)
@pytest.mark.parametrize(
    "path, field",
    [
        ("/v5/order/create", "positionIdx"),
        ("/v5/position/trading-stop", "positionIdx"),
        ("/v5/order/create", "triggerDirection"),
    ],
)
def test_an_integer_field_that_is_no_integer_is_a_params_error(ex: FakeBybit, path: str, field: str, value: Any) -> None:
    """``Infinity`` in the JSON made ``int()`` raise OverflowError, which no endpoint expected."""
    ex.clock.advance(1001)
    body = {**BASE_ORDER, "triggerPrice": "61000", field: value}
    answer = _assert_answer(ex.handle(_signed(ex, "POST", path, json.dumps(body))))
    assert answer is not None and answer["retCode"] == 10001
