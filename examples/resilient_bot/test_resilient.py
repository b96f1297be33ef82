from resilient import ResilientBot


def test_buy(bybit):
    bybit.set_price("BTCUSDT", 50000)
    bot = ResilientBot(bybit.api_key, bybit.api_secret, env="testnet")
    result = bot.buy("BTCUSDT", usdt="100", price="50000")
    assert result["orderId"]
    assert [o["qty"] for o in bybit.orders] == ["0.002"]
