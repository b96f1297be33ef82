"""One client connection as Bybit's stream server sees it: its stream, auth, topics, the
requests it sends and, in order, what goes back to it.

Replies to commands (subscribe, auth, orders) leave after a network's round trip: clients
such as pybit store a request only after sending it, and an instant answer would race
them. Everything else (pongs, pushes) follows in order behind.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from .. import facts
from ..clock import real_monotonic
from . import auth, faults, protocol, topics, trade

if TYPE_CHECKING:
    from .server import StreamServer, _Connection

#: How long a command reply (subscribe, auth) takes to come back: a real network's round
#: trip. Clients such as pybit record a request after sending it; an instant reply would race them.
REPLY_LATENCY_S = 0.02


class Session:
    """One client connection as Bybit sees it: stream kind, auth, topics, last activity."""

    def __init__(self, server: "StreamServer", host: str, path: str, kind: str, max_idle: float, conn_id: str) -> None:
        self.server = server
        self.host = host
        self.path = path
        self.kind = kind
        self.env = facts.host_environment(host) or "mainnet"
        self.max_idle = max_idle
        self.conn_id = conn_id
        self.ws: _Connection | None = None
        self.key: Any = None
        self.ever_authed = False
        self.topics: dict[str, tuple[str, str, str | None]] = {}
        self.ever_topics: set[str] = set()
        self.last: dict[str, Any] = {}
        self.last_activity = server.clock.server_time()
        self.stalled = False
        self.lost: str | None = None  # why the server ended it (a fault, the idle rule)
        self.lost_at: float | None = None  # when, on the exchange's (virtual) clock
        self.opened_at = server.clock.server_time()
        self.topics_when_lost: set[str] = set()
        self.authed_when_lost = False
        self.requests = 0  # messages received from the client
        self.closed = False
        self._drop_after_reply = False
        self._outbox: deque[tuple[float, Callable[[], None]]] = deque()
        self._flushing: asyncio.TimerHandle | None = None

    @property
    def url(self) -> str:
        return f"wss://{self.host}{self.path}"

    # -- activity --------------------------------------------------------------------------
    def heartbeat(self) -> None:
        self.last_activity = self.server.clock.server_time()

    def deliver(self, message: dict[str, Any], data: bool = False, latency: float = 0.0) -> None:
        """Queue one JSON frame (loop thread only), in order, after ``latency`` real seconds.
        Stream data counts as activity (Bybit E.1)."""
        if self.ws is None or self.stalled or self.closed or self.lost:
            return
        text = json.dumps(message, separators=(",", ":")).encode("utf-8")
        self._queue(latency, lambda: self._send(text))
        if data:
            self.heartbeat()

    def reply(self, message: dict[str, Any]) -> None:
        self.deliver(message, latency=REPLY_LATENCY_S)
        if self._drop_after_reply:  # ws_drop: the answer arrives, nothing after it
            self._drop_after_reply = False
            self.drop("ws_drop")

    def _send(self, text: bytes) -> None:
        ws = self.ws
        if ws is None or self.stalled or self.closed:
            return
        try:
            ws.protocol.send_text(text)
            ws.send_data()
        except Exception:  # the connection is closing: the message is lost, as on the wire
            return

    def _queue(self, latency: float, action: Callable[[], None]) -> None:
        ready = real_monotonic() + latency
        if self._outbox:
            ready = max(ready, self._outbox[-1][0])
        self._outbox.append((ready, action))
        if self._flushing is None:
            self._flush()

    def flush_all(self) -> None:
        """Deliver everything queued now: virtual time is about to pass the reply latency."""
        if self._flushing is not None:
            self._flushing.cancel()
            self._flushing = None
        while self._outbox:
            self._outbox.popleft()[1]()

    def _flush(self) -> None:
        self._flushing = None
        now = real_monotonic()
        while self._outbox and self._outbox[0][0] <= now:
            self._outbox.popleft()[1]()
        if self._outbox:
            loop = asyncio.get_running_loop()
            self._flushing = loop.call_later(self._outbox[0][0] - now, self._flush)

    def lose(self, reason: str) -> None:
        if self.lost is None:
            self.lost = reason
            self.lost_at = self.server.clock.server_time()
            self.topics_when_lost = set(self.topics)
            self.authed_when_lost = self.key is not None

    def drop(self, reason: str) -> None:
        """Close the TCP connection without a close frame (after what is already queued), as
        Bybit's drops look to a client."""
        self.lose(reason)
        self._queue(0.0, self._close_transport)

    def _close_transport(self) -> None:
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.close()

    def stall(self) -> None:
        self.lose("ws_stall")
        self.stalled = True

    # -- requests --------------------------------------------------------------------------
    def on_message(self, raw: str | bytes) -> None:
        self.requests += 1
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            message = None
        if not isinstance(message, dict):
            self._invalid(None, None)
            return
        op = message.get("op")
        req_id = message.get("reqId") if self.kind == "trade" else message.get("req_id")
        if op == "ping":
            self.heartbeat()
            self.deliver(protocol.pong(self.kind, self.conn_id, req_id, self.server.clock.server_ms()))
            return
        fault = faults.firing(self.server.injector, faults.REQUEST, self.path)
        if fault is not None and fault.name == "ws_stall":
            self.stall()
            return
        self._drop_after_reply = fault is not None and fault.name == "ws_drop"
        if self.kind == "trade":
            self._trade(op, req_id, message)
        elif op == "auth" and self.kind == "private":
            self._auth(message.get("args"), req_id)
        elif op in ("subscribe", "unsubscribe"):
            self._subscribe(op, message.get("args"), req_id)
        else:
            self._invalid(op, req_id)
        if self._drop_after_reply:
            self._drop_after_reply = False
            self.drop("ws_drop")

    def _invalid(self, op: Any, req_id: Any) -> None:
        if self.kind == "trade":
            self.reply(protocol.trade_reply(str(op), self.conn_id, req_id, trade.UNKNOWN_OP, f"op {op!r} not found"))
        else:
            self.reply(protocol.command_reply(self.kind, str(op), self.conn_id, req_id, False, "error:invalid op"))

    def _check_auth(self, args: Any) -> auth.AuthResult:
        if faults.firing(self.server.injector, faults.AUTH, self.path) is not None:
            return auth.AuthResult(None, auth.EXPIRED, 10001)
        return auth.check(self.server.exchange.keys, args, self.env, self.server.clock.server_ms())

    def _auth(self, args: Any, req_id: Any) -> None:
        result = self._check_auth(args)
        if result.ok:
            self._authenticated(result.key)
        self.reply(protocol.command_reply(self.kind, "auth", self.conn_id, req_id, result.ok, result.message))

    def _authenticated(self, key: Any) -> None:
        self.key = key
        self.ever_authed = True
        self.server.watch_account(key.uid)

    def _subscribe(self, op: str, args: Any, req_id: Any) -> None:
        if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
            self.reply(protocol.command_reply(self.kind, op, self.conn_id, req_id, False, "error:param error"))
            return
        parsed: dict[str, tuple[str, str, str | None]] = {}
        try:
            for topic in args:
                if self.kind == "private":
                    if self.key is None:
                        raise topics.TopicError(f"error:topic:{topic} needs auth first")  # UNCONFIRMED on V5
                    family, category = topics.parse_private(topic)
                    parsed[topic] = (family, "", category)
                else:
                    parsed[topic] = topics.parse_public(self.server.exchange, self.kind, topic)
        except topics.TopicError as err:
            self.reply(protocol.command_reply(self.kind, op, self.conn_id, req_id, False, str(err), list(args)))
            return
        with self.server.lock:
            if op == "unsubscribe":
                for topic in parsed:
                    self.topics.pop(topic, None)
                    self.last.pop(topic, None)
                self.reply(protocol.command_reply(self.kind, op, self.conn_id, req_id, True, "", list(args)))
                return
            self.topics.update(parsed)
            self.ever_topics.update(parsed)
            self.reply(protocol.command_reply(self.kind, op, self.conn_id, req_id, True, "", list(args)))
            if self.kind != "private":
                with self.server.exchange._lock:
                    now = self.server.clock.server_ms()
                    for topic, spec in parsed.items():
                        self.server.publish_public(self, topic, spec, now, first=True)

    def _trade(self, op: Any, req_id: Any, message: dict[str, Any]) -> None:
        if op == "auth":
            result = self._check_auth(message.get("args"))
            if result.ok:
                self._authenticated(result.key)
            self.reply(protocol.trade_reply("auth", self.conn_id, req_id, result.ret_code, result.message or "OK"))
            return
        if self.key is None:
            self.reply(protocol.trade_reply(str(op), self.conn_id, req_id, 10003, trade.NOT_AUTHED))
            return
        answer = trade.execute(self.server.exchange, self.key, message, self.server.clock.server_ms())
        self.reply(
            protocol.trade_reply(str(op), self.conn_id, req_id, answer.ret_code, answer.ret_msg, answer.data, answer.header)
        )
        if answer.ret_code == 0:
            self.server.exchange.changed()
