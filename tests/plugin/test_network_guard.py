"""Every way out of the machine that a test could take while ``bybit`` is active, refused.

The targets are TEST-NET addresses (192.0.2.0/24, never routed) and ``.invalid`` names, so a
guard that let one through would still reach nothing. Each refusal is also recorded for the
failure report (``bybit.unexpected``); the tests allow that check off and assert on it.
"""

from __future__ import annotations

import _socket
import asyncio
import os
import socket
import subprocess
from typing import Any

import pytest

from pytest_bybit import network_guard
from pytest_bybit.network_guard import BlockedConnection, NetworkGuard

FAR = ("192.0.2.1", 9)
FAR_NAME = "blocked.example.invalid"

pytestmark = pytest.mark.bybit_allow("unexpected_requests")


def _refused(bybit: Any, fragment: str) -> None:
    assert any(fragment in message and "pytest-bybit" in message for message in bybit.unexpected), bybit.unexpected


# -- Python's socket module and the raw _socket module -------------------------------------

def test_tcp_connect(bybit) -> None:
    with socket.socket() as sock, pytest.raises(BlockedConnection):
        sock.connect(FAR)
    _refused(bybit, "192.0.2.1:9")


def test_raw_socket_module(bybit) -> None:
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        with pytest.raises(BlockedConnection):
            sock.connect(FAR)
        with pytest.raises(BlockedConnection):
            sock.connect_ex(FAR)
    finally:
        sock.close()


def test_udp_sendto_and_sendmsg(bybit) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(BlockedConnection):
            sock.sendto(b"x", FAR)
        with pytest.raises(BlockedConnection):
            sock.sendmsg([b"x"], [], 0, FAR)
    _refused(bybit, "192.0.2.1:9 (UDP datagram)")
    _refused(bybit, "192.0.2.1:9 (sendmsg)")


@pytest.mark.parametrize("lookup", ["getaddrinfo", "gethostbyname", "gethostbyname_ex"])
def test_name_resolution(bybit, lookup: str) -> None:
    with pytest.raises(BlockedConnection):
        if lookup == "getaddrinfo":
            socket.getaddrinfo(FAR_NAME, 443)
        else:
            getattr(socket, lookup)(FAR_NAME)
    _refused(bybit, f"{FAR_NAME}")


def test_loopback_and_unix_sockets_stay_open(bybit, tmp_path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"x", ("127.0.0.1", 9))
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
    assert socket.getaddrinfo("localhost", 80) and socket.gethostbyname("localhost")
    assert bybit.unexpected == []


# -- asyncio (default loop) ----------------------------------------------------------------

def test_asyncio_streams_and_unconnected_udp(bybit) -> None:
    errors: list[BaseException] = []

    class Protocol(asyncio.DatagramProtocol):
        def error_received(self, exc: Exception) -> None:
            errors.append(exc)

    async def main() -> None:
        with pytest.raises(OSError):
            await asyncio.open_connection(*FAR)
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Protocol, family=socket.AF_INET)
        transport.sendto(b"x", FAR)  # asyncio hands the error to the protocol
        await asyncio.sleep(0)
        transport.close()

    asyncio.run(main())
    assert errors and isinstance(errors[0], BlockedConnection)
    _refused(bybit, "192.0.2.1:9 (UDP datagram)")


# -- uvloop, which resolves and connects in libuv --------------------------------------------

def _uvloop() -> Any:
    return pytest.importorskip("uvloop")


def test_uvloop_connect_resolve_and_udp(bybit) -> None:
    uv = _uvloop()

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        refused = []
        for attempt in (
            lambda: asyncio.open_connection(*FAR),
            lambda: asyncio.open_connection(FAR_NAME, 443),
            lambda: loop.getaddrinfo(FAR_NAME, 443),
            lambda: loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=FAR),
        ):
            try:
                await attempt()
            except BlockedConnection as exc:
                refused.append(str(exc))
        transport, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, family=socket.AF_INET)
        try:
            transport.sendto(b"x", FAR)
        except BlockedConnection as exc:
            refused.append(str(exc))
        finally:
            transport.close()
        sock = socket.socket()
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, FAR)
        except BlockedConnection as exc:
            refused.append(str(exc))
        finally:
            sock.close()
        return refused

    assert len(uv.run(main())) == 6


def test_uvloop_datagram_protocol_sends_through_its_own_transport(bybit) -> None:
    uv = _uvloop()
    errors: list[BaseException] = []

    class Beacon(asyncio.DatagramProtocol):
        def connection_made(self, transport: Any) -> None:
            try:
                transport.sendto(b"hello", FAR)  # the transport handed to the protocol, not the returned one
            except BlockedConnection as exc:
                errors.append(exc)

    async def main() -> None:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(Beacon, family=socket.AF_INET)
        transport.close()

    uv.run(main())
    assert len(errors) == 1
    _refused(bybit, "192.0.2.1:9 (UDP datagram)")


def test_uvloop_httpx_async(bybit) -> None:
    uv = _uvloop()
    httpx = pytest.importorskip("httpx")

    async def main() -> None:
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"https://{FAR_NAME}/")
            # Bybit's own hosts are still served under uvloop
            assert (await client.get("https://api-testnet.bybit.com/v5/market/time")).json()["retCode"] == 0

    uv.run(main())
    _refused(bybit, FAR_NAME)


