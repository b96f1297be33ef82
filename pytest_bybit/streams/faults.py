"""Stream faults: the ways Bybit's WebSockets fail in production (pybit#31, #56, #172, #300).

They join the fault catalog (markers, ``bybit.fault``) and the scenario matrix, and are
played by the stream server rather than the REST middleware. ``endpoint`` is a glob on the
stream path (``/v5/private``, ``/v5/public/*``); ``times``, ``after``, ``every``,
``probability`` count the events each fault watches:

- ``ws_handshake_502``: connection attempts;
- ``ws_drop`` / ``ws_stall``: the client's requests (subscribe, auth, orders; not pings);
- ``ws_auth_fail``: ``auth`` requests.
"""

from __future__ import annotations

import fnmatch

from ..faults import CATALOG, Fault, FaultInjector, FaultSpec
from ..scenarios import SCENARIOS, Scenario

HANDSHAKE, REQUEST, AUTH = "handshake", "request", "auth"

STREAM_FAULTS: tuple[FaultSpec, ...] = (
    FaultSpec(
        "ws_drop", "the stream server closes the connection (TCP, no close frame) after answering a request",
        scope="stream", lint="BYB501",
    ),
    FaultSpec(
        "ws_stall", "the connection stays open but goes silent: no data, no pong (only a heartbeat timeout notices)",
        scope="stream", lint="BYB501, BYB502",
    ),
    FaultSpec(
        "ws_handshake_502", "the WebSocket handshake is answered HTTP 502 Bad Gateway",
        scope="stream", http_status=502, lint="BYB204",
    ),
    FaultSpec(
        "ws_auth_fail", "the private / trade stream refuses auth ({\"success\": false, \"ret_msg\": \"Params Error\"})",
        scope="stream", lint="BYB401, BYB403",
    ),
)
#: Which event each stream fault watches.
EVENTS = {"ws_drop": REQUEST, "ws_stall": REQUEST, "ws_handshake_502": HANDSHAKE, "ws_auth_fail": AUTH}

STREAM_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "ws_drop", "a stream connection is dropped after a request",
        faults=(("ws_drop", {"times": 1}),),
        advice="reconnect, then resubscribe every topic and re-authenticate the private stream (BYB501)",
    ),
    Scenario(
        "ws_stall", "a stream connection goes silent (no data, no pong)",
        faults=(("ws_stall", {"times": 1}),),
        advice="ping every 20 s and reconnect when the pong does not come (BYB501, BYB502)",
    ),
    Scenario(
        "ws_handshake_502", "one WebSocket handshake is answered 502 Bad Gateway",
        faults=(("ws_handshake_502", {"times": 1}),),
        advice="retry the connection with backoff (BYB204)",
    ),
    Scenario(
        "ws_auth_fail", "one stream auth is refused",
        faults=(("ws_auth_fail", {"times": 1}),),
        advice="check the auth reply and authenticate again with a fresh expires (BYB403)",
    ),
)


def register() -> None:
    """Add the stream faults and scenarios to the catalog (idempotent)."""
    for spec in STREAM_FAULTS:
        CATALOG.setdefault(spec.name, spec)
    for scenario in STREAM_SCENARIOS:
        SCENARIOS.setdefault(scenario.name, scenario)


def firing(injector: FaultInjector, event: str, path: str) -> Fault | None:
    """The first stream fault that fires on this event, counted as a hit."""
    for fault in injector.faults:
        if EVENTS.get(fault.name) != event or fault.exhausted:
            continue
        if fault.endpoint and not fnmatch.fnmatchcase(path, fault.endpoint):
            continue
        if fault.method:
            continue  # a method filter names HTTP requests: never a stream event
        fault.seen += 1
        if fault.seen <= fault.after:
            continue
        if fault.every is not None and (fault.seen - fault.after) % fault.every:
            continue
        if fault.probability is not None and fault._rng.random() >= fault.probability:
            continue
        fault.hits += 1
        injector.fired.append((fault.name, f"WS {path}"))
        return fault
    return None

