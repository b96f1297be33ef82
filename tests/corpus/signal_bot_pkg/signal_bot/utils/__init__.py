from .clock import time_ms

__all__ = ["time_ms"]
