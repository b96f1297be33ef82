from naive import NaiveBot


def test_buy(bybit):
    bybit.set_price("BTCUSDT", 50000)
    bot = NaiveBot(bybit.api_key, bybit.api_secret)
    result = bot.buy("BTCUSDT", usdt=100, price=50000)
    assert result["orderId"]
    assert [o["qty"] for o in bybit.orders] == ["0.002"]
