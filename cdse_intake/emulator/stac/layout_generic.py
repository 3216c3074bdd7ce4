"""Items of the collections without a mission layout of their own (``family="generic"``):
Sentinel-6, the global mosaics, COP-DEM, CCM and the CLMS products other than NDVI V2 COG.

Files and asset keys as the collections' ``item_assets`` in eometadatatool's templates name them
(S6 ``xfdumanifest``/``manifest``/``standard_measurement``/``reduced_measurement``/
``amr_measurement``/``eop_metadata``; mosaics one COG per band and ``userdata``; COP-DEM
``GeoTIFF``; CLMS NDVI ``ndvi300_<layer>``, as clients of the live catalogue read them); file
names inside the products are the real ones where seen (``B04.tif``, ``VV.tif``, ``<name>.tif``)
and inferred otherwise (Sentinel-6 measurement files follow its naming rules). Properties from
the entry's OData attributes and the collection's row.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ..catalogue import Entry
from ..catalogue_list import DESIGNATORS as MORE_DESIGNATORS
from .common import DESIGNATORS
from .jsonb import jsonb_order

if TYPE_CHECKING:
    from .collections import CollectionSpec

__all__ = ["generic_files", "generic_properties", "kind_of"]

COG = "image/tiff; application=geotiff; profile=cloud-optimized"

#: Sentinel-2 mosaic bands: key -> (title, common name); plus the observation count.
_S2_MOSAIC = {
    "B02": ("Blue (band 2)", "blue"),
    "B03": ("Green (band 3)", "green"),
    "B04": ("Red (band 4)", "red"),
    "B08": ("NIR 1 (band 8)", "nir"),
}
#: Landsat mosaic bands: key -> (title, description, common name).
_LANDSAT = {
    "B01": ("Band 1", "Blue", "blue"),
    "B02": ("Band 2", "Green", "green"),
    "B03": ("Band 3", "Red", "red"),
    "B04": ("Band 4", "Near Infrared", "nir08"),
    "B05": ("Band 5", "Short-wave Infrared 1.6", "swir16"),
    "B06": ("Band 6", "Short-wave Infrared 2.2", "swir22"),
    "B07": ("Band 7", "Thermal", "lwir12"),
}
_POLARISATIONS = {
    "VV": "Vertical transmit, vertical receive",
    "VH": "Vertical transmit, horizontal receive",
    "HH": "Horizontal transmit, horizontal receive",
    "HV": "Horizontal transmit, vertical receive",
}
#: CLMS NDVI layers of the COG products (one COG each) and their titles.
_NDVI_LAYERS = {
    "ndvi": "Normalized Difference Vegetation Index",
    "nobs": "Number of observations",
    "qflag": "Quality flag",
    "unc": "Uncertainty on Normalized Difference Vegetation Index",
}


def kind_of(entry: Entry) -> str:
    """Which generic layout ``entry`` has: ``s6``, ``s1-mosaic``, ``s2-mosaic``,
    ``landsat-mosaic``, ``dem``, ``ccm``, ``clms-ndvi``, ``clms`` or ``other``."""
    if entry.collection == "SENTINEL-6":
        return "s6"
    if entry.collection == "GLOBAL-MOSAICS":
        if entry.product_type.startswith("S1SAR"):
            return "s1-mosaic"
        return "s2-mosaic" if entry.product_type.startswith("S2") else "landsat-mosaic"
    if entry.collection == "COP-DEM":
        return "dem"
    if entry.collection == "CCM":
        return "ccm"
    if entry.collection == "CLMS":
        return "clms-ndvi" if entry.product_type == "NDVI300" else "clms"
    return "other"


@functools.lru_cache(maxsize=256)
def _file(media: str, title: str, roles: tuple[str, ...], **more: Any) -> dict[str, Any]:
    return jsonb_order({"type": media, "title": title, "roles": list(roles), **more})


def _cog(title: str, **more: Any) -> dict[str, Any]:
    return jsonb_order({"type": COG, "title": title, "roles": ["data"], **more})


def generic_files(entry: Entry) -> list[tuple[str, tuple[str, dict[str, Any]]]]:
    """The files of a generic product (paths relative to its folder) with their asset keys."""
    kind = kind_of(entry)
    stem = entry.stem
    if kind == "s6":
        return _s6_files(entry)
    if kind == "s1-mosaic":
        pols = ("HH", "HV") if "_DH_" in entry.product_type else ("VV", "VH")
        files = [
            (
                f"{p}.tif",
                (
                    p,
                    _cog(
                        f"{p}: {_POLARISATIONS[p]}",
                        data_type="float32",
                        nodata=-32768,
                        **{"sar:polarizations": [p]},
                    ),
                ),
            )
            for p in pols
        ]
        return [*files, ("userdata.json", ("userdata", _userdata()))]
    if kind == "s2-mosaic":
        files = [
            (
                f"{band}.tif",
                (
                    band,
                    _cog(
                        title,
                        bands=[{"name": band, "eo:common_name": common}],
                        data_type="int16",
                        nodata=-32768,
                        gsd=10,
                    ),
                ),
            )
            for band, (title, common) in _S2_MOSAIC.items()
        ]
        observations = _cog("Observations", data_type="uint16", nodata=0, gsd=10)
        files.append(("observations.tif", ("observations", observations)))
        return [*files, ("userdata.json", ("userdata", _userdata()))]
    if kind == "landsat-mosaic":
        files = [
            (
                f"{band}.tif",
                (
                    band,
                    _cog(
                        title,
                        bands=[{"name": band, "description": what, "eo:common_name": common}],
                        data_type="uint8",
                    ),
                ),
            )
            for band, (title, what, common) in _LANDSAT.items()
        ]
        mask = _file(COG, "Clear sky mask", ("data", "mask"), data_type="uint8")
        return [*files, ("clear_sky_mask.tif", ("clear_sky_mask", mask))]
    if kind == "dem":
        return [(f"{stem}.tif", ("GeoTIFF", _cog("GeoTIFF", data_type="float32")))]
    if kind == "clms-ndvi":
        base, _, fmt = stem.rpartition("_")
        if fmt == "nc":
            nc = _file("application/netcdf", f"{base}.nc", ("data",))
            return [(f"{base}.nc", ("ndvi300", nc))]
        return [
            (f"{base}_{layer.upper()}.tif", (f"ndvi300_{layer}", _cog(title)))
            for layer, title in _NDVI_LAYERS.items()
        ]
    if kind == "clms":
        base = stem.rpartition("_")[0]
        return [(f"{base}.tif", ("clcplus", _cog("CLCplus LULUCF instance", data_type="uint8")))]
    return []


def _userdata() -> dict[str, Any]:
    return _file("application/json", "Product Odata Response File (JSON)", ("metadata",))


def _s6_files(entry: Entry) -> list[tuple[str, tuple[str, dict[str, Any]]]]:
    # S6A_P4_2__LR______<start>_<stop>_<created>_<dur>_<cycle>_<pass>_<orbit>_EUM__OPE_NT_F09
    parts = entry.stem.split("_")
    start, stop, cycle, pass_, timeliness = parts[-12], parts[-11], parts[-8], parts[-7], parts[-2]
    tail = f"{timeliness}_{cycle}_{pass_}_{start}_{stop}_F09.nc"
    xml = functools.partial(_file, "application/xml")
    files = [
        ("xfdumanifest.xml", ("xfdumanifest", xml("Product manifest", ("metadata",)))),
        ("manifest.safe", ("manifest", xml("manifest.safe", ("metadata",)))),
        ("EOPMetadata.xml", ("eop_metadata", xml("EOP Metadata", ("metadata",)))),
    ]
    netcdf = functools.partial(_file, "application/netcdf")
    if entry.product_type.startswith("MW"):
        measurement = netcdf("AMR Measurement Data Set", ("data",))
        files.append((f"S6A_MW_2__AMR_STD__{tail}", ("amr_measurement", measurement)))
    elif "_1B_" in entry.product_type:
        measurement = netcdf("Measurement Data Set", ("data",))
        files.append((f"S6A_P4_1B_LR______{tail}", ("measurement", measurement)))
    else:
        std = netcdf("Standard Measurement Data Set", ("data", "standard"))
        red = netcdf("Reduced Measurement Data Set", ("data", "reduced"))
        files.append((f"S6A_P4_2__LR_STD__{tail}", ("standard_measurement", std)))
        files.append((f"S6A_P4_2__LR_RED__{tail}", ("reduced_measurement", red)))
    return files


def generic_properties(entry: Entry, spec: CollectionSpec, attrs: dict[str, Any]) -> dict[str, Any]:
    """The properties a generic item adds to the common ones (``properties._common``)."""
    row = spec.row
    props: dict[str, Any] = {}
    platform = _platform(row.platforms, attrs)
    if platform:
        props["platform"] = platform
        designator = DESIGNATORS.get(platform) or MORE_DESIGNATORS.get(platform)
        if designator:
            props["sat:platform_international_designator"] = designator
    if not spec.instruments and attrs.get("instrumentShortName"):  # CCM: one per mission
        props["instruments"] = [str(attrs["instrumentShortName"]).lower()]
    gsd = attrs.get("spatialResolution", row.gsd)
    if gsd:
        props["gsd"] = gsd
    for name, key in (
        ("processorVersion", "processing:version"),
        ("processingCenter", "processing:facility"),
        ("orbitNumber", "sat:absolute_orbit"),
        ("relativeOrbitNumber", "sat:relative_orbit"),
        ("cloudCover", "eo:cloud_cover"),
    ):
        if attrs.get(name) is not None:
            props[key] = attrs[name]
    if attrs.get("orbitDirection"):
        props["sat:orbit_state"] = str(attrs["orbitDirection"]).lower()
    kind = kind_of(entry)
    tile = attrs.get("tileId")
    if kind in ("s1-mosaic", "s2-mosaic") and tile:
        props["grid:code"] = f"MGRS-{tile}"
    if kind in ("dem", "landsat-mosaic", "clms-ndvi"):
        props["proj:code"] = "EPSG:4326"
    elif kind in ("s6", "s1-mosaic", "s2-mosaic"):
        props["proj:code"] = None
    if kind == "s6":
        props["altm:instrument_type"] = "microwave" if entry.product_type[:2] == "MW" else "sar"
        props["sat:orbit_cycle"] = entry.extra.get("cycle")
    if kind == "s1-mosaic":
        dual = "_DH_" in entry.product_type
        props["sar:instrument_mode"] = "DH" if dual else "IW"
        props["sar:polarizations"] = ["HH", "HV"] if dual else ["VV", "VH"]
        props["sar:frequency_band"] = "C"
    return {k: v for k, v in props.items() if v is not None or k == "proj:code"}


def _platform(platforms: tuple[str, ...], attrs: dict[str, Any]) -> str | None:
    """The item's platform: the collection's only one, or the one the attributes name."""
    if len(platforms) == 1:
        return platforms[0]
    named = str(attrs.get("platformShortName", "")).lower()
    serial = str(attrs.get("platformSerialIdentifier", "")).lower()
    for candidate in (named, f"{named}{serial}"):
        if candidate in platforms:
            return candidate
    return None
