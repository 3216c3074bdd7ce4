"""Sentinel-1 GRD images (radar geometry) onto a cube's grid, from their ground control points.

A GRD image has no transform, only the annotation's geolocation grid: longitude and latitude at
a grid of (line, pixel) points (~10 x 21 per slice, the measurement TIFF's GCPs). Geocoding is
GDAL's warp through odc-geo (``xr_reproject`` with an :class:`~odc.geo.gcp.GCPGeoBox`), as
``warp.onto`` does for affine sources, with three choices of ours:

- Only what the grid needs is read: the source window is the union of the geolocation grid's
  cells whose quadrilaterals (projected to the grid's CRS) meet the grid, padded by a few
  pixels for the resampling kernel, cut before any dask chunking (the reader's arrays index
  lazily), so only those lines are fetched. odc-geo's ``compute_reproject_roi`` would instead
  invert one polynomial fitted to all the GCPs, which is approximate for a whole scene.
- The GCPs given to GDAL are those of the window's cells and one ring of cells around them, and
  GDAL interpolates them with a thin-plate spline (``SRC_METHOD=GCP_TPS``), exact at every GCP,
  rather than its default, one 2nd-order polynomial fitted to all of them. On a curved
  geolocation grid over a whole scene (synthetic, 10 x 21 points) the spline puts 96% of the
  pixels on the source pixel a brute-force search finds, the polynomial 78%.
- A grid point refers to the *centre* of pixel ``(line, pixel)`` (the reader's per-pixel
  ``latitude``/``longitude`` interpolate it so); in GDAL's pixel space that centre is
  ``(line + 0.5, pixel + 0.5)``, so the GCPs are written half a pixel in.

Heights are ignored (ellipsoid geocoding, no terrain correction), as in the annotation grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["Footprint", "footprint", "gcp_geobox", "geocode", "source_window"]

#: Source pixels added around the window: room for the widest resampling kernel (lanczos, 3).
PAD = 4
#: Size of the source chunks (full-width bands of lines: the measurement TIFFs are striped).
CHUNK_BYTES = 32 * 2**20
#: How GDAL interpolates between GCPs (transformer option): a thin-plate spline.
GDAL_OPTIONS = {"SRC_METHOD": "GCP_TPS"}


@dataclass(frozen=True)
class Footprint:
    """A product's ground extent (its geolocation grid's outline), as ``grid.target_geobox``
    takes products' extents."""

    extent: Any
    """odc-geo polygon in EPSG:4326."""
    crs: None = None
    """The product has no grid of its own (radar geometry): the cube's pixel edges fall on
    multiples of its pixel size, not on a product's."""


def _grid(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lines, pixels, lon, lat) of the image's geolocation grid (lon/lat: lines x pixels)."""
    missing = [n for n in ("gcp_line", "gcp_pixel", "gcp_longitude", "gcp_latitude") if n not in ds]
    if missing:
        raise ValueError(
            f"{ds.attrs.get('product_name', 'the image')}: no geolocation grid "
            f"({', '.join(missing)} missing); a GRD image node has gcp_* coordinates"
        )
    lon = ds["gcp_longitude"].transpose("gcp_line", "gcp_pixel").values.astype(np.float64)
    lat = ds["gcp_latitude"].transpose("gcp_line", "gcp_pixel").values.astype(np.float64)
    return ds["gcp_line"].values, ds["gcp_pixel"].values, lon, lat


def footprint(ds: xr.Dataset) -> Footprint:
    """The outline of the image's geolocation grid (its four edges) as a polygon."""
    from odc.geo.geom import polygon

    _, _, lon, lat = _grid(ds)
    ring = [
        *zip(lon[0, :], lat[0, :], strict=True),
        *zip(lon[1:, -1], lat[1:, -1], strict=True),
        *zip(lon[-1, -2::-1], lat[-1, -2::-1], strict=True),
        *zip(lon[-2::-1, 0], lat[-2::-1, 0], strict=True),
    ]
    return Footprint(polygon(ring, "EPSG:4326"))


def _cells_on(ds: xr.Dataset, geobox: Any) -> np.ndarray:
    """(lines - 1, pixels - 1) booleans: the grid cells whose quadrilateral meets ``geobox``."""
    import shapely
    from pyproj import Transformer

    _, _, lon, lat = _grid(ds)
    to_grid = Transformer.from_crs("EPSG:4326", geobox.crs.proj, always_xy=True)
    x, y = to_grid.transform(lon, lat)
    corners = np.stack(
        [
            np.stack([x[:-1, :-1], y[:-1, :-1]], -1),
            np.stack([x[:-1, 1:], y[:-1, 1:]], -1),
            np.stack([x[1:, 1:], y[1:, 1:]], -1),
            np.stack([x[1:, :-1], y[1:, :-1]], -1),
        ],
        axis=2,
    )  # (cells y, cells x, 4 corners, xy)
    cells = shapely.polygons(corners)
    area = shapely.box(*geobox.extent.boundingbox.bbox)
    ok = np.isfinite(corners).all(axis=(2, 3))
    return ok & shapely.intersects(cells, area)


