"""uvicorn's HTTP/1.1 protocol (h11) with a time limit on a request's headers.

uvicorn closes a connection idle between requests (timeout_keep_alive), but sets no timer on a new connection, and
every byte received cancels the keep-alive timer: a client that connects and sends nothing, or drips a header a byte
at a time, holds its socket for ever. Here the headers of each request must be complete within `header_timeout`
seconds from the connection (or from the end of the previous response); else the connection is closed, with a 408
when part of a request had arrived. The body has its own limit, in the guard (guard.py).
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 20.0  # seconds for a request's headers to arrive

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 42\r\nconnection: close\r\n\r\nthe request headers did not arrive in time"
)


def timed_h11(header_timeout: float = HEADER_TIMEOUT) -> type[H11Protocol]:
    """The protocol class to give uvicorn as `http=`, with this limit on headers."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"header_timeout": header_timeout})


class TimedH11Protocol(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    _header_timer: asyncio.TimerHandle | None = None
    _partial = False  # part of a request's headers arrived

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is not None:
            self._partial = True
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the headers are in (or the connection is closing)
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on this connection gets the same time for its headers

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._partial = False
        self._header_timer = self.loop.call_later(self.header_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self._partial:
            self.transport.write(_TIMED_OUT)
        self.transport.close()
