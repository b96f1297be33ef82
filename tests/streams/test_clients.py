"""websockets, websocket-client and aiohttp on Bybit's real stream URLs, and Bybit's idle rule."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
import websocket
import websockets

from pytest_bybit.clock import real_monotonic
from pytest_bybit.streams.routing import StreamRefused

LINEAR = "wss://stream.bybit.com/v5/public/linear"
SUBSCRIBE = json.dumps({"op": "subscribe", "req_id": "1", "args": ["tickers.BTCUSDT"]})


async def _stream_until_cut(url: str, ping: bool, minutes: float, keepalive: float | None = None) -> dict[str, Any]:
    """A bot that reads a quiet stream for ``minutes`` of its own (virtual) time, with or
    without Bybit's JSON ping every 20 s; reports whether and when the server cut it."""
    loop_started = asyncio.get_running_loop().time()
    async with websockets.connect(url, ping_interval=keepalive) as ws:
        await ws.send(SUBSCRIBE)
        pongs = 0

        async def read() -> None:
            nonlocal pongs
            async for raw in ws:
                if json.loads(raw).get("ret_msg") == "pong":
                    pongs += 1

        reader = asyncio.create_task(read())
        waited = 0.0
        while waited < minutes * 60 and not reader.done():
            if ping:
                await ws.send(json.dumps({"op": "ping"}))
            await asyncio.sleep(20)
            waited += 20
        cut = reader.done()
        reader.cancel()
        return {"cut": cut, "waited": waited, "pongs": pongs, "loop": asyncio.get_running_loop().time() - loop_started}


def test_a_bot_without_a_ping_loop_is_cut_after_ten_minutes_in_virtual_time(bybit):
    started = real_monotonic()
    result = asyncio.run(_stream_until_cut(LINEAR, ping=False, minutes=30))
    elapsed = real_monotonic() - started
    session = bybit.streams.sessions[0]
    assert session.lost == "no ping for 600 s" and 600 < session.lost_at - session.opened_at <= 621
    assert result["cut"] and 600 < result["waited"] <= 800  # the bot hears of it a few sleeps later
    assert elapsed < 1.0, f"{elapsed:.2f} s of real time"


def test_a_bot_that_pings_every_20_seconds_is_not_cut(bybit):
    started = real_monotonic()
    result = asyncio.run(_stream_until_cut(LINEAR, ping=True, minutes=30))
    elapsed = real_monotonic() - started
    assert not result["cut"] and result["waited"] == 1800 and result["pongs"] >= 80
    assert bybit.streams.sessions[0].lost is None
    assert elapsed < 1.0, f"{elapsed:.2f} s of real time"


def test_protocol_ping_frames_count_as_a_heartbeat(bybit):
    """websockets' own keepalive (ping frames every 20 s, as websocket-client's run_forever
    sends for pybit) keeps a stream alive without JSON pings."""
    result = asyncio.run(_stream_until_cut(LINEAR, ping=False, minutes=30, keepalive=20))
    assert not result["cut"] and bybit.streams.sessions[0].lost is None


def test_private_max_active_time_shortens_the_idle_cut(bybit):
    result = asyncio.run(_stream_until_cut("wss://stream-testnet.bybit.com/v5/private?max_active_time=1m", False, 10))
    session = bybit.streams.sessions[0]
    assert result["cut"] and session.lost == "no ping for 60 s" and 60 < session.lost_at - session.opened_at <= 81


def test_websocket_client_round_trip(bybit):
    ws = websocket.create_connection("wss://stream.bybit.com/v5/public/spot")
    try:
        ws.send(json.dumps({"op": "subscribe", "req_id": "a", "args": ["orderbook.1.BTCUSDT"]}))
        reply, snapshot = json.loads(ws.recv()), json.loads(ws.recv())
        ws.send(json.dumps({"op": "ping", "req_id": "b"}))
        pong = json.loads(ws.recv())
    finally:
        ws.close()
    assert reply["success"] is True and reply["req_id"] == "a"
    assert snapshot["topic"] == "orderbook.1.BTCUSDT" and snapshot["data"]["a"] == [["60000.0", "1"]]
    assert pong == {"success": True, "ret_msg": "pong", "conn_id": reply["conn_id"], "op": "ping", "req_id": "b"}


def test_aiohttp_ws_connect_round_trip(bybit):
    async def bot() -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect("wss://stream.bybit.com/v5/public/inverse") as ws:
                await ws.send_json({"op": "subscribe", "req_id": "x", "args": ["tickers.BTCUSD"]})
                reply, snapshot = await ws.receive_json(), await ws.receive_json()
                bybit.set_price("BTCUSD", 58000)
                delta = await ws.receive_json()
                return [reply, snapshot, delta]

    reply, snapshot, delta = asyncio.run(bot())
    assert reply["success"] is True
    assert snapshot["type"] == "snapshot" and snapshot["data"]["symbol"] == "BTCUSD"
    assert delta["type"] == "delta" and delta["data"]["lastPrice"] == "58000.00"


def test_websockets_sync_client_is_routed_too(bybit):
    from websockets.sync.client import connect

    with connect("wss://stream-testnet.bybit.com/v5/public/linear") as ws:
        ws.send(json.dumps({"op": "ping", "req_id": "s"}))
        assert json.loads(ws.recv())["ret_msg"] == "pong"


@pytest.mark.bybit_allow("unexpected_requests")
def test_a_websocket_to_another_host_is_refused_with_a_message(bybit):
    async def bot() -> None:
        async with websockets.connect("wss://ws.okx.com:8443/ws/v5/public"):
            pass

    with pytest.raises(StreamRefused, match="pytest-bybit: WebSocket connection to wss://ws.okx.com:8443"):
        asyncio.run(bot())
    assert "only Bybit's stream hosts" in bybit.unexpected[0]


def test_demo_serves_only_the_private_stream(bybit):
    async def bot() -> None:
        async with websockets.connect("wss://stream-demo.bybit.com/v5/public/linear"):
            pass

    with pytest.raises(websockets.exceptions.InvalidStatus, match="404"):
        asyncio.run(bot())


def test_no_stream_server_until_a_bot_connects_and_none_after_stop(bybit):
    import socket

    assert not bybit.streams.running  # tests that never stream pay nothing
    ws = websocket.create_connection("wss://stream.bybit.com/v5/public/linear")
    ws.send(json.dumps({"op": "ping"}))
    ws.recv()
    ws.close()
    port, loop, thread = bybit.streams.port, bybit.streams._loop, bybit.streams._thread
    assert thread is not None and thread.is_alive() and loop is not None and loop.is_running()
    bybit.streams.stop()
    assert not thread.is_alive() and loop.is_closed() and not bybit.streams.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
