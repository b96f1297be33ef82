"""A test's own ``responses`` or ``requests_mock`` mocks, side by side with the fake exchange.

Both libraries sit in front of the same ``requests`` machinery as the fake, and both refuse
what they were not told about: without this module, a test that mocks its own webhook with
``responses`` would hide the fake exchange from pybit ("Connection refused by Responses"),
and the test could pass without any Bybit request being served. While ``bybit`` is active:

- a ``responses`` mock started inside the test answers what it registered; a request to a
  Bybit REST host it does not know goes on to the fake exchange (as a passthrough of that
  mock, which is the library's own mechanism for "let this one through");
- a ``responses`` mock already running when ``bybit`` starts cannot see requests any more (the
  fake's mock is started after it), so set-up fails and says how to order them;
- ``requests_mock`` (fixture or ``Mocker``) answers what it registered, and a Bybit request it
  does not know runs "real HTTP", which is the fake exchange.
"""

from __future__ import annotations

import sys
from typing import Any, Callable
from urllib.parse import urlsplit

from .gateway import is_bybit_rest_host

OUTER_RESPONSES_MESSAGE = (
    "pytest-bybit: a `responses` mock is already active when the `bybit` fixture starts, so it "
    "would never see a request again (the fake exchange's own `responses` mock is in front of "
    "it). Start your mock inside the test (`with responses.RequestsMock() as rsps:` or "
    "`@responses.activate`): it then answers the URLs it registers, and Bybit requests it does "
    "not know reach the fake exchange"
)


class MockConflict(RuntimeError):
    """A mock library is set up in a way that would hide the fake exchange."""


def _is_bybit(url: Any) -> bool:
    return is_bybit_rest_host(urlsplit(str(url or "")).hostname)


def _outer_responses_mock() -> bool:
    """Is ``HTTPAdapter.send`` replaced by a ``responses`` mock (and not by another library)?"""
    import requests.adapters

    send = requests.adapters.HTTPAdapter.send
    return getattr(send, "__module__", "") == "responses" and "RequestsMock" in getattr(send, "__qualname__", "")


def cooperate(fake_mock: Any) -> Callable[[], None]:
    """Make user mocks pass unknown Bybit requests on to ``fake_mock``; returns the undo."""
    undo: list[Callable[[], None]] = []
    responses = sys.modules.get("responses")
    if responses is not None:
        undo.append(_responses(responses, fake_mock))
    requests_mock = sys.modules.get("requests_mock")
    if requests_mock is not None:
        undo.append(_requests_mock(requests_mock))

    def undo_all() -> None:
        while undo:
            undo.pop()()

    return undo_all


def check_no_outer_responses_mock() -> None:
    """Fail set-up when a ``responses`` mock is active before the fake's own starts."""
    if "responses" in sys.modules and _outer_responses_mock():
        raise MockConflict(OUTER_RESPONSES_MESSAGE)


def _responses(responses: Any, fake_mock: Any) -> Callable[[], None]:
    real = responses.RequestsMock._on_request

    def _on_request(mock: Any, adapter: Any, request: Any, **kwargs: Any) -> Any:
        if mock is fake_mock or not _is_bybit(request.url):
            return real(mock, adapter, request, **kwargs)
        saved = (mock.passthru_prefixes, mock._real_send)
        mock.passthru_prefixes = (*saved[0], str(request.url))
        mock._real_send = lambda adapter, request, **kw: real(fake_mock, adapter, request, **kw)
        try:
            return real(mock, adapter, request, **kwargs)
        finally:
            mock.passthru_prefixes, mock._real_send = saved

    responses.RequestsMock._on_request = _on_request

    def undo() -> None:
        responses.RequestsMock._on_request = real

    return undo


def _requests_mock(requests_mock: Any) -> Callable[[], None]:
    from requests_mock import adapter as mock_adapter

    real = mock_adapter.Adapter.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        try:
            return real(self, request, **kwargs)
        except requests_mock.exceptions.NoMockAddress:
            if not _is_bybit(request.url):
                raise
            raise mock_adapter._RunRealHTTP() from None  # the library's "send it for real"

    mock_adapter.Adapter.send = send

    def undo() -> None:
        mock_adapter.Adapter.send = real

    return undo


__all__ = ["MockConflict", "OUTER_RESPONSES_MESSAGE", "check_no_outer_responses_mock", "cooperate"]
