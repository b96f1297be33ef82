"""The endpoints bots call beyond trading, each round-tripped through pybit and ccxt."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from pybit.exceptions import InvalidRequestError

from pytest_bybit.exchange import FakeBybit

LINEAR = "BTC/USDT:USDT"


def _trade_round_trip(session) -> None:
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")


def test_transaction_log_and_ledger(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    _trade_round_trip(pybit_session)
    exchange.set_price("BTCUSDT", "61000")
    pybit_session.place_order(category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.01", reduceOnly=True)
    log = pybit_session.get_transaction_log(accountType="UNIFIED", category="linear", currency="USDT")["result"]
    assert [r["type"] for r in log["list"]] == ["TRADE", "TRADE"] and log["nextPageCursor"] == ""
    closing = log["list"][0]
    assert (closing["cashFlow"], closing["fee"], closing["change"]) == ("10", "0.3355", "9.6645")
    assert Decimal(closing["cashBalance"]) == exchange.balance("USDT")
    ledger = ccxt_client.fetch_ledger("USDT")
    assert sorted(e["amount"] for e in ledger) == sorted(abs(float(r["change"])) for r in log["list"])
    assert exchange.requests.last.path == "/v5/account/transaction-log"


def test_mark_and_index_price_klines(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.set_mark_price("BTCUSDT", "60100")
    exchange.set_index_price("BTCUSDT", "60050")
    mark = pybit_session.get_mark_price_kline(category="linear", symbol="BTCUSDT", interval="60", limit=3)["result"]
    assert len(mark["list"]) == 3 and mark["list"][0][1:] == ["60100.00"] * 4
    index = pybit_session.get_index_price_kline(category="linear", symbol="BTCUSDT", interval="D", limit=2)["result"]
    assert index["list"][0][4] == "60050.00"
    assert ccxt_client.fetch_mark_ohlcv(LINEAR, "1h", limit=2)[0][4] == 60100.0
    assert ccxt_client.fetch_index_ohlcv(LINEAR, "1h", limit=2)[0][4] == 60050.0


def test_open_interest_counts_the_positions(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.open_position("BTCUSDT", "Buy", "0.5")
    other = exchange.create_account()
    exchange.open_position("BTCUSDT", "Buy", "0.25", account=other)
    rows = pybit_session.get_open_interest(category="linear", symbol="BTCUSDT", intervalTime="1h", limit=2)["result"]["list"]
    assert [r["openInterest"] for r in rows] == ["0.75", "0.75"]
    assert ccxt_client.fetch_open_interest(LINEAR)["openInterestAmount"] == 0.75
    with pytest.raises(InvalidRequestError):
        pybit_session.get_open_interest(category="linear", symbol="BTCUSDT", intervalTime="2h")


def test_funding_history(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.engine.funding_rates["BTCUSDT"] = Decimal("-0.0002")
    rows = pybit_session.get_funding_rate_history(category="linear", symbol="BTCUSDT", limit=3)["result"]["list"]
    assert [r["fundingRate"] for r in rows] == ["-0.0002"] * 3
    assert int(rows[0]["fundingRateTimestamp"]) - int(rows[1]["fundingRateTimestamp"]) == 8 * 3600 * 1000
    history = ccxt_client.fetch_funding_rate_history(LINEAR, limit=3)
    assert [h["fundingRate"] for h in history] == [-0.0002] * 3


def test_closed_pnl_and_positions_history(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.open_position("BTCUSDT", "Sell", "0.02", price="60000")
    exchange.set_price("BTCUSDT", "59000")
    ccxt_client.create_order(LINEAR, "market", "buy", 0.02, None, {"reduceOnly": True})
    row = pybit_session.get_closed_pnl(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert (row["side"], row["closedSize"], row["closedPnl"], row["avgExitPrice"]) == ("Buy", "0.020", "20", "59000.00")
    history = ccxt_client.fetch_positions_history([LINEAR])
    assert history[0]["realizedPnl"] == 20.0


def test_switch_isolated_and_set_risk_limit(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    pybit_session.switch_margin_mode(category="linear", symbol="BTCUSDT", tradeMode=1, buyLeverage="5", sellLeverage="5")
    assert exchange.account.is_isolated("BTCUSDT") and exchange.engine.leverage(exchange.account, "BTCUSDT") == 5
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.switch_margin_mode(category="linear", symbol="BTCUSDT", tradeMode=1, buyLeverage="5", sellLeverage="5")
    assert err.value.status_code == 110026
    ccxt_client.private_post_v5_position_switch_isolated(
        {"category": "linear", "symbol": "ETHUSDT", "tradeMode": 1, "buyLeverage": "3", "sellLeverage": "3"}
    )
    assert exchange.account.is_isolated("ETHUSDT")
    answer = pybit_session.set_risk_limit(category="linear", symbol="BTCUSDT", riskId=3)["result"]
    assert answer == {"category": "linear", "riskId": 3, "riskLimitValue": "6000000"}
    tiers = ccxt_client.fetch_leverage_tiers([LINEAR])[LINEAR]
    assert tiers[0]["maxLeverage"] == 100.0 and tiers[0]["maintenanceMarginRate"] == 0.005 and tiers[1]["minNotional"] == 2000000


def test_transfers_between_unified_and_funding(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    tid = str(uuid.UUID(int=1))
    done = pybit_session.create_internal_transfer(transferId=tid, coin="USDT", amount="250", fromAccountType="UNIFIED", toAccountType="FUND")
    assert done["result"] == {"transferId": tid, "status": "SUCCESS"}
    assert exchange.balance("USDT") == Decimal("99750") and exchange.account.funding["USDT"] == Decimal("250")
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.create_internal_transfer(transferId=tid, coin="USDT", amount="1", fromAccountType="UNIFIED", toAccountType="FUND")
    assert err.value.status_code == 131214
    with pytest.raises(InvalidRequestError) as err:
        pybit_session.create_internal_transfer(transferId=str(uuid.UUID(int=2)), coin="USDT", amount="1000", fromAccountType="FUND", toAccountType="UNIFIED")
    assert err.value.status_code == 131212
    ccxt_client.transfer("USDT", 50, "funding", "unified")
    assert exchange.account.funding["USDT"] == Decimal("200")
    records = pybit_session.get_internal_transfer_records(coin="USDT")["result"]["list"]
    assert [(r["amount"], r["fromAccountType"]) for r in records] == [("50", "FUND"), ("250", "UNIFIED")]
    assert {t["amount"] for t in ccxt_client.fetch_transfers("USDT")} == {50.0, 250.0}
    balance = pybit_session.get_coin_balance(accountType="FUND", coin="USDT")["result"]["balance"]
    assert (balance["walletBalance"], balance["transferBalance"]) == ("200", "200")
    implicit = ccxt_client.private_get_v5_asset_transfer_query_account_coin_balance({"accountType": "UNIFIED", "coin": "USDT"})
    assert implicit["result"]["balance"]["walletBalance"] == "99800"
    log = pybit_session.get_transaction_log(accountType="UNIFIED", type="TRANSFER_IN")["result"]["list"]
    assert [r["change"] for r in log] == ["50"]


def test_deposit_records(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.deposit("USDT", "1000")
    rows = pybit_session.get_deposit_records(coin="USDT")["result"]["rows"]
    assert [(r["coin"], r["amount"], r["status"]) for r in rows] == [("USDT", "1000", 3)]
    deposits = ccxt_client.fetch_deposits("USDT")
    assert [(d["amount"], d["status"]) for d in deposits] == [(1000.0, "ok")]


def test_fee_rate_variants(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    one = pybit_session.get_fee_rates(category="linear", symbol="SOLUSDT")["result"]["list"]
    assert [r["symbol"] for r in one] == ["SOLUSDT"]
    by_base = pybit_session.get_fee_rates(category="spot", baseCoin="ETH")["result"]["list"]
    assert [r["symbol"] for r in by_base] == ["ETHUSDT"]
    assert ccxt_client.fetch_trading_fee(LINEAR)["taker"] == 0.00055


def test_cancel_all_by_settle_coin_and_execution_paging(exchange: FakeBybit, pybit_session, ccxt_client) -> None:
    exchange.place_resting_order("BTCUSDT", "Buy", "0.01", "59000")
    exchange.place_resting_order("ETHUSDT", "Buy", "0.1", "2990")
    exchange.place_resting_order("BTCUSD", "Buy", "100", "59000", category="inverse")
    cancelled = pybit_session.cancel_all_orders(category="linear", settleCoin="USDT")["result"]["list"]
    assert len(cancelled) == 2 and len(exchange.account.open_orders()) == 1
    for _ in range(3):
        _trade_round_trip(pybit_session)
    first = pybit_session.get_executions(category="linear", limit=2)["result"]
    second = pybit_session.get_executions(category="linear", limit=2, cursor=first["nextPageCursor"])["result"]
    assert len(first["list"]) == 2 and len(second["list"]) == 1 and second["nextPageCursor"] == ""
    assert len(ccxt_client.fetch_my_trades(LINEAR, params={"paginate": True})) == 3


def test_option_fee_rate_is_per_base_coin(pybit_session) -> None:
    rows = pybit_session.get_fee_rates(category="option")["result"]["list"]
    assert [(r["symbol"], r["baseCoin"]) for r in rows] == [("", "BTC"), ("", "ETH")]
    assert [r["baseCoin"] for r in pybit_session.get_fee_rates(category="option", baseCoin="ETH")["result"]["list"]] == ["ETH"]
