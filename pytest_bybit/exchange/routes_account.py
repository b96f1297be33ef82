"""Account, position-setting and asset endpoints: margin modes, risk limits, closed PnL, the
transaction log, transfers between the unified and the funding wallet, deposits.

The fake keeps two wallets per UID: UNIFIED (``Account.balances``, what trading uses) and FUND
(``Account.funding``). Classic-account wallet types (SPOT, CONTRACT...) do not exist on a
unified account and are refused.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import liquidation
from .parameters import not_modelled
from .errors import BybitError, param_error
from .models import ZERO, Account, dec, fmt
from .routes import _account, _category, _int, _page, route
from .wire import Request

if TYPE_CHECKING:
    from .server import FakeBybit

_WALLETS = ("UNIFIED", "FUND")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _window(p: dict[str, Any], rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    start = _int(p, "startTime", 0, 0, 2**63)
    end = _int(p, "endTime", 2**63, 0, 2**63)
    return [r for r in rows if start <= int(r[key]) <= end]


def _wallet(account: Account, name: Any) -> dict[str, Decimal]:
    if name == "UNIFIED":
        return account.balances
    if name == "FUND":
        return account.funding
    if isinstance(name, str) and name in ("SPOT", "CONTRACT", "OPTION", "INVESTMENT"):
        raise not_modelled(f"the classic-account wallet {name} (a unified account has UNIFIED and FUND)")
    raise BybitError(10001, f"params error: accountType must be one of {', '.join(_WALLETS)}")


# --- account -----------------------------------------------------------------------------------


@route("GET", "/v5/account/transaction-log")
def transaction_log(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    if p.get("accountType") not in (None, "", "UNIFIED"):
        raise param_error("account_type")
    category, currency, base, kind = p.get("category"), p.get("currency"), p.get("baseCoin"), p.get("type")
    rows = [
        r
        for r in reversed(_account(request).transactions)
        if (not category or r["category"] == category)
        and (not currency or r["currency"] == currency)
        and (not base or r["symbol"].startswith(base))
        and (not kind or r["type"] == kind)
    ]
    rows = _window(p, rows, "transactionTime")
    page, cursor = _page(rows, p, 20, 50)
    return {"list": page, "nextPageCursor": cursor}


@route("POST", "/v5/account/set-margin-mode", write=True)
def set_margin_mode(ex: FakeBybit, request: Request) -> dict[str, Any]:
    mode = request.params.get("setMarginMode")
    if mode == "PORTFOLIO_MARGIN":
        raise not_modelled("portfolio margin")
    if mode not in ("ISOLATED_MARGIN", "REGULAR_MARGIN"):
        raise BybitError(10001, "params error: setMarginMode must be ISOLATED_MARGIN, REGULAR_MARGIN or PORTFOLIO_MARGIN")
    _account(request).margin_mode = mode
    return {"reasons": []}


# --- position settings and history ---------------------------------------------------------------


@route("POST", "/v5/position/switch-isolated", write=True)
def switch_isolated(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    account = _account(request)
    inst = ex.engine.instrument(_category(p, ("linear", "inverse")), p.get("symbol"))
    mode = str(p.get("tradeMode"))
    if mode not in ("0", "1"):
        raise BybitError(10001, "params error: tradeMode must be 0 (cross) or 1 (isolated)")
    buy, sell = dec(p.get("buyLeverage")), dec(p.get("sellLeverage"))
    if p.get("buyLeverage") in (None, "") or p.get("sellLeverage") in (None, ""):
        raise BybitError(10001, f"params error: buyLeverage and sellLeverage are required with tradeMode (equal, {fmt(inst.min_leverage)} to {fmt(inst.max_leverage)} for {inst.symbol})")
    if buy is None or sell is None or buy != sell or not inst.min_leverage <= buy <= inst.max_leverage or buy % inst.leverage_step:
        raise BybitError(10001, "params error: buyLeverage and sellLeverage must be equal and within the leverage filter")
    isolated = mode == "1"
    if account.is_isolated(inst.symbol) == isolated:
        raise BybitError(110026, "Cross/isolated margin mode is not modified")
    (account.isolated_symbols.add if isolated else account.isolated_symbols.discard)(inst.symbol)
    account.leverage[inst.symbol] = buy
    return {}


@route("POST", "/v5/position/set-risk-limit", write=True)
def set_risk_limit(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    account = _account(request)
    category = _category(p, ("linear", "inverse"))
    inst = ex.engine.instrument(category, p.get("symbol"))
    tiers = liquidation.risk_tiers(inst)
    risk_id = _int(p, "riskId", 0, 1, len(tiers))
    if not risk_id:
        raise BybitError(10001, "params error: riskId is required")
    raw_idx = p.get("positionIdx")
    idx = 0 if raw_idx in (None, "") else _int(p, "positionIdx", 0, 0, 2)
    tier = tiers[risk_id - 1]
    for (sym, pidx), pos in account.positions.items():
        if sym != inst.symbol or (raw_idx not in (None, "") and pidx != idx):
            continue
        measure = pos.size if inst.is_inverse else liquidation.position_value(inst, pos.size, pos.avg_price)
        if measure > tier.risk_limit_value:
            raise BybitError(110090, "Position value exceeds the risk limit of the chosen tier")
        pos.risk_id = risk_id
    if ex.engine.leverage(account, inst.symbol) > tier.max_leverage:
        account.leverage[inst.symbol] = tier.max_leverage
    return {"category": category, "riskId": risk_id, "riskLimitValue": fmt(tier.risk_limit_value)}


@route("GET", "/v5/position/closed-pnl")
def closed_pnl(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    category = _category(p, ("linear", "inverse"))
    symbol = p.get("symbol")
    rows = [r for r in reversed(_account(request).closed_pnl) if r["category"] == category and (not symbol or r["symbol"] == symbol)]
    rows = [{k: v for k, v in r.items() if k != "category"} for r in _window(p, rows, "updatedTime")]
    page, cursor = _page(rows, p, 50, 100)
    return {"category": category, "list": page, "nextPageCursor": cursor}


# --- asset ---------------------------------------------------------------------------------------


@route("POST", "/v5/asset/transfer/inter-transfer", write=True)
def inter_transfer(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    account = _account(request)
    transfer_id = p.get("transferId")
    if not isinstance(transfer_id, str) or not _UUID.match(transfer_id):
        raise BybitError(10001, "params error: transferId must be a UUID")
    if any(t["transferId"] == transfer_id for t in account.transfers):
        raise BybitError(131214, "TransferId exist")
    coin = p.get("coin")
    amount = dec(p.get("amount"))
    if not isinstance(coin, str) or not coin or amount is None or amount <= 0:
        raise param_error()
    source, target = _wallet(account, p.get("fromAccountType")), _wallet(account, p.get("toAccountType"))
    if source is target:
        raise BybitError(10001, "params error: fromAccountType and toAccountType must differ")
    if source is account.balances:
        available = ex.engine.available(account, coin)
    else:
        available = source.get(coin, ZERO)
    if amount > available:
        raise BybitError(131212, "Insufficient balance")
    source[coin] = source.get(coin, ZERO) - amount
    target[coin] = target.get(coin, ZERO) + amount
    now = request.now_ms
    account.transfers.append(
        {
            "transferId": transfer_id,
            "coin": coin,
            "amount": fmt(amount),
            "fromAccountType": p["fromAccountType"],
            "toAccountType": p["toAccountType"],
            "timestamp": str(now),
            "status": "SUCCESS",
        }
    )
    if source is account.balances or target is account.balances:
        flow = -amount if source is account.balances else amount
        ex.engine.log_transaction(account, None, None, coin, "TRANSFER_OUT" if flow < 0 else "TRANSFER_IN", now, cash_flow=flow)
    return {"transferId": transfer_id, "status": "SUCCESS"}


@route("GET", "/v5/asset/transfer/query-inter-transfer-list")
def inter_transfer_list(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    transfer_id, coin, status = p.get("transferId"), p.get("coin"), p.get("status")
    rows = [
        t
        for t in reversed(_account(request).transfers)
        if (not transfer_id or t["transferId"] == transfer_id) and (not coin or t["coin"] == coin) and (not status or t["status"] == status)
    ]
    page, cursor = _page(_window(p, rows, "timestamp"), p, 20, 50)
    return {"list": page, "nextPageCursor": cursor}


@route("GET", "/v5/asset/transfer/query-account-coin-balance")
def account_coin_balance(ex: FakeBybit, request: Request) -> dict[str, Any]:
    p = request.params
    account = _account(request)
    if p.get("memberId") not in (None, "", str(account.uid)) or p.get("toMemberId") not in (None, ""):
        raise not_modelled("sub-account balances (memberId / toMemberId)")
    name = p.get("accountType")
    wallet = _wallet(account, name)
    coin = p.get("coin")
    if not isinstance(coin, str) or not coin:
        raise BybitError(10001, "params error: coin is required")
    balance = wallet.get(coin, ZERO)
    transferable = ex.engine.available(account, coin) if wallet is account.balances else balance
    transferable = max(ZERO, min(balance, transferable))
    return {
        "accountType": name,
        "bizType": 1,
        "accountId": str(account.uid),
        "memberId": str(account.uid),
        "balance": {
            "coin": coin,
            "walletBalance": fmt(balance),
            "transferBalance": fmt(transferable),
            "bonus": "0" if p.get("withBonus") in ("1", 1) else "",
            "transferSafeAmount": fmt(transferable) if p.get("withTransferSafeAmount") in ("1", 1) else "",
            "ltvTransferSafeAmount": fmt(transferable) if p.get("withLtvTransferSafeAmount") in ("1", 1) else "",
        },
    }


@route("GET", "/v5/asset/deposit/query-record")
def deposit_records(ex: FakeBybit, request: Request) -> dict[str, Any]:
    """Deposits a test credited with ``bybit.deposit(coin, amount)``, newest first."""
    p = request.params
    coin, tx_id, dep_id = p.get("coin"), p.get("txID"), p.get("id")
    rows = [
        d
        for d in reversed(_account(request).deposits)
        if (not coin or d["coin"] == coin) and (not tx_id or d["txID"] == tx_id) and (not dep_id or d["id"] == dep_id)
    ]
    page, cursor = _page(_window(p, rows, "successAt"), p, 50, 50)
    return {"rows": page, "nextPageCursor": cursor}
