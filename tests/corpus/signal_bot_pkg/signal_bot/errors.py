"""Bybit's error envelope turned into exceptions."""


class BybitError(Exception):
    pass


class RateLimited(BybitError):
    pass


def raise_for_bybit(resp):
    if resp.status_code in (403, 429):
        raise RateLimited(resp.headers.get("Retry-After", "60"))
    data = resp.json()
    if data["retCode"] == 10006:
        raise RateLimited(resp.headers.get("X-Bapi-Limit-Reset-Timestamp"))
    if data["retCode"] != 0:
        raise BybitError(data["retCode"], data["retMsg"])
    return data["result"]
