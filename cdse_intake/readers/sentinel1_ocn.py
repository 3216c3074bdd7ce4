"""Sentinel-1 Level-2 ocean products (``IW_OCN__2S``, ``EW_OCN__2S``, ``WV_OCN__2S``) as a
DataTree, one group per component.

An OCN SAFE holds ``manifest.safe`` and one netCDF file per image
(``measurement/s1a-iw-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001.nc``) whose variables carry
their component's prefix on the component's own dimensions: ocean wind ``owi*``
(``owiAzSize``, ``owiRaSize``), ocean swell spectra ``osw*`` (wave mode and stripmap) and
radial velocity ``rvl*``. The tree has a group ``owi``, ``osw``, ``rvl`` for each component the
file holds, its variables under their own names with the component's latitude and longitude
(``owiLat``, ``owiLon``...) as coordinates; values are decoded (``_FillValue`` as NaN: land and
no-inversion cells of the wind field, swell over land). The root carries the manifest's product
attributes (mission, mode, orbit, times, footprint) and the file's global attributes. Read
lazily through :func:`.netcdf.open_netcdf`, from any source (zip, remote).

Wave mode has one file per vignette (``s1a-wv1-ocn-vv-...-001.nc``, ``s1a-wv2-...-002.nc``...,
odd numbers WV1), all of the same shapes. They are stacked, not one node each: the same groups
``owi``, ``osw``, ``rvl`` as IW and EW, each variable with a leading ``vignette`` dimension
(coordinate: the file's number, 1, 2...) and, along it, the coordinates ``swath`` (``WV1``,
``WV2``) and ``time`` (the vignette's ``firstMeasurementTime``); the file's own dimensions are
kept (``oswAzSize`` = ``oswRaSize`` = 1: ``.squeeze()`` drops them). This is how wave-mode users
read the product: IFREMER's WV tools open the vignette files with ``xarray.open_mfdataset``
concatenated along one dimension (``time``), so series along the orbit (``oswHs``, the spectra
``oswPolSpec`` on ``(oswAngularBinSize, oswWavenumberBinSize)``) are one array; per vignette:
``tree["osw"].sel(vignette=3)``. The spectrum's axes ``oswK`` and ``oswPhi``, the same in every
file, are coordinates without the ``vignette`` dimension. Per-vignette global attributes
(``swath``, measurement times) leave the root for those coordinates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr

from ..errors import UnsupportedProduct
from ._closing import closing
from ._s1_safe import parse_manifest
from ._subset import names, select_tree
from .netcdf import checked_chunks, checked_manager, open_netcdf
from .source import ProductSource

__all__ = ["COMPONENTS", "open"]

#: The components of an OCN file by variable prefix, in the product specification's order.
COMPONENTS = ("owi", "osw", "rvl")
#: A wave-mode vignette file: ``s1a-wv1-ocn-vv-...-001.nc`` (its beam and number).
_VIGNETTE = re.compile(r"s1[a-d]-(?P<swath>wv[12])-ocn-[^/]*-(?P<number>\d{3})\.nc$")
#: Global attributes of a vignette file that differ between vignettes.
_PER_VIGNETTE = ("swath", "firstMeasurementTime", "lastMeasurementTime")


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
) -> xr.DataTree:
    """The OCN product of ``source`` as a lazy DataTree (groups ``owi``, ``osw``, ``rvl``; in
    wave mode the vignette files stacked along ``vignette``, which ``chunks`` may also name).

    ``variables``: only these data variables (``["owiWindSpeed"]``); every component group
    stays, with its coordinates. A product without an OCN netCDF, or with a file holding no
    component, is refused naming it.
    """
    wanted = names(variables, "['owiWindSpeed']")
    found = sorted(source.find("measurement/s1?-*-ocn-*.nc") or source.find("s1?-*-ocn-*.nc"))
    if not found:
        raise UnsupportedProduct(
            f"{source.location} is not a Sentinel-1 OCN product: no measurement/*-ocn-*.nc file"
        )
    # vignettes in their numbers' order (by name, all WV1 files would come first)
    wave = sorted((r for r in found if _VIGNETTE.search(r)), key=lambda r: r.rsplit("-", 1)[-1])
    files = wave or found[:1]
    stack = {}
    if wave and isinstance(chunks, Mapping) and "vignette" in chunks:
        stack = {"vignette": chunks["vignette"]}
        chunks = {k: v for k, v in chunks.items() if k != "vignette"}
    manager = checked_manager(source, files[0], "a Sentinel-1 OCN netCDF file")
    chunks = checked_chunks(chunks, source, files[0], manager, ["/"], "the OCN components")
    datasets = []
    for rel in files:
        if rel != files[0]:
            checked_manager(source, rel, "a Sentinel-1 OCN netCDF file")
        datasets.append(open_netcdf(source, rel, chunks=chunks))
    groups = _components(datasets[0])
    if not groups:
        for ds in datasets:
            ds.close()
        raise UnsupportedProduct(
            f"{source.location}/{files[0]} holds no OCN component (variables owi*, osw*, rvl*)"
        )
    if wave:
        groups = _stacked(files, datasets, list(groups))
        if stack:
            groups = {k: v.chunk(stack) for k, v in groups.items()}
    what = "the OCN vignette files" if wave else f"the OCN file {files[0].rsplit('/', 1)[-1]}"
    groups = select_tree(groups, wanted, what)
    root = xr.Dataset(attrs=_attributes(source, datasets[0], wave=bool(wave)))
    tree = xr.DataTree.from_dict({"/": root, **{f"/{k}": v for k, v in groups.items()}})
    return closing(tree, datasets)


def _stacked(files: list[str], datasets: list[xr.Dataset], prefixes: list[str]) -> dict:
    """The components of the wave-mode vignette files, stacked along ``vignette``."""
    import numpy as np
    import pandas as pd

    numbers, swaths, times = [], [], []
    for rel, ds in zip(files, datasets, strict=True):
        m = _VIGNETTE.search(rel)
        numbers.append(int(m.group("number")))
        swaths.append(m.group("swath").upper())
        first = str(ds.attrs.get("firstMeasurementTime", ""))
        times.append(pd.Timestamp(first.rstrip("Z")).to_datetime64() if first else np.nan)
    index = pd.Index(numbers, name="vignette")
    out = {}
    for prefix in prefixes:
        parts = [_components(ds)[prefix] for ds in datasets]
        along = [n for n in parts[0].coords if str(n) in (f"{prefix}Lat", f"{prefix}Lon")]
        stacked = xr.concat(
            parts, index, data_vars="all", coords=along, compat="override", join="exact"
        )
        out[prefix] = stacked.assign_coords(
            swath=("vignette", swaths), time=("vignette", np.array(times, "datetime64[ns]"))
        )
    return out


def _components(ds: xr.Dataset) -> dict[str, xr.Dataset]:
    """The file's variables by component, each with its latitude and longitude as coordinates."""
    out = {}
    for prefix in COMPONENTS:
        members = [str(n) for n in ds.data_vars if str(n).startswith(prefix)]
        if not members:
            continue
        part = ds[members]
        part.attrs = {}
        axes = ("oswK", "oswPhi") if prefix == "osw" else ()  # the spectrum's axes
        coords = [n for n in (f"{prefix}Lat", f"{prefix}Lon", *axes) if n in part.data_vars]
        out[prefix] = part.set_coords(coords)
    return out


def _attributes(source: ProductSource, ds: xr.Dataset, *, wave: bool) -> dict[str, Any]:
    """The manifest's product attributes (when the product has one), then the file's own (in
    wave mode, those the vignettes share)."""
    attrs: dict[str, Any] = {}
    if source.exists("manifest.safe"):
        meta = parse_manifest(source.read_bytes("manifest.safe"), name=source.name)
        attrs.update(meta.attrs())
    attrs["product_type"] = "OCN"
    attrs["processing_level"] = "LEVEL2"
    attrs["components"] = [p for p in COMPONENTS if any(str(n).startswith(p) for n in ds)]
    for key, value in ds.attrs.items():
        if not (wave and key in _PER_VIGNETTE):
            attrs.setdefault(key, value)
    return attrs
