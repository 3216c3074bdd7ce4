"""pystac-client's HTTP (requests), bounded like the rest of the client's answers.

pystac-client reads and decompresses each answer whole (``resp.content``): a small gzip answer
from a hostile or broken server inflates a thousandfold into memory. :func:`bounded_stac_io`
gives a ``StacApiIO`` whose session reads every answer itself, before pystac-client sees it, as
:func:`cdse_intake.net.http.read_bounded` does for aiohttp: at most
:data:`~cdse_intake.net.http.MAX_ANSWER_BYTES` after decompression (more is a
:class:`~cdse_intake.errors.ServiceError`, final), error answers cut at
:data:`~cdse_intake.net.http.MAX_ERROR_BYTES`, and an answer slower than
:data:`~cdse_intake.net.http.MIN_ANSWER_RATE` over every ``timeout`` window abandoned.

The session also never sends ``~/.netrc`` passwords as Basic auth (requests would, for any host
of the file, the STAC host included): searches are anonymous.
"""

from __future__ import annotations

from typing import Any

from ..net import http

__all__ = ["bounded_stac_io"]

_CHUNK = 1 << 20  # decompressed bytes per read: few allocations for a 128 MiB answer


def bounded_stac_io(*, timeout: float, **kwargs: Any) -> Any:
    """A pystac-client ``StacApiIO`` (``kwargs`` as its own) whose answers are bounded."""
    from pystac_client.stac_api_io import StacApiIO

    io = StacApiIO(timeout=timeout, **kwargs)
    io.session.hooks["response"].append(lambda resp, **_: read_answer(resp, window=timeout))
    io.session.auth = _anonymous  # set, so requests looks no password up in ~/.netrc
    return io


def _anonymous(request: Any) -> Any:
    return request


def read_answer(resp: Any, *, window: float | None = None) -> Any:
    """Read ``resp``'s body (a requests response not read yet) within the bounds, into it.

    A response hook: requests calls it before anything reads the body, and pystac-client then
    takes the bytes held here. Errors raised here reach pystac-client's caller as the
    ``__context__`` of its ``APIError``.
    """
    where = str(resp.url).split("?", 1)[0]
    failed = resp.status_code >= 300
    limit = http.MAX_ERROR_BYTES if failed else http.MAX_ANSWER_BYTES
    declared = None if resp.headers.get("Content-Encoding") else resp.headers.get("Content-Length")
    if not failed and declared and declared.isdigit() and int(declared) > limit:
        resp.close()
        raise http.answer_too_large(where, limit, resp.status_code, declared)
    minimum = http.MIN_ANSWER_RATE
    guard = http.RateGuard(
        minimum, window or 60.0, lambda rate: http.answer_too_slow(where, rate, minimum)
    )
    data = bytearray()
    cut = False
    try:
        for chunk in resp.iter_content(_CHUNK):  # decompressed, a chunk at a time
            data += chunk
            if len(data) > limit:
                if failed:  # an error's message is in its first bytes: keep those
                    del data[limit:]
                    cut = True
                    break
                raise http.answer_too_large(where, limit, resp.status_code)
            guard.update(len(data))
    except BaseException:
        resp.close()  # the rest is never read: drop the connection
        raise
    if cut:
        resp.close()
    resp._content = data  # a bytearray decodes as bytes do; no copy of up to 128 MiB
    resp._content_consumed = True
    return resp
