"""Liquidation and bankruptcy prices from the position, its leverage and its risk tier, and
liquidation when the mark price reaches them, seen through pybit and ccxt."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest

from pytest_bybit.exchange import FakeBybit

D = Decimal


def _row(session, symbol: str = "BTCUSDT", category: str = "linear") -> dict:
    return session.get_positions(category=category, symbol=symbol)["result"]["list"][0]


def test_isolated_long_liq_and_bust_prices_follow_the_formula(exchange: FakeBybit, pybit_session) -> None:
    pybit_session.set_margin_mode(setMarginMode="ISOLATED_MARGIN")
    pybit_session.set_leverage(category="linear", symbol="BTCUSDT", buyLeverage="20", sellLeverage="20")
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.1")
    row = _row(pybit_session)
    # IM = 6000 / 20 = 300, MM = 6000 * 0.5 % = 30: liq = 60000 - (300 - 30) / 0.1, bust = 60000 - 300 / 0.1
    assert (row["tradeMode"], row["liqPrice"], row["bustPrice"], row["positionMM"]) == (1, "57300.00", "57000.00", "30")
    assert pybit_session.get_account_info()["result"]["marginMode"] == "ISOLATED_MARGIN"


def test_liquidated_when_the_mark_price_crosses(exchange: FakeBybit, ccxt_client) -> None:
    ccxt_client.set_margin_mode("isolated")
    ccxt_client.set_leverage(20, "BTC/USDT:USDT")
    ccxt_client.create_order("BTC/USDT:USDT", "market", "buy", 0.1)
    position = ccxt_client.fetch_position("BTC/USDT:USDT")
    assert position["liquidationPrice"] == 57300.0 and position["info"]["tradeMode"] == 1
    before = exchange.balance("USDT")
    resting = exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "55000")
    exchange.set_mark_price("BTCUSDT", "57400")
    exchange.set_price("BTCUSDT", "57200")  # the last price crosses; the pinned mark does not
    assert exchange.position("BTCUSDT").size == D("0.1")
    exchange.set_mark_price("BTCUSDT", "57300")
    assert exchange.position("BTCUSDT").size == 0
    assert ccxt_client.fetch_my_trades("BTC/USDT:USDT")[-1]["price"] == 60000.0  # ccxt asks for execType=Trade only
    busts = ccxt_client.private_get_v5_execution_list({"category": "linear", "symbol": "BTCUSDT", "execType": "BustTrade"})
    assert [(t["side"], t["execPrice"], t["execQty"]) for t in busts["result"]["list"]] == [("Sell", "57000.00", "0.1")]
    assert before - exchange.balance("USDT") == D("300") + D("5700") * D("0.00055")  # the margin + the taker fee on 0.1 at 57000
    cancelled = ccxt_client.fetch_canceled_and_closed_orders("BTC/USDT:USDT")
    assert any(o["id"] == resting["orderId"] and o["info"]["cancelType"] == "CancelByLiq" for o in cancelled)


def test_isolated_short_and_cross_long(exchange: FakeBybit, pybit_session) -> None:
    exchange.account.isolated_symbols.add("ETHUSDT")
    exchange.open_position("ETHUSDT", "Sell", "2", price="3000", leverage="20")
    # value 6000: IM 300, MM 30 -> liq 3000 + 270 / 2, bust 3000 + 300 / 2
    row = _row(pybit_session, "ETHUSDT")
    assert (row["liqPrice"], row["bustPrice"]) == ("3135.00", "3150.00")

    exchange.set_balance("USDT", "1000")
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000", leverage="10")
    # cross: what the USDT wallet can lose (1000 less the isolated ETH margin 300) less all MM (30)
    row = _row(pybit_session)
    assert (row["tradeMode"], row["liqPrice"], row["bustPrice"]) == (0, "53300.00", "53000.00")


def test_cross_with_a_large_wallet_has_no_liquidation_price(exchange: FakeBybit, ccxt_client) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000")
    assert _row_ccxt(ccxt_client)["liquidationPrice"] is None
    assert exchange.requests.last.reply.json()["result"]["list"][0]["liqPrice"] == ""


def _row_ccxt(client) -> dict:
    return client.fetch_position("BTC/USDT:USDT")


def test_inverse_isolated_long(exchange: FakeBybit, pybit_session) -> None:
    exchange.account.isolated_symbols.add("BTCUSD")
    exchange.open_position("BTCUSD", "Buy", "6000", price="60000", leverage="10")
    size, entry = D(6000), D(60000)
    im, mm = size / entry / 10, size / entry * D("0.005")
    liq = (size / (size / entry + im - mm) / D("0.5")).to_integral_value(ROUND_CEILING) * D("0.5")
    bust = (size / (size / entry + im) / D("0.5")).to_integral_value(ROUND_CEILING) * D("0.5")
    row = _row(pybit_session, "BTCUSD", "inverse")
    assert (row["liqPrice"], row["bustPrice"]) == (f"{liq:.2f}", f"{bust:.2f}")
    exchange.set_mark_price("BTCUSD", str(liq))
    assert exchange.position("BTCUSD").size == 0


def test_risk_tier_raises_the_maintenance_margin(exchange: FakeBybit, pybit_session) -> None:
    tiers = pybit_session.get_risk_limit(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [(t["id"], t["riskLimitValue"], t["maintenanceMargin"], t["maxLeverage"]) for t in tiers[:2]] == [
        (1, "2000000", "0.005", "100.00"), (2, "4000000", "0.01", "50.00"),
    ]
    exchange.account.isolated_symbols.add("BTCUSDT")
    exchange.open_position("BTCUSDT", "Buy", "0.1", price="60000", leverage="20")
    pybit_session.set_risk_limit(category="linear", symbol="BTCUSDT", riskId=2, positionIdx=0)
    row = _row(pybit_session)
    # tier 2: MM = 6000 * 1 % - 2,000,000 * 0.5 % = 60 - 10000 < 0 -> 0: liq = bust
    assert row["riskId"] == 2 and row["positionMM"] == "0" and row["liqPrice"] == row["bustPrice"] == "57000.00"


@pytest.mark.parametrize(("side", "rounding"), [("Buy", ROUND_CEILING), ("Sell", ROUND_FLOOR)])
def test_liq_price_sits_on_the_tick(exchange: FakeBybit, pybit_session, side: str, rounding: str) -> None:
    exchange.account.isolated_symbols.add("BTCUSDT")
    exchange.open_position("BTCUSDT", side, "0.003", price="60000.1", leverage="7")
    value = D("0.003") * D("60000.1")
    move = (value / 7 - value * D("0.005")) / D("0.003")
    raw = D("60000.1") - move if side == "Buy" else D("60000.1") + move
    expected = (raw / D("0.1")).to_integral_value(rounding) * D("0.1")
    assert _row(pybit_session)["liqPrice"] == f"{expected:.2f}"
