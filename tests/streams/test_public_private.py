"""Unmodified pybit and raw clients on Bybit's public and private streams."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
import websockets
from pybit.unified_trading import HTTP, WebSocket

from pytest_bybit.clock import real_monotonic


class Inbox:
    """Messages a pybit callback received, with a real-time wait (pybit runs its own thread)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, message: dict[str, Any]) -> None:
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        deadline = real_monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                left = deadline - real_monotonic()
                assert left > 0, f"no matching message in {self.messages!r}"
                self._cond.wait(left)


def last_price(message: dict[str, Any]) -> str | None:
    return message.get("data", {}).get("lastPrice")


def test_pybit_public_ticker_follows_set_price(bybit):
    inbox = Inbox()
    ws = WebSocket(testnet=True, channel_type="linear")
    try:
        ws.ticker_stream("BTCUSDT", inbox)
        inbox.wait_for(lambda m: last_price(m) == "60000.00")
        bybit.set_price("BTCUSDT", 61234.5)
        inbox.wait_for(lambda m: last_price(m) == "61234.50")
    finally:
        ws.exit()
    assert [s.path for s in bybit.streams.sessions] == ["/v5/public/linear"]
    assert bybit.streams.sessions[0].host == "stream-testnet.bybit.com"


@pytest.mark.bybit_fault("ws_drop")
def test_pybit_survives_ws_drop_by_reconnecting_and_resubscribing(bybit):
    inbox = Inbox()
    ws = WebSocket(testnet=True, channel_type="spot")
    try:
        ws.ticker_stream("BTCUSDT", inbox)  # answered, then the connection is dropped
        deadline = real_monotonic() + 5
        while len(bybit.streams.sessions) < 2 or not bybit.streams.sessions[1].topics:
            assert real_monotonic() < deadline, "pybit did not reconnect"
            threading.Event().wait(0.01)
        bybit.set_price("BTCUSDT", 59000)
        inbox.wait_for(lambda m: last_price(m) == "59000.0")
    finally:
        ws.exit()
    first, second = bybit.streams.sessions
    assert first.lost == "ws_drop" and bybit.streams.successor(first) is second
    assert set(second.topics) == {"tickers.BTCUSDT"}
    assert bybit.streams.violations() == []


def test_pybit_private_streams_follow_orders_positions_and_wallet(bybit):
    bybit.set_price("BTCUSDT", 50000)
    inbox = Inbox()
    ws = WebSocket(testnet=True, channel_type="private", api_key=bybit.api_key, api_secret=bybit.api_secret)
    try:
        ws.order_stream(inbox)
        ws.execution_stream(inbox)
        ws.position_stream(inbox)
        ws.wallet_stream(inbox)
        deadline = real_monotonic() + 5
        while len(bybit.streams.sessions[0].topics) < 4:
            assert real_monotonic() < deadline
            threading.Event().wait(0.01)
        session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
        order_id = session.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.010"
        )["result"]["orderId"]
        order = inbox.wait_for(lambda m: m["topic"] == "order")
        assert order["data"][0]["orderId"] == order_id and order["data"][0]["orderStatus"] == "Filled"
        assert order["data"][0]["category"] == "linear"
        fill = inbox.wait_for(lambda m: m["topic"] == "execution")
        assert fill["data"][0]["execQty"] == "0.01" and fill["data"][0]["execPrice"] == "50000.00"
        position = inbox.wait_for(lambda m: m["topic"] == "position")
        assert position["data"][0]["size"] == "0.010" and position["data"][0]["side"] == "Buy"
        wallet = inbox.wait_for(lambda m: m["topic"] == "wallet")
        assert wallet["data"][0]["accountType"] == "UNIFIED"
    finally:
        ws.exit()
    assert bybit.streams.sessions[0].ever_authed


async def _private(url: str, auth_args: list[Any]) -> dict[str, Any]:
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.send(json.dumps({"op": "auth", "args": auth_args}))
        return json.loads(await ws.recv())


def _auth_args(key: str, secret: str, expires: int) -> list[Any]:
    import hashlib
    import hmac

    sign = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return [key, expires, sign]


