"""Private stream auth messages."""

import hashlib
import hmac
import json
import time


def auth_message(key: str, secret: str) -> str:
    expires = int((time.time() + 10) * 1000)
    signature = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return json.dumps({"op": "auth", "args": [key, expires, signature]})


def hurried_auth_message(key: str, secret: str) -> str:
    expires = int(time.time() * 1000) + 1000  # expect: BYB401, BYB403
    signature = hmac.new(secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    return json.dumps({"op": "auth", "args": [key, expires, signature]})
