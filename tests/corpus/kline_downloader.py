"""Download Bybit V5 klines into CSV files for backtesting.

    python kline_downloader.py BTCUSDT ETHUSDT --interval 15 --days 90
"""
import argparse
import csv
import logging
import time
from pathlib import Path

import requests

log = logging.getLogger("klines")

BASE = "https://api.bybit.com"
INTERVAL_MS = {"1": 60_000, "5": 300_000, "15": 900_000, "60": 3_600_000, "240": 14_400_000, "D": 86_400_000}
PAGE = 1000


def fetch_klines(symbol: str, interval: str, start: int, end: int, category: str = "linear") -> list[list[str]]:  # expect: BYB201
    params = {
        "category": category,
        "symbol": symbol,
        "interval": interval,
        "start": start,
        "end": end,
        "limit": PAGE,
    }
    for attempt in range(5):  # expect: BYB202
        try:
            resp = requests.get(f"{BASE}/v5/market/kline", params=params, timeout=15)
            rows = resp.json()["result"]["list"]  # expect: BYB207
            return list(reversed(rows))
        except (requests.RequestException, ValueError, KeyError) as exc:
            log.warning("%s page at %s failed (%s), attempt %d", symbol, start, exc, attempt + 1)
            time.sleep(attempt + 1)
    raise RuntimeError(f"giving up on {symbol} at {start}")


def download(symbol: str, interval: str, days: int, out_dir: Path, category: str) -> Path:
    step = INTERVAL_MS[interval]
    end = int(time.time() * 1000)
    start = end - days * 86_400_000
    out = out_dir / f"{symbol}_{interval}.csv"
    n = 0
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["open_time", "open", "high", "low", "close", "volume", "turnover"])
        cursor = start
        while cursor < end:
            page_end = min(end, cursor + step * (PAGE - 1))
            rows = fetch_klines(symbol, interval, cursor, page_end, category)
            if not rows:
                break
            w.writerows(rows)
            n += len(rows)
            cursor = int(rows[-1][0]) + step
            time.sleep(0.1)
    log.info("%s: %d candles -> %s", symbol, n, out)
    return out


def quick_stats(path: Path) -> None:
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    closes = [float(r["close"]) for r in rows]
    ret = (closes[-1] / closes[0] - 1) * 100
    hi, lo = max(closes), min(closes)
    print(f"{path.stem}: {len(closes)} bars, return {round(ret, 2)}%, range {lo:.2f}-{hi:.2f}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("symbols", nargs="+")
    p.add_argument("--interval", default="15", choices=sorted(INTERVAL_MS))
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--category", default="linear", choices=["linear", "spot", "inverse"])
    p.add_argument("--out", type=Path, default=Path("klines"))
    a = p.parse_args()
    a.out.mkdir(exist_ok=True)
    for sym in a.symbols:
        quick_stats(download(sym.upper(), a.interval, a.days, a.out, a.category))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
