"""Fill journal: private executions over aiohttp websockets, appended to JSONL.

The auth `expires` is computed from the server clock (offset measured with
/v5/market/time), and the JSON heartbeat runs every 20 seconds.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from decimal import Decimal
from pathlib import Path

import aiohttp

log = logging.getLogger("journal")

REST_URL = os.environ.get("BYBIT_REST_URL", "")
PRIVATE_WS = os.environ.get("BYBIT_PRIVATE_WS", "")
JOURNAL = Path(os.getenv("FILL_JOURNAL", "fills.jsonl"))


async def server_offset(session: aiohttp.ClientSession) -> int:
    for attempt in range(5):  # expect: BYB203
        t0 = time.time()
        try:
            async with session.get(f"{REST_URL}/v5/market/time") as resp:
                if resp.status in (403, 429):
                    raise aiohttp.ClientResponseError(resp.request_info, (), status=resp.status)
                body = await resp.json()
        except aiohttp.ClientError as exc:
            log.warning("time sync failed: %s", exc)
            await asyncio.sleep(2 ** attempt)
            continue
        if body["retCode"] == 10006:
            log.warning("time sync rate limited")
        if body["retCode"] != 0:
            await asyncio.sleep(2 ** attempt)
            continue
        local_ms = int((t0 + time.time()) / 2 * 1000)
        return int(body["result"]["timeNano"]) // 1_000_000 - local_ms
    raise RuntimeError("could not read server time")


def auth_message(key: str, secret: str, offset_ms: int) -> dict:
    expires = int(time.time() * 1000) + offset_ms + 1000  # expect: BYB403
    sig = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return {"op": "auth", "args": [key, expires, sig]}


def journal(e: dict) -> None:
    fee = Decimal(e["execFee"])
    value = Decimal(e["execValue"])
    record = {
        "ts": int(e["execTime"]),
        "symbol": e["symbol"],
        "side": e["side"],
        "qty": e["execQty"],
        "price": e["execPrice"],
        "fee_bps": str((fee / value * 10_000).quantize(Decimal("0.01"))) if value else "0",
        "maker": e.get("isMaker", False),
        "link_id": e.get("orderLinkId", ""),
    }
    with JOURNAL.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    log.info(f"{e['side']} {e['execQty']} {e['symbol']} @ {float(e['execPrice']):.2f} fee {float(fee):.6f}")


async def heartbeat(ws: aiohttp.ClientWebSocketResponse) -> None:
    while not ws.closed:
        await ws.send_json({"op": "ping"})
        await asyncio.sleep(20)


async def main() -> None:
    key, secret = os.environ["BYBIT_API_KEY"], os.environ["BYBIT_API_SECRET"]
    async with aiohttp.ClientSession() as session:
        offset = await server_offset(session)
        log.info("server offset %+d ms", offset)
        async with session.ws_connect(PRIVATE_WS) as ws:
            await ws.send_json(auth_message(key, secret, offset))
            reply = await ws.receive_json()
            if not reply.get("success"):
                raise SystemExit(f"auth rejected: {reply}")
            await ws.send_json({"op": "subscribe", "args": ["execution"]})
            hb = asyncio.create_task(heartbeat(ws))
            try:
                async for msg in ws:
                    if msg.type is not aiohttp.WSMsgType.TEXT:
                        break
                    data = json.loads(msg.data)
                    if data.get("topic") == "execution":
                        for e in data["data"]:
                            journal(e)
            finally:
                hb.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
