"""Send a download body fast, paced and with injected faults.

Bodies go out as memoryview slices of the payload (no copy of the whole product) in 1 MiB writes,
which keeps an unthrottled loopback download at hundreds of MB/s. A rate (the per-connection
bandwidth cap of ``reference/cdse-api.md`` §2.4, or a "slow" fault) paces the writes against a
clock, sleeping about 20 times a second rather than in tiny steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from ..http import BYTES_SENT

__all__ = ["BodyPlan", "send_body"]

CHUNK = 1 << 20
MIN_PACED_CHUNK = 4096
#: Longest sleep of a paced body between checks that the client is still there.
PACE_CHECK = 0.1
#: How long a reset waits for the bytes before the cut to leave the server's buffer.
FLUSH_TIMEOUT = 5.0


@dataclass(frozen=True)
class BodyPlan:
    """How to send ``view``: at most ``rate`` bytes/s, and what fault cuts or spoils it.

    ``cut_after`` body bytes are sent before a "reset" (the connection is aborted with a TCP
    RST; as with a real reset, the client may lose bytes still in flight) or a "truncate" (the
    body ends early though ``Content-Length`` promised more); bytes from ``corrupt_from`` on have
    their bits flipped.
    """

    rate: float | None = None
    cut: Literal["reset", "truncate"] | None = None
    cut_after: int = 0
    corrupt_from: int | None = None


def _flip(piece: memoryview, start: int) -> bytes:
    """``piece`` with every bit of its bytes from ``start`` on inverted."""
    import numpy as np

    out = np.frombuffer(piece, dtype=np.uint8).copy()
    out[start:] ^= 0xFF
    return out.tobytes()


async def send_body(
    request: web.Request, response: web.StreamResponse, view: memoryview, plan: BodyPlan
) -> None:
    """Write ``view`` as the (prepared) response's body according to ``plan``."""
    loop = asyncio.get_running_loop()
    limit = len(view) if plan.cut is None else min(plan.cut_after, len(view))
    chunk = CHUNK
    if plan.rate is not None:
        chunk = int(min(CHUNK, max(MIN_PACED_CHUNK, plan.rate / 20)))
    if plan.cut == "truncate":
        response.force_close()  # end the connection after the short body: no keep-alive reuse
    started = loop.time()
    sent = 0
    while sent < limit:
        piece: memoryview | bytes = view[sent : min(sent + chunk, limit)]
        if plan.corrupt_from is not None and sent + len(piece) > plan.corrupt_from:
            piece = _flip(piece, max(0, plan.corrupt_from - sent))
        if plan.rate is not None:
            # The bucket starts empty: each write waits until its last byte is due, so the
            # average rate a client measures stays at or under the cap.
            await _pace(request, started + (sent + len(piece)) / plan.rate)
        await response.write(piece)
        sent += len(piece)
        request[BYTES_SENT] = sent
    if plan.cut == "reset":
        await _reset(request)
        raise ConnectionResetError("connection reset by fault injection")


async def _pace(request: web.Request, until: float) -> None:
    """Sleep until the loop time ``until``, waking up to notice a client that went away.

    aiohttp does not cancel a handler when its client disconnects, and a paced body may sleep
    for long; without this check a lost download would hold its session slot until then.
    """
    loop = asyncio.get_running_loop()
    while (delay := until - loop.time()) > 0:
        await asyncio.sleep(min(delay, PACE_CHECK))
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("the client closed the connection")


async def _reset(request: web.Request) -> None:
    """Abort the connection with a TCP RST once the bytes written so far have left the buffer."""
    transport = request.transport
    if transport is None:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FLUSH_TIMEOUT
    while transport.get_write_buffer_size() and loop.time() < deadline:
        await asyncio.sleep(0.005)
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            # Linger 0: close() sends RST, the client sees "connection reset by peer".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
