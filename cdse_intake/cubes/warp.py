"""One product's image onto the cube's grid, lazily, reading only the part the grid covers.

The grid model is odc-geo's :class:`~odc.geo.geobox.GeoBox`; reprojection is odc-geo's
``xr_reproject`` (rasterio's GDAL warp per output chunk, dask-aware). Before warping, the source is
cut to the window that overlaps the grid (odc-geo's ``compute_reproject_roi``), so only the
file tiles under the area are ever read (by range from CDSE, or from the cached zip). When the
source is already on the grid's pixels (same CRS and pixel size, whole-pixel offset: a Sentinel-2
tile at its native resolution in its own UTM zone) it is pasted, not warped: the values are the
file's own, bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

__all__ = ["empty_like_grid", "fill_value", "onto"]


def fill_value(dtype: Any) -> Any:
    """What marks "no data" in a cube's variable: NaN for floats, 0 for integers (Sentinel-2's
    SCL NO_DATA class, CLMS's usual no-data code)."""
    return np.nan if np.issubdtype(np.dtype(dtype), np.floating) else 0


def onto(
    da: xr.DataArray,
    geobox: Any,
    *,
    resampling: str = "nearest",
    chunks: tuple[int, int] | None = None,
) -> xr.DataArray:
    """``da`` (``..., y, x`` with a CRS) on ``geobox``: pasted when on its pixels, else warped.

    No-data (NaN, or the integer fill of :func:`fill_value`) outside the source.
    """
    from odc.geo.overlap import compute_reproject_roi
    from odc.geo.xr import xr_coords, xr_reproject

    src_box = da.odc.geobox
    if src_box is None or da.odc.crs is None:
        raise ValueError(f"{da.name!r} has no CRS or transform: it cannot be put on a grid")
    fill = fill_value(da.dtype)
    ydim, xdim = da.odc.spatial_dims
    roi = compute_reproject_roi(src_box, geobox, padding=2)
    sy, sx = roi.roi_src
    if sy.stop <= sy.start or sx.stop <= sx.start:
        return empty_like_grid(da, geobox, chunks)
    if roi.paste_ok and roi.read_shrink == 1 and np.allclose(roi.scale2.xy, 1.0):
        dy, dx = roi.roi_dst
        part = da.isel({ydim: sy, xdim: sx})
        padded = part.pad(
            {
                ydim: (dy.start, geobox.shape.y - dy.stop),
                xdim: (dx.start, geobox.shape.x - dx.stop),
            },
            constant_values=fill,
        )
        if np.issubdtype(da.dtype, np.integer):  # pad promotes integers only for NaN fills
            padded = padded.astype(da.dtype)
        out = padded.drop_vars([xdim, ydim, "spatial_ref"], errors="ignore")
        out = out.rename(dict(zip((ydim, xdim), geobox.dimensions, strict=True)))
        out = out.assign_coords(xr_coords(geobox))
        out.attrs = dict(da.attrs)
        return _rechunked(out, chunks)
    part = da.isel({ydim: sy, xdim: sx})
    kwargs: dict[str, Any] = {"resampling": resampling, "dst_nodata": fill}
    if part.chunks is not None:
        kwargs["chunks"] = chunks or _default_chunks(geobox)
    if np.issubdtype(da.dtype, np.floating):
        kwargs["src_nodata"] = np.nan
    out = xr_reproject(part, geobox, **kwargs)
    out.attrs = {**da.attrs, **{k: v for k, v in out.attrs.items() if k != "nodata"}}
    return out


def empty_like_grid(da: xr.DataArray, geobox: Any, chunks: tuple[int, int] | None) -> xr.DataArray:
    """An all-no-data array of ``da``'s leading dimensions and type on ``geobox`` (lazy)."""
    import dask.array
    from odc.geo.xr import xr_coords

    lead = da.shape[:-2]
    shape = (*lead, *geobox.shape)
    chunk = chunks or _default_chunks(geobox)
    data = dask.array.full(
        shape, fill_value(da.dtype), dtype=da.dtype, chunks=(*(1 for _ in lead), *chunk)
    )
    coords = {k: v for k, v in da.coords.items() if not set(v.dims) & {"x", "y"}}
    coords.pop("spatial_ref", None)
    dims = (*da.dims[:-2], *geobox.dimensions)
    out = xr.DataArray(data, dims=dims, coords=coords, attrs=dict(da.attrs))
    return out.assign_coords(xr_coords(geobox))


def _default_chunks(geobox: Any) -> tuple[int, int]:
    return (min(geobox.shape.y, 2048), min(geobox.shape.x, 2048))


def _rechunked(da: xr.DataArray, chunks: tuple[int, int] | None) -> xr.DataArray:
    if chunks is None or da.chunks is None:
        return da
    ydim, xdim = da.dims[-2:]
    return da.chunk({ydim: chunks[0], xdim: chunks[1]})
