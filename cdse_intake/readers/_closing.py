"""``close()`` of a product's Dataset or DataTree closes the files it was opened from.

xarray gives each Dataset it opens a closer (its store's ``close``), but drops it from anything
built from that Dataset: ``xr.merge``, ``DataTree.from_dict``, ``DataTree.to_dataset``. A reader
that builds its result from several files passes their closers on with :func:`closing`. The
closer is picklable (xarray pickles it with the Dataset, e.g. to dask workers). Closing is safe
while the data is still in use: xarray's file manager reopens a closed file on the next read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["CloseAll", "closers", "closing"]


class CloseAll:
    """Calls every closer it holds (picklable when they are)."""

    def __init__(self, closers: Iterable[Callable[[], None]]) -> None:
        self.closers = tuple(closers)

    def __call__(self) -> None:
        for close in self.closers:
            close()

    def __repr__(self) -> str:
        return f"CloseAll({len(self.closers)} closers)"


def closers(obj: Any) -> list[Callable[[], None]]:
    """The closers of a Dataset, or of every node of a DataTree."""
    nodes = obj.subtree if hasattr(obj, "subtree") else (obj,)
    return [c for node in nodes for c in _own(node)]


def _own(node: Any) -> tuple[Callable[[], None], ...]:
    close = node._close  # xarray's closer slot (its own backends set it the same way)
    if isinstance(close, CloseAll):
        return close.closers
    return () if close is None else (close,)


def closing(result: Any, parts: Iterable[Any]) -> Any:
    """Make ``result.close()`` (and ``with result:``) also close what ``parts`` (Datasets or
    DataTrees ``result`` was built from) would close; on a DataTree, its root's closer.
    Returns ``result``."""
    found = [*_own(result), *(c for part in parts for c in closers(part))]
    if found:
        result.set_close(CloseAll(found))
    return result
