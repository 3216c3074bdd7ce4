"""The grids of the SLSTR products the :mod:`.sentinel3_more` family writes, and their
annotation files.

Every grid-bound SLSTR file name ends in its grid: stripe ``a``/``b`` (500 m), ``i`` (1 km
TIR), ``f`` (1 km fire), ``t`` (16 km tie points) and view ``n`` (nadir), ``o`` (oblique),
``x`` (both). A grid here is small (40 x 48 at 500 m, 20 x 24 at 1 km, oblique views on the
middle half of the swath, 20 x 6 tie points) and carries what the scene shows there: land,
clouds, the sun, the skin temperature. Its annotations are the real files
``geodetic_<grid>`` (``latitude_<grid>``, ``longitude_<grid>``, ``elevation_<grid>``),
``cartesian_<grid>`` (``x_``, ``y_``), ``indices_<grid>`` (``scan_``, ``pixel_``,
``detector_``), ``flags_<grid>`` (``confidence_``, ``cloud_``, ``pointing_``, ``bayes_``),
``time_<grid>`` (``time_stamp_<stripe>``), ``met_tx`` and ``geometry_t<view>``; their packing
and flag bits are inferred.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import scene
from ..scene.climate import sun_position
from ._netcdf import NcGroup
from ._s3more_common import Product, grid_lonlat, nc_file, stored
from ._sen3 import degrees, time_stamps, variable

__all__ = ["GRIDS", "IMAGE", "Grid", "Grids", "annotations", "grid_nc", "tie_files"]

#: Grid code -> (rows, columns, part of the swath width its columns span).
GRIDS: dict[str, tuple[int, int, tuple[float, float]]] = {
    "an": (40, 48, (0.0, 1.0)),
    "bn": (40, 48, (0.0, 1.0)),
    "ao": (40, 30, (0.25, 0.75)),
    "bo": (40, 30, (0.25, 0.75)),
    "in": (20, 24, (0.0, 1.0)),
    "fn": (20, 24, (0.0, 1.0)),
    "io": (20, 15, (0.25, 0.75)),
    "fo": (20, 15, (0.25, 0.75)),
    "tx": (20, 6, (0.0, 1.0)),
    "tn": (20, 6, (0.0, 1.0)),
    "to": (20, 6, (0.25, 0.75)),
}
_CONFIDENCE = (
    "coastline ocean tidal land inland_water unfilled spare spare cosmetic duplicate "
    "day twilight sun_glint snow summary_cloud summary_pointing"
)


class Grid:
    """One grid of a product: positions, land, clouds, sun (cached per product)."""

    def __init__(self, product: Product, code: str) -> None:
        rows, cols, span = GRIDS[code]
        self.code, self.rows, self.cols = code, rows, cols
        self.dims = {"rows": rows, "columns": cols}
        self.lon, self.lat = grid_lonlat(product.swath, rows, cols, span)
        self.land = scene.is_land(self.lon, self.lat)
        self.cloud = scene.cloud_mask(self.lon, self.lat, product.when, product.cover)
        self.sza, self.saa = sun_position(self.lon, self.lat, product.when)
        self.when = product.when
        self._temperature: np.ndarray | None = None

    @property
    def temperature(self) -> np.ndarray:
        """Skin temperature (K) seen from space: the surface's, 240 K on cloud tops."""
        if self._temperature is None:
            skin = scene.land_surface_temperature(self.lon, self.lat, self.when)
            self._temperature = np.where(self.cloud, 240.0, skin)
        return self._temperature


class Grids(dict):  # type: ignore[type-arg]
    def __init__(self, product: Product) -> None:
        super().__init__()
        self.product = product

    def __missing__(self, code: str) -> Grid:
        self[code] = grid = Grid(self.product, code)
        return grid


IMAGE = ("rows", "columns")


def grid_nc(attrs: dict[str, Any], grid: Grid, title: str, body: Any, **dims: int) -> bytes:
    return nc_file({**grid.dims, **dims}, body, attrs, f"SLSTR {title}, {grid.code} grid")


