"""Sentinel-6 Michael Freilich products (SEN6): Poseidon-4 altimetry and AMR-C radiometry.

A product is a folder ``<Name>.SEN6/`` with ``xfdumanifest.xml``, ``manifest.safe``,
``EOPMetadata.xml`` and its measurement netCDF-4 files:

- ``P4_2__LR`` (Level 2): ``…_P4_2__LR_STD__…nc`` (standard: 1 Hz and 20 Hz) and
  ``…_P4_2__LR_RED__…nc`` (reduced: 1 Hz only);
- ``P4_1B_LR`` (Level 1B): one file of waveforms, ``measurement.nc`` in CDSE's products
  (``…_P4_1B_LR______…nc`` also accepted);
- ``MW_2__AMR`` (AMR-C Level 2): ``…_MW_2__AMR_STD__…nc``.

A product may lack some of its files (only those fetched): it opens with the measurement file
it has, one :class:`~cdse_intake.errors.PartialProductWarning` naming the files
``xfdumanifest.xml`` lists that are absent; with none, as metadata only (the manifest's product
name, type, times, orbit, cycle and footprint as attributes of an empty DataTree).

Each file is groups of along-track records: ``data_01`` (1 Hz) and ``data_20`` (20 Hz), with a
``ku`` and a ``c`` subgroup per radar band. As xarray: the DataTree of the chosen file, one node
per group, root attributes the file's global attributes. Every node's ``time`` is decoded to
datetimes (UTC); ``latitude``/``longitude`` (degrees, longitudes 0..360 east as the files store
them) are coordinates of their group and of its band subgroups (DataTree itself only inherits
indexed coordinates). Packed values are decoded (scale_factor, add_offset, fill as NaN).

``measurement="standard"|"reduced"`` chooses the L2 file (standard by default);
``variables=["ssha"]`` keeps only those data variables; ``scale=False`` keeps the stored numbers
with their packing attributes.
``open_product(..., group="data_01")`` (or ``"data_01/ku"``, ``"data_20/ku"`` …) returns one group
as a Dataset, with the coordinates it inherits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xarray as xr

from ..errors import ProductNotFound, UnsupportedProduct
from ._closing import closing
from ._partial import warn_missing
from ._s6_manifest import MANIFEST, S6Manifest, read_manifest
from ._subset import names, select_tree
from .families import NAMES
from .netcdf import checked_chunks, checked_manager, group_paths, open_netcdf_tree
from .options import check_bool, check_chunks
from .source import ProductSource

__all__ = ["NAME", "measurement_files", "open"]

NAME = NAMES["sentinel-6"]
#: measurement= value -> the marker of its file name.
MEASUREMENTS = {"standard": "_STD_", "reduced": "_RED_"}
COORDS = ("latitude", "longitude")
#: The ``kind`` of :func:`._partial.warn_missing` when no measurement file is present.
METADATA_ONLY = "measurement files (all of them: opened as metadata only, from the manifest)"


def measurement_files(source: ProductSource) -> dict[str, str]:
    """The product's measurement files by kind: ``standard``/``reduced`` (L2, AMR-C's is
    ``standard``) or ``measurement`` (L1B)."""
    out = _kinds(source.find("*.nc"))
    if not out:
        have = ", ".join(source.files()[:8]) or "nothing"
        raise UnsupportedProduct(
            f"{source.location}: no Sentinel-6 measurement file (*_STD_*.nc, *_RED_*.nc or "
            f"measurement.nc) in the product; it holds {have}"
        )
    return out


def _kinds(rels: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rel in rels:
        base = rel.rsplit("/", 1)[-1]
        if base.lower() == "measurement.nc" or "_1B_" in base:
            out.setdefault("measurement", rel)
            continue
        for kind, marker in MEASUREMENTS.items():
            if marker in base:
                out.setdefault(kind, rel)
    return out


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
    measurement: str | None = None,
) -> xr.DataTree:
    """The measurement file of ``source`` as a lazy DataTree (see the module docstring).

    ``variables``: only these data variables (``["ssha", "swh_ocean"]``), in whichever groups
    hold them; every group keeps its coordinates. ``scale=False``: the stored numbers with their
    ``scale_factor``/``add_offset``/``_FillValue`` attributes (coordinates too).

    Absent files: the measurement files ``xfdumanifest.xml`` lists but the product lacks are
    named by one :class:`~cdse_intake.errors.PartialProductWarning` (unless ``measurement=``
    chose another file); without its main file the product opens the one it has (the reduced
    L2 file); with none, as metadata only (the manifest's attributes, no group). An empty or
    damaged measurement file is refused naming it.
    """
    wanted = names(variables, "['ssha']")
    scale = check_bool("scale", scale)
    _check_measurement(measurement)
    manifest = read_manifest(source)
    present = _kinds(source.find("*.nc"))
    absent = _absent(manifest, source)
    if not present and manifest is not None and manifest.files:
        check_chunks(chunks)  # a bad value is refused, also with nothing to chunk
        warn_missing(source.location, absent or manifest.files, METADATA_ONLY)
        return _metadata_only(manifest)
    # without a manifest listing them, no measurement file is no SEN6 product: refused
    rel = _choose(source, present or measurement_files(source), measurement, absent)
    if measurement is None:
        warn_missing(source.location, absent)
    manager = checked_manager(source, rel, "a Sentinel-6 measurement netCDF-4 file")
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
    chunks = checked_chunks(chunks, source, rel, manager, paths, "the measurement variables")
    tree = open_netcdf_tree(source, rel, chunks=chunks, manager=manager, mask_and_scale=scale)
    datasets: dict[str, xr.Dataset] = {}
    shared: dict[str, dict[str, xr.Variable]] = {}
    for node in tree.subtree:  # parents before children
        ds = node.to_dataset(inherit=False)
        parent = node.parent.path if node.parent is not None else ""
        ds, shared[node.path] = _with_coords(ds, shared.get(parent, {}))
        datasets[node.path] = ds
    datasets = select_tree(datasets, wanted, f"{source.location}/{rel}")
    result = xr.DataTree.from_dict(datasets)
    result.attrs = dict(tree.attrs)
    result.attrs.setdefault("product_name", rel.rsplit("/", 1)[-1])
    return closing(result, [tree])


def _check_measurement(measurement: str | None) -> None:
    if measurement is not None and measurement not in (*MEASUREMENTS, "measurement"):
        raise ValueError(
            f"measurement={measurement!r}: expected 'standard' or 'reduced' (Level-2 files), "
            "or None for the product's main file"
        )


def _absent(manifest: S6Manifest | None, source: ProductSource) -> list[str]:
    """The measurement files the manifest lists that the product lacks: neither the file nor
    one of its kind (CDSE's L1B products name theirs ``measurement.nc``) is present."""
    if manifest is None:
        return []
    rels = source.find("*.nc")
    have = {rel.rsplit("/", 1)[-1].lower() for rel in rels}
    kinds = set(_kinds(rels))
    return [
        f
        for f in manifest.files
        if f.rsplit("/", 1)[-1].lower() not in have and not set(_kinds([f])) & kinds
    ]


def _choose(
    source: ProductSource, files: dict[str, str], measurement: str | None, absent: list[str]
) -> str:
    if measurement is None:
        for kind in ("standard", "measurement", "reduced"):
            if kind in files:
                return files[kind]
    if measurement not in files:
        gone = _kinds(absent).get(str(measurement))
        why = f"its file {gone} is absent (a partial product)" if gone else "it has no such file"
        raise UnsupportedProduct(
            f"measurement={measurement!r}: {why} in {source.location}; it has "
            + ", ".join(f"{k} ({v})" for k, v in files.items())
        )
    return files[str(measurement)]


def _metadata_only(manifest: S6Manifest) -> xr.DataTree:
    """The product without measurement files: the manifest's attributes, no group."""
    tree = xr.DataTree(xr.Dataset(attrs=dict(manifest.attrs)))
    tree.attrs["cdse_metadata_only"] = f"no measurement file: attributes from {MANIFEST}"
    return tree


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
