"""CLMS dataset records, as the ``@search`` of ``portal_type=DataSet`` gives them.

A dataset (``UID``) has one or more download informations (``dataset_download_information``):
the file sets a data request can cut, each with its own id, source format and path. Records are
frozen; what CLMS knows besides (projections) is asked lazily, by the public functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import ServiceError

__all__ = ["CLMSDataset", "CLMSDatasets", "DownloadInformation", "parse_dataset"]


def _text(value: Any) -> str | None:
    """Text or None; ``{"title", "token"}`` (older records' formats) gives its token."""
    if isinstance(value, Mapping):
        value = value.get("token") or value.get("title")
    return value.strip() or None if isinstance(value, str) else None


@dataclass(frozen=True)
class DownloadInformation:
    """One file set of a dataset that a data request can cut (``DatasetDownloadInformationID``)."""

    id: str
    """The ``@id`` (a UUID): ``DatasetDownloadInformationID`` of a request."""
    name: str | None = None
    """``RASTER``, ``VECTOR``... as CLMS names it."""
    collection: str | None = None
    full_format: str | None = None
    """The source format (``Geotiff``, ``Netcdf``...): the row of ``@format_conversion_table``."""
    full_path: str | None = None
    source: str | None = None
    """``full_source``: ``LANDCOVER``, ``EEA``, ``WEKEO``, ``LEGACY``, ``CDSE``..."""
    layers: tuple[str, ...] = ()
    """Layers a request may pick (``Layer``), when the dataset has several."""

    @classmethod
    def parse(cls, item: Mapping[str, Any]) -> DownloadInformation:
        layers = item.get("layers")
        return cls(
            id=str(item["@id"]),
            name=_text(item.get("name")),
            collection=_text(item.get("collection")),
            full_format=_text(item.get("full_format")),
            full_path=_text(item.get("full_path")),
            source=_text(item.get("full_source")),
            layers=tuple(str(x) for x in layers) if isinstance(layers, list) else (),
        )


@dataclass(frozen=True)
class CLMSDataset:
    """A CLMS dataset: its ``UID`` is what a data request names."""

    uid: str
    title: str
    url: str
    """The dataset's page address (``@id``): ``.../products/<product>/<dataset>``."""
    description: str = ""
    formats: str | None = None
    """``dataset_full_format`` (often null: each download information has its own)."""
    download_information: tuple[DownloadInformation, ...] = field(default=(), repr=False)

    @property
    def product(self) -> str | None:
        """The product slug of :attr:`url` (``global-dynamic-land-cover``)."""
        parts = [p for p in urlsplit(self.url).path.split("/") if p]
        if "products" in parts and parts.index("products") + 1 < len(parts):
            return parts[parts.index("products") + 1]
        return None

    @property
    def slug(self) -> str | None:
        """The last part of :attr:`url` (the dataset's own name in the portal)."""
        parts = [p for p in urlsplit(self.url).path.split("/") if p]
        return parts[-1] if parts else None

    def download_info(self, id: str | None = None) -> DownloadInformation:
        """The download information ``id`` (an ``@id`` or a ``name``); without one, the only one.

        Raises :class:`~cdse_intake.errors.CLMSQueryError` listing them when it is ambiguous or
        unknown.
        """
        from ..errors import CLMSQueryError

        infos = self.download_information
        listing = ", ".join(f"{d.id} ({d.name or '?'}, {d.full_format or '?'})" for d in infos)
        if id is None:
            if len(infos) == 1:
                return infos[0]
            if not infos:
                raise CLMSQueryError(
                    f"CLMS dataset {self.title!r} ({self.uid}) has no download information: it "
                    "cannot be requested through the download API"
                )
            raise CLMSQueryError(
                f"CLMS dataset {self.title!r} has {len(infos)} download informations; pick one "
                f"with download_information=: {listing}"
            )
        for info in infos:
            if id in (info.id, info.name):
                return info
        raise CLMSQueryError(
            f"download_information={id!r} is not one of CLMS dataset {self.title!r}'s: {listing}"
        )

    def projections(self, **kwargs: Any) -> list[str]:
        """The output projections CLMS offers for this dataset (one ``@projections`` request;
        ``kwargs``: ``service_key``, ``endpoints``, ``settings``)."""
        from ._api import projections_of

        return projections_of(self, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A flat row for tables."""
        first = self.download_information[0] if self.download_information else None
        return {
            "uid": self.uid,
            "title": self.title,
            "product": self.product,
            "formats": sorted({d.full_format for d in self.download_information if d.full_format})
            or ([self.formats] if self.formats else []),
            "sources": sorted({d.source for d in self.download_information if d.source}),
            "download_information": len(self.download_information),
            "first_download_information": first.id if first else None,
            "url": self.url,
        }


def parse_dataset(item: Mapping[str, Any]) -> CLMSDataset:
    """A record from one item of a ``@search`` answer; a malformed item is a ServiceError."""
    try:
        info = item.get("dataset_download_information") or {}
        infos = info.get("items", []) if isinstance(info, Mapping) else []
        return CLMSDataset(
            uid=str(item["UID"]),
            title=str(item.get("title") or ""),
            url=str(item.get("@id") or ""),
            description=str(item.get("description") or ""),
            formats=_text(item.get("dataset_full_format")),
            download_information=tuple(
                DownloadInformation.parse(x) for x in infos if isinstance(x, Mapping) and "@id" in x
            ),
        )
    except (KeyError, TypeError, AttributeError) as err:
        raise ServiceError(
            f"a CLMS @search item lacks {err} or is malformed; expected UID, title, @id"
        ) from None


class CLMSDatasets(Sequence[CLMSDataset]):
    """The datasets a CLMS search found: a sequence, a table (``to_dataframe``), HTML."""

    def __init__(self, datasets: Sequence[CLMSDataset], text: str | None = None) -> None:
        self._items = tuple(datasets)
        self.text = text

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return CLMSDatasets(self._items[index], self.text)
        return self._items[index]

    def __iter__(self) -> Iterator[CLMSDataset]:
        return iter(self._items)

    def __repr__(self) -> str:
        what = f" for {self.text!r}" if self.text else ""
        return f"<CLMSDatasets: {len(self)} datasets{what}>"

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per dataset."""
        return [d.to_dict() for d in self._items]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per dataset (pandas imported here)."""
        import pandas as pd

        return pd.DataFrame.from_records(
            self.to_records(),
            columns=[
                "uid",
                "title",
                "product",
                "formats",
                "sources",
                "download_information",
                "first_download_information",
                "url",
            ],
        )

    def _repr_html_(self) -> str:
        import html

        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(d.to_dict()[k]))}</td>"
                for k in ("title", "product", "formats", "uid")
            )
            + "</tr>"
            for d in self._items[:50]
        )
        more = f"<p>… {len(self) - 50} more</p>" if len(self) > 50 else ""
        head = "".join(f"<th>{h}</th>" for h in ("title", "product", "formats", "uid"))
        return (
            f"<p>{html.escape(repr(self))}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}"
        )
