"""The stream ``auth`` op: ``[api_key, expires, signature]`` over ``"GET/realtime" + expires``.

Same key store as REST: a key from another environment, an ``expires`` already past on the
exchange's clock (a slow local clock with pybit's 1 s default, pybit#300) or a wrong
signature is refused. Bybit answers an expired ``expires`` with "Params Error" on the private
stream, not with a signature error (bybit-v5.md E.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..exchange.auth import KeyRegistry, _verify
from ..exchange.models import ApiKey

#: Observed on the private stream (bybit-v5.md E.3, tmatic#153).
EXPIRED = "Params Error"
#: UNCONFIRMED on V5: the wording older Bybit streams used for a wrong signature.
BAD_SIGNATURE = "error:verify signature fail"
BAD_KEY = "error:invalid api_key"


@dataclass
class AuthResult:
    key: ApiKey | None
    message: str = ""
    #: WS trade's retCode for the same failure (bybit-v5.md E.3: 10004 invalid sign, 10001 params).
    ret_code: int = 0

    @property
    def ok(self) -> bool:
        return self.key is not None


def check(keys: KeyRegistry, args: Any, env: str, now_ms: int) -> AuthResult:
    """Judge an ``auth`` request's ``args`` for a stream of environment ``env``."""
    if not isinstance(args, list) or len(args) != 3:
        return AuthResult(None, EXPIRED, 10001)
    api_key, expires, sign = args
    try:
        expires_ms = int(expires)
    except (TypeError, ValueError):
        return AuthResult(None, EXPIRED, 10001)
    key = keys.get(str(api_key))
    if key is None or key.env != env:
        return AuthResult(None, BAD_KEY, 10003)
    if expires_ms <= now_ms:
        return AuthResult(None, EXPIRED, 10001)
    if not isinstance(sign, str) or not _verify(key, f"GET/realtime{expires}".encode("utf-8"), sign):
        return AuthResult(None, BAD_SIGNATURE, 10004)
    return AuthResult(key)
