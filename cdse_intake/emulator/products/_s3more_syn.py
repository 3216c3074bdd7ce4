"""SYNERGY products other than SYN: the SPOT VEGETATION continuity products ``SY_2_V10___``
(10-day synthesis), ``SY_2_VG1___`` (1-day synthesis), ``SY_2_VGP___`` (top-of-atmosphere
segment) and the aerosol product ``SY_2_AOD___``.

Files (real names, as stactools-sentinel3's example items list them)::

    V10, VG1  B0.nc, B2.nc, B3.nc, MIR.nc, NDVI.nc, ag.nc, og.nc, saa.nc, sm.nc, sza.nc,
              tg.nc, vaa.nc, vza.nc, wvg.nc
    VGP       B0.nc, B2.nc, B3.nc, MIR.nc, ag.nc, og.nc, saa.nc, sm.nc, sza.nc, vaa.nc,
              vza.nc, wvg.nc  (the atmosphere and angle files on a 16 times coarser longitude)
    AOD       NRT_AOD.nc or NTC_AOD.nc (super-pixels: AOD_440 … AOD_2250, SSA_*, latitude,
              longitude)

The vegetation products lie on a regular latitude/longitude grid (dimensions ``latitude``,
``longitude``, ``vertices`` for the cell bounds, as the real items' shapes say; coordinate
variables ``lat``/``lon`` with ``lat_bnds``/``lon_bnds`` and a ``crs`` variable: inferred),
here 40 x 60 cells spanning the footprint rather than the real 1/112 degree. Values: the
synthetic Earth's surface reflectance at the VEGETATION bands (B0 450 nm, B2 645 nm, B3 835
nm, MIR 1665 nm), NDVI ``0.004 * DN - 0.08`` as in SPOT VEGETATION, over land; the sea and the
clouds of a 1-day product are fill and flagged in ``SM`` (status map).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import scene
from ..scene.climate import sun_position
from ._netcdf import NcGroup
from ._s3_pixels import SCENE_BANDS, at_wavelengths
from ._s3more_common import Product, finish, nc_file, spec, stored
from ._s3more_single import aod_file
from ._sen3 import variable

__all__ = ["COLUMNS", "ROWS", "VGT_BANDS", "build_syn_more", "grid_axes"]

ROWS, COLUMNS = 40, 60
#: VEGETATION band -> centre (nm).
VGT_BANDS = {"B0": 450.0, "B2": 645.0, "B3": 835.0, "MIR": 1665.0}
_ANCILLARY = ("ag", "og", "saa", "sza", "vaa", "vza", "wvg")
_GRID = ("latitude", "longitude")


def grid_axes(
    product: Product, columns: int = COLUMNS
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Cell-centre latitudes (north to south) and longitudes of the grid over the footprint,
    and the cell sizes (degrees)."""
    quad = product.swath.quad
    lons = [p[0] for p in (quad.sw, quad.se, quad.ne, quad.nw)]
    lats = [p[1] for p in (quad.sw, quad.se, quad.ne, quad.nw)]
    dy, dx = (max(lats) - min(lats)) / ROWS, (max(lons) - min(lons)) / columns
    lat = max(lats) - dy * (np.arange(ROWS) + 0.5)
    lon = min(lons) + dx * (np.arange(columns) + 0.5)
    return lat, (lon + 180.0) % 360.0 - 180.0, dy, dx


def build_syn_more(product: Product) -> dict[str, bytes]:
    """The files of a SYNERGY V10, VG1, VGP or AOD product."""
    kind = product.name["type"]
    attrs = product.attrs(source=f"IPF-SY-2 06.17 {kind}")
    if kind == "SY_2_AOD___":
        files = aod_file(product, attrs, syn=True)
        measured = [next(iter(files))[:-3]]
    else:
        files = _vegetation(product, attrs, kind)
        measured = [*VGT_BANDS, "NDVI"]
    syn = spec(
        'xmlns:synergy="http://www.esa.int/safe/sentinel/sentinel-3/synergy/1.0"',
        "esa/safe/sentinel/sentinel-3/synergy/level-2/1.0",
        f"SENTINEL-3 SYNERGY Level 2 {kind[5:8]} Product",
        ("SYNERGY", "Synergy"),
        "2",
        "Land SYNERGY Processing and Archiving Centre",
    )
    return finish(product, syn, files, measured)


