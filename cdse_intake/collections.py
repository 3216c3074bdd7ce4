"""CDSE collections under both of their names: OData (``SENTINEL-2``) and STAC (``sentinel-2-l2a``).

The OData catalogue groups products by mission (``Collection/Name``) and tells them apart with the
``productType`` attribute; the STAC catalogue has one collection per mission, level and timeliness.
A query may use either name: :func:`resolve_collection` maps it to the OData collection, the
product types it implies, and the STAC collections that hold them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import QueryError

__all__ = ["ODATA_COLLECTIONS", "STAC_COLLECTIONS", "CollectionRef", "resolve_collection"]

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


@dataclass(frozen=True)
class StacCollection:
    """A STAC collection id and what it is in OData terms."""

    id: str
    odata: str
    product_types: tuple[str, ...]
    timeliness: str | None = None
    """S3/S5P timeliness filter implied by the id (``NR``/``NT``/``ST``, ``NRTI``/``OFFL``)."""


def _s3(base: str, product_type: str, variants: tuple[str, ...]) -> list[StacCollection]:
    codes = {"nrt": "NR", "ntc": "NT", "stc": "ST"}
    return [
        StacCollection(f"sentinel-3-{base}-{v}", "SENTINEL-3", (product_type,), codes[v])
        for v in variants
    ]


def _s5p(base: str, product_type: str) -> list[StacCollection]:
    return [
        StacCollection(f"sentinel-5p-{base}-{v}", "SENTINEL-5P", (product_type,), v.upper())
        for v in ("nrti", "offl", "rpro")
    ]


#: StripMap products are typed by beam (``S3_GRDH_1S``), not ``SM_...`` (the STAC collections'
#: ``product:type`` summaries).
_STRIPMAP = tuple(f"S{k}" for k in range(1, 7))
_S1_GRD = (
    "IW_GRDH_1S",
    "IW_GRDM_1S",
    "EW_GRDH_1S",
    "EW_GRDM_1S",
    *(f"{beam}_GRDH_1S" for beam in _STRIPMAP),
    "WV_GRDM_1S",
)
_S1_SLC = ("IW_SLC__1S", "EW_SLC__1S", *(f"{beam}_SLC__1S" for beam in _STRIPMAP))

#: STAC collection ids of the CDSE STAC catalogue (cdse-api.md §4) that cdse_intake knows.
STAC_COLLECTIONS: dict[str, StacCollection] = {
    c.id: c
    for c in [
        StacCollection("sentinel-1-grd", "SENTINEL-1", _S1_GRD),
        StacCollection("sentinel-1-slc", "SENTINEL-1", _S1_SLC),
        StacCollection("sentinel-1-slc-wv", "SENTINEL-1", ("WV_SLC__1S",)),
        StacCollection("sentinel-2-l1c", "SENTINEL-2", ("S2MSI1C",)),
        StacCollection("sentinel-2-l2a", "SENTINEL-2", ("S2MSI2A",)),
        *_s3("olci-1-efr", "OL_1_EFR___", ("nrt", "ntc")),
        *_s3("olci-1-err", "OL_1_ERR___", ("nrt", "ntc")),
        *_s3("olci-2-lfr", "OL_2_LFR___", ("nrt", "ntc")),
        *_s3("olci-2-wfr", "OL_2_WFR___", ("nrt", "ntc")),
        *_s3("sl-1-rbt", "SL_1_RBT___", ("nrt", "ntc")),
        *_s3("sl-2-lst", "SL_2_LST___", ("nrt", "ntc")),
        *_s3("sl-2-frp", "SL_2_FRP___", ("nrt", "ntc")),
        *_s3("syn-2-syn", "SY_2_SYN___", ("ntc", "stc")),
        *_s5p("l2-no2", "L2__NO2___"),
        *_s5p("l2-co", "L2__CO____"),
        *_s5p("l2-o3", "L2__O3____"),
        *_s5p("l2-so2", "L2__SO2___"),
        *_s5p("l2-ch4", "L2__CH4___"),
        *_s5p("l2-hcho", "L2__HCHO__"),
        *_s5p("l2-cloud", "L2__CLOUD_"),
        *_s5p("l2-aer-ai", "L2__AER_AI"),
    ]
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
