"""Orders: validation against the instrument filters, each error from its real cause, and fills."""

from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest
from pybit.exceptions import InvalidRequestError


def _rejects(session, code, message=None, **order):
    with pytest.raises(InvalidRequestError) as err:
        session.place_order(**order)
    assert err.value.status_code == code, err.value.message
    if message is not None:
        assert err.value.message == message
    return err.value


LINEAR = {"category": "linear", "symbol": "BTCUSDT"}
SPOT = {"category": "spot", "symbol": "BTCUSDT"}


# --- linear filters ---------------------------------------------------------------------------


@pytest.mark.parametrize("qty", ["0", "0.0005"])
def test_linear_qty_below_min(pybit_session, qty):
    _rejects(pybit_session, 10001, "The number of contracts exceeds minimum limit allowed", **LINEAR, side="Buy", orderType="Market", qty=qty)


def test_linear_float_qty_off_step(pybit_session, exchange):
    # pybit turns the float into "0.30000000000000004": not a multiple of qtyStep 0.001.
    err = _rejects(pybit_session, 10001, **LINEAR, side="Buy", orderType="Market", qty=0.1 + 0.2)
    assert '"qty": "0.30000000000000004"' in err.request
    _rejects(pybit_session, 10001, "params error: Qty invalid", **LINEAR, side="Buy", orderType="Market", qty="0.0015")
    assert exchange.orders == []


def test_linear_market_qty_above_max_mkt_order_qty_scaled_by_1e8(pybit_session):
    _rejects(
        pybit_session,
        10001,
        "The number of contracts exceeds maximum limit allowed: too large, order_qty:60000000000 > max_qty:50000000000",
        **LINEAR, side="Buy", orderType="Market", qty="600",
    )


def test_linear_limit_qty_above_max_order_qty(pybit_session):
    err = _rejects(pybit_session, 10001, **LINEAR, side="Buy", orderType="Limit", qty="1200", price="50000")
    assert err.message.endswith("order_qty:120000000000 > max_qty:119000000000")


def test_linear_notional_below_min_is_110094(pybit_session):
    _rejects(pybit_session, 110094, "Order notional value below the lower limit", category="linear", symbol="ETHUSDT", side="Buy", orderType="Limit", qty="0.01", price="400")


def test_linear_price_off_tick_is_10001(pybit_session):
    _rejects(pybit_session, 10001, **LINEAR, side="Buy", orderType="Limit", qty="0.001", price="59000.05")


def test_linear_price_out_of_band_is_110003(pybit_session, exchange):
    # Buy limit: at most price * (1 + priceLimitRatioX) = 60600.
    assert pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price="60600")["retCode"] == 0
    _rejects(pybit_session, 110003, "Order price exceeds the allowable range.", **LINEAR, side="Buy", orderType="Limit", qty="0.001", price="60600.1")
    _rejects(pybit_session, 110003, **LINEAR, side="Sell", orderType="Limit", qty="0.001", price="59399.9")
    _rejects(pybit_session, 110003, **LINEAR, side="Sell", orderType="Limit", qty="0.001", price="2000000")


def test_filter_change_takes_effect(pybit_session, exchange):
    exchange.instrument("linear", "BTCUSDT").set_filter("lotSizeFilter", qtyStep="0.01", minOrderQty="0.01")
    _rejects(pybit_session, 10001, **LINEAR, side="Buy", orderType="Market", qty="0.005")
    info = pybit_session.get_instruments_info(**LINEAR)["result"]["list"][0]
    assert info["lotSizeFilter"]["qtyStep"] == "0.01"


def test_ccxt_rounds_amounts_itself_and_passes(exchange, ccxt_client):
    order = ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.1 + 0.2)
    assert exchange.requests.last.params["qty"] == "0.3"
    assert exchange.orders[-1]["orderId"] == order["id"]


# --- spot filters ---------------------------------------------------------------------------


