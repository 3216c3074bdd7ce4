"""The panel's download rows as data, kept from the core's progress events and report.

``entries[name]`` follows one product: ``bytes``, ``total``, ``status`` (queued, downloading,
verified, failed, cancelled), ``reason``, the checksum ``algorithm`` and, once verified, the local
``path``. The download itself is the core's (:func:`cdse_intake.downloads.jobs.start_download`);
nothing here talks to the network.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import CancelledError
from typing import Any

from ..downloads.progress import FileProgress
from ..downloads.report import DownloadReport
from ..errors import CDSEError
from ..product import Product

__all__ = ["PROGRESS_EVERY", "Transfers"]

log = logging.getLogger("cdse_intake.widgets")

#: Seconds between two updates of a file's byte count (a new status is told at once).
PROGRESS_EVERY = 0.1


class Transfers:
    """Per-file download states (``entries``), guarded by the panel state's ``lock``."""

    def __init__(self, lock: threading.RLock) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = lock
        self._last = 0.0

    def queue(self, products: Sequence[Product]) -> None:
        """A fresh ``queued`` entry for each product."""
        with self._lock:
            for p in products:
                self.entries[p.name] = {
                    "bytes": 0,
                    "total": p.size,
                    "status": "queued",
                    "reason": "",
                    "algorithm": "",
                    "path": None,
                }

    def update(self, event: FileProgress) -> bool:
        """Record one progress event; whether observers should hear of it now (a new status,
        or bytes and :data:`PROGRESS_EVERY` seconds since the last time)."""
        status = {"skipped": "verified"}.get(event.status, event.status)
        with self._lock:
            entry = self.entries.setdefault(event.name, {})
            changed = entry.get("status") != status
            entry.update(bytes=event.bytes, status=status)
            if event.total is not None:
                entry["total"] = event.total
            if event.status != "downloading":
                entry.update(reason=event.reason, algorithm=event.algorithm)
            now = time.monotonic()
            if changed or now - self._last >= PROGRESS_EVERY:
                self._last = now
                return True
        return False

    def finish(self, products: Sequence[Product], job: Any) -> DownloadReport | None:
        """Settle every product's entry from the finished download ``job``; its report (None
        when it was cancelled or failed before any outcome, the reason then in the entries)."""
        report, failure = None, ""
        try:
            report = job.result()
        except CancelledError:
            pass
        except CDSEError as err:
            failure = str(err)
        except Exception as err:
            log.exception("the panel's download failed")
            failure = f"{type(err).__name__}: {err}"
        cancelled = job.cancelled()
        outcomes = {o.name: o for o in report} if report is not None else {}
        with self._lock:
            for p in products:
                entry = self.entries[p.name]
                outcome = outcomes.get(p.name)
                if outcome is not None:
                    entry["path"] = str(outcome.path) if outcome.path else None
                    if entry["status"] not in ("verified", "failed"):
                        entry["status"] = "failed" if outcome.status == "failed" else "verified"
                        entry["reason"] = outcome.reason
                elif entry["status"] not in ("verified", "failed"):
                    entry["status"] = "cancelled" if cancelled else "failed"
                    entry["reason"] = "cancelled" if cancelled else failure
        return report

    def summary(self, cancelled: bool, report: DownloadReport | None) -> str:
        """The status line after a download: how many files ended in each state."""
        with self._lock:
            states = [e["status"] for e in self.entries.values()]
        counts = {s: states.count(s) for s in ("verified", "failed", "cancelled") if s in states}
        text = ", ".join(f"{n} {s}" for s, n in counts.items())
        if cancelled:
            return f"download cancelled: {text}"
        if report is None:
            return f"download failed: {text}"
        return f"download finished: {text}"
