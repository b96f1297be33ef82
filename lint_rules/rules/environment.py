"""Environment and secrets rules (BYB3xx): which Bybit a bot talks to, with which key, over
which TLS."""

from __future__ import annotations

import os
import re

import libcst as cst

from pytest_bybit import facts

from ..analysis import (
    STRING_NODES,
    bool_value,
    dotted_name,
    ident,
    is_log_call,
    keyword,
    last_attr,
    string_prefix_text,
    string_value,
    subscript_key,
)
from ..rule import Invalid, Rule, Valid
from ..syntax import child_nodes, walk
from ._envtimews import ModuleIndex, hosts_in, module_index, names_in, norm

# --------------------------------------------------------------------------------------
# BYB301
# --------------------------------------------------------------------------------------

_ENV_KEYWORDS = ("testnet", "demo", "sandbox")
_ENV_WORDS = ("testnet", "mainnet", "demo", "live", "prod", "test", "main", "real", "paper", "sandbox")
#: calls whose string arguments are defaults or inspection, not a URL in use
_CONFIG_READERS = frozenset({"getenv", "get", "setdefault", "getattr", "add_argument", "option", "Field", "field", "Option", "env", "str_env"})
_INSPECTORS = frozenset(
    {"startswith", "endswith", "split", "rsplit", "find", "rfind", "index", "count", "partition", "rpartition", "match", "search", "fullmatch", "compile", "sub"}
)
_PASS_THROUGH_METHODS = frozenset({"format", "replace", "rstrip", "lstrip", "strip", "removesuffix", "removeprefix", "encode", "lower", "format_map"})


def _is_test_file(filename: str) -> bool:
    base = os.path.basename(filename)
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"


def _url_like_hosts(text: str | None) -> list[str]:
    """Hosts in a string that can be a URL or a host: prose and code samples hold spaces."""
    if not text or any(ch.isspace() for ch in text):
        return []
    return hosts_in(text)


def _envs(idx: ModuleIndex, node: cst.CSTNode, cache: dict[int, frozenset[str]]) -> frozenset[str]:
    """The key environments of every Bybit host named in a string under ``node``."""
    key = id(node)
    found = cache.get(key)
    if found is None:
        envs = set()
        for current in walk(node, prune=STRING_NODES):
            if isinstance(current, STRING_NODES):
                for host in hosts_in(string_prefix_text(current)):
                    env = facts.host_environment(host)
                    if env:
                        envs.add(env)
        found = cache[key] = frozenset(envs)
    return found


#: Text that shows code can authenticate (a key, a secret, a signature, an auth message).
_CREDENTIAL_TEXT = re.compile(
    r"api_?key|apikey|api_?secret|secret|x-bapi-sign|x-bapi-api-key|hmac|signature|\bsign\w*\(|[\"']auth[\"']",
    re.I,
)
#: A V5 endpoint or stream that only answers a signed request (the key's environment matters).
_PRIVATE_URL = re.compile(r"/v5/(?:order|position|account|execution|asset|user|private|trade)|/v5/private|/private\b", re.I)
#: A public stream or market-data endpoint: it never takes a key.
_PUBLIC_URL = re.compile(r"/v5/public/|/v5/market/|realtime_public|/v2/public/|/public/linear/|/spot/quote/", re.I)
#: Words in a test that mean configuration picks the environment.
_ENV_TEST_WORDS = ("testnet", "test", "demo", "sandbox", "mode", "env", "live", "prod", "paper", "real", "main", "net")
_KEY_KEYWORDS = frozenset({"api_key", "api_secret", "apiKey", "secret", "key", "rsa_authentication", "private_key"})


def _picks_environment(test: cst.CSTNode) -> bool:
    """A condition on a setting about the environment (``cfg.testnet``, ``mode == "test"``)."""
    for node in walk(test):
        if isinstance(node, (cst.Name, cst.Attribute)):
            name = (ident(node) or "").lower()
            if any(w in name for w in _ENV_TEST_WORDS) and name not in ("true", "false"):
                return True
    return False


def _authenticated_client(call: cst.Call) -> bool:
    """Whether a client construction carries a key (pybit ``api_key=``, a ccxt config with
    ``apiKey``), and for a pybit ``WebSocket`` whether its channel is private: pybit never
    authenticates a public channel, so its environment cannot mismatch a key."""
    attr = last_attr(call)
    channel = keyword(call, "channel_type")
    if attr == "WebSocket" and channel is not None and string_value(channel.value) not in (None, "private"):
        return False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in _KEY_KEYWORDS:
            return string_value(arg.value) != "" and dotted_name(arg.value) != "None"
        if arg.star:
            return True  # **config: cannot tell
    return False


