"""Sentinel-1 GRD products (SAFE) as one geocoded (time, y, x) cube of backscatter.

Each product is opened with the Sentinel-1 reader (radar geometry: ``y``/``x`` are azimuth lines
and range pixels, georeferenced only by the annotation's geolocation grid) and geocoded onto the
cube's grid from its ground control points (:mod:`._s1_geocode`: GDAL's warp through odc-geo,
reading only the lines and pixels the grid needs). Geocoding is on the ellipsoid, as the
geolocation grid is: no terrain correction, no thermal-noise removal.

Options: ``calibration=`` ``"sigma0"`` (default), ``"beta0"`` or ``"gamma0"`` (float32 linear
backscatter ``|DN|² / A²``, the product's own LUT ``A``), or None (the detected amplitude, the
digital numbers, as float32); ``polarisations=`` (``"VV"``, ``["VV", "VH"]``), the same as
``variables=``. Variables are the polarisations, by default those every product has. A pixel
with DN 0 (the zero fill of a GRD's edges) is no-data, NaN, as is everything outside the image.

The grid defaults to the UTM zone most products' centres are in, 20 m pixels (IW GRDH's pixel
spacing is 10 m, its resolution ~20 m) and the union of the products' footprints (their
geolocation grids' outlines). Only GRD is geocoded: SLC (bursts, slant range, complex samples)
is refused, to be opened with ``open_product()``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ..readers import sentinel1 as reader
from ._s1_geocode import footprint, geocode, source_window
from .grid import crs_name, target_geobox
from .mosaic import Layer, stack
from .request import CubeRequest
from .sources import Item
from .warp import empty_like_grid

__all__ = ["CALIBRATIONS", "OPTIONS", "load"]

#: The keyword options load() takes for Sentinel-1.
OPTIONS = ("calibration", "polarisations")
#: ``calibration=`` values and what the variables then hold (None: the digital numbers).
CALIBRATIONS: dict[str | None, str] = {
    "sigma0": "sigma nought (radar backscatter per unit ground area)",
    "beta0": "beta nought (radar brightness per unit slant-range area)",
    "gamma0": "gamma nought (backscatter per unit area normal to the look direction)",
    None: "detected amplitude (digital numbers, uncalibrated)",
}
#: The cube's default pixel size, metres.
RESOLUTION = 20.0
#: CF's standard name of sigma nought.
_SIGMA0_STANDARD_NAME = "surface_backwards_scattering_coefficient_of_radar_wave"


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The cube of ``items`` (Sentinel-1 GRD SAFE products) as ``request`` asks."""
    calibration = _calibration(request.options)
    asked = _asked_polarisations(request.variables, request.options)
    metas = [reader.read_metadata(i.source) for i in items]
    for item, md in zip(items, metas, strict=True):
        if md.product_type != "GRD":
            raise UnsupportedProduct(
                f"{item.name} is a Sentinel-1 {md.product_type} product; load() geocodes GRD "
                "products only (IW/EW/SM GRDH, GRDM): search product_type='IW_GRDH_1S', or open "
                f"{md.product_type} products one by one with open_product()"
            )
    wanted = _variables(asked, items, metas)
    nodes = [
        _open(item, [p for p in wanted if p in md.polarisations], calibration)
        for item, md in zip(items, metas, strict=True)
    ]
    outlines = [footprint(ds) for ds in nodes]
    geobox = target_geobox(
        request, outlines, native_resolution=RESOLUTION, default_crs=_utm(outlines)
    )
    layers = []
    for item, ds in zip(items, nodes, strict=True):
        layer = _layer(item, ds, wanted, calibration, geobox, request)
        if layer is not None:
            layers.append(layer)
    if not layers:
        west, south, east, north = geobox.geographic_extent.boundingbox.bbox
        raise ValueError(
            f"none of the {len(items)} products covers the cube's area (lon {west:.3f} to "
            f"{east:.3f}, lat {south:.3f} to {north:.3f}): check bbox=/geobox="
        )
    cube = stack(layers, request.groupby)
    cube.attrs.update(
        {
            "title": f"Sentinel-1 GRD {calibration or 'amplitude'} cube",
            "crs": crs_name(geobox.crs),
            "calibration": calibration or "none (digital numbers)",
            "resampling": request.resampling,
            "geocoding": "GCPs of the annotation geolocation grid, thin-plate spline (GDAL), "
            "ellipsoid heights: no terrain correction",
            "thermal_noise": "not removed",
        }
    )
    return cube


def _calibration(options: Mapping[str, Any]) -> str | None:
    value = options.get("calibration", "sigma0")
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in CALIBRATIONS:
        return value.strip().lower()
    raise ValueError(
        f"calibration={value!r}: expected 'sigma0' (default), 'beta0' or 'gamma0' (linear "
        "backscatter), or None (the detected amplitude, uncalibrated)"
    )


