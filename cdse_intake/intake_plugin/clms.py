"""CLMS (land.copernicus.eu) datasets as intake 2 entries: search -> request -> xarray.

- :class:`CLMSLandDatasetsReader` reads :func:`cdse_intake.clms.search` (optionally ``text``)
  into a catalogue with one :class:`CLMSLandDatasetReader` entry per dataset, named after the
  dataset's page (``normalised_difference_vegetation_index_2020_present_v2_300m``), with its
  UID, title, product and formats as metadata;
- :class:`CLMSLandDatasetReader` requests a cut of its dataset (``bbox`` or ``nuts``,
  ``output_format``, ``crs``, ``start``/``end``), waits for the task politely, downloads the
  result once and opens it with :func:`cdse_intake.readers.open_clms_result`. The same read
  again picks up the same task and the result kept in the cache: nothing is posted twice.

Like the other readers they hold plain values only: the API root comes from ``CDSE_CLMS_URL``
and the service key from ``CDSE_CLMS_SERVICE_KEY`` (or the config file) when they read, never
from a keyword. Importing this module imports nothing heavy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from intake.readers import datatypes

from .readers import _CDSEReader

__all__ = [
    "CLMSLandDataset",
    "CLMSLandDatasetReader",
    "CLMSLandDatasets",
    "CLMSLandDatasetsReader",
    "request_keywords",
]

#: The keywords of a dataset entry (its data request and the wait).
_REQUEST = frozenset(
    {"bbox", "nuts", "start", "end", "output_format", "crs", "layer", "download_information"}
    | {"timeout", "resubmit", "chunks", "scale"}
)


class CLMSLandDatasets(datatypes.Catalog):
    """The datasets of the CLMS API (``CDSE_CLMS_URL``) whose text matches ``text`` (all: None)."""

    structure: ClassVar[set[str]] = {"catalog"}

    def __init__(self, text: str | None = None, metadata: dict[str, Any] | None = None) -> None:
        self.text = text
        super().__init__(metadata=metadata)


class CLMSLandDataset(datatypes.BaseData):
    """One CLMS dataset, named by its ``uid`` (what a data request names) and ``title``."""

    structure: ClassVar[set[str]] = {"array"}

    def __init__(self, uid: str, title: str = "", metadata: dict[str, Any] | None = None) -> None:
        self.uid = uid
        self.title = title
        super().__init__(metadata=metadata)


def request_keywords(
    bbox: Any = None,
    nuts: str | None = None,
    start: Any = None,
    end: Any = None,
    **more: Any,
) -> dict[str, Any]:
    """The keywords of :func:`cdse_intake.clms.request` for an entry's: ``start``/``end`` made
    the request's ``time`` (``start`` alone: until today), ``None`` values left out."""
    from ..errors import CLMSQueryError

    if end not in (None, "") and start in (None, ""):
        raise CLMSQueryError(f"end={end!r} needs a start: a CLMS time range is (start, end)")
    kwargs = {k: v for k, v in more.items() if v is not None}
    if start not in (None, ""):
        kwargs["time"] = (start, end if end not in (None, "") else dt.date.today().isoformat())
    if bbox is not None:
        kwargs["bbox"] = list(bbox.split(",")) if isinstance(bbox, str) else list(bbox)
    if nuts is not None:
        kwargs["nuts"] = nuts
    return kwargs


class CLMSLandDatasetReader(_CDSEReader):
    """A CLMS dataset cut to an area: requested, awaited, downloaded once, opened lazily.

    Keywords: ``bbox`` (west, south, east, north; degrees) or ``nuts`` (a NUTS code),
    ``output_format`` (default ``Geotiff``), ``crs`` (default ``EPSG:4326``), ``start`` and
    ``end`` (time series), ``layer``, ``download_information``, ``resubmit``; ``timeout``
    (seconds of waiting; None: no limit); ``chunks`` and ``scale`` for
    :func:`~cdse_intake.readers.open_clms_result`.
    """

    implements: ClassVar[set[type]] = {CLMSLandDataset}
    imports: ClassVar[set[str]] = {"xarray", "rasterio"}
    output_instance = "xarray:Dataset"

    @classmethod
    def _accepted(cls) -> frozenset[str]:
        return _REQUEST

    def _read(
        self,
        data: CLMSLandDataset,
        timeout: float | None = None,
        chunks: Any = "auto",
        scale: bool = True,
        **kwargs: Any,
    ) -> Any:
        from .. import clms
        from ..readers import open_clms_result

        job = clms.request(data.uid, **request_keywords(**kwargs))
        job.wait(timeout=timeout)
        files = job.download()
        ds = open_clms_result(files[0], chunks=chunks, scale=scale)
        ds.attrs["clms_task_id"] = job.task_id
        return ds

    def job(self, **kwargs: Any) -> Any:
        """The :class:`~cdse_intake.clms.CLMSJob` of this entry's request (posted now, or the
        kept one), without waiting: for ``status()`` or ``cancel()`` by hand."""
        from .. import clms

        kw = {**self.kwargs, **kwargs}
        kw.pop("data", None)
        for name in ("timeout", "chunks", "scale"):
            kw.pop(name, None)
        return clms.request(self.kwargs["data"].uid, **request_keywords(**kw))


class CLMSLandDatasetsReader(_CDSEReader):
    """The CLMS datasets (``text``: those matching it) as a catalogue of dataset entries.

    Keywords: ``text``, ``limit``, and the :class:`CLMSLandDatasetReader` keywords (``bbox``,
    ``start``, ``end``, ``output_format``, ``crs``...), given to every dataset entry.
    """

    implements: ClassVar[set[type]] = {CLMSLandDatasets}
    output_instance = "cdse_intake.intake_plugin.catalog:TableCatalog"

    @classmethod
    def _accepted(cls) -> frozenset[str]:
        return _REQUEST | {"text", "limit"}

    def _read(
        self,
        data: CLMSLandDatasets,
        text: str | None = None,
        limit: int | None = None,
        **request: Any,
    ) -> Any:
        from .. import clms
        from .catalog import TableCatalog, entry_name

        wanted = text if text is not None else data.text
        found = clms.search(wanted, limit=limit)
        cat = TableCatalog(metadata={**self.metadata, "text": wanted, "datasets": len(found)})
        kept = {k: v for k, v in request.items() if v is not None}
        for dataset in found:
            name = entry_name(dataset.slug or dataset.uid)
            if name in cat.aliases:
                name = f"{name}_{dataset.uid[:8]}"
            row = dataset.to_dict()
            meta = {**row, "description": dataset.description, "collection": row["product"]}
            entry = CLMSLandDataset(dataset.uid, dataset.title, metadata=meta)
            cat[name] = CLMSLandDatasetReader(data=entry, metadata=meta, **kept)
            cat.aliases[name] = name
        return cat