class HardcodedEnvironment(Rule):
    """
    ## What it does
    Flags a Bybit environment fixed in code: a literal `testnet=True` / `testnet=False` /
    `demo=True` where a pybit client (`HTTP`, `WebSocket`, `WebSocketTrading`) or the bot's
    own client class is built, ccxt's `set_sandbox_mode(True)` / `enable_demo_trading(True)`
    / `{"sandbox": True}` / `{"options": {"sandboxMode": True}}`, and a string holding a Bybit
    REST or stream host (`api.bybit.com`, `api-testnet.bybit.com`, `api-demo.bybit.com`,
    `api.bytick.com`, `stream.bybit.com`, `stream-testnet.bybit.com`, the regional hosts...)
    used as a URL.

    Not flagged: `testnet: bool = True` as a parameter default; values read from config,
    the environment or the command line; anything under `if __name__ == "__main__":`;
    hosts in docstrings, comments, log messages and comparisons; defaults of `os.getenv` /
    `argparse`; and a table of hosts keyed by environment that configuration picks from
    (`HOSTS = {"testnet": ..., "mainnet": ...}` then `HOSTS[cfg.env]`, or
    `TESTNET_URL if cfg.testnet else MAINNET_URL`), which is the pattern to use. Test files
    (`test_*.py`, `*_test.py`, `conftest.py`) are skipped: pytest-bybit answers on every host.

    ## Why is this bad?
    Bybit has four key environments (mainnet, testnet, mainnet demo, testnet demo) and a key
    works in exactly one of them. A bot developed against testnet with `testnet=True` in its
    source is deployed with mainnet keys and every private call fails with
    `10003 API key is invalid.` (sometimes a bare HTTP 401), or, worse, a bot meant for
    testnet runs against mainnet with real money because someone flipped the literal.
    The environment belongs in configuration, next to the key it must match.

    ## Example
    ```python
    session = HTTP(testnet=True, api_key=key, api_secret=secret)
    BASE_URL = "https://api-testnet.bybit.com"
    ```

    ## Use instead
    ```python
    session = HTTP(testnet=cfg.testnet, api_key=cfg.api_key, api_secret=cfg.api_secret)
    HOSTS = {"testnet": "https://api-testnet.bybit.com", "mainnet": "https://api.bybit.com"}
    BASE_URL = HOSTS[os.environ["BYBIT_ENV"]]
    ```

    ## Fix safety
    No fix: which environment the bot should use is not something a linter can know.

    Prevents Bybit 10003 `API key is invalid.` after a deploy; demonstrated by the
    pytest-bybit fault `invalid_key` (a key that belongs to another environment).
    """

    code = "BYB301"
    name = "hardcoded-environment"
    message = "Bybit environment fixed in code: read testnet / demo / the host from configuration, next to the key it must match"
    prevents = "10003 (API key is invalid: a key used in the wrong environment)"
    fault = "invalid_key"
    words = ("testnet", "demo", "sandbox", "bybit", "bytick", "manepa")

    def visit_Module(self, node: cst.Module) -> None:
        if _is_test_file(self.context.filename):
            return
        idx = module_index(node)
        self._idx = idx
        self._evidence: dict[int, bool] = {}
        for call in idx.calls:
            attr = last_attr(call)
            if not attr or not (attr[:1].isupper() or attr in ("set_sandbox_mode", "enable_demo_trading", "bybit")):
                if not idx.is_ccxt_constructor(call):
                    continue  # neither a client construction nor a sandbox switch
            if self._exempt(idx, call):
                continue
            self._check_call(idx, call)
        for dct in idx.dicts:
            for element in dct.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and string_value(element.key) == "sandboxMode"
                    and bool_value(element.value) is True
                    and not self._exempt(idx, element)
                ):
                    self.report(element)
        self._check_hosts(idx)

    # -- where the environment is not fixed ----------------------------------------------
    def _exempt(self, idx: ModuleIndex, node: cst.CSTNode) -> bool:
        """Under ``if __name__ == "__main__":``, in the ``main()`` of a one-shot demo script, or
        in a branch that configuration picks (``if cfg.testnet: ex.set_sandbox_mode(True)``)."""
        if idx.in_main_guard(node):
            return True
        func = idx.function_of(node)
        if (
            func is not None
            and func.name.value.lower().startswith(("main", "demo", "example"))
            and self.context.role() == "script"
        ):
            return True
        for anc in idx.ancestors(node):
            if isinstance(anc, (cst.FunctionDef, cst.ClassDef, cst.Module)):
                return False
            if isinstance(anc, (cst.If, cst.IfExp)) and _picks_environment(anc.test):
                return True
        return False

    def _credentials_near(self, idx: ModuleIndex, node: cst.CSTNode) -> bool:
        """Whether the code around a host can authenticate: a key, a secret, a signature or
        an auth message in the enclosing class (or function, or the whole module for a
        module-level constant). A public market-data host used without one cannot meet a
        key of the wrong environment."""
        scope: cst.CSTNode = idx.class_of(node) or idx.function_of(node) or idx.module
        key = id(scope)
        found = self._evidence.get(key)
        if found is None:
            if scope is idx.module:
                found = bool(_CREDENTIAL_TEXT.search(self.context.source))
            else:
                # the scope's names and strings (not its source: printing a node is costly)
                words = []
                for inner in walk(scope):
                    kind = type(inner)
                    if kind is cst.Name:
                        words.append(inner.value)
                    elif kind is cst.SimpleString:
                        words.append(inner.value)
                found = bool(_CREDENTIAL_TEXT.search(" ".join(words)))
            self._evidence[key] = found
        return found

    # -- client constructions ----------------------------------------------------------
    def _check_call(self, idx: ModuleIndex, call: cst.Call) -> None:
        attr = last_attr(call)
        if attr in ("set_sandbox_mode", "enable_demo_trading"):
            if call.args and bool_value(call.args[0].value) is True:
                self.report(call)
            return
        if idx.is_ccxt_constructor(call):
            if call.args:
                self._check_ccxt_config(idx, call.args[0].value)
            return
        if idx.is_pybit_constructor(call) or (attr is not None and attr[:1].isupper() and attr not in ("ArgumentParser",)) or (
            idx.qualified(call) == "bybit.bybit"
        ):
            if not _authenticated_client(call):
                return  # HTTP(testnet=False) with no key, or a public WebSocket channel
            # the old official ``bybit`` package (bravado) calls it ``test=``
            for kw in _ENV_KEYWORDS + (("test",) if idx.qualified(call) == "bybit.bybit" else ()):
                arg = keyword(call, kw)
                if arg is None:
                    continue
                value = bool_value(arg.value)
                if value is None:
                    continue
                if kw == "testnet" or value is True:
                    self.report(arg)

    def _check_ccxt_config(self, idx: ModuleIndex, value: cst.CSTNode) -> None:
        dicts: list[cst.Dict] = []
        if isinstance(value, cst.Dict):
            dicts.append(value)
        elif isinstance(value, cst.Name):
            dicts.extend(b.value for b in idx.resolve(value) if isinstance(b.value, cst.Dict))
        for dct in dicts:
            for element in dct.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                key = string_value(element.key)
                if key in ("sandbox", "testnet") and bool_value(element.value) is True:
                    if not idx.in_main_guard(element):
                        self.report(element)
                elif key == "options" and isinstance(element.value, cst.Dict):
                    for inner in element.value.elements:
                        if (
                            isinstance(inner, cst.DictElement)
                            and string_value(inner.key) in ("sandbox", "testnet")
                            and bool_value(inner.value) is True
                            and not idx.in_main_guard(inner)
                        ):
                            self.report(inner)

    # -- hosts ---------------------------------------------------------------------------
    def _check_hosts(self, idx: ModuleIndex) -> None:
        cache: dict[int, frozenset[str]] = {}
        candidates = [s for s in idx.strings if _url_like_hosts(string_prefix_text(s))]
        if not candidates:
            return
        table_names = self._environment_tables(idx, candidates, cache)
        for string in candidates:
            if self._exempt(idx, string):
                continue
            text = string_prefix_text(string) or ""
            if _PUBLIC_URL.search(text):
                continue  # a public stream or market-data endpoint never takes a key
            if not self._credentials_near(idx, string) and not (
                _PRIVATE_URL.search(text) and (self._credentials_near(idx, idx.module) or "headers" in self.context.source)
            ):
                continue
            if self._constructor_without_key(idx, string):
                continue
            if self._used_as_url(idx, string, cache, table_names) and not self._in_choice(idx, string, cache):
                self.report(string)

    @staticmethod
    def _constructor_without_key(idx: ModuleIndex, string: cst.CSTNode) -> bool:
        """``inverse_perpetual.HTTP(endpoint="https://api.bybit.com")`` with no key."""
        parent = idx.parent(string)
        if isinstance(parent, cst.Arg):
            call = idx.parent(parent)
            if isinstance(call, cst.Call) and (idx.qualified(call) or "").startswith("pybit") and not _authenticated_client(call):
                return True
        return False

    @staticmethod
    def _in_choice(idx: ModuleIndex, string: cst.CSTNode, cache: dict[int, frozenset[str]]) -> bool:
        """Inside an ``if``/``match``/conditional/dict that holds hosts of two environments."""
        for anc in idx.ancestors(string):
            if isinstance(anc, (cst.FunctionDef, cst.ClassDef, cst.Module)):
                return False
            if isinstance(anc, (cst.If, cst.Match, cst.IfExp, cst.Dict)) and len(_envs(idx, anc, cache)) >= 2:
                return True
        return False

    def _environment_tables(
        self, idx: ModuleIndex, candidates: list[cst.CSTNode], cache: dict[int, frozenset[str]]
    ) -> set[str]:
        """Names of module / class constants that are one entry of an environment table:
        constants holding hosts of different environments that one expression picks from,
        or constants named after their environment (``TESTNET_URL`` / ``MAINNET_URL``)."""
        constant_env: dict[str, frozenset[str]] = {}
        attribute_env: dict[str, set[str]] = {}
        for string in candidates:
            stmt = idx.parent(string)
            if isinstance(stmt, (cst.Assign, cst.AnnAssign)) and idx.function_of(stmt) is None:
                targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
                for target in targets:
                    name = ident(target)
                    if name:
                        constant_env[name] = _envs(idx, string, cache)
            elif isinstance(stmt, cst.Assign):
                for t in stmt.targets:
                    if isinstance(t.target, cst.Attribute):
                        attribute_env.setdefault(t.target.attr.value, set()).update(_envs(idx, string, cache))
        out: set[str] = set()
        # ``self.url = <mainnet>`` in one method and ``<testnet>`` in another: a choice
        out |= {name for name, envs in attribute_env.items() if len(envs) >= 2}
        if not constant_env:
            return out
        all_envs = frozenset().union(*constant_env.values())
        if len(all_envs) >= 2:
            named = {n for n in constant_env if any(w in n.lower() for w in _ENV_WORDS)}
            if len({e for n in named for e in constant_env[n]}) >= 2:
                out |= named
        # constants picked between by one conditional / mapping
        for node in self._selectors(idx):
            refs = {ident(n) for n in names_in(node)} & constant_env.keys()
            envs = set(_envs(idx, node, cache))
            for ref in refs:
                envs |= constant_env[ref]
            if len(envs) >= 2 and refs:
                out |= refs
        return out

    @staticmethod
    def _selectors(idx: ModuleIndex):
        seen = set()
        for stmt in idx.assign_statements:
            for node in (stmt.value,) if getattr(stmt, "value", None) is not None else ():
                for inner in _walk_expr(node):
                    if isinstance(inner, (cst.IfExp, cst.Dict)) and id(inner) not in seen:
                        seen.add(id(inner))
                        yield inner
        for call in idx.calls:
            for arg in call.args:
                for inner in _walk_expr(arg.value):
                    if isinstance(inner, (cst.IfExp, cst.Dict)) and id(inner) not in seen:
                        seen.add(id(inner))
                        yield inner

    def _used_as_url(
        self, idx: ModuleIndex, string: cst.CSTNode, cache: dict[int, frozenset[str]], tables: set[str]
    ) -> bool:
        node = string
        while True:
            parent = idx.parent(node)
            if parent is None:
                return True
            if isinstance(parent, (cst.If, cst.IfExp, cst.Dict, cst.Match, cst.Tuple, cst.List)) and len(
                _envs(idx, parent, cache)
            ) >= 2:
                return False  # an environment table / a choice by a flag
            if isinstance(parent, (cst.BinaryOperation, cst.FormattedStringExpression, cst.Element, cst.List, cst.Tuple, cst.Set, cst.Await, cst.IfExp)):
                node = parent
                continue
            if isinstance(parent, cst.DictElement):
                if parent.key is node:
                    return False
                node = idx.parent(parent)  # the Dict
                if len(_envs(idx, node, cache)) >= 2:
                    return False
                continue
            if isinstance(parent, cst.Dict):
                node = parent
                continue
            if isinstance(parent, cst.Attribute):
                call = idx.parent(parent)
                method = parent.attr.value
                if isinstance(call, cst.Call) and call.func is parent and parent.value is node:
                    if method in _INSPECTORS:
                        return False
                    if method in _PASS_THROUGH_METHODS:
                        node = call
                        continue
                return True
            if isinstance(parent, cst.Arg):
                call = idx.parent(parent)
                if not isinstance(call, cst.Call):
                    return True
                if is_log_call(call) or self._in_raise(idx, call):
                    return False
                attr = last_attr(call)
                if attr == "get" and _http_client_call(attr, idx.qualified(call) or "", (dotted_name(call.func) or "").lower()) and (
                    (idx.qualified(call) or "").startswith(("requests", "httpx")) or call.args[0] is parent
                ) and not (dotted_name(call.func) or "").lower().endswith(("environ.get", "config.get", "cfg.get", "settings.get")):
                    return True  # requests.get(url) / session.get(url): the URL in use
                if attr in _CONFIG_READERS or attr in _INSPECTORS:
                    return False
                if attr and attr.endswith(("Error", "Exception", "Warning")):
                    return False  # an exception message
                if attr in ("str", "urljoin", "join") or attr in _PASS_THROUGH_METHODS:
                    node = call
                    continue
                return True
            if isinstance(parent, (cst.Param, cst.Comparison, cst.ComparisonTarget, cst.Expr, cst.Assert, cst.Subscript, cst.SubscriptElement, cst.Index, cst.MatchValue)):
                return False
            if isinstance(parent, cst.AnnAssign):
                if idx.function_of(parent) is None and idx.class_of(parent) is not None:
                    return False  # a config class field default (dataclass / pydantic settings)
                return ident(parent.target) not in tables
            if isinstance(parent, cst.Assign):
                return not all(ident(t.target) in tables for t in parent.targets)
            return True


    @staticmethod
    def _in_raise(idx: ModuleIndex, call: cst.Call) -> bool:
        return isinstance(idx.parent(call), cst.Raise)

    VALID = [
        Valid(
            '''
            EXAMPLE = """
            session = requests.Session()
            session.get("https://api-testnet.bybit.com/v5/market/time")
            """
            HELP = "set BYBIT_URL, e.g. https://api.bybit.com or https://api-testnet.bybit.com"
            ''',
            note="a code sample or help text that mentions hosts is not a URL",
        ),
        Valid(
            """
            import os
            from pybit.unified_trading import HTTP

            session = HTTP(
                testnet=os.getenv("BYBIT_TESTNET", "1") == "1",
                api_key=os.environ["BYBIT_API_KEY"],
                api_secret=os.environ["BYBIT_API_SECRET"],
            )
            """,
            note="environment read from the environment",
        ),
        Valid(
            """
            import requests

            BASE_URL = "https://api-testnet.bybit.com"

            def tickers(symbol: str) -> dict:
                return requests.get(f"{BASE_URL}/v5/market/tickers", params={"symbol": symbol}).json()
            """,
            note="public market data with no key: no key can meet the wrong environment",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP, WebSocket

            public = HTTP(testnet=False)
            stream = WebSocket(testnet=False, channel_type="linear", api_key=KEY, api_secret=SECRET)
            """,
            note="key-less session; pybit never authenticates a public channel",
        ),
        Valid(
            """
            import ccxt

            class Trader:
                def __init__(self, api_key, secret, testnet=False):
                    self.exchange = ccxt.bybit({"apiKey": api_key, "secret": secret})
                    if testnet == True:
                        self.exchange.set_sandbox_mode(True)
            """,
            note="configuration picks the environment",
        ),
        Valid(
            """
            import requests

            class Client:
                def __init__(self, key, secret, mode):
                    self.key, self.secret = key, secret
                    self.client_test() if mode == "test" else self.client_live()

                def client_test(self):
                    self.url = "https://api-testnet.bybit.com"

                def client_live(self):
                    self.url = "https://api.bybit.com"
            """,
            note="a host per environment, picked by the client's mode",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            def main():
                session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)
                print(session.get_wallet_balance(accountType="UNIFIED"))

            if __name__ == "__main__":
                main()
            """,
            note="the main() of a one-shot demo script",
        ),
        Valid(
            """
            import requests

            def binance_price(symbol, api_key):
                url = "https://api.binance.com/api/v3/ticker/price"
                return requests.get(url, params={"symbol": symbol}, headers={"X-MBX-APIKEY": api_key}).json()
            """,
            note="another exchange's host",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            class Exchange:
                def __init__(self, api_key: str, api_secret: str, testnet: bool = True):
                    self.session = HTTP(testnet=testnet, api_key=api_key, api_secret=api_secret)
            """,
            note="a parameter default is a choice left to the caller",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            def main() -> None:
                ...

            if __name__ == "__main__":
                session = HTTP(testnet=True)
                print(session.get_server_time())
            """,
            note="a demo under the main guard",
        ),
        Valid(
            """
            import os
            import requests

            HOSTS = {
                "testnet": "https://api-testnet.bybit.com",
                "mainnet": "https://api.bybit.com",
            }
            BASE_URL = HOSTS[os.environ.get("BYBIT_ENV", "testnet")]

            def server_time() -> dict:
                return requests.get(BASE_URL + "/v5/market/time", timeout=5).json()
            """,
            note="a table keyed by environment, picked by configuration",
        ),
        Valid(
            """
            import logging
            import requests

            log = logging.getLogger(__name__)

            class RestClient:
                \"\"\"Talks to https://api.bybit.com (or whatever base_url says).\"\"\"

                def __init__(self, base_url: str = "https://api.bybit.com"):
                    self.base_url = base_url
                    log.info("using https://api-testnet.bybit.com? %s", "testnet" in base_url)
            """,
            note="docstrings, log messages and parameter defaults",
        ),
        Valid(
            """
            import ccxt

            def make_exchange(cfg) -> ccxt.bybit:
                exchange = ccxt.bybit({"apiKey": cfg.key, "secret": cfg.secret})
                exchange.set_sandbox_mode(cfg.testnet)
                return exchange
            """,
        ),
        Valid(
            """
            MAINNET_WS = "wss://stream.bybit.com/v5/public/linear"
            TESTNET_WS = "wss://stream-testnet.bybit.com/v5/public/linear"

            def ws_url(cfg) -> str:
                return TESTNET_WS if cfg.testnet else MAINNET_WS
            """,
            note="two constants that configuration chooses between",
        ),
        Valid(
            """
            import argparse
            from pybit.unified_trading import WebSocket

            parser = argparse.ArgumentParser()
            parser.add_argument("--testnet", action="store_true")
            parser.add_argument("--rest", default="https://api.bybit.com")
            args = parser.parse_args()
            ws = WebSocket(channel_type="linear", testnet=args.testnet)
            """,
        ),
        Valid(
            """
            def is_testnet(url: str) -> bool:
                return url.startswith("https://api-testnet.bybit.com") or url == "https://api-demo.bybit.com"
            """,
            note="inspecting a URL is not choosing one",
        ),
        Valid(
            """
            import os

            if os.getenv("BYBIT_ENV") == "testnet":
                REST = "https://api-testnet.bybit.com"
                WS_PRIVATE = "wss://stream-testnet.bybit.com/v5/private"
            else:
                REST = "https://api.bybit.com"
                WS_PRIVATE = "wss://stream.bybit.com/v5/private"
            """,
            note="an if / else on configuration",
        ),
        Valid(
            """
            from pybit.unified_trading import HTTP

            def session_for(cfg):
                base = "https://api-testnet.bybit.com" if cfg.testnet else "https://api.bybit.com"
                return base
            """,
        ),
    ]

    INVALID = [
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(
                testnet=True,
                api_key=API_KEY,
                api_secret=API_SECRET,
            )
            """,
            line=5,
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP as Bybit

            class Trader:
                def __init__(self, key, secret):
                    self.http = Bybit(testnet=False, api_key=key, api_secret=secret)
            """,
            line=6,
        ),
        Invalid(
            """
            from pybit.unified_trading import WebSocket

            ws = WebSocket(channel_type="private", demo=True, api_key=k, api_secret=s)
            """,
            line=4,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit({"apiKey": KEY, "secret": SECRET})
            exchange.set_sandbox_mode(True)
            """,
            line=5,
        ),
        Invalid(
            """
            import ccxt.async_support as ccxt

            async def make():
                return ccxt.bybit({
                    "apiKey": KEY,
                    "secret": SECRET,
                    "options": {"defaultType": "swap", "sandboxMode": True},
                })
            """,
            line=8,
        ),
        Invalid(
            """
            import hashlib, hmac, requests

            BASE_URL = "https://api-testnet.bybit.com"

            def wallet(key: str, secret: str, ts: str) -> dict:
                sign = hmac.new(secret.encode(), (ts + key + "5000").encode(), hashlib.sha256).hexdigest()
                headers = {"X-BAPI-API-KEY": key, "X-BAPI-SIGN": sign, "X-BAPI-TIMESTAMP": ts}
                return requests.get(f"{BASE_URL}/v5/account/wallet-balance", headers=headers).json()
            """,
            line=4,
            note="a host the signed requests of the module go to",
        ),
        Invalid(
            """
            import ccxt

            class Trader:
                def __init__(self, cfg):
                    self.ex = ccxt.bybit({"apiKey": cfg.key, "secret": cfg.secret})
                    if cfg.verbose:
                        self.ex.set_sandbox_mode(True)
            """,
            line=8,
            note="a branch on a setting that is not about the environment",
        ),
        Invalid(
            """
            import aiohttp

            async def place(session: aiohttp.ClientSession, body: str, headers: dict) -> dict:
                async with session.post(
                    "https://api.bybit.com/v5/order/create", data=body, headers=headers
                ) as resp:
                    return await resp.json()
            """,
            line=6,
        ),
        Invalid(
            """
            import websockets

            async def stream(auth_args):
                async with websockets.connect("wss://stream-testnet.bybit.com/v5/private") as ws:
                    await ws.send(json.dumps({"op": "auth", "args": auth_args}))
            """,
            line=5,
        ),
        Invalid(
            """
            class BybitRest:
                def __init__(self, key, secret):
                    self.key, self.secret = key, secret
                    self.base = "https://api-demo.bybit.com"
            """,
            line=5,
        ),
        Invalid(
            """
            from myapp.exchange import BybitClient

            client = BybitClient(api_key=KEY, api_secret=SECRET, testnet=True)
            """,
            line=4,
            note="the bot's own client class",
        ),
    ]


def _walk_expr(node: cst.CSTNode):
    """The nodes of an expression, not entering lambdas (nor the lambda it may be)."""
    if type(node) is cst.Lambda or type(node) is cst.FunctionDef:
        return iter((node,))
    return walk(node, prune=(cst.Lambda, cst.FunctionDef))


# --------------------------------------------------------------------------------------
# BYB302
# --------------------------------------------------------------------------------------

_BOT_TOKEN = re.compile(r"\d{8,10}:[A-Za-z0-9_-]{35}")
_PLACEHOLDER_WORDS = (
    "your", "xxxx", "placeholder", "changeme", "example", "dummy", "fake", "test", "sample",
    "apikey", "apisecret", "secret", "insert", "replace", "todo", "fixme", "redacted", "mock",
    "abcdef", "123456", "here", "key",
)
_NOT_A_SECRET_SUFFIXES = ("path", "file", "filename", "dir", "name", "env", "var", "url", "arn", "header", "field", "type")
_CREDENTIAL_KEYS = frozenset({"apikey", "secret", "apisecret", "xbapiapikey", "key", "secretkey", "privatekey"})


def is_credential_name(name: str | None) -> bool:
    if not name:
        return False
    n = norm(name)
    if not n or n.endswith(_NOT_A_SECRET_SUFFIXES):
        return False
    if "secret" in n or "apikey" in n:
        return True
    if n in ("key", "apisec", "sec", "bybitsec", "token", "bottoken"):
        return True
    if n.endswith("token") and any(q in n for q in ("bot", "telegram", "tg", "discord", "api")):
        return True
    return n.endswith("key") and any(q in n for q in ("api", "bybit", "access", "private"))


def looks_like_credential(text: str | None) -> bool:
    """A real-looking key: >= 16 alphanumerics (Bybit keys have 18, secrets 36) or a PEM
    private key; placeholders (``YOUR_API_KEY``, ``xxx``, ``changeme``, ``<key>``...) are not."""
    if not text:
        return False
    if "PRIVATE KEY-----" in text:
        return "..." not in text and len(text) > 100
    if _BOT_TOKEN.fullmatch(text):
        return True  # a Telegram bot token: whoever reads it runs the bot that trades
    if not re.fullmatch(r"[A-Za-z0-9]{16,}", text):
        return False
    if len(text) not in (18, 36) and re.fullmatch(r"(0x)?([0-9a-f]+|[0-9A-F]+)", text):
        # a hex digest or test vector (HMAC / hash self-tests, wallet keys): Bybit keys are
        # 18 and secrets 36 mixed-case alphanumerics
        return False
    lower = text.lower()
    if any(word in lower for word in _PLACEHOLDER_WORDS):
        return False
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and len(set(text)) >= 8


def _literal_text(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return string_value(node)


class HardcodedCredentials(Rule):
    """
    ## What it does
    Flags an API key or secret written into the source: a string literal assigned to a name
    like `api_key` / `API_SECRET` / `apiKey` / `secret`, passed as `api_key=` /
    `api_secret=` (pybit and wrappers), given as `"apiKey"` / `"secret"` in a ccxt config,
    sent as the `X-BAPI-API-KEY` header, used as a parameter default or as the fallback of
    `os.getenv`, or a PEM private key (RSA keys).

    Only real-looking values are flagged: at least 16 letters and digits with no spaces
    (Bybit API keys have 18 characters, secrets 36) or a PEM block. Placeholders such as
    `""`, `"YOUR_API_KEY"`, `"xxx"`, `"<key>"`, `"changeme"`, `"..."` or `"test"` are not,
    which keeps the fake keys of a test-suite quiet.

    ## Why is this bad?
    A key in the source ends up in git history, in a paste, in a screenshot, in a Docker
    layer. Bybit keys with trade (or withdrawal) permission let whoever reads them trade the
    account; no retCode warns you. Keys also belong to one environment (see BYB301), so a
    key in code is one more thing that changes between testnet and mainnet.

    ## Example
    ```python
    session = HTTP(api_key="q8Jd2LxV0mNc7RtP1z", api_secret="Hs4kP9wQeT7yUi2oAz5xCv8bNm3LsDf6Gh1J")
    ```

    ## Use instead
    ```python
    session = HTTP(api_key=os.environ["BYBIT_API_KEY"], api_secret=os.environ["BYBIT_API_SECRET"])
    ```
    and revoke the leaked key in Bybit's API management page: removing it from the code does
    not remove it from history.

    Prevents leaked API keys (a drained account, not a Bybit error code). No pytest-bybit
    fault demonstrates it: the `bybit` fixture hands tests their own throw-away
    `bybit.api_key` / `bybit.api_secret`.
    """

    code = "BYB302"
    name = "hardcoded-credentials"
    message = "API key or secret written in the source: read it from the environment or a secrets store, and revoke this one"
    prevents = "leaked API keys (no retCode: whoever reads the key trades the account)"
    fault = ""
    words = ("key", "Key", "KEY", "secret", "Secret", "SECRET", "token", "Token", "TOKEN", "apisec")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        reported: set[int] = set()

        def check(value: cst.CSTNode | None) -> None:
            if isinstance(value, cst.BooleanOperation):
                # ``os.getenv("TOKEN") or "<the token>"``: the fallback is in the source
                check(value.right)
                return
            if value is None or id(value) in reported:
                return
            if looks_like_credential(_literal_text(value)):
                reported.add(id(value))
                self.report(value)

        for stmt in idx.assign_statements:
            if isinstance(stmt, (cst.Assign, cst.AnnAssign)) and stmt.value is not None:
                targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
                for target in targets:
                    name = subscript_key(target) if isinstance(target, cst.Subscript) else ident(target)
                    if is_credential_name(name):
                        check(stmt.value)
        for call in idx.calls:
            for arg in call.args:
                if arg.keyword is not None and is_credential_name(arg.keyword.value):
                    check(arg.value)
            attr = last_attr(call)
            if attr in ("getenv", "get", "setdefault") and len(call.args) >= 2:
                owner = dotted_name(call.func)
                if owner and ("environ" in owner or owner.endswith("getenv")):
                    env_name = string_value(call.args[0].value)
                    if env_name and ("KEY" in env_name.upper() or "SECRET" in env_name.upper()):
                        check(call.args[1].value)
        for dct in idx.dicts:
            for element in dct.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    if key is not None and (norm(key) in _CREDENTIAL_KEYS or is_credential_name(key)):
                        check(element.value)
        for param in idx.params:
            if param.default is not None and is_credential_name(param.name.value):
                check(param.default)
        low = self.context.source.lower()
        if "bybit" in low or "x-bapi" in low:
            # a PEM key is a Bybit credential in a Bybit module (RSA API keys); elsewhere it
            # is a crypto library's test key
            for string in idx.strings:
                if isinstance(string, cst.SimpleString) and "PRIVATE KEY-----" in string.value:
                    check(string)
        del check  # a recursive closure is a reference cycle: it would keep the tree alive until the collector runs

    VALID = [
        Valid(
            """
            import os
            from pybit.unified_trading import HTTP

            session = HTTP(
                testnet=False,
                api_key=os.environ["BYBIT_API_KEY"],
                api_secret=os.getenv("BYBIT_API_SECRET"),
            )
            """
        ),
        Valid(
            """
            API_KEY = "YOUR_API_KEY"
            API_SECRET = "YOUR_API_SECRET"
            """,
            note="placeholders",
        ),
        Valid(
            """
            import ccxt

            exchange = ccxt.bybit({"apiKey": "", "secret": "", "enableRateLimit": True})
            """
        ),
        Valid(
            """
            def test_signs_with_the_fixture_key(bybit):
                client = Client(api_key="test-key", api_secret="test-secret")
                other = Client(api_key=bybit.api_key, api_secret=bybit.api_secret)
            """,
            note="fake keys in tests",
        ),
        Valid(
            """
            headers = {
                "X-BAPI-API-KEY": self.api_key,
                "X-BAPI-TIMESTAMP": ts,
                "X-BAPI-SIGN": sign,
            }
            """
        ),
        Valid(
            """
            API_KEY_ENV = "BYBIT_API_KEY"
            SECRET_PATH = "/run/secrets/bybit_api_secret"
            api_key = os.environ[API_KEY_ENV]
            """
        ),
        Valid(
            """
            from dataclasses import dataclass

            @dataclass
            class Settings:
                api_key: str = ""
                api_secret: str = "..."
                secret_name: str = "prod/bybit/trading"
            """
        ),
        Valid(
            """
            KEY = "<your key here>"
            SECRET = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            apikey = "Qx7pLm2RtY9wKd4NbZ"
            apisec = "h8Gk2LpQ9wXz4RtY7mNb3VcD6fJs1AeU5oIq"
            """,
            line=2,
            count=2,
            note="short names for the key and the secret",
        ),
        Invalid(
            """
            import os

            TELEGRAM_TOKEN = os.getenv("TELEGRAM_BOT_TOKEN") or "7725284250:AAG7a-apzzqkoQCa1RGO0g10Y2lZB36LXYc"
            """,
            line=4,
            note="a bot token as the fallback of an environment lookup",
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            API_KEY = "q8Jd2LxV0mNc7RtP1z"
            API_SECRET = "Hs4kP9wQeT7yUi2oAz5xCv8bNm3LsDf6Gh1J"
            session = HTTP(api_key=API_KEY, api_secret=API_SECRET)
            """,
            line=4,
            count=2,
        ),
        Invalid(
            """
            from pybit.unified_trading import HTTP

            session = HTTP(
                testnet=True,
                api_key="Wd83kfPq02LmZxNc4T",
                api_secret="Ab9Zk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef",
            )
            """,
            line=6,
            count=2,
        ),
        Invalid(
            """
            import ccxt

            exchange = ccxt.bybit({
                "apiKey": "Wd83kfPq02LmZxNc4T",
                "secret": "Ab9Zk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef",
            })
            """,
            line=5,
            count=2,
        ),
        Invalid(
            """
            def headers(ts: str, sign: str) -> dict:
                return {
                    "X-BAPI-API-KEY": "Wd83kfPq02LmZxNc4T",
                    "X-BAPI-TIMESTAMP": ts,
                    "X-BAPI-SIGN": sign,
                }
            """,
            line=4,
        ),
        Invalid(
            """
            class BybitRest:
                def __init__(self, api_key="Wd83kfPq02LmZxNc4T", api_secret=None):
                    self.api_key = api_key
            """,
            line=3,
        ),
        Invalid(
            """
            import os

            api_secret = os.getenv("BYBIT_API_SECRET", "Ab9Zk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef")
            """,
            line=4,
            note="a real key as the fallback is still in the source",
        ),
        Invalid(
            """
            import hashlib
            import hmac

            class Signer:
                def __init__(self):
                    self.secret = b"Ab9Zk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef"

                def sign(self, payload: str) -> str:
                    return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()
            """,
            line=7,
        ),
        Invalid(
            """
            config = {}
            config["apiKey"] = "Wd83kfPq02LmZxNc4T"
            """,
            line=3,
        ),
    ]