def _asked_polarisations(
    variables: tuple[str, ...] | None, options: Mapping[str, Any]
) -> list[str] | None:
    """``variables=`` or ``polarisations=`` (one name for the same choice), checked."""
    pols = options.get("polarisations")
    if pols is not None and variables is not None:
        raise ValueError(
            f"variables={list(variables)!r} and polarisations={pols!r}: give one (for "
            "Sentinel-1 the variables are the polarisations)"
        )
    asked = pols if pols is not None else variables
    if asked is None:
        return None
    if isinstance(asked, str):
        asked = [p for p in asked.replace(",", " ").replace("+", " ").split() if p]
    if isinstance(asked, (list, tuple)) and asked and all(isinstance(p, str) for p in asked):
        out = [p.strip().upper() for p in asked]
        bad = [p for p, o in zip(asked, out, strict=True) if o not in ("VV", "VH", "HH", "HV")]
        if not bad:
            return list(dict.fromkeys(out))
        asked = bad
    raise ValueError(
        f"polarisations/variables {asked!r}: expected Sentinel-1 polarisations, some of VV, VH, "
        "HH, HV (e.g. 'VV' or ['VV', 'VH'])"
    )


def _variables(asked: list[str] | None, items: Sequence[Item], metas: Sequence[Any]) -> list[str]:
    """The cube's variables: those asked that some product has, else those all products have."""
    have = [tuple(p.upper() for p in md.polarisations) for md in metas]
    if asked is None:
        common = [p for p in have[0] if all(p in h for h in have)]
        if not common:
            listed = "; ".join(f"{i.name}: {'+'.join(h)}" for i, h in zip(items, have, strict=True))
            raise ValueError(
                f"the products have no polarisation in common ({listed}): give polarisations="
            )
        return common
    absent = [p for p in asked if not any(p in h for h in have)]
    if absent:
        raise ValueError(
            f"polarisations: no product has {', '.join(absent)}; they have "
            + ", ".join(sorted({p for h in have for p in h}))
        )
    return asked


def _open(item: Item, polarisations: list[str], calibration: str | None) -> xr.Dataset:
    """The GRD image node (lazy) with ``polarisations``; only the geolocation grid if none."""
    tree = reader.open(  # no dask yet: geocode() cuts the image to the grid's window first
        item.source,
        chunks=None,
        calibration=calibration,
        polarisations=polarisations or None,
    )
    ds = tree.to_dataset()
    if not polarisations:
        ds = ds.drop_vars([n for n, v in ds.data_vars.items() if v.dims == ("y", "x")])
    return ds


def _utm(outlines: Sequence[Any]) -> Any:
    """The UTM zone most products' centres are in (ties: the first product's)."""
    from odc.geo.crs import CRS

    zones = [CRS.utm(o.extent.centroid) for o in outlines]
    counts = Counter(str(z) for z in zones)
    best = max(counts.values())
    return next(z for z in zones if counts[str(z)] == best)


def _layer(
    item: Item,
    ds: xr.Dataset,
    wanted: list[str],
    calibration: str | None,
    geobox: Any,
    request: CubeRequest,
) -> Layer | None:
    if source_window(ds, geobox) is None:
        return None  # the product is beside the cube's area
    arrays = {}
    for pol in wanted:
        if pol in ds.data_vars:
            image = ds[pol].copy(deep=False)
            image.attrs = _attrs(pol, calibration)
            arrays[pol] = geocode(image, ds, geobox, resampling=request.resampling)
        else:  # another product of the cube has it: no data here
            nothing = xr.DataArray(
                np.empty((0, 0), np.float32), dims=("y", "x"), attrs=_attrs(pol, calibration)
            )
            arrays[pol] = empty_like_grid(nothing, geobox, None)
    data = xr.Dataset(arrays)
    valid = data[wanted[0]].notnull()
    for pol in wanted[1:]:
        valid = valid | data[pol].notnull()
    if "time" in ds.coords:
        time = np.datetime64(ds["time"].values, "ns")
    elif item.start is not None:
        time = np.datetime64(item.start.replace(tzinfo=None), "ns")
    else:
        raise ValueError(f"{item.name}: no acquisition time in its metadata")
    lon = item.centre_lon
    if lon is None:
        lon = float(footprint(ds).extent.centroid.coords[0][0])
    return Layer(time=time, name=item.name, data=data, valid=valid, lon=lon)


def _attrs(pol: str, calibration: str | None) -> dict[str, str]:
    attrs = {
        "units": "1",
        "long_name": f"{CALIBRATIONS[calibration]}, {pol}" + (", linear" if calibration else ""),
        "polarisation": pol,
        "calibration": calibration or "none",
    }
    if calibration == "sigma0":
        attrs["standard_name"] = _SIGMA0_STANDARD_NAME
    return attrs
