"""What a cube asks for: :class:`CubeRequest`, every argument of :func:`~cdse_intake.load`
checked once, with an error naming the bad value and what is expected."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import Context

__all__ = ["GROUPBY", "RESAMPLING", "CubeRequest", "check_bbox", "check_names"]

#: How products become time steps: one per solar day (products of the same local day, over
#: neighbouring tiles or orbits, mosaicked), per UTC day, or one per product.
GROUPBY = ("solar_day", "day", "time")
#: Resampling methods (GDAL's warp names, as odc-geo and rasterio take them).
RESAMPLING = (
    "nearest",
    "bilinear",
    "cubic",
    "cubic_spline",
    "lanczos",
    "average",
    "mode",
    "min",
    "max",
    "med",
    "q1",
    "q3",
)


@dataclass(frozen=True)
class CubeRequest:
    """The checked arguments of :func:`~cdse_intake.load`; families read what they need."""

    context: Context
    variables: tuple[str, ...] | None = None
    crs: Any = None
    """An odc-geo ``CRS`` (or None: the family's choice, e.g. the tiles' own UTM zone)."""
    resolution: float | None = None
    """Pixel size in the CRS's units (None: the family's native size)."""
    bbox: tuple[float, float, float, float] | None = None
    """``(west, south, east, north)`` in degrees (None: all the products cover)."""
    geobox: Any = None
    """An odc-geo ``GeoBox`` that fixes the grid outright (CRS, resolution and extent)."""
    groupby: str | None = "solar_day"
    mask: Any = None
    chunks: Any = None
    resampling: str = "nearest"
    remote: bool | None = None
    progress: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    """Family options (``calibration`` for Sentinel-1, ``min_qa`` for Sentinel-5P ...)."""

    @classmethod
    def make(
        cls,
        context: Context,
        *,
        variables: Any = None,
        crs: Any = None,
        resolution: Any = None,
        bbox: Any = None,
        geobox: Any = None,
        groupby: Any = "solar_day",
        mask: Any = None,
        chunks: Any = None,
        resampling: Any = "nearest",
        remote: Any = None,
        progress: bool = False,
        options: Mapping[str, Any] | None = None,
    ) -> CubeRequest:
        if geobox is not None and (crs is not None or resolution is not None or bbox is not None):
            raise ValueError(
                "geobox= fixes the grid (CRS, resolution and extent): give either geobox= or "
                "crs=/resolution=/bbox=, not both"
            )
        if geobox is not None:
            geobox = _check_geobox(geobox)
        if groupby not in (*GROUPBY, None):
            raise ValueError(
                f"groupby={groupby!r}: expected one of {', '.join(map(repr, GROUPBY))} or None "
                "(one time step per product)"
            )
        if resampling not in RESAMPLING:
            raise ValueError(f"resampling={resampling!r}: expected one of {', '.join(RESAMPLING)}")
        if remote not in (None, True, False):
            raise ValueError(
                f"remote={remote!r}: expected None (the cache, else range reads), True (range "
                "reads unless cached) or False (download every product first)"
            )
        return cls(
            context=context,
            variables=check_names(variables, "variables"),
            crs=_check_crs(crs),
            resolution=_check_resolution(resolution),
            bbox=check_bbox(bbox),
            geobox=geobox,
            groupby=None if groupby == "time" else groupby,
            mask=mask,
            chunks=_check_chunks(chunks),
            resampling=str(resampling),
            remote=remote,
            progress=bool(progress),
            options=dict(options or {}),
        )


def check_names(names: Any, what: str) -> tuple[str, ...] | None:
    """``"B04,B08"``, ``["B04", "B08"]`` or None, as a tuple of names."""
    if names is None:
        return None
    if isinstance(names, str):
        names = [n for n in re.split(r"[,\s]+", names) if n]
    if (
        not isinstance(names, Sequence)
        or not names
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        raise ValueError(
            f"{what}={names!r}: expected a non-empty list of names such as ['B04', 'B08'] "
            "(or one string 'B04,B08')"
        )
    out = tuple(dict.fromkeys(n.strip() for n in names))
    return out


def check_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` in degrees, checked."""
    if bbox is None:
        return None
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValueError(
            f"bbox={bbox!r}: expected (west, south, east, north) in degrees, four numbers"
        )
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(
            f"bbox={bbox!r}: expected west < east within -180..180 and south < north within "
            "-90..90 (degrees, west south east north)"
        )
    return west, south, east, north


def _check_crs(crs: Any) -> Any:
    if crs is None:
        return None
    from odc.geo import CRS

    try:
        return CRS(crs)
    except Exception as err:  # odc-geo raises pyproj's and its own errors
        raise ValueError(
            f"crs={crs!r} is not a coordinate reference system ({err}); expected e.g. "
            "'EPSG:32631' or 4326"
        ) from None


def _check_resolution(resolution: Any) -> float | None:
    if resolution is None:
        return None
    value = resolution
    if isinstance(resolution, str):
        m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*m?\s*", resolution)
        value = m.group(1) if m else resolution
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(resolution, bool) or not (math.isfinite(number) and number > 0):
        raise ValueError(
            f"resolution={resolution!r}: expected a positive pixel size in the CRS's units "
            "(metres for UTM, degrees for EPSG:4326), e.g. 10 or 0.05"
        )
    return number


def _check_geobox(geobox: Any) -> Any:
    from odc.geo.geobox import GeoBox

    if not isinstance(geobox, GeoBox):
        raise TypeError(
            f"geobox={geobox!r} (a {type(geobox).__name__}): expected an odc.geo.geobox.GeoBox, "
            "e.g. GeoBox.from_bbox(bbox, 'EPSG:32631', resolution=10)"
        )
    if geobox.crs is None:
        raise ValueError("geobox= has no CRS; give a GeoBox with one")
    return geobox


def _positive_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _check_chunks(chunks: Any) -> Any:
    if chunks is None:
        return None
    if isinstance(chunks, int) and not isinstance(chunks, bool) and chunks > 0:
        return {"y": chunks, "x": chunks}
    if isinstance(chunks, Mapping) and all(
        isinstance(k, str)
        and (v == -1 or (isinstance(v, int) and not isinstance(v, bool) and v > 0))
        for k, v in chunks.items()
    ):
        return dict(chunks)
    raise ValueError(
        f"chunks={chunks!r}: expected None (the products' own tiles), a size in pixels such as "
        "1024, or a mapping such as {'time': 1, 'y': 1024, 'x': 1024}"
    )
