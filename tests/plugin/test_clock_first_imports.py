"""A bot that imports pandas (and numpy) for the first time inside a ``bybit`` test.

Under freezegun, a C extension initialised while ``datetime.datetime`` is freezegun's
subclass builds its types on the wrong layout and the interpreter dies later
(pandas-dev/pandas#64023). The import must really be the first one in its process, so these
run pytest in a subprocess: plain, and under xdist where a crash kills the worker.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pandas")

FIRST_IMPORT = """
import datetime, gc, os, sys, time

import pytest

@pytest.mark.parametrize("n", range(4))
def test_bot_imports_pandas_inside_the_test(bybit, n):
    if "pandas" not in sys.modules and "numpy" not in sys.modules:
        with open(os.path.join(os.environ["FIRST_IMPORTS"], str(os.getpid())), "w") as marker:
            marker.write("pandas and numpy first imported inside a bybit test")
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"ts": pd.date_range("2026-01-01", periods=50, freq="min"), "close": np.arange(50.0)})
    frame["sma"] = frame["close"].rolling(5).mean()
    frame = frame.set_index("ts").resample("5min").last()
    assert len(frame) == 10
    assert pd.Timestamp(datetime.datetime.now()).year >= 2026
    gc.collect()
    time.sleep(60)  # still virtual
    assert bybit.clock.slept == 60
"""


@pytest.mark.parametrize("backend", ["freezegun", "time-machine"])
@pytest.mark.parametrize("workers", [None, 2], ids=["plain", "xdist"])
def test_first_import_of_pandas_inside_a_bybit_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, backend: str, workers: int | None
) -> None:
    firsts = pytester.mkdir("first-imports")
    monkeypatch.setenv("FIRST_IMPORTS", str(firsts))
    if workers:
        pytest.importorskip("xdist")
    pytester.makeini(f"[pytest]\nbybit_clock_backend = {backend}\n")
    pytester.makepyfile(test_pandas_bot=FIRST_IMPORT)
    args = ["-p", "no:cacheprovider", "-W", "error::RuntimeWarning"]
    if workers:
        args += ["-n", str(workers)]
    result = pytester.runpytest_subprocess(*args, timeout=180)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=4)
    # every process (the one run, or each worker) really imported pandas inside a test
    assert len(list(firsts.iterdir())) == (workers or 1)
