"""The panel's "open selected as cube": the selected products as one cube, in the background.

A part of :class:`~.state.PanelState` (mixed into it, like :mod:`.actions`): one call into the
core, :func:`cdse_intake.load` of the selected products with the panel's area as the cube's
``bbox``, run as the core's background job. As *open* does, products not in the cache are
first downloaded with the panel's per-file progress and cancellation (``state.remote``: read
by range instead). The cube lands in ``state.cube`` (``panel.selected_cube``); every failure is
a status line, never an exception in the event loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..config import Context, Settings
from ..errors import CDSEError
from ..jobs import Job
from ..product import Product
from .background import Background
from .rows import count_text

__all__ = ["CubeAction"]

log = logging.getLogger("cdse_intake.widgets")


class CubeAction:
    """Load the selected products as one (time, y, x) cube: :meth:`load_cube_in_background`."""

    # provided by PanelState and Actions
    _lock: threading.RLock
    _jobs: Background
    _notify: Callable[..., None]
    set_status: Callable[[str], None]
    context: Callable[..., Context]
    settings: Settings
    selected_products: list[Product]
    values: dict[str, Any]
    errors: dict[str, str]
    remote: bool
    opening: bool
    downloading: bool
    downloads: dict[str, dict[str, Any]]
    _transfer: Callable[..., Any]
    _transfer_done: Callable[..., Any]

    def _init_cube(self) -> None:
        self.loading_cube = False
        self.cube: Any = None
        """The cube last loaded with *open as cube* (an xarray Dataset; None before)."""
        self.cube_names: list[str] = []
        """The names of the products in :attr:`cube`."""

    def area_bbox(self) -> tuple[float, float, float, float] | None:
        """The panel's area as ``(west, south, east, north)`` (None: no valid area)."""
        from ..query import Query
        from .fields import area_kwargs

        area = self.values.get("area")
        if area is None or "area" in self.errors:
            return None
        geometry = Query(**area_kwargs(area)).geometry
        if geometry is None:
            return None
        west, south, east, north = (float(v) for v in geometry.bounds)
        return west, south, east, north

    def load_selected(self, **options: Any) -> Any:
        """The selected products as one lazy cube (:func:`cdse_intake.load`); blocks.

        ``options`` go to ``load`` (``bands=``, ``resolution=``, ``crs=``, ``mask=`` ...); the
        cube's ``bbox`` is the panel's area unless given, and ``remote`` follows the panel's
        "read remotely" box (unchecked: products are downloaded first). The panel uses
        :meth:`load_cube_in_background`.
        """
        products = self.selected_products
        if not products:
            raise ValueError("select products to load as a cube first")
        return self._load(products, options)

    def _load(self, products: Sequence[Product], options: dict[str, Any]) -> Any:
        from ..cubes import load

        options = dict(options)
        options.setdefault("bbox", self.area_bbox())
        options.setdefault("remote", bool(self.remote))
        context = self.context()
        cube = load(
            list(products), endpoints=context.endpoints, settings=context.settings, **options
        )
        with self._lock:
            self.cube, self.cube_names = cube, [p.name for p in products]
        self._notify("cube")
        return cube

    def load_cube_in_background(self, **options: Any) -> threading.Thread | None:
        """:meth:`load_selected` in the background (None, with a status, when it cannot start);
        products not yet cached are first downloaded with the same progress and cancellation as
        a download, unless ``state.remote``."""
        products = self.selected_products
        if not products:
            self.set_status("select products to load as a cube first")
            return None
        with self._lock:
            busy = self.opening or self.downloading or self.loading_cube
            if not busy:
                self.loading_cube = True
                self.status = f"loading {count_text(len(products))} as a cube…"
        if busy:
            self.set_status("busy: wait for the running download, open or cube, or cancel it")
            return None
        self._notify("status")
        job = self._jobs.start("cube", lambda job: self._run_cube(job, products, options))
        return job.thread

    def _run_cube(self, job: Job[None], products: list[Product], options: dict[str, Any]) -> None:
        from ..cache import ProductCache

        remote = options.get("remote", bool(self.remote))
        try:
            cache = ProductCache(self.settings.cache_dir)
            missing = [] if remote is not False else [p for p in products if not cache.lookup(p)]
            if missing:
                transfer = self._transfer(missing, self.context(), None)
                job.on_cancel(transfer.cancel)  # cancelling the cube stops its download
                transfer.wait()
                report = self._transfer_done(transfer, missing)
                if report is None or not report.ok:
                    bad = [n for n, e in self.downloads.items() if e["status"] != "verified"]
                    self.set_status(f"cannot load the cube: download failed for {', '.join(bad)}")
                    return
            if job.cancelled():
                self.set_status("loading the cube cancelled")
                return
            cube = self._load(products, options)
            sizes = ", ".join(f"{k}={v}" for k, v in cube.sizes.items())
            self.set_status(
                f"loaded {count_text(len(products))} as a cube ({sizes}): panel.selected_cube"
            )
        except Exception as err:
            if not isinstance(err, CDSEError | OSError | ValueError | TypeError):
                log.exception("the panel could not load the cube")
            self.set_status(f"cannot load the cube: {err}")
        finally:
            with self._lock:
                self.loading_cube = False
            self._notify("status")
