"""Request signing."""

import hashlib
import hmac

from signal_bot.utils import time_ms

RECV_WINDOW = "5000"


def signed_headers(key: str, secret: str, payload: str) -> dict:
    ts = str(time_ms())  # expect: BYB401
    sign = hmac.new(secret.encode(), (ts + key + RECV_WINDOW + payload).encode(), hashlib.sha256).hexdigest()
    return {"X-BAPI-API-KEY": key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": RECV_WINDOW, "X-BAPI-SIGN": sign}
