"""The fixture's set-up is all or nothing; a test's own HTTP mocks work beside the fake; the
loopback traffic of the test's own servers (aiohttp ``ws_connect`` included) is untouched."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from typing import Any

import pytest
import requests
import responses
from pybit.unified_trading import HTTP

from pytest_bybit import clock as clock_module
from pytest_bybit import network_guard
from pytest_bybit.clock import VirtualClock
from pytest_bybit.fixture import Bybit
from pytest_bybit.transports import Transports

aiohttp = pytest.importorskip("aiohttp")

HOOK = "https://hooks.example.com/notify"
TIME = "https://api-testnet.bybit.com/v5/market/time"


def _pristine() -> None:
    """Nothing of a fixture is left installed."""
    import httpx
    import urllib.request

    assert network_guard._active == []
    assert requests.adapters.HTTPAdapter.send is responses._real_send
    assert clock_module._active is None and time.sleep is clock_module._REAL_SLEEP
    assert "pytest_bybit" not in aiohttp.TCPConnector._create_connection.__module__
    assert "pytest_bybit" not in httpx.HTTPTransport.handle_request.__module__
    assert "pytest_bybit" not in urllib.request.HTTPSHandler.https_open.__module__
    assert "pytest_bybit" not in responses.RequestsMock._on_request.__module__


# -- transactional set-up ---------------------------------------------------------------------

@pytest.mark.parametrize("failing", ["interceptor", "network_guard", "transports", "clock"])
def test_a_failing_step_undoes_the_steps_before_it(monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    fake = Bybit(VirtualClock())
    target = {
        "interceptor": (fake.interceptor, "start"),
        "network_guard": (fake.network_guard, "install"),
        "transports": (fake.transports, "install"),
        "clock": (fake.clock, "install"),
    }[failing]
    real = getattr(target[0], target[1])

    def half_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the step itself got half-way (installed), then broke
        raise RuntimeError(f"{failing} broke")

    monkeypatch.setattr(target[0], target[1], half_then_fail)
    with pytest.raises(RuntimeError, match=f"{failing} broke"):
        fake.start()
    _pristine()


def test_an_unrepresentable_drift_leaves_nothing_installed() -> None:
    with pytest.raises(ValueError, match="drift must be within"):  # year 33715: refused before any step
        Bybit(VirtualClock(drift=1e12)).start()
    _pristine()


def test_start_stop_restores_everything() -> None:
    fake = Bybit(VirtualClock()).start()
    assert network_guard._active == [fake.network_guard]
    assert set(fake.transports.installed) == {"aiohttp", "httpx", "urllib.request"}
    fake.stop()
    fake.stop()  # twice is harmless
    _pristine()


def test_adapters_load_only_for_importable_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_bybit.transports as transports

    monkeypatch.delitem(sys.modules, "httpx")
    monkeypatch.setattr(transports.importlib.util, "find_spec", lambda name: None if name == "httpx" else object())
    fake = Bybit(VirtualClock())
    t = Transports(fake.transports.gateway).install()
    try:
        assert t.installed == ["aiohttp", "urllib.request"] and t._watcher is None
    finally:
        t.uninstall()


LATE_IMPORT = """
import sys
from pytest_bybit.clock import VirtualClock
from pytest_bybit.fixture import Bybit

assert "aiohttp" not in sys.modules and "httpx" not in sys.modules
fake = Bybit(VirtualClock()).start()
assert fake.transports.installed == ["urllib.request"]  # nothing heavy imported for nothing
import asyncio, aiohttp, httpx  # the bot imports its client inside the test

async def main():
    async with aiohttp.ClientSession() as session:
        async with session.get("https://api-testnet.bybit.com/v5/market/time") as resp:
            return (await resp.json())["retCode"]

