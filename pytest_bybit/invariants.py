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
from typing import Any, Iterable, Mapping

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


#: A retry this soon after a rate-limit answer did not wait at all.
IMMEDIATE_MS = 50
#: A wait counts as grown when it is more than this many times the one before (timer noise).
GROWTH = 1.1
#: Requests an endpoint allows per window when the reply did not say (X-Bapi-Limit).
DEFAULT_WINDOW_LIMIT = 10


def _rate_limited(record: Any) -> bool:
    return record.ret_code == 10006


def _reset_ms(record: Any) -> int | None:
    headers = {k.lower(): v for k, v in (getattr(record, "reply_headers", None) or {}).items()}
    try:
        return int(headers["x-bapi-limit-reset-timestamp"])
    except (KeyError, ValueError):
        return None


def _limit(record: Any) -> int:
    headers = {k.lower(): v for k, v in (getattr(record, "reply_headers", None) or {}).items()}
    try:
        return max(1, int(headers["x-bapi-limit"]))
    except (KeyError, ValueError):
        return DEFAULT_WINDOW_LIMIT


def hammering(records: Iterable[Any], slept_at: Mapping[int, float] | None = None) -> list[str]:
    """Retries that Bybit would feel as hammering, judged per request (only retries of the
    same request count; an unrelated call to another endpoint is not a retry):

    - a retry sent at once (under 50 ms) after a 10006, before the reset;
    - two or more retries in a row, before the reset, whose waits do not grow (a fixed or
      shrinking delay); without a reset header the window is a rolling second;
    - more requests to a rate-limited endpoint before its reset time than its limit allows.

    Retrying before the reset with growing waits is not hammering: the bot meets 10006 again
    and gets through once the window resets. ``slept_at`` (record id -> the test's virtual
    sleeping so far) measures each wait as the bot's own sleeps rather than clock time, so a
    loaded machine cannot make an immediate retry look like a wait.
    """
    out = []
    records = list(records)
    chains: dict[str, list[Any]] = {}
    for record in records:
        chains.setdefault(_intent_key(record), []).append(record)
    for key, chain in chains.items():
        label = key.split(" {", 1)[0]
        waits: list[int] = []  # waits of consecutive retries sent inside the used-up window
        worst: list[int] = []
        immediate = 0
        for previous, record in zip(chain, chain[1:]):
            if not _rate_limited(previous):
                waits = []
                continue
            gap = record.time_ms - previous.time_ms
            if slept_at is not None and id(record) in slept_at and id(previous) in slept_at:
                gap = round((slept_at[id(record)] - slept_at[id(previous)]) * 1000)
            reset = _reset_ms(previous) or previous.time_ms + RATE_WINDOW_MS
            if record.time_ms >= reset:  # waited the window out: what Bybit asks for
                waits = []
                continue
            if gap < IMMEDIATE_MS:
                immediate += 1
            waits.append(gap)
            if len(waits) >= 2 and all(b <= a * GROWTH for a, b in zip(waits, waits[1:])):
                worst = list(waits)
        if immediate:
            out.append(
                f"hammering: {label} retried {immediate} time{'s' if immediate != 1 else ''} at once after 10006 "
                "(under 50 ms): wait for X-Bapi-Limit-Reset-Timestamp, or back off with growing waits (BYB202)"
            )
        elif worst:
            shown = ", ".join(f"{w / 1000:g} s" for w in worst[:5])
            out.append(
                f"hammering: {label} retried after 10006, before the reset, with waits that do not grow "
                f"({shown}): back off exponentially, with jitter, or wait for X-Bapi-Limit-Reset-Timestamp "
                "(BYB202, BYB203)"
            )
    out += _beyond_the_limit(records)
    return out


def _beyond_the_limit(records: list[Any]) -> list[str]:
    """As many requests to one endpoint inside its used-up window as a whole window allows."""
    out = []
    window: dict[str, tuple[int, int]] = {}  # path -> (reset, limit)
    inside: Counter[str] = Counter()
    spans: dict[str, tuple[int, int]] = {}
    for record in records:
        path = record.path
        if path in window and record.time_ms < window[path][0]:
            inside[path] += 1
            spans[path] = (spans.get(path, (record.time_ms,))[0], record.time_ms)
        elif record.ret_code == 10006:
            reset = _reset_ms(record) or record.time_ms + RATE_WINDOW_MS
            window[path] = (reset, _limit(record))
            inside[path] += 1
            spans[path] = (record.time_ms, record.time_ms)
    for path, count in inside.items():
        if count >= window[path][1]:
            first, last = spans[path]
            out.append(
                f"hammering: {count} requests to {path} in {(last - first) / 1000:.1f} s inside a used-up window "
                f"(the endpoint allows {window[path][1]} per window): wait for X-Bapi-Limit-Reset-Timestamp (BYB202)"
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


def _lookups(records: list[Any], link: str) -> bool:
    return any(
        r.method == "GET" and r.path.startswith("/v5/order/") and str(r.params.get("orderLinkId", "")) == link
        for r in records
    )


def lost_order_advice(records: Iterable[Any]) -> str | None:
    """What the bot did after an order's response was lost, and what it should do instead.

    None when no response was lost, or when the bot's handling needs no advice of its own
    (a duplicate has its own finding).
    """
    records = list(records)
    for index, record in enumerate(records):
        if record.path not in ORDER_PATHS or not record.applied or record.error is None:
            continue
        link = str(record.params.get("orderLinkId", "") or "")
        intent = _order_intent(record.params)
        later = [r for r in records[index + 1:] if r.path in ORDER_PATHS and _order_intent(r.params) == intent]
        if not later:
            if link and _lookups(records[index + 1:], link):
                return None
            if link:
                return (
                    f"the order is live and your bot lost track of it: look it up by orderLinkId "
                    f"({link!r}, GET /v5/order/realtime) after a timeout instead of giving up (BYB205)"
                )
            return (
                "the order is live and your bot lost track of it: send an orderLinkId and look the order "
                "up by it (GET /v5/order/realtime) after a timeout (BYB205)"
            )
        if link and any(str(r.params.get("orderLinkId", "")) == link and r.ret_code == 110072 for r in later):
            return (
                "110072 after a retry means your first attempt landed: the retry with the same orderLinkId "
                f"({link!r}) was refused as a duplicate, so treat 110072 as 'already placed' and look the "
                "order up by orderLinkId instead of raising (BYB205)"
            )
        return None
    return None