def test_private_auth_refuses_expired_bad_signature_and_foreign_key(bybit):
    url = "wss://stream-testnet.bybit.com/v5/private"
    now = bybit.clock.server_ms()
    ok = asyncio.run(_private(url, _auth_args(bybit.api_key, bybit.api_secret, now + 10_000)))
    assert ok["success"] is True and ok["op"] == "auth" and ok["ret_msg"] == ""
    expired = asyncio.run(_private(url, _auth_args(bybit.api_key, bybit.api_secret, now - 1)))
    assert expired["success"] is False and expired["ret_msg"] == "Params Error"
    bad = _auth_args(bybit.api_key, bybit.api_secret, now + 10_000)
    bad[2] = "0" * 64
    assert asyncio.run(_private(url, bad))["success"] is False
    mainnet = "wss://stream.bybit.com/v5/private"  # a testnet key on mainnet
    assert asyncio.run(_private(mainnet, _auth_args(bybit.api_key, bybit.api_secret, now + 10_000)))["success"] is False


@pytest.mark.bybit_clock(drift=-2)
def test_pybit_default_auth_expiry_fails_with_a_slow_clock(bybit):
    """pybit signs expires = now + 1 s; a clock 2 s slow sends an expires already past (pybit#300)."""
    ws = WebSocket(testnet=True, channel_type="private", api_key=bybit.api_key, api_secret=bybit.api_secret)
    try:
        deadline = real_monotonic() + 5
        while not bybit.streams.sessions or not bybit.streams.sessions[0].closed:
            assert real_monotonic() < deadline, "pybit kept a connection whose auth failed"
            threading.Event().wait(0.01)
    finally:
        ws.exit()
    assert not bybit.streams.sessions[0].ever_authed


def test_subscribe_replies_and_pongs_in_each_streams_dialect(bybit):
    async def talk(kind: str, topic: str) -> list[dict[str, Any]]:
        async with websockets.connect(f"wss://stream.bybit.com/v5/public/{kind}", ping_interval=None) as ws:
            await ws.send(json.dumps({"op": "subscribe", "req_id": "s1", "args": [topic]}))
            reply = json.loads(await ws.recv())
            await ws.send(json.dumps({"op": "ping", "req_id": "p1"}))
            while True:  # skip the snapshot
                pong = json.loads(await ws.recv())
                if "topic" not in pong:
                    return [reply, pong]

    spot_sub, spot_pong = asyncio.run(talk("spot", "tickers.BTCUSDT"))
    assert spot_sub["ret_msg"] == "subscribe" and spot_sub["success"] is True
    assert spot_pong["op"] == "ping" and spot_pong["ret_msg"] == "pong"
    lin_sub, lin_pong = asyncio.run(talk("linear", "orderbook.50.BTCUSDT"))
    assert lin_sub == {"success": True, "ret_msg": "", "conn_id": lin_sub["conn_id"], "req_id": "s1", "op": "subscribe"}
    assert lin_pong["ret_msg"] == "pong" and lin_pong["req_id"] == "p1"
    option = next(s for (c, s) in bybit.exchange.engine.instruments if c == "option")
    opt_sub, opt_pong = asyncio.run(talk("option", f"tickers.{option}"))
    assert opt_sub["type"] == "COMMAND_RESP" and opt_sub["data"]["successTopics"] == [f"tickers.{option}"]
    assert opt_pong["op"] == "pong" and opt_pong["args"][0].isdigit()


def test_unknown_topic_is_refused_as_bybit_does(bybit):
    async def bot() -> dict[str, Any]:
        async with websockets.connect("wss://stream.bybit.com/v5/public/linear", ping_interval=None) as ws:
            await ws.send(json.dumps({"op": "subscribe", "req_id": "x", "args": ["tickers.NOPEUSDT"]}))
            return json.loads(await ws.recv())

    reply = asyncio.run(bot())
    assert reply["success"] is False and reply["ret_msg"] == "error:handler not found,topic:tickers.NOPEUSDT"


def test_public_trades_and_klines_follow_fills(bybit):
    async def bot() -> list[dict[str, Any]]:
        async with websockets.connect("wss://stream.bybit.com/v5/public/linear", ping_interval=None) as ws:
            await ws.send(json.dumps({"op": "subscribe", "args": ["publicTrade.BTCUSDT", "kline.5.BTCUSDT"]}))
            await ws.recv()
            await ws.recv()  # the kline snapshot
            session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
            await asyncio.to_thread(
                session.place_order, category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.002"
            )
            return [json.loads(await ws.recv()) for _ in range(2)]

    received = {m["topic"]: m for m in asyncio.run(bot())}
    trade = received["publicTrade.BTCUSDT"]["data"][0]
    assert trade["S"] == "Sell" and trade["v"] == "0.002" and trade["p"] == "60000.00"
    candle = received["kline.5.BTCUSDT"]["data"][-1]
    assert candle["volume"] == "0.002" and candle["confirm"] is False
