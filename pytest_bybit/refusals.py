"""Refusals land in the test's failure report, not only inside the bot.

A bot often catches connection errors (and retries, logs, or gives up quietly), so the
exception that says "pytest-bybit refused this" may never reach pytest. Every refusal is
recorded on the fixture (``bybit.unexpected``); this hook copies them into a section of the
test's report, which pytest prints with the failure whatever else went wrong (unless the
test allows them with ``bybit_allow("unexpected_requests")``).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

SECTION = "pytest-bybit: refused"


class RefusalReport:
    def __init__(self, key: Any) -> None:
        self.key = key

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[Any]:
        report = yield
        fake = item.stash.get(self.key, None)
        if fake is not None and fake.unexpected and report.when == "call" and not _allowed(item):
            report.sections.append((SECTION, "\n".join(fake.unexpected)))
        return report


def _allowed(item: pytest.Item) -> bool:
    return any("unexpected_requests" in marker.args for marker in item.iter_markers("bybit_allow"))
