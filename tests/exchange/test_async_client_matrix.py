"""The error table of test_client_matrix.py, through async clients on aiohttp: unmodified
``ccxt.async_support.bybit`` and a bot's own aiohttp signer (tests/transport_clients.py).

Each row reproduces the same real cause (set up with pybit, through ``requests``: both
stacks meet one exchange), then the async client must surface what the sync one does.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

ccxt_async = pytest.importorskip("ccxt.async_support")
pytest.importorskip("aiohttp")

from test_client_matrix import CASES, ENVELOPE, Case, _answered, _params  # noqa: E402
from transport_clients import AioSigner  # noqa: E402


def _run(call: Any) -> Any:
    async def main() -> Any:
        result = call()
        return await result if asyncio.iscoroutine(result) else result

    return asyncio.run(main())


def _async_ccxt(bybit: Any, key: Any = None, secret: str | None = None) -> Any:
    api_key = key.api_key if key is not None else bybit.api_key
    api_secret = secret if secret is not None else (key.api_secret if key is not None else bybit.api_secret)
    ex = ccxt_async.bybit({"apiKey": api_key, "secret": api_secret, "enableRateLimit": False})
    ex.set_sandbox_mode(True)
    return ex


@pytest.mark.parametrize("case", _params(CASES))
def test_error_through_ccxt_async(bybit, case: Case) -> None:
    overrides = case.setup(bybit) or {}
    orders_before = len(bybit.orders)

    async def call() -> BaseException:
        ex = _async_ccxt(bybit, **overrides)
        try:
            await case.ccxt(ex)
        except ccxt_async.BaseError as exc:
            return exc
        finally:
            await ex.close()
        raise AssertionError(f"{case.name}: ccxt.async_support raised nothing")

    error = asyncio.run(call())
    assert type(error) is case.ccxt_error, str(error)
    text = str(error)
    if case.http:
        assert str(case.code) in text and case.message in text
    else:
        assert f'"retCode":{case.code}' in text and case.message in text
    _answered(bybit, case)
    assert len(bybit.orders) == orders_before


@pytest.mark.parametrize("case", _params(CASES))
def test_error_through_aiohttp_signer(bybit, case: Case) -> None:
    overrides = case.setup(bybit) or {}
    key = overrides.get("key")
    api_key = key.api_key if key is not None else bybit.api_key
    secret = overrides.get("secret") or (key.api_secret if key is not None else bybit.api_secret)
    signer = AioSigner(api_key, secret)
    orders_before, requests_before = len(bybit.orders), len(bybit.requests)
    status, text = _run(lambda: case.pybit(signer))
    if case.http:
        assert status == case.code and case.message in text
    else:
        body = json.loads(text)
        assert status == 200 and list(body) == ENVELOPE
        assert body["retCode"] == case.code and case.message in body["retMsg"]
        assert _answered(bybit, case).reply.json()["retMsg"] == body["retMsg"]
    _answered(bybit, case)
    assert len(bybit.requests) == requests_before + 1  # one request, no retry
    assert len(bybit.orders) == orders_before
