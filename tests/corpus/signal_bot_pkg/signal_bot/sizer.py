"""Position sizing."""


def position_size(balance: float, risk_pct: float, entry: float, stop: float) -> float:
    return balance * risk_pct / 100 / abs(entry - stop)
