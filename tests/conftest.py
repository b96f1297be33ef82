from __future__ import annotations

import pytest

collect_ignore_glob = ["corpus/*"]

#: Every inner pytest run (pytester, in-process or subprocess) runs its tests in file order:
#: pytest-randomly would shuffle them, and pytester drops the outer PYTEST_ADDOPTS.
INNER_ADDOPTS = "-p no:randomly"


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_ADDOPTS)
    return pytester
