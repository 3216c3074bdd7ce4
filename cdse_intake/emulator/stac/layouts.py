"""The files a product holds, by mission: listed for metadata-only entries, classified for all.

A materialised entry's files are real (``entry.payload.files``); a metadata-only entry gets the
file list its real counterpart would have (:func:`virtual_files`). Both go through
:func:`classify`, which names the STAC asset of a file (``B04_10m``, ``vv``, ``safe_manifest``,
...) and gives its static fields, as eometadatatool does for the real catalogue (§4, EOMETA).
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from ..catalogue import Entry
from .common import attr
from .jsonb import jsonb_order
from .layout_generic import generic_files
from .layout_s1 import classify_s1, manifest_s1, s1_files
from .layout_s3 import S3_FILES, classify_s3

__all__ = ["Facts", "Known", "classify", "file_facts", "s2_epsg", "virtual_files"]

#: Sentinel-2 bands: description, common name, centre and FWHM (µm), native resolution (m);
#: centres and widths as the generator's ``stac_bands.S2_Bands`` (what the real items show).
S2_BANDS: dict[str, tuple[str, str, float, float, int]] = {
    "B01": ("Coastal aerosol (band 1)", "coastal", 0.443, 0.228, 60),
    "B02": ("Blue (band 2)", "blue", 0.493, 0.267, 10),
    "B03": ("Green (band 3)", "green", 0.56, 0.291, 10),
    "B04": ("Red (band 4)", "red", 0.665, 0.342, 10),
    "B05": ("Red edge 1 (band 5)", "rededge071", 0.704, 0.357, 20),
    "B06": ("Red edge 2 (band 6)", "rededge075", 0.741, 0.374, 20),
    "B07": ("Red edge 3 (band 7)", "rededge078", 0.783, 0.399, 20),
    "B08": ("NIR 1 (band 8)", "nir", 0.833, 0.454, 10),
    "B8A": ("NIR 2 (band 8A)", "nir08", 0.865, 0.441, 20),
    "B09": ("NIR 3 (band 9)", "nir09", 0.945, 0.479, 60),
    "B10": ("Cirrus (band 10)", "cirrus", 1.377, 0.706, 60),
    "B11": ("SWIR 1 (band 11)", "swir16", 1.614, 0.841, 20),
    "B12": ("SWIR 2 (band 12)", "swir22", 2.202, 1.16, 20),
}
#: Level-2A images and the resolutions each is delivered at (R10m/R20m/R60m folders).
L2A_IMAGES: dict[str, tuple[int, ...]] = {
    "B01": (20, 60),
    "B02": (10, 20, 60),
    "B03": (10, 20, 60),
    "B04": (10, 20, 60),
    "B05": (20, 60),
    "B06": (20, 60),
    "B07": (20, 60),
    "B08": (10,),
    "B8A": (20, 60),
    "B09": (60,),
    "B11": (20, 60),
    "B12": (20, 60),
    "TCI": (10, 20, 60),
    "AOT": (10, 20, 60),
    "SCL": (20, 60),
    "WVP": (10, 20, 60),
}
_PIXELS = {10: 10980, 20: 5490, 60: 1830}


def s2_epsg(tile: str) -> str:
    """``proj:code`` of an MGRS tile: WGS 84 / UTM zone, north for latitude bands N..X."""
    zone = int(tile[:2])
    north = tile[2] >= "N"
    return f"EPSG:{(32600 if north else 32700) + zone}"


# -- listing ---------------------------------------------------------------------------------


Known = tuple[str, dict[str, Any]]
"""An asset key and its static fields."""


def virtual_files(entry: Entry, family: str) -> list[tuple[str, Known | None]]:
    """Paths (relative to the product folder) of a metadata-only product's files, with their
    classification when the listing already knows it (saves classifying thousands of paths).

    Single-file products (netCDF, GeoTIFF) answer ``[("", None)]``: the product is the file.
    """
    if entry.name.endswith(".zarr"):
        return [(".zmetadata", None)]
    if family == "generic":
        return list(generic_files(entry))
    if family == "s2":
        return _s2_files(entry)
    if family == "s1":
        return [(rel, None) for rel in s1_files(entry)]
    if family == "s3":
        return [(rel, None) for rel in ("xfdumanifest.xml", *S3_FILES.get(entry.product_type, ()))]
    return [("", None)]


def _s2_parts(entry: Entry) -> tuple[str, str, str, str, str]:
    """(level, tile, sensing stamp, granule folder, datastrip folder) of an S2 product."""
    parts = entry.name.split("_")
    level = parts[1][3:]  # MSIL2A -> L2A
    sensed = parts[2]
    tile = str(attr(entry, "tileId") or parts[5][1:])
    orbit = int(attr(entry, "orbitNumber") or 0)
    datastrip = str(attr(entry, "datastripId") or "")
    ds_parts = datastrip.split("_")
    # S2A_OPER_MSI_L2A_DS_2BPS_<processed>_S<sensed>_N05.09 -> DS_2BPS_<processed>_S<sensed>
    ds_dir = "_".join(ds_parts[4:8]) if len(ds_parts) >= 8 else f"DS_2BPS_{sensed}"
    return level, tile, sensed, f"{level}_T{tile}_A{orbit:06d}_{sensed}", ds_dir


def _s2_files(entry: Entry) -> list[tuple[str, Known | None]]:
    level, tile, sensed, granule, ds_dir = _s2_parts(entry)
    offset = file_facts(entry).offset
    files: list[tuple[str, Known | None]] = [
        ("manifest.safe", ("safe_manifest", _xml("manifest.safe"))),
        (f"MTD_MSI{level}.xml", ("product_metadata", _xml(f"MTD_MSI{level}.xml"))),
        ("INSPIRE.xml", ("inspire_metadata", _xml("INSPIRE.xml"))),
        (f"DATASTRIP/{ds_dir}/MTD_DS.xml", ("datastrip_metadata", _xml("MTD_DS.xml"))),
        (f"GRANULE/{granule}/MTD_TL.xml", ("granule_metadata", _xml("MTD_TL.xml"))),
    ]
    img = f"GRANULE/{granule}/IMG_DATA"
    stem = f"T{tile}_{sensed}"
    if level == "L1C":
        for band in [*S2_BANDS, "TCI"]:
            res = S2_BANDS[band][4] if band in S2_BANDS else 10
            files.append(
                (f"{img}/{stem}_{band}.jp2", (band, _s2_image(band, res, offset, tile, False)))
            )
    else:
        for name, resolutions in L2A_IMAGES.items():
            for res in resolutions:
                files.append(
                    (
                        f"{img}/R{res}m/{stem}_{name}_{res}m.jp2",
                        (f"{name}_{res}m", _s2_image(name, res, offset, tile, True)),
                    )
                )
    return files


# -- classification --------------------------------------------------------------------------

_S2_BAND_L2A = re.compile(r"IMG_DATA/R(\d+)m/[^/]*_([A-Z0-9]{3})_(\d+)m\.jp2$")
_S2_BAND_L1C = re.compile(r"IMG_DATA/[^/]*_([A-Z0-9]{3})\.jp2$")


class Facts(NamedTuple):
    """What classification needs of an entry, computed once per item."""

    offset: bool
    """Sentinel-2: the radiometric offset applies (processing baseline 04.00 on)."""
    tile: str
    ascending: bool
    product_type: str


def file_facts(entry: Entry) -> Facts:
    """The :class:`Facts` of ``entry``."""
    baseline = str(attr(entry, "processingBaseline") or "05.00")
    try:
        offset = float(baseline) >= 4.0
    except ValueError:
        offset = True
    ascending = str(attr(entry, "orbitDirection", "")).upper() == "ASCENDING"
    return Facts(offset, str(attr(entry, "tileId") or "31UDQ"), ascending, entry.product_type)


def classify(rel: str, family: str, facts: Facts) -> tuple[str, dict[str, Any]] | None:
    """The asset key and static fields of one product file; None for files of no known kind.

    The fields come from caches, in jsonb order: callers copy them, never change them.
    """
    if family == "s2":
        if rel == "manifest.safe":
            return "safe_manifest", _xml("manifest.safe")
        return _classify_s2(rel, rel.rsplit("/", 1)[-1], facts.offset, facts.tile)
    if family == "s1":
        if rel == "manifest.safe":
            return "safe_manifest", manifest_s1("_SLC_" in facts.product_type)
        return classify_s1(rel, facts.ascending)
    if family == "s3":
        return classify_s3(rel, facts.product_type)
    return None


@functools.lru_cache(maxsize=512)
def _xml(title: str, description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "application/xml", "title": title, "roles": ["metadata"]}
    if description:
        out["description"] = description
    return jsonb_order(out)


def _classify_s2(rel: str, name: str, offset: bool, tile: str) -> tuple[str, dict[str, Any]] | None:
    if re.fullmatch(r"MTD_MSIL(1C|2A)\.xml", rel):
        return "product_metadata", _xml(name)
    if rel == "INSPIRE.xml":
        return "inspire_metadata", _xml(name)
    if rel.startswith("GRANULE/") and name == "MTD_TL.xml" and rel.count("/") == 2:
        return "granule_metadata", _xml(name)
    if rel.startswith("DATASTRIP/") and name == "MTD_DS.xml":
        return "datastrip_metadata", _xml(name)
    match = _S2_BAND_L2A.search(rel)
    if match and int(match.group(1)) == int(match.group(3)):
        image, res = match.group(2), int(match.group(3))
        return f"{image}_{res}m", _s2_image(image, res, offset, tile, l2a=True)
    match = _S2_BAND_L1C.search(rel)
    if match and match.group(1) in (*S2_BANDS, "TCI"):
        image = match.group(1)
        res = S2_BANDS[image][4] if image in S2_BANDS else 10
        return image, _s2_image(image, res, offset, tile, l2a=False)
    return None


@functools.lru_cache(maxsize=4096)
def _s2_image(image: str, res: int, offset: bool, tile: str, l2a: bool) -> dict[str, Any]:
    suffix = f" - {res}m" if l2a else ""
    native = S2_BANDS[image][4] if image in S2_BANDS else {"TCI": 10, "SCL": 20}.get(image)
    if native is None or native == res:
        sampling = "sampling:original"
    else:
        sampling = "sampling:upsampled" if res < native else "sampling:downsampled"
    fields: dict[str, Any] = {"type": "image/jp2"}
    if image in S2_BANDS:
        desc = S2_BANDS[image][0]
        fields.update(
            {
                "title": desc + suffix,
                "roles": ["data", "reflectance", sampling, f"gsd:{res}m"],
                "bands": [_s2_band(image)],
                "data_type": "uint16",
                "nodata": 0,
                "raster:scale": 0.0001,
                "raster:offset": -0.1 if offset else 0.0,
            }
        )
    elif image == "TCI":
        fields.update(
            {
                "title": "True color image",  # no resolution suffix (EOMETA sample)
                "roles": ["visual", sampling, f"gsd:{res}m"],
                "bands": [_s2_band(b) for b in ("B04", "B03", "B02")],
                "data_type": "uint8",
                "nodata": 0,
            }
        )
    else:
        titles = {
            "AOT": "Aerosol optical thickness (AOT)",
            "WVP": "Water vapour (WVP)",
            "SCL": "Scene classification map (SCL)",
        }
        fields.update(
            {
                "title": titles.get(image, image) + suffix,
                "roles": ["data", sampling, f"gsd:{res}m"]
                if image == "SCL"
                else ["data", f"gsd:{res}m"],
                "data_type": "uint8" if image == "SCL" else "uint16",
                "nodata": 0,
            }
        )
        if image != "SCL":  # the real items scale AOT and WVP like reflectances (EOMETA sample)
            fields["raster:scale"] = 0.0001
            fields["raster:offset"] = -0.1 if offset else 0.0
    fields["gsd"] = res
    fields["proj:code"] = s2_epsg(tile)
    return jsonb_order(fields)


def _s2_band(name: str) -> dict[str, Any]:
    desc, common, centre, fwhm, _ = S2_BANDS[name]
    return {
        "name": name,
        "description": desc,
        "eo:center_wavelength": centre,
        "eo:full_width_half_max": fwhm,
        "eo:common_name": common,
    }
