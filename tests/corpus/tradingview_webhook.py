"""TradingView alert -> Bybit order bridge (Flask + pybit).

Alert message JSON, e.g.:
    {"passphrase": "...", "symbol": "BTCUSDT", "side": "Buy", "type": "Limit",
     "qty": "{{strategy.order.contracts}}", "price": "{{close}}", "sl": "61000"}
"""
import hmac
import json
import logging
import os
from pathlib import Path

from flask import Flask, abort, jsonify, request
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

log = logging.getLogger("bridge")

CONFIG = json.loads(Path(os.getenv("BRIDGE_CONFIG", "config.json")).read_text())
MIN_QTY = {"BTCUSDT": 0.001, "ETHUSDT": 0.01, "SOLUSDT": 0.1, "DOGEUSDT": 1}  # expect: BYB104
LEVERAGE = {"BTCUSDT": 10, "ETHUSDT": 8, "SOLUSDT": 5, "DOGEUSDT": 3}

app = Flask(__name__)
session = HTTP(
    testnet=CONFIG["testnet"],
    api_key=os.environ["BYBIT_API_KEY"],
    api_secret=os.environ["BYBIT_API_SECRET"],
    recv_window=CONFIG.get("recv_window", 10000),
)


def apply_leverage() -> None:
    for symbol, lev in LEVERAGE.items():
        try:
            session.set_leverage(category="linear", symbol=symbol, buyLeverage=str(lev), sellLeverage=str(lev))
        except InvalidRequestError as exc:
            if exc.status_code != 110043:
                raise


def check_passphrase(alert: dict) -> None:
    expected = os.environ.get("WEBHOOK_PASSPHRASE", "")
    if not expected or not hmac.compare_digest(str(alert.get("passphrase", "")), expected):
        abort(403)


def place_from_alert(alert: dict) -> dict:
    symbol = alert["symbol"].upper().replace(".P", "")
    qty = float(alert["qty"])
    if qty < MIN_QTY.get(symbol, 0):
        raise ValueError(f"qty {qty} under minimum for {symbol}")
    order_type = alert.get("type", "Market").capitalize()
    kwargs = {}
    if order_type == "Limit":
        kwargs["price"] = alert["price"]
    if alert.get("sl"):
        kwargs["stopLoss"] = alert["sl"]
    if alert.get("tp"):
        kwargs["takeProfit"] = alert["tp"]
    res = session.place_order(
        category="linear",
        symbol=symbol,
        side=alert["side"].capitalize(),
        orderType=order_type,
        qty=qty,  # expect: BYB101
        **kwargs,
    )
    return res["result"]


def close_all(symbol: str) -> list:
    closed = []
    for pos in session.get_positions(category="linear", symbol=symbol)["result"]["list"]:
        if float(pos["size"]) == 0:
            continue
        res = session.place_order(
            category="linear",
            symbol=symbol,
            side="Sell" if pos["side"] == "Buy" else "Buy",
            orderType="Market",
            qty=pos["size"],
            reduceOnly=True,
            positionIdx=pos["positionIdx"],
        )
        closed.append(res["result"]["orderId"])
    return closed


def scale_out(symbol: str, fraction: str) -> dict:
    pos = session.get_positions(category="linear", symbol=symbol)["result"]["list"][0]
    part = float(pos["size"]) * float(fraction)
    res = session.place_order(
        category="linear",
        symbol=symbol,
        side="Sell" if pos["side"] == "Buy" else "Buy",
        orderType="Market",
        qty=str(part),  # expect: BYB101
        reduceOnly=True,
    )
    log.info("scaled out %.1f%% of %s", float(fraction) * 100, symbol)
    return res["result"]


@app.post("/webhook")
def webhook():
    alert = request.get_json(force=True, silent=True) or {}
    check_passphrase(alert)
    action = alert.get("action", "open")
    try:
        if action == "close":
            return jsonify({"closed": close_all(alert["symbol"])})
        if action == "scale_out":
            return jsonify(scale_out(alert["symbol"], alert.get("fraction", "0.5")))
        return jsonify(place_from_alert(alert))
    except (InvalidRequestError, ValueError) as exc:
        log.error("alert rejected: %s | %s", exc, alert)
        return jsonify({"error": str(exc)}), 400


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    apply_leverage()
    app.run(host="0.0.0.0", port=int(os.getenv("PORT", "8080")))
