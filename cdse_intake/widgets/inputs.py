"""The panel state's inputs: the form's values, their per-field errors, the search they make.

A part of :class:`~.state.PanelState` (mixed into it: it uses the state's lock, observers and
background jobs). The checks and the search keywords themselves are :mod:`.fields`' plain
functions; here they are kept current as inputs change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..config import Endpoints, Settings
from ..errors import QueryError
from ..jobs import Job
from .background import Background
from .fields import (
    FIELDS,
    CollectionChoice,
    check_fields,
    errors_text,
    live_choices,
    product_types_of,
    search_code,
    search_kwargs,
)

__all__ = ["Inputs"]


def _input(name: str, doc: str) -> property:
    def get(self: Inputs) -> Any:
        return self._values[name]

    def put(self: Inputs, value: Any) -> None:
        self.update(**{name: value})

    return property(get, put, doc=doc)


class Inputs:
    """Inputs as properties (``state.cloud = 20`` re-validates), ``errors``, the search call."""

    # provided by PanelState
    _lock: threading.RLock
    _jobs: Background
    _notify: Callable[..., None]
    endpoints: Endpoints
    settings: Settings
    search_args: dict[str, Any] | None
    selected_products: list[Any]

    collection = _input("collection", "STAC id or OData name; None: every collection.")
    product_type = _input("product_type", "One product type of the collection; None: all.")
    start = _input("start", "Sensing start at or after this date (date, datetime or ISO text).")
    end = _input("end", "Sensing start before this date; a bare date includes that day.")
    cloud = _input("cloud", "Highest cloud cover in percent; None: any.")
    area = _input("area", "bbox tuple, bbox/WKT/GeoJSON text, or a GeoJSON dict (map drawing).")
    tile = _input("tile", "Sentinel-2 MGRS tile, e.g. '31UFT'.")
    orbit = _input("orbit", "Absolute orbit number.")
    relative_orbit = _input("relative_orbit", "Relative orbit number.")
    backend = _input("backend", "'odata' or 'stac'.")
    limit = _input("limit", "At most this many products (None: all).")

    def _init_inputs(self, collections: list[CollectionChoice], values: dict[str, Any]) -> None:
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown panel input(s) {sorted(unknown)}; expected {FIELDS}")
        self.collections = collections
        self.collections_error = ""
        self._values: dict[str, Any] = dict.fromkeys(FIELDS)
        self._values.update(values)
        self.errors: dict[str, str] = {}

    @property
    def values(self) -> dict[str, Any]:
        """The inputs as given (a copy)."""
        with self._lock:
            return dict(self._values)

    def update(self, **changes: Any) -> dict[str, str]:
        """Set several inputs at once; returns the new ``errors``."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown panel input(s) {sorted(unknown)}; expected {FIELDS}")
        with self._lock:
            self._values.update(changes)
            if "collection" in changes and "product_type" not in changes:
                types = product_types_of(self.collections, self._values["collection"])
                if self._values["product_type"] not in types:
                    self._values["product_type"] = None
            errors = self._validate()
        self._notify("inputs")
        return errors

    def _validate(self) -> dict[str, str]:
        with self._lock:
            self.errors = check_fields(
                self._values, self.collections, self.endpoints, self.settings
            )
            return self.errors

    @property
    def product_types(self) -> tuple[str, ...]:
        """The product types of the chosen collection (the product-type choices)."""
        return product_types_of(self.collections, self._values["collection"])

    def search_kwargs(self) -> dict[str, Any]:
        """The keywords of the :func:`cdse_intake.search` call for the current inputs."""
        with self._lock:
            if self.errors:
                raise QueryError(errors_text(self.errors))
            return search_kwargs(self._values, self.collections)

    def code(self) -> str:
        """The equivalent ``cdse_intake.search(...)`` call for the current inputs, as Python.

        When the inputs are those of the last search and rows are selected, the code also picks
        the selected products by name. QueryError when the inputs are not valid.
        """
        kwargs = self.search_kwargs()
        with self._lock:
            same = kwargs == self.search_args
            names = [p.name for p in self.selected_products] if same else []
        return search_code(kwargs, names)

    def load_collections(self) -> threading.Thread:
        """Replace the built-in collection list by the live catalogue's (in the background)."""
        return self._jobs.start("collections", self._load_collections).thread

    def _load_collections(self, _job: Job[None]) -> None:
        from ..api import collections

        try:
            choices = live_choices(collections(self.endpoints))
        except Exception as err:  # the built-in list stays; the panel still works
            with self._lock:
                self.collections_error = f"the live collection list is unavailable: {err}"
            self._notify("collections")
            return
        with self._lock:
            if choices:
                self.collections = choices
            self.collections_error = ""
            self._validate()
        self._notify("collections", "inputs")
