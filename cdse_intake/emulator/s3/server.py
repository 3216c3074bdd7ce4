"""The S3 server: the :class:`~.service.S3Service` as an aiohttp application, with its keys.

Inside an :class:`~cdse_intake.emulator.Emulator` the application runs on the emulator's event
loop like the other services (the emulator serves :meth:`S3Server.application`). On its own,
:meth:`S3Server.start` runs it on an event loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import string
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from aiohttp import web

from .service import S3Service
from .store import Index

if TYPE_CHECKING:
    from ..catalogue import Catalogue, Entry
    from ..state import EmulatorState

__all__ = ["S3Server"]

#: Threads that look keys up and build products, so the event loop never waits for a build.
WORKERS = 4


def _new_keys() -> tuple[str, str]:
    """An access key (20 upper-case letters and digits) and its secret (40 characters)."""
    alphabet = string.ascii_uppercase + string.digits
    access = "".join(secrets.choice(alphabet) for _ in range(20))
    return access, secrets.token_urlsafe(30)


class S3Server:
    """CDSE's ``eodata`` bucket over a catalogue: every online product, built when asked for.

    ``credentials`` are the account's read-only keys. ``start()`` serves on ``host`` (``port``
    0: chosen by the OS) and returns the endpoint; ``stop()`` ends it.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        host: str = "127.0.0.1",
        port: int = 0,
        state: EmulatorState | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.host = host
        self.port = port
        self.endpoint: str | None = None
        self.index = Index(catalogue)
        self._keys = dict([_new_keys()])
        self.service = S3Service(self.index, self._keys, None, state)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def credentials(self) -> tuple[str, str]:
        """The account's read-only S3 keys ``(access key, secret)``."""
        return next(iter(self._keys.items()))

    def add(self, *entries: Entry) -> None:
        """Serve products the catalogue does not hold (products added to it are served anyway)."""
        self.index.add(*entries)

    def application(self, middlewares: Iterable = ()) -> web.Application:
        """The aiohttp application answering every S3 request."""
        if self.service.executor is None:
            self.service.executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="cdse-s3")
        app = web.Application(middlewares=list(middlewares), client_max_size=1 << 20)
        app.router.add_route("*", "/{path:.*}", self.service.handle)
        return app

    # -- on a thread of its own ------------------------------------------------------------------
    def start(self) -> str:
        """Serve in a background thread; the endpoint URL (``http://<host>:<port>``)."""
        if self.endpoint is not None:
            return self.endpoint
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
            try:
                loop.run_until_complete(runner.setup())
                loop.run_until_complete(web.SockSite(runner, sock).start())
            except BaseException as err:  # reported to the starting thread
                failure.append(err)
                sock.close()
                loop.close()
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="cdse-s3", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            raise failure[0]
        self._loop = loop
        self.endpoint = f"http://{self.host}:{sock.getsockname()[1]}"
        return self.endpoint

    def stop(self) -> None:
        """Stop serving (the thread of :meth:`start`) and the worker threads."""
        thread, loop = self._thread, self._loop
        self._thread = self._loop = None
        self.endpoint = None
        if thread is not None and loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
        self.close()

    def close(self) -> None:
        """Let the worker threads go (the emulator calls this once it stopped serving)."""
        executor, self.service.executor = self.service.executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> S3Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
