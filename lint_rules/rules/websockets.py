"""WebSocket rules (BYB5xx): Bybit's JSON heartbeat on raw stream connections."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from ..analysis import STRING_NODES, dotted_name, keyword, last_attr, literal_number, returned_values, string_prefix_text, string_value
from ..rule import Invalid, Option, Rule, Valid
from ..syntax import walk
from ._envtimews import ModuleIndex, module_index, replace_number, stream_host_in

#: Raw websocket clients (resolved through imports); aiohttp's ``session.ws_connect`` is
#: matched by its method name.
RAW_CONNECTS = frozenset(
    {
        "websockets.connect",
        "websockets.client.connect",
        "websockets.client.Connect",
        "websockets.legacy.client.Connect",
        "websockets.asyncio.client.connect",
        "websockets.sync.client.connect",
        "websockets.legacy.client.connect",
        "websocket.WebSocketApp",
        "websocket.create_connection",
        "websocket._app.WebSocketApp",
        "websocket._core.create_connection",
    }
)
_JSON_PING = re.compile(r"""["']op["']\s*:\s*["']ping["']""")
_SLEEPS = frozenset({"asyncio.sleep", "time.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep", "curio.sleep"})


def is_raw_connect(idx: ModuleIndex, call: cst.Call) -> bool:
    if last_attr(call) == "ws_connect":
        return True
    qualified = idx.qualified(call)
    return qualified in RAW_CONNECTS


def connect_url(call: cst.Call) -> cst.CSTNode | None:
    for name in ("url", "uri", "str_or_url"):
        arg = keyword(call, name)
        if arg is not None:
            return arg.value
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
    return None


def refers_to_stream_host(idx: ModuleIndex, expr: cst.CSTNode | None, depth: int = 0, context: Any = None) -> bool:
    """The URL is (built from) a literal naming a Bybit stream host, directly or through
    a constant, a local variable, ``self.url`` or a helper function of the module."""
    if expr is None or depth > 5:
        return False
    if isinstance(expr, STRING_NODES):
        if stream_host_in(string_prefix_text(expr)):
            return True
        if isinstance(expr, cst.FormattedString):
            return any(
                refers_to_stream_host(idx, part.expression, depth + 1, context)
                for part in expr.parts
                if isinstance(part, cst.FormattedStringExpression)
            )
        return False
    if isinstance(expr, cst.BinaryOperation):
        return refers_to_stream_host(idx, expr.left, depth + 1, context) or refers_to_stream_host(idx, expr.right, depth + 1, context)
    if isinstance(expr, cst.IfExp):
        return refers_to_stream_host(idx, expr.body, depth + 1, context) or refers_to_stream_host(idx, expr.orelse, depth + 1, context)
    if isinstance(expr, cst.Subscript):
        return refers_to_stream_host(idx, expr.value, depth + 1, context)
    if isinstance(expr, cst.Dict):
        return any(
            refers_to_stream_host(idx, e.value, depth + 1, context) for e in expr.elements if isinstance(e, cst.DictElement)
        )
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("format", "replace", "rstrip", "strip", "format_map"):
            return refers_to_stream_host(idx, func.value, depth + 1, context)
        helper = idx.local_function(expr)
        if isinstance(helper, cst.FunctionDef):
            return any(refers_to_stream_host(idx, v, depth + 1, context) for v in returned_values(helper))
        return any(refers_to_stream_host(idx, a.value, depth + 1, context) for a in expr.args)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        bindings = idx.resolve(expr)
        if not bindings:
            # a constant of another module of the project (``config.WS_URL``)
            value = project_constant(context, expr)
            return isinstance(value, str) and stream_host_in(value)
        return any(refers_to_stream_host(idx, b.value, depth + 1, context) for b in bindings)
    return False


def project_constant(context: Any, expr: cst.CSTNode) -> Any:
    """The literal a name imported from another module of the project is bound to."""
    if context is None:
        return None
    return context.project.constant(context.filename, dotted_name(expr)) if context.project is not None else None


