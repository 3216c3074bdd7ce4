"""Sentinel-6 Michael Freilich products (SEN6): Poseidon-4 altimetry and AMR-C radiometry.

A product is a folder ``<Name>.SEN6/`` with ``xfdumanifest.xml``, ``manifest.safe``,
``EOPMetadata.xml`` and its measurement netCDF-4 files:

- ``P4_2__LR`` (Level 2): ``…_P4_2__LR_STD__…nc`` (standard: 1 Hz and 20 Hz) and
  ``…_P4_2__LR_RED__…nc`` (reduced: 1 Hz only);
- ``P4_1B_LR`` (Level 1B): one file of waveforms, ``measurement.nc`` in CDSE's products
  (``…_P4_1B_LR______…nc`` also accepted);
- ``MW_2__AMR`` (AMR-C Level 2): ``…_MW_2__AMR_STD__…nc``.

Each file is groups of along-track records: ``data_01`` (1 Hz) and ``data_20`` (20 Hz), with a
``ku`` and a ``c`` subgroup per radar band. As xarray: the DataTree of the chosen file, one node
per group, root attributes the file's global attributes. Every node's ``time`` is decoded to
datetimes (UTC); ``latitude``/``longitude`` (degrees, longitudes 0..360 east as the files store
them) are coordinates of their group and of its band subgroups (DataTree itself only inherits
indexed coordinates). Packed values are decoded (scale_factor, add_offset, fill as NaN).

``measurement="standard"|"reduced"`` chooses the L2 file (standard by default).
``open_product(..., group="data_01")`` (or ``"data_01/ku"``, ``"data_20/ku"`` …) returns one group
as a Dataset, with the coordinates it inherits.
"""

from __future__ import annotations

import re
from typing import Any

import xarray as xr

from ..errors import ProductNotFound, UnsupportedProduct
from ._closing import closing
from .netcdf import file_manager, group_paths, open_netcdf_tree
from .source import ProductSource

__all__ = ["NAME", "measurement_files", "open"]

NAME = re.compile(r"^S6[AB]_(MW|P4)_")
#: measurement= value -> the marker of its file name.
MEASUREMENTS = {"standard": "_STD_", "reduced": "_RED_"}
COORDS = ("latitude", "longitude")


def measurement_files(source: ProductSource) -> dict[str, str]:
    """The product's measurement files by kind: ``standard``/``reduced`` (L2, AMR-C's is
    ``standard``) or ``measurement`` (L1B)."""
    out: dict[str, str] = {}
    for rel in source.find("*.nc"):
        base = rel.rsplit("/", 1)[-1]
        if base.lower() == "measurement.nc" or "_1B_" in base:
            out.setdefault("measurement", rel)
            continue
        for kind, marker in MEASUREMENTS.items():
            if marker in base:
                out.setdefault(kind, rel)
    if not out:
        have = ", ".join(source.files()[:8]) or "nothing"
        raise UnsupportedProduct(
            f"{source.location}: no Sentinel-6 measurement file (*_STD_*.nc, *_RED_*.nc or "
            f"measurement.nc) in the product; it holds {have}"
        )
    return out


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    measurement: str | None = None,
) -> xr.DataTree:
    """The measurement file of ``source`` as a lazy DataTree (see the module docstring)."""
    rel = _choose(source, measurement)
    manager = file_manager(source, rel)
    try:
        paths = group_paths(source, rel, manager)
    except ProductNotFound:
        raise
    except (OSError, ValueError) as err:
        raise UnsupportedProduct(
            f"{source.location}/{rel} is not a readable netCDF-4/HDF5 file: {err}"
        ) from err
    if len(paths) < 2:
        raise UnsupportedProduct(
            f"{source.location}/{rel} has no data_01/data_20 groups: not a Sentinel-6 "
            "measurement file"
        )
    tree = open_netcdf_tree(source, rel, chunks=chunks, manager=manager)
    datasets: dict[str, xr.Dataset] = {}
    shared: dict[str, dict[str, xr.Variable]] = {}
    for node in tree.subtree:  # parents before children
        ds = node.to_dataset(inherit=False)
        parent = node.parent.path if node.parent is not None else ""
        ds, shared[node.path] = _with_coords(ds, shared.get(parent, {}))
        datasets[node.path] = ds
    result = xr.DataTree.from_dict(datasets)
    result.attrs = dict(tree.attrs)
    result.attrs.setdefault("product_name", rel.rsplit("/", 1)[-1])
    return closing(result, [tree])


def _choose(source: ProductSource, measurement: str | None) -> str:
    files = measurement_files(source)
    if measurement is None:
        for kind in ("standard", "measurement", "reduced"):
            if kind in files:
                return files[kind]
    if measurement not in MEASUREMENTS and measurement != "measurement":
        raise ValueError(
            f"measurement={measurement!r}: expected 'standard' or 'reduced' (Level-2 files), "
            "or None for the product's main file"
        )
    if measurement not in files:
        raise UnsupportedProduct(
            f"measurement={measurement!r}: {source.location} has no such file; it has "
            + ", ".join(f"{k} ({v})" for k, v in files.items())
        )
    return files[measurement]


def _with_coords(
    ds: xr.Dataset, inherited: dict[str, xr.Variable]
) -> tuple[xr.Dataset, dict[str, xr.Variable]]:
    """``latitude``/``longitude`` as coordinates, given to band subgroups from their parent."""
    own = [name for name in COORDS if name in ds.data_vars]
    ds = ds.set_coords(own)
    if not own and "time" in ds.dims:
        ds = ds.assign_coords(
            {
                name: var
                for name, var in inherited.items()
                if name not in ds.variables and var.sizes == {"time": ds.sizes["time"]}
            }
        )
    shared = {name: ds[name].variable for name in COORDS if name in ds.coords}
    return ds, shared or inherited
