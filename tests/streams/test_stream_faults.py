"""Stream faults from markers and from the scenario matrix, and the reconnect invariant."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
import websockets
from pybit.unified_trading import WebSocket

from pytest_bybit.clock import real_monotonic

from pytest_bybit.streams.server import THREAD_NAME


def stream_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]

LINEAR = "wss://stream.bybit.com/v5/public/linear"
INNER_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:randomly")


@pytest.mark.bybit_fault("ws_handshake_502")
def test_handshake_502_is_what_the_client_sees(bybit):
    async def bot() -> str:
        with pytest.raises(websockets.exceptions.InvalidStatus, match="502"):
            async with websockets.connect(LINEAR):
                pass
        async with websockets.connect(LINEAR, ping_interval=None) as ws:  # the next attempt is served
            await ws.send(json.dumps({"op": "ping"}))
            return json.loads(await ws.recv())["ret_msg"]

    assert asyncio.run(bot()) == "pong"
    assert bybit.injector.fired == [("ws_handshake_502", "WS /v5/public/linear")]


@pytest.mark.bybit_fault("ws_handshake_502")
def test_pybit_retries_a_502_handshake(bybit):
    got = threading.Event()
    ws = WebSocket(testnet=True, channel_type="linear")
    try:
        ws.ticker_stream("BTCUSDT", lambda message: got.set())
        assert got.wait(5)
    finally:
        ws.exit()
    assert bybit.streams.handshakes_refused == 1 and len(bybit.streams.sessions) == 1


@pytest.mark.bybit_fault("ws_auth_fail")
def test_auth_fail_refuses_one_auth(bybit):
    import hashlib
    import hmac

    def auth() -> str:
        expires = bybit.clock.server_ms() + 10_000
        sign = hmac.new(bybit.api_secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
        return json.dumps({"op": "auth", "args": [bybit.api_key, expires, sign]})

    async def bot() -> list[dict[str, Any]]:
        async with websockets.connect("wss://stream-testnet.bybit.com/v5/private", ping_interval=None) as ws:
            await ws.send(auth())
            first = json.loads(await ws.recv())
            await ws.send(auth())
            return [first, json.loads(await ws.recv())]

    refused, accepted = asyncio.run(bot())
    assert refused["success"] is False and refused["ret_msg"] == "Params Error"
    assert accepted["success"] is True


@pytest.mark.bybit_fault("ws_stall")
def test_stall_is_noticed_only_by_a_heartbeat_timeout(bybit):
    """A stalled stream answers nothing, not even protocol pings: websockets' keepalive (20 s
    pings, a 10 s timeout, in virtual time while the bot's own loop sleeps) gives up and the
    bot reconnects."""

    async def strategy_loop() -> None:
        while True:
            await asyncio.sleep(1)

    async def bot() -> list[str]:
        strategy = asyncio.create_task(strategy_loop())
        seen: list[str] = []
        attempts = 0
        async for ws in websockets.connect(LINEAR, ping_interval=20, ping_timeout=10):
            attempts += 1
            await ws.send(json.dumps({"op": "subscribe", "req_id": str(attempts), "args": ["tickers.BTCUSDT"]}))

            async def first_push(ws) -> bool:
                async for raw in ws:
                    message = json.loads(raw)
                    seen.append(message.get("topic") or message.get("op", ""))
                    if message.get("topic"):
                        return True
                return False

            try:  # the bot's own guard, in virtual time too
                if await asyncio.wait_for(first_push(ws), 120):
                    strategy.cancel()
                    return seen
            except (websockets.exceptions.ConnectionClosed, asyncio.TimeoutError):
                seen.append(f"lost connection {attempts}")
                continue
        return seen

    started = real_monotonic()
    seen = asyncio.run(bot())
    assert seen == ["lost connection 1", "subscribe", "tickers.BTCUSDT"]
    assert real_monotonic() - started < 2
    first, second = [s for s in bybit.streams.sessions if s.requests]
    assert first.lost == "ws_stall" and bybit.streams.successor(first) is second


@pytest.mark.bybit_fault("ws_drop", endpoint="/v5/private")
@pytest.mark.bybit_allow("unused_faults")
def test_endpoint_limits_a_stream_fault_to_one_stream(bybit):
    async def bot() -> str:
        async with websockets.connect(LINEAR, ping_interval=None) as ws:
            await ws.send(json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT"]}))
            return json.loads(await ws.recv())["op"]

    assert asyncio.run(bot()) == "subscribe"
    assert bybit.streams.sessions[0].lost is None


def test_stream_faults_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*INNER_ARGS, "--bybit-faults-list")
    for name in ("ws_drop", "ws_stall", "ws_handshake_502", "ws_auth_fail"):
        result.stdout.fnmatch_lines([f"*{name}*"])


RECONNECTING_BOT = '''
import json, websocket

def run(resubscribe):
    ws = websocket.create_connection("wss://stream.bybit.com/v5/public/linear")
    ws.send(json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT", "publicTrade.BTCUSDT"]}))
    try:
        while True:
            ws.recv()
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        pass
    ws = websocket.create_connection("wss://stream.bybit.com/v5/public/linear")
    args = ["tickers.BTCUSDT", "publicTrade.BTCUSDT"] if resubscribe else ["tickers.BTCUSDT"]
    ws.send(json.dumps({"op": "subscribe", "args": args}))
    reply = json.loads(ws.recv())
    ws.close()
    return reply
'''


def test_a_reconnect_that_forgets_a_topic_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(bot=RECONNECTING_BOT)
    pytester.makepyfile(
        test_bot="""
        import pytest, bot

        @pytest.mark.bybit_fault("ws_drop")
        def test_forgetful(bybit):
            assert bot.run(resubscribe=False)["success"]

        @pytest.mark.bybit_fault("ws_drop")
        def test_careful(bybit):
            assert bot.run(resubscribe=True)["success"]
        """
    )
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*pytest-bybit: after ws_drop on wss://stream.bybit.com/v5/public/linear the bot reconnected "
            "but did not resubscribe to publicTrade.BTCUSDT*"
        ]
    )
    assert stream_threads() == []


def test_the_matrix_runs_stream_scenarios(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bots="""
        import asyncio, json
        import websockets

        URL = "wss://stream-testnet.bybit.com/v5/public/spot"
        SUB = json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT"]})

        async def naive():
            async with websockets.connect(URL, ping_interval=None) as ws:
                await ws.send(SUB)
                while True:
                    message = json.loads(await ws.recv())
                    if message.get("topic"):
                        return message

        async def resilient():
            async for ws in websockets.connect(URL, ping_interval=None):
                try:
                    await ws.send(SUB)
                    while True:
                        message = json.loads(await ws.recv())
                        if message.get("topic"):
                            return message
                except websockets.exceptions.ConnectionClosed:
                    continue

        def test_naive(bybit):
            assert asyncio.run(naive())["data"]["symbol"] == "BTCUSDT"

        def test_resilient(bybit):
            assert asyncio.run(resilient())["data"]["symbol"] == "BTCUSDT"
        """
    )
    result = pytester.runpytest(*INNER_ARGS, "--bybit-faults=ws_drop,ws_handshake_502")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_bots.py::test_naive *ok*FAIL*FAIL*",
            "*test_bots.py::test_resilient *ok*ok*ok*",
        ]
    )
    assert stream_threads() == []


def test_a_refused_websocket_is_named_in_the_failure_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import websocket

        def test_other_exchange(bybit):
            try:
                websocket.create_connection("wss://stream.binance.com:9443/ws")
            except ConnectionError:
                pass  # a bot that swallows the error still fails the test
        """
    )
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pytest-bybit: WebSocket connection to wss://stream.binance.com:9443/ws refused*"])


