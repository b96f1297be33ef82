"""WS order entry (``/v5/trade``): ``order.create`` / ``order.amend`` / ``order.cancel`` and
their batch forms go through the same routes, order book, rate limits and timestamp rule
as REST (bybit-v5.md E.4); the rate-limit headers come back inside the JSON ``header``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import facts
from ..exchange.errors import BybitError, Result
from ..exchange.models import ApiKey
from ..exchange.server import FakeBybit
from ..exchange.wire import Request

OPS: dict[str, str] = {
    "order.create": "/v5/order/create",
    "order.amend": "/v5/order/amend",
    "order.cancel": "/v5/order/cancel",
    "order.create-batch": "/v5/order/create-batch",
    "order.amend-batch": "/v5/order/amend-batch",
    "order.cancel-batch": "/v5/order/cancel-batch",
}
#: retCode for an op the trade stream does not know (WS OE general codes).
UNKNOWN_OP = 10404
#: UNCONFIRMED wording: an order request on a trade connection that has not authenticated.
NOT_AUTHED = "Request not authorized: send the auth op first"


@dataclass
class Answer:
    ret_code: int
    ret_msg: str
    data: Any = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)
    ext_info: dict[str, Any] = field(default_factory=dict)


def execute(ex: FakeBybit, key: ApiKey, message: dict[str, Any], now_ms: int) -> Answer:
    """The answer to one WS trade request from an authenticated connection."""
    header: dict[str, str] = {"Timenow": str(now_ms)}
    op = message.get("op")
    path = OPS.get(op) if isinstance(op, str) else None
    if path is None:
        return Answer(UNKNOWN_OP, f"op {op!r} not found", {}, header)
    sent = message.get("header") if isinstance(message.get("header"), dict) else {}
    try:
        timestamp = int(sent.get("X-BAPI-TIMESTAMP", now_ms))
        recv_window = int(sent.get("X-BAPI-RECV-WINDOW", facts.DEFAULT_RECV_WINDOW_MS))
    except (TypeError, ValueError):
        return Answer(10001, facts.RET_MESSAGES[10001], {}, header)
    if not (now_ms - recv_window <= timestamp < now_ms + facts.FUTURE_TOLERANCE_MS):
        text = facts.RET_MESSAGE_VARIANTS[10002][ex.auth.timestamp_variant].format(
            req_timestamp=timestamp, server_timestamp=now_ms, recv_window=recv_window
        )
        return Answer(10002, text, {}, header)
    args = message.get("args")
    if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
        return Answer(10001, facts.RET_MESSAGES[10001], {}, header)
    route = ex.routes[("POST", path)]
    request = Request("POST", path, {}, json.dumps(args[0]))
    request.api_key = key
    request.account = ex.engine.accounts[key.uid]
    request.now_ms = now_ms
    with ex._lock:
        try:
            if key.read_only:
                raise BybitError(10005)
            header.update(ex._rate_limit(route, request, key.uid, now_ms))
            result = route.fn(ex, request)
        except BybitError as err:
            header.update(err.headers)
            return Answer(err.ret_code, err.ret_msg, {}, header)
    if isinstance(result, Result):
        return Answer(0, "OK", result.result, header, result.ext_info)
    return Answer(0, "OK", result, header)
