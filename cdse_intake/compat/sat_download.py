"""sat_download's Copernicus API (``sat_download.api.odata``) over cdse_intake.

``ODataAPI(username, password).search(SearchFilters(...))`` returns the tool's
``{id: SatelliteImage}``; ``.download(image_id, outname, verbose)`` writes the product to
``outname``, verified against CDSE's checksum, and returns ``outname`` (None on failure).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..auth import Credentials
from ..config import Endpoints, Settings
from ..errors import QueryError

__all__ = ["COLLECTIONS", "ODataAPI", "SatelliteImage", "SearchFilters", "SearchResults"]


class COLLECTIONS(enum.Enum):
    """The collections the tool names (``COLLECTIONS.SENTINEL_2.value == "SENTINEL-2"``)."""

    SENTINEL_1 = "SENTINEL-1"
    SENTINEL_2 = "SENTINEL-2"
    SENTINEL_3 = "SENTINEL-3"
    SENTINEL_5P = "SENTINEL-5P"


@dataclass
class SearchFilters:
    """The tool's search filters: dates ``YYYY-MM-DD`` (both days included), WKT geometry."""

    collection: str
    start_date: str
    end_date: str
    processing_level: str | None = None
    geometry: str | None = None
    tile_id: str | None = None
    contains: list[str] | None = field(default=None)


@dataclass(frozen=True)
class SatelliteImage:
    """One search result, as the tool gives it."""

    uuid: str
    date: datetime
    sensor: str
    filename: str
    tile_id: str | None
    size: int | None
    cloud_cover: float | None
    geometry: dict[str, Any] | None


#: ``{product id: SatelliteImage}``, the tool's search result.
SearchResults = dict[str, SatelliteImage]


class ODataAPI:
    """Search and download CDSE products the way sat_download's ``ODataAPI`` does.

    ``endpoints``/``settings``: cdse_intake's (default: the real CDSE, or ``CDSE_*``).
    """

    def __init__(
        self,
        username: str,
        password: str,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.username = username
        self._credentials = Credentials(username, password)  # pickles without the password
        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self.SEARCH_URL = f"{self.endpoints.catalogue}/Products"
        self.DOWNLOAD_URL = f"{self.endpoints.download}/Products"
        self.TOKEN_URL = self.endpoints.token_url

    def __repr__(self) -> str:
        return f"ODataAPI(username={self.username!r}, catalogue={self.endpoints.catalogue!r})"

    def search(self, filters: SearchFilters) -> SearchResults:
        """The products matching ``filters``, ``{id: SatelliteImage}`` in sensing order."""
        from ..api import search

        if not isinstance(filters, SearchFilters):
            raise QueryError(f"filters={filters!r} is not a SearchFilters")
        names = filters.contains or []
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise QueryError(f"contains={names!r} is invalid; expected a list of strings")
        results = search(
            filters.collection,
            start=filters.start_date,
            end=filters.end_date,
            geometry=filters.geometry or None,
            tile=filters.tile_id or None,
            processing_level=filters.processing_level or None,
            name_contains=names[0] if names else None,
            endpoints=self.endpoints,
            settings=self.settings,
        )
        # OData takes one contains() per condition: the first goes to the catalogue, the rest here.
        return {
            p.id: _image(p, filters.collection)
            for p in results
            if all(n in p.name for n in names[1:])
        }

    def download(self, image_id: str, outname: str, verbose: int = 0) -> str | None:
        """Download product ``image_id`` to ``outname``; returns ``outname``, None on failure.

        ``verbose`` > 0 shows a progress bar. The file is verified before it takes its name.
        """
        from ..downloads import download
        from ..fs import CDSEFileSystem
        from ..product import Product

        target = Path(outname)
        record = CDSEFileSystem(endpoints=self.endpoints, settings=self.settings).product(image_id)
        fields = {name: getattr(record, name) for name in record.__dataclass_fields__}
        product = Product(**{**fields, "name": target.name})  # written under the caller's name
        target.parent.mkdir(parents=True, exist_ok=True)
        report = download(
            [product],
            target.parent if str(target.parent) else os.curdir,
            progress=verbose > 0,
            endpoints=self.endpoints,
            settings=self.settings,
            credentials=self._credentials,
        )
        return str(outname) if report.ok else None


def _image(product: Any, collection: str) -> SatelliteImage:
    attributes = product.attributes
    return SatelliteImage(
        uuid=product.id,
        date=product.start,
        sensor=collection,
        filename=product.name,
        tile_id=attributes.get("tileId"),
        size=product.size,
        cloud_cover=attributes.get("cloudCover"),
        geometry=dict(product.footprint) if product.footprint else None,
    )