def test_readme_stream_example_passes(pytester: pytest.Pytester) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "def test_ticker(bybit)" in b)
    pytester.makepyfile(test_readme_streams=example)
    pytester.runpytest(*INNER_ARGS).assert_outcomes(passed=1)
    assert stream_threads() == []


def _auth(bybit: Any) -> str:
    import hashlib
    import hmac

    expires = bybit.clock.server_ms() + 10_000
    sign = hmac.new(bybit.api_secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return json.dumps({"op": "auth", "args": [bybit.api_key, expires, sign]})


@pytest.mark.bybit_fault("ws_drop", after=1)  # the auth is answered; the subscribe ends the connection
@pytest.mark.bybit_allow("ws_resubscribe")
def test_a_private_reconnect_without_auth_is_reported(bybit):
    async def bot() -> dict[str, Any]:
        url = "wss://stream-testnet.bybit.com/v5/private"
        async with websockets.connect(url, ping_interval=None) as ws:
            await ws.send(_auth(bybit))
            await ws.recv()
            await ws.send(json.dumps({"op": "subscribe", "args": ["order"]}))
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                while True:
                    await ws.recv()
        async with websockets.connect(url, ping_interval=None) as ws:  # forgets to authenticate
            await ws.send(json.dumps({"op": "subscribe", "args": ["order"]}))
            return json.loads(await ws.recv())

    refused = asyncio.run(bot())
    assert refused["success"] is False and "needs auth" in refused["ret_msg"]
    assert bybit.streams.violations() == [
        "after ws_drop on wss://stream-testnet.bybit.com/v5/private the bot reconnected but did not resubscribe to order",
        "after ws_drop on wss://stream-testnet.bybit.com/v5/private the bot reconnected but did not authenticate again",
    ]


@pytest.mark.bybit_fault("ws_drop", after=1)
def test_pybit_private_reconnects_authenticates_and_resubscribes(bybit):
    got = threading.Event()
    ws = WebSocket(testnet=True, channel_type="private", api_key=bybit.api_key, api_secret=bybit.api_secret)
    try:
        ws.order_stream(lambda message: got.set())  # the drop follows this subscribe
        deadline = real_monotonic() + 5
        while not any(s.topics and s.ever_authed and not s.lost for s in bybit.streams.sessions):
            assert real_monotonic() < deadline, "pybit did not come back"
            threading.Event().wait(0.01)
        bybit.set_price("BTCUSDT", 50000)
        from pybit.unified_trading import HTTP

        HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret).place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001"
        )
        assert got.wait(5)
    finally:
        ws.exit()
    assert bybit.streams.sessions[0].lost == "ws_drop" and bybit.streams.violations() == []
