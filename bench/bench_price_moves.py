"""What a price move costs once the book is busy: resting orders, conditional orders, TP/SL
and positions that may be liquidated are all looked at on every ``set_price``.

Prints figures; it is not a timed test. Run: python bench/bench_price_moves.py
"""

from __future__ import annotations

import time

from pytest_bybit.exchange import FakeBybit, ManualClock


def busy_exchange(accounts: int, orders: int) -> FakeBybit:
    ex = FakeBybit(clock=ManualClock(1_800_000_000_000))
    ex.max_active_orders = orders + 1
    for n in range(accounts):
        account = ex.account if n == 0 else ex.create_account()
        ex.open_position("BTCUSDT", "Buy", "0.01", leverage="20", account=account)
        account.isolated_symbols.add("BTCUSDT")
        for i in range(orders):
            ex.place_resting_order("BTCUSDT", "Buy", "0.001", str(50000 + i), account=account)
        for i in range(5):
            ex.place_resting_order(
                "BTCUSDT", "Sell", "0.001", order_type="Market", account=account,
                triggerPrice=str(70000 + i), triggerDirection=1, reduceOnly=True,
            )
    return ex


def main() -> None:
    for accounts, orders in ((1, 10), (1, 400), (10, 100)):
        ex = busy_exchange(accounts, orders)
        moves = 2000
        started = time.perf_counter()
        for i in range(moves):
            ex.set_price("BTCUSDT", str(60000 + (i % 50)))  # never crosses: the pure cost of looking
        per_move = (time.perf_counter() - started) / moves
        print(f"{accounts:>3} accounts x {orders:>3} resting orders + 5 conditional + a position: {per_move * 1e6:8.1f} us per set_price")


if __name__ == "__main__":
    main()
