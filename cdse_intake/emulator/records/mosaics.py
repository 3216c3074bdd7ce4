"""GLOBAL-MOSAICS records: Sentinel-1 monthly and Sentinel-2 quarterly mosaics, OpenGeoHub's
bi-monthly Landsat mosaic. Metadata only.

Follows the real archive (eometadatatool's mosaic templates and examples, paths seen in code run
against CDSE): names ``Sentinel-1_<IW|DH>_mosaic_<year>_M<month>_<MGRS tile>_0_0`` under
``/eodata/Global-Mosaics/Sentinel-1/S1SAR_L3_<IW|DH>_MCM/<year>/<month>/01/`` (DH, dual HH/HV,
over the polar regions, IW elsewhere), ``Sentinel-2_mosaic_<year>_Q<n>_<MGRS tile>_0_0`` under
``/eodata/Global-Mosaics/Sentinel-2/S2MSI_L3__MCQ/<year>/<first month>/01/``,
``Landsat_mosaic_<year>_<m1>-<m2>_<lat><N|S><lon><E|W>_V1.0.1`` (1° tiles) under
``/eodata/Global-Mosaics/Landsat/OLM_SWA_ARD2/v1/<year>/<m1>/01/``. ContentDate is the mosaic's
period. Attributes: the generic set (§1.7 has no GLOBAL-MOSAICS table).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .attributes import typed
from .common import fmt_time, footprint, mgrs, new_entry
from .shapes import period_times, tile

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["landsat_mosaic", "s1_mosaic", "s2_mosaic"]


def _months(year: int, month: int, count: int) -> tuple[datetime, datetime]:
    """``count`` months from ``year-month-01``: the first instant and the last microsecond."""
    start = datetime(year, month, 1, tzinfo=UTC)
    following = datetime(year + (month - 1 + count) // 12, (month - 1 + count) % 12 + 1, 1)
    return start, following.replace(tzinfo=UTC) - timedelta(microseconds=1)


def _entry(rng: random.Random, name: str, product_type: str, path: str, **kw: Any) -> Entry:
    times = kw.pop("times")
    values = {
        "productType": product_type,
        **kw.pop("values"),
        "beginningDateTime": fmt_time(times["start"]),
        "endingDateTime": fmt_time(times["end"]),
    }
    return new_entry(
        rng,
        name=name,
        collection="GLOBAL-MOSAICS",
        product_type=product_type,
        attributes=typed("GLOBAL-MOSAICS", values),
        s3_path=f"{path}/{name}",
        **kw,
        **times,
    )


def s1_mosaic(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """The month's mosaic of the MGRS tile at ``(lon, lat)``."""
    kind = "DH" if abs(lat) >= 58 else "IW"
    product_type = f"S1SAR_L3_{kind}_MCM"
    start, end = _months(when.year, when.month, 1)
    tile_id = mgrs(lon, lat)
    name = f"Sentinel-1_{kind}_mosaic_{when.year}_M{when.month:02d}_{tile_id}_0_0"
    return _entry(
        rng,
        name,
        product_type,
        f"/eodata/Global-Mosaics/Sentinel-1/{product_type}/{start:%Y/%m/%d}",
        times=period_times(rng, start, end),
        values={
            "platformShortName": "SENTINEL-1",
            "instrumentShortName": "SAR",
            "processingLevel": "L3",
            "processingCenter": "Sinergise Solutions",
            "spatialResolution": 20,
            "tileId": tile_id,
        },
        footprint=footprint(lon, lat, 0.5, 0.45),
        mean_mb=180,
        extra={"lon": lon, "lat": lat, "tile": tile_id, "mosaic": kind},
    )


def s2_mosaic(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """The quarter's cloudless mosaic of the MGRS tile at ``(lon, lat)``."""
    quarter = (when.month - 1) // 3 + 1
    start, end = _months(when.year, 3 * quarter - 2, 3)
    tile_id = mgrs(lon, lat)
    name = f"Sentinel-2_mosaic_{when.year}_Q{quarter}_{tile_id}_0_0"
    return _entry(
        rng,
        name,
        "S2MSI_L3__MCQ",
        f"/eodata/Global-Mosaics/Sentinel-2/S2MSI_L3__MCQ/{start:%Y/%m/%d}",
        times=period_times(rng, start, end),
        values={
            "platformShortName": "SENTINEL-2",
            "instrumentShortName": "MSI",
            "processingLevel": "L3",
            "processingCenter": "Copernicus Data Space Ecosystem",
            "spatialResolution": 10,
            "tileId": tile_id,
        },
        footprint=footprint(lon, lat, 0.5, 0.45),
        mean_mb=650,
        extra={"lon": lon, "lat": lat, "tile": tile_id},
    )


def landsat_mosaic(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """The two months' mosaic of the 1° tile holding ``(lon, lat)``."""
    first = (when.month - 1) // 2 * 2 + 1
    start, end = _months(when.year, first, 2)
    west, south = math.floor(lon), math.floor(lat)
    tile_id = (
        f"{abs(south):02d}{'N' if south >= 0 else 'S'}{abs(west):03d}{'E' if west >= 0 else 'W'}"
    )
    name = f"Landsat_mosaic_{when.year}_{first:02d}-{first + 1:02d}_{tile_id}_V1.0.1"
    return _entry(
        rng,
        name,
        "landsat_mosaic",
        f"/eodata/Global-Mosaics/Landsat/OLM_SWA_ARD2/v1/{start:%Y/%m/%d}",
        times=period_times(rng, start, end),
        values={
            "platformShortName": "LANDSAT",
            "instrumentShortName": "OLI",
            "processingLevel": "L3",
            "processingCenter": "OpenGeoHub",
            "processorVersion": "1.0.1",
            "spatialResolution": 30,
            "tileId": tile_id,
        },
        footprint=tile(west, south),
        mean_mb=40,
        extra={"lon": lon, "lat": lat, "tile": tile_id},
    )
