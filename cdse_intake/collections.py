"""CDSE collections under both of their names: OData (``SENTINEL-2``) and STAC (``sentinel-2-l2a``).

The OData catalogue groups products by mission (``Collection/Name``) and tells them apart with the
``productType`` attribute; the STAC catalogue has one collection per mission, level and timeliness.
A query may use either name: :func:`resolve_collection` maps it to the OData collection, the
product types it implies, and the STAC collections that hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import QueryError
from .vocabulary import builtin

__all__ = [
    "ODATA_COLLECTIONS",
    "STAC_COLLECTIONS",
    "CollectionRef",
    "in_stac_collection",
    "resolve_collection",
    "shares_product_type",
]

#: OData ``Collection/Name`` values (cdse-api.md §1.6).
ODATA_COLLECTIONS = (
    "SENTINEL-1",
    "SENTINEL-2",
    "SENTINEL-3",
    "SENTINEL-5P",
    "SENTINEL-6",
    "SENTINEL-1-RTC",
    "GLOBAL-MOSAICS",
    "SMOS",
    "ENVISAT",
    "LANDSAT-5",
    "LANDSAT-7",
    "LANDSAT-8",
    "LANDSAT-9",
    "COP-DEM",
    "TERRAAQUA",
    "S2GLC",
    "CCM",
    "CLMS",
    "CEMS",
    "CAMS",
)
ODATA_COLLECTIONS += tuple(sorted(set(builtin().collections) - set(ODATA_COLLECTIONS)))


@dataclass(frozen=True)
class StacCollection:
    """A STAC collection id and what it is in OData terms."""

    id: str
    odata: str
    product_types: tuple[str, ...]
    timeliness: str | None = None
    """S3/S6/S5P timeliness filter implied by the id (``NR``/``NT``/``ST``, ``NRTI``/``OFFL``/
    ``RPRO``)."""


#: Every STAC collection of the CDSE STAC catalogue (cdse-api.md §4), from the shipped
#: vocabulary snapshot (:mod:`.vocabulary`; the live one is asked at search time).
STAC_COLLECTIONS: dict[str, StacCollection] = {
    info.id: StacCollection(info.id, info.odata, info.product_types, info.timeliness)
    for info in builtin().stac.values()
}


@dataclass(frozen=True)
class CollectionRef:
    """A resolved collection: the OData name, implied product types and STAC ids."""

    odata: str
    product_types: tuple[str, ...] = ()
    stac_ids: tuple[str, ...] = ()
    timeliness: str | None = None


def resolve_collection(name: str) -> CollectionRef:
    """Map an OData or STAC collection name to a :class:`CollectionRef`.

    OData names are matched case-insensitively and returned in CDSE's spelling; a STAC id implies
    its product types (and timeliness for Sentinel-3/5P).
    """
    if not isinstance(name, str) or not name.strip():
        raise QueryError(
            f"collection={name!r} is not a collection name; expected e.g. 'SENTINEL-2'"
        )
    text = name.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(
            f"collection={name!r} holds a character that is not text (a lone surrogate); "
            "expected e.g. 'SENTINEL-2'"
        ) from None
    upper = text.upper()
    if upper in ODATA_COLLECTIONS:
        stac_ids = tuple(c.id for c in STAC_COLLECTIONS.values() if c.odata == upper)
        return CollectionRef(odata=upper, stac_ids=stac_ids)
    stac = STAC_COLLECTIONS.get(text.lower())
    if stac is not None:
        return CollectionRef(stac.odata, stac.product_types, (stac.id,), stac.timeliness)
    close = [c for c in (*ODATA_COLLECTIONS, *STAC_COLLECTIONS) if _similar(text, c)]
    hint = f"; did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""
    raise QueryError(
        f"collection={name!r} is not a CDSE collection{hint} Expected an OData name "
        f"({', '.join(ODATA_COLLECTIONS[:5])}, ...) or a STAC id (sentinel-2-l2a, ...)"
    )


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() > 0.75


def shares_product_type(stac_id: str) -> bool:
    """Whether another STAC collection of the same OData collection holds the same product
    types with no timeliness to tell them apart (CLMS datasets: versions and formats)."""
    mine = STAC_COLLECTIONS[stac_id]
    return any(
        other.id != stac_id
        and other.odata == mine.odata
        and other.timeliness == mine.timeliness
        and set(other.product_types) & set(mine.product_types)
        for other in STAC_COLLECTIONS.values()
    )


def in_stac_collection(stac_id: str, name: str, s3_path: str | None) -> bool:
    """Whether a product (by name and S3 path) belongs to ``stac_id`` among the collections
    sharing its product type: a CLMS dataset is the folder of its S3 path
    (``/eodata/CLMS/.../ndvi_global_300m_10daily_v3/...``) and the format the name's ending
    (``.nc``/``_nc``: netCDF, else COG), as CDSE's STAC collections ``clms_<dataset>_<format>``
    split them. Other collections: True."""
    if not stac_id.startswith("clms_") or "_" not in stac_id[5:]:
        return True
    dataset, _, fmt = stac_id.removeprefix("clms_").rpartition("_")
    is_nc = name.endswith((".nc", "_nc"))
    if fmt in ("nc", "cog") and (fmt == "nc") != is_nc:
        return False
    return f"/{dataset}/" in (s3_path or "")
