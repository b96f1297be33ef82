"""Large files: CPU seconds and peak memory, linted whole vs in pieces. Prints figures; never fails.

Run: python bench/bench_bigfiles.py [LINES] [SHAPE ...]
Each shape is generated into a temporary folder (ccxt's own bybit.py is linted where it is
installed) and linted in a fresh process, once whole (the chunk threshold out of reach) and
once in pieces, without cache or budget: the figures are that process's CPU time and peak
resident memory (ru_maxrss), the findings count shows both agree or not.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from lint_rules import chunks, runner
from lint_rules.catalog import describe
from lint_rules.rules import all_rules

path, whole = Path(sys.argv[1]), sys.argv[2] == "whole"
if whole:
    chunks.CHUNK_LINES = 10**9
rules = all_rules()
codes = tuple(r.code for r in rules if r.default_enabled)
content = path.read_bytes()
started = time.process_time()
outcome = runner.run([runner.Job(path, path.name, content, codes)], {}, runner.Mode(time_budget=0, memory_budget=0), catalog=describe(rules))[0]
cpu = time.process_time() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cpu": cpu, "peak_mib": peak, "findings": len(outcome.findings), "crash": outcome.crash}))
"""


def functions_module(lines: int) -> str:
    """The defect's shape: thousands of small order helpers, each calling place_order."""
    out = ["from pybit.unified_trading import HTTP\n", "import requests\n"]
    i = 0
    while len(out) < lines:
        out += [
            "\n",
            f"def place_{i}(session, symbol, qty):\n",
            f'    """Generated order helper {i}."""\n',
            '    params = {"category": "linear", "symbol": symbol, "side": "Buy", "orderType": "Limit"}\n',
            "    params[\"qty\"] = str(qty)\n",
            f'    params["price"] = "{i}.5"\n',
            "    response = session.place_order(**params)\n",
            '    if response["retCode"] != 0:\n',
            '        raise RuntimeError(response["retMsg"])\n',
            '    return response["result"]["orderId"]\n',
        ]
        i += 1
    return "".join(out)


#: One small function a rule fires on, so that the whole file is parsed by LibCST.
FETCH = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n\n\n"


def data_tables(lines: int) -> str:
    """Generated data: many small module-level tables without trigger words, one function."""
    out = ['"""Generated lookup tables."""\n', FETCH]
    i = 0
    while len(out) < lines:
        out.append(f"TABLE_{i} = (\n")
        out += [f"    ({i}, {j}, {i * j}),\n" for j in range(8)]
        out.append(")\n")
        i += 1
    return "".join(out)


def giant_literal(lines: int) -> str:
    """One statement: a dict literal over the whole file (cannot be split), one function."""
    return FETCH + "DATA = {\n" + "".join(f"    {i}: ({i}, {i * 2}),\n" for i in range(lines - 2)) + "}\n"


def giant_class(lines: int) -> str:
    """One class over the whole file, ccxt-style: many methods that sign and send requests."""
    out = ["import time\n", "import hmac\n", "import requests\n", "\n", "\nclass Exchange:\n", '    host = "https://api.bybit.com"\n']
    i = 0
    while len(out) < lines:
        out += [
            "\n",
            f"    def endpoint_{i}(self, params):\n",
            "        ts = str(int(time.time() * 1000))\n",
            "        sign = hmac.new(self.secret, ts.encode(), 'sha256').hexdigest()\n",
            f"        r = requests.get(self.host + '/v5/x/{i}', params=params, headers={{'X-BAPI-TIMESTAMP': ts, 'X-BAPI-SIGN': sign}})\n",
            "        return r.json()\n",
        ]
        i += 1
    return "".join(out)


SHAPES = {
    "functions": functions_module,
    "data-tables": data_tables,
    "giant-literal": giant_literal,
    "giant-class": giant_class,
}


def measure(path: Path, how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), how], capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, path: Path) -> None:
    lines = path.read_bytes().count(b"\n")
    for how in ("whole", "pieces"):
        r = measure(path, how)
        if "error" in r:
            print(f"{label:<14} {lines:>7} {how:<7} error: {r['error']}")
            continue
        crash = f"  ({r['crash']})" if r["crash"] else ""
        print(f"{label:<14} {lines:>7} {how:<7} {r['cpu']:>8.2f} {r['peak_mib']:>9.0f} {r['findings']:>9}{crash}")


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    wanted = sys.argv[2:] or [*SHAPES, "ccxt-bybit"]
    print(f"{'shape':<14} {'lines':>7} {'how':<7} {'cpu s':>8} {'peak MiB':>9} {'findings':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in wanted:
            if name == "ccxt-bybit":
                try:
                    import ccxt
                except ImportError:
                    print("ccxt-bybit: ccxt is not installed")
                    continue
                show(name, Path(ccxt.__file__).parent / "bybit.py")
                continue
            path = Path(tmp) / f"{name.replace('-', '_')}.py"
            path.write_text(SHAPES[name](lines), encoding="utf-8")
            show(name, path)


if __name__ == "__main__":
    main()
