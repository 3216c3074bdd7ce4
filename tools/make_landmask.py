"""Build the emulator's global land-fraction grid, ``cdse_intake/emulator/scene/data/landmask.npz``.

Source: Natural Earth 1:110m Admin 0 countries ("naturalearth_lowres", 177 polygons, EPSG:4326),
the copy shipped as a test fixture with pyogrio (``pyogrio/tests/fixtures/naturalearth_lowres``,
copied there from GeoPandas). Natural Earth is in the public domain
(https://www.naturalearthdata.com/about/terms-of-use/), so the derived grid is too.

Method: the country polygons are unioned into one land geometry (so no borders remain), burnt at
``SUPERSAMPLE`` x the output resolution with rasterio (a pixel is land when its centre is), and
block-averaged to a land fraction per cell, stored as uint8 (0 = sea, 255 = land) in a compressed
``.npz`` with the cell size. Rows run north to south from 90°N, columns east from 180°W; cell
centres sit half a cell inside the edges. Lakes are not in the source (the Caspian Sea is, as the
gap between countries).

Run from the repository root::

    .venv/bin/python tools/make_landmask.py [--cells-per-degree 10] [--shapefile PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from rasterio import features
from rasterio.transform import from_origin

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "cdse_intake" / "emulator" / "scene" / "data" / "landmask.npz"
SUPERSAMPLE = 8
SOURCE = "Natural Earth 1:110m Admin 0 countries (naturalearth_lowres), public domain"


def default_shapefile() -> Path:
    """The naturalearth_lowres fixture inside the installed pyogrio package."""
    base = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres"
    return base / "naturalearth_lowres.shp"


def land_geometry(shapefile: Path) -> shapely.Geometry:
    """All country polygons as one (multi)polygon, repaired if the source is not valid."""
    frame = pyogrio.read_dataframe(shapefile)
    geoms = shapely.make_valid(np.asarray(frame.geometry.values))
    return shapely.union_all(geoms)


def land_fraction(land: shapely.Geometry, cells_per_degree: int) -> np.ndarray:
    """Rasterise ``land`` to a (lat, lon) uint8 land-fraction grid, north row first."""
    fine = cells_per_degree * SUPERSAMPLE
    width, height = 360 * fine, 180 * fine
    out = np.empty((180 * cells_per_degree, 360 * cells_per_degree), dtype=np.uint8)
    parts = list(shapely.get_parts(land))
    strip = 10 * fine  # ten degrees of latitude at a time keeps memory small
    for top in range(0, height, strip):
        north = 90.0 - top / fine
        transform = from_origin(-180.0, north, 1.0 / fine, 1.0 / fine)
        burnt = features.rasterize(
            ((geom, 1) for geom in parts),
            out_shape=(strip, width),
            transform=transform,
            fill=0,
            dtype="uint8",
        )
        blocks = burnt.reshape(strip // SUPERSAMPLE, SUPERSAMPLE, width // SUPERSAMPLE, SUPERSAMPLE)
        share = blocks.mean(axis=(1, 3), dtype=np.float64)
        row = top // SUPERSAMPLE
        out[row : row + share.shape[0]] = np.rint(share * 255.0).astype(np.uint8)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells-per-degree", type=int, default=10)
    parser.add_argument("--shapefile", type=Path, default=default_shapefile())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    grid = land_fraction(land_geometry(args.shapefile), args.cells_per_degree)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        land=grid,
        cell_deg=np.float64(1.0 / args.cells_per_degree),
        source=np.str_(SOURCE),
    )
    size = args.out.stat().st_size
    print(
        f"{args.out}: {grid.shape[1]}x{grid.shape[0]} cells, land {grid.mean() / 255:.3f}, "
        f"{grid.nbytes / 1e6:.1f} MB raw, {size / 1e3:.0f} kB stored"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
