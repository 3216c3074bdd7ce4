"""The small text files of a Landsat product besides the MTL: ``_ANG.txt``, ``_GCP.txt`` and the
USGS STAC item(s) ``_stac.json`` (Level-1) / ``_SR_stac.json`` and ``_ST_stac.json`` (Level-2).

Real: the ANG file is ODL with ``FILE_HEADER``, ``PROJECTION``, ``EPHEMERIS``
(``EPHEMERIS_EPOCH_YEAR``/``_DAY``/``_SECONDS``, ``NUMBER_OF_POINTS``, ``EPHEMERIS_TIME`` and
``EPHEMERIS_ECEF_X``/``Y``/``Z`` lists, as the USGS angle tools and peer parsers read it) and
``SOLAR_VECTOR`` groups. Inferred: the per-band ``RPC_BAND*`` groups are left out, the ephemeris
is a circular 705 km orbit over the scene, the GCP table's columns, and the STAC items' asset
hrefs (relative here; USGS's point at landsatlook.usgs.gov).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from ._landsat_bands import files_of, parse_name
from ._landsat_grid import lonlat
from ._landsat_odl import Text, to_odl
from ._landsat_pixels import View

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["ang_txt", "gcp_txt", "stac_items"]

_EARTH = 6_378_137.0
_ORBIT = _EARTH + 705_000.0


def _ecef(lon: float, lat: float, radius: float) -> tuple[float, float, float]:
    p, q = math.radians(lon), math.radians(lat)
    return (radius * math.cos(q) * math.cos(p), radius * math.cos(q) * math.sin(p),
            radius * math.sin(q))  # fmt: skip


def _list(values: list[float], fmt: str) -> str:
    return "(" + ", ".join(format(v, fmt) for v in values) + ")"


def ang_txt(entry: Entry, view: View) -> bytes:
    when = view.when
    lon, lat = (a[a.shape[0] // 2, a.shape[1] // 2] for a in lonlat(view.grid))
    seconds = when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6
    times = [float(t) for t in range(-30, 31, 10)]
    # a descending near-polar track through the scene centre, ~6.6 km/s on the ground
    track = [_ecef(lon + 0.012 * t, lat - 0.06 * t, _ORBIT) for t in times]
    sun = _ecef(lon + 180.0 - 15.0 * (when.hour + when.minute / 60 - 12), 0.0, 1.0)
    kinds = ("reflective", "pan", "thermal")
    labels = [s.label.split("_")[0] for s in files_of(view.sensor, "L1TP") if s.kind in kinds]
    bands = list(dict.fromkeys(labels))  # ETM+'s two gains of band 6 are one band here
    groups: dict[str, Any] = {
        "FILE_HEADER": {
            "LANDSAT_SCENE_ID": Text(str(entry.attribute("sceneId", ""))),
            "SPACECRAFT_ID": Text(view.sensor.spacecraft),
            "SENSOR_ID": Text(view.sensor.sensor),
            "NUMBER_OF_BANDS": str(len(bands)),
            "BAND_LIST": "(" + ", ".join(bands) + ")",
        },
        "PROJECTION": {
            "ELLIPSOID_AXES": "(6378137.000000, 6356752.314200)",
            "MAP_PROJECTION": Text("UTM"),
            "PROJECTION_UNITS": Text("METERS"),
            "DATUM": Text("WGS84"),
            "SPHEROID": Text("WGS84"),
            "ZONE_NUMBER": str(view.grid.epsg % 100),
            "UL_CORNER": f"({view.grid.x0:.6f}, {view.grid.y0:.6f})",
            "LR_CORNER": (
                f"({view.grid.x0 + view.grid.cell * view.grid.width:.6f}, "
                f"{view.grid.y0 - view.grid.cell * view.grid.height:.6f})"
            ),
        },
        "EPHEMERIS": {
            "EPHEMERIS_EPOCH_YEAR": str(when.year),
            "EPHEMERIS_EPOCH_DAY": f"{when.timetuple().tm_yday:03d}",
            "EPHEMERIS_EPOCH_SECONDS": f"{seconds - 30:.6f}",
            "NUMBER_OF_POINTS": str(len(times)),
            "EPHEMERIS_TIME": _list([t + 30 for t in times], ".6f"),
            "EPHEMERIS_ECEF_X": _list([p[0] for p in track], ".3f"),
            "EPHEMERIS_ECEF_Y": _list([p[1] for p in track], ".3f"),
            "EPHEMERIS_ECEF_Z": _list([p[2] for p in track], ".3f"),
        },
        "SOLAR_VECTOR": {
            "SOLAR_EPOCH_YEAR": str(when.year),
            "SOLAR_EPOCH_DAY": f"{when.timetuple().tm_yday:03d}",
            "SOLAR_EPOCH_SECONDS": f"{seconds - 30:.6f}",
            "EARTH_SUN_DISTANCE": "1.0000000",
            "NUMBER_OF_POINTS": "1",
            "SAMPLE_TIME": "(0.000000)",
            "SOLAR_ECEF_X": _list([sun[0]], ".8f"),
            "SOLAR_ECEF_Y": _list([sun[1]], ".8f"),
            "SOLAR_ECEF_Z": _list([sun[2]], ".8f"),
        },
    }
    return to_odl(groups, root=None)


def gcp_txt(entry: Entry, view: View) -> bytes:
    lon, lat = lonlat(view.grid)
    rows = ["Point_ID Latitude Longitude Height Residual_Line Residual_Sample Type"]
    rmse = float(entry.attribute("geometricRmse", 6.0)) / 30.0
    for k, (r, c) in enumerate([(10, 10), (10, -10), (-10, 10), (-10, -10)], start=1):
        sign = 1 if k % 2 else -1
        rows.append(
            f"{k:05d} {lat[r, c]:.6f} {lon[r, c]:.6f} 0.000 {sign * rmse:.3f} "
            f"{-sign * rmse * 0.8:.3f} VERIFY"
        )
    return ("\n".join(rows) + "\n").encode()


def stac_items(entry: Entry, view: View) -> dict[str, bytes]:
    """The USGS STAC item file(s) of the product, by file name."""
    parts = parse_name(entry.name)
    level = parts["level"]
    grid = view.grid
    quad = [[round(lon, 6), round(lat, 6)] for lon, lat in _lonlat_quad(entry)]
    props = {
        "datetime": view.when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "eo:cloud_cover": float(entry.attribute("cloudCover", 0.0)),
        "view:sun_azimuth": view.sun_azimuth,
        "view:sun_elevation": view.sun_elevation,
        "platform": view.sensor.spacecraft,
        "instruments": view.sensor.sensor.split("_"),
        "view:off_nadir": 0,
        "landsat:cloud_cover_land": float(entry.attribute("cloudCoverLand", 0.0)),
        "landsat:wrs_type": "2",
        "landsat:wrs_path": parts["path"],
        "landsat:wrs_row": parts["row"],
        "landsat:scene_id": str(entry.attribute("sceneId", "")),
        "landsat:collection_category": parts["category"],
        "landsat:collection_number": parts["collection"],
        "landsat:correction": level,
        "proj:epsg": grid.epsg,
        "proj:shape": [grid.height, grid.width],
        "proj:transform": list(grid.transform())[:6],
        "created": entry.origin.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    specs = files_of(view.sensor, level)
    if level.startswith("L1"):
        groups = {f"{entry.name}_stac.json": ("landsat-c2l1", entry.name, specs)}
    else:
        sr = [s for s in specs if not s.suffix.startswith("ST_")]
        st = [s for s in specs if s.suffix.startswith("ST_") or s.suffix.startswith("QA_")]
        groups = {
            f"{entry.name}_SR_stac.json": ("landsat-c2l2-sr", f"{entry.name}_SR", sr),
            f"{entry.name}_ST_stac.json": ("landsat-c2l2-st", f"{entry.name}_ST", st),
        }
    out = {}
    for file_name, (collection, item_id, members) in groups.items():
        assets = {
            s.suffix: {
                "title": s.suffix,
                "href": f"./{entry.name}_{s.suffix}.TIF",
                "type": "image/vnd.stac.geotiff; cloud-optimized=true",
                "roles": ["data"] if s.kind != "qa" else ["metadata", "data-mask"],
            }
            for s in members
        }
        for ext in ("txt", "xml", "json"):
            assets[f"MTL.{ext}"] = {
                "href": f"./{entry.name}_MTL.{ext}",
                "type": {"txt": "text/plain", "xml": "application/xml"}.get(
                    ext, "application/json"
                ),
                "roles": ["metadata"],
            }
        item = {
            "type": "Feature",
            "stac_version": "1.0.0",
            "stac_extensions": [
                "https://landsat.usgs.gov/stac/landsat-extension/v1.1.1/schema.json",
                "https://stac-extensions.github.io/view/v1.0.0/schema.json",
                "https://stac-extensions.github.io/projection/v1.0.0/schema.json",
                "https://stac-extensions.github.io/eo/v1.0.0/schema.json",
            ],
            "id": item_id,
            "description": f"Landsat Collection 2 {level} product",
            "bbox": [
                min(p[0] for p in quad),
                min(p[1] for p in quad),
                max(p[0] for p in quad),
                max(p[1] for p in quad),
            ],
            "geometry": {"type": "Polygon", "coordinates": [[*quad, quad[0]]]},
            "properties": props,
            "assets": assets,
            "links": [],
            "collection": collection,
        }
        out[file_name] = json.dumps(item, indent=2).encode()
    return out


def _lonlat_quad(entry: Entry) -> list[tuple[float, float]]:
    from ._geo import footprint_quad

    return footprint_quad(entry).ring()[:4]
