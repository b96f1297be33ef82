"""Public ticker stream: URL and heartbeat from the config module."""

import json

import aiohttp

from . import config


async def tickers(symbol: str, on_price) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(config.WS_URL, heartbeat=config.HEARTBEAT) as ws:  # expect: BYB501, BYB502
            await ws.send_str(json.dumps({"op": "subscribe", "args": [f"tickers.{symbol}"]}))
            async for msg in ws:
                data = json.loads(msg.data)
                if data.get("topic"):
                    on_price(data["data"]["lastPrice"])
