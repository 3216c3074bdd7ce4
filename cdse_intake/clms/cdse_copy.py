"""CLMS datasets that CDSE also holds, and the CDSE search that finds them.

CDSE keeps some global CLMS products in its own catalogue (collection ``CLMS`` in OData, one
STAC collection per product version and format; ``data/vocabulary.json``). For those, a request
that needs no cutting or reprojection is better served by CDSE: no queue, no 72-hour link, the
files verified and cached as every CDSE product. This module only maps a dataset to the CDSE
collection; the search itself is the public API's (``cdse_intake.search(**copy.search_kwargs())``),
which this layer may not import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .datasets import CLMSDataset

__all__ = ["CDSE_COPIES", "CDSECopy", "cdse_copy_of"]

#: (pattern over the dataset's title and address, STAC collection, product type, native format)
CDSE_COPIES: tuple[tuple[str, str, str, str], ...] = (
    (
        r"(ndvi|normali[sz]ed difference vegetation).*300.*(v(ersion)?\W*2|v2)",
        "clms_ndvi_global_300m_10daily_v2_nc",
        "NDVI300",
        "Netcdf",
    ),
    (
        r"(ndvi|normali[sz]ed difference vegetation).*300.*(v(ersion)?\W*3|v3)",
        "clms_ndvi_global_300m_10daily_v3_nc",
        "NDVI300",
        "Netcdf",
    ),
    (
        r"clc\W*plus.*lulucf",
        "clms_clcplus_lulucf-instance_europe_100m_yearly_v1",
        "CLCPLUS_LULUCF",
        "Geotiff",
    ),
)


@dataclass(frozen=True)
class CDSECopy:
    """Where CDSE holds a CLMS dataset, and the search for a time range and area there."""

    dataset_uid: str
    title: str
    stac_collection: str
    odata_collection: str
    product_type: str
    native_format: str
    bbox: tuple[float, float, float, float] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def search_kwargs(self, backend: str = "odata") -> dict[str, Any]:
        """Keywords of ``cdse_intake.search`` for this copy (``backend``: odata or stac).

        The STAC collection id on both backends: on OData it is the collection ``CLMS`` and the
        product type narrowed to this version and format (product type ``NDVI300`` alone also
        finds version 3 and the COGs)."""
        kwargs: dict[str, Any] = {"backend": backend, "collection": self.stac_collection}
        if self.bbox is not None:
            kwargs["bbox"] = self.bbox
        if self.start is not None:
            kwargs["start"] = self.start
        if self.end is not None:
            kwargs["end"] = self.end
        return kwargs


def cdse_copy_of(
    dataset: CLMSDataset,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    time: tuple[dt.datetime, dt.datetime] | None = None,
) -> CDSECopy | None:
    """The CDSE copy of ``dataset`` (None: CDSE holds none)."""
    text = f"{dataset.title} {dataset.url}".casefold()
    for pattern, stac, product_type, native in CDSE_COPIES:
        if re.search(pattern, text):
            return CDSECopy(
                dataset_uid=dataset.uid,
                title=dataset.title,
                stac_collection=stac,
                odata_collection="CLMS",
                product_type=product_type,
                native_format=native,
                bbox=bbox,
                start=time[0] if time else None,
                end=time[1] if time else None,
            )
    return None