# --------------------------------------------------------------------------------------
# BYB303
# --------------------------------------------------------------------------------------

_AIOHTTP_CALLS = frozenset(
    {"get", "post", "put", "delete", "patch", "head", "options", "request", "ws_connect", "TCPConnector", "ClientSession", "_request", "fetch"}
)
_CONFIG_WORDS = ("insecure", "verify", "ssl", "tls", "cert", "unverified", "unsafe", "debug", "dev", "local", "proxy")


def _test_mentions_config(test: cst.CSTNode) -> bool:
    for node in names_in(test):
        name = ident(node)
        if name and any(word in name.lower() for word in _CONFIG_WORDS):
            return True
    return False


#: Calls that make (or configure) an HTTP / TLS connection: ``verify=False`` on anything else
#: (``df.take(..., verify=False)``, ``validate(x, verify=False)``) is someone else's flag.
_HTTP_CALL_NAMES = frozenset(
    {
        "get", "post", "put", "delete", "patch", "head", "options", "request", "send", "stream", "fetch",
        "client", "asyncclient", "session", "clientsession", "urlopen", "connect", "ws_connect",
        "create_connection", "websocketapp", "run_forever", "http", "websocket", "transport",
        "httptransport", "asynchttptransport", "poolmanager", "connectionpool", "elasticsearch", "mount",
    }
)
_HTTP_PACKAGES = ("requests", "httpx", "aiohttp", "urllib3", "urllib", "websocket", "websockets", "pybit", "ccxt", "http.client")


