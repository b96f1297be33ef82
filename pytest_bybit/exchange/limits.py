"""Rate limits: per UID and endpoint (10006 + X-Bapi-Limit* headers) and per IP (HTTP 403 ban).

Both windows are rolling and judged on the exchange's clock, so a test with a manual or virtual
clock can cross a window (or sit out a 10-minute ban) without waiting.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass

from .. import facts


@dataclass
class Quota:
    """The outcome of asking for ``n`` slots: how many were granted and the headers to send."""

    limit: int
    remaining: int
    reset_ms: int
    granted: int

    def headers(self) -> dict[str, str]:
        return {
            facts.LIMIT_HEADER: str(self.limit),
            facts.LIMIT_STATUS_HEADER: str(self.remaining),
            facts.LIMIT_RESET_HEADER: str(self.reset_ms),
        }


class RateLimits:
    """Table C.3 of bybit-v5.md, adjustable per test, plus the IP limit of C.1."""

    def __init__(self) -> None:
        self._table: dict[str, dict[str, int]] = copy.deepcopy(facts.UID_RATE_LIMITS)
        self._windows: dict[tuple[int, str, str], deque[int]] = {}
        self.window_ms = facts.RATE_LIMIT_WINDOW_MS
        #: False drops the X-Bapi-Limit* headers, like the global 10006 of pybit#340.
        self.send_headers = True
        self.ip_limit = facts.IP_RATE_LIMIT
        self.ip_window_ms = facts.IP_RATE_WINDOW_MS
        self.ip_ban_ms = facts.IP_BAN_MS
        self.banned_until_ms = 0
        self._ip_hits: deque[int] = deque()

    # --- per UID, per endpoint -------------------------------------------------------------

    def set_limit(self, path: str, category: str | None, per_second: int | None) -> None:
        """Change one limit; ``category=None`` sets it for every category, ``per_second=None`` removes it."""
        if category is None:
            if per_second is None:
                self._table.pop(path, None)
            else:
                self._table[path] = {"*": per_second}
            return
        row = self._table.setdefault(path, {})
        if per_second is None:
            row.pop(category, None)
        else:
            row[category] = per_second

    def limit_for(self, path: str, category: str | None) -> int | None:
        row = self._table.get(path)
        if row is None:
            return None
        if category is not None and category in row:
            return row[category]
        return row.get("*")

    def acquire(self, uid: int, path: str, category: str | None, now_ms: int, n: int = 1) -> Quota | None:
        """Take up to ``n`` slots of the rolling window (None: this endpoint has no limit).

        A batch asks for one slot per order and gets as many as are left: Bybit accepts the
        orders within the limit and fails the rest.
        """
        limit = self.limit_for(path, category)
        if limit is None:
            return None
        row = self._table[path]
        key = (uid, path, category if category in row else "*")
        hits = self._windows.get(key)
        if hits is None:
            hits = self._windows[key] = deque()
        edge = now_ms - self.window_ms
        while hits and hits[0] <= edge:
            hits.popleft()
        granted = max(0, min(n, limit - len(hits)))
        hits.extend([now_ms] * granted)
        remaining = limit - len(hits)
        # Reset is "now" when not limited; when limited, the moment the oldest hit leaves.
        if granted == n:
            reset = now_ms
        else:
            reset = (hits[0] if hits else now_ms) + self.window_ms
        return Quota(limit, max(0, remaining), reset, granted)

    # --- per IP ----------------------------------------------------------------------------

    def hit_ip(self, now_ms: int) -> bool:
        """Count one request from the (single) client IP; True when it must get the 403 ban."""
        if now_ms < self.banned_until_ms:
            return True
        hits = self._ip_hits
        edge = now_ms - self.ip_window_ms
        while hits and hits[0] <= edge:
            hits.popleft()
        if len(hits) >= self.ip_limit:
            self.banned_until_ms = now_ms + self.ip_ban_ms
            hits.clear()
            return True
        hits.append(now_ms)
        return False

    def reset(self) -> None:
        """Forget every window and lift any ban (limits themselves stay as set)."""
        self._windows.clear()
        self._ip_hits.clear()
        self.banned_until_ms = 0
