"""Every stream test must leave no server thread or open port behind."""

from __future__ import annotations

import contextlib
import importlib
import threading
from typing import Iterator

import pytest

from pytest_bybit.streams.server import THREAD_NAME

# imported once here: pytester's in-process runs would import them again for every inner run
for _name in ("pybit.unified_trading", "websockets.asyncio.client", "websockets.sync.client", "websocket", "aiohttp"):
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)


def stream_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


@pytest.fixture(autouse=True)
def _no_stream_server_left() -> Iterator[None]:
    yield
    assert stream_threads() == [], "the stream server's thread outlived its test"