def _http_client_call(attr: str | None, qualified: str, callee: str) -> bool:
    if (attr or "").lower() in _HTTP_CALL_NAMES or (attr or "").lower().endswith(("request", "_get", "_post", "session", "client")):
        return True
    if qualified.startswith(_HTTP_PACKAGES):
        return True
    return any(word in callee for word in ("session", "client", "http", "requests"))


class TlsVerificationDisabled(Rule):
    """
    ## What it does
    Flags code that turns TLS certificate verification off: `verify=False` (requests,
    httpx, `session.verify = False`), aiohttp's `ssl=False` / `verify_ssl=False` /
    `TCPConnector(ssl=False)`, `ssl.CERT_NONE` (an `SSLContext.verify_mode`, or
    websocket-client's `sslopt={"cert_reqs": ssl.CERT_NONE}`), `check_hostname = False`
    when no `CERT_NONE` goes with it, and `ssl._create_unverified_context()`.

    Not flagged when a configuration flag decides (`verify=not cfg.insecure`,
    `if cfg.insecure: ctx.verify_mode = ssl.CERT_NONE`), and `urllib3.disable_warnings()`
    is not itself a finding (it only hides the warning).

    ## Why is this bad?
    Every signed Bybit request carries your API key and a signature that stays valid for the
    whole `recv_window`. Without certificate verification anyone on the path (a hotel
    Wi-Fi, a compromised proxy, a hostile cloud neighbour) can read the request, replay the
    signed order within the window, or answer it with fake fills and balances.
    `verify=False` is usually added to silence `SSLError: CERTIFICATE_VERIFY_FAILED` on a
    machine with an outdated CA store; the fix for that is `certifi` (or the system CA
    bundle), not switching verification off.

    ## Example
    ```python
    resp = requests.post(url, data=body, headers=headers, verify=False)
    ```

    ## Use instead
    ```python
    import certifi

    resp = requests.post(url, data=body, headers=headers, verify=certifi.where())
    ```

    Prevents a man-in-the-middle on signed orders (no Bybit retCode: the request never
    reaches Bybit untouched). Demonstrated by the pytest-bybit fault `ssl_error`, which
    raises `SSLError(CERTIFICATE_VERIFY_FAILED)`: a bot must fail loudly on it, not retry
    with verification off.
    """

    code = "BYB303"
    name = "tls-verification-disabled"
    message = "TLS certificate verification turned off: keep it on (fix CA problems with certifi, not verify=False)"
    prevents = "man-in-the-middle on signed orders (a signed request can be replayed within recv_window)"
    fault = "ssl_error"
    words = ("verify", "ssl", "CERT_NONE", "check_hostname", "unverified")

    def visit_Module(self, node: cst.Module) -> None:
        idx = module_index(node)
        self._idx = idx
        cert_none_scopes: set[int] = set()
        cert_none_dicts: set[int] = set()
        candidates: list[cst.CSTNode] = []

        # CERT_NONE / _create_unverified_context references (a walk of the whole module:
        # only when the text names one)
        source = self.context.source
        referenced = "CERT_NONE" in source or "_create_unverified_context" in source
        for name_node in self._references(idx) if referenced else ():
            qualified = idx.imports.resolve(dotted_name(name_node)) or dotted_name(name_node) or ""
            tail = qualified.rsplit(".", 1)[-1]
            if not qualified.startswith("ssl.") and not (isinstance(name_node, cst.Attribute) and tail == "_create_unverified_context"):
                continue
            if tail == "CERT_NONE":
                parent = idx.parent(name_node)
                if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
                    continue
                cert_none_scopes.add(id(idx.scope_of(name_node)))
                for anc in idx.ancestors(name_node):
                    if isinstance(anc, cst.Dict):
                        cert_none_dicts.add(id(anc))
                        break
                candidates.append(name_node)
            elif tail == "_create_unverified_context":
                parent = idx.parent(name_node)
                candidates.append(parent if isinstance(parent, cst.Call) and parent.func is name_node else name_node)

        for call in idx.calls:
            attr = last_attr(call)
            qualified = idx.qualified(call) or ""
            callee = (dotted_name(call.func) or "").lower()
            if "jwt" in callee or attr == "decode":
                continue
            for arg in call.args:
                if arg.keyword is None or bool_value(arg.value) is not False:
                    continue
                kw = arg.keyword.value
                if kw in ("verify", "verify_certs", "validate_certs"):
                    if _http_client_call(attr, qualified, callee):
                        candidates.append(arg)
                elif kw in ("ssl", "verify_ssl") and (attr in _AIOHTTP_CALLS or qualified.startswith("aiohttp") or (attr or "").endswith("request")):
                    candidates.append(arg)
                elif kw == "check_hostname" and id(idx.scope_of(call)) not in cert_none_scopes:
                    candidates.append(arg)

        for stmt in idx.assign_statements:
            if not isinstance(stmt, cst.Assign) or bool_value(stmt.value) is not False:
                continue
            for target in stmt.targets:
                name = ident(target.target)
                if isinstance(target.target, cst.Attribute) and name == "verify":
                    candidates.append(stmt)
                elif name == "check_hostname" and id(idx.scope_of(stmt)) not in cert_none_scopes:
                    candidates.append(stmt)

        for dct in idx.dicts:
            if id(dct) in cert_none_dicts:
                continue
            for element in dct.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and string_value(element.key) == "check_hostname"
                    and bool_value(element.value) is False
                ):
                    candidates.append(element)

        seen: set[int] = set()
        for candidate in candidates:
            if id(candidate) in seen or self._decided_by_config(idx, candidate):
                continue
            seen.add(id(candidate))
            self.report(candidate)

    @staticmethod
    def _references(idx: ModuleIndex):
        """Names / attributes that may be ssl.CERT_NONE or _create_unverified_context."""
        stack: list[cst.CSTNode] = [idx.module]
        # walk only where the words occur: cheap enough, the file contains them
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Attribute) and current.attr.value in ("CERT_NONE", "_create_unverified_context"):
                yield current
                continue
            if isinstance(current, cst.Name) and current.value in ("CERT_NONE", "_create_unverified_context"):
                parent = idx.parent(current)
                if not (isinstance(parent, cst.Attribute) and parent.attr is current) and not isinstance(
                    parent, (cst.ImportAlias, cst.AsName)
                ):
                    yield current
                continue
            if isinstance(current, (cst.Import, cst.ImportFrom)):
                continue
            stack.extend(child_nodes(current))

    @staticmethod
    def _decided_by_config(idx: ModuleIndex, node: cst.CSTNode) -> bool:
        previous = node
        for anc in idx.ancestors(node):
            if isinstance(anc, cst.IfExp) and previous is not anc.test and _test_mentions_config(anc.test):
                return True
            if isinstance(anc, cst.If) and previous is not anc.test and _test_mentions_config(anc.test):
                return True
            if isinstance(anc, (cst.FunctionDef, cst.ClassDef)):
                return False
            previous = anc
        return False

    VALID = [
        Valid(
            """
            import numpy as np

            def sample(df, n):
                return df.take(np.arange(n), verify=False)
            """,
            note="not an HTTP or TLS call",
        ),
        Valid(
            """
            import requests

            def get(url: str, cfg) -> dict:
                return requests.get(url, timeout=5, verify=not cfg.insecure).json()
            """
        ),
        Valid(
            """
            import ssl

            def make_context(cfg) -> ssl.SSLContext:
                ctx = ssl.create_default_context()
                if cfg.insecure_tls:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                return ctx
            """,
            note="a config flag turns verification off",
        ),
        Valid(
            """
            import certifi
            import requests
            import urllib3

            urllib3.disable_warnings()
            session = requests.Session()
            session.verify = certifi.where()
            """
        ),
        Valid(
            """
            import aiohttp
            import ssl
            import certifi

            SSL_CTX = ssl.create_default_context(cafile=certifi.where())

            async def fetch(url: str) -> dict:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=SSL_CTX)) as s:
                    async with s.get(url) as resp:
                        return await resp.json()
            """
        ),
        Valid(
            """
            import ssl

            def check(ctx: ssl.SSLContext) -> None:
                if ctx.verify_mode == ssl.CERT_NONE:
                    raise RuntimeError("refusing an unverified context")
            """
        ),
        Valid(
            """
            import jwt

            claims = jwt.decode(token, options={"verify_signature": False}, verify=False)
            """,
            note="not TLS",
        ),
        Valid(
            """
            import redis

            cache = redis.Redis(host="localhost", ssl=False)
            """,
            note="no TLS at all on a local cache is not unverified TLS to Bybit",
        ),
        Valid(
            """
            import ssl
            import websocket

            def run(cfg, url):
                opts = {"cert_reqs": ssl.CERT_NONE} if cfg.skip_tls_verify else {}
                websocket.WebSocketApp(url).run_forever(sslopt=opts)
            """
        ),
    ]

    INVALID = [
        Invalid(
            """
            import requests

            def post(url: str, body: str, headers: dict) -> dict:
                return requests.post(url, data=body, headers=headers, verify=False).json()
            """,
            line=5,
        ),
        Invalid(
            """
            import requests

            session = requests.Session()
            session.verify = False
            """,
            line=5,
        ),
        Invalid(
            """
            import aiohttp

            async def fetch(url: str) -> dict:
                async with aiohttp.ClientSession() as session:
                    async with session.get(url, ssl=False) as resp:
                        return await resp.json()
            """,
            line=6,
        ),
        Invalid(
            """
            import aiohttp

            connector = aiohttp.TCPConnector(verify_ssl=False)
            """,
            line=4,
        ),
        Invalid(
            """
            import ssl

            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            """,
            line=6,
            note="reported once, on the CERT_NONE line",
        ),
        Invalid(
            """
            import ssl
            import websocket

            ws = websocket.WebSocketApp("wss://stream.bybit.com/v5/public/linear")
            ws.run_forever(sslopt={"cert_reqs": ssl.CERT_NONE})
            """,
            line=6,
        ),
        Invalid(
            """
            import ssl
            import websockets

            async def connect(url):
                return await websockets.connect(url, ssl=ssl._create_unverified_context())
            """,
            line=6,
        ),
        Invalid(
            """
            import httpx

            client = httpx.AsyncClient(base_url="https://api.bybit.com", verify=False)
            """,
            line=4,
        ),
        Invalid(
            """
            from ssl import CERT_NONE, SSLContext, PROTOCOL_TLS_CLIENT

            ctx = SSLContext(PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = CERT_NONE
            """,
            line=6,
        ),
    ]
