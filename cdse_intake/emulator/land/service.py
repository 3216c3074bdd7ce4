"""The emulated CLMS: its state, lifecycle and the controls tests use (``emulator.land``).

``emulator.land`` (a :class:`LandService`) holds the settings and the fault controls:

- ``delays``: (queued, in progress) seconds of new tasks (default 0.5, 1.0; real: minutes);
- ``min_poll_interval``: seconds a user must leave between polls of ``@datarequest_search`` /
  ``@datarequest_status_get`` (else 429 with ``Retry-After``; default 0.2; real clients ~60 s);
- ``token_lifetime``: seconds of new access tokens (real: 3600); ``expire_tokens()``;
- ``failure_share``: share of new tasks ending ``Finished_nok``; ``fail(task_id, message)``;
- ``lose(task_id)`` (purged), ``expire_link(task_id)``, ``revoke_key(client_id)``;
- ``issue_key(user_id)`` (another service key), ``service_key`` (the demo user's, a dict) and
  ``service_key_path`` (its JSON file, mode 0600, removed at stop); ``clock.advance(s)``;
- ``task(task_id)``: a task as ``@datarequest_status_get`` shows it; ``reset()`` (defaults,
  pending tasks cancelled).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from .access import AccessTokens
from .clock import Clock
from .keys import KeyStore, new_private_key
from .tasks import Task, TaskStore

__all__ = ["DEMO_USER_ID", "LandService"]

log = logging.getLogger(__name__)
#: The demo user's CLMS user id (EU Login ids look like ``n00015mf``).
DEMO_USER_ID = "n00emu01"
DEFAULTS = {"delays": (0.5, 1.0), "min_poll_interval": 0.2, "token_lifetime": 3600.0,
            "failure_share": 0.0}  # fmt: skip


class LandService:
    """The CLMS API and file server's shared state; see the module docstring for controls."""

    def __init__(
        self,
        *,
        delays: tuple[float, float] = (0.5, 1.0),
        min_poll_interval: float = 0.2,
        token_lifetime: float = 3600.0,
        failure_share: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.clock = Clock()
        self.delays = (float(delays[0]), float(delays[1]))
        self.min_poll_interval = min_poll_interval
        self.failure_share = failure_share
        self.tasks = TaskStore(self.clock, seed)
        self.tokens = AccessTokens(self.clock, token_lifetime)
        self.keys: KeyStore | None = None
        self.site_root = self.api_root = self.files_root = ""
        self.folder: Path | None = None
        self.service_key: dict[str, Any] = {}
        self.service_key_path: Path | None = None
        self._last_poll: dict[str, float] = {}
        self._lock = threading.Lock()
        # The demo key's RSA pair is made while the emulator builds its catalogue (~60 ms).
        self._demo_private: list[Any] = []
        self._keygen = threading.Thread(
            target=lambda: self._demo_private.append(new_private_key()), daemon=True
        )
        self._keygen.start()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, site_root: str, files_root: str) -> None:
        """Set the roots, make the private folder and the demo user's service key file."""
        self.site_root, self.api_root, self.files_root = site_root, f"{site_root}/api", files_root
        self.keys = KeyStore(f"{site_root}/@@oauth2-token", self.clock)
        self.folder = Path(tempfile.mkdtemp(prefix="cdse-land-"))  # mode 0700
        (self.folder / "results").mkdir()
        self._keygen.join()
        private = self._demo_private.pop() if self._demo_private else None
        self.service_key = self.keys.issue(DEMO_USER_ID, private=private).as_json()
        path = self.folder / "clms-service-key.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(self.service_key, out, indent=2)
        self.service_key_path = path

    def stop(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = self.service_key_path = None

    # -- controls ----------------------------------------------------------------------------
    @property
    def token_lifetime(self) -> float:
        return self.tokens.lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self.tokens.lifetime = float(seconds)

    def reset(self) -> None:
        """Back to the default settings; tasks still pending are cancelled (so a test's
        request is never refused as a duplicate of an earlier test's); keys and tokens stay."""
        self.delays = DEFAULTS["delays"]  # type: ignore[assignment]
        self.min_poll_interval = float(DEFAULTS["min_poll_interval"])  # type: ignore[arg-type]
        self.token_lifetime = float(DEFAULTS["token_lifetime"])  # type: ignore[arg-type]
        self.failure_share = 0.0
        self.tasks.cancel_pending()
        with self._lock:
            self._last_poll.clear()

    def issue_key(self, user_id: str = DEMO_USER_ID, title: str = "Token Name 2") -> dict[str, Any]:
        """A new service key (its JSON, private key included) for ``user_id``."""
        return self._keys().issue(user_id, title).as_json()

    def revoke_key(self, client_id: str) -> None:
        """Revoke a service key: its grants are refused, its access tokens stop working."""
        key = self._keys().revoke(client_id)
        self.tokens.drop_key(key.key_id)

    def expire_tokens(self) -> None:
        """Every access token issued so far answers "Access token expired" from now on."""
        self.tokens.expire_all()

    def fail(self, task_id: str, message: str = "Error while processing the request") -> None:
        """Make a task end ``Finished_nok`` with ``message``."""
        self.tasks.fail(task_id, message)

    def lose(self, task_id: str) -> None:
        """Purge a task (it vanishes from search and status; its link answers 404)."""
        task = self.tasks.lose(task_id)
        self._remove_result(task)

    def expire_link(self, task_id: str) -> None:
        """Make a finished task's download link expire now (as after 72 hours)."""
        self.tasks.expire_link(task_id)

    def task(self, task_id: str) -> dict[str, Any] | None:
        """The task as ``@datarequest_status_get`` shows it (no polling limit; not settled)."""
        task = self.tasks.get(task_id)
        return None if task is None else task.as_json(self.clock.now())

    # -- used by the handlers ----------------------------------------------------------------
    def poll(self, user: str) -> float | None:
        """Seconds the user must still wait before polling (None: the poll is allowed)."""
        now = self.clock.now()
        with self._lock:
            last = self._last_poll.get(user)
            if last is not None and now - last < self.min_poll_interval:
                return self.min_poll_interval - (now - last)
            self._last_poll[user] = now
        return None

    def result_path(self, task: Task) -> Path:
        assert self.folder is not None, "the land service is not started"
        return self.folder / "results" / f"{task.fme_id}.zip"

    async def settle(self, task: Task) -> None:
        """Build the result of a task due to finish (once; concurrent callers wait for it)."""
        if task.status is not None or task.phase(self.clock.now()) != "Done":
            return
        if task.fail_message is not None:
            self.tasks.finish(task, None, None, task.fail_message)
            return
        if task.building is None:
            task.building = asyncio.ensure_future(self._build(task))
        await asyncio.shield(task.building)

    async def _build(self, task: Task) -> None:
        from .results import OutputError, build_zip

        path = self.result_path(task)
        try:
            size = await asyncio.get_running_loop().run_in_executor(None, build_zip, task, path)
        except OutputError as err:
            self.tasks.finish(task, None, None, str(err))
            return
        except Exception as err:  # a bug: the task fails visibly rather than hanging
            log.exception("building the result of land task %s", task.id)
            self.tasks.finish(task, None, None, f"Internal error: {err}")
            return
        url = f"{self.files_root}/clmsdatadownload/results/{task.fme_id}.zip"
        self.tasks.finish(task, size, url, None)

    def _remove_result(self, task: Task) -> None:
        if self.folder is not None:
            with contextlib.suppress(OSError):
                self.result_path(task).unlink()

    def _keys(self) -> KeyStore:
        if self.keys is None:
            raise RuntimeError("the emulator is not started; call start() or use it as a context")
        return self.keys
