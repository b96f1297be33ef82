"""Settings, read once from the environment; constants other modules import."""

import os

API_KEY = os.environ.get("BYBIT_API_KEY", "")
API_SECRET = os.environ.get("BYBIT_API_SECRET", "")
TESTNET = os.environ.get("BYBIT_TESTNET", "0") == "1"

REST_HOSTS = {"testnet": "https://api-testnet.bybit.com", "mainnet": "https://api.bybit.com"}
WS_URL = "wss://stream.bybit.com/v5/public/linear"
HEARTBEAT = 30
RISK_PCT = 1.0
