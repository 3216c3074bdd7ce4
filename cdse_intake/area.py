"""Areas of interest: every loose form a user may give, normalised once to a valid lon/lat geometry.

Accepted: a bbox ``(west, south, east, north)`` (``west > east`` crosses the antimeridian and
becomes a MultiPolygon split at 180°), WKT, a GeoJSON geometry / Feature / FeatureCollection dict
or string, any object with ``__geo_interface__`` (shapely, geopandas rows), or the path of a
GeoJSON file or (with geopandas installed) a shapefile / GeoPackage. Coordinates are
EPSG:4326 longitude/latitude, as CDSE expects.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import QueryError

__all__ = ["AreaLike", "normalise_area"]

AreaLike = Any  # bbox sequence | WKT str | GeoJSON dict/str | __geo_interface__ object | path


def normalise_area(value: AreaLike, field: str = "geometry") -> Any:
    """A valid shapely geometry (Polygon, MultiPolygon, Point or MultiPoint) in lon/lat."""
    import shapely

    if isinstance(value, shapely.Geometry):
        geom = value
    elif isinstance(value, (list, tuple)) and not isinstance(value, str):
        return bbox_geometry(value, field)
    elif isinstance(value, os.PathLike) or (isinstance(value, str) and _looks_like_path(value)):
        geom = _read_file(Path(value), field)
    elif isinstance(value, str):
        geom = _parse_text(value, field)
    elif isinstance(value, dict):
        geom = _from_geojson(value, field)
    elif hasattr(value, "__geo_interface__"):
        geom = _from_geojson(value.__geo_interface__, field)
    else:
        raise QueryError(
            f"{field}={value!r} is not an area; expected a bbox (west, south, east, north), "
            "WKT, GeoJSON, a shapely geometry or a file path"
        )
    return _validated(geom, field)


def bbox_geometry(bbox: Sequence[Any], field: str = "bbox") -> Any:
    """A bbox as a Polygon, or a MultiPolygon split at 180° when it crosses the antimeridian."""
    import shapely

    if len(bbox) != 4:
        raise QueryError(
            f"{field}={tuple(bbox)!r} has {len(bbox)} numbers; expected 4: west, south, east, north"
        )
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError) as err:
        raise QueryError(f"{field}={tuple(bbox)!r} must hold 4 numbers") from err
    _check_lonlat(field, bbox, (west, east), (south, north))
    if south >= north:
        raise QueryError(
            f"{field}={tuple(bbox)!r}: south ({south}) must be below north ({north}); "
            "the order is west, south, east, north"
        )
    if west == east:
        raise QueryError(f"{field}={tuple(bbox)!r}: west and east are equal; the box is empty")
    if west < east:
        return shapely.box(west, south, east, north)
    # Crossing the antimeridian: west of 180 and east of -180, as CDSE's own split footprints.
    return shapely.MultiPolygon(
        [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]
    )


def _check_lonlat(field: str, given: Any, lons: Sequence[float], lats: Sequence[float]) -> None:
    if any(not math.isfinite(v) for v in (*lons, *lats)):
        raise QueryError(f"{field}={given!r} has a non-finite coordinate")
    bad_lat = [v for v in lats if not -90 <= v <= 90]
    if bad_lat:
        swapped = all(-90 <= v <= 90 for v in lons)
        hint = " (longitude and latitude look swapped: CDSE wants lon/lat order)" if swapped else ""
        raise QueryError(f"{field}={given!r}: latitude {bad_lat[0]} is outside -90..90{hint}")
    bad_lon = [v for v in lons if not -180 <= v <= 180]
    if bad_lon:
        raise QueryError(f"{field}={given!r}: longitude {bad_lon[0]} is outside -180..180")


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] in "{[" or "(" in stripped:
        return False
    return Path(stripped).suffix.lower() in {".geojson", ".json", ".shp", ".gpkg", ".fgb"}


def _parse_text(text: str, field: str) -> Any:
    import shapely

    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return _from_geojson(json.loads(stripped), field)
        except json.JSONDecodeError as err:
            raise QueryError(f"{field}: not valid GeoJSON ({err.msg} at {err.pos})") from err
    if stripped.upper().startswith("SRID="):  # EWKT as in OData's geography'SRID=4326;...'
        srid, _, stripped = stripped.partition(";")
        if srid.upper() != "SRID=4326":
            raise QueryError(f"{field}: {srid!r} is not supported; expected SRID=4326 (lon/lat)")
    try:
        return shapely.from_wkt(stripped)
    except shapely.errors.GEOSException as err:
        raise QueryError(f"{field}={_short(text)!r} is not valid WKT: {err}") from err


def _from_geojson(obj: Any, field: str) -> Any:
    import shapely
    import shapely.geometry

    if not isinstance(obj, dict) or "type" not in obj:
        raise QueryError(f"{field}={_short(obj)!r} is not GeoJSON (no 'type')")
    kind = obj["type"]
    if kind == "FeatureCollection":
        parts = [_from_geojson(f, field) for f in obj.get("features") or []]
        if not parts:
            raise QueryError(f"{field}: the FeatureCollection has no features")
        return shapely.union_all(parts) if len(parts) > 1 else parts[0]
    if kind == "Feature":
        if not obj.get("geometry"):
            raise QueryError(f"{field}: the Feature has no geometry")
        return _from_geojson(obj["geometry"], field)
    try:
        return shapely.geometry.shape(obj)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as err:
        raise QueryError(f"{field}={_short(obj)!r} is not a valid GeoJSON geometry: {err}") from err


def _read_file(path: Path, field: str) -> Any:
    try:
        exists, regular = path.exists(), path.is_file()
    except (OSError, ValueError) as err:  # a name too long, a NUL in it
        raise QueryError(f"{field}: {_short(str(path))!r} is not a file name: {err}") from err
    if not regular:
        state = "is not a regular file" if exists else "does not exist"
        raise QueryError(f"{field}: file {str(path)!r} {state}")
    if path.suffix.lower() in {".geojson", ".json"}:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as err:
            raise QueryError(f"{field}: cannot read GeoJSON file {str(path)!r}: {err}") from err
        except UnicodeDecodeError as err:
            raise QueryError(
                f"{field}: GeoJSON file {str(path)!r} is not UTF-8 text "
                f"(byte {err.start}: {err.reason}); is it a binary file?"
            ) from err
        try:
            return _from_geojson(json.loads(text), field)
        except (json.JSONDecodeError, RecursionError) as err:
            raise QueryError(f"{field}: GeoJSON file {str(path)!r} is not JSON: {err}") from err
    try:
        import geopandas
    except ImportError as err:
        raise QueryError(
            f"{field}: reading {path.suffix} files needs geopandas (pip install geopandas); "
            "GeoJSON files work without it"
        ) from err
    import shapely

    try:
        frame = geopandas.read_file(path)
    except Exception as err:  # the engines raise many kinds
        raise QueryError(f"{field}: cannot read {str(path)!r}: {err}") from err
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return shapely.union_all(list(frame.geometry))


def _validated(geom: Any, field: str) -> Any:
    import shapely
    from shapely.validation import explain_validity

    if geom.is_empty:
        raise QueryError(f"{field}: the geometry is empty")
    allowed = ("Polygon", "MultiPolygon", "Point", "MultiPoint")
    if geom.geom_type not in allowed:
        raise QueryError(
            f"{field}: a {geom.geom_type} is not an area; expected one of {', '.join(allowed)}"
        )
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    xmin, ymin, xmax, ymax = geom.bounds
    _check_lonlat(field, _short(geom.wkt), (xmin, xmax), (ymin, ymax))
    if not geom.is_valid:
        raise QueryError(
            f"{field}={_short(geom.wkt)!r} is not a valid geometry: {explain_validity(geom)}"
        )
    return geom


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
