"""Product: one CDSE product as a frozen record, the same whichever catalogue found it."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

__all__ = [
    "DELETION_CAUSES",
    "FOLDER_SUFFIXES",
    "SINGLE_FILE_SUFFIXES",
    "Asset",
    "DeletedProduct",
    "Product",
    "is_product_id",
    "is_single_file_name",
    "name_candidates",
]

FOLDER_SUFFIXES = (".SAFE", ".SEN3", ".SEN6", ".zarr")
"""Suffixes of folder products' names, left out of the zip's name (``<stem>.zip``)."""

SINGLE_FILE_SUFFIXES = (
    ".nc", ".nc4", ".tif", ".tiff", ".eof", ".n1", ".e1", ".e2", ".hdf", ".h5", ".he5",
    ".grib", ".grib2", ".grb", ".grb2", ".jp2", ".zip", ".tar", ".tgz", ".gz", ".json",
)  # fmt: skip
"""Extensions (any case) of products CDSE stores and delivers as one file: S5P and CAMS netCDF,
CLMS GeoTIFF, S1 orbit ``.EOF``, Envisat ``.N1``, MODIS ``.hdf``. Every other product is a
folder, whether its name says so (``.SAFE``, ``.SEN3``) or not (Landsat ``LC08_…_02_T1``,
COP-DEM ``Copernicus_DSM_COG_…_DEM``, SMOS ``SM_OPER_…_1``): one S3 prefix, delivered zipped."""

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_product_id(key: str) -> bool:
    """Whether ``key`` is a product id (a UUID) rather than a name."""
    return _UUID.fullmatch(key) is not None


#: Sentinel-1 auxiliary products stored as one object without an extension
#: (``/eodata/Sentinel-1/AUX/AUX_GNSSRD/2014/04/06/<Name>``, cdse-api.md §1.8).
_BARE_FILES = re.compile(r"S1[A-D]_OPER_AUX_\w+")


def is_single_file_name(name: str) -> bool:
    """Whether a product named ``name`` is one file rather than a folder (by its extension)."""
    return name.lower().endswith(SINGLE_FILE_SUFFIXES) or _BARE_FILES.fullmatch(name) is not None


def name_candidates(key: str) -> tuple[str, ...]:
    """Names ``key`` may stand for: itself and, without a folder suffix, itself plus each suffix."""
    if key.endswith(FOLDER_SUFFIXES):
        return (key,)
    return (key, *(key + suffix for suffix in FOLDER_SUFFIXES))


@dataclass(frozen=True)
class Asset:
    """A file of a product that can be fetched on its own (quicklook, band, metadata)."""

    href: str
    type: str | None = None
    roles: tuple[str, ...] = ()
    title: str | None = None
    size: int | None = None
    alternate_href: str | None = None
    """The https alternative of an ``s3://`` href (CDSE's Nodes URL), when given."""


