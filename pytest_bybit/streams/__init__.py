"""Bybit's V5 WebSocket streams (public, private, trade) served on loopback under ``bybit``.

Clients keep their real ``wss://stream*.bybit.com`` URLs: :mod:`.routing` rewrites them at
the client-library layer to the local server (:mod:`.server`), whose connections
(:mod:`.session`) speak each stream's own dialect (:mod:`.protocol`), pushes topics from the fake exchange's state
(:mod:`.topics`), checks private ``auth`` (:mod:`.auth`), takes WS trade orders
(:mod:`.trade`) and plays the stream faults (:mod:`.faults`).
"""

from .server import StreamServer

__all__ = ["StreamServer"]