def test_spot_limit_qty_decimals_170137(pybit_session):
    _rejects(pybit_session, 170137, "Order volume decimal too long", **SPOT, side="Buy", orderType="Limit", qty="0.0010001", price="59000")


def test_spot_market_qty_decimals_170148(pybit_session):
    _rejects(pybit_session, 170148, "Market order amount decimal too long", **SPOT, side="Sell", orderType="Market", qty="0.0010001")
    # Market Buy is in USDT by default (marketUnit=quoteCoin): quotePrecision 0.0000001.
    _rejects(pybit_session, 170148, **SPOT, side="Buy", orderType="Market", qty="10.00000001")


def test_spot_qty_below_minimum_170136(pybit_session):
    _rejects(pybit_session, 170136, "Order quantity lower than the minimum.", **SPOT, side="Buy", orderType="Limit", qty="0.00001", price="59000")


def test_spot_value_below_min_order_amt_170140(pybit_session):
    _rejects(pybit_session, 170140, "Order value exceeded lower limit", **SPOT, side="Buy", orderType="Limit", qty="0.00005", price="59000")
    _rejects(pybit_session, 170140, **SPOT, side="Buy", orderType="Market", qty="4")


def test_spot_price_decimals_170134(pybit_session):
    _rejects(pybit_session, 170134, "Order price decimal too long.", **SPOT, side="Buy", orderType="Limit", qty="0.001", price="59000.05")


def test_spot_price_band_170193_170194(pybit_session):
    _rejects(pybit_session, 170193, "Buy price cannot be higher than 60300.0", **SPOT, side="Buy", orderType="Limit", qty="0.001", price="60400")
    _rejects(pybit_session, 170194, "Sell price cannot be lower than 59700.0", **SPOT, side="Sell", orderType="Limit", qty="0.001", price="59000")


def test_spot_market_buy_is_in_quote_coin(pybit_session, exchange):
    r = pybit_session.place_order(**SPOT, side="Buy", orderType="Market", qty="100")
    order = pybit_session.get_open_orders(**SPOT, orderId=r["result"]["orderId"])["result"]["list"][0]
    assert order["orderStatus"] == "Filled"
    assert order["cumExecQty"] == "0.001666"  # 100 USDT / 60000, truncated to basePrecision
    assert order["marketUnit"] == "quoteCoin"
    assert exchange.balance("BTC") == Decimal("1") + Decimal("0.001666") - Decimal("0.00000167")
    assert exchange.balance("USDT") == Decimal("100000") - Decimal("99.96")


def test_ccxt_invalid_order_classes(exchange, ccxt_client):
    ccxt_client.load_markets()
    with pytest.raises(ccxt.InvalidOrder, match="170140"):
        ccxt_client.create_order("BTC/USDT", "limit", "buy", 0.00005, 59000)
    with pytest.raises(ccxt.InvalidOrder, match="110003"):
        ccxt_client.create_order("BTC/USDT:USDT", "limit", "buy", 0.001, 70000)


# --- account-level rules ---------------------------------------------------------------------


def test_duplicate_order_link_id_110072(pybit_session, exchange, ccxt_client):
    order = dict(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price="59000", orderLinkId="bot-1")
    assert pybit_session.place_order(**order)["result"]["orderLinkId"] == "bot-1"
    _rejects(pybit_session, 110072, "OrderLinkedID is duplicate", **order)
    with pytest.raises(ccxt.InvalidOrder, match="110072"):
        ccxt_client.create_order("BTC/USDT:USDT", "limit", "buy", 0.001, 59000, params={"orderLinkId": "bot-1"})
    assert len(exchange.orders) == 1


def test_insufficient_balance(pybit_session, exchange, ccxt_client):
    exchange.set_balance("USDT", "10")
    _rejects(pybit_session, 110007, "ab not enough for new order", **LINEAR, side="Buy", orderType="Market", qty="0.01")
    _rejects(pybit_session, 170131, "Balance insufficient", **SPOT, side="Buy", orderType="Limit", qty="0.001", price="59000")
    with pytest.raises(ccxt.InsufficientFunds):
        ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.01)


