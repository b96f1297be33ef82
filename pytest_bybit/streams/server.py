"""The loopback WebSocket server behind ``bybit``: Bybit's public, private and trade streams.

It starts on the first WebSocket a bot opens (tests that never stream pay nothing), runs
its own event loop in one background thread, and is stopped with the fixture. Its loop
keeps real time, while every Bybit rule about time (the ``auth`` expiry, the idle cut-off)
is judged on the test's virtual clock: before the clock jumps (a bot's ``sleep``), the
server first reads whatever the bot has already sent, so a ping sent before a 20 s sleep
counts as sent before it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import threading
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Opcode
from websockets.http11 import Request as HandshakeRequest, Response as HandshakeResponse

from .. import facts
from ..clock import real_monotonic
from ..exchange.server import FakeBybit
from ..faults import FaultInjector
from . import faults, protocol, topics
from .session import Session

THREAD_NAME = "pytest-bybit-streams"
_WATCHDOG_S = 0.01
_SETTLE_HOPS = 8
_log = logging.getLogger("pytest_bybit.streams")


class _RealTimeLoop(asyncio.SelectorEventLoop):
    """The server's loop: real time, whatever the test's clock patches do to ``time``."""

    def time(self) -> float:
        return real_monotonic()


class _Connection(ServerConnection):
    """A server connection that notices ping frames and can go silent (``ws_stall``)."""

    session: "Session | None" = None

    def data_received(self, data: bytes) -> None:
        if self.session is not None:
            self.session.server.traffic += 1
        super().data_received(data)

    def process_event(self, event: Any) -> None:
        if getattr(event, "opcode", None) is Opcode.PING and self.session is not None:
            self.session.heartbeat()
        super().process_event(event)

    def send_data(self) -> None:
        if self.session is not None and self.session.stalled:
            self.protocol.data_to_send()  # discarded: a stalled server answers nothing, not even pongs
            return
        super().send_data()


class StreamServer:
    """Bybit's streams for one test, on 127.0.0.1 (lazily started, stopped with the fixture)."""

    def __init__(self, exchange: FakeBybit, clock: Any, injector: FaultInjector) -> None:
        self.exchange = exchange
        self.clock = clock
        self.injector = injector
        self.lock = threading.RLock()
        self.sessions: list[Session] = []  # every connection of the test, oldest first
        self.handshakes_refused = 0
        self.traffic = 0  # reads from clients, to tell a quiet moment from a busy one
        self._settled_traffic = 0
        self._accounts: dict[int, topics.AccountState] = {}
        self._ids = itertools.count(1)
        self._start_lock = threading.Lock()
        self._port: int | None = None
        self._loop: _RealTimeLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Server | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    # -- lifetime ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._port is not None

    @property
    def port(self) -> int:
        """The local port, starting the server if it is not running yet."""
        with self._start_lock:
            if self._port is None:
                self._start()
            assert self._port is not None
            return self._port

    def _start(self) -> None:
        loop = _RealTimeLoop()
        # proto=IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted sockets: without it Nagle
        # holds a push behind the reply before it until the client's delayed ACK (~40 ms)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(self._serve(sock))
            except BaseException as exc:  # pragma: no cover - reported to the caller below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
        thread.start()
        ready.wait(10)
        if failure:
            raise RuntimeError(f"pytest-bybit: the local stream server did not start: {failure[0]}") from failure[0]
        self._loop, self._thread = loop, thread
        self._port = sock.getsockname()[1]
        self.exchange.observers.append(self.on_change)
        self.clock.listeners.append(self.settle)

    async def _serve(self, sock: socket.socket) -> Server:
        server = await serve(
            self._handle,
            sock=sock,
            process_request=self._handshake,
            create_connection=_Connection,
            ping_interval=None,  # Bybit sends no ping frames; the client keeps the connection alive
            close_timeout=1,
            compression=None,
            logger=_log,
        )
        self._watchdog = asyncio.get_running_loop().call_later(_WATCHDOG_S, self._tick)
        return server

    def stop(self) -> None:
        """Close every connection (a close frame, so clients do not reconnect), the server and its thread."""
        with self._start_lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(5)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                if self.on_change in self.exchange.observers:
                    self.exchange.observers.remove(self.on_change)
                if self.settle in self.clock.listeners:
                    self.clock.listeners.remove(self.settle)
                self._loop = self._thread = None
                self._port = None
            if thread.is_alive() or not loop.is_closed():
                raise RuntimeError("pytest-bybit: the stream server's thread did not stop within 5 s")

    async def _shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        for session in self.sessions:
            if session.stalled and session.ws is not None and session.ws.transport is not None:
                session.ws.transport.abort()
        if self._server is not None:
            self._server.close(close_connections=True)
            try:
                await asyncio.wait_for(self._server.wait_closed(), 3)
            except asyncio.TimeoutError:  # pragma: no cover - a client that never answers the close
                for session in self.sessions:
                    if session.ws is not None and session.ws.transport is not None:
                        session.ws.transport.abort()

    # -- connections -----------------------------------------------------------------------------
    def _handshake(self, connection: _Connection, request: HandshakeRequest) -> HandshakeResponse | None:
        parts = urlsplit(request.path)
        host, _, rest = parts.path.lstrip("/").partition("/")
        path = "/" + rest
        kind = protocol.PATHS.get(path)
        env = facts.host_environment(host)
        if kind is None or env is None:
            return connection.respond(
                HTTPStatus.NOT_FOUND,
                f"pytest-bybit: no Bybit stream at wss://{host}{path}; served paths: {', '.join(protocol.PATHS)}\n",
            )
        if env.startswith("demo") and kind != "private":
            return connection.respond(
                HTTPStatus.NOT_FOUND,
                f"pytest-bybit: {host} serves only the private stream (Bybit's demo trading); "
                "public data comes from stream.bybit.com\n",
            )
        try:
            max_idle = protocol.max_active_time(dict(parse_qsl(parts.query)), kind)
        except ValueError as exc:
            return connection.respond(HTTPStatus.BAD_REQUEST, f"pytest-bybit: {exc}\n")
        if faults.firing(self.injector, faults.HANDSHAKE, path) is not None:
            self.handshakes_refused += 1
            return connection.respond(HTTPStatus.BAD_GATEWAY, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
        session = Session(self, host, path, kind, max_idle, f"pytest-bybit-{next(self._ids)}")
        session.ws = connection
        connection.session = session
        with self.lock:
            self.sessions.append(session)
        return None

    def successor(self, old: Session) -> Session | None:
        """The bot's next connection to the same stream after the server ended ``old``: the
        first later one that carried a request (a handshake the client gave up on does not count)."""
        if old.lost_at is None:
            return None
        for new in self.sessions:
            if new is not old and new.requests and new.opened_at >= old.lost_at and (new.host, new.path) == (old.host, old.path):
                return new
        return None

    async def _handle(self, connection: _Connection) -> None:
        session = connection.session
        assert session is not None
        try:
            async for raw in connection:
                session.on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            session.closed = True

    def _live(self) -> list[Session]:
        return [s for s in self.sessions if not s.closed]

    def _cut_idle(self) -> None:
        """Bybit's idle rule on the virtual clock: no ping and no data for max_idle seconds."""
        now = self.clock.server_time()
        for session in self._live():
            if not session.stalled and session.lost is None and now - session.last_activity > session.max_idle:
                session.drop(f"no ping for {session.max_idle:.0f} s")

    def _tick(self) -> None:
        self._cut_idle()
        self._watchdog = asyncio.get_running_loop().call_later(_WATCHDOG_S, self._tick)

    def settle(self) -> bool:
        """Before virtual time jumps: let the server read what bots have already sent.
        True when it read something new since the last call."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or threading.current_thread() is thread or not self._live():
            return False
        done = threading.Event()

        def hop(left: int) -> None:
            if left:
                loop.call_soon(hop, left - 1)
            else:
                for session in self._live():
                    session.flush_all()
                self._cut_idle()  # a deadline the previous jump crossed is judged before the next one
                done.set()

        try:
            loop.call_soon_threadsafe(hop, _SETTLE_HOPS)
        except RuntimeError:  # the loop is closing
            return False
        done.wait(0.5)
        busy = self.traffic != self._settled_traffic
        self._settled_traffic = self.traffic
        return busy

    # -- pushing ----------------------------------------------------------------------------------
    def _post(self, session: Session, message: dict[str, Any]) -> None:
        loop = self._loop
        if loop is None:
            return
        if threading.current_thread() is self._thread:
            session.deliver(message, data=True)
        else:
            loop.call_soon_threadsafe(session.deliver, message, True)

    def watch_account(self, uid: int) -> None:
        with self.lock, self.exchange._lock:
            if uid not in self._accounts:
                account = self.exchange.engine.accounts[uid]
                self._accounts[uid] = topics.AccountState(self.exchange, account, self.clock.server_ms())

    def on_change(self) -> None:
        """The exchange's state may have changed: push what subscribers have not seen yet."""
        if not self.running:
            return
        with self.lock, self.exchange._lock:
            live = [s for s in self._live() if s.topics and not s.stalled]
            now = self.clock.server_ms()
            for uid, state in self._accounts.items():
                changes = state.changes(now)
                for session in live:
                    if session.kind == "private" and session.key is not None and session.key.uid == uid:
                        self._publish_private(session, changes, now)
            for session in live:
                if session.kind in protocol.PUBLIC_KINDS:
                    for topic, spec in list(session.topics.items()):
                        self.publish_public(session, topic, spec, now)

    def _publish_private(self, session: Session, changes: dict[str, list[dict[str, Any]]], now: int) -> None:
        for topic, (family, _, category) in session.topics.items():
            rows = [r for r in changes.get(family, ()) if category is None or r.get("category") == category]
            if family == "wallet":
                rows = changes["wallet"]
            if rows:
                message = {"id": f"{session.key.uid}-{now}-{family}", "topic": topic, "creationTime": now, "data": rows}
                self._post(session, message)

    def publish_public(self, session: Session, topic: str, spec: tuple[str, str, str | None], now: int, first: bool = False) -> None:
        """Push ``topic`` to ``session`` if it changed since the last push (always when ``first``)."""
        family, param, symbol = spec
        ex, kind = self.exchange, session.kind
        assert symbol is not None
        seq = next(self._ids)
        if family == "tickers":
            current = topics.ticker(ex, kind, symbol, now)
            previous = session.last.get(topic)
            if current == previous:
                return
            session.last[topic] = current
            if previous is None or kind in ("spot", "option"):
                message = {"topic": topic, "ts": now, "type": "snapshot", "cs": seq, "data": current}
            else:
                delta = {k: v for k, v in current.items() if previous.get(k) != v}
                message = {"topic": topic, "ts": now, "type": "delta", "cs": seq, "data": {"symbol": symbol, **delta}}
        elif family == "orderbook":
            book = topics.orderbook(ex, kind, symbol, int(param), now, seq)
            levels = (book["b"], book["a"])
            if session.last.get(topic) == levels:
                return
            session.last[topic] = levels
            message = {"topic": topic, "ts": now, "type": "snapshot", "data": book, "cts": now}
        elif family == "publicTrade":
            if first:
                session.last[topic] = topics.trades_since(ex, kind, symbol, None)[1]
                return
            rows, session.last[topic] = topics.trades_since(ex, kind, symbol, session.last.get(topic))
            if not rows:
                return
            message = {"topic": topic, "type": "snapshot", "ts": now, "data": rows}
        else:  # kline
            price = ex.engine.price(symbol)
            if first:
                session.last[topic] = (topics.Candle(param, price, now, ex.engine.instruments[(kind, symbol)].fmt_price), topics.trades_since(ex, kind, symbol, None)[1])
                candle = session.last[topic][0]
                rows = [candle.row(now, confirm=False)]
            else:
                candle, last_trade = session.last[topic]
                trades, newest = topics.trades_since(ex, kind, symbol, last_trade)
                session.last[topic] = (candle, newest)
                if not trades and price == candle.close and now < candle.start + candle.step:
                    return
                rows = candle.update(price, trades, now)
            message = {"topic": topic, "data": rows, "ts": now, "type": "snapshot"}
        self._post(session, message)

    # -- checks ------------------------------------------------------------------------------------
    def violations(self) -> list[str]:
        """After a connection the server ended, the bot's next one on the same stream must
        subscribe to every topic the old one had and authenticate again if it had."""
        found = []
        with self.lock:
            for old in self.sessions:
                new = self.successor(old)
                if not old.lost or new is None:
                    continue
                missing = sorted(old.topics_when_lost - new.ever_topics)
                if missing:
                    found.append(
                        f"after {old.lost} on {old.url} the bot reconnected but did not resubscribe to "
                        f"{', '.join(missing)}"
                    )
                if old.authed_when_lost and not new.ever_authed:
                    found.append(f"after {old.lost} on {old.url} the bot reconnected but did not authenticate again")
        return found
