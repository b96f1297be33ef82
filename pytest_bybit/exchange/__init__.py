"""A fake Bybit V5 REST exchange for tests: state, endpoints, auth, limits, and the ``responses`` edge."""

from .clocks import Clock, ManualClock, SystemClock
from .errors import BybitError, Result, envelope
from .interceptor import Interceptor
from .limits import Quota, RateLimits
from .models import Account, ApiKey, Instrument, Order, Position
from .recording import RequestLog, RequestRecord
from .routes import ROUTES, Route
from .server import FakeBybit
from .wire import Reply, Request

__all__ = [
    "Account",
    "ApiKey",
    "BybitError",
    "Clock",
    "FakeBybit",
    "Instrument",
    "Interceptor",
    "ManualClock",
    "Order",
    "Position",
    "Quota",
    "ROUTES",
    "RateLimits",
    "Reply",
    "Request",
    "RequestLog",
    "RequestRecord",
    "Result",
    "Route",
    "SystemClock",
    "envelope",
]
