"""Millisecond clocks."""

import time


def time_ms() -> int:
    return int(time.time() * 1000)


def elapsed_ms(since: int) -> int:
    return time_ms() - since
