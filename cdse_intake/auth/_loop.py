"""The private event loop, in a daemon thread, that runs every token request.

As fsspec's ``sync`` does: callers on any thread or event loop hand the coroutine over with
``asyncio.run_coroutine_threadsafe`` and wait on the returned ``concurrent.futures.Future``
(blocking, or awaited through ``asyncio.wrap_future``). One loop means one place where token HTTP
happens, whichever loop or thread asked. Recreated after ``fork``: threads do not survive it.
"""

from __future__ import annotations

import asyncio
import os
import threading

__all__ = ["in_io_thread", "io_loop"]

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def io_loop() -> asyncio.AbstractEventLoop:
    """The running private loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            started = threading.Event()
            thread = threading.Thread(
                target=_run, args=(loop, started), name="cdse-intake-auth", daemon=True
            )
            thread.start()
            started.wait()
            _loop, _thread = loop, thread
        return _loop


def in_io_thread() -> bool:
    """Whether the caller runs on the private loop's thread (where blocking would deadlock)."""
    return _thread is not None and threading.current_thread() is _thread


def _run(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(started.set)
    loop.run_forever()


def _after_fork_in_child() -> None:
    global _lock, _loop, _thread
    _lock = threading.Lock()
    _loop = None
    _thread = None


os.register_at_fork(after_in_child=_after_fork_in_child)
