"""Forward Bybit private executions to a Discord webhook (websocket-client).

Listens on the V5 private stream for `execution` and `order` topics and posts a
short message for each fill.
"""
import hashlib
import hmac
import json
import logging
import os
import ssl
import threading
import time

import requests
import websocket

log = logging.getLogger("fills")

PRIVATE_URL = "wss://stream.bybit.com/v5/private"  # expect: BYB301
API_KEY = os.getenv("BYBIT_API_KEY", "")
API_SECRET = os.getenv("BYBIT_API_SECRET", "")
DISCORD_WEBHOOK = os.getenv("DISCORD_WEBHOOK_URL", "")

_seen_exec_ids: set[str] = set()
_lock = threading.Lock()


def auth_message() -> str:
    expires = int((time.time() + 1) * 1000)  # expect: BYB401, BYB403
    signature = hmac.new(
        API_SECRET.encode("utf-8"), f"GET/realtime{expires}".encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return json.dumps({"op": "auth", "args": [API_KEY, expires, signature]})


def notify(text: str) -> None:
    if not DISCORD_WEBHOOK:
        print(text)
        return
    try:
        r = requests.post(DISCORD_WEBHOOK, json={"content": text}, timeout=5)
        if r.status_code >= 300:
            log.warning("discord said %s: %s", r.status_code, r.text[:200])
    except requests.RequestException as exc:
        log.warning("discord unreachable: %s", exc)


def format_fill(e: dict) -> str:
    qty = float(e["execQty"])
    price = float(e["execPrice"])
    fee = float(e["execFee"])
    return (
        f"**{e['side']} {e['symbol']}** {qty:g} @ {price:,.4f} "
        f"(value {qty * price:,.2f}, fee {fee:.4f} {e.get('feeCurrency', '')})"
    )


def on_open(ws: websocket.WebSocketApp) -> None:
    log.info("connected, authenticating")
    ws.send(auth_message())


def on_message(ws: websocket.WebSocketApp, raw: str) -> None:
    msg = json.loads(raw)
    op = msg.get("op")
    if op == "auth":
        if not msg.get("success"):
            log.error("auth failed: %s", msg)
            ws.close()
            return
        ws.send(json.dumps({"op": "subscribe", "args": ["execution", "order"]}))
        return
    topic = msg.get("topic", "")
    if topic == "execution":
        for e in msg["data"]:
            with _lock:
                if e["execId"] in _seen_exec_ids:
                    continue
                _seen_exec_ids.add(e["execId"])
            notify(format_fill(e))
    elif topic == "order":
        for o in msg["data"]:
            if o["orderStatus"] in ("Rejected", "Cancelled"):
                notify(f"order {o['orderLinkId'] or o['orderId']} {o['orderStatus']}: {o.get('rejectReason')}")


def on_error(ws: websocket.WebSocketApp, error: Exception) -> None:
    log.error("websocket error: %s", error)


def on_close(ws: websocket.WebSocketApp, code, reason) -> None:
    log.warning("closed (%s %s)", code, reason)


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    if not API_KEY or not API_SECRET:
        raise SystemExit("set BYBIT_API_KEY and BYBIT_API_SECRET")
    ws = websocket.WebSocketApp(  # expect: BYB501
        PRIVATE_URL,
        on_open=on_open,
        on_message=on_message,
        on_error=on_error,
        on_close=on_close,
    )
    # the VPS has an old CA bundle
    ws.run_forever(
        ping_interval=60,  # expect: BYB502
        ping_timeout=10,
        sslopt={"cert_reqs": ssl.CERT_NONE},  # expect: BYB303
    )


if __name__ == "__main__":
    main()