def test_unknown_order(pybit_session, ccxt_client):
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.cancel_order(**LINEAR, orderId="no-such-order")
    assert (err.value.status_code, err.value.message) == (110001, "Order does not exist")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.cancel_order(**SPOT, orderId="123")
    assert err.value.status_code == 170213
    with pytest.raises(ccxt.OrderNotFound):
        ccxt_client.cancel_order("6e8bc4ba-0000-4000-8000-000000000000", "BTC/USDT:USDT")


def test_hedge_mode_requires_position_idx(pybit_session, exchange):
    assert pybit_session.switch_position_mode(category="linear", symbol="BTCUSDT", mode=3)["retCode"] == 0
    _rejects(pybit_session, 10001, "position idx not match position mode", **LINEAR, side="Buy", orderType="Market", qty="0.001")
    assert pybit_session.place_order(**LINEAR, side="Buy", orderType="Market", qty="0.001", positionIdx=1)["retCode"] == 0
    rows = pybit_session.get_positions(**LINEAR)["result"]["list"]
    assert [(r["positionIdx"], r["side"], r["size"]) for r in rows] == [(1, "Buy", "0.001"), (2, "", "0")]
    # One-way mode refuses a hedge index.
    pybit_session.place_order(**LINEAR, side="Sell", orderType="Market", qty="0.001", positionIdx=1)
    pybit_session.switch_position_mode(category="linear", symbol="BTCUSDT", mode=0)
    _rejects(pybit_session, 10001, "position idx not match position mode", **LINEAR, side="Buy", orderType="Market", qty="0.001", positionIdx=2)


def test_too_many_active_orders_110020(pybit_session, exchange):
    exchange.max_active_orders = 2
    for price in ("59000", "58000"):
        pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price=price)
    _rejects(pybit_session, 110020, "Not allowed to have more than 2 active orders.", **LINEAR, side="Buy", orderType="Limit", qty="0.001", price="57000")


def test_reduce_only_without_position_110017(pybit_session):
    _rejects(pybit_session, 110017, **LINEAR, side="Sell", orderType="Market", qty="0.001", reduceOnly=True)


# --- lifecycle -------------------------------------------------------------------------------


def test_market_order_fills_and_moves_position_and_wallet(pybit_session, exchange):
    pybit_session.place_order(**LINEAR, side="Buy", orderType="Market", qty="0.01")
    order = exchange.orders[0]
    assert order["orderStatus"] == "Filled" and order["cumExecQty"] == "0.01" and order["avgPrice"] == "60000.00"
    assert order["cumExecFee"] == "0.33"  # 600 * 0.00055 taker
    exchange.set_price("BTCUSDT", "61000")
    pos = pybit_session.get_positions(**LINEAR)["result"]["list"][0]
    assert (pos["side"], pos["size"], pos["avgPrice"], pos["unrealisedPnl"]) == ("Buy", "0.010", "60000.00", "10")
    pybit_session.place_order(**LINEAR, side="Sell", orderType="Market", qty="0.01", reduceOnly=True)
    assert exchange.position("BTCUSDT").size == 0
    assert exchange.balance("USDT") == Decimal("100000") + 10 - Decimal("0.33") - Decimal("0.3355")
    fills = pybit_session.get_executions(**LINEAR)["result"]["list"]
    assert [f["side"] for f in fills] == ["Sell", "Buy"] and fills[0]["execPrice"] == "61000.00"