def test_uvloop_websockets(bybit) -> None:
    uv = _uvloop()
    websockets = pytest.importorskip("websockets")

    async def main() -> None:
        with pytest.raises(OSError):
            async with websockets.connect(f"wss://{FAR_NAME}/v5/public/linear", open_timeout=2):
                pass

    uv.run(main())
    _refused(bybit, FAR_NAME)


def test_uvloop_loopback_still_works(bybit) -> None:
    uv = _uvloop()

    async def main() -> bytes:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(await reader.readexactly(2))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("localhost", port)
        writer.write(b"ok")
        data = await reader.readexactly(2)
        writer.close()
        server.close()
        await server.wait_closed()
        return data

    assert uv.run(main()) == b"ok"
    assert bybit.unexpected == []


# -- network tools in subprocesses ---------------------------------------------------------

@pytest.mark.parametrize(
    "start",
    [
        lambda: subprocess.run(["curl", "--max-time", "1", "http://192.0.2.1/"], check=False),
        lambda: subprocess.run("curl --max-time 1 http://192.0.2.1/", shell=True, check=False),
        lambda: subprocess.Popen(["/usr/bin/wget", "-T", "1", "http://192.0.2.1/"]),
        lambda: os.system("nc -w 1 192.0.2.1 9"),
    ],
    ids=["curl", "shell-curl", "wget-path", "os-system-nc"],
)
def test_network_tools_in_subprocesses(bybit, start: Any) -> None:
    with pytest.raises(BlockedConnection):
        start()
    assert any(m.startswith("pytest-bybit: `") and "` run in a subprocess blocked: " in m for m in bybit.unexpected)


def test_other_subprocesses_run(bybit) -> None:
    assert subprocess.run(["grep", "-q", "localhost", "/etc/hosts"], check=False).returncode in (0, 1)
    assert subprocess.run("echo curl wget > /dev/null", shell=True, check=False).returncode == 0
    assert bybit.unexpected == []


@pytest.mark.parametrize(
    ("executable", "argv", "tool"),
    [
        (None, ["curl", "-s", "https://example.invalid"], "curl"),
        ("/usr/bin/wget", ["wget", "x"], "wget"),
        ("/bin/sh", ["/bin/sh", "-c", "cd /tmp && curl -s x | tee out"], "curl"),
        ("/bin/sh", ["/bin/sh", "-c", "echo $(nc -z host 9)"], "nc"),
        (None, ["env", "HTTPS_PROXY=x", "curl", "x"], "curl"),
        (None, ["timeout", "5", "ssh", "host"], "ssh"),
        ("/bin/bash", ["bash", "-c", "FOO=1 wget -q x"], "wget"),
        (None, ["bash", "-lc", "curl x"], "curl"),
        (None, ["sh", "script.sh", "-c"], None),
        (None, ["grep", "host", "/etc/hosts"], None),
        (None, ["echo", "curl"], None),
        ("/bin/sh", ["/bin/sh", "-c", "echo curl; git status"], None),
        (None, ["python", "-c", "print('wget')"], None),
    ],
)
def test_which_commands_are_network_tools(executable: Any, argv: list[str], tool: str | None) -> None:
    assert network_guard._network_tool(executable, argv) == tool


# -- *.localhost names, and the hook when no bybit test is active --------------------------

@pytest.mark.parametrize(("resolver_answers", "blocked"), [(False, True), (True, False)])
def test_dot_localhost_names_are_blocked_only_when_they_would_reach_dns(
    monkeypatch: pytest.MonkeyPatch, resolver_answers: bool, blocked: bool
) -> None:
    monkeypatch.setattr(network_guard, "_resolver_answers_localhost_names", lambda: resolver_answers)
    assert network_guard._is_local("bot.localhost") is not blocked
    assert network_guard._is_local("localhost") and network_guard._is_local("127.0.0.1")
    assert network_guard._is_local("::1") and network_guard._is_local("::ffff:127.0.0.1")
    assert not network_guard._is_local("::ffff:192.0.2.1") and not network_guard._is_local("192.0.2.1")


def test_dot_localhost_lookup_on_this_machine(bybit) -> None:
    """Here the resolver would send ``bot.localhost`` to DNS unless nss answers it itself."""
    if network_guard._resolver_answers_localhost_names():
        assert socket.getaddrinfo("bot.localhost", 80)
        assert bybit.unexpected == []
    else:
        with pytest.raises(BlockedConnection):
            socket.getaddrinfo("bot.localhost", 80)
        _refused(bybit, "bot.localhost:80 (name resolution)")
    assert socket.getaddrinfo("localhost", 80)  # in /etc/hosts: never reaches DNS


def test_the_hook_is_a_no_op_without_an_active_guard() -> None:
    assert network_guard._active == []
    network_guard._audit("socket.getaddrinfo", (FAR_NAME, 443, 0, 0, 0))  # nothing raised
    network_guard._audit("subprocess.Popen", ("curl", ["curl", "x"], None, None))
    seen: list[str] = []
    guard = NetworkGuard(seen.append).install()
    try:
        with pytest.raises(BlockedConnection):
            network_guard._audit("socket.getaddrinfo", (FAR_NAME, 443, 0, 0, 0))
    finally:
        guard.uninstall()
    network_guard._audit("socket.getaddrinfo", (FAR_NAME, 443, 0, 0, 0))
    assert len(seen) == 1 and network_guard._active == []
