"""One-shot price poller run by cron: one coroutine, nothing else on its loop."""

import asyncio
import time

import requests


async def main(symbols: list[str]) -> None:
    for symbol in symbols:
        data = requests.get("https://api.bybit.com/v5/market/tickers",
                            params={"category": "spot", "symbol": symbol}, timeout=10).json()
        if data["retCode"] != 0:
            print(symbol, "error", data["retMsg"])
            continue
        print(symbol, data["result"]["list"][0]["lastPrice"])
        time.sleep(0.2)


asyncio.run(main(["BTCUSDT", "ETHUSDT"]))
