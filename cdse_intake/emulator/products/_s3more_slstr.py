"""SLSTR products other than LST: Level-1 ``SL_1_RBT___`` and Level-2 ``SL_2_FRP___``,
``SL_2_WST___``, ``SL_2_AOD___`` (the last two single files: :mod:`._s3more_single`).

Files, on the grids of :mod:`._s3more_slstr_grids`::

    RBT  S1-S3_radiance_an/ao, S4-S6_radiance_an/ao/bn/bo, S7-S9_BT_in/io, F1_BT_fn/fo,
         F2_BT_in/io, each with its <band>_quality_<grid>.nc; geodetic_, cartesian_, indices_,
         flags_ of every grid; geodetic_tx, cartesian_tx, met_tx, geometry_tn/to,
         time_an/bn/in, viscal
    FRP  FRP_in (one row per fire), the geodetic_/cartesian_/indices_/flags_ files of the
         in and fn grids, geodetic_tx, cartesian_tx, met_tx, geometry_tn, time_in

The FRP set is the one eometadatatool's SLSTR template titles (:mod:`..stac.layout_s3`); the
RBT set and the variable names (``S1_radiance_an``, ``S1_exception_an``, ``S8_BT_in``,
``S1_solar_irradiance_an``, ``FRP_MWIR``...) are the SLSTR Level-1/FRP names as known from the
product descriptions, not checked against a real product here; packing is inferred.
Radiances are the synthetic Earth's surface reflectance at the band centres (bright over
clouds) lit by the sun; brightness temperatures its skin temperature (240 K on cloud tops);
fires lie on the hottest clear land pixels.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from .. import scene
from ._netcdf import NcGroup
from ._s3_pixels import SCENE_BANDS, at_wavelengths
from ._s3more_common import Product, finish, nc_file, seeded, spec, stored
from ._s3more_single import aod_file, wst_file
from ._s3more_slstr_grids import IMAGE, Grid, Grids, annotations, grid_nc, tie_files
from ._sen3 import variable

__all__ = ["BANDS", "build_slstr", "rbt_files"]

#: Band -> (centre nm, grids, solar flux mW m-2 nm-1 or None for thermal bands).
BANDS: dict[str, tuple[float, tuple[str, ...], float | None]] = {
    "S1": (554.27, ("an", "ao"), 1837.0),
    "S2": (659.47, ("an", "ao"), 1525.0),
    "S3": (868.0, ("an", "ao"), 956.0),
    "S4": (1374.8, ("an", "ao", "bn", "bo"), 366.0),
    "S5": (1613.4, ("an", "ao", "bn", "bo"), 248.0),
    "S6": (2255.7, ("an", "ao", "bn", "bo"), 78.0),
    "S7": (3742.0, ("in", "io"), None),
    "S8": (10854.0, ("in", "io"), None),
    "S9": (12022.5, ("in", "io"), None),
    "F1": (3742.0, ("fn", "fo"), None),
    "F2": (10854.0, ("in", "io"), None),
}


def build_slstr(product: Product) -> dict[str, bytes]:
    """The files of an SLSTR RBT, FRP, WST or AOD product."""
    kind = product.name["type"]
    grids = Grids(product)
    attrs = product.attrs(
        resolution="[ 500 500 ]" if kind == "SL_1_RBT___" else "[ 1000 1000 ]",
        source=f"IPF-SL-{kind[3]} 06.17",
    )
    if kind == "SL_1_RBT___":
        files, measured = rbt_files(grids, attrs), [f[:-3] for f in _rbt_measurements()]
    elif kind == "SL_2_FRP___":
        files = _frp(product, grids, attrs)
        measured = ["FRP_in"]
    elif kind == "SL_2_WST___":
        files = wst_file(product, grids["in"], attrs)
        measured = [next(iter(files))[:-3]]
    else:
        files = aod_file(product, attrs, syn=False)
        measured = [next(iter(files))[:-3]]
    level = kind[3]
    text = f"SENTINEL-3 SLSTR Level {level} {kind[5:8]} Product"
    slstr = spec(
        'xmlns:slstr="http://www.esa.int/safe/sentinel/sentinel-3/slstr/1.0"',
        f"esa/safe/sentinel/sentinel-3/slstr/level-{level}/1.0",
        text,
        ("SLSTR", "Sea and Land Surface Temperature Radiometer"),
        level,
        "Land SLSTR Processing and Archiving Centre",
    )
    return finish(product, slstr, files, measured)


def _rbt_measurements() -> list[str]:
    names = []
    for band, (_, codes, flux) in BANDS.items():
        kind = "radiance" if flux else "BT"
        names += [f"{band}_{kind}_{code}.nc" for code in codes]
    return names


def rbt_files(grids: Grids, attrs: dict[str, Any]) -> dict[str, bytes]:
    """The files of a Level-1 RBT product."""
    files: dict[str, bytes] = {}
    for code in ("an", "ao", "bn", "bo", "in", "io", "fn", "fo"):
        files |= annotations(grids[code], attrs, time=code in ("an", "bn", "in"))
    files |= tie_files(grids, attrs, "no")
    surface: dict[str, np.ndarray] = {}
    for band, (_, codes, flux) in BANDS.items():
        for code in codes:
            grid = grids[code]
            if flux and code not in surface:
                surface[code] = scene.surface_reflectance(
                    SCENE_BANDS, grid.lon, grid.lat, grid.when
                )
            name = f"{band}_{'radiance' if flux else 'BT'}_{code}"
            values = _radiance(grid, band, surface[code]) if flux else _temperature(grid, band)
            write = partial(_band, name=name, values=values, band=band, code=code)
            files[f"{name}.nc"] = grid_nc(attrs, grid, name.replace("_", " "), write)
            detectors = 4 if code[0] in "ab" else 2
            files[f"{band}_quality_{code}.nc"] = nc_file(
                {"detectors": detectors},
                partial(_quality, band=band, code=code, n=detectors),
                attrs,
                f"SLSTR {band} quality, {code} grid",
            )
    files["viscal.nc"] = nc_file({"channels": 6}, _viscal, attrs, "SLSTR VISCAL calibration")
    return files


def _radiance(grid: Grid, band: str, surface: np.ndarray) -> np.ndarray:
    """TOA radiance: the surface reflectance at the band centre (0.6 on clouds, S4 the cirrus
    band sees little) lit by the sun."""
    centre, _, flux = BANDS[band]
    rho = np.where(grid.cloud, 0.6, at_wavelengths(surface, [centre])[0])
    rho = rho * (0.05 if band == "S4" else 1.0)
    return rho * flux * np.cos(np.radians(np.minimum(grid.sza, 88.0))) / np.pi


def _temperature(grid: Grid, band: str) -> np.ndarray:
    """Brightness temperature: the skin temperature, warmer at 3.7 um, cooler at 12 um."""
    return grid.temperature + {"S7": 2.0, "S9": -1.0, "F1": 2.0}.get(band, 0.0)


def _band(g: NcGroup, name: str, values: np.ndarray, band: str, code: str) -> None:
    if "_BT_" in name:
        what, units = "Gridded pixel brightness temperature", "K"
        pack: dict[str, Any] = {"scale": 0.01, "offset": 283.73, "fill": -32768}
        dtype: Any = np.int16
    else:
        what, units = "TOA radiance", "mW.m-2.sr-1.nm-1"
        pack, dtype = {"scale": 0.001 if band == "S6" else 0.01, "fill": 65535}, np.uint16
    long_name = f"{what} for channel {band} ({code} grid)"
    stored(g, name, IMAGE, values, dtype, units=units, long_name=long_name, **pack)
    variable(
        g,
        f"{band}_exception_{code}",
        IMAGE,
        np.zeros(values.shape, np.uint8),
        np.uint8,
        flag_masks=np.array([1, 2, 4, 8], np.uint8),
        flag_meanings="ISP_absent pixel_absent not_decompressed no_signal",
        long_name=f"Exception flags for channel {band}",
    )


def _quality(g: NcGroup, band: str, code: str, n: int) -> None:
    dims = ("detectors",)
    stored(g, f"{band}_cal_gain_{code}", dims, np.ones(n), np.float32)
    stored(g, f"{band}_cal_offset_{code}", dims, np.zeros(n), np.float32)
    flux = BANDS[band][2]
    if flux:
        stored(
            g,
            f"{band}_solar_irradiance_{code}",
            dims,
            np.full(n, flux),
            np.float32,
            units="mW.m-2.nm-1",
        )


def _viscal(g: NcGroup) -> None:
    stored(
        g,
        "viscal_gain",
        ("channels",),
        np.ones(6),
        np.float32,
        long_name="VISCAL gain per visible and SWIR channel",
    )


def _frp(product: Product, grids: Grids, attrs: dict[str, Any]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for code in ("in", "fn"):
        files |= annotations(grids[code], attrs, time=code == "in")
    files |= tie_files(grids, attrs, "n")
    grid = grids["in"]
    candidates = np.flatnonzero((grid.land & ~grid.cloud).ravel())
    hot = candidates[np.argsort(-grid.temperature.ravel()[candidates], kind="stable")]
    fires = hot[: int(seeded(product.entry.name, "fires").integers(1, 6))]
    rows, cols = np.unravel_index(fires, grid.land.shape)
    rng = seeded(product.entry.name, "frp")
    power = rng.uniform(5.0, 120.0, len(fires))

    def body(g: NcGroup) -> None:
        for name, values, dtype, units in (
            ("latitude", grid.lat[rows, cols], np.float64, "degrees_north"),
            ("longitude", grid.lon[rows, cols], np.float64, "degrees_east"),
            ("i", cols, np.int16, "1"),
            ("j", rows, np.int16, "1"),
            ("FRP_MWIR", power, np.float32, "MW"),
            ("FRP_uncertainty_MWIR", power * 0.2, np.float32, "MW"),
            ("confidence", rng.uniform(0.6, 1.0, len(fires)), np.float32, "1"),
            ("BT_MIR", grid.temperature[rows, cols] + 40.0, np.float32, "K"),
        ):
            stored(g, name, ("fires",), values, dtype, units=units)

    files["FRP_in.nc"] = nc_file({"fires": len(fires)}, body, attrs, "SLSTR FRP_in measurements")
    return files