@dataclass(frozen=True)
class Product:
    """A product record.

    ``checksums`` is keyed by CDSE's algorithm names (``{"MD5": ..., "BLAKE3": ...}``) and applies
    to the delivered representation (the zip of a SAFE folder), as ``size`` does.
    ``attributes`` holds every catalogue attribute by name (``cloudCover``, ``tileId``, ...).
    Products compare and hash by ``id``.
    """

    id: str
    name: str
    collection: str | None = None
    product_type: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    footprint: Mapping[str, Any] | None = None
    """GeoJSON geometry in lon/lat (None for products without one, e.g. orbit files)."""
    size: int | None = None
    checksums: Mapping[str, str] = field(default_factory=dict)
    s3_path: str | None = None
    online: bool | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    assets: Mapping[str, Asset] = field(default_factory=dict)
    published: datetime | None = None
    modified: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("checksums", "attributes", "assets"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value or {})))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType does not pickle; rebuild from plain dicts.
        state = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for name in ("checksums", "attributes", "assets"):
            state[name] = dict(state[name])
        return (_rebuild, (state,))

    def __repr__(self) -> str:
        when = self.start.strftime("%Y-%m-%d %H:%M") if self.start else "?"
        return f"Product({self.name!r}, {when}, id={self.id!r})"

    # -- plain data (manifests, the query cache) ------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values of every field; :meth:`from_dict` restores the Product."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif name == "assets":
                value = {k: dataclasses.asdict(a) for k, a in value.items()}
            elif name == "attributes":
                value = {
                    k: {"datetime": v.isoformat()} if isinstance(v, datetime) else v
                    for k, v in value.items()
                }
            elif isinstance(value, MappingProxyType):
                value = dict(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Product:
        values = dict(data)
        for name in ("start", "end", "published", "modified"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        values["assets"] = {
            k: Asset(**{**a, "roles": tuple(a.get("roles") or ())})
            for k, a in (values.get("assets") or {}).items()
        }
        values["attributes"] = {
            k: datetime.fromisoformat(v["datetime"])
            if isinstance(v, dict) and "datetime" in v
            else v
            for k, v in (values.get("attributes") or {}).items()
        }
        return cls(**values)

    # -- conveniences ----------------------------------------------------------------------------
    @property
    def stem(self) -> str:
        """The name without ``.SAFE`` / ``.SEN3`` / ``.zarr`` (the STAC item id)."""
        for suffix in FOLDER_SUFFIXES:
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name

    @property
    def cloud_cover(self) -> float | None:
        """Percent; OData's ``cloudCover`` or STAC's ``eo:cloud_cover`` (None: not given)."""
        value = self.attributes.get("cloudCover", self.attributes.get("eo:cloud_cover"))
        return None if value is None else float(value)

    @property
    def geometry(self) -> Any:
        """The footprint as a shapely geometry (None without footprint)."""
        return _shape(self) if self.footprint else None

    @functools.cached_property
    def land_fraction(self) -> float | None:
        """Share (0..1) of the footprint on land by the GSHHG mask (:mod:`cdse_intake.landsea`,
        the ``landsea`` extra; lakes count as land); computed once. None without footprint."""
        if not self.footprint:
            return None
        from .landsea import land_fraction

        return land_fraction(self.footprint)

    @property
    def md5(self) -> str | None:
        return self.checksums.get("MD5")

    @property
    def blake3(self) -> str | None:
        return self.checksums.get("BLAKE3")


def _rebuild(state: dict[str, Any]) -> Product:
    return Product(**state)


DELETION_CAUSES = (
    "Duplicated product",
    "Missing checksum",
    "Corrupted product",
    "Obsolete product or Other",
)
"""CDSE's ``DeletionCause`` values (cdse-api.md §1.1); a reprocessing's superseded products are
``Obsolete product or Other``."""


@dataclass(frozen=True, eq=False, repr=False)
class DeletedProduct(Product):
    """A product CDSE took out of its catalogue (``/DeletedProducts``): its record as it was,
    plus when and why. Compares and hashes by ``id`` as every Product does. CDSE's deleted
    records carry no S3 path, online state or publication date, so those are None."""

    deletion_date: datetime | None = None
    deletion_cause: str | None = None
    """One of :data:`DELETION_CAUSES`."""

    def __reduce__(self) -> tuple[Any, ...]:
        _, (state,) = super().__reduce__()
        return (_rebuild_deleted, (state,))

    def __repr__(self) -> str:
        when = self.deletion_date.strftime("%Y-%m-%d") if self.deletion_date else "?"
        return f"DeletedProduct({self.name!r}, {self.deletion_cause!r}, {when}, id={self.id!r})"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeletedProduct:
        values = dict(data)
        if isinstance(values.get("deletion_date"), str):
            values["deletion_date"] = datetime.fromisoformat(values["deletion_date"])
        return super().from_dict(values)  # type: ignore[return-value]


def _rebuild_deleted(state: dict[str, Any]) -> DeletedProduct:
    return DeletedProduct(**state)


@functools.lru_cache(maxsize=4096)
def _shape_cached(key: str, geojson: str) -> Any:
    import json

    import shapely.geometry

    return shapely.geometry.shape(json.loads(geojson))


def _shape(product: Product) -> Any:
    import json

    return _shape_cached(product.id, json.dumps(product.footprint, sort_keys=True))
