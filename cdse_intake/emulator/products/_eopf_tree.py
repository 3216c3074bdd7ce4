"""What the EOPF Zarr writers of Sentinel-1 and -3 share: the Zarr v2 tree, STAC root attributes.

The layout follows the S2 writer (:mod:`.eopf`) and the real products: Zarr v2, consolidated
metadata, Blosc zstd level 3 with bit shuffle, ``_ARRAY_DIMENSIONS`` on every array, the CF
encoding (``scale_factor``/``add_offset``/fill value) repeated in EOPF's ``_eopf_attrs`` with
the array's ``coordinates`` and ``dimensions``, and the root attributes ``stac_discovery`` (the
STAC item) and ``other_metadata``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["Tree", "lonlat_grid", "random_for", "stac_discovery"]


class Tree:
    """A Zarr v2 hierarchy in memory, written array by array, then consolidated to bytes."""

    def __init__(self) -> None:
        import numcodecs
        import zarr

        self._files: dict[str, Any] = {}
        store = zarr.storage.MemoryStore(store_dict=self._files)
        self.store = store
        self.root = zarr.open_group(store, mode="w", zarr_format=2)
        self.compressor = numcodecs.Blosc(
            cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE
        )

    def group(self, path: str, attrs: dict[str, Any] | None = None) -> None:
        self.root.require_group(path).attrs.update(attrs or {})

    def array(
        self,
        path: str,
        data: np.ndarray,
        dims: list[str],
        attrs: dict[str, Any] | None = None,
        *,
        coordinates: list[str] | None = None,
        fill: Any = None,
        chunks: tuple[int, ...] | None = None,
    ) -> None:
        """One array; ``attrs`` are its CF attributes, repeated with ``coordinates``,
        ``dimensions`` and the stored dtype in ``_eopf_attrs`` as EOPF writes them."""
        attrs = dict(attrs or {})
        eopf: dict[str, Any] = {"coordinates": coordinates or [], "dimensions": dims}
        for key in (
            "scale_factor",
            "add_offset",
            "long_name",
            "units",
            "flag_masks",
            "flag_meanings",
            "valid_min",
            "valid_max",
        ):
            if key in attrs:
                eopf[key] = attrs[key]
        if fill is not None:
            eopf.update(dtype=data.dtype.str, eopf_is_masked=True, fill_value=_json_number(fill))
        array = self.root.create_array(
            path,
            shape=data.shape,
            dtype=data.dtype,
            chunks=chunks or data.shape,
            compressors=self.compressor,
            fill_value=fill,
            attributes={"_ARRAY_DIMENSIONS": dims, "_eopf_attrs": eopf, **attrs},
        )
        array[...] = data

    def files(self) -> dict[str, bytes]:
        """The product's files (paths relative to the ``<Name>.zarr`` folder), consolidated."""
        import zarr

        zarr.consolidate_metadata(self.store, zarr_format=2)
        return {key: value.to_bytes() for key, value in sorted(self._files.items())}


def _json_number(value: Any) -> Any:
    """A fill value as JSON can hold it (NaN as the string EOPF writes)."""
    value = value.item() if isinstance(value, np.generic) else value
    return "NaN" if isinstance(value, float) and np.isnan(value) else value


def random_for(entry: Entry, *parts: Any) -> np.random.Generator:
    """A generator seeded by the product's name and ``parts``: the same bytes every build."""
    text = ":".join([entry.name, *map(str, parts)])
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8]))


def lonlat_grid(entry: Entry, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of a ``rows`` x ``cols`` image spanning the footprint: bilinear
    between its corners (first row along the SW-SE edge, columns west to east)."""
    v = (np.arange(rows) + 0.5)[:, None] / rows
    u = (np.arange(cols) + 0.5)[None, :] / cols
    return footprint_quad(entry).interpolate(u, v)


def stac_discovery(
    entry: Entry, properties: dict[str, Any], extensions: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The root ``stac_discovery`` attribute: the STAC item of the product (``datetime`` null,
    ``start_datetime``/``end_datetime`` set, as the real products)."""
    quad = entry.footprint or {"type": "Polygon", "coordinates": [[]]}
    ring = quad["coordinates"][0] if quad["type"] == "Polygon" else quad["coordinates"][0][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return {
        "assets": {},
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "geometry": {"coordinates": [ring], "type": "Polygon"},
        "id": entry.stem,
        "links": [{"href": "./.zattrs.json", "rel": "self", "type": "application/json"}],
        "properties": {
            "created": _xml.iso(entry.origin, 0, zulu=False) + "+00:00",
            "datetime": None,
            "end_datetime": _xml.iso(entry.end, 6, zulu=False) + "+00:00",
            "start_datetime": _xml.iso(entry.start, 6, zulu=False) + "+00:00",
            **properties,
        },
        "stac_extensions": [
            "https://stac-extensions.github.io/eopf/v1.0.0/schema.json",
            "https://stac-extensions.github.io/sat/v1.0.0/schema.json",
            "https://stac-extensions.github.io/processing/v1.2.0/schema.json",
            "https://stac-extensions.github.io/product/v0.1.0/schema.json",
            *extensions,
        ],
        "stac_version": "1.0.0",
        "type": "Feature",
    }
