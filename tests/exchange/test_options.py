"""Options on the fake exchange: listing (instruments-info, ccxt load_markets) and long-option trading.

Uses the plugin's ``bybit`` fixture (every request intercepted), pybit 5.x and sync ccxt 4.5.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

ccxt = pytest.importorskip("ccxt")
from pybit.exceptions import InvalidRequestError  # noqa: E402
from pybit.unified_trading import HTTP  # noqa: E402

BTC_C = "BTC-26DEC26-100000-C"
BTC_P = "BTC-26DEC26-100000-P"
ETH_C = "ETH-26DEC26-4000-C"
CCXT_BTC_C = "BTC/USD:USDC-261226-100000-C"


def session(bybit: Any) -> HTTP:
    return HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)


def client(bybit: Any) -> Any:
    ex = ccxt.bybit({"apiKey": bybit.api_key, "secret": bybit.api_secret, "enableRateLimit": False})
    ex.set_sandbox_mode(True)
    return ex


def option(**overrides: Any) -> dict[str, Any]:
    params = dict(
        category="option", symbol=BTC_C, side="Buy", orderType="Limit", qty="0.1", price="2400", orderLinkId="opt-1"
    )
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def retcode(excinfo: pytest.ExceptionInfo[InvalidRequestError]) -> int:
    return excinfo.value.status_code


# --- listing ---------------------------------------------------------------------------------


def test_instruments_info_option_shape_by_base_coin(bybit) -> None:
    result = session(bybit).get_instruments_info(category="option", baseCoin="BTC")["result"]
    assert result["category"] == "option" and result["nextPageCursor"] == ""
    assert [i["symbol"] for i in result["list"]] == [BTC_C, BTC_P]
    call, put = result["list"]
    assert set(call) == {
        "symbol", "status", "baseCoin", "quoteCoin", "settleCoin", "optionsType", "launchTime",
        "deliveryTime", "deliveryFeeRate", "priceFilter", "lotSizeFilter", "displayName",
    }
    assert (call["optionsType"], put["optionsType"]) == ("Call", "Put")
    assert (call["baseCoin"], call["quoteCoin"], call["settleCoin"], call["status"]) == ("BTC", "USD", "USDC", "Trading")
    assert call["deliveryTime"] == "1798272000000"  # 26 Dec 2026 08:00 UTC
    assert call["priceFilter"] == {"minPrice": "5", "maxPrice": "10000000", "tickSize": "5"}
    assert call["lotSizeFilter"] == {"maxOrderQty": "500", "minOrderQty": "0.01", "qtyStep": "0.01"}

    def strings(value: Any) -> bool:
        if isinstance(value, dict):
            return all(strings(v) for v in value.values())
        return isinstance(value, str)

    assert strings(call) and strings(put)
    eth = session(bybit).get_instruments_info(category="option", baseCoin="ETH")["result"]["list"]
    assert [i["symbol"] for i in eth] == [ETH_C]
    assert session(bybit).get_instruments_info(category="option", baseCoin="SOL")["result"]["list"] == []


def test_instruments_info_option_pagination(bybit) -> None:
    s = session(bybit)
    seen, cursor = [], None
    while True:
        page = s.get_instruments_info(category="option", limit=2, **({"cursor": cursor} if cursor else {}))["result"]
        seen += [i["symbol"] for i in page["list"]]
        cursor = page["nextPageCursor"]
        if not cursor:
            break
    assert seen == [BTC_C, BTC_P, ETH_C]


def test_instrument_derives_option_filters(bybit) -> None:
    inst = bybit.instrument("option", BTC_C)
    assert (inst.qty_step, inst.min_qty, inst.max_qty, inst.tick_size) == (
        Decimal("0.01"), Decimal("0.01"), Decimal("500"), Decimal("5"),
    )
    assert inst.max_market_qty == inst.max_qty and inst.min_notional == 0
    inst.set_filter("lotSizeFilter", qtyStep="0.1")
    assert inst.qty_step == Decimal("0.1")


def test_ccxt_load_markets_lists_options(bybit) -> None:
    ex = client(bybit)
    ex.load_markets()
    assert {CCXT_BTC_C, "BTC/USD:USDC-261226-100000-P", "ETH/USD:USDC-261226-4000-C"} <= set(ex.markets)
    market = ex.market(CCXT_BTC_C)
    assert market["option"] and market["id"] == BTC_C and market["optionType"] == "call"
    assert market["strike"] == 100000 and market["precision"]["amount"] == 0.01 and market["precision"]["price"] == 5
    asked = {r.params.get("baseCoin") for r in bybit.requests if r.params.get("category") == "option"}
    assert {"BTC", "ETH", "SOL"} <= asked


# --- trading ---------------------------------------------------------------------------------


def test_option_limit_order_rests_amends_cancels(bybit) -> None:
    s = session(bybit)
    ack = s.place_order(**option())["result"]
    assert ack["orderLinkId"] == "opt-1"
    row = s.get_open_orders(category="option", symbol=BTC_C)["result"]["list"][0]
    assert (row["orderStatus"], row["price"], row["qty"], row["symbol"]) == ("New", "2400", "0.10", BTC_C)
    s.amend_order(category="option", symbol=BTC_C, orderLinkId="opt-1", price="2350", qty="0.2")
    row = s.get_open_orders(category="option", symbol=BTC_C)["result"]["list"][0]
    assert (row["price"], row["qty"]) == ("2350", "0.20")
    with pytest.raises(InvalidRequestError) as err:
        s.amend_order(category="option", symbol=BTC_C, orderLinkId="opt-1", price="2352")
    assert retcode(err) == 10001
    s.cancel_order(category="option", symbol=BTC_C, orderId=ack["orderId"])
    assert s.get_open_orders(category="option", symbol=BTC_C)["result"]["list"] == []
    history = s.get_order_history(category="option", symbol=BTC_C)["result"]["list"]
    assert history[0]["orderStatus"] == "Cancelled"


def test_option_order_requires_order_link_id(bybit) -> None:
    with pytest.raises(InvalidRequestError) as err:
        session(bybit).place_order(**option(orderLinkId=None))
    assert retcode(err) == 10001
    assert bybit.orders == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"qty": "0.005"}, "minimum limit"),
        ({"qty": "0.015"}, "Qty invalid"),
        ({"qty": "501"}, "maximum limit"),
        ({"price": "2402"}, "parameter error"),  # off the 5 tick
    ],
)
def test_option_qty_and_tick_errors(bybit, overrides: dict[str, str], fragment: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        session(bybit).place_order(**option(**overrides))
    assert retcode(err) == 10001 and fragment in err.value.message


def test_option_fill_after_set_price_moves_position_and_usdc(bybit) -> None:
    s = session(bybit)
    before = bybit.balance("USDC")
    assert before == Decimal("100000")
    order_id = s.place_order(**option(qty="0.1", price="2400"))["result"]["orderId"]
    assert s.get_positions(category="option")["result"]["list"] == []
    bybit.set_price(BTC_C, "2300")  # the market trades through the bid: it fills at 2400 (maker)
    row = s.get_order_history(category="option", orderId=order_id)["result"]["list"][0]
    assert (row["orderStatus"], row["avgPrice"], row["cumExecQty"]) == ("Filled", "2400", "0.1")
    # fee: min(0.1 * 60000 * 0.0003, 7 % of the 240 premium) = 1.8
    assert Decimal(row["cumExecFee"]) == Decimal("1.8")
    assert bybit.balance("USDC") == before - Decimal("240") - Decimal("1.8")

    positions = s.get_positions(category="option")["result"]["list"]
    assert len(positions) == 1
    pos = positions[0]
    assert (pos["symbol"], pos["side"], pos["size"], pos["avgPrice"], pos["markPrice"]) == (BTC_C, "Buy", "0.10", "2400", "2300")
    assert Decimal(pos["unrealisedPnl"]) == Decimal("-10")
    assert s.get_positions(category="option", baseCoin="ETH")["result"]["list"] == []
    assert s.get_positions(category="option", symbol=BTC_C)["result"]["list"][0]["size"] == "0.10"
    usdc = s.get_wallet_balance(accountType="UNIFIED", coin="USDC")["result"]["list"][0]["coin"][0]
    assert Decimal(usdc["walletBalance"]) == Decimal("99758.2")
    assert Decimal(usdc["equity"]) == Decimal("99758.2") + Decimal("230")  # wallet + the long's mark value

    # Selling the long back closes the position; the realised premium difference shows in USDC.
    s.place_order(**option(side="Sell", orderType="Market", qty="0.1", price=None, orderLinkId="opt-close"))
    assert s.get_positions(category="option")["result"]["list"] == []
    assert bybit.balance("USDC") == before - Decimal("240") - Decimal("1.8") + Decimal("230") - Decimal("1.8")


def test_option_crossing_buy_fills_at_once(bybit) -> None:
    s = session(bybit)
    s.place_order(**option(symbol=ETH_C, qty="1", price="150"))
    assert bybit.position(ETH_C).size == Decimal("1")
    assert bybit.balance("USDC") == Decimal("100000") - Decimal("150") - Decimal("0.9")


def test_option_unmodelled_features_are_refused_explicitly(bybit) -> None:
    s = session(bybit)
    with pytest.raises(InvalidRequestError) as err:
        s.place_order(**option(side="Sell"))  # selling to open a short needs option margin
    assert retcode(err) == 10001 and "not modelled" in err.value.message
    with pytest.raises(InvalidRequestError) as err:
        s.set_leverage(category="option", symbol=BTC_C, buyLeverage="2", sellLeverage="2")
    assert retcode(err) == 10001 and "not modelled" in err.value.message
    bybit.set_balance("USDC", "100")
    with pytest.raises(InvalidRequestError) as err:
        s.place_order(**option(qty="0.1", price="2400"))
    assert retcode(err) == 110007


def test_option_tickers_shape(bybit) -> None:
    row = session(bybit).get_tickers(category="option", symbol=BTC_C)["result"]["list"][0]
    assert (row["symbol"], row["markPrice"], row["underlyingPrice"]) == (BTC_C, "2500", "60000")
    assert {"bid1Iv", "ask1Iv", "markIv", "delta", "gamma", "vega", "theta"} <= set(row)


def test_ccxt_create_order_on_an_option(bybit) -> None:
    ex = client(bybit)
    ex.load_markets()
    order = ex.create_order(CCXT_BTC_C, "limit", "buy", 0.1, 2400)
    sent = next(r for r in reversed(bybit.requests) if r.path == "/v5/order/create")
    assert sent.params["category"] == "option" and sent.params["symbol"] == BTC_C
    assert sent.params["orderLinkId"]  # ccxt generates the mandatory orderLinkId for options
    assert order["id"] == bybit.orders[-1]["orderId"]
    bybit.set_price(BTC_C, "2400")
    assert bybit.position(BTC_C).size == Decimal("0.1")
    positions = ex.fetch_positions([CCXT_BTC_C])
    assert positions[0]["symbol"] == CCXT_BTC_C and positions[0]["contracts"] == 0.1