def _axes(g: NcGroup, lat: np.ndarray, lon: np.ndarray, dy: float, dx: float) -> None:
    stored(
        g,
        "lat",
        ("latitude",),
        lat,
        np.float64,
        standard_name="latitude",
        units="degrees_north",
        bounds="lat_bnds",
    )
    stored(
        g,
        "lon",
        ("longitude",),
        lon,
        np.float64,
        standard_name="longitude",
        units="degrees_east",
        bounds="lon_bnds",
    )
    stored(
        g,
        "lat_bnds",
        ("latitude", "vertices"),
        np.stack([lat + dy / 2, lat - dy / 2], axis=1),
        np.float64,
    )
    stored(
        g,
        "lon_bnds",
        ("longitude", "vertices"),
        np.stack([lon - dx / 2, lon + dx / 2], axis=1),
        np.float64,
    )
    variable(
        g,
        "crs",
        ("crs",),
        np.zeros(1, np.int8),
        np.int8,
        grid_mapping_name="latitude_longitude",
        semi_major_axis=6378137.0,
        inverse_flattening=298.257223563,
    )


def _vegetation(product: Product, attrs: dict[str, Any], kind: str) -> dict[str, bytes]:
    lat, lon, _, _ = grid_axes(product)
    glon, glat = np.meshgrid(lon, lat)
    days = 10 if kind == "SY_2_V10___" else 1
    land = scene.is_land(glon, glat)
    # the synthesis keeps each cell's clearest day: a 10-day synthesis is cloud-free
    cloud = scene.cloud_mask(glon, glat, product.when, product.cover if days == 1 else 0.0)
    surface = scene.surface_reflectance(SCENE_BANDS, glon, glat, product.when)
    rho = at_wavelengths(surface, list(VGT_BANDS.values()))
    toa = kind == "SY_2_VGP___"
    valid = (land | toa) & ~cloud
    sza, saa = sun_position(glon, glat, product.when)
    files: dict[str, bytes] = {}

    def write(stem: str, body: Any, columns: int = COLUMNS) -> None:
        cols_lat, cols_lon, cdy, cdx = grid_axes(product, columns)

        def full(g: NcGroup) -> None:
            _axes(g, cols_lat, cols_lon, cdy, cdx)
            body(g)

        dims = {"latitude": ROWS, "longitude": columns, "vertices": 2, "crs": 1}
        files[f"{stem}.nc"] = nc_file(dims, full, attrs, f"SYNERGY {kind[5:8]} {stem}")

    for i, band in enumerate(VGT_BANDS):
        values = rho[i] + (0.05 if toa else 0.0)
        write(
            band,
            lambda g, band=band, values=values: stored(
                g,
                band,
                _GRID,
                np.where(valid, values, np.nan),
                np.int16,
                scale=0.0005,
                fill=-1,
                units="1",
                long_name=f"{'TOA' if toa else 'Surface'} reflectance, band {band}",
            ),
        )
    if not toa:
        ndvi = (rho[2] - rho[1]) / np.maximum(rho[2] + rho[1], 1e-6)
        write(
            "NDVI",
            lambda g: stored(
                g,
                "NDVI",
                _GRID,
                np.where(valid, ndvi, np.nan),
                np.uint8,
                scale=0.004,
                offset=-0.08,
                fill=255,
                units="1",
                long_name="Normalized difference vegetation index",
            ),
        )
        write(
            "tg",
            lambda g: stored(
                g,
                "TG",
                _GRID,
                np.where(valid, (glat * 7 % days).round(), np.nan),
                np.uint8,
                fill=255,
                units="days",
                long_name="Synthesis time (day of the best observation)",
            ),
        )
    # SPOT VEGETATION status map: bits 0-1 cloud, 2 snow/ice, 3 land, 4-7 MIR/B3/B2/B0 good
    status = (cloud * 0b11 | land * 0b1000 | valid * 0b1111_0000).astype(np.uint8)
    write(
        "sm",
        lambda g: variable(
            g,
            "SM",
            _GRID,
            status,
            np.uint8,
            long_name="Status map",
            flag_masks=np.array([3, 4, 8, 16, 32, 64, 128], np.uint8),
            flag_meanings="cloud snow_ice land MIR_good B3_good B2_good B0_good",
        ),
    )
    step = 16 if toa else 1
    columns = COLUMNS // step if toa else COLUMNS
    pick = (slice(None), slice(None, None, step))
    for stem in _ANCILLARY:
        values = {
            "ag": np.full(glat.shape, 0.1),
            "og": np.full(glat.shape, 0.3),
            "wvg": 3.0 + 45.0 * np.cos(np.radians(glat)) ** 3 / 10.0,
            "sza": sza,
            "saa": saa,
            "vza": np.abs(glon - glon.mean()) * 0.5,
            "vaa": np.full(glat.shape, 100.0),
        }[stem][pick][:, :columns]
        scale = {"ag": 0.002, "og": 0.004, "wvg": 0.04}.get(
            stem, 1.5 if stem.endswith("aa") else 0.5
        )
        write(
            stem,
            lambda g, stem=stem, values=values, scale=scale: stored(
                g,
                stem.upper(),
                _GRID,
                values,
                np.uint8,
                scale=scale,
                fill=255,
                units="degrees" if stem.endswith("a") else "1",
            ),
            columns,
        )
    return files
