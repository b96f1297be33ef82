"""What a bot must never do, checked on every test that uses ``bybit``, scenario or not.

Each check reads the request log after the test and returns plain-words violations; the
plugin fails the test with them. A test opts out of one with
``@pytest.mark.bybit_allow("duplicate_orders")`` (or ``hammering``, ``unbounded_retry``,
``unused_faults``, ``unexpected_requests``, ``ws_resubscribe``: the stream server's check that a
bot reconnecting after a dropped stream subscribes and authenticates again).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable

from .faults import ORDER_PATHS, FaultInjector

CHECKS = ("duplicate_orders", "hammering", "unbounded_retry", "unused_faults", "unexpected_requests", "ws_resubscribe")
DEFAULT_MAX_REQUESTS_PER_INTENT = 10
RATE_WINDOW_MS = 1000
_VOLATILE = {"timestamp", "recvWindow", "sign", "cursor", "orderLinkId"}


def _order_intent(params: dict[str, Any]) -> tuple:
    return tuple(
        str(params.get(k, ""))
        for k in ("category", "symbol", "side", "orderType", "qty", "price", "triggerPrice", "reduceOnly")
    )


def duplicate_orders(records: Iterable[Any]) -> list[str]:
    """The same order placed again after its response was lost (no orderLinkId saved it)."""
    out = []
    lost_intents: dict[tuple, int] = {}
    for record in records:
        if record.path not in ORDER_PATHS or record.method != "POST":
            continue
        intent = _order_intent(record.params)
        if intent in lost_intents and record.applied and record.exchange_ret_code == 0:
            lost_intents[intent] += 1
            continue
        if record.applied and record.exchange_ret_code == 0 and record.error is not None:
            lost_intents.setdefault(intent, 1)
    for intent, count in lost_intents.items():
        if count > 1:
            symbol, side, qty = intent[1], intent[2], intent[4]
            out.append(
                f"order placed twice after a lost response ({side} {qty} {symbol} accepted {count} times): "
                "add orderLinkId and look the order up before retrying (BYB205)"
            )
    return out


def hammering(records: Iterable[Any]) -> list[str]:
    """Requests sent to an endpoint before the reset time Bybit gave with a 10006.

    A 10006 without X-Bapi-Limit-Reset-Timestamp still means "this second is used up": a
    retry within the rolling one-second window counts as hammering too.
    """
    out = []
    reset_at: dict[str, int] = {}
    early: Counter[str] = Counter()
    first_early: dict[str, int] = {}
    last_early: dict[str, int] = {}
    for record in records:
        path = record.path
        if path in reset_at and record.time_ms < reset_at[path]:
            early[path] += 1
            first_early.setdefault(path, record.time_ms)
            last_early[path] = record.time_ms
        if record.ret_code == 10006:
            headers = getattr(record, "reply_headers", None) or {}
            reset = {k.lower(): v for k, v in headers.items()}.get("x-bapi-limit-reset-timestamp")
            try:
                # no header (a global 10006): Bybit's window is a rolling second
                until = int(reset) if reset is not None else record.time_ms + RATE_WINDOW_MS
            except ValueError:
                until = record.time_ms + RATE_WINDOW_MS
            reset_at[path] = max(reset_at.get(path, 0), until)
    for path, count in early.items():
        span = (last_early[path] - first_early[path]) / 1000
        out.append(
            f"retried 10006 before the reset time: {count} request{'s' if count != 1 else ''} to {path} "
            f"in {span:.1f} s; wait for X-Bapi-Limit-Reset-Timestamp, or at least 1 s without it (BYB202)"
        )
    return out


def _intent_key(record: Any) -> str:
    params = {k: v for k, v in record.params.items() if k not in _VOLATILE}
    return f"{record.method} {record.path} {json.dumps(params, sort_keys=True, default=str)}"


def unbounded_retry(records: Iterable[Any], limit: int) -> list[str]:
    """More than ``limit`` identical failing requests: a retry loop without a cap."""
    failures: Counter[str] = Counter()
    for record in records:
        failed = record.error is not None or (record.ret_code not in (0, None)) or (record.http_status or 200) >= 400
        if failed:
            failures[_intent_key(record)] += 1
    return [
        f"{count} failed attempts at {key.split(' {', 1)[0]}: cap retries (at most {limit}) "
        "and give up with an error (BYB204)"
        for key, count in failures.items()
        if count > limit
    ]


def unused_faults(injector: FaultInjector) -> list[str]:
    return [
        f"fault {fault.describe()} was never triggered: the test made no matching request. "
        "Point it at an endpoint the bot calls (endpoint='/v5/...') or mark it optional=True"
        for fault in injector.unused()
        if fault.origin != "scenario"
    ]
