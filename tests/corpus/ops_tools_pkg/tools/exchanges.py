"""Exchange factories for the long-running bots."""

import ccxt
from pybit.unified_trading import HTTP


def ccxt_exchange(cfg):
    exchange = ccxt.bybit({"apiKey": cfg.api_key, "secret": cfg.api_secret, "enableRateLimit": True})
    if cfg.testnet:
        exchange.set_sandbox_mode(True)
    return exchange


def market_data() -> HTTP:
    return HTTP(testnet=False)


def trading_session(cfg) -> HTTP:
    return HTTP(testnet=True, api_key=cfg.api_key, api_secret=cfg.api_secret)  # expect: BYB301


def run(cfg) -> None:
    session = trading_session(cfg)
    while True:
        session.get_positions(category="linear", settleCoin="USDT")
