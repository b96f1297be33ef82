"""Facts about Bybit V5 shared by the linter and the fake exchange.

Both tools must agree on what a Bybit host, an order value field or a retCode is, so these
live here as plain data. This module imports nothing but the standard library: the linter
reads it without pulling in pytest, and the plugin without pulling in libcst.
"""

from __future__ import annotations

#: Key environments. A key made in one is rejected (10003) in every other.
ENVIRONMENTS: tuple[str, ...] = ("mainnet", "testnet", "demo", "demo-testnet")

#: REST hosts by the key environment they belong to.
REST_HOSTS: dict[str, tuple[str, ...]] = {
    "mainnet": (
        "api.bybit.com",
        "api.bytick.com",
        "api.bybit.nl",
        "api.bybit.tr",
        "api.bybit-tr.com",
        "api.bybit.kz",
        "api.bybitgeorgia.ge",
        "api.bybit.ae",
        "api.bybit.eu",
        "api.bybit.id",
        "api.bybit.com.hk",
        "api.manepa.jp",
    ),
    "testnet": ("api-testnet.bybit.com", "api-testnet.bytick.com", "api-testnet.manepa.jp"),
    "demo": ("api-demo.bybit.com", "api-demo.bytick.com"),
    "demo-testnet": ("api-demo-testnet.bybit.com",),
}

#: WebSocket stream hosts by environment.
STREAM_HOSTS: dict[str, tuple[str, ...]] = {
    "mainnet": (
        "stream.bybit.com",
        "stream.bytick.com",
        "stream.bybit.tr",
        "stream.bybit.id",
        "stream.bybit.kz",
        "stream.bybitgeorgia.ge",
        "stream.manepa.jp",
    ),
    "testnet": ("stream-testnet.bybit.com", "stream-testnet.bytick.com"),
    "demo": ("stream-demo.bybit.com",),
    "demo-testnet": ("stream-demo-testnet.bybit.com",),
}


def host_environment(host: str) -> str | None:
    """The key environment a REST or stream host belongs to, or None for a foreign host."""
    host = host.lower().split(":", 1)[0]
    for table in (REST_HOSTS, STREAM_HOSTS):
        for env, hosts in table.items():
            if host in hosts:
                return env
    return None


ALL_REST_HOSTS: frozenset[str] = frozenset(h for hosts in REST_HOSTS.values() for h in hosts)
ALL_STREAM_HOSTS: frozenset[str] = frozenset(h for hosts in STREAM_HOSTS.values() for h in hosts)

#: Order fields that Bybit types as strings and validates against the instrument's filters.
ORDER_VALUE_FIELDS: frozenset[str] = frozenset(
    {
        "qty",
        "price",
        "triggerPrice",
        "takeProfit",
        "stopLoss",
        "tpLimitPrice",
        "slLimitPrice",
        "tpTriggerPrice",
        "slTriggerPrice",
        "trailingStop",
        "activePrice",
        "basePrice",
    }
)

#: pybit ``HTTP`` methods that create or change orders (their kwargs carry order values).
PYBIT_ORDER_METHODS: frozenset[str] = frozenset(
    {
        "place_order",
        "amend_order",
        "place_batch_order",
        "amend_batch_order",
        "set_trading_stop",
    }
)

#: V5 paths that create orders: where a duplicate is a real-money problem.
ORDER_CREATE_PATHS: frozenset[str] = frozenset({"/v5/order/create", "/v5/order/create-batch"})

#: The timestamp rule of A.4: ``server - recv_window <= ts < server + FUTURE_TOLERANCE_MS``.
FUTURE_TOLERANCE_MS = 1000
DEFAULT_RECV_WINDOW_MS = 5000

#: The JSON heartbeat Bybit asks for, and how often (seconds).
RECOMMENDED_PING_INTERVAL_S = 20

#: retCodes a bot meets most, with the message the live server sends.
RET_MESSAGES: dict[int, str] = {
    0: "OK",
    10001: "Request parameter error.",
    10002: (
        "invalid request, please check your server timestamp or recv_window param. "
        "req_timestamp[{req_timestamp}],server_timestamp[{server_timestamp}],"
        "recv_window[{recv_window}]"
    ),
    10003: "API key is invalid.",
    10004: "error sign! origin_string[{origin_string}]",
    10005: "Permission denied, please check your API key permissions.",
    10006: "Too many visits. Exceeded the API Rate Limit.",
    10016: "Server error.",
    110001: "Order does not exist",
    110003: "Order price exceeds the allowable range.",
    110007: "ab not enough for new order",
    110020: "Not allowed to have more than 500 active orders.",
    110043: "Set leverage not modified",
    110072: "OrderLinkedID is duplicate",
    110094: "Order notional value below the lower limit",
    170134: "Order price decimal too long.",
    170136: "Order quantity lower than the minimum.",
    170137: "Order volume decimal too long",
    170140: "Order value exceeded lower limit",
    170148: "Market order amount decimal too long",
}