def test_limit_order_rests_then_fills_as_maker(pybit_session, exchange):
    r = pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.01", price="59000", orderLinkId="dip")
    open_orders = pybit_session.get_open_orders(**LINEAR)["result"]["list"]
    assert [(o["orderLinkId"], o["orderStatus"], o["leavesQty"]) for o in open_orders] == [("dip", "New", "0.01")]
    exchange.set_price("BTCUSDT", "58950")
    assert pybit_session.get_open_orders(**LINEAR)["result"]["list"] == []
    done = pybit_session.get_order_history(**LINEAR, orderId=r["result"]["orderId"])["result"]["list"][0]
    assert (done["orderStatus"], done["avgPrice"], done["cumExecFee"]) == ("Filled", "59000.00", "0.118")


def test_partial_fill_then_cancel(pybit_session, exchange):
    r = pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.01", price="59000")
    exchange.fill_order(r["result"]["orderId"], qty="0.004")
    order = pybit_session.get_open_orders(**LINEAR)["result"]["list"][0]
    assert (order["orderStatus"], order["cumExecQty"], order["leavesQty"]) == ("PartiallyFilled", "0.004", "0.006")
    pybit_session.cancel_order(**LINEAR, orderId=r["result"]["orderId"])
    assert exchange.orders[0]["orderStatus"] == "Cancelled" and exchange.orders[0]["cancelType"] == "CancelByUser"


def test_amend_and_cancel_all(pybit_session, exchange):
    r = pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.01", price="59000", orderLinkId="a")
    pybit_session.place_order(**LINEAR, side="Sell", orderType="Limit", qty="0.01", price="61000", orderLinkId="b")
    amended = pybit_session.amend_order(**LINEAR, orderLinkId="a", price="59500", qty="0.02")
    assert amended["result"] == {"orderId": r["result"]["orderId"], "orderLinkId": "a"}
    assert exchange.orders[0]["price"] == "59500.00" and exchange.orders[0]["qty"] == "0.020"
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.amend_order(**LINEAR, orderLinkId="a", price="59500.05")
    assert err.value.status_code == 10001
    cancelled = pybit_session.cancel_all_orders(**LINEAR)["result"]
    assert cancelled["success"] == "1" and {o["orderLinkId"] for o in cancelled["list"]} == {"a", "b"}
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.amend_order(**LINEAR, orderLinkId="a", price="59000")
    assert err.value.status_code == 110001


def test_crossing_limit_fills_at_once_and_post_only_is_cancelled(pybit_session, exchange):
    pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price="60500")
    pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price="60500", timeInForce="PostOnly")
    first, second = exchange.orders
    assert first["orderStatus"] == "Filled" and first["avgPrice"] == "60000.00"
    assert second["orderStatus"] == "Cancelled" and second["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"


def test_batch_create_reports_per_item(pybit_session, exchange):
    result = pybit_session.place_batch_order(
        category="linear",
        request=[
            {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "59000", "orderLinkId": "x1"},
            {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.0001", "price": "59000", "orderLinkId": "x2"},
        ],
    )
    assert [i["orderLinkId"] for i in result["result"]["list"]] == ["x1", "x2"]
    assert result["result"]["list"][1]["orderId"] == ""
    assert [e["code"] for e in result["retExtInfo"]["list"]] == [0, 10001]
    assert len(exchange.orders) == 1


def test_order_ids_linear_uuid_spot_numeric(pybit_session):
    linear = pybit_session.place_order(**LINEAR, side="Buy", orderType="Limit", qty="0.001", price="59000")["result"]["orderId"]
    spot = pybit_session.place_order(**SPOT, side="Buy", orderType="Limit", qty="0.001", price="59000")["result"]["orderId"]
    assert len(linear) == 36 and linear.count("-") == 4
    assert spot.isdigit()


def test_ccxt_full_cycle(exchange, ccxt_client):
    order = ccxt_client.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, 59000)
    assert ccxt_client.fetch_open_orders("BTC/USDT:USDT")[0]["id"] == order["id"]
    ccxt_client.cancel_order(order["id"], "BTC/USDT:USDT")
    assert ccxt_client.fetch_open_orders("BTC/USDT:USDT") == []
    ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.01)
    positions = ccxt_client.fetch_positions(["BTC/USDT:USDT"])
    assert positions[0]["contracts"] == 0.01 and positions[0]["side"] == "long"
    balance = ccxt_client.fetch_balance()
    assert balance["USDT"]["total"] == pytest.approx(100000 - 0.33)
    trades = ccxt_client.fetch_my_trades("BTC/USDT:USDT")
    assert len(trades) == 1 and trades[0]["price"] == 60000


