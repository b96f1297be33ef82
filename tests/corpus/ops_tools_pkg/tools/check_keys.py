"""One-shot: do the keys work? Prints the wallet and leaves."""

import os

import requests
from pybit.unified_trading import HTTP


def wallet_over_rest(headers: dict) -> dict:
    resp = requests.get("https://api-testnet.bybit.com/v5/account/wallet-balance",  # expect: BYB301
                        params={"accountType": "UNIFIED"}, headers=headers, timeout=10)
    return resp.json()  # expect: BYB207


def main() -> None:
    session = HTTP(testnet=True, api_key=os.environ["BYBIT_API_KEY"], api_secret=os.environ["BYBIT_API_SECRET"])
    print(session.get_wallet_balance(accountType="UNIFIED"))


if __name__ == "__main__":
    main()
