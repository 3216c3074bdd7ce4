"""Sentinel-1 radar geometry, honestly: no CRS on the image, its geolocation grid as data.

The image axes ``(y, x)`` are azimuth lines and range pixels, not map coordinates, so the image
node carries no ``spatial_ref``, no CRS and no transform. What geocodes it is the annotation's
geolocation grid (the same points as the measurement TIFF's GCPs), kept as coordinates on its
own small dims ``gcp_line`` x ``gcp_pixel``: ``gcp_latitude``, ``gcp_longitude``,
``gcp_height``, ``gcp_incidence_angle``, ``gcp_elevation_angle``, with ``gcp_azimuth_time``
and ``gcp_slant_range_time``. :func:`ground_control_points` turns them into rasterio GCPs and
:func:`with_gcps` gives the image in rioxarray's GCP form, ready for ``.rio.reproject``.
"""

from __future__ import annotations

from typing import Any

import xarray as xr

from ._s1_annotation import Annotation

__all__ = ["GCP_CRS", "grid_coords", "ground_control_points", "with_gcps"]

#: The CRS of the geolocation grid (and of the TIFFs' GCPs): WGS 84 longitude/latitude.
GCP_CRS = "EPSG:4326"
#: The grid's 2-D fields: coordinate name -> (GeolocationGrid field, units, long name).
_FIELDS = {
    "gcp_latitude": ("latitude", "degrees_north", "geodetic latitude"),
    "gcp_longitude": ("longitude", "degrees_east", "geodetic longitude"),
    "gcp_height": ("height", "m", "height above the ellipsoid"),
    "gcp_incidence_angle": ("incidence_angle", "degree", "incidence angle"),
    "gcp_elevation_angle": ("elevation_angle", "degree", "elevation angle"),
}


def grid_coords(annotation: Annotation) -> dict[str, Any]:
    """The geolocation grid of an annotation as coordinates on ``gcp_line`` x ``gcp_pixel``."""
    grid = annotation.grid
    dims = ("gcp_line", "gcp_pixel")
    out: dict[str, Any] = {
        "gcp_line": ("gcp_line", grid.lines, {"long_name": "image line of the grid points"}),
        "gcp_pixel": ("gcp_pixel", grid.pixels, {"long_name": "image pixel of the grid points"}),
        "gcp_azimuth_time": (
            "gcp_line",
            grid.azimuth_time,
            {"long_name": "zero-Doppler azimuth time of the grid lines"},
        ),
        "gcp_slant_range_time": (
            "gcp_pixel",
            grid.slant_range_time,
            {"units": "s", "long_name": "two-way slant range time of the grid pixels"},
        ),
    }
    for name, (field, units, long_name) in _FIELDS.items():
        attrs = {"units": units, "long_name": f"{long_name} of the geolocation grid points"}
        if field in ("latitude", "longitude"):
            attrs["standard_name"] = field
        out[name] = (dims, getattr(grid, field), attrs)
    return out


def ground_control_points(node: xr.Dataset | xr.DataTree) -> list[Any]:
    """The geolocation grid of an image node (``gcp_*`` coordinates) as rasterio
    :class:`~rasterio.control.GroundControlPoint` s: ``row``/``col`` = image line/pixel,
    ``x``/``y``/``z`` = longitude, latitude, height (:data:`GCP_CRS`)."""
    from rasterio.control import GroundControlPoint

    ds = node.to_dataset() if isinstance(node, xr.DataTree) else node
    missing = [n for n in ("gcp_line", "gcp_pixel", *_FIELDS) if n not in ds.variables]
    if missing:
        raise ValueError(
            f"{', '.join(missing)} not in the dataset: expected a Sentinel-1 image node "
            "(the root of a GRD, /IW1... of an SLC) with its geolocation grid"
        )
    lines, pixels = ds["gcp_line"].values, ds["gcp_pixel"].values
    lon, lat, height = (
        ds[n].transpose("gcp_line", "gcp_pixel").values
        for n in ("gcp_longitude", "gcp_latitude", "gcp_height")
    )
    return [
        GroundControlPoint(
            row=float(line),
            col=float(pixel),
            x=float(lon[i, j]),
            y=float(lat[i, j]),
            z=float(height[i, j]),
            id=str(i * pixels.size + j + 1),
        )
        for i, line in enumerate(lines)
        for j, pixel in enumerate(pixels)
    ]


def with_gcps(node: xr.Dataset | xr.DataTree) -> xr.Dataset:
    """The image variables of a node on bare ``(y, x)`` with the geolocation grid written as
    GCPs the rioxarray way (``spatial_ref`` with :data:`GCP_CRS` and the points), so that
    ``with_gcps(ds).rio.reproject("EPSG:32631")`` geocodes them. The radar coordinates
    (``line``, ``azimuth_time``, ``latitude``...), which rioxarray cannot carry, are dropped."""
    import rioxarray  # noqa: F401  (registers .rio)

    ds = node.to_dataset() if isinstance(node, xr.DataTree) else node
    gcps = ground_control_points(ds)
    images = [n for n, v in ds.data_vars.items() if v.dims == ("y", "x")]
    if not images:
        raise ValueError(
            "the node has no image variable on (y, x) to geocode (a metadata-only product?); "
            "its gcp_latitude/gcp_longitude hold the geolocation grid"
        )
    out = ds[images].drop_vars([n for n in ds[images].coords if n not in ("y", "x")])
    return out.rio.write_gcps(gcps, GCP_CRS)
