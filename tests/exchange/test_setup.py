"""Instruments beyond BTC and ETH, ``add_instrument``, and test set-up without HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pybit.exceptions import InvalidRequestError

from pytest_bybit.exchange import FakeBybit


def test_built_in_table_trades_the_most_traded_names(exchange: FakeBybit, pybit_session) -> None:
    exchange.set_price("SOLUSDT", "150")
    pybit_session.place_order(category="linear", symbol="SOLUSDT", side="Buy", orderType="Market", qty="1.5")
    assert exchange.position("SOLUSDT").size == Decimal("1.5")
    with pytest.raises(InvalidRequestError) as err:  # the SOL qty step is 0.1
        pybit_session.place_order(category="linear", symbol="SOLUSDT", side="Buy", orderType="Market", qty="1.55")
    assert err.value.status_code == 10001
    info = pybit_session.get_instruments_info(category="linear", symbol="XRPUSDT")["result"]["list"][0]
    assert info["priceFilter"]["tickSize"] == "0.0001" and info["leverageFilter"]["maxLeverage"] == "75.00"
    spot = pybit_session.get_instruments_info(category="spot", symbol="DOGEUSDT")["result"]["list"][0]
    assert spot["lotSizeFilter"]["basePrecision"] == "0.1"
    assert pybit_session.get_instruments_info(category="inverse", symbol="ETHUSD")["result"]["list"][0]["settleCoin"] == "ETH"


def test_add_instrument_makes_any_symbol_tradable(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.add_instrument("WIFUSDT", tick_size="0.0001", qty_step="1", min_qty="1", max_leverage="50", price="2.5")
    ccxt_client.load_markets()
    market = ccxt_client.market("WIF/USDT:USDT")
    assert market["precision"]["amount"] == 1.0 and market["precision"]["price"] == 0.0001
    assert market["limits"]["leverage"]["max"] == 50.0
    ccxt_client.create_order("WIF/USDT:USDT", "market", "buy", 10)
    assert exchange.position("WIFUSDT").size == Decimal("10")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.place_order(category="linear", symbol="WIFUSDT", side="Buy", orderType="Limit", qty="10", price="2.50005")
    assert err.value.status_code == 10001
    exchange.set_price("WIFUSDT", "2.6")
    assert pybit_session.get_tickers(category="linear", symbol="WIFUSDT")["result"]["list"][0]["lastPrice"] == "2.6000"

    exchange.add_instrument("WIFUSDT", "spot", tick_size="0.0001", qty_step="0.01", min_qty="0.01")
    assert pybit_session.get_instruments_info(category="spot", symbol="WIFUSDT")["result"]["list"][0]["lotSizeFilter"]["basePrecision"] == "0.01"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tick_size": "0", "qty_step": "1", "min_qty": "1", "price": "1"}, "tick_size='0' must be a positive number"),
        ({"tick_size": "0.1", "qty_step": "1", "min_qty": "1.5", "price": "1"}, "min_qty='1.5' is not a multiple of qty_step"),
        ({"tick_size": "0.1", "qty_step": "1", "min_qty": "1"}, "give price="),
        ({"tick_size": "0.1", "qty_step": "1", "min_qty": "1", "price": "1", "category": "option"}, "category='option'"),
    ],
)
def test_add_instrument_names_the_bad_argument(exchange: FakeBybit, kwargs: dict, message: str) -> None:
    category = kwargs.pop("category", "linear")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        exchange.add_instrument("NEWUSDT", category, **kwargs)


def test_set_price_on_an_unknown_symbol_names_add_instrument(exchange: FakeBybit) -> None:
    with pytest.raises(ValueError, match=r"bybit.add_instrument\('PEPEUSDT'"):
        exchange.set_price("PEPEUSDT", "0.00001")


def test_open_position_seeds_state_without_a_request(exchange: FakeBybit, pybit_session) -> None:
    exchange.set_position_mode("ETHUSDT", hedge=True)
    exchange.open_position("ETHUSDT", "Sell", "1.5", price="3100", leverage="5")
    assert len(exchange.requests) == 0
    rows = pybit_session.get_positions(category="linear", symbol="ETHUSDT")["result"]["list"]
    sell = next(r for r in rows if r["positionIdx"] == 2)
    assert (sell["side"], sell["size"], sell["avgPrice"], sell["leverage"]) == ("Sell", "1.50", "3100.00", "5")
    with pytest.raises(ValueError, match="size='0.015' must be a multiple of qtyStep 0.01"):
        exchange.open_position("ETHUSDT", "Buy", "0.015")
    with pytest.raises(ValueError, match="already open"):
        exchange.open_position("ETHUSDT", "Sell", "1")


def test_place_resting_order_is_checked_like_a_real_one(exchange: FakeBybit, pybit_session) -> None:
    order = exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "59000", orderLinkId="grid-1")
    assert len(exchange.requests) == 0
    listed = pybit_session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [(o["orderId"], o["orderLinkId"], o["orderStatus"]) for o in listed] == [(order["orderId"], "grid-1", "New")]
    with pytest.raises(ValueError, match="would fill at once"):
        exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "61000")
    with pytest.raises(ValueError, match="OrderLinkedID is duplicate"):
        exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "58000", orderLinkId="grid-1")
    stop = exchange.place_resting_order("BTCUSDT", "Sell", "0.01", order_type="Market", triggerPrice="58000", triggerDirection=2)
    assert stop["orderStatus"] == "Untriggered"
