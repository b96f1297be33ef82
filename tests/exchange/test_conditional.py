"""Conditional orders and TP/SL through unmodified pybit and ccxt.

A conditional order rests Untriggered (holding no margin) until its price source crosses the
trigger, then becomes a live order; TP/SL sent with an order or set through trading-stop close
the position when the price crosses them (Full: all of it; Partial: the given size).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pybit.exceptions import InvalidRequestError

from pytest_bybit.exchange import FakeBybit


def _order(session, order_id: str) -> dict:
    return session.get_open_orders(category="linear", orderId=order_id)["result"]["list"][0]


def test_conditional_market_order_rests_until_the_price_rises_through_it(exchange: FakeBybit, pybit_session) -> None:
    placed = pybit_session.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01",
        triggerPrice="61000", triggerDirection=1, orderLinkId="breakout-1",
    )["result"]
    row = _order(pybit_session, placed["orderId"])
    assert (row["orderStatus"], row["stopOrderType"], row["triggerPrice"], row["triggerDirection"], row["triggerBy"]) == (
        "Untriggered", "Stop", "61000.00", 1, "LastPrice",
    )
    assert exchange.position("BTCUSDT") is None
    wallet = pybit_session.get_wallet_balance(accountType="UNIFIED", coin="USDT")["result"]["list"][0]["coin"][0]
    assert wallet["totalOrderIM"] == "0"  # an untriggered order holds no margin

    exchange.set_price("BTCUSDT", "60900")
    assert _order(pybit_session, placed["orderId"])["orderStatus"] == "Untriggered"
    exchange.set_price("BTCUSDT", "61050")
    row = pybit_session.get_order_history(category="linear", orderId=placed["orderId"])["result"]["list"][0]
    assert row["orderStatus"] == "Filled" and row["avgPrice"] == "61050.00"
    assert exchange.position("BTCUSDT").size == Decimal("0.01")


def test_conditional_limit_order_by_mark_price_becomes_a_resting_limit(exchange: FakeBybit, ccxt_client) -> None:
    order = ccxt_client.create_order(
        "BTC/USDT:USDT", "limit", "sell", 0.01, 59400,
        {"triggerPrice": 59000, "triggerDirection": "below", "triggerBy": "MarkPrice"},
    )
    sent = exchange.requests.last.params
    assert sent["triggerDirection"] == 2 and sent["triggerBy"] == "MarkPrice"
    assert ccxt_client.fetch_open_order(order["id"], "BTC/USDT:USDT")["status"] == "open"
    exchange.set_mark_price("BTCUSDT", "59500")
    exchange.set_price("BTCUSDT", "58900")  # the last price crosses, the pinned mark price does not
    assert exchange.engine.accounts[exchange.account.uid].orders[order["id"]].status == "Untriggered"
    exchange.set_mark_price("BTCUSDT", "59000")
    live = ccxt_client.fetch_open_order(order["id"], "BTC/USDT:USDT")
    assert live["info"]["orderStatus"] == "New" and live["price"] == 59400.0


def test_index_price_trigger_and_cancel_before_trigger_deactivates(exchange: FakeBybit, pybit_session) -> None:
    placed = pybit_session.place_order(
        category="linear", symbol="ETHUSDT", side="Sell", orderType="Market", qty="0.1",
        triggerPrice="2900", triggerDirection=2, triggerBy="IndexPrice",
    )["result"]
    exchange.set_index_price("ETHUSDT", "2950")
    exchange.set_price("ETHUSDT", "2800")
    assert _order(pybit_session, placed["orderId"])["orderStatus"] == "Untriggered"
    pybit_session.cancel_order(category="linear", symbol="ETHUSDT", orderId=placed["orderId"])
    row = pybit_session.get_order_history(category="linear", orderId=placed["orderId"])["result"]["list"][0]
    assert row["orderStatus"] == "Deactivated"
    exchange.set_index_price("ETHUSDT", "2850")
    assert exchange.position("ETHUSDT") is None


@pytest.mark.parametrize(
    ("direction", "trigger", "code", "wording"),
    [(1, "59000", 110092, "expect Rising"), (2, "61000", 110093, "expect Falling"), (3, "61000", 10001, "triggerDirection")],
)
def test_trigger_on_the_wrong_side_is_refused(pybit_session, direction: int, trigger: str, code: int, wording: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01",
            triggerPrice=trigger, triggerDirection=direction,
        )
    assert err.value.status_code == code and wording in err.value.message


def test_conditional_order_amend_moves_the_trigger(exchange: FakeBybit, pybit_session) -> None:
    placed = pybit_session.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01",
        triggerPrice="61000", triggerDirection=1,
    )["result"]
    pybit_session.amend_order(category="linear", symbol="BTCUSDT", orderId=placed["orderId"], triggerPrice="62000")
    exchange.set_price("BTCUSDT", "61500")
    assert _order(pybit_session, placed["orderId"])["triggerPrice"] == "62000.00"
    exchange.set_price("BTCUSDT", "62000")
    assert exchange.position("BTCUSDT").size == Decimal("0.01")


def test_order_filter_separates_conditional_orders(exchange: FakeBybit, pybit_session) -> None:
    plain = pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.01", price="59000")["result"]
    stop = pybit_session.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", triggerPrice="61000", triggerDirection=1,
    )["result"]
    ids = lambda f: {o["orderId"] for o in pybit_session.get_open_orders(category="linear", symbol="BTCUSDT", **f)["result"]["list"]}  # noqa: E731
    assert ids({}) == {plain["orderId"], stop["orderId"]}
    assert ids({"orderFilter": "Order"}) == {plain["orderId"]}
    assert ids({"orderFilter": "StopOrder"}) == {stop["orderId"]}


def test_take_profit_on_create_fires_on_set_price(exchange: FakeBybit, pybit_session) -> None:
    pybit_session.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.02",
        takeProfit="63000", stopLoss="58000",
    )
    pos = pybit_session.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert (pos["size"], pos["takeProfit"], pos["stopLoss"]) == ("0.020", "63000.00", "58000.00")
    exchange.set_price("BTCUSDT", "62900")
    assert exchange.position("BTCUSDT").size == Decimal("0.02")
    exchange.set_price("BTCUSDT", "63100")
    pos = pybit_session.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert pos["size"] == "0" and pos["takeProfit"] == "0"
    closing = pybit_session.get_order_history(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert (closing["stopOrderType"], closing["side"], closing["orderStatus"], closing["reduceOnly"]) == ("TakeProfit", "Sell", "Filled", True)
    fills = pybit_session.get_executions(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert fills[0]["stopOrderType"] == "TakeProfit" and fills[0]["execPrice"] == "63100.00"
    pnl = pybit_session.get_closed_pnl(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert pnl["closedPnl"] == "62" and pnl["avgEntryPrice"] == "60000.00" and pnl["avgExitPrice"] == "63100.00"


def test_stop_loss_through_trading_stop_fires_for_a_short(exchange: FakeBybit, ccxt_client) -> None:
    exchange.open_position("BTCUSDT", "Sell", "0.05", price="60000")
    ccxt_client.private_post_v5_position_trading_stop(
        {"category": "linear", "symbol": "BTCUSDT", "positionIdx": 0, "tpslMode": "Full", "stopLoss": "61000", "slTriggerBy": "MarkPrice"}
    )
    exchange.set_mark_price("BTCUSDT", "60900")
    exchange.set_price("BTCUSDT", "61500")
    assert exchange.position("BTCUSDT").size == Decimal("0.05")  # the mark has not crossed
    exchange.set_mark_price("BTCUSDT", "61000")
    assert exchange.position("BTCUSDT").size == 0
    trades = ccxt_client.fetch_my_trades("BTC/USDT:USDT")
    assert trades[-1]["side"] == "buy" and trades[-1]["info"]["stopOrderType"] == "StopLoss"


def test_partial_take_profit_closes_only_its_size(exchange: FakeBybit, pybit_session) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000")
    pybit_session.set_trading_stop(
        category="linear", symbol="BTCUSDT", positionIdx=0, tpslMode="Partial", takeProfit="62000", tpSize="0.04",
    )
    partial = pybit_session.get_open_orders(category="linear", symbol="BTCUSDT", orderFilter="tpslOrder")["result"]["list"]
    assert [(o["stopOrderType"], o["qty"], o["orderStatus"], o["tpslMode"]) for o in partial] == [("PartialTakeProfit", "0.040", "Untriggered", "Partial")]
    exchange.set_price("BTCUSDT", "62000")
    assert exchange.position("BTCUSDT").size == Decimal("0.06")


def test_cancelling_a_full_stop_with_zero(exchange: FakeBybit, pybit_session) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000")
    pybit_session.set_trading_stop(category="linear", symbol="BTCUSDT", positionIdx=0, tpslMode="Full", stopLoss="59000")
    pybit_session.set_trading_stop(category="linear", symbol="BTCUSDT", positionIdx=0, tpslMode="Full", stopLoss="0")
    exchange.set_price("BTCUSDT", "58000")
    assert exchange.position("BTCUSDT").size == Decimal("0.1")


@pytest.mark.parametrize(("field", "value", "word"), [("takeProfit", "59000", "higher"), ("stopLoss", "61000", "lower")])
def test_tp_sl_on_the_wrong_side_is_refused(pybit_session, field: str, value: str, word: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", **{field: value})
    assert err.value.status_code == 10001 and f"should be {word} than base_price:60000.00" in err.value.message


def test_spot_conditional_infers_its_direction_and_checks_funds_when_it_triggers(exchange: FakeBybit, pybit_session) -> None:
    placed = pybit_session.place_order(
        category="spot", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.5", marketUnit="baseCoin",
        triggerPrice="59000", orderFilter="tpslOrder",
    )["result"]
    row = pybit_session.get_open_orders(category="spot", orderId=placed["orderId"])["result"]["list"][0]
    assert (row["orderStatus"], row["triggerDirection"], row["stopOrderType"]) == ("Untriggered", 2, "tpslOrder")
    exchange.set_balance("BTC", "0.1")  # less than the order sells by the time it triggers
    exchange.set_price("BTCUSDT", "58900")
    row = pybit_session.get_order_history(category="spot", orderId=placed["orderId"])["result"]["list"][0]
    assert row["orderStatus"] == "Deactivated" and exchange.balance("BTC") == Decimal("0.1")


def test_closing_the_position_deactivates_its_partial_stops(exchange: FakeBybit, pybit_session) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000")
    pybit_session.set_trading_stop(category="linear", symbol="BTCUSDT", positionIdx=0, tpslMode="Partial", stopLoss="58000", slSize="0.1")
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.1", reduceOnly=True)
    stops = pybit_session.get_order_history(category="linear", symbol="BTCUSDT", orderFilter="tpslOrder")["result"]["list"]
    assert [(o["stopOrderType"], o["orderStatus"]) for o in stops] == [("PartialStopLoss", "Deactivated")]
    exchange.set_price("BTCUSDT", "57000")
    assert exchange.position("BTCUSDT").size == 0


def test_order_filter_on_a_linear_create_is_refused(pybit_session) -> None:
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", orderFilter="tpslOrder")
    assert err.value.status_code == 10001 and "orderFilter" in err.value.message


def test_ccxt_unified_tp_sl_and_stop_loss_price(exchange: FakeBybit, ccxt_client) -> None:
    ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.02, None, {"takeProfit": {"triggerPrice": 62000}, "stopLoss": {"triggerPrice": 58000}})
    position = ccxt_client.fetch_position("BTC/USDT:USDT")
    assert (position["takeProfitPrice"], position["stopLossPrice"]) == (62000.0, 58000.0)
    stop = ccxt_client.create_order("BTC/USDT:USDT", "market", "sell", 0.01, None, {"stopLossPrice": 59000, "reduceOnly": True})
    assert exchange.requests.last.params["triggerDirection"] == 2
    assert ccxt_client.fetch_open_order(stop["id"], "BTC/USDT:USDT")["info"]["orderStatus"] == "Untriggered"
    exchange.set_price("BTCUSDT", "59000")  # the reduce-only stop closes half
    assert exchange.position("BTCUSDT").size == Decimal("0.01")
    exchange.set_price("BTCUSDT", "58000")  # the position's own stop loss closes the rest
    assert exchange.position("BTCUSDT").size == 0
    with pytest.raises(Exception, match="slOrderType: Limit take-profit / stop-loss orders"):
        ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.01, None, {"stopLoss": {"triggerPrice": 57000, "type": "limit", "price": 56900}})


def test_conditional_orders_have_their_own_cap(exchange: FakeBybit, pybit_session) -> None:
    exchange.max_active_orders = 1
    exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "59000")  # the one plain order allowed
    for i in range(10):
        pybit_session.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01",
            triggerPrice=str(61000 + i * 100), triggerDirection=1,
        )
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", triggerPrice="63000", triggerDirection=1)
    assert err.value.status_code == 110009
