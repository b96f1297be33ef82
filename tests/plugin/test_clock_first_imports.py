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


# A pure-Python module that subclasses the datetime classes with a metaclass of its own, as
# pydantic v1 does (``class ConstrainedDate(date, metaclass=ConstrainedNumberMeta)``, imported
# by FastAPI): under freezegun that class statement fails with "metaclass conflict".
DAY_MODULE = """
from datetime import date, datetime


class Meta(type):
    pass


class Day(date, metaclass=Meta):
    pass


def now():
    return datetime.now()
"""

FIRST_PYTHON_IMPORT = """
import datetime, os, sys, tempfile, time


def kernel_now():
    # the real time, as the kernel stamps a new file: neither clock backend patches it
    with tempfile.NamedTemporaryFile() as f:
        return os.fstat(f.fileno()).st_mtime


def test_bot_module_first_imported_inside_the_test(bybit):
    assert "dayshapes" not in sys.modules
    import dayshapes

    assert isinstance(dayshapes.Day(2026, 1, 2), datetime.date)
    time.sleep(3600)  # virtual: the module's own reads of the clock move with it
    assert dayshapes.now().timestamp() - kernel_now() > 3000
    assert bybit.clock.slept == 3600


def test_after_the_test_the_module_reads_the_real_clock():
    import dayshapes

    assert abs(dayshapes.now().timestamp() - time.time()) < 60
    assert dayshapes.datetime is datetime.datetime
"""

FIRST_PYDANTIC_IMPORT = """
import sys


def test_fastapi_bot_imported_inside_the_test(bybit):
    assert "pydantic.v1" not in sys.modules
    import pydantic.v1

    class Signal(pydantic.v1.BaseModel):
        symbol: str
        qty: pydantic.v1.condecimal(gt=0)

    assert str(Signal(symbol="BTCUSDT", qty="0.5").qty) == "0.5"
"""


@pytest.mark.parametrize("backend", ["freezegun", "time-machine"])
def test_first_import_of_a_module_subclassing_date_inside_a_bybit_test(pytester: pytest.Pytester, backend: str) -> None:
    pytester.makeini(f"[pytest]\nbybit_clock_backend = {backend}\n")
    pytester.makepyfile(dayshapes=DAY_MODULE, test_day_bot=FIRST_PYTHON_IMPORT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", timeout=120)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=2)


def test_first_import_of_pydantic_v1_inside_a_bybit_test(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pydantic.v1")
    pytester.makeini("[pytest]\nbybit_clock_backend = freezegun\n")
    pytester.makepyfile(test_pydantic_bot=FIRST_PYDANTIC_IMPORT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", timeout=120)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)
