"""Progress bars: one per active file and one for the whole run (tqdm.auto: terminal or notebook).

With ``enabled=False`` every bar is a no-op object, so the downloader calls the same methods
either way and tqdm is not even imported. An ``on_progress`` callback (widgets, logs) receives a
:class:`FileProgress` when a file starts, as its bytes arrive and when it ends, bars or not.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FileProgress", "Progress"]

log = logging.getLogger("cdse_intake.download")


@dataclass(frozen=True)
class FileProgress:
    """One step of one product's download, as given to ``on_progress`` callbacks."""

    id: str
    name: str
    status: str
    """``downloading`` (bytes arriving), then ``verified``, ``skipped`` or ``failed``."""
    bytes: int = 0
    """Bytes in the file so far (resumed bytes included)."""
    total: int | None = None
    """The product's size, when the catalogue gives it."""
    reason: str = ""
    """Why it failed or was skipped (the :class:`~.report.Outcome` reason)."""
    algorithm: str = ""
    """How a verified file was checked: ``BLAKE3``, ``MD5`` or ``size``."""


class _NoBar:
    n = 0

    def update(self, n: int = 1) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class _Reporting:
    """A file's bar that also tells ``on_progress`` how many bytes the file holds."""

    def __init__(self, bar: Any, report: Callable[[FileProgress], None], start: FileProgress):
        self._bar = bar
        self._report = report
        self._state = start
        self.n = start.bytes
        report(start)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)
        self.n += n
        self._send(self.n, self._state.total)

    def reset(self, total: int | None = None) -> None:
        self._bar.reset(total=total)
        self.n = 0
        self._send(0, total)

    def _send(self, count: int, total: int | None) -> None:
        s = self._state
        self._state = FileProgress(s.id, s.name, "downloading", count, total)
        self._report(self._state)

    def set_postfix_str(self, text: str) -> None:
        self._bar.set_postfix_str(text)

    def close(self) -> None:
        self._bar.close()


class Progress:
    """The run's bars. ``overall`` counts products; each :meth:`file` bar counts bytes.

    ``on_progress``, when given, is called on the download's event loop thread with a
    :class:`FileProgress` for every step; it must be quick, and its errors are logged, never
    allowed to break a download.
    """

    def __init__(
        self,
        enabled: bool,
        products: int,
        on_progress: Callable[[FileProgress], None] | None = None,
    ) -> None:
        self.enabled = enabled
        self.on_progress = on_progress
        self._counts = {"verified": 0, "skipped": 0, "failed": 0}
        if enabled:
            from tqdm.auto import tqdm

            self._tqdm = tqdm
            self.overall: Any = tqdm(total=products, desc="products", unit=" product", position=0)
        else:
            self.overall = _NoBar()

    def file(self, name: str, total: int | None, initial: int = 0, *, id: str = "") -> Any:
        """A byte bar for one download (``initial``: bytes resumed from a ``.part``)."""
        bar = self._bar(name, total, initial)
        if self.on_progress is None:
            return bar
        return _Reporting(bar, self._send, FileProgress(id, name, "downloading", initial, total))

    def _send(self, event: FileProgress) -> None:
        assert self.on_progress is not None
        try:
            self.on_progress(event)
        except Exception:
            log.exception("the on_progress callback failed on %s", event)

    def _bar(self, name: str, total: int | None, initial: int) -> Any:
        if not self.enabled:
            return _NoBar()
        label = name if len(name) <= 40 else name[:37] + "..."
        return self._tqdm(
            total=total,
            initial=initial,
            desc=label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            leave=False,
        )

    def done(self, status: str, outcome: Any = None) -> None:
        """One product finished with ``status`` (verified / skipped / failed)."""
        if outcome is not None and self.on_progress is not None:
            size = None
            if outcome.ok and outcome.path is not None:
                with contextlib.suppress(OSError):
                    size = outcome.path.stat().st_size
            self._send(
                FileProgress(
                    outcome.id,
                    outcome.name,
                    outcome.status,
                    size if size is not None else outcome.bytes,
                    size,
                    outcome.reason,
                    outcome.algorithm,
                )
            )
        self._counts[status] = self._counts.get(status, 0) + 1
        self.overall.set_postfix_str(", ".join(f"{v} {k}" for k, v in self._counts.items() if v))
        self.overall.update(1)

    def close(self) -> None:
        self.overall.close()
