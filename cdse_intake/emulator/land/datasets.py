"""The land catalogue's records: CLMS ``DataSet`` objects and their download information.

Real (recorded ``@search`` answer; clms.downloadtool ``post.py``, ``utils.py``): a DataSet has a
32-hex ``UID``, an ``@id`` under ``/en/products/<product>/<dataset>``, ``dataset_full_format``
(null or a format), ``dataset_download_information.items[]`` with ``@id`` (a UUID),
``collection``, ``full_format`` (a string, or ``{"title", "token"}`` on older records),
``full_path``, ``full_source`` (LANDCOVER, EEA, WEKEO, LEGACY), ``name`` (RASTER, VECTOR, some
with a trailing space), ``wekeo_choices`` (absent on some) and, where the product has bands,
``layers``; time series datasets need a ``TemporalFilter`` limited to
``download_limit_temporal_extent`` days. The output projections are EPSG:4326, 3035, 3857 and
4258. The catalogue held 198 datasets when recorded (``last``: ``b_start=175``).

Emulated: the records are generated (:mod:`.families`), deterministic, with the recorded UIDs
and download-information ids for the datasets the docs' examples use; ``kind``, ``resolution``,
``period`` and the dates drive the synthetic pixels (:mod:`.source`) and file names.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = ["GCS", "Dataset", "Info", "PackagedFile", "catalogue", "dataset", "derived_id"]

#: Output projections of every dataset (clms.downloadtool ``utils.GCS``).
GCS = ("EPSG:4326", "EPSG:3035", "EPSG:3857", "EPSG:4258")


def derived_id(*parts: object, hex32: bool = False) -> str:
    """A stable identifier from ``parts``: a UUID, or 32 hex digits (a Plone UID)."""
    digest = hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()  # noqa: S324
    return digest if hex32 else str(uuid.UUID(digest, version=4))


@dataclass(frozen=True)
class Info:
    """One ``dataset_download_information`` item: a downloadable form of the dataset."""

    id: str
    name: str
    full_format: str
    full_path: str
    full_source: str
    collection: str | None = None
    wekeo_choices: str | None = ""  # None: the key is absent, as on some real records
    layers: tuple[str, ...] | None = None
    format_object: bool = False  # full_format as {"title", "token"} (older records)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"@id": self.id}
        if self.collection is not None:
            out["collection"] = self.collection
        fmt = self.full_format
        out["full_format"] = {"title": fmt, "token": fmt} if self.format_object else fmt
        out["full_path"] = self.full_path
        out["full_source"] = self.full_source
        if self.layers is not None:
            out["layers"] = list(self.layers)
        out["name"] = self.name
        if self.wekeo_choices is not None:
            out["wekeo_choices"] = self.wekeo_choices
        return out


@dataclass(frozen=True)
class PackagedFile:
    """One ``downloadable_files`` item: a prepackaged file (``FileID`` requests)."""

    id: str
    area: str
    format: str
    path: str
    source: str = "EEA"

    def as_json(self) -> dict[str, Any]:
        return {"@id": self.id, "area": self.area, "format": self.format, "path": self.path,
                "resolution": "", "size": "", "source": self.source, "title": self.area,
                "type": "Raster" if self.format == "Geotiff" else "Vector", "version": "",
                "year": ""}  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    """A CLMS DataSet, and what the emulator needs to make its pixels and file names."""

    uid: str
    product: str  # the @id folder: /en/products/<product>/<slug>
    slug: str
    title: str
    description: str
    kind: str  # the pixel model (:mod:`.source`)
    resolution: float  # metres
    infos: tuple[Info, ...]
    stem: str  # file name pattern; {date}/{year} filled per file
    period: str | None = None  # "dekad" | "day" | "month"; None: one epoch
    start: date | None = None
    end: date | None = None
    epoch: int | None = None
    full_format: str | None = None
    review_state: str = "published"
    max_days: int | None = None
    metadata: tuple[str, ...] = ()
    files: tuple[PackagedFile, ...] = ()
    projections: tuple[str, ...] = GCS
    geographic: bool = False  # native grid in degrees (the global products)
    image: str = "image"
    keywords: tuple[str, ...] = field(default=())

    @property
    def timeseries(self) -> bool:
        return self.period is not None

    def dates(self, start: date, end: date) -> list[date]:
        """The dates of the dataset's files within ``[start, end]`` (none for an epoch)."""
        from .periods import file_dates

        if self.period is None or self.start is None or self.end is None:
            return []
        return file_dates(self.period, self.start, self.end, start, end)

    def info(self, info_id: str) -> Info | None:
        return next((i for i in self.infos if i.id == info_id), None)

    def searchable(self) -> str:
        return " ".join((self.title, self.description, self.product, *self.keywords))


@lru_cache(maxsize=1)
def catalogue() -> tuple[Dataset, ...]:
    """Every dataset, in the portal's listing order."""
    from .families import build

    return tuple(build())


@lru_cache(maxsize=1)
def _by_uid() -> dict[str, Dataset]:
    return {d.uid: d for d in catalogue()}


def dataset(uid: str) -> Dataset | None:
    """The dataset of ``uid`` (None if unknown)."""
    return _by_uid().get(uid)
