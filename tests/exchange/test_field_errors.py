"""A refused order names the field that is wrong, so a bot's log says what to change."""

from __future__ import annotations

import pytest
from pybit.exceptions import InvalidRequestError

LINEAR = {"category": "linear", "symbol": "BTCUSDT"}
SPOT = {"category": "spot", "symbol": "BTCUSDT"}


def _message(session, **order) -> str:
    with pytest.raises(InvalidRequestError) as err:
        session.place_order(**order)
    assert err.value.status_code == 10001
    return err.value.message


@pytest.mark.parametrize(
    ("order", "message"),
    [
        (dict(side="BUY", orderType="Market", qty="0.01"), "params error: side='BUY' is invalid: expected Buy or Sell (case-sensitive)"),
        (dict(side="Buy", orderType="market", qty="0.01"), "params error: orderType='market' is invalid: expected Market or Limit (case-sensitive)"),
        (dict(side="Buy", qty="0.01"), "params error: orderType is missing: expected Market or Limit (case-sensitive)"),
        (dict(side="Buy", orderType="Market"), 'params error: qty is missing: expected a decimal string such as "0.01"'),
        (dict(side="Buy", orderType="Limit", qty="0.01"), "params error: price is missing: expected a positive decimal string (a Limit order needs a price)"),
        (dict(side="Buy", orderType="Limit", qty="0.01", price="50000", timeInForce="GoodTillCancel"), "params error: timeInForce='GoodTillCancel' is invalid: expected GTC / IOC / FOK / PostOnly / RPI"),
    ],
)
def test_linear_field_is_named(pybit_session, exchange, order, message):
    exchange.set_price("BTCUSDT", 50000)
    assert _message(pybit_session, **LINEAR, **order) == message
    assert exchange.orders == []


def test_spot_conditional_limit_without_price_names_price(pybit_session, exchange):
    exchange.set_price("BTCUSDT", 50000)
    message = _message(pybit_session, **SPOT, side="Sell", orderType="Limit", qty="0.01", orderFilter="StopOrder", triggerPrice="49000")
    assert message.startswith("params error: price is missing")


def test_snake_case_field_is_pointed_out(pybit_session, exchange):
    """pybit passes ``order_type=`` through untouched; Bybit ignores it and misses orderType."""
    exchange.set_price("BTCUSDT", 50000)
    message = _message(pybit_session, **LINEAR, side="Buy", order_type="Market", qty="0.01")
    assert message == (
        "params error: orderType is missing: expected Market or Limit (case-sensitive)"
        " (order_type is not a V5 field and is ignored: send orderType)"
    )


def test_switch_isolated_without_leverage_says_it_is_required(pybit_session):
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.switch_margin_mode(category="linear", symbol="SOLUSDT", tradeMode=1)
    assert err.value.status_code == 10001
    assert err.value.message.startswith("params error: buyLeverage and sellLeverage are required with tradeMode (equal, 1 to ")
    assert err.value.message.endswith(" for SOLUSDT)")
