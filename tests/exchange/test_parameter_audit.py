"""The audit: every documented parameter of every endpoint is either modelled or refused loudly.

``DOCS`` below is the request-parameter table of each endpoint as the V5 docs list it (written
down here, apart from the exchange's own table, so the two can disagree). The audit checks that
the exchange's table covers each one, that no endpoint is served without a table, and then
sends every refused parameter with a non-neutral value and expects the 10001 refusal naming it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pybit.exceptions import InvalidRequestError

from pytest_bybit.exchange import FakeBybit, ManualClock
from pytest_bybit.exchange.parameters import PARAMETERS
from pytest_bybit.exchange.routes import ROUTES

from exchange_signing import signed_request as _signed

PAGE = "limit cursor"
DOCS: dict[tuple[str, str], str] = {
    ("GET", "/v5/market/time"): "",
    ("GET", "/v5/market/instruments-info"): f"category symbol symbolType status baseCoin {PAGE}",
    ("GET", "/v5/market/tickers"): "category symbol baseCoin expDate",
    ("GET", "/v5/market/kline"): "category symbol interval start end limit",
    ("GET", "/v5/market/mark-price-kline"): "category symbol interval start end limit",
    ("GET", "/v5/market/index-price-kline"): "category symbol interval start end limit",
    ("GET", "/v5/market/orderbook"): "category symbol limit",
    ("GET", "/v5/market/recent-trade"): "category symbol baseCoin optionType limit",
    ("GET", "/v5/market/open-interest"): f"category symbol intervalTime startTime endTime {PAGE}",
    ("GET", "/v5/market/funding/history"): "category symbol startTime endTime limit",
    ("GET", "/v5/market/risk-limit"): "category symbol cursor",
    ("POST", "/v5/order/create"): (
        "category symbol isLeverage side orderType qty marketUnit slippageToleranceType slippageTolerance price "
        "triggerDirection orderFilter triggerPrice triggerBy orderIv timeInForce positionIdx orderLinkId takeProfit "
        "stopLoss tpTriggerBy slTriggerBy reduceOnly closeOnTrigger smpType mmp tpslMode tpLimitPrice slLimitPrice "
        "tpOrderType slOrderType bboSideType bboLevel"
    ),
    ("POST", "/v5/order/amend"): (
        "category symbol orderId orderLinkId orderIv triggerPrice qty price tpslMode takeProfit stopLoss tpTriggerBy "
        "slTriggerBy triggerBy tpLimitPrice slLimitPrice"
    ),
    ("POST", "/v5/order/cancel"): "category symbol orderId orderLinkId orderFilter",
    ("POST", "/v5/order/cancel-all"): "category symbol baseCoin settleCoin orderFilter stopOrderType",
    ("POST", "/v5/order/create-batch"): "category request",
    ("POST", "/v5/order/amend-batch"): "category request",
    ("POST", "/v5/order/cancel-batch"): "category request",
    ("GET", "/v5/order/realtime"): f"category symbol baseCoin settleCoin orderId orderLinkId openOnly orderFilter {PAGE}",
    ("GET", "/v5/order/history"): f"category symbol baseCoin settleCoin orderId orderLinkId orderFilter orderStatus startTime endTime {PAGE}",
    ("GET", "/v5/execution/list"): f"category symbol orderId orderLinkId baseCoin startTime endTime execType {PAGE}",
    ("GET", "/v5/position/list"): f"category symbol baseCoin settleCoin {PAGE}",
    ("POST", "/v5/position/set-leverage"): "category symbol buyLeverage sellLeverage",
    ("POST", "/v5/position/switch-mode"): "category symbol coin mode",
    ("POST", "/v5/position/switch-isolated"): "category symbol tradeMode buyLeverage sellLeverage",
    ("POST", "/v5/position/set-risk-limit"): "category symbol riskId positionIdx",
    ("POST", "/v5/position/trading-stop"): (
        "category symbol tpslMode positionIdx takeProfit stopLoss trailingStop tpTriggerBy slTriggerBy activePrice "
        "tpSize slSize tpLimitPrice slLimitPrice tpOrderType slOrderType"
    ),
    ("GET", "/v5/position/closed-pnl"): f"category symbol startTime endTime {PAGE}",
    ("GET", "/v5/account/wallet-balance"): "accountType coin",
    ("GET", "/v5/account/fee-rate"): "category symbol baseCoin",
    ("GET", "/v5/account/info"): "",
    ("GET", "/v5/account/transaction-log"): f"accountType category currency baseCoin type startTime endTime {PAGE}",
    ("POST", "/v5/account/set-margin-mode"): "setMarginMode",
    ("GET", "/v5/user/query-api"): "",
    ("GET", "/v5/asset/coin/query-info"): "coin",
    ("POST", "/v5/asset/transfer/inter-transfer"): "transferId coin amount fromAccountType toAccountType",
    ("GET", "/v5/asset/transfer/query-inter-transfer-list"): f"transferId coin status startTime endTime {PAGE}",
    ("GET", "/v5/asset/transfer/query-account-coin-balance"): (
        "memberId toMemberId accountType coin toAccountType withBonus withTransferSafeAmount withLtvTransferSafeAmount"
    ),
    ("GET", "/v5/asset/deposit/query-record"): f"id txID coin startTime endTime {PAGE}",
}

#: A value that means "use it" for each refused parameter (anything but its neutral value).
NON_NEUTRAL = {
    "tpOrderType": "Limit", "slOrderType": "Limit", "isLeverage": 1, "smpType": "CancelMaker", "mmp": True,
    "trailingStop": "100", "activePrice": "61000", "tpLimitPrice": "62000", "slLimitPrice": "58000",
}


def test_every_served_endpoint_has_a_parameter_table() -> None:
    assert set(ROUTES) == set(PARAMETERS) == set(DOCS)


@pytest.mark.parametrize("key", sorted(DOCS))
def test_every_documented_parameter_is_modelled_or_refused(key: tuple[str, str]) -> None:
    modelled, refused = PARAMETERS[key]
    documented = set(DOCS[key].split())
    assert documented - (modelled | set(refused)) == set(), f"{key}: neither modelled nor refused"
    assert (modelled | set(refused)) - documented == set(), f"{key}: not a documented parameter"
    for name in modelled & set(refused):  # modelled for some values only: the neutral ones
        assert [v for v in refused[name].neutral if v not in (None, "")], name


REFUSED = [(key, name) for key in sorted(PARAMETERS) for name in sorted(PARAMETERS[key][1])]


@pytest.fixture(scope="module")
def ex() -> FakeBybit:
    exchange = FakeBybit(clock=ManualClock(1_800_000_000_000))
    exchange.open_position("BTCUSDT", "Buy", "0.01")
    return exchange


@pytest.mark.parametrize(("key", "name"), REFUSED, ids=[f"{k[1]}:{n}" for k, n in REFUSED])
def test_each_refused_parameter_is_refused_loudly(ex: FakeBybit, key: tuple[str, str], name: str) -> None:
    method, path = key
    ex.clock.advance(1001)
    params: dict[str, Any] = {"category": "linear", "symbol": "BTCUSDT", name: NON_NEUTRAL.get(name, "1")}
    payload = json.dumps(params) if method == "POST" else "&".join(f"{k}={v}" for k, v in params.items())
    answer = ex.handle(_signed(ex, method, path, payload)).json()
    assert answer["retCode"] == 10001
    assert f"params error: {name}: " in answer["retMsg"] and "not modelled by pytest-bybit" in answer["retMsg"]
    assert "github.com/pytest-bybit/pytest-bybit/issues" in answer["retMsg"]


@pytest.mark.parametrize("path", ["/v5/order/create-batch", "/v5/order/amend-batch"])
def test_batch_items_are_audited_too(ex: FakeBybit, path: str) -> None:
    ex.clock.advance(1001)
    body = {"category": "linear", "request": [{"symbol": "BTCUSDT", "orderId": "x", "tpLimitPrice": "62000"}]}
    answer = ex.handle(_signed(ex, "POST", path, json.dumps(body))).json()
    assert answer["retCode"] == 10001 and "request[0].tpLimitPrice" in answer["retMsg"]


@pytest.mark.parametrize("name", ["smpType", "mmp"])
def test_neutral_values_pass(pybit_session, name: str) -> None:
    neutral = {"smpType": "None", "mmp": False}[name]
    placed = pybit_session.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.01", price="59000", **{name: neutral}
    )
    assert placed["retCode"] == 0


def test_limit_stop_loss_through_pybit_is_refused_not_ignored(exchange: FakeBybit, pybit_session) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.1")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.set_trading_stop(
            category="linear", symbol="BTCUSDT", positionIdx=0, tpslMode="Partial", stopLoss="58000", slSize="0.1",
            slOrderType="Limit", slLimitPrice="57900",
        )
    assert err.value.status_code == 10001 and "not modelled by pytest-bybit" in err.value.message
    assert exchange.position("BTCUSDT").stop_loss == 0 and not exchange.account.open_orders()


def test_smp_through_ccxt_is_refused(exchange: FakeBybit, ccxt_client) -> None:
    import ccxt

    with pytest.raises(ccxt.BadRequest, match="smpType: self-match prevention"):
        ccxt_client.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, 59000, {"smpType": "CancelTaker"})