# --- Added for the fake exchange (additive: nothing above is renamed) -----------------------

#: More retCodes the fake exchange produces, with the docs' (or observed) wording.
RET_MESSAGES.update(
    {
        10010: "Unmatched IP, please check your API key's bound IP addresses.",
        10017: "Route not found.",
        110008: "The order has been completed or cancelled.",
        110017: "Reduce-only rule not satisfied",
        110024: "You have an existing position, so position mode cannot be switched",
        110025: "Position mode has not been modified.",
        110028: "Open orders exist, so you cannot change position mode",
        170124: "Order amount too large.",
        170131: "Balance insufficient",
        170193: "Buy price cannot be higher than {limit}",
        170194: "Sell price cannot be lower than {limit}",
        170213: "Order does not exist.",
    }
)

#: Wordings the live server has used for one retCode, by name. The first is the default and
#: equals ``RET_MESSAGES[code]``; tests pick another to check a bot does not parse one form.
RET_MESSAGE_VARIANTS: dict[int, dict[str, str]] = {
    10002: {
        "period": RET_MESSAGES[10002],
        "colon": (
            "invalid request, please check your server timestamp or recv_window param: "
            "req_timestamp[{req_timestamp}],server_timestamp[{server_timestamp}],"
            "recv_window[{recv_window}]"
        ),
        "outside": "Timestamp for this request is outside of the recvWindow.",
        "docs": "The request time exceeds the time window range.",
    },
    10004: {
        "origin": RET_MESSAGES[10004],
        "masked": (
            "Error sign, please check your signature generation algorithm: "
            "origin_string[***{payload}]"
        ),
        "docs": "Error sign, please check your signature generation algorithm.",
    },
}

#: 10001 texts seen in real replies, keyed by cause.
PARAM_ERROR_MESSAGES: dict[str, str] = {
    "missing_auth": (
        "empty value: apiTimestamp[{timestamp}] apiKey[{api_key}] apiSignature[{sign}]: "
        "openapi sign params error!"
    ),
    "qty_below_min": "The number of contracts exceeds minimum limit allowed",
    "qty_above_max": (
        "The number of contracts exceeds maximum limit allowed: too large, "
        "order_qty:{order_qty} > max_qty:{max_qty}"
    ),
    "position_idx": "position idx not match position mode",
    "symbol": "Not supported symbols",
    # UNCONFIRMED wordings (seen quoted second-hand, not in a primary source):
    "qty_step": "params error: Qty invalid",
    "zero_position": "can not set tp/sl/ts for zero position",
    "account_type": "accountType only support UNIFIED.",
}

#: Per-UID limits of table C.3: requests per rolling second, by path then category ("*" = any).
RATE_LIMIT_WINDOW_MS = 1000
UID_RATE_LIMITS: dict[str, dict[str, int]] = {
    "/v5/order/create": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/amend": {"linear": 10, "inverse": 10, "option": 10, "spot": 10},
    "/v5/order/cancel": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/cancel-all": {"linear": 10, "inverse": 10, "option": 1, "spot": 20},
    "/v5/order/create-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/amend-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/cancel-batch": {"linear": 10, "inverse": 10, "option": 10, "spot": 20},
    "/v5/order/disconnected-cancel-all": {"*": 5},
    "/v5/order/realtime": {"*": 50},
    "/v5/order/history": {"*": 50},
    "/v5/execution/list": {"*": 50},
    "/v5/position/list": {"linear": 50, "inverse": 50, "option": 50},
    "/v5/position/set-leverage": {"linear": 10, "inverse": 10},
    "/v5/position/trading-stop": {"linear": 10, "inverse": 10},
    "/v5/account/wallet-balance": {"*": 50},
    "/v5/account/fee-rate": {"*": 5},
}

#: The IP limit of C.1: requests per window across every host, then an HTTP 403 ban.
IP_RATE_LIMIT = 600
IP_RATE_WINDOW_MS = 5000
IP_BAN_MS = 10 * 60 * 1000
IP_BAN_BODY = "access too frequent"

#: Response headers of the per-UID limit, spelled as the docs' example spells them.
LIMIT_HEADER = "X-Bapi-Limit"
LIMIT_STATUS_HEADER = "X-Bapi-Limit-Status"
LIMIT_RESET_HEADER = "X-Bapi-Limit-Reset-Timestamp"

#: Trading fee rates of a non-VIP account (taker, maker).
FEE_RATES: dict[str, tuple[str, str]] = {
    "linear": ("0.00055", "0.0002"),
    "inverse": ("0.00055", "0.0002"),
    "spot": ("0.001", "0.001"),
}