def annotations(grid: Grid, attrs: dict[str, Any], time: bool) -> dict[str, bytes]:
    """geodetic_, cartesian_, indices_, flags_ (and time_) files of ``grid``."""
    g_ = grid.code
    shape = (grid.rows, grid.cols)

    def geodetic(g: NcGroup) -> None:
        for name, values, limit in (("latitude", grid.lat, 90), ("longitude", grid.lon, 180)):
            degrees(
                g,
                f"{name}_{g_}",
                IMAGE,
                values,
                limit,
                standard_name=name,
                units=f"degrees_{'north' if name == 'latitude' else 'east'}",
            )
        stored(
            g,
            f"elevation_{g_}",
            IMAGE,
            np.where(grid.land, 120.0, 0.0),
            np.int16,
            fill=-32768,
            units="m",
            long_name="Elevation above ellipsoid",
        )

    def cartesian(g: NcGroup) -> None:
        r, c = np.indices(shape)
        step = 500.0 if g_[0] in "ab" else 1000.0 if g_[0] in "if" else 16000.0
        stored(
            g,
            f"x_{g_}",
            IMAGE,
            (c - shape[1] / 2) * step,
            np.int32,
            fill=-2147483648,
            units="m",
            long_name="Across-track coordinate",
        )
        stored(
            g,
            f"y_{g_}",
            IMAGE,
            r * step,
            np.int32,
            fill=-2147483648,
            units="m",
            long_name="Along-track coordinate",
        )

    files = {
        f"geodetic_{g_}.nc": grid_nc(attrs, grid, "geodetic coordinates", geodetic),
        f"cartesian_{g_}.nc": grid_nc(attrs, grid, "cartesian coordinates", cartesian),
    }
    if g_[0] == "t":
        return files

    def indices(g: NcGroup) -> None:
        r, c = np.indices(shape)
        stored(g, f"scan_{g_}", IMAGE, r // 2, np.int16, fill=-1, long_name="Scan number")
        stored(g, f"pixel_{g_}", IMAGE, c, np.int16, fill=-1, long_name="Pixel number")
        stored(g, f"detector_{g_}", IMAGE, r % 2, np.int8, fill=-1, long_name="Detector number")

    def flags(g: NcGroup) -> None:
        names = _CONFIDENCE.split()
        bits = {
            "ocean": ~grid.land,
            "land": grid.land,
            "day": grid.sza < 85,
            "summary_cloud": grid.cloud,
        }
        value = np.zeros(shape, np.uint16)
        for flag, mask in bits.items():
            value |= np.where(mask, np.uint16(1 << names.index(flag)), np.uint16(0))
        masks = np.array([1 << i for i in range(16)], dtype=np.uint16)
        variable(
            g,
            f"confidence_{g_}",
            IMAGE,
            value,
            np.uint16,
            flag_masks=masks,
            flag_meanings=_CONFIDENCE,
            long_name="Confidence flags",
        )
        for name, mask in (("cloud", grid.cloud), ("pointing", np.zeros(shape, bool))):
            variable(
                g,
                f"{name}_{g_}",
                IMAGE,
                mask.astype(np.uint16),
                np.uint16,
                flag_masks=np.array([1], np.uint16),
                flag_meanings=f"{name}_summary",
                long_name=f"{name.capitalize()} flags",
            )
        variable(
            g,
            f"bayes_{g_}",
            IMAGE,
            grid.cloud.astype(np.uint8),
            np.uint8,
            flag_masks=np.array([1], np.uint8),
            flag_meanings="single_moderate",
            long_name="Bayesian cloud flags",
        )

    files[f"indices_{g_}.nc"] = grid_nc(attrs, grid, "scan, pixel and detector indices", indices)
    files[f"flags_{g_}.nc"] = grid_nc(attrs, grid, "global flags", flags)
    if time:
        stamps = _stamps(grid)
        files[f"time_{g_}.nc"] = nc_file(
            {"rows": grid.rows},
            lambda g: time_stamps(g, stamps, f"time_stamp_{g_[0]}"),
            attrs,
            f"SLSTR time annotations, {g_} grid",
        )
    return files


def _stamps(grid: Grid) -> np.ndarray:
    """Row times, microseconds since 2000 (the product's start, 0.15 s per 1 km scan)."""
    start = (grid.when - 946_684_800.0) * 1e6
    step = 150_000 if grid.code[0] in "if" else 75_000
    return (start + step * np.arange(grid.rows)).astype(np.int64)


def tie_files(grids: Grids, attrs: dict[str, Any], views: str) -> dict[str, bytes]:
    tx = grids["tx"]
    files = annotations(tx, attrs, time=False)

    def met(g: NcGroup) -> None:
        for name, values, units in (
            (
                "total_column_water_vapour_tx",
                3.0 + 45.0 * np.cos(np.radians(tx.lat)) ** 3,
                "kg m-2",
            ),
            ("surface_pressure_tx", np.full(tx.lat.shape, 101325.0), "Pa"),
            ("total_column_ozone_tx", np.full(tx.lat.shape, 0.0065), "kg m-2"),
            ("skin_temperature_tx", tx.temperature, "K"),
        ):
            stored(g, name, IMAGE, values, np.float32, units=units)

    files["met_tx.nc"] = grid_nc(attrs, tx, "meteorological parameters", met)
    for view in views:
        grid = grids[f"t{view}"]

        def geometry(g: NcGroup, grid: Grid = grid, view: str = view) -> None:
            c = np.broadcast_to(np.arange(grid.cols), (grid.rows, grid.cols))
            zenith = np.abs(c - grid.cols / 2) * 10.0 if view == "n" else np.full(c.shape, 55.0)
            for name, values in (
                ("solar_zenith", grid.sza),
                ("solar_azimuth", grid.saa),
                ("sat_zenith", zenith),
                ("sat_azimuth", np.full(c.shape, 100.0)),
            ):
                stored(g, f"{name}_t{view}", IMAGE, values, np.float32, units="degrees")

        files[f"geometry_t{view}.nc"] = grid_nc(
            attrs, grid, "solar and satellite geometry", geometry
        )
    return files
