"""Every documented parameter of every endpoint the fake serves: modelled, or refused loudly.

A fake that ignores a parameter answers as if the bot had not sent it, which is silently wrong
(a limit TP filled at market, a self-trade-prevention rule that never fires). So each V5
parameter in the docs is listed here once: either the endpoint models it, or a request that
uses it (with anything but its neutral value) gets a 10001 that says "not modelled by
pytest-bybit" and where to ask. Parameters the docs do not list are ignored, as Bybit does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import BybitError

ASK_URL = "https://github.com/pytest-bybit/pytest-bybit/issues"


@dataclass(frozen=True)
class Refused:
    """A documented parameter the fake does not simulate; ``neutral`` values mean "not used"."""

    what: str
    neutral: tuple[Any, ...] = (None, "")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NO = (None, "", False, "false", "False", 0, "0")
_MARKET = (None, "", "Market")
_LIMIT_TPSL = Refused("Limit take-profit / stop-loss orders (tpOrderType / slOrderType Limit)", _MARKET)
_LIMIT_PRICE = Refused("limit prices for take-profit / stop-loss orders (tpLimitPrice / slLimitPrice)", (None, "", "0"))
_PAGE = "limit cursor"

#: (method, path) -> (modelled parameters, refused parameters), from the V5 docs' request tables.
PARAMETERS: dict[tuple[str, str], tuple[frozenset[str], dict[str, Refused]]] = {
    ("GET", "/v5/market/time"): (_words(""), {}),
    ("GET", "/v5/market/instruments-info"): (_words(f"category symbol status baseCoin {_PAGE}"), {"symbolType": Refused("symbolType (regional instrument lists)")}),
    ("GET", "/v5/market/tickers"): (_words("category symbol baseCoin"), {"expDate": Refused("option tickers by expiry date (expDate)")}),
    ("GET", "/v5/market/kline"): (_words("category symbol interval start end limit"), {}),
    ("GET", "/v5/market/mark-price-kline"): (_words("category symbol interval start end limit"), {}),
    ("GET", "/v5/market/index-price-kline"): (_words("category symbol interval start end limit"), {}),
    ("GET", "/v5/market/orderbook"): (_words("category symbol limit"), {}),
    ("GET", "/v5/market/recent-trade"): (
        _words("category symbol limit"),
        {"baseCoin": Refused("option trades by baseCoin"), "optionType": Refused("option trades by optionType")},
    ),
    ("GET", "/v5/market/open-interest"): (_words(f"category symbol intervalTime startTime endTime {_PAGE}"), {}),
    ("GET", "/v5/market/funding/history"): (_words("category symbol startTime endTime limit"), {}),
    ("GET", "/v5/market/risk-limit"): (_words("category symbol cursor"), {}),
    ("POST", "/v5/order/create"): (
        _words(
            "category symbol side orderType qty marketUnit price triggerDirection orderFilter triggerPrice triggerBy "
            "timeInForce positionIdx orderLinkId takeProfit stopLoss tpTriggerBy slTriggerBy reduceOnly closeOnTrigger "
            "tpslMode tpOrderType slOrderType isLeverage"
        ),
        {
            "tpOrderType": _LIMIT_TPSL,
            "slOrderType": _LIMIT_TPSL,
            "tpLimitPrice": _LIMIT_PRICE,
            "slLimitPrice": _LIMIT_PRICE,
            "isLeverage": Refused("spot margin trading (isLeverage=1 borrows)", _NO),
            "orderIv": Refused("option orders priced by implied volatility (orderIv)"),
            "smpType": Refused("self-match prevention (smpType)", (None, "", "None")),
            "mmp": Refused("market maker protection (mmp)", _NO),
            "slippageToleranceType": Refused("slippage tolerance on market orders"),
            "slippageTolerance": Refused("slippage tolerance on market orders"),
            "bboSideType": Refused("best-bid-offer pricing (bboSideType)"),
            "bboLevel": Refused("best-bid-offer pricing (bboLevel)"),
        },
    ),
    ("POST", "/v5/order/amend"): (
        _words("category symbol orderId orderLinkId triggerPrice qty price triggerBy"),
        {
            "orderIv": Refused("option orders priced by implied volatility (orderIv)"),
            "tpslMode": Refused("amending an order's take-profit / stop-loss"),
            "takeProfit": Refused("amending an order's take-profit / stop-loss"),
            "stopLoss": Refused("amending an order's take-profit / stop-loss"),
            "tpTriggerBy": Refused("amending an order's take-profit / stop-loss"),
            "slTriggerBy": Refused("amending an order's take-profit / stop-loss"),
            "tpLimitPrice": _LIMIT_PRICE,
            "slLimitPrice": _LIMIT_PRICE,
        },
    ),
    ("POST", "/v5/order/cancel"): (_words("category symbol orderId orderLinkId orderFilter"), {}),
    ("POST", "/v5/order/cancel-all"): (_words("category symbol baseCoin settleCoin orderFilter stopOrderType"), {}),
    ("POST", "/v5/order/create-batch"): (_words("category request"), {}),
    ("POST", "/v5/order/amend-batch"): (_words("category request"), {}),
    ("POST", "/v5/order/cancel-batch"): (_words("category request"), {}),
    ("GET", "/v5/order/realtime"): (_words(f"category symbol baseCoin settleCoin orderId orderLinkId openOnly orderFilter {_PAGE}"), {}),
    ("GET", "/v5/order/history"): (
        _words(f"category symbol baseCoin settleCoin orderId orderLinkId orderFilter orderStatus startTime endTime {_PAGE}"),
        {},
    ),
    ("GET", "/v5/execution/list"): (
        _words(f"category symbol orderId orderLinkId baseCoin startTime endTime execType {_PAGE}"),
        {},
    ),
    ("GET", "/v5/position/list"): (_words(f"category symbol baseCoin settleCoin {_PAGE}"), {}),
    ("POST", "/v5/position/set-leverage"): (_words("category symbol buyLeverage sellLeverage"), {}),
    ("POST", "/v5/position/switch-mode"): (_words("category symbol coin mode"), {}),
    ("POST", "/v5/position/switch-isolated"): (_words("category symbol tradeMode buyLeverage sellLeverage"), {}),
    ("POST", "/v5/position/set-risk-limit"): (_words("category symbol riskId positionIdx"), {}),
    ("POST", "/v5/position/trading-stop"): (
        _words("category symbol tpslMode positionIdx takeProfit stopLoss tpTriggerBy slTriggerBy tpSize slSize tpOrderType slOrderType"),
        {
            "trailingStop": Refused("trailing stops (trailingStop)", (None, "", "0", 0)),
            "activePrice": Refused("trailing stop activation (activePrice)", (None, "", "0", 0)),
            "tpOrderType": _LIMIT_TPSL,
            "slOrderType": _LIMIT_TPSL,
            "tpLimitPrice": _LIMIT_PRICE,
            "slLimitPrice": _LIMIT_PRICE,
        },
    ),
    ("GET", "/v5/position/closed-pnl"): (_words(f"category symbol startTime endTime {_PAGE}"), {}),
    ("GET", "/v5/account/wallet-balance"): (_words("accountType coin"), {}),
    ("GET", "/v5/account/fee-rate"): (_words("category symbol baseCoin"), {}),
    ("GET", "/v5/account/info"): (_words(""), {}),
    ("GET", "/v5/account/transaction-log"): (_words(f"accountType category currency baseCoin type startTime endTime {_PAGE}"), {}),
    ("POST", "/v5/account/set-margin-mode"): (_words("setMarginMode"), {}),
    ("GET", "/v5/user/query-api"): (_words(""), {}),
    ("GET", "/v5/asset/coin/query-info"): (_words("coin"), {}),
    ("POST", "/v5/asset/transfer/inter-transfer"): (_words("transferId coin amount fromAccountType toAccountType"), {}),
    ("GET", "/v5/asset/transfer/query-inter-transfer-list"): (_words(f"transferId coin status startTime endTime {_PAGE}"), {}),
    ("GET", "/v5/asset/transfer/query-account-coin-balance"): (
        _words("memberId accountType coin toAccountType withBonus withTransferSafeAmount withLtvTransferSafeAmount"),
        {"toMemberId": Refused("transfers between sub-accounts (toMemberId)")},
    ),
    ("GET", "/v5/asset/deposit/query-record"): (_words(f"id txID coin startTime endTime {_PAGE}"), {}),
}

#: The single-order table each batch item is checked against.
BATCH_ITEMS = {
    "/v5/order/create-batch": ("POST", "/v5/order/create"),
    "/v5/order/amend-batch": ("POST", "/v5/order/amend"),
    "/v5/order/cancel-batch": ("POST", "/v5/order/cancel"),
}


def not_modelled(what: str) -> BybitError:
    """An explicit refusal for what the fake does not simulate (documented in the message)."""
    return BybitError(10001, f"pytest-bybit: {what} is not modelled by pytest-bybit; ask for it at {ASK_URL}")


def refusal(what: str, name: str) -> BybitError:
    return BybitError(10001, f"params error: {name}: {what} is not modelled by pytest-bybit; ask for it at {ASK_URL}")


def _check(table: dict[str, Refused], params: dict[str, Any], prefix: str = "") -> None:
    for name, rule in table.items():
        if name in params and params[name] not in rule.neutral:
            raise refusal(rule.what, prefix + name)


def refuse_unmodelled(method: str, path: str, params: dict[str, Any]) -> None:
    """Raise the 10001 refusal for the first documented parameter the fake would ignore."""
    entry = PARAMETERS.get((method, path))
    if entry is None:
        return
    _check(entry[1], params)
    item_key = BATCH_ITEMS.get(path)
    if item_key is not None and isinstance(params.get("request"), list):
        item_refused = PARAMETERS[item_key][1]
        for i, item in enumerate(params["request"]):
            if isinstance(item, dict):
                _check(item_refused, item, f"request[{i}].")
