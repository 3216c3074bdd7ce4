"""Which STAC collection each catalogue entry belongs to, and what each collection is.

The real STAC catalogue has one collection per mission, product level and timeliness
(cdse-api.md §4 collection ids), where OData has one per mission told apart by ``productType``
and ``timeliness``/``processingMode`` attributes. :func:`collection_id` is that mapping;
:data:`SPECS` describes every collection the emulator can hold (only the ones that have entries
are served).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Entry

__all__ = ["SPECS", "CollectionSpec", "collection_id"]


@dataclass(frozen=True)
class CollectionSpec:
    """One STAC collection: its id, texts and the facts its items share."""

    id: str
    title: str
    description: str
    family: str
    """``s1``, ``s2``, ``s3``, ``s5p`` or ``clms``: selects property and asset layouts."""
    constellation: str | None
    instruments: tuple[str, ...]
    processing_level: str
    timeliness: str | None
    """``product:timeliness`` (ISO 8601 duration) shared by the items, None when not given."""
    timeliness_category: str | None
    keywords: tuple[str, ...]
    mission_url: str
    gsd: int | None = None
    doi: str | None = None


_ESA = "https://sentinel.esa.int/web/sentinel/missions/"


def _s2(level: str) -> CollectionSpec:
    code = "S2MSI1C" if level == "l1c" else "S2MSI2A"
    what = (
        "top-of-atmosphere reflectance in cartographic geometry (100 km UTM tiles)"
        if level == "l1c"
        else "bottom-of-atmosphere reflectance with scene classification, aerosol optical "
        "thickness and water vapour maps"
    )
    return CollectionSpec(
        id=f"sentinel-2-{level}",
        title=f"Sentinel-2 Level-{level[1:].upper()}",
        description=f"Sentinel-2 MSI Level-{level[1:].upper()} products: {what}.",
        family="s2",
        constellation="sentinel-2",
        instruments=("msi",),
        processing_level="L1" if level == "l1c" else "L2",
        timeliness="PT24H",
        timeliness_category="NRT",
        keywords=("Copernicus", "ESA", "EU", "MSI", "Optical", code, "Sentinel", "Sentinel-2"),
        mission_url=_ESA + "sentinel-2",
        gsd=10,
        doi="10.5270/S2_-742ikth" if level == "l1c" else "10.5270/S2_-znk9xsj",
    )


def _s1(kind: str) -> CollectionSpec:
    long = "Ground Range Detected (GRD)" if kind == "grd" else "Single Look Complex (SLC)"
    return CollectionSpec(
        id=f"sentinel-1-{kind}",
        title=f"Sentinel-1 {long}",
        description=f"Sentinel-1 C-band SAR Level-1 {long} products.",
        family="s1",
        constellation="sentinel-1",
        instruments=("sar",),
        processing_level="L1",
        timeliness="PT24H",
        timeliness_category=None,  # per item: the OData ``timeliness`` attribute (Fast-24h, ...)
        keywords=("C-Band", "Copernicus", "ESA", "EU", kind.upper(), "SAR", "Sentinel-1"),
        mission_url=_ESA + "sentinel-1",
    )


#: Sentinel-3 product type -> (id part, instrument(s), level, title).
_S3 = {
    "OL_1_EFR___": ("olci-1-efr", ("olci",), "L1", "OLCI Level-1B Full Resolution"),
    "OL_1_ERR___": ("olci-1-err", ("olci",), "L1", "OLCI Level-1B Reduced Resolution"),
    "OL_2_LFR___": ("olci-2-lfr", ("olci",), "L2", "OLCI Level-2 Land Full Resolution"),
    "OL_2_WFR___": ("olci-2-wfr", ("olci",), "L2", "OLCI Level-2 Water Full Resolution"),
    "SL_1_RBT___": ("sl-1-rbt", ("slstr",), "L1", "SLSTR Level-1B Radiances and BTs"),
    "SL_2_LST___": ("sl-2-lst", ("slstr",), "L2", "SLSTR Level-2 Land Surface Temperature"),
    "SL_2_FRP___": ("sl-2-frp", ("slstr",), "L2", "SLSTR Level-2 Fire Radiative Power"),
    "SY_2_SYN___": ("syn-2-syn", ("olci", "slstr"), "L2", "Synergy Level-2 Surface Reflectance"),
}
#: Timeliness streams of Sentinel-3 (``timeliness`` attribute NR/NT/ST), §4 collection ids.
_S3_STREAMS = {
    "NR": ("nrt", "PT3H", "NR", "Near Real Time"),
    "NT": ("ntc", "P1M", "NT", "Non Time Critical"),
    "ST": ("stc", "PT48H", "ST", "Short Time Critical"),
}
#: Streams each Sentinel-3 product has on CDSE's STAC (§4): Synergy has no NRT collection.
_S3_ALLOWED = {"syn-2-syn": ("NT", "ST")}

#: Sentinel-5P product type -> (id part, title).
_S5P = {
    "L2__NO2___": ("l2-no2", "Nitrogen Dioxide (NO2)"),
    "L2__CO____": ("l2-co", "Carbon Monoxide (CO)"),
    "L2__O3____": ("l2-o3", "Ozone (O3)"),
    "L2__SO2___": ("l2-so2", "Sulphur Dioxide (SO2)"),
    "L2__CH4___": ("l2-ch4", "Methane (CH4)"),
    "L2__HCHO__": ("l2-hcho", "Formaldehyde (HCHO)"),
}
#: Sentinel-5P processing modes (``processingMode`` attribute), §4 collection ids.
_S5P_MODES = {"NRTI": ("nrti", "PT3H"), "OFFL": ("offl", "PT12H"), "RPRO": ("rpro", None)}

#: The CLMS product the catalogue holds. CDSE's STAC collection id for it is unverified (not in
#: §4's list); this one follows the CLMS dataset name in the S3 path
#: (``ndvi_global_300m_10daily_v2``) in STAC's kebab case.
CLMS_NDVI = "clms-ndvi-global-300m-10daily-v2"


def _s3_spec(product_type: str, stream: str) -> CollectionSpec:
    part, instruments, level, title = _S3[product_type]
    suffix, timeliness, category, long = _S3_STREAMS[stream]
    return CollectionSpec(
        id=f"sentinel-3-{part}-{suffix}",
        title=f"Sentinel-3 {title} ({long})",
        description=f"Sentinel-3 {title} products ({product_type}), {long.lower()} stream.",
        family="s3",
        constellation="sentinel-3",
        instruments=instruments,
        processing_level=level,
        timeliness=timeliness,
        timeliness_category=category,
        keywords=("Copernicus", "ESA", "EU", product_type, "Sentinel", "Sentinel-3"),
        mission_url=_ESA + "sentinel-3",
    )


def _s5p_spec(product_type: str, mode: str) -> CollectionSpec:
    part, title = _S5P[product_type]
    suffix, timeliness = _S5P_MODES[mode]
    return CollectionSpec(
        id=f"sentinel-5p-{part}-{suffix}",
        title=f"Sentinel-5P Level-2 {title} ({mode})",
        description=f"Sentinel-5P TROPOMI Level-2 {title} products ({product_type}), "
        f"{mode} processing.",
        family="s5p",
        constellation="sentinel-5p",
        instruments=("tropomi",),
        processing_level="L2",
        timeliness=timeliness,
        timeliness_category=mode,
        keywords=("Atmosphere", "Copernicus", "ESA", "EU", product_type, "Sentinel-5P"),
        mission_url=_ESA + "sentinel-5p",
    )


def _clms_spec() -> CollectionSpec:
    return CollectionSpec(
        id=CLMS_NDVI,
        title="Normalized Difference Vegetation Index 300 m, global, 10-daily, version 2",
        description="CLMS global NDVI at 300 m every 10 days from Sentinel-3 OLCI (GeoTIFF).",
        family="clms",
        constellation="sentinel-3",
        instruments=("olci",),
        processing_level="L3",
        timeliness=None,
        timeliness_category=None,
        keywords=("CLMS", "Copernicus", "Land", "NDVI", "Vegetation"),
        mission_url="https://land.copernicus.eu/en/products/vegetation",
        gsd=300,
    )


def _all_specs() -> dict[str, CollectionSpec]:
    specs = [_s2("l1c"), _s2("l2a"), _s1("grd"), _s1("slc"), _clms_spec()]
    for product_type, (part, *_rest) in _S3.items():
        for stream in _S3_ALLOWED.get(part, ("NR", "NT")):
            specs.append(_s3_spec(product_type, stream))
    for product_type in _S5P:
        for mode in _S5P_MODES:
            specs.append(_s5p_spec(product_type, mode))
    return {spec.id: spec for spec in specs}


SPECS: dict[str, CollectionSpec] = _all_specs()


def collection_id(entry: Entry) -> str | None:
    """The STAC collection of a catalogue entry; None when the STAC catalogue has no such items.

    Left out on purpose: Sentinel-1 auxiliary files (``AUX_*``: no footprint, and CDSE's STAC
    lists no AUX collection, §4), and Sentinel-3 Synergy products labelled ``NR`` (Synergy has
    only NTC and STC collections). EOPF ``.zarr`` products share ``sentinel-2-l2a`` with the SAFE
    ones (same product type; their STAC placement on CDSE is unverified), so an OData and a STAC
    search for S2MSI2A return the same products.
    """
    product_type = entry.product_type
    if entry.collection == "SENTINEL-2":
        return {"S2MSI1C": "sentinel-2-l1c", "S2MSI2A": "sentinel-2-l2a"}.get(product_type)
    if entry.collection == "SENTINEL-1":
        if "_GRD" in product_type:
            return "sentinel-1-grd"
        if product_type.startswith("WV_SLC"):
            return None  # sentinel-1-slc-wv: no such entries are generated
        if "_SLC_" in product_type:
            return "sentinel-1-slc"
        return None
    if entry.collection == "SENTINEL-3":
        known = _S3.get(product_type)
        stream = entry.attribute("timeliness")
        if known is None or stream not in _S3_STREAMS:
            return None
        if stream not in _S3_ALLOWED.get(known[0], ("NR", "NT")):
            return None
        return f"sentinel-3-{known[0]}-{_S3_STREAMS[stream][0]}"
    if entry.collection == "SENTINEL-5P":
        known5 = _S5P.get(product_type)
        mode = entry.attribute("processingMode")
        if known5 is None or mode not in _S5P_MODES:
            return None
        return f"sentinel-5p-{known5[0]}-{_S5P_MODES[mode][0]}"
    if entry.collection == "CLMS" and product_type == "NDVI300":
        return CLMS_NDVI
    return None
