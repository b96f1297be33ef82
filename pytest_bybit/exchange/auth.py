"""Who is calling, and may they: keys, environments, the timestamp window, signatures.

Bybit signs ``timestamp + api_key + recv_window + payload`` where payload is the query string
exactly as sent (GET) or the body bytes exactly as sent (POST). pybit sorts its query and
spaces its JSON, ccxt keeps insertion order and writes compact JSON; both are right because
the server signs what it received. So does this module: it never re-sorts, re-encodes or
re-serializes anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

from .. import facts
from .errors import BybitError, param_error
from .models import ApiKey, Ids
from .wire import Request


class KeyRegistry:
    """Every key the exchange knows, by its public id."""

    def __init__(self, ids: Ids) -> None:
        self._ids = ids
        self._keys: dict[str, ApiKey] = {}

    def add(self, key: ApiKey) -> ApiKey:
        if key.env not in facts.ENVIRONMENTS:
            raise ValueError(f"unknown environment {key.env!r}; expected one of {facts.ENVIRONMENTS}")
        self._keys[key.api_key] = key
        return key

    def create(self, env: str, uid: int, read_only: bool = False, rsa: bool = False) -> ApiKey:
        """A new key pair. With ``rsa`` the secret is a PEM private key, as pybit and ccxt expect."""
        public = None
        if rsa:
            secret, public = _rsa_pair()
        else:
            secret = self._ids.token(36)
        return self.add(ApiKey(self._ids.token(18), secret, env, read_only, public, uid))

    def get(self, api_key: str) -> ApiKey | None:
        return self._keys.get(api_key)

    def remove(self, api_key: str) -> None:
        self._keys.pop(api_key, None)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._keys.values())


class Authenticator:
    """Checks a private request in Bybit's order: key/env (10003), window (10002), sign (10004).

    The message wording is selectable because the live server has used several
    (facts.RET_MESSAGE_VARIANTS); a bot must not depend on one of them.
    """

    def __init__(self, keys: KeyRegistry) -> None:
        self.keys = keys
        self.timestamp_variant = "period"
        self.signature_variant = "origin"
        #: 200 answers an unknown key with a 10003 envelope; 401 mimics pybit#130 (no JSON).
        self.invalid_key_http_status = 200

    def authenticate(self, request: Request, env: str, now_ms: int) -> ApiKey:
        h = request.headers
        ts_raw = h.get("x-bapi-timestamp", "")
        key_id = h.get("x-bapi-api-key", "")
        sign = h.get("x-bapi-sign", "")
        if not (ts_raw and key_id and sign):
            raise param_error("missing_auth", timestamp=ts_raw, api_key=key_id, sign=sign)

        key = self.keys.get(key_id)
        if key is None or key.env != env:
            if self.invalid_key_http_status != 200:
                raise BybitError(10003, http_status=self.invalid_key_http_status, body="", content_type="text/plain")
            raise BybitError(10003)

        recv_raw = h.get("x-bapi-recv-window", "")
        try:
            ts = int(ts_raw)
            recv_window = int(recv_raw) if recv_raw else facts.DEFAULT_RECV_WINDOW_MS
        except ValueError:
            raise BybitError(10001) from None
        if not (now_ms - recv_window <= ts < now_ms + facts.FUTURE_TOLERANCE_MS):
            msg = facts.RET_MESSAGE_VARIANTS[10002][self.timestamp_variant]
            raise BybitError(10002, msg, req_timestamp=ts, server_timestamp=now_ms, recv_window=recv_window)

        prefix = (ts_raw + key_id + recv_raw).encode("utf-8")
        payload = request.payload
        if not _verify(key, prefix + payload, sign):
            msg = facts.RET_MESSAGE_VARIANTS[10004][self.signature_variant]
            # .format() would choke on the JSON braces of a payload: substitute by hand.
            text = msg.replace("{origin_string}", (prefix + payload).decode("utf-8", "replace"))
            text = text.replace("{payload}", payload.decode("utf-8", "replace"))
            raise BybitError(10004, text)
        return key


def _verify(key: ApiKey, message: bytes, sign: str) -> bool:
    if key.rsa_public_key is None:
        expected = hmac.new(key.api_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, sign)
    try:
        signature = base64.b64decode(sign, validate=True)
    except (binascii.Error, ValueError):
        return False
    if key._verifier is None:
        key._verifier = _rsa_verifier(key.rsa_public_key)
    return key._verifier(message, signature)


def _rsa_verifier(public_pem: str) -> Any:
    """PKCS#1 v1.5 / SHA-256 verification (pycryptodome: pybit's own dependency)."""
    from Crypto.Hash import SHA256
    from Crypto.PublicKey import RSA
    from Crypto.Signature import pkcs1_15

    verifier = pkcs1_15.new(RSA.import_key(public_pem))

    def verify(message: bytes, signature: bytes) -> bool:
        try:
            verifier.verify(SHA256.new(message), signature)
        except (ValueError, TypeError):
            return False
        return True

    return verify


_RSA_BITS = 2048


def _rsa_pair() -> tuple[str, str]:
    from Crypto.PublicKey import RSA

    private = RSA.generate(_RSA_BITS)
    return private.export_key().decode(), private.publickey().export_key().decode()