assert asyncio.run(main()) == 0
assert httpx.get("https://api-testnet.bybit.com/v5/market/time").json()["retCode"] == 0
assert sorted(fake.transports.installed) == ["aiohttp", "httpx", "urllib.request"]
fake.stop()
assert not any(type(f).__name__ == "_ImportWatcher" for f in sys.meta_path)
assert "pytest_bybit" not in aiohttp.TCPConnector._create_connection.__module__
print("late import served")
"""


def test_a_library_imported_during_the_test_is_served() -> None:
    import subprocess

    done = subprocess.run([sys.executable, "-c", LATE_IMPORT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "late import served" in done.stdout, done.stderr


# -- the test's own responses / requests_mock mocks -----------------------------------------

def _pybit_wallet(bybit: Any) -> int:
    session = HTTP(testnet=True, api_key=bybit.api_key, api_secret=bybit.api_secret)
    return session.get_wallet_balance(accountType="UNIFIED")["retCode"]


def test_responses_started_in_the_test_passes_bybit_requests_to_the_fake(bybit) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, HOOK, json={"ok": True})
        assert _pybit_wallet(bybit) == 0  # not "Connection refused by Responses"
        assert requests.post(HOOK, timeout=5).json() == {"ok": True}
        rsps.add(responses.GET, TIME, json={"retCode": 0, "time": 1})  # mocking Bybit on purpose wins
        assert requests.get(TIME, timeout=5).json()["time"] == 1
        with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused by Responses"):
            requests.get("https://other.example.com/", timeout=5)  # the user's mock still refuses the rest
    assert [r.path for r in bybit.requests] == ["/v5/account/wallet-balance"]


@responses.activate
def test_responses_activate_decorator_beside_bybit(bybit) -> None:
    responses.add(responses.POST, HOOK, json={"ok": True})
    assert _pybit_wallet(bybit) == 0
    assert requests.post(HOOK, timeout=5).json() == {"ok": True}


def test_requests_mock_fixture_beside_bybit(bybit, requests_mock: Any) -> None:
    requests_mock.post(HOOK, json={"ok": True})
    assert _pybit_wallet(bybit) == 0  # not NoMockAddress
    assert requests.post(HOOK, timeout=5).json() == {"ok": True}
    import requests_mock as library

    with pytest.raises(library.exceptions.NoMockAddress):
        requests.get("https://other.example.com/", timeout=5)
    assert [r.path for r in bybit.requests] == ["/v5/account/wallet-balance"]


def test_a_responses_mock_active_before_bybit_fails_set_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, responses

        @pytest.fixture
        def mocked():
            with responses.RequestsMock() as rsps:
                yield rsps

        def test_hidden(mocked, bybit):
            pass

        def test_later(bybit):
            import requests
            assert requests.get("https://api-testnet.bybit.com/v5/market/time", timeout=5).json()["retCode"] == 0
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*a `responses` mock is already active when the `bybit` fixture starts*Start your mock inside the test*"])
    result.stdout.no_fnmatch_line("*raise MockConflict*")  # a plain message, no traceback into the plugin


# -- loopback servers of the test itself ------------------------------------------------------

def test_aiohttp_ws_connect_to_loopback_is_not_intercepted(bybit) -> None:
    from aiohttp import web

    async def main() -> str:
        async def echo(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                await ws.send_str("echo:" + message.data)
                break
            await ws.close()
            return ws

        app = web.Application()
        app.router.add_get("/ws", echo)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
                    await ws.send_str("ping")
                    reply = await ws.receive()
                async with session.get(TIME) as resp:  # and Bybit still answers from the fake
                    assert (await resp.json())["retCode"] == 0
            return reply.data
        finally:
            await runner.cleanup()

    assert asyncio.run(main()) == "echo:ping"
    assert bybit.unexpected == [] and [r.path for r in bybit.requests] == ["/v5/market/time"]


def test_no_guard_outside_bybit_tests() -> None:
    assert network_guard._active == []
    assert socket.getaddrinfo.__module__ == "socket"
    if "uvloop" in sys.modules:
        assert "getaddrinfo" not in vars(sys.modules["uvloop"].Loop)  # the guard's patch is gone


def test_a_failed_set_up_leaks_nothing_into_later_tests(pytester: pytest.Pytester) -> None:
    """Clocks that cannot start (year 33715, NaN, infinity) error their own test only: later
    tests, with or without `bybit`, run with a clean process and a working fake."""
    pytester.makepyfile(
        """
        import asyncio, math, socket, time
        import aiohttp, pytest, requests, responses

        @pytest.mark.bybit_clock(drift=1e12)
        def test_clock_ahead_past_year_9999(bybit):
            pass

        @pytest.mark.bybit_clock(drift=-1e12)
        def test_clock_behind_before_year_1(bybit):
            pass

        @pytest.mark.bybit_clock(drift=math.nan)
        def test_clock_nan(bybit):
            pass

        @pytest.mark.bybit_clock(drift=math.inf)
        def test_clock_inf(bybit):
            pass

        def test_later_without_bybit():
            from pytest_bybit import network_guard, clock
            assert network_guard._active == [] and clock._active is None
            assert requests.adapters.HTTPAdapter.send is responses._real_send
            assert "pytest_bybit" not in aiohttp.TCPConnector._create_connection.__module__
            assert abs(time.time() - time.mktime(time.localtime())) < 2  # the real clock
            assert socket.getaddrinfo("localhost", 80)

        def test_later_with_bybit(bybit):
            assert requests.get("https://api-testnet.bybit.com/v5/market/time", timeout=5).json()["retCode"] == 0
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=4)


def test_the_plugin_works_without_the_optional_client_libraries(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import sys
        for name in ("aiohttp", "httpx", "uvloop"):
            sys.modules[name] = None  # as if not installed: importing them fails
        """
    )
    pytester.makepyfile(
        """
        import json, urllib.request
        import pytest, requests

        def test_requests_and_urllib(bybit):
            assert requests.get("https://api-testnet.bybit.com/v5/market/time", timeout=5).json()["retCode"] == 0
            with urllib.request.urlopen("https://api-testnet.bybit.com/v5/market/time") as resp:
                assert json.load(resp)["retCode"] == 0
            assert bybit.transports.installed == ["urllib.request"]
            with pytest.raises(ImportError):
                import aiohttp
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
