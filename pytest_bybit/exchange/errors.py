"""Bybit's error replies and the envelope every V5 reply travels in.

Business errors are HTTP 200 with a non-zero retCode; pybit and ccxt both depend on that, so
an endpoint raises :class:`BybitError` and the server turns it into the exact envelope. The
few gateway errors (403 IP ban, 404, 401) are not JSON at all, which is why an error may carry
its own body and content type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import facts

_compact = json.JSONEncoder(separators=(",", ":")).encode


class BybitError(Exception):
    """An error reply: a retCode in a 200 envelope, or a bare HTTP status with its own body."""

    def __init__(
        self,
        ret_code: int,
        ret_msg: str | None = None,
        *,
        http_status: int = 200,
        body: bytes | str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        **fmt: Any,
    ) -> None:
        if ret_msg is None:
            ret_msg = facts.RET_MESSAGES.get(ret_code, facts.RET_MESSAGES[10001])
        if fmt:
            ret_msg = ret_msg.format(**fmt)
        super().__init__(f"{ret_code}: {ret_msg}")
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.http_status = http_status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def param_error(cause: str | None = None, **fmt: Any) -> BybitError:
    """A 10001 with the observed text for ``cause`` (facts.PARAM_ERROR_MESSAGES), or the generic one."""
    msg = facts.PARAM_ERROR_MESSAGES[cause] if cause else facts.RET_MESSAGES[10001]
    return BybitError(10001, msg, **fmt)


@dataclass
class Result:
    """An endpoint result that also fills ``retExtInfo`` (batch endpoints report per item there)."""

    result: dict[str, Any]
    ext_info: dict[str, Any] = field(default_factory=dict)


def envelope(
    ret_code: int,
    ret_msg: str,
    result: dict[str, Any] | None,
    time_ms: int,
    ext_info: dict[str, Any] | None = None,
) -> str:
    """The V5 envelope, compact as the live server writes it; errors carry ``result: {}``."""
    return _compact(
        {
            "retCode": ret_code,
            "retMsg": ret_msg,
            "result": result if result is not None else {},
            "retExtInfo": ext_info if ext_info is not None else {},
            "time": time_ms,
        }
    )
