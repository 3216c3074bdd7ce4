"""Sentinel-1 Level-2 ocean products (``IW_OCN__2S``, ``EW_OCN__2S``, ``WV_OCN__2S``) as a
DataTree, one group per component.

An OCN SAFE holds ``manifest.safe`` and one netCDF file per image
(``measurement/s1a-iw-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001.nc``) whose variables carry
their component's prefix on the component's own dimensions: ocean wind ``owi*``
(``owiAzSize``, ``owiRaSize``), ocean swell spectra ``osw*`` (wave mode and stripmap) and
radial velocity ``rvl*``. The tree has a group ``owi``, ``osw``, ``rvl`` for each component the
file holds, its variables under their own names with the component's latitude and longitude
(``owiLat``, ``owiLon``...) as coordinates; values are decoded (``_FillValue`` as NaN: land and
no-inversion cells of the wind field). The root carries the manifest's product attributes
(mission, mode, orbit, times, footprint) and the file's global attributes. Read lazily through
:func:`.netcdf.open_netcdf`, from any source (zip, remote).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
) -> xr.DataTree:
    """The OCN product of ``source`` as a lazy DataTree (groups ``owi``, ``osw``, ``rvl``).

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
    rel = found[0]
    manager = checked_manager(source, rel, "a Sentinel-1 OCN netCDF file")
    chunks = checked_chunks(chunks, source, rel, manager, ["/"], "the OCN components")
    ds = open_netcdf(source, rel, chunks=chunks)
    groups = _components(ds)
    if not groups:
        ds.close()
        raise UnsupportedProduct(
            f"{source.location}/{rel} holds no OCN component (variables owi*, osw*, rvl*)"
        )
    groups = select_tree(groups, wanted, f"the OCN file {rel.rsplit('/', 1)[-1]}")
    root = xr.Dataset(attrs=_attributes(source, ds))
    tree = xr.DataTree.from_dict({"/": root, **{f"/{k}": v for k, v in groups.items()}})
    return closing(tree, [ds])


def _components(ds: xr.Dataset) -> dict[str, xr.Dataset]:
    """The file's variables by component, each with its latitude and longitude as coordinates."""
    out = {}
    for prefix in COMPONENTS:
        members = [str(n) for n in ds.data_vars if str(n).startswith(prefix)]
        if not members:
            continue
        part = ds[members]
        part.attrs = {}
        coords = [n for n in (f"{prefix}Lat", f"{prefix}Lon") if n in part.data_vars]
        out[prefix] = part.set_coords(coords)
    return out


def _attributes(source: ProductSource, ds: xr.Dataset) -> dict[str, Any]:
    """The manifest's product attributes (when the product has one), then the file's own."""
    attrs: dict[str, Any] = {}
    if source.exists("manifest.safe"):
        meta = parse_manifest(source.read_bytes("manifest.safe"), name=source.name)
        attrs.update(meta.attrs())
    attrs["product_type"] = "OCN"
    attrs["processing_level"] = "LEVEL2"
    attrs["components"] = [p for p in COMPONENTS if any(str(n).startswith(p) for n in ds)]
    for key, value in ds.attrs.items():
        attrs.setdefault(key, value)
    return attrs
