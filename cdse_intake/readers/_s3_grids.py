"""Which grid of a Sentinel-3 product each of its files lies on.

OLCI and SYNERGY files are placed by name (image grid ``measurements``, ``tie_points``,
``removed_pixels``, SYNERGY's ``tiepoints_*`` lists, the VEGETATION products' ``ancillary``);
SLSTR files by their grid suffix (stripe + view: ``_in``, ``_tx``...), the GHRSST file of WST
as ``L2P``; SRAL files each on their own (split by rate later, :mod:`._s3_altimetry`). A file
the names do not place joins the grid whose dimension sizes it shares (see :mod:`.sentinel3`
for the grids of each instrument).
"""

from __future__ import annotations

import re
from typing import Any

import xarray as xr

from ._s3_metadata import DataObject

__all__ = ["bad_grid", "grid_order", "place", "planned_grid"]

#: SLSTR grid codes: stripe (a, b: 500 m; i: 1 km; f: fire; t: tie points) + view (n, o, x).
_SLSTR_GRID = re.compile(r"_([abcfit][nox])$")
#: The atmosphere and angle files of the SYNERGY VEGETATION products (``SY_2_V10``, ``VG1``,
#: ``VGP``): in VGP on a coarser longitude grid than the reflectances.
_VGT_ANCILLARY = frozenset({"ag", "og", "saa", "sza", "vaa", "vza", "wvg"})


def planned_grid(kind: str, obj: DataObject) -> str | None:
    """The grid of a file from its name, or None when only its dimensions can tell."""
    stem = obj.stem
    low = stem.lower()
    if kind == "OL":
        if low.startswith("tie_"):
            return "tie_points"
        if low.startswith("removed_pixels"):
            return "removed_pixels"
        return "measurements"
    if kind == "SY":
        if low.startswith("tiepoints_"):
            return stem
        if "removed_pixel" in low or low.endswith("_rem"):
            return "removed_pixels"
        if low in _VGT_ANCILLARY:
            return "ancillary"
        return "measurements"
    if kind == "SL":
        if "L2P_GHRSST" in stem:
            return "L2P"
        match = _SLSTR_GRID.search(stem)
        return match.group(1) if match else None
    if kind == "SR":
        return stem
    return None


def place(
    groups: dict[str, list[tuple[DataObject, xr.Dataset]]], obj: DataObject, ds: xr.Dataset
) -> None:
    """Put a file the names do not place with the grid whose dimension sizes it shares,
    measurement grids first; else in a group of its own named after the file."""
    sizes = dict(ds.sizes)
    if sizes:
        for name in grid_order(groups):
            grid_sizes: dict[Any, int] = {}
            for _, other in groups[name]:
                grid_sizes.update(other.sizes)
            shared = set(sizes) & set(grid_sizes)
            if (
                shared
                and all(sizes[d] == grid_sizes[d] for d in shared)
                and (len(shared) >= 2 or set(sizes) <= set(grid_sizes))
            ):
                groups[name].append((obj, ds))
                return
    groups.setdefault(obj.stem, []).append((obj, ds))


def grid_order(groups: dict[str, list[tuple[DataObject, Any]]]) -> list[str]:
    """Grids holding measurements first, then the others, each in manifest order."""

    def has_measurements(name: str) -> bool:
        return any(o.unit_type == "Measurement Data Unit" for o, _ in groups[name])

    names = list(groups)
    return sorted(names, key=lambda n: (not has_measurements(n), names.index(n)))


def bad_grid(grid: str, names: list[str], product: str) -> str:
    return (
        f"grid={grid!r} is not a grid of {product}; expected one of "
        + ", ".join(repr(n) for n in names)
        + " (or None for the whole DataTree)"
    )
