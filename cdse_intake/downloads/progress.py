"""Progress bars: one per active file and one for the whole run (tqdm.auto: terminal or notebook).

With ``enabled=False`` every bar is a no-op object, so the downloader calls the same methods
either way and tqdm is not even imported.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Progress"]


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


class Progress:
    """The run's bars. ``overall`` counts products; each :meth:`file` bar counts bytes."""

    def __init__(self, enabled: bool, products: int) -> None:
        self.enabled = enabled
        self._counts = {"verified": 0, "skipped": 0, "failed": 0}
        if enabled:
            from tqdm.auto import tqdm

            self._tqdm = tqdm
            self.overall: Any = tqdm(total=products, desc="products", unit=" product", position=0)
        else:
            self.overall = _NoBar()

    def file(self, name: str, total: int | None, initial: int = 0) -> Any:
        """A byte bar for one download (``initial``: bytes resumed from a ``.part``)."""
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

    def done(self, status: str) -> None:
        """One product finished with ``status`` (verified / skipped / failed)."""
        self._counts[status] = self._counts.get(status, 0) + 1
        self.overall.set_postfix_str(", ".join(f"{v} {k}" for k, v in self._counts.items() if v))
        self.overall.update(1)

    def close(self) -> None:
        self.overall.close()
