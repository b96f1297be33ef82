"""The replies each stream sends, in its own dialect.

Bybit's streams disagree on small things a bot parses: the spot pong carries ``"op":
"ping"`` and ``ret_msg: "pong"``, option answers ``{"op": "pong", "args": [ts]}``, the
private stream echoes ``args``, WS trade speaks ``retCode`` / ``retMsg`` / ``connId``
(bybit-v5.md E.1-E.4). A bot that only handles one of them breaks on another stream.
"""

from __future__ import annotations

from typing import Any

#: URL path -> stream kind.
PATHS: dict[str, str] = {
    "/v5/public/spot": "spot",
    "/v5/public/linear": "linear",
    "/v5/public/inverse": "inverse",
    "/v5/public/option": "option",
    "/v5/private": "private",
    "/v5/trade": "trade",
}
PUBLIC_KINDS = ("spot", "linear", "inverse", "option")

#: Bybit's idle rule: no ping and no data for 10 minutes cuts the connection (bybit-v5.md E.1);
#: private and trade streams may choose 30 s to 600 s with ``?max_active_time=``.
IDLE_TIMEOUT_S = 600.0
MIN_ACTIVE_TIME_S = 30.0


def max_active_time(query: dict[str, str], kind: str) -> float:
    """The idle cut-off of a connection; a bad ``max_active_time`` raises ValueError."""
    raw = query.get("max_active_time")
    if raw is None or kind not in ("private", "trade"):
        return IDLE_TIMEOUT_S
    units = {"s": 1, "m": 60}
    try:
        seconds = float(raw[:-1]) * units[raw[-1]]
    except (KeyError, ValueError, IndexError):
        raise ValueError(f"max_active_time={raw!r}: use seconds or minutes such as 45s or 1m") from None
    if not MIN_ACTIVE_TIME_S <= seconds <= IDLE_TIMEOUT_S:
        raise ValueError(f"max_active_time={raw!r}: Bybit accepts 30s to 600s (10m)")
    return seconds


def _with_req_id(body: dict[str, Any], req_id: Any) -> dict[str, Any]:
    if req_id is not None:
        body["req_id"] = req_id
    return body


def pong(kind: str, conn_id: str, req_id: Any, now_ms: int) -> dict[str, Any]:
    if kind == "spot":
        return _with_req_id({"success": True, "ret_msg": "pong", "conn_id": conn_id, "op": "ping"}, req_id)
    if kind in ("linear", "inverse"):
        return {"success": True, "ret_msg": "pong", "conn_id": conn_id, "req_id": req_id or "", "op": "ping"}
    if kind == "option":
        return {"args": [str(now_ms)], "op": "pong"}
    if kind == "private":
        return _with_req_id({"op": "pong", "args": [str(now_ms)], "conn_id": conn_id}, req_id)
    return trade_reply("pong", conn_id, req_id, 0, "OK", data=[str(now_ms)])


def command_reply(
    kind: str, op: str, conn_id: str, req_id: Any, ok: bool, message: str = "", topics: list[str] | None = None
) -> dict[str, Any]:
    """The answer to ``subscribe`` / ``unsubscribe`` / ``auth`` on a public or private stream."""
    if kind == "option" and op != "auth":
        done = topics or []
        return _with_req_id(
            {
                "success": ok,
                "ret_msg": message,
                "conn_id": conn_id,
                "data": {"failTopics": [] if ok else done, "successTopics": done if ok else []},
                "type": "COMMAND_RESP",
            },
            req_id,
        )
    if kind == "spot" and ok and op != "auth":
        message = op
    body = {"success": ok, "ret_msg": message, "conn_id": conn_id, "op": op}
    if kind in ("linear", "inverse"):
        body["req_id"] = req_id or ""
        return body
    return _with_req_id(body, req_id)


def trade_reply(
    op: str,
    conn_id: str,
    req_id: Any,
    ret_code: int,
    ret_msg: str,
    data: Any = None,
    header: dict[str, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"reqId": req_id, "retCode": ret_code, "retMsg": ret_msg, "op": op}
    if req_id is None:
        del body["reqId"]
    body["data"] = data if data is not None else {}
    if header is not None:
        body["retExtInfo"] = {}
        body["header"] = header
    body["connId"] = conn_id
    return body
