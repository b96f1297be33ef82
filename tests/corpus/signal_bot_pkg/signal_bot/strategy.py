"""The strategy: sizes from the sizer module, orders through the client module."""

import uuid

from .client import Client
from .config import RISK_PCT
from .sizer import position_size


class Strategy:
    def __init__(self, client: Client):
        self.client = client

    def enter(self, symbol: str, balance: float, entry: float, stop: float) -> dict:
        qty = position_size(balance, RISK_PCT, entry, stop)
        link_id = uuid.uuid4().hex
        order = self.client.market_order(symbol, "Buy", qty, link_id)  # expect: BYB101
        self.client.stop(symbol, str(stop))  # expect: BYB101
        return order

    def exit(self, symbol: str, qty: str) -> dict:
        return self.client.market_order(symbol, "Sell", qty, uuid.uuid4().hex)