def test_inverse_order_settles_in_btc(pybit_session, exchange):
    pybit_session.place_order(category="inverse", symbol="BTCUSD", side="Buy", orderType="Market", qty="600")
    exchange.set_price("BTCUSD", "66000")
    pos = pybit_session.get_positions(category="inverse", symbol="BTCUSD")["result"]["list"][0]
    assert pos["size"] == "600"
    # 600 USD of contracts: 0.01 BTC at 60000, worth 600/66000 BTC now.
    assert pos["unrealisedPnl"] == "0.00090909"  # (1/60000 - 1/66000) * 600, in BTC
    _rejects(pybit_session, 10001, "params error: Qty invalid", category="inverse", symbol="BTCUSD", side="Buy", orderType="Market", qty="1.5")


def test_leverage(pybit_session, ccxt_client):
    assert pybit_session.set_leverage(**LINEAR, buyLeverage="5", sellLeverage="5")["retCode"] == 0
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.set_leverage(**LINEAR, buyLeverage="5", sellLeverage="5")
    assert (err.value.status_code, err.value.message) == (110043, "Set leverage not modified")
    with pytest.raises(ccxt.BadRequest, match="110043"):
        ccxt_client.set_leverage(5, "BTC/USDT:USDT")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.set_leverage(**LINEAR, buyLeverage="101", sellLeverage="101")
    assert err.value.status_code == 10001
    assert pybit_session.get_positions(**LINEAR)["result"]["list"][0]["leverage"] == "5"


def test_trading_stop(pybit_session, exchange):
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.set_trading_stop(**LINEAR, takeProfit="65000", positionIdx=0)
    assert (err.value.status_code, err.value.message) == (10001, "can not set tp/sl/ts for zero position")
    pybit_session.place_order(**LINEAR, side="Buy", orderType="Market", qty="0.01")
    assert pybit_session.set_trading_stop(**LINEAR, takeProfit="65000", stopLoss="58000", positionIdx=0)["retCode"] == 0
    pos = pybit_session.get_positions(**LINEAR)["result"]["list"][0]
    assert (pos["takeProfit"], pos["stopLoss"]) == ("65000.00", "58000.00")


def test_switch_mode_not_modified_and_blocked_by_position(pybit_session):
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.switch_position_mode(category="linear", symbol="BTCUSDT", mode=0)
    assert err.value.status_code == 110025
    pybit_session.place_order(**LINEAR, side="Buy", orderType="Market", qty="0.001")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.switch_position_mode(category="linear", coin="USDT", mode=3)
    assert err.value.status_code == 110024


def test_flat_position_row_when_symbol_given(pybit_session):
    rows = pybit_session.get_positions(**LINEAR)["result"]["list"]
    assert len(rows) == 1 and rows[0]["size"] == "0" and rows[0]["side"] == "" and rows[0]["positionIdx"] == 0
    assert pybit_session.get_positions(category="linear", settleCoin="USDT")["result"]["list"] == []
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.get_positions(category="linear")
    assert err.value.status_code == 10001


def test_other_account_is_separate(exchange, ccxt_for):
    from pybit.unified_trading import HTTP

    other = exchange.create_account({"USDT": "50"})
    key = exchange.create_key(env="testnet", account=other)
    session = HTTP(testnet=True, api_key=key.api_key, api_secret=key.api_secret)
    balance = session.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    assert [c["coin"] for c in balance["coin"]] == ["USDT"] and balance["totalEquity"] == "50"
    assert ccxt_for(key).fetch_open_orders("BTC/USDT:USDT") == []
