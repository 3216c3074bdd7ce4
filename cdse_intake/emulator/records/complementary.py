"""Records of the OData collections that have no STAC collection (cdse-api.md §1.6):
SENTINEL-1-RTC, SMOS, ENVISAT, LANDSAT-5/7/8/9, TERRAAQUA, S2GLC, CEMS and CAMS. Metadata only.

Names and paths as the real archive has them where found (code run against CDSE and its data
pages): SMOS ``SM_OPER_MIR_SMUDP2_<start>_<stop>_700_001_1`` under ``/eodata/SMOS/L2SM/
MIR_SMUDP2/<date>/``; Envisat MERIS ``MER_FRS_1PPEPA<date>_<time>_…_<orbit>_…N1`` under
``/eodata/Envisat/Meris/FRS/<date>/``; Landsat ``LC08_L1TP_195028_20230703_20230703_02_RT``
under ``/eodata/Landsat-8/OLI_TIRS/L1TP/<date>/``; CAMS under ``/eodata/CAMS/GLOBAL/``;
TerraAqua MODIS product types (``MCD43A4.061`` ...) from CDSE's TerraAqua page. The other
names (RTC, S2GLC, CEMS, CAMS files) are inferred. Attributes from §10's tables (ENVISAT,
LANDSAT-*, SENTINEL-1-RTC), else the generic set.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import modis_tiles
from .attributes import typed
from .common import common_times, fmt_time, footprint, hex_digits, mgrs, new_entry, stamp
from .sentinel1 import S1_ORBIT_EPOCH
from .shapes import globe

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import ODataOnly

__all__ = ["odata_only_entry"]

_LANDSAT_CODE = {"LANDSAT-5": "LT05", "LANDSAT-7": "LE07", "LANDSAT-8": "LC08", "LANDSAT-9": "LC09"}


def _landsat(c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int):
    product_type = c.product_types[k % len(c.product_types)]
    times = common_times(rng, when, 24)
    path, row_number = int((180 - lon) / 360 * 233) % 233 + 1, int((90 - lat) / 180 * 248) + 1
    processed = times["origin"]
    category = ("T1", "T2", "RT")[k % 3]
    code = _LANDSAT_CODE[c.odata]
    name = (
        f"{code}_{product_type}_{path:03d}{row_number:03d}_{times['start']:%Y%m%d}_"
        f"{processed:%Y%m%d}_02_{category}"
    )
    sun_azimuth, sun_elevation = round(rng.uniform(100, 170), 6), round(rng.uniform(15, 65), 6)
    zone = int((lon + 180) // 6) + 1
    values = {
        "authority": "ESA" if c.odata == "LANDSAT-8" else "USGS",
        "cloudCover": round(rng.uniform(0, 100), 2),
        "cloudCoverLand": round(rng.uniform(0, 100), 2),
        "collectionCategory": category,
        "collectionNumber": "02",
        "geometricRmse": round(rng.uniform(3, 12), 3),
        "instrumentShortName": c.instrument,
        "numberOfBands": 11 if code in ("LC08", "LC09") else 8,
        "orbitNumber": 30000 + k,
        "pathNumber": path,
        "platformShortName": c.platform,
        "processingLevel": product_type,
        "productType": product_type,
        "proj:epsg": (32600 if lat >= 0 else 32700) + zone,
        "rowNumber": row_number,
        "sceneId": f"{code[0]}{code[1]}{code[3]}{path:03d}{row_number:03d}"
        f"{times['start']:%Y%j}LGN00",
        "spatialResolution": 30,
        "sunAzimuthAngle": sun_azimuth,
        "sunElevationAngle": sun_elevation,
        "view:sun_azimuth": sun_azimuth,
        "view:sun_elevation": sun_elevation,
        "wrsPath": f"{path:03d}",
        "wrsRow": f"{row_number:03d}",
        "wrsType": "2",
    }
    folder = f"/eodata/{c.odata.title()}/{c.instrument}/{product_type}"
    return name, product_type, footprint(lon, lat, 0.85, 0.8, skew=0.12), values, times, folder


def _envisat(c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int):
    product_type = c.product_types[k % len(c.product_types)]
    times = common_times(rng, when, 180 if product_type == "MER_FRS_1P" else 2580)
    orbit = 1000 + int(
        (when - datetime.fromisoformat(c.start).replace(tzinfo=when.tzinfo)).days * 14.3
    )
    name = (
        f"{product_type}PEPA{times['start']:%Y%m%d_%H%M%S}_00000{rng.randint(1000, 9999)}"
        f"{rng.randint(0, 999):03d}_{orbit % 501:05d}_{orbit:05d}_{rng.randint(0, 9999):04d}.N1"
    )
    values = {
        "authority": "ESA",
        "cycleNumber": 1 + orbit // 501,
        "instrumentShortName": c.instrument,
        "orbitNumber": orbit,
        "phaseNumber": 2,
        "platformShortName": c.platform,
        "processingLevel": "1P",
        "productType": product_type,
        "spatialResolution": 300 if product_type == "MER_FRS_1P" else 1200,
    }
    shape = (
        footprint(lon, lat, 5.5, 5.0, skew=0.8)
        if product_type == "MER_FRS_1P"
        else footprint(lon, 0.0, 7.0, 80.0, skew=6.0)
    )
    kind = "FRS" if product_type == "MER_FRS_1P" else "RR"
    return name, product_type, shape, values, times, f"/eodata/Envisat/Meris/{kind}"


def _smos(c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int):
    product_type = c.product_types[k % len(c.product_types)]
    times = common_times(rng, when, rng.uniform(2900, 3100))
    name = (
        f"SM_OPER_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_"
        f"{700 if product_type.endswith('P2') else 724}_001_1"
    )
    level = {"MIR_SMUDP2": "L2SM", "MIR_OSUDP2": "L2OS"}.get(product_type, "L1B")
    values = {"productType": product_type, "platformShortName": "SMOS"}
    values |= {"instrumentShortName": c.instrument, "processingLevel": level[:2]}
    shape = footprint(lon, 0.0, 5.0, 82.0, skew=10.0)
    return name, product_type, shape, values, times, f"/eodata/SMOS/{level}/{product_type}"


def _rtc(c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int):
    times = common_times(rng, when, 25)
    first_day, first_orbit = S1_ORBIT_EPOCH["A"]  # orbits counted as the SENTINEL-1 records'
    orbit = first_orbit + int((when - first_day).total_seconds() / 86400 * 175 / 12)
    name = (
        f"S1A_IW_GRDH_1SDV_{stamp(times['start'])}_{stamp(times['end'])}_{orbit:06d}_"
        f"{rng.randint(0x40000, 0xFFFFF):06X}_{hex_digits(rng, 4).upper()}_RTC"
    )
    values = {
        "authority": "ESA",
        "instrumentShortName": "SAR",
        "operationalMode": "IW",
        "orbitDirection": ("ASCENDING", "DESCENDING")[k % 2],
        "orbitNumber": orbit,
        "platformSerialIdentifier": "A",
        "platformShortName": "SENTINEL-1",
        "polarisationChannels": "VV&VH",
        "processingLevel": "LEVEL2",
        "productType": c.product_types[0],
        "relativeOrbitNumber": 1 + (orbit - 73) % 175,
        "spatialResolution": 20,
    }
    shape = footprint(lon, lat, 1.2, 0.9, skew=0.25)
    return name, c.product_types[0], shape, values, times, "/eodata/Sentinel-1-RTC/IW_GRDH_RTC"


def _gridded(c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int):
    """TERRAAQUA, S2GLC, CEMS, CAMS: tiles or global fields."""
    product_type = c.product_types[k % len(c.product_types)]
    values: dict[str, Any] = {"productType": product_type, "platformShortName": c.platform}
    values["instrumentShortName"] = c.instrument
    if c.odata == "TERRAAQUA":
        short = product_type.split(".")[0]
        times = common_times(rng, *modis_tiles.period(short, when))
        h, v = modis_tiles.tile_of(lon, lat)
        rng.randint(0, 999999)  # drawn as before: the records after it stay the same
        name = (
            f"{short}.A{times['start']:%Y%j}.h{h:02d}v{v:02d}.061."
            f"{modis_tiles.production_stamp(times['origin'])}.hdf"
        )
        values |= {"processingLevel": "L3", "spatialResolution": 500, "tileId": f"h{h:02d}v{v:02d}"}
        shape = modis_tiles.tile_footprint(h, v)
        folder = f"/eodata/Terra-Aqua/MODIS/{product_type}"
    elif c.odata == "S2GLC":
        tile_id = mgrs(lon, lat)
        times = common_times(rng, when, 364 * 86400)
        name = f"S2GLC_T{tile_id}_2017"
        values |= {"processingLevel": "L4", "spatialResolution": 10, "tileId": tile_id}
        shape, folder = footprint(lon, lat, 0.5, 0.45), "/eodata/S2GLC/2017"
    elif c.odata == "CEMS":
        times = common_times(rng, when, 25)
        tile_id = f"E{math.floor(lon / 10) * 10 + 180:03d}N{math.floor(lat / 10) * 10 + 90:03d}"
        name = f"GFM_{tile_id}_{stamp(times['start'])}_FLOOD"
        values |= {"processingLevel": "L3", "spatialResolution": 20, "tileId": tile_id}
        shape, folder = footprint(lon, lat, 1.2, 0.9), f"/eodata/CEMS/{product_type}"
    else:  # CAMS: global model fields
        times = common_times(rng, when.replace(hour=0, minute=0, second=0), 0)
        kind = "fc" if product_type == "GLOBAL" else "an"
        name = f"z_cams_c_ecmf_{stamp(times['start']).replace('T', '')}_prod_{kind}_sfc_aod550.nc"
        values |= {"processingLevel": "L4", "spatialResolution": 40000}
        shape, folder = globe(), f"/eodata/CAMS/{product_type}"
    return name, product_type, shape, values, times, folder


_MAKERS = {
    "SENTINEL-1-RTC": _rtc,
    "SMOS": _smos,
    "ENVISAT": _envisat,
    **dict.fromkeys(_LANDSAT_CODE, _landsat),
}


def odata_only_entry(
    c: ODataOnly, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One record of the OData-only collection ``c`` near ``(lon, lat)`` at ``when``."""
    make = _MAKERS.get(c.odata, _gridded)
    name, product_type, shape, values, times, folder = make(c, rng, when, lon, lat, k)
    values = {
        **values,
        "beginningDateTime": fmt_time(times["start"]),
        "endingDateTime": fmt_time(times["end"]),
    }
    return new_entry(
        rng,
        name=name,
        collection=c.odata,
        product_type=product_type,
        footprint=shape,
        attributes=typed(c.odata, values),
        s3_path=f"{folder}/{times['start']:%Y/%m/%d}/{name}",
        mean_mb=150,
        extra={"lon": lon, "lat": lat},
        **times,
    )
