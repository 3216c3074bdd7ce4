"""COP-DEM records: the Copernicus DEM GLO-30 and GLO-90 tiles as cloud-optimised GeoTIFFs.
Metadata only.

Follows the real archive (paths seen in code run against CDSE, eometadatatool's ``copdem-cog``
examples): one product per 1° tile, ``Copernicus_DSM_COG_<10|30>_<N|S><lat>_00_<E|W><lon>_00_DEM``
(10 arc-seconds for 30 m, 30 for 90 m) under ``/eodata/auxdata/CopDEM_COG/copernicus-dem-<30m|
90m>/``, holding ``<name>.tif``; ContentDate spans the TanDEM-X acquisitions (2010-12 to
2015-01). Attributes: the generic set (§1.7 has no COP-DEM table).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .attributes import typed
from .common import fmt_time, new_entry
from .shapes import period_times, tile

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["cop_dem"]


def cop_dem(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """The tile holding ``(lon, lat)`` at ``row``'s resolution."""
    metres = int(row.gsd or 30)
    west, south = math.floor(lon), math.floor(lat)
    code = 10 if metres == 30 else 30
    name = (
        f"Copernicus_DSM_COG_{code}_{'N' if south >= 0 else 'S'}{abs(south):02d}_00_"
        f"{'E' if west >= 0 else 'W'}{abs(west):03d}_00_DEM"
    )
    first = datetime.fromisoformat(row.start)
    last = datetime.fromisoformat(row.end or row.start).replace(tzinfo=UTC)
    times = period_times(rng, first, last)
    attrs = typed(
        "COP-DEM",
        {
            "productType": row.product_types[0],
            "platformShortName": "TANDEM-X",
            "instrumentShortName": "X-SAR",
            "processorVersion": "5.52",
            "spatialResolution": metres,
            "tileId": name[22:36],
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    return new_entry(
        rng,
        name=name,
        collection="COP-DEM",
        product_type=row.product_types[0],
        footprint=tile(west, south),
        attributes=attrs,
        s3_path=f"/eodata/auxdata/CopDEM_COG/copernicus-dem-{metres}m/{name}",
        mean_mb=24 if metres == 30 else 3,
        extra={"lon": lon, "lat": lat},
        **times,
    )
