"""The last line of defence: nothing leaves the machine while ``bybit`` is active.

The transports send Bybit REST traffic to the fake exchange; anything else a test opens
(another host, a DNS query, a UDP datagram, ``curl`` in a subprocess) must not reach the
network, or a test could place a real order. Patching ``socket.socket`` misses
``_socket.socket`` used directly and event loops that never call Python's socket functions,
so the guard sits at the lowest layer the interpreter offers: an audit hook
(``sys.addaudithook``) on ``socket.connect``, ``socket.sendto`` / ``sendmsg``,
``socket.getaddrinfo``, ``socket.gethostbyname(_ex)`` and ``subprocess.Popen`` / ``os.system``
/ ``os.exec*`` / ``os.posix_spawn`` of network tools. An audit hook can never be removed, so
it is added once per process and does nothing unless a guard is active.

uvloop resolves and connects in libuv, below every audit event, so while a guard is active
its ``Loop`` class (a Python subclass of the Cython loop) checks addresses itself.

Loopback addresses and Unix sockets stay allowed: local test servers keep working. A name is
resolved locally only if ``/etc/hosts`` has it (or it is ``localhost``); ``*.localhost`` names
are allowed only when the system resolver answers them itself (nss ``myhostname`` or
``resolve``), since otherwise the query would reach a real DNS server.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import socket
import sys
import threading
from functools import lru_cache
from typing import Any, Callable

ADVICE = (
    "while `bybit` is active only Bybit's REST hosts are served (requests, pybit, ccxt, "
    "aiohttp, ccxt.async_support, httpx, urllib); every other connection, DNS query and "
    "network tool is refused so that no test reaches a real exchange. Point the bot at a "
    "Bybit host, serve your own fakes on loopback (127.0.0.1), or move this code out of the "
    "test that uses `bybit`"
)

#: Programs that reach the network when run from a test.
NETWORK_TOOLS = frozenset(
    "curl wget nc ncat netcat socat telnet ssh scp sftp rsync ftp tftp http https httpie aria2c "
    "nslookup dig host drill ping ping6 traceroute mtr openssl websocat wscat".split()
)

_SOCKET_EVENTS = frozenset(
    ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname")
)
_PROCESS_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"))
_EVENTS = _SOCKET_EVENTS | _PROCESS_EVENTS


class BlockedConnection(ConnectionRefusedError):
    """Raised instead of opening a connection (or resolving a name) that would leave the machine."""


@lru_cache(maxsize=1)
def _hosts_file_names() -> frozenset[str]:
    names: set[str] = set()
    try:
        with open("/etc/hosts", encoding="utf-8", errors="replace") as hosts:
            for line in hosts:
                fields = line.split("#", 1)[0].split()
                if len(fields) >= 2 and _is_local_address(fields[0]):
                    names.update(name.lower() for name in fields[1:])
    except OSError:
        pass
    return frozenset(names)


@lru_cache(maxsize=1)
def _resolver_answers_localhost_names() -> bool:
    """True when nss answers ``*.localhost`` itself (RFC 6761) instead of asking DNS."""
    try:
        with open("/etc/nsswitch.conf", encoding="utf-8", errors="replace") as conf:
            for line in conf:
                if line.strip().startswith("hosts:"):
                    sources = line.split(":", 1)[1].split()
                    return "myhostname" in sources or "resolve" in sources
    except OSError:
        pass
    return False


def _is_local_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    if mapped is not None:
        address = mapped
    return address.is_loopback or address.is_unspecified


def _is_local(host: Any) -> bool:
    """Would connecting to / resolving ``host`` stay on this machine?"""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip("[]").lower().rstrip(".")
    if host in ("", "localhost", "localhost.localdomain") or _is_local_address(host):
        return True
    if host in _hosts_file_names():
        return True
    return host.endswith(".localhost") and _resolver_answers_localhost_names()


_SHELLS = frozenset("sh bash dash zsh ksh ash busybox".split())
#: Programs that run the command given after their own options (``env curl``, ``timeout 5 curl``).
_WRAPPERS = frozenset("env sudo nohup timeout nice ionice stdbuf xargs exec command time setsid chrt taskset".split())
_SEPARATORS = re.compile(r"[;&|()\n`]|\$\(")


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    return [os.fsdecode(v) if isinstance(v, (bytes, os.PathLike)) else str(v) for v in value]


def _program_tool(argv: list[str]) -> str | None:
    """The network tool an argv runs: its program, what a wrapper runs, or what ``sh -c`` runs."""
    while argv:
        name = os.path.basename(argv[0])
        if name in NETWORK_TOOLS:
            return name
        if name in _SHELLS:
            # -c, or combined flags such as -lc / -ec: the script is the next argument
            flag = next((i for i, a in enumerate(argv[1:], 1) if a[:1] == "-" and a[1:2] != "-" and "c" in a), None)
            return _script_tool(argv[flag + 1]) if flag is not None and flag + 1 < len(argv) else None
        if name not in _WRAPPERS:
            return None
        # skip the wrapper, its options and their values, and VAR=value assignments
        rest = argv[1:]
        while rest and (rest[0].startswith("-") or "=" in rest[0] or rest[0].replace(".", "").isdigit()):
            rest = rest[1:]
        argv = rest
    return None


def _script_tool(script: str) -> str | None:
    for command in _SEPARATORS.split(script):
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        while words and "=" in words[0] and not words[0].startswith("="):
            words = words[1:]  # FOO=bar curl ...
        tool = _program_tool(words)
        if tool is not None:
            return tool
    return None


def _network_tool(executable: Any, argv: Any) -> str | None:
    """The network tool a process start runs, if any (``sh -c "curl ..."`` and ``env curl`` included)."""
    words = _words(argv)
    program = _words(executable)
    if program and words:
        words = [program[0], *words[1:]]
    elif program:
        words = program
    return _program_tool(words)


# -- the process-wide hook ------------------------------------------------------------------

_lock = threading.Lock()
_hook_added = False
#: Guards in force, innermost last; the hook consults the innermost one.
_active: list["NetworkGuard"] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _active or event not in _EVENTS:
        return
    guard = _active[-1]
    if guard._inside:
        return  # our own bookkeeping (e.g. reading /etc/hosts) is never blocked
    target = _blocked_target(event, args)
    if target is not None:
        raise guard._refuse(target)


def _blocked_target(event: str, args: tuple[Any, ...]) -> str | None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if address is None or getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return None  # a connected socket's sendmsg, Unix sockets, netlink...
        host, port = address[0], address[1]
        if _is_local(host):
            return None
        kind = {"socket.connect": "", "socket.sendto": " (UDP datagram)", "socket.sendmsg": " (sendmsg)"}[event]
        return f"{host}:{port}{kind}"
    if event == "socket.getaddrinfo":
        host, port = args[0], args[1]
        return None if _is_local(host) else f"{_text(host)}:{port} (name resolution)"
    if event == "socket.gethostbyname":
        return None if _is_local(args[0]) else f"{_text(args[0])} (name resolution)"
    # processes
    if event == "subprocess.Popen":  # (executable, args, cwd, env)
        tool = _network_tool(args[0], args[1])
    elif event == "os.system":  # (command,)
        tool = _script_tool(os.fsdecode(args[0]) if isinstance(args[0], bytes) else str(args[0]))
    elif event == "os.spawn":  # (mode, path, args, env)
        tool = _network_tool(args[1], args[2])
    else:  # os.exec, os.posix_spawn: (path, argv, env)
        tool = _network_tool(args[0], args[1])
    return None if tool is None else f"`{tool}` run in a subprocess"


def _text(host: Any) -> str:
    return bytes(host).decode("ascii", "replace") if isinstance(host, (bytes, bytearray)) else str(host)


def _add_hook_once() -> None:
    global _hook_added
    with _lock:
        if not _hook_added:
            _hosts_file_names()  # read before any guard can be active
            _resolver_answers_localhost_names()
            sys.addaudithook(_audit)
            _hook_added = True


# -- uvloop, which works below the audit events ---------------------------------------------

def _patch_uvloop(guard: "NetworkGuard") -> Callable[[], None]:
    try:
        import uvloop
    except ImportError:
        return lambda: None

    loop_class = uvloop.Loop
    names = ("getaddrinfo", "create_connection", "create_datagram_endpoint", "sock_connect", "sock_sendto")
    saved = {name: loop_class.__dict__.get(name) for name in names}
    base = {name: getattr(loop_class, name) for name in names}

    def check(host: Any, port: Any, what: str = "") -> None:
        if host is not None and not _is_local(host):
            raise guard._refuse(f"{_text(host)}:{port}{what}")

    async def getaddrinfo(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        check(host, port, " (name resolution)")
        return await base["getaddrinfo"](self, host, port, *args, **kwargs)

    async def create_connection(self: Any, protocol_factory: Any, host: Any = None, port: Any = None, *args: Any, **kwargs: Any) -> Any:
        check(host, port)
        return await base["create_connection"](self, protocol_factory, host, port, *args, **kwargs)

    async def create_datagram_endpoint(self: Any, protocol_factory: Any, local_addr: Any = None, remote_addr: Any = None, **kwargs: Any) -> Any:
        if remote_addr is not None:
            check(remote_addr[0], remote_addr[1], " (UDP)")

        def guarded_factory() -> Any:
            # the protocol gets its transport in connection_made: hand it the guarded one too
            protocol = protocol_factory()
            made = protocol.connection_made
            try:
                protocol.connection_made = lambda transport: made(_GuardedDatagram(transport, check))
            except AttributeError:  # a protocol with __slots__ keeps the raw transport
                pass
            return protocol

        transport, protocol = await base["create_datagram_endpoint"](
            self, guarded_factory, local_addr=local_addr, remote_addr=remote_addr, **kwargs
        )
        return _GuardedDatagram(transport, check), protocol

    async def sock_connect(self: Any, sock: Any, address: Any) -> Any:
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            check(address[0], address[1])
        return await base["sock_connect"](self, sock, address)

    async def sock_sendto(self: Any, sock: Any, data: Any, address: Any) -> Any:
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            check(address[0], address[1], " (UDP datagram)")
        return await base["sock_sendto"](self, sock, data, address)

    replacements = {
        "getaddrinfo": getaddrinfo,
        "create_connection": create_connection,
        "create_datagram_endpoint": create_datagram_endpoint,
        "sock_connect": sock_connect,
        "sock_sendto": sock_sendto,
    }
    for name, function in replacements.items():
        setattr(loop_class, name, function)

    def undo() -> None:
        for name in names:
            if saved[name] is None:
                delattr(loop_class, name)
            else:
                setattr(loop_class, name, saved[name])

    return undo


class _GuardedDatagram:
    """A uvloop datagram transport whose ``sendto`` to an address is checked first."""

    def __init__(self, transport: Any, check: Callable[..., None]) -> None:
        self._transport = transport
        self._check = check

    def sendto(self, data: Any, addr: Any = None) -> None:
        if addr is not None:
            self._check(addr[0], addr[1], " (UDP datagram)")
        self._transport.sendto(data, addr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class NetworkGuard:
    """Refuses traffic that would leave the machine, while installed; ``on_block`` gets each refusal."""

    def __init__(self, on_block: Callable[[str], None]) -> None:
        self.on_block = on_block
        self._installed = False
        self._inside = False
        self._undo_uvloop: Callable[[], None] = lambda: None

    def _refuse(self, target: str) -> BlockedConnection:
        what = target if target.endswith("in a subprocess") else f"connection to {target}"
        message = f"pytest-bybit: {what} blocked: {ADVICE}"
        self._inside = True
        try:
            self.on_block(message)
        finally:
            self._inside = False
        return BlockedConnection(message)

    @property
    def installed(self) -> bool:
        return self._installed

    def install(self) -> "NetworkGuard":
        if self._installed:
            return self
        _add_hook_once()
        self._undo_uvloop = _patch_uvloop(self)
        _active.append(self)
        self._installed = True
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        if self in _active:
            _active.remove(self)
        self._undo_uvloop()
        self._undo_uvloop = lambda: None
        self._installed = False
