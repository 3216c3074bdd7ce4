"""The ``_MTL`` metadata of a Landsat Collection 2 product, group by group as USGS writes them.

Groups, keys, their order and formats follow real Collection 2 MTL files (LC08 L1GT/L2SP,
LE07 L1TP/L2SP, seen in public repositories): ``PRODUCT_CONTENTS``, ``IMAGE_ATTRIBUTES``,
``PROJECTION_ATTRIBUTES``, ``LEVEL2_PROCESSING_RECORD``, ``LEVEL2_SURFACE_REFLECTANCE_PARAMETERS``,
``LEVEL2_SURFACE_TEMPERATURE_PARAMETERS`` (Level-2), ``LEVEL1_PROCESSING_RECORD``,
``LEVEL1_MIN_MAX_RADIANCE``/``_REFLECTANCE``/``_PIXEL_VALUE``,
``LEVEL1_RADIOMETRIC_RESCALING``, ``LEVEL1_THERMAL_CONSTANTS``, ``LEVEL1_PROJECTION_PARAMETERS``.
Values come from the record (ids, WRS path/row, dates, cloud cover, sun angles, geometric RMSE,
``proj:epsg``) and the product's own grid and pixels (sizes, corners, saturation flags).
Inferred: request ids, software versions, CPF/BPF file names, the Landsat 4-5 DOIs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _landsat_calibration as cal
from ._landsat_bands import FileSpec, files_of, parse_name
from ._landsat_grid import Grid, lonlat
from ._landsat_odl import Text
from ._landsat_pixels import View, image

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["extra_files", "mtl_groups"]

ORIGIN = Text("Image courtesy of the U.S. Geological Survey")
#: DOIs of the Collection 2 datasets (level 1, level 2) per sensor.
DOI = {
    "OLI_TIRS": ("https://doi.org/10.5066/P975CC9B", "https://doi.org/10.5066/P9OGBGM6"),
    "ETM": ("https://doi.org/10.5066/P9TU80IG", "https://doi.org/10.5066/P9C7I13B"),
    "TM": ("https://doi.org/10.5066/P918ROHC", "https://doi.org/10.5066/P9IAXOVV"),
}


def extra_files(name: str, level: str, sensor: str) -> list[tuple[str, str]]:
    """Text files listed in ``PRODUCT_CONTENTS`` besides rasters: (MTL key, file name)."""
    out = []
    if level == "L1TP" and sensor != "OLI_TIRS":
        out.append(("GROUND_CONTROL_POINT", f"{name}_GCP.txt"))
    out.append(("ANGLE_COEFFICIENT", f"{name}_ANG.txt"))
    return out


def mtl_groups(entry: Entry, view: View) -> dict[str, Any]:
    """The MTL document (see :mod:`._landsat_odl` for how it is written)."""
    parts = parse_name(entry.name)
    level = parts["level"]
    groups: dict[str, Any] = {
        "PRODUCT_CONTENTS": _contents(entry.name, view, level, main=True),
        "IMAGE_ATTRIBUTES": _image_attributes(entry, view, parts),
        "PROJECTION_ATTRIBUTES": _projection(view, level),
    }
    l1_name = entry.name.replace(f"_{level}_", "_L1TP_") if level.startswith("L2") else entry.name
    if level.startswith("L2"):
        groups |= _level2(entry, view)
    groups["LEVEL1_PROCESSING_RECORD"] = _l1_record(entry, view, l1_name, parts)
    groups |= _l1_rescaling(view)
    groups["LEVEL1_PROJECTION_PARAMETERS"] = _l1_projection(view)
    return groups


def _t(d: Any) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _contents(name: str, view: View, level: str, main: bool) -> dict[str, Any]:
    sensor = view.sensor.sensor
    specs = files_of(view.sensor, level)
    out: dict[str, Any] = {}
    if main:
        out |= {
            "ORIGIN": ORIGIN,
            "DIGITAL_OBJECT_IDENTIFIER": Text(DOI[sensor][level.startswith("L2")]),
            "LANDSAT_PRODUCT_ID": Text(name),
            "PROCESSING_LEVEL": Text(level),
            "COLLECTION_NUMBER": parse_name(name)["collection"],
            "COLLECTION_CATEGORY": Text(parse_name(name)["category"]),
            "OUTPUT_FORMAT": Text("GEOTIFF"),
        }
    files: dict[str, Any] = {}
    texts = extra_files(name, level, sensor)
    for spec in specs:
        if spec.kind == "angle" and texts:
            files |= {f"FILE_NAME_{k}": Text(v) for k, v in texts}
            texts = []
        files[f"FILE_NAME_{spec.key}"] = Text(f"{name}_{spec.suffix}.TIF")
    files |= {f"FILE_NAME_{k}": Text(v) for k, v in texts}
    files["FILE_NAME_METADATA_ODL"] = Text(f"{name}_MTL.txt")
    files["FILE_NAME_METADATA_XML"] = Text(f"{name}_MTL.xml")
    out |= files
    if main:
        out |= {f"DATA_TYPE_{s.key}": Text(s.dtype.upper()) for s in specs}
    return out


def _saturated(view: View, spec: FileSpec) -> bool:
    from dataclasses import replace

    c = cal.calibration(view.sensor.sensor, spec.label)
    return bool((image(replace(view, level="L1TP"), spec) >= c.qcal_max).any())


def _image_attributes(entry: Entry, view: View, parts: dict[str, str]) -> dict[str, Any]:
    oli = view.sensor.oli
    row = str(int(parts["row"])) if oli else parts["row"]
    path = str(int(parts["path"])) if oli else parts["path"]
    centre = view.when
    out: dict[str, Any] = {
        "SPACECRAFT_ID": Text(view.sensor.spacecraft),
        "SENSOR_ID": Text(view.sensor.sensor),
        "WRS_TYPE": "2",
        "WRS_PATH": path,
        "WRS_ROW": row,
    }
    if oli:
        out |= {"NADIR_OFFNADIR": Text("NADIR"), "TARGET_WRS_PATH": path, "TARGET_WRS_ROW": row}
    out |= {
        "DATE_ACQUIRED": f"{centre:%Y-%m-%d}",
        "SCENE_CENTER_TIME": Text(f"{centre:%H:%M:%S}.{centre.microsecond:06d}0Z"),
        "STATION_ID": Text("LGN"),
        "CLOUD_COVER": f"{float(entry.attribute('cloudCover', 0.0)):.2f}",
        "CLOUD_COVER_LAND": f"{float(entry.attribute('cloudCoverLand', 0.0)):.2f}",
    }
    if oli:
        out |= {"IMAGE_QUALITY_OLI": "9", "IMAGE_QUALITY_TIRS": "9"}
    else:
        out["IMAGE_QUALITY"] = "9"
    for spec in files_of(view.sensor, "L1TP"):
        if spec.kind in ("reflective", "pan") or (spec.kind == "thermal" and not oli):
            flag = "Y" if _saturated(view, spec) else "N"
            out[f"SATURATION_{spec.key}"] = Text(flag)
    if oli:
        out["ROLL_ANGLE"] = "-0.001"
    doy = centre.timetuple().tm_yday
    distance = 1.0 - 0.01672 * math.cos(math.radians(0.9856 * (doy - 4)))
    out |= {
        "SUN_AZIMUTH": f"{view.sun_azimuth:.8f}",
        "SUN_ELEVATION": f"{view.sun_elevation:.8f}",
        "EARTH_SUN_DISTANCE": f"{distance:.7f}",
    }
    if oli:
        out |= {
            "TRUNCATION_OLI": Text("UPPER"),
            "TIRS_SSM_MODEL": Text("FINAL"),
            "TIRS_SSM_POSITION_STATUS": Text("ESTIMATED"),
        }
    elif view.sensor.sensor == "ETM":
        slc = "ON" if centre.year < 2003 or (centre.year == 2003 and centre.month < 6) else "OFF"
        out |= {
            "SENSOR_MODE": Text("BUMPER"),
            "SENSOR_MODE_SLC": Text(slc),
            "SENSOR_ANOMALIES": Text("NONE"),
        }
    return out


def _corners(grid: Grid) -> dict[str, Any]:
    """``CORNER_*_PRODUCT``: the centres of the corner pixels (as USGS gives them)."""
    lon, lat = lonlat(grid)
    x, y = grid.centres()
    at = {"UL": (0, 0), "UR": (0, -1), "LL": (-1, 0), "LR": (-1, -1)}
    out = {}
    for corner, (r, c) in at.items():
        out[f"CORNER_{corner}_LAT_PRODUCT"] = f"{lat[r, c]:.5f}"
        out[f"CORNER_{corner}_LON_PRODUCT"] = f"{lon[r, c]:.5f}"
    for corner, (r, c) in at.items():
        out[f"CORNER_{corner}_PROJECTION_X_PRODUCT"] = f"{x[c]:.3f}"
        out[f"CORNER_{corner}_PROJECTION_Y_PRODUCT"] = f"{y[r]:.3f}"
    return out


def _has_pan(view: View, level: str) -> bool:
    return level.startswith("L1") and view.sensor.sensor != "TM"


def _utm(view: View) -> dict[str, Any]:
    return {
        "MAP_PROJECTION": Text("UTM"),
        "DATUM": Text("WGS84"),
        "ELLIPSOID": Text("WGS84"),
        "UTM_ZONE": str(view.grid.epsg % 100),
    }


def _projection(view: View, level: str) -> dict[str, Any]:
    grid = view.grid
    out = _utm(view)
    if _has_pan(view, level):
        out["GRID_CELL_SIZE_PANCHROMATIC"] = f"{grid.cell / 2:.2f}"
    out |= {
        "GRID_CELL_SIZE_REFLECTIVE": f"{grid.cell:.2f}",
        "GRID_CELL_SIZE_THERMAL": f"{grid.cell:.2f}",
    }
    if _has_pan(view, level):
        out |= {
            "PANCHROMATIC_LINES": str(2 * grid.height),
            "PANCHROMATIC_SAMPLES": str(2 * grid.width),
        }
    out |= {
        "REFLECTIVE_LINES": str(grid.height),
        "REFLECTIVE_SAMPLES": str(grid.width),
        "THERMAL_LINES": str(grid.height),
        "THERMAL_SAMPLES": str(grid.width),
        "ORIENTATION": Text("NORTH_UP"),
    }
    return out | _corners(grid)


def _level2(entry: Entry, view: View) -> dict[str, Any]:
    oli = view.sensor.oli
    record = {
        "ORIGIN": ORIGIN,
        "DIGITAL_OBJECT_IDENTIFIER": Text(DOI[view.sensor.sensor][1]),
        "REQUEST_ID": Text(f"{entry.id[:13]}_00001"),
        "LANDSAT_PRODUCT_ID": Text(entry.name),
        "PROCESSING_LEVEL": Text("L2SP"),
        "OUTPUT_FORMAT": Text("GEOTIFF"),
        "DATE_PRODUCT_GENERATED": _t(entry.origin),
        "PROCESSING_SOFTWARE_VERSION": Text("LPGS_16.3.0"),
        "ALGORITHM_SOURCE_SURFACE_REFLECTANCE": Text("LaSRC_1.6.0" if oli else "LEDAPS_3.4.0"),
        "DATA_SOURCE_OZONE": Text("MODIS" if oli else "TOMS"),
        "DATA_SOURCE_PRESSURE": Text("Calculated" if oli else "NCEP"),
        "DATA_SOURCE_WATER_VAPOR": Text("MODIS" if oli else "NCEP"),
        "DATA_SOURCE_AIR_TEMPERATURE": Text("MODIS" if oli else "NCEP"),
        "ALGORITHM_SOURCE_SURFACE_TEMPERATURE": Text("st_1.5.0"),
        "DATA_SOURCE_REANALYSIS": Text("GEOS-5 IT"),
    }
    sr: dict[str, Any] = {}
    labels = [s.label for s in files_of(view.sensor, "L2SP") if s.kind == "sr"]
    top, bottom = 65535 * cal.SR_MULT + cal.SR_ADD, cal.SR_MULT + cal.SR_ADD
    for b in labels:
        sr[f"REFLECTANCE_MAXIMUM_BAND_{b}"] = f"{top:.6f}"
        sr[f"REFLECTANCE_MINIMUM_BAND_{b}"] = f"{bottom:.6f}"
    for b in labels:
        sr[f"QUANTIZE_CAL_MAX_BAND_{b}"] = "65535"
        sr[f"QUANTIZE_CAL_MIN_BAND_{b}"] = "1"
    sr |= {f"REFLECTANCE_MULT_BAND_{b}": f"{cal.SR_MULT:.2e}" for b in labels}
    sr |= {f"REFLECTANCE_ADD_BAND_{b}": f"{cal.SR_ADD}" for b in labels}
    st_band = "ST_B10" if oli else "ST_B6"
    st = {
        f"TEMPERATURE_MAXIMUM_BAND_{st_band}": f"{65535 * cal.ST_MULT + cal.ST_ADD:.6f}",
        f"TEMPERATURE_MINIMUM_BAND_{st_band}": f"{cal.ST_MULT + cal.ST_ADD:.6f}",
        f"QUANTIZE_CAL_MAXIMUM_BAND_{st_band}": "65535",
        f"QUANTIZE_CAL_MINIMUM_BAND_{st_band}": "1",
        f"TEMPERATURE_MULT_BAND_{st_band}": f"{cal.ST_MULT}",
        f"TEMPERATURE_ADD_BAND_{st_band}": f"{cal.ST_ADD}",
    }
    return {
        "LEVEL2_PROCESSING_RECORD": record,
        "LEVEL2_SURFACE_REFLECTANCE_PARAMETERS": sr,
        "LEVEL2_SURFACE_TEMPERATURE_PARAMETERS": st,
    }


def _l1_record(entry: Entry, view: View, l1_name: str, parts: dict[str, str]) -> dict[str, Any]:
    sensor = view.sensor.sensor
    l1_level = "L1TP" if parts["level"].startswith("L2") else parts["level"]
    out: dict[str, Any] = {
        "ORIGIN": ORIGIN,
        "DIGITAL_OBJECT_IDENTIFIER": Text(DOI[sensor][0]),
        "REQUEST_ID": Text(f"{entry.id[:13]}_00001"),
        "LANDSAT_SCENE_ID": Text(str(entry.attribute("sceneId", ""))),
        "LANDSAT_PRODUCT_ID": Text(l1_name),
        "PROCESSING_LEVEL": Text(l1_level),
        "COLLECTION_CATEGORY": Text(parts["category"]),
        "OUTPUT_FORMAT": Text("GEOTIFF"),
        "DATE_PRODUCT_GENERATED": _t(entry.origin),
        "PROCESSING_SOFTWARE_VERSION": Text("LPGS_16.3.0"),
    }
    contents = _contents(l1_name, view, l1_level, main=False)
    out |= contents
    year = view.when.year
    out["FILE_NAME_CPF"] = Text(f"{view.sensor.code}CPF_{year}0101_{year}0331_02.01")
    out["DATA_SOURCE_ELEVATION"] = Text("GLS2000")
    if l1_level == "L1TP":
        rmse = float(entry.attribute("geometricRmse", 6.0))
        out |= {
            "GROUND_CONTROL_POINTS_VERSION": "5",
            "GROUND_CONTROL_POINTS_MODEL": str(200 + int(rmse * 37) % 300),
            "GEOMETRIC_RMSE_MODEL": f"{rmse:.3f}",
            "GEOMETRIC_RMSE_MODEL_Y": f"{rmse * 0.78:.3f}",
            "GEOMETRIC_RMSE_MODEL_X": f"{rmse * 0.63:.3f}",
        }
    if sensor != "OLI_TIRS":
        out["EPHEMERIS_TYPE"] = Text("DEFINITIVE")
    return out


def _l1_bands(view: View) -> list[FileSpec]:
    return [s for s in files_of(view.sensor, "L1TP") if s.kind in ("reflective", "pan", "thermal")]


def _l1_rescaling(view: View) -> dict[str, Any]:
    sensor = view.sensor.sensor
    bands = [(s, cal.calibration(sensor, s.label)) for s in _l1_bands(view)]
    radiance: dict[str, str] = {}
    reflectance: dict[str, str] = {}
    pixel: dict[str, str] = {}
    rescale: dict[str, str] = {}
    for s, c in bands:
        radiance[f"RADIANCE_MAXIMUM_BAND_{s.label}"] = f"{c.rad_mult * c.qcal_max + c.rad_add:.5f}"
        radiance[f"RADIANCE_MINIMUM_BAND_{s.label}"] = f"{c.rad_mult + c.rad_add:.5f}"
        pixel[f"QUANTIZE_CAL_MAX_BAND_{s.label}"] = str(c.qcal_max)
        pixel[f"QUANTIZE_CAL_MIN_BAND_{s.label}"] = "1"
        if c.refl_mult is not None:
            top = c.refl_mult * c.qcal_max + c.refl_add
            reflectance[f"REFLECTANCE_MAXIMUM_BAND_{s.label}"] = f"{top:.6f}"
            reflectance[f"REFLECTANCE_MINIMUM_BAND_{s.label}"] = f"{c.refl_mult + c.refl_add:.6f}"
    rescale |= {f"RADIANCE_MULT_BAND_{s.label}": f"{c.rad_mult:.4E}" for s, c in bands}
    rescale |= {f"RADIANCE_ADD_BAND_{s.label}": f"{c.rad_add:.5f}" for s, c in bands}
    reflective = [(s, c) for s, c in bands if c.refl_mult is not None]
    rescale |= {f"REFLECTANCE_MULT_BAND_{s.label}": f"{c.refl_mult:.4E}" for s, c in reflective}
    rescale |= {f"REFLECTANCE_ADD_BAND_{s.label}": f"{c.refl_add:.6f}" for s, c in reflective}
    thermal: dict[str, str] = {}
    for s, c in bands:
        if c.k1 is not None:
            thermal[f"K1_CONSTANT_BAND_{s.label}"] = f"{c.k1:.4f}"
            thermal[f"K2_CONSTANT_BAND_{s.label}"] = f"{c.k2:.4f}"
    return {
        "LEVEL1_MIN_MAX_RADIANCE": radiance,
        "LEVEL1_MIN_MAX_REFLECTANCE": reflectance,
        "LEVEL1_MIN_MAX_PIXEL_VALUE": pixel,
        "LEVEL1_RADIOMETRIC_RESCALING": rescale,
        "LEVEL1_THERMAL_CONSTANTS": thermal,
    }


def _l1_projection(view: View) -> dict[str, Any]:
    out = _utm(view)
    if view.sensor.sensor != "TM":
        out["GRID_CELL_SIZE_PANCHROMATIC"] = f"{view.grid.cell / 2:.2f}"
    out |= {
        "GRID_CELL_SIZE_REFLECTIVE": f"{view.grid.cell:.2f}",
        "GRID_CELL_SIZE_THERMAL": f"{view.grid.cell:.2f}",
        "ORIENTATION": Text("NORTH_UP"),
        "RESAMPLING_OPTION": Text("CUBIC_CONVOLUTION"),
    }
    return out
