"""RSI momentum bot for Bybit linear perps using ccxt (sync).

Buys when RSI(14) crosses up through 30, sells when it crosses down through 70.
"""
import logging
import time

import ccxt

logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(message)s")
log = logging.getLogger("momentum")

SYMBOL = "SOL/USDT:USDT"
TIMEFRAME = "5m"
RISK_USDT = 50.0

exchange = ccxt.bybit(
    {
        "apiKey": "Lr5Tz0Qw8YbN3xKcVj",  # expect: BYB302
        "secret": "p9Xm2Wq7Ez4Rt1Yu6Io3Pa8Sd5Fg0Hj2Kl7Z",  # expect: BYB302
        "enableRateLimit": True,
        "options": {"defaultType": "swap"},
    }
)
exchange.set_sandbox_mode(True)  # expect: BYB301


def rsi(closes: list[float], period: int = 14) -> float:
    gains, losses = 0.0, 0.0
    for prev, cur in zip(closes[-period - 1 : -1], closes[-period:]):
        change = cur - prev
        if change > 0:
            gains += change
        else:
            losses -= change
    if losses == 0:
        return 100.0
    rs = (gains / period) / (losses / period)
    return 100 - 100 / (1 + rs)


def fetch_closes(limit: int = 100) -> list[float]:
    while True:  # expect: BYB202, BYB204
        try:
            candles = exchange.fetch_ohlcv(SYMBOL, TIMEFRAME, limit=limit)
            return [c[4] for c in candles]
        except ccxt.NetworkError as exc:
            log.warning("fetch_ohlcv failed: %s", exc)
            time.sleep(5)


def order_amount(price: float) -> float:
    market = exchange.market(SYMBOL)
    raw_amount = RISK_USDT / price
    # some coins trade in whole contracts only
    whole_lots = int(market["precision"]["amount"]) == 0  # expect: BYB105
    amount = float(int(raw_amount)) if whole_lots else raw_amount
    log.info("amount for %s: %s (raw %.4f)", SYMBOL, amount, raw_amount)
    return amount


def current_position() -> float:
    positions = exchange.fetch_positions([SYMBOL])
    for p in positions:
        if p["symbol"] == SYMBOL and p["contracts"]:
            return p["contracts"] if p["side"] == "long" else -p["contracts"]
    return 0.0


def step(prev_rsi: float | None) -> float:
    closes = fetch_closes()
    value = rsi(closes)
    price = closes[-1]
    log.info(f"{SYMBOL} close={price} rsi={value:.1f}")
    if prev_rsi is None:
        return value

    pos = current_position()
    if prev_rsi < 30 <= value and pos <= 0:
        amount = order_amount(price) + abs(pos)
        order = exchange.create_order(SYMBOL, "market", "buy", amount)
        log.info("bought %s, order %s", amount, order["id"])
    elif prev_rsi > 70 >= value and pos >= 0:
        amount = order_amount(price) + pos
        limit_px = round(price * 0.999, exchange.market(SYMBOL)["precision"]["price"])  # expect: BYB105
        order = exchange.create_order(SYMBOL, "limit", "sell", amount, limit_px)
        log.info("sell limit %s @ %s, order %s", amount, limit_px, order["id"])
    return value


def print_balance() -> None:
    bal = exchange.fetch_balance()
    usdt = bal["total"].get("USDT", 0.0)
    print(f"USDT equity: {usdt:.2f}")


if __name__ == "__main__":
    exchange.load_markets()
    exchange.set_leverage(3, SYMBOL)
    print_balance()
    last_rsi = None
    while True:
        last_rsi = step(last_rsi)
        time.sleep(exchange.parse_timeframe(TIMEFRAME))