def source_window(ds: xr.Dataset, geobox: Any) -> tuple[slice, slice] | None:
    """The image window ``(lines, pixels)`` that ``geobox`` needs (None: it needs none)."""
    cells = _cells_on(ds, geobox)
    if not cells.any():
        return None
    lines, pixels, _, _ = _grid(ds)
    rows, cols = np.nonzero(cells.any(axis=1))[0], np.nonzero(cells.any(axis=0))[0]
    ny, nx = ds.sizes["y"], ds.sizes["x"]
    y0, y1 = int(lines[rows[0]]), int(lines[rows[-1] + 1])
    x0, x1 = int(pixels[cols[0]]), int(pixels[cols[-1] + 1])
    return (
        slice(max(y0 - PAD, 0), min(y1 + PAD + 1, ny)),
        slice(max(x0 - PAD, 0), min(x1 + PAD + 1, nx)),
    )


def gcp_geobox(ds: xr.Dataset, window: tuple[slice, slice]) -> Any:
    """The :class:`~odc.geo.gcp.GCPGeoBox` of ``ds``'s image cut to ``window``: the GCPs of the
    window's grid cells and one ring around them, at pixel centres (see the module doc)."""
    from odc.geo.gcp import GCPGeoBox, GCPMapping

    lines, pixels, lon, lat = _grid(ds)
    rows, cols = window

    def around(points: np.ndarray, part: slice) -> slice:
        first = max(int(np.searchsorted(points, part.start, side="right")) - 2, 0)
        last = min(int(np.searchsorted(points, part.stop - 1, side="right")) + 2, points.size)
        return slice(first, last)

    i, j = around(lines, rows), around(pixels, cols)
    jj, ii = np.meshgrid(pixels[j], lines[i])
    pix = np.stack([jj.ravel() - cols.start + 0.5, ii.ravel() - rows.start + 0.5], axis=-1)
    wld = np.stack([lon[i, j].ravel(), lat[i, j].ravel()], axis=-1)
    shape = (rows.stop - rows.start, cols.stop - cols.start)
    return GCPGeoBox(shape, GCPMapping(pix.astype(np.float64), wld, "EPSG:4326"))


def geocode(
    image: xr.DataArray,
    ds: xr.Dataset,
    geobox: Any,
    *,
    resampling: str = "nearest",
    chunks: tuple[int, int] | None = None,
) -> xr.DataArray:
    """``image`` (on ``ds``'s radar ``(y, x)``, lazy: opened without dask chunks) on
    ``geobox`` as float32, lazily, reading only the lines and pixels the grid needs.

    No-data is NaN: outside the image, and where the image is 0 (a GRD's zero-filled edges,
    DN 0, which also calibrates to 0).
    """
    from odc.geo.xr import xr_coords, xr_reproject

    from .warp import empty_like_grid

    bare = image.drop_vars(list(image.coords))
    window = source_window(ds, geobox)
    if window is None:  # a template of no pixels: astype() would read a lazy image whole
        nothing = xr.DataArray(np.empty((0, 0), np.float32), dims=("y", "x"), attrs=image.attrs)
        return empty_like_grid(nothing, geobox, chunks)
    part = bare.isel(y=window[0], x=window[1])  # lazy indexing: only the window is read
    if part.chunks is None:
        part = part.chunk({"y": max(1, CHUNK_BYTES // (4 * part.sizes["x"])), "x": -1})
    part = part.astype(np.float32)
    part = part.where(part != 0).astype(np.float32)
    part = part.assign_coords(xr_coords(gcp_geobox(ds, window), always_yx=True))
    kwargs: dict[str, Any] = {
        "resampling": resampling,
        "src_nodata": np.nan,
        "dst_nodata": np.nan,
        "chunks": chunks or (min(geobox.shape.y, 2048), min(geobox.shape.x, 2048)),
        **GDAL_OPTIONS,
    }
    out = xr_reproject(part, geobox, **kwargs)
    out.attrs = {**image.attrs, **{k: v for k, v in out.attrs.items() if k != "nodata"}}
    return out
