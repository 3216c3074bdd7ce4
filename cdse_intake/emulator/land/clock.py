"""The land service's clock: wall time plus an offset tests can advance.

Every land-service deadline (task phases, token and link expiry, polling intervals) reads this
clock, so ``emulator.land.clock.advance(72 * 3600)`` makes a download link expire without waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

__all__ = ["Clock"]


class Clock:
    """Seconds since the epoch (``time.time()``) plus an offset; thread-safe."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (never backward)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    @staticmethod
    def iso(seconds: float) -> str:
        """``2022-09-29T13:11:39.986121``: naive UTC with microseconds, as the service writes."""
        moment = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        return moment.isoformat(timespec="microseconds")