def is_json_ping(node: cst.CSTNode) -> bool:
    """``{"op": "ping"}``, ``dict(op="ping")`` or a JSON string holding one."""
    kind = type(node)  # exact types: this runs on every node of every function
    if kind is cst.Dict:
        return any(
            isinstance(e, cst.DictElement) and string_value(e.key) == "op" and string_value(e.value) == "ping"
            for e in node.elements
        )
    if kind is cst.Call and last_attr(node) == "dict":
        arg = keyword(node, "op")
        return arg is not None and string_value(arg.value) == "ping"
    if kind in _STRING_TYPES:
        return bool(_JSON_PING.search(string_prefix_text(node) or ""))
    return False


_STRING_TYPES = frozenset(STRING_NODES)
#: The only node types ``is_json_ping`` can accept.
_PING_TYPES = _STRING_TYPES | {cst.Dict, cst.Call}


#: what a walk of one function body does not enter (and, for a loop body, inner loops)
_OTHER_FRAMES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_OTHER_FRAMES_AND_LOOPS = _OTHER_FRAMES + (cst.For, cst.While)


class WsNoHeartbeat(Rule):
    """
    ## What it does
    Flags a raw websocket (`websockets.connect`, websocket-client's `WebSocketApp` /
    `create_connection`, aiohttp's `session.ws_connect`) to a Bybit stream host (a literal,
    or a URL built from a constant or variable of the module holding one) in a module
    that never sends Bybit's JSON heartbeat `{"op": "ping"}` (a dict literal, `dict(op=
    "ping")` or a JSON string, sent with `send` / `send_json` / `send_str`).

    pybit's `WebSocket` and ccxt.pro send the JSON ping themselves and are never flagged.
    The protocol-level ping frames of websockets / websocket-client / aiohttp
    (`ping_interval=`, `heartbeat=`) are not Bybit's heartbeat.

    ## Why is this bad?
    Bybit asks clients to send `{"op": "ping"}` every 20 seconds and cuts a connection
    that has seen no ping and no data for a while (10 minutes on private and order-entry
    streams, configurable down to 30 s with `max_active_time`). A quiet private stream (no
    fills for an hour) dies silently: no exception, just no more order or position updates,
    and the bot trades on a stale view of its own positions.

    ## Example
    ```python
    async with websockets.connect("wss://stream.bybit.com/v5/private") as ws:
        await ws.send(json.dumps(auth_message()))
        async for raw in ws:
            handle(json.loads(raw))
    ```

    ## Use instead
    ```python
    async def heartbeat(ws):
        while True:
            await ws.send(json.dumps({"op": "ping"}))
            await asyncio.sleep(20)

    async with websockets.connect("wss://stream.bybit.com/v5/private") as ws:
        asyncio.create_task(heartbeat(ws))
        ...
    ```

    Prevents silent disconnects of Bybit streams (no error code: the server just closes the
    socket). Under the `bybit` fixture a stream with no ping for 10 minutes (virtual time) is
    cut as Bybit does, and the `ws_stall` fault shows a stream that goes silent, which only a
    heartbeat notices.
    """

    code = "BYB501"
    name = "ws-no-heartbeat"
    message = "Raw Bybit websocket with no JSON heartbeat: send {\"op\": \"ping\"} every 20 s or the stream is dropped silently"
    prevents = "silent stream disconnects (no ping for 10 minutes on private streams)"
    fault = "ws_stall"
    words = ("connect", "Connect", "WebSocketApp", "create_connection")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        connects = [c for c in idx.calls if is_raw_connect(idx, c)]
        if not connects:
            return
        if self._sends_json_ping(idx):
            return
        for call in connects:
            if refers_to_stream_host(idx, connect_url(call), context=self.context):
                self.report(call)

    @staticmethod
    def _sends_json_ping(idx: ModuleIndex) -> bool:
        if any(is_json_ping(d) for d in idx.dicts):
            return True
        if any(is_json_ping(s) for s in idx.strings):
            return True
        return any(is_json_ping(c) for c in idx.calls if last_attr(c) == "dict")

    VALID = [
        Valid(
            """
            import asyncio
            import json
            import websockets

            URL = "wss://stream.bybit.com/v5/public/linear"

            async def heartbeat(ws):
                while True:
                    await ws.send(json.dumps({"op": "ping"}))
                    await asyncio.sleep(20)

            async def main():
                async with websockets.connect(URL, ping_interval=None) as ws:
                    asyncio.create_task(heartbeat(ws))
                    async for raw in ws:
                        print(raw)
            """,
            note="library pings off, the module runs its own JSON ping",
        ),
        Valid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="linear", testnet=cfg.testnet)
            ws.ticker_stream(symbol="BTCUSDT", callback=print)
            """,
            note="pybit pings by itself",
        ),
        Valid(
            """
            import ccxt.pro as ccxtpro

            async def main():
                exchange = ccxtpro.bybit()
                while True:
                    print(await exchange.watch_ticker("BTC/USDT:USDT"))
            """
        ),
        Valid(
            """
            import websocket

            PING = '{"op":"ping"}'

            def on_open(ws):
                ws.send(PING)

            app = websocket.WebSocketApp("wss://stream.bybit.com/v5/public/spot", on_open=on_open)
            """
        ),
        Valid(
            """
            import websockets

            async def listen(url: str):
                async with websockets.connect(url) as ws:
                    async for raw in ws:
                        print(raw)
            """,
            note="the URL comes from the caller: not known to be Bybit",
        ),
        Valid(
            """
            import aiohttp

            async def feed(session: aiohttp.ClientSession):
                async with session.ws_connect("wss://ws.kraken.com") as ws:
                    async for msg in ws:
                        print(msg.data)
            """,
            note="not a Bybit stream",
        ),
        Valid(
            """
            import threading
            import websocket

            class Stream:
                def __init__(self):
                    self.app = websocket.WebSocketApp("wss://stream.bybit.com/v5/private", on_open=self.on_open)

                def on_open(self, ws):
                    threading.Timer(20, lambda: ws.send(json.dumps(dict(op="ping")))).start()
            """
        ),
        Valid(
            """
            import websockets

            async def main():
                async with websockets.connect(os.environ["BYBIT_WS"]) as ws:
                    await ws.send(json.dumps({"req_id": "hb", "op": "ping"}))
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            import websockets

            async def trades():
                async with websockets.client.Connect("wss://stream.bybit.com/realtime") as ws:
                    await ws.send('{"op": "subscribe", "args": ["trade.BTCUSD"]}')
            """,
            line=5,
            note="the old websockets Connect class",
        ),
        Invalid(
            """
            import json
            import websockets

            URL = "wss://stream.bybit.com/v5/public/linear"

            async def main():
                async with websockets.connect(URL) as ws:
                    await ws.send(json.dumps({"op": "subscribe", "args": ["tickers.BTCUSDT"]}))
                    async for raw in ws:
                        print(raw)
            """,
            line=8,
        ),
        Invalid(
            """
            import websocket

            def run(on_message):
                ws = websocket.WebSocketApp(
                    "wss://stream.bybit.com/v5/private",
                    on_message=on_message,
                )
                ws.run_forever(ping_interval=20)
            """,
            line=5,
            note="protocol pings are not Bybit's JSON heartbeat",
        ),
        Invalid(
            """
            import aiohttp

            WS_BASE = "wss://stream-testnet.bybit.com"

            async def main():
                async with aiohttp.ClientSession() as session:
                    async with session.ws_connect(f"{WS_BASE}/v5/public/spot", heartbeat=20) as ws:
                        async for msg in ws:
                            print(msg.data)
            """,
            line=8,
        ),
        Invalid(
            """
            from websocket import create_connection

            ws = create_connection("wss://stream.bybit.com/v5/public/spot")
            ws.send('{"op": "subscribe", "args": ["orderbook.1.BTCUSDT"]}')
            while True:
                print(ws.recv())
            """,
            line=4,
        ),
        Invalid(
            """
            import websockets

            class PrivateFeed:
                def __init__(self, testnet: bool):
                    host = "stream-testnet.bybit.com" if testnet else "stream.bybit.com"
                    self.url = f"wss://{host}/v5/private"

                async def run(self):
                    async with websockets.connect(self.url) as ws:
                        await self.auth(ws)
            """,
            line=10,
        ),
        Invalid(
            """
            from websockets.asyncio.client import connect

            STREAMS = {"mainnet": "wss://stream.bybit.com/v5/private", "testnet": "wss://stream-testnet.bybit.com/v5/private"}

            async def run(env):
                async for ws in connect(STREAMS[env]):
                    async for raw in ws:
                        print(raw)
            """,
            line=7,
        ),
        Invalid(
            """
            import websocket

            def ws_url(channel: str) -> str:
                return "wss://stream.bybit.com/v5/public/" + channel

            app = websocket.WebSocketApp(ws_url("linear"), on_message=print)
            """,
            line=7,
        ),
        Invalid(
            """
            import websockets

            async def trade(auth_msg):
                async with websockets.connect("wss://stream.bybit.com/v5/trade", ping_interval=20, ping_timeout=10) as ws:
                    await ws.send(auth_msg)
            """,
            line=5,
        ),
    ]


class WsHeartbeatTooSlow(Rule):
    """
    ## What it does
    Flags a websocket ping interval above 20 s (option `max-ping-interval`): pybit's
    `WebSocket(ping_interval=30)`, websocket-client's `run_forever(ping_interval=60)`,
    websockets' `connect(ping_interval=30)`, aiohttp's `ws_connect(heartbeat=30)`, and the
    module's own `{"op": "ping"}` loop (or `threading.Timer`) sleeping longer between pings
    (`await asyncio.sleep(30)` / `time.sleep(30)` in the loop that sends the ping). A
    constant used for the interval is reported on the constant's line.

    `ping_interval=None` is not flagged: it means the code runs its own JSON ping loop
    (and when it runs none, BYB501 reports the connection).

    ## Why is this bad?
    Bybit's docs ask for a ping every 20 seconds. Proxies, load balancers and NATs between
    the bot and Bybit drop idle TCP connections after 30 to 60 s, and Bybit itself may
    close quiet connections (a private stream with `max_active_time=30s`); a slower
    heartbeat also takes longer to notice that a connection is already dead, which is the
    time the bot trades blind.

    ## Example
    ```python
    ws.run_forever(ping_interval=60, ping_timeout=10)
    ```

    ## Use instead
    ```python
    ws.run_forever(ping_interval=20, ping_timeout=10)
    ```

    ## Fix safety
    The fix lowers the literal to `max-ping-interval` (20). It changes the traffic the bot
    sends, so it is unsafe: apply with `--unsafe-fixes`. A constant is not rewritten.

    Prevents silent stream disconnects (no error code). The `ws_stall` fault shows a stream
    that goes silent: only a heartbeat that pings often enough notices it in time.
    """

    code = "BYB502"
    name = "ws-heartbeat-too-slow"
    message = "Websocket ping interval above 20 s: Bybit asks for a ping every 20 s; ping at least that often"
    prevents = "silent stream disconnects (idle connections dropped)"
    fault = "ws_stall"
    fixable = "unsafe"
    options = (Option("max-ping-interval", 20, "largest ping interval (seconds) accepted without a finding"),)
    words = ("ping_interval", "heartbeat", "ping")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        maximum = self.option_values["max-ping-interval"]
        self._reported: set[int] = set()
        self._idx = idx
        for call in idx.calls:
            arg = keyword(call, "ping_interval")
            if arg is None and last_attr(call) == "ws_connect":
                arg = keyword(call, "heartbeat")
            if arg is not None:
                self._check(arg.value, maximum, keyword_arg=arg)
        ping_functions = self._ping_functions(idx)
        for loop in idx.loops:
            if not self._loop_pings(idx, loop, ping_functions):
                continue
            for inner in walk(loop.body, prune=_OTHER_FRAMES_AND_LOOPS):
                if isinstance(inner, cst.Call):
                    interval = self._sleep_seconds(idx, inner)
                    if interval is not None:
                        self._check(interval, maximum)
        for call in idx.calls:
            if (idx.qualified(call) or "") in ("threading.Timer",) and len(call.args) >= 2:
                target = call.args[1].value
                if self._pings(idx, target, ping_functions):
                    self._check(call.args[0].value, maximum)

    def _check(self, value: cst.CSTNode, maximum: float, keyword_arg: cst.Arg | None = None, depth: int = 0) -> None:
        idx = self._idx
        if depth > 3:
            return
        if isinstance(value, (cst.Name, cst.Attribute)):
            bindings = idx.resolve(value)
            for binding in bindings:
                self._check(binding.value, maximum, None, depth + 1)
            imported = project_constant(self.context, value) if not bindings else None
            if isinstance(imported, (int, float)) and not isinstance(imported, bool) and imported > maximum:
                if id(value) not in self._reported:
                    self._reported.add(id(value))
                    self.report(
                        keyword_arg if keyword_arg is not None else value,
                        message=f"Ping every {imported:g} s (`{dotted_name(value)}`, set in another module) is slower "
                        f"than Bybit's 20 s heartbeat: ping at least every {maximum:g} s",
                    )
            return
        number = literal_number(value)
        if number is None or isinstance(value, STRING_NODES) or number <= maximum or id(value) in self._reported:
            return
        self._reported.add(id(value))
        fix = [(value, replace_number(value, maximum))] if isinstance(value, (cst.Integer, cst.Float)) else []
        self.report(
            keyword_arg if keyword_arg is not None else value,
            message=f"Ping every {number:g} s is slower than Bybit's 20 s heartbeat: ping at least every {maximum:g} s",
            replacements=fix,
            unsafe=True,
            fix_description=f"Ping every {maximum:g} s",
        )

    @staticmethod
    def _ping_functions(idx: ModuleIndex) -> set[str]:
        """Names of the module's functions that send a JSON ping (``_send_ping``)."""
        out = set()
        for func in idx.functions:
            if any(type(n) in _PING_TYPES and is_json_ping(n) for n in walk(func.body, prune=_OTHER_FRAMES)):
                out.add(func.name.value)
        return out

    def _loop_pings(self, idx: ModuleIndex, loop: cst.CSTNode, ping_functions: set[str]) -> bool:
        body = loop.body
        for node in walk(body, prune=_OTHER_FRAMES):
            if is_json_ping(node):
                return True
            if isinstance(node, cst.Call) and last_attr(node) in ping_functions:
                return True
            if isinstance(node, (cst.Name, cst.Attribute)):
                for binding in idx.resolve(node) if isinstance(node, cst.Name) else ():
                    if is_json_ping(binding.value):
                        return True
        return False

    @staticmethod
    def _pings(idx: ModuleIndex, target: cst.CSTNode, ping_functions: set[str]) -> bool:
        if isinstance(target, cst.Lambda):
            return any(is_json_ping(n) for n in walk(target.body, prune=_OTHER_FRAMES))
        name = target.attr.value if isinstance(target, cst.Attribute) else target.value if isinstance(target, cst.Name) else None
        return name in ping_functions

    @staticmethod
    def _sleep_seconds(idx: ModuleIndex, call: cst.Call) -> cst.CSTNode | None:
        qualified = idx.qualified(call) or ""
        if qualified in _SLEEPS or (last_attr(call) == "sleep" and qualified == ""):
            if call.args:
                return call.args[0].value
            arg = keyword(call, "delay") or keyword(call, "seconds")
            return arg.value if arg else None
        if last_attr(call) == "wait":
            arg = keyword(call, "timeout") or (call.args[0] if call.args else None)
            return arg.value if arg else None
        return None

    VALID = [
        Valid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="linear", testnet=cfg.testnet, ping_interval=20, ping_timeout=10)
            """
        ),
        Valid(
            """
            import asyncio
            import json
            import websockets

            async def heartbeat(ws):
                while True:
                    await ws.send(json.dumps({"op": "ping"}))
                    await asyncio.sleep(15)

            async def main(url):
                async with websockets.connect(url, ping_interval=None) as ws:
                    asyncio.create_task(heartbeat(ws))
            """,
            note="ping_interval=None: the module pings itself",
        ),
        Valid(
            """
            import websocket

            def run(app: websocket.WebSocketApp):
                app.run_forever(ping_interval=20, ping_timeout=10)
            """
        ),
        Valid(
            """
            import asyncio

            async def printer(book):
                while True:
                    await asyncio.sleep(60)
                    print(book.top())
            """,
            note="a slow loop that does not ping",
        ),
        Valid(
            """
            import aiohttp

            async def feed(session: aiohttp.ClientSession, url: str):
                async with session.ws_connect(url, heartbeat=15) as ws:
                    async for msg in ws:
                        print(msg.data)
            """
        ),
        Valid(
            """
            import time

            PING_EVERY = 20

            def keepalive(ws, stop):
                while not stop.is_set():
                    ws.send('{"op": "ping"}')
                    time.sleep(PING_EVERY)
            """
        ),
        Valid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="spot", testnet=cfg.testnet, ping_interval=30)
            """,
            options={"max-ping-interval": 30},
        ),
        Valid(
            """
            import threading

            def schedule_ping(ws):
                threading.Timer(10, lambda: ws.send('{"op":"ping"}')).start()
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(
                channel_type="linear",
                testnet=cfg.testnet,
                ping_interval=30,
            )
            """,
            line=7,
            unsafe_fixed="""
            from pybit.unified_trading import WebSocket

            ws = WebSocket(
                channel_type="linear",
                testnet=cfg.testnet,
                ping_interval=20,
            )
            """,
        ),
        Invalid(
            """
            import websocket

            def run(app: websocket.WebSocketApp):
                app.run_forever(ping_interval=60, ping_timeout=10)
            """,
            line=5,
        ),
        Invalid(
            """
            import websockets

            async def main(url):
                async with websockets.connect(url, ping_interval=30) as ws:
                    print(await ws.recv())
            """,
            line=5,
        ),
        Invalid(
            """
            import aiohttp

            async def feed(session: aiohttp.ClientSession, url: str):
                async with session.ws_connect(url, heartbeat=45.0) as ws:
                    async for msg in ws:
                        print(msg.data)
            """,
            line=5,
        ),
        Invalid(
            """
            import asyncio
            import json

            async def keepalive(ws):
                while not ws.closed:
                    await ws.send_str(json.dumps({"op": "ping"}))
                    await asyncio.sleep(30)
            """,
            line=8,
            unsafe_fixed="""
            import asyncio
            import json

            async def keepalive(ws):
                while not ws.closed:
                    await ws.send_str(json.dumps({"op": "ping"}))
                    await asyncio.sleep(20)
            """,
        ),
        Invalid(
            """
            import time

            PING_EVERY = 25

            class Heartbeat:
                def run(self, ws):
                    while self.alive:
                        try:
                            ws.send('{"op": "ping"}')
                        except Exception:
                            return
                        time.sleep(PING_EVERY)
            """,
            line=4,
            note="reported on the constant",
        ),
        Invalid(
            """
            import json
            import threading

            class Stream:
                def _ping(self):
                    self.ws.send(json.dumps({"op": "ping"}))

                def _loop(self):
                    while self.running:
                        self._ping()
                        self._stop.wait(timeout=40)
            """,
            line=12,
        ),
        Invalid(
            """
            import threading

            class Stream:
                def _send_ping(self):
                    self.ws.send('{"op": "ping"}')
                    threading.Timer(30, self._send_ping).start()
            """,
            line=7,
        ),
    ]
