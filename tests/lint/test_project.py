"""The project model: per-module summaries and the resolution of the project's imports."""

from __future__ import annotations

import json
import textwrap

from lint_rules.project import Project, annotation_kind, summarize
import ast


def _summary(code: str) -> dict:
    return summarize(textwrap.dedent(code))


def test_annotations_give_value_kinds() -> None:
    for text, kind in (
        ("float", "float"),
        ("Optional[float]", "float"),
        ("typing.Optional[float]", "float"),
        ("float | None", "float"),
        ("None | float", "float"),
        ("'float'", "float"),
        ("Union[float, None]", "float"),
        ("Decimal", "decimal"),
        ("int | float", None),
        ("list[float]", None),
    ):
        assert annotation_kind(ast.parse(text, mode="eval").body) == kind, text


def test_summary_is_plain_json() -> None:
    summary = _summary(
        """
        import os, time
        from .errors import raise_for_bybit
        WS_URL = "wss://stream.bybit.com/v5/public/linear"
        HEARTBEAT = 30

        class Settings:
            testnet = False

        def time_ms() -> int:
            return int(time.time() * 1000)

        def position_size(balance: float, risk: float) -> float:
            return balance * risk / 100
        """
    )
    assert json.loads(json.dumps(summary)) == summary
    assert summary["imports"]["raise_for_bybit"] == ".errors.raise_for_bybit"
    assert summary["constants"]["WS_URL"].startswith("wss://stream.bybit.com")
    assert summary["constants"]["HEARTBEAT"] == 30
    assert summary["constants"]["Settings.testnet"] is False
    assert summary["functions"]["time_ms"]["returns"] == "local_ms"
    assert summary["functions"]["position_size"]["returns"] == "float"
    assert summary["functions"]["position_size"]["params"] == {"balance": "float", "risk": "float"}
    assert summary["role"] == "library"


def test_server_offset_clock_is_not_local() -> None:
    summary = _summary(
        """
        import time
        OFFSET = 0
        def now_ms():
            return int(time.time() * 1000) + OFFSET_MS_FROM_SERVER
        def server_ms(offset):
            return int(time.time() * 1000 + offset)
        """
    )
    assert summary["functions"]["now_ms"]["returns"] == "server_ms"
    assert summary["functions"]["server_ms"]["returns"] == "server_ms"


def test_rate_limit_and_retcode_facts() -> None:
    summary = _summary(
        """
        class RateLimited(Exception): ...
        def raise_for_bybit(resp):
            if resp["retCode"] == 10006:
                raise RateLimited(resp)
            if resp["retCode"] != 0:
                raise RuntimeError(resp["retMsg"])
        def plain(resp):
            return resp
        """
    )
    facts = summary["functions"]
    assert facts["raise_for_bybit"]["rate_limit"] and facts["raise_for_bybit"]["retcode"]
    assert not facts["plain"]["rate_limit"] and not facts["plain"]["retcode"]


def test_module_roles() -> None:
    assert _summary("def f():\n    pass\n")["role"] == "library"
    assert _summary("import asyncio\nasync def main():\n    pass\nasyncio.run(main())\n")["role"] == "script"
    assert _summary("def main():\n    pass\nif __name__ == '__main__':\n    main()\n")["role"] == "script"
    assert _summary("def main():\n    while True:\n        pass\nif __name__ == '__main__':\n    main()\n")["role"] == "bot"


def test_summary_of_a_file_that_does_not_parse_is_empty() -> None:
    summary = summarize("def (:\n")
    assert summary["functions"] == {} and summary["role"] == "library"


def _project(files: dict[str, str]) -> Project:
    return Project.from_sources({k: textwrap.dedent(v) for k, v in files.items()})


def test_absolute_relative_and_src_layout_imports() -> None:
    project = _project(
        {
            "bot/src/mybot/utils/clock.py": "import time\ndef time_ms():\n    return int(time.time() * 1000)\n",
            "bot/src/mybot/utils/__init__.py": "from .clock import time_ms\n",
            "bot/src/mybot/config.py": "WS_URL = 'wss://stream.bybit.com/v5/public/spot'\nHEARTBEAT = 30\n",
            "bot/src/mybot/errors.py": "def raise_for_bybit(r):\n    if r['retCode'] == 10006:\n        raise RuntimeError\n",
            "bot/src/mybot/client.py": (
                "from mybot.utils.clock import time_ms\n"
                "from mybot.utils import time_ms as tms\n"
                "from . import config\n"
                "from .errors import raise_for_bybit\n"
                "import mybot.config as cfg\n"
                "from ..elsewhere import nothing\n"
            ),
        }
    )
    client = "bot/src/mybot/client.py"
    assert project.function(client, "time_ms")["returns"] == "local_ms"
    assert project.function(client, "tms")["returns"] == "local_ms"  # re-exported by the package
    assert project.constant(client, "config.HEARTBEAT") == 30
    assert project.constant(client, "cfg.WS_URL").startswith("wss://")
    assert project.function(client, "raise_for_bybit")["rate_limit"]
    assert project.resolve(client, "nothing") is None
    assert project.resolve(client, "requests.get") is None
    assert project.resolve("not/in/project.py", "time_ms") is None


def test_nearest_module_wins_between_two_projects() -> None:
    project = _project(
        {
            "a/config.py": "HEARTBEAT = 30\n",
            "b/config.py": "HEARTBEAT = 15\n",
            "b/ws.py": "from config import HEARTBEAT\n",
        }
    )
    assert project.constant("b/ws.py", "HEARTBEAT") == 15


def test_a_module_the_project_imports_is_no_script() -> None:
    project = _project(
        {
            "bot/api.py": "import requests\ndef price():\n    return requests.get(URL).json()\nif __name__ == '__main__':\n    print(price())\n",
            "bot/main.py": "from api import price\nwhile True:\n    price()\n",
            "bot/check.py": "def f():\n    pass\nif __name__ == '__main__':\n    f()\n",
        }
    )
    assert project.summaries["bot/api.py"]["role"] == "script"
    assert project.role("bot/api.py") == "library"
    assert project.role("bot/check.py") == "script"
    assert project.role("bot/main.py") == "bot"


def test_a_module_defining_an_api_surface_is_no_script() -> None:
    defs = "".join(f"def call_{i}():\n    return {i}\n" for i in range(10))
    assert _summary(defs + "if __name__ == '__main__':\n    print(call_1())\n")["role"] == "library"
