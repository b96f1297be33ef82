"""Run the same BTC/ETH allocation on several sub-accounts.

Each sub-account targets ALLOCATION of its equity; a private WebSocket per
account logs wallet updates.
"""
import logging
import sys
import threading
import time

from pybit.exceptions import FailedRequestError
from pybit.unified_trading import HTTP, WebSocket

log = logging.getLogger("multi")

ACCOUNTS = {
    "sub-alpha": {
        "api_key": "a1B2c3D4e5F6g7H8i9",  # expect: BYB302
        "api_secret": "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa",  # expect: BYB302
    },
    "sub-beta": {
        "api_key": "Kp0Lo9Ij8Uh7Yg6Tf5",  # expect: BYB302
        "api_secret": "Rd4Es3Wa2Qz1Xs0Cd9Vf8Bg7Nh6Mj5Ku4Ly3Pt",  # expect: BYB302
    },
}
ALLOCATION = {"BTCUSDT": 0.6, "ETHUSDT": 0.4}
BAND = 0.05  # rebalance when off target by more than 5 % of equity


def sessions() -> dict[str, HTTP]:
    out = {}
    for name, creds in ACCOUNTS.items():
        out[name] = HTTP(testnet=True, **creds)  # expect: BYB301
    return out


def start_wallet_stream(name: str, creds: dict) -> WebSocket:
    ws = WebSocket(
        channel_type="private",
        testnet=True,  # expect: BYB301
        api_key=creds["api_key"],
        api_secret=creds["api_secret"],
        ping_interval=45,  # expect: BYB502
        private_auth_expire=2,  # expect: BYB403
    )

    def on_wallet(msg: dict) -> None:
        for acct in msg["data"]:
            log.info("[%s] equity %s USD", name, round(float(acct["totalEquity"]), 2))

    ws.wallet_stream(callback=on_wallet)
    return ws


def equity(session: HTTP) -> float:
    while True:  # expect: BYB202, BYB204
        try:
            res = session.get_wallet_balance(accountType="UNIFIED")
            return float(res["result"]["list"][0]["totalEquity"])
        except FailedRequestError:
            time.sleep(3)


def holdings(session: HTTP) -> dict[str, float]:
    res = session.get_positions(category="linear", settleCoin="USDT")["result"]["list"]
    return {p["symbol"]: float(p["positionValue"] or 0) * (1 if p["side"] == "Buy" else -1) for p in res}


def rebalance(name: str, session: HTTP) -> None:
    eq = equity(session)
    held = holdings(session)
    for symbol, weight in ALLOCATION.items():
        target_value = eq * weight
        diff_value = target_value - held.get(symbol, 0.0)
        if abs(diff_value) < eq * BAND:
            continue
        price = float(session.get_tickers(category="linear", symbol=symbol)["result"]["list"][0]["markPrice"])
        session.place_order(
            category="linear",
            symbol=symbol,
            side="Buy" if diff_value > 0 else "Sell",
            orderType="Market",
            qty=str(abs(diff_value) / price),  # expect: BYB101
        )
        log.info(f"[{name}] {symbol}: moved {diff_value:+.2f} USDT towards {weight:.0%}")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(message)s")
    http = sessions()
    streams = [start_wallet_stream(n, c) for n, c in ACCOUNTS.items()]
    log.info("started %d wallet streams", len(streams))
    while True:
        threads = [threading.Thread(target=rebalance, args=(n, s), name=n) for n, s in http.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(300)


if __name__ == "__main__":
    if "--ping" in sys.argv:
        print(HTTP(testnet=True).get_server_time()["result"])
    else:
        main()
