"""WS order entry (/v5/trade) shares the order book, the limits and the timestamp rule with REST."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from typing import Any

import websockets
from pybit.unified_trading import HTTP, WebSocketTrading

TRADE = "wss://stream-testnet.bybit.com/v5/trade"


def auth_message(key: str, secret: str, expires: int) -> str:
    sign = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return json.dumps({"reqId": "auth-1", "op": "auth", "args": [key, expires, sign]})


def order_message(op: str, req_id: str, ts: int, **args: Any) -> str:
    header = {"X-BAPI-TIMESTAMP": str(ts), "X-BAPI-RECV-WINDOW": "8000"}
    return json.dumps({"reqId": req_id, "header": header, "op": op, "args": [args]})


async def trade_session(bybit: Any, *requests: str, authenticate: bool = True) -> list[dict[str, Any]]:
    async with websockets.connect(TRADE, ping_interval=None) as ws:
        replies = []
        if authenticate:
            await ws.send(auth_message(bybit.api_key, bybit.api_secret, bybit.clock.server_ms() + 10_000))
            replies.append(json.loads(await ws.recv()))
        for request in requests:
            await ws.send(request)
            replies.append(json.loads(await ws.recv()))
        return replies


def test_ws_trade_create_amend_cancel_land_in_the_rest_order_book(bybit):
    now = bybit.clock.server_ms()
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.010", "price": "50000"}
    auth, created, amended, cancelled = asyncio.run(
        trade_session(
            bybit,
            order_message("order.create", "c1", now, orderLinkId="ws-1", **order),
            order_message("order.amend", "a1", now, category="linear", symbol="BTCUSDT", orderLinkId="ws-1", price="49000"),
            order_message("order.cancel", "x1", now, category="linear", symbol="BTCUSDT", orderLinkId="ws-1"),
        )
    )
    assert auth["op"] == "auth" and auth["retCode"] == 0 and auth["reqId"] == "auth-1"
    assert created["retCode"] == 0 and created["op"] == "order.create" and created["reqId"] == "c1"
    assert created["data"]["orderLinkId"] == "ws-1" and created["header"]["X-Bapi-Limit"]
    assert amended["retCode"] == 0 and cancelled["retCode"] == 0
    assert len(bybit.orders) == 1
    placed = bybit.orders[0]
    assert placed["orderId"] == created["data"]["orderId"]
    assert placed["price"] == "49000.00" and placed["orderStatus"] == "Cancelled"
    rest = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    history = rest.get_order_history(category="linear", orderLinkId="ws-1")["result"]["list"]
    assert history[0]["orderId"] == placed["orderId"]


def test_ws_trade_refuses_what_rest_refuses(bybit):
    now = bybit.clock.server_ms()
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "0.010"}
    _, stale, duplicate_first, duplicate, unknown = asyncio.run(
        trade_session(
            bybit,
            order_message("order.create", "old", now - 60_000, **order),
            order_message("order.create", "d1", now, orderLinkId="same", **order),
            order_message("order.create", "d2", now, orderLinkId="same", **order),
            order_message("order.explode", "u1", now, **order),
        )
    )
    assert stale["retCode"] == 10002 and "recv_window" in stale["retMsg"]
    assert duplicate_first["retCode"] == 0 and duplicate["retCode"] == 110072
    assert unknown["retCode"] == 10404
    (unauthenticated,) = asyncio.run(trade_session(bybit, order_message("order.create", "n", now, **order), authenticate=False))
    assert unauthenticated["retCode"] != 0
    assert len(bybit.orders) == 1


def test_pybit_websocket_trading_places_an_order(bybit):
    bybit.set_price("BTCUSDT", 50000)
    done = threading.Event()
    replies: list[dict[str, Any]] = []

    def on_reply(message: dict[str, Any]) -> None:
        replies.append(message)
        done.set()

    ws = WebSocketTrading(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret, recv_window=8000)
    try:
        ws.place_order(on_reply, category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.010")
        assert done.wait(5), "no answer to order.create"
    finally:
        ws.exit()
    assert replies[0]["retCode"] == 0
    assert bybit.orders[0]["orderId"] == replies[0]["data"]["orderId"]
    assert bybit.orders[0]["orderStatus"] == "Filled"
    assert str(bybit.position("BTCUSDT").size) == "0.010"


def test_private_stream_sees_ws_trade_orders(bybit):
    now = bybit.clock.server_ms()

    async def bot() -> dict[str, Any]:
        async with websockets.connect("wss://stream-testnet.bybit.com/v5/private", ping_interval=None) as private:
            await private.send(auth_message(bybit.api_key, bybit.api_secret, now + 10_000))
            await private.recv()
            await private.send(json.dumps({"op": "subscribe", "args": ["order.linear"]}))
            await private.recv()
            await trade_session(
                bybit,
                order_message(
                    "order.create", "c", now, category="linear", symbol="BTCUSDT", side="Sell",
                    orderType="Limit", qty="0.010", price="70000",
                ),
            )
            return json.loads(await asyncio.wait_for(private.recv(), 5))

    pushed = asyncio.run(bot())
    assert pushed["topic"] == "order.linear"
    assert pushed["data"][0]["orderStatus"] == "New" and pushed["data"][0]["price"] == "70000.00"
