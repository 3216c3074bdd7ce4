"""The files a product holds, by mission: listed for metadata-only entries, classified for all.

A materialised entry's files are real (``entry.payload.files``); a metadata-only entry gets the
file list its real counterpart would have (:func:`virtual_files`). Both go through
:func:`classify`, which names the STAC asset of a file (``B04_10m``, ``vv``, ``safe_manifest``,
...) and gives its static fields, as eometadatatool does for the real catalogue (§4, EOMETA).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..catalogue import Entry
from .common import attr
from .jsonb import jsonb_order

__all__ = ["classify", "file_facts", "s2_epsg", "virtual_files"]

#: Sentinel-2 bands: description, common name, centre and FWHM (µm), native resolution (m).
S2_BANDS: dict[str, tuple[str, str, float, float, int]] = {
    "B01": ("Coastal aerosol (band 1)", "coastal", 0.443, 0.027, 60),
    "B02": ("Blue (band 2)", "blue", 0.49, 0.098, 10),
    "B03": ("Green (band 3)", "green", 0.56, 0.045, 10),
    "B04": ("Red (band 4)", "red", 0.665, 0.038, 10),
    "B05": ("Red edge 1 (band 5)", "rededge071", 0.704, 0.019, 20),
    "B06": ("Red edge 2 (band 6)", "rededge075", 0.74, 0.018, 20),
    "B07": ("Red edge 3 (band 7)", "rededge078", 0.783, 0.028, 20),
    "B08": ("NIR 1 (band 8)", "nir", 0.842, 0.145, 10),
    "B8A": ("NIR 2 (band 8A)", "nir08", 0.865, 0.033, 20),
    "B09": ("NIR 3 (band 9)", "nir09", 0.945, 0.026, 60),
    "B10": ("Cirrus (band 10)", "cirrus", 1.375, 0.075, 60),
    "B11": ("SWIR 1 (band 11)", "swir16", 1.61, 0.143, 20),
    "B12": ("SWIR 2 (band 12)", "swir22", 2.19, 0.242, 20),
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

_POLARISATIONS = {
    "VV": "Vertical transmit, vertical receive",
    "VH": "Vertical transmit, horizontal receive",
    "HH": "Horizontal transmit, horizontal receive",
    "HV": "Horizontal transmit, vertical receive",
}

#: Sentinel-3 measurement files by product type (real SEN3 content, abridged).
S3_FILES: dict[str, tuple[str, ...]] = {
    "OL_1_EFR___": (
        *(f"Oa{i:02d}_radiance.nc" for i in range(1, 22)),
        "geo_coordinates.nc",
        "instrument_data.nc",
        "qualityFlags.nc",
        "removed_pixels.nc",
        "tie_geo_coordinates.nc",
        "tie_geometries.nc",
        "tie_meteo.nc",
        "time_coordinates.nc",
    ),
    "SL_2_LST___": (
        "LST_in.nc",
        "LST_ancillary_ds.nc",
        "cartesian_in.nc",
        "cartesian_tx.nc",
        "flags_in.nc",
        "geodetic_in.nc",
        "geodetic_tx.nc",
        "geometry_tn.nc",
        "indices_in.nc",
        "met_tx.nc",
        "time_in.nc",
    ),
    "SY_2_SYN___": (
        *(
            f"Syn_Oa{i:02d}_reflectance.nc"
            for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 21)
        ),
        *(f"Syn_S{i}{view}_reflectance.nc" for view in "NO" for i in (1, 2, 3, 5, 6)),
        "Syn_AOT550.nc",
        "flags.nc",
        "geolocation.nc",
        "time.nc",
        "tiepoints_meteo.nc",
        "tiepoints_olci.nc",
        "tiepoints_slstr_n.nc",
        "tiepoints_slstr_o.nc",
    ),
}


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
    if family == "s2":
        return _s2_files(entry)
    if family == "s1":
        return [(rel, None) for rel in _s1_files(entry)]
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
    offset, _ = file_facts(entry)
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


def _s1_files(entry: Entry) -> list[str]:
    # S1A_IW_GRDH_1SDV_<start>_<end>_<orbit>_<datatake>_<crc>.SAFE
    parts = entry.stem.split("_")
    mission, mode, start, end, orbit, datatake = (
        parts[0].lower(),
        parts[1].lower(),
        parts[-5].lower(),
        parts[-4].lower(),
        parts[-3],
        parts[-2].lower(),
    )
    pols = [p.lower() for p in str(attr(entry, "polarisationChannels", "VV")).split("&")]
    slc = "_SLC_" in entry.product_type
    swaths = [f"{mode}{i}" for i in (1, 2, 3)] if slc else [mode]
    files = ["manifest.safe"]
    kind = "slc" if slc else "grd"
    for pol_index, pol in enumerate(pols):
        for swath_index, swath in enumerate(swaths):
            # Image numbers as in real SAFE names: one per (polarisation, swath), from 001.
            number = pol_index * len(swaths) + swath_index + 1
            base = f"{mission}-{swath}-{kind}-{pol}-{start}-{end}-{orbit}-{datatake}-{number:03d}"
            files += [
                f"measurement/{base}.tiff",
                f"annotation/{base}.xml",
                f"annotation/calibration/calibration-{base}.xml",
                f"annotation/calibration/noise-{base}.xml",
            ]
    return files


# -- classification --------------------------------------------------------------------------

_S2_BAND_L2A = re.compile(r"IMG_DATA/R(\d+)m/[^/]*_([A-Z0-9]{3})_(\d+)m\.jp2$")
_S2_BAND_L1C = re.compile(r"IMG_DATA/[^/]*_([A-Z0-9]{3})\.jp2$")
_S1_FILE = re.compile(
    r"^(?:(?P<dir>measurement|annotation|annotation/calibration)/)"
    r"(?P<prefix>calibration-|noise-)?"
    r"s1[a-d]-(?P<swath>[a-z]+\d?)-(?P<kind>grd|slc)-(?P<pol>hh|hv|vh|vv)-[^/]*\.(?P<ext>tiff|xml)$"
)


def file_facts(entry: Entry) -> tuple[bool, str]:
    """What classification needs of an entry, computed once per item: (S2 radiometric offset
    applies, MGRS tile)."""
    baseline = str(attr(entry, "processingBaseline") or "05.00")
    return float(baseline) >= 4.0, str(attr(entry, "tileId") or "31UDQ")


def classify(rel: str, family: str, facts: tuple[bool, str]) -> tuple[str, dict[str, Any]] | None:
    """The asset key and static fields of one product file; None for files of no known kind.

    The fields come from caches, in jsonb order: callers copy them, never change them.
    """
    name = rel.rsplit("/", 1)[-1]
    if rel == "manifest.safe":
        return "safe_manifest", _xml("manifest.safe")
    if family == "s2":
        return _classify_s2(rel, name, *facts)
    if family == "s1":
        return _classify_s1(rel)
    if family == "s3":
        if name == "xfdumanifest.xml":
            return "xfdumanifest", _xml("xfdumanifest.xml")
        if name.endswith(".nc"):
            return name[:-3], _netcdf(name[:-3])
    return None


@functools.lru_cache(maxsize=512)
def _netcdf(stem: str) -> dict[str, Any]:
    return jsonb_order(
        {"type": "application/x-netcdf", "title": stem.replace("_", " "), "roles": ["data"]}
    )


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
    native = S2_BANDS[image][4] if image in S2_BANDS else None
    sampling = "sampling:original" if native in (None, res) else "sampling:downsampled"
    fields: dict[str, Any] = {"type": "image/jp2"}
    if image in S2_BANDS:
        desc, common, centre, fwhm, _ = S2_BANDS[image]
        fields.update(
            {
                "title": desc + suffix,
                "roles": ["data", "reflectance", sampling, f"gsd:{res}m"],
                "bands": [
                    {
                        "name": image,
                        "description": desc,
                        "eo:center_wavelength": centre,
                        "eo:full_width_half_max": fwhm,
                        "eo:common_name": common,
                    }
                ],
                "data_type": "uint16",
                "nodata": 0,
                "raster:scale": 0.0001,
                "raster:offset": -0.1 if offset else 0.0,
            }
        )
    elif image == "TCI":
        fields.update(
            {
                "title": "True color image" + suffix,
                "roles": ["visual", sampling, f"gsd:{res}m"],
                "bands": [
                    {"name": b, "eo:common_name": S2_BANDS[b][1], "description": S2_BANDS[b][0]}
                    for b in ("B04", "B03", "B02")
                ],
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
                "roles": ["data", f"gsd:{res}m"],
                "data_type": "uint8" if image == "SCL" else "uint16",
                "nodata": 0,
            }
        )
        if image != "SCL":
            fields["raster:scale"] = 0.001
    fields["gsd"] = res
    fields["proj:code"] = s2_epsg(tile)
    return jsonb_order(fields)


def _classify_s1(rel: str) -> tuple[str, dict[str, Any]] | None:
    match = _S1_FILE.match(rel)
    if not match:
        return None
    pol = match.group("pol")
    slc = match.group("kind") == "slc"
    which = f"{match.group('swath')}-{pol}" if slc else pol
    kind = "data" if match.group("ext") == "tiff" else (match.group("prefix") or "product-")
    prefix = "" if kind == "data" else f"schema-{kind.rstrip('-')}-"
    return prefix + which, _s1_fields(kind, pol.upper(), slc)


@functools.lru_cache(maxsize=64)
def _s1_fields(kind: str, polarisation: str, slc: bool) -> dict[str, Any]:
    common = {"sar:polarizations": [polarisation]}
    if kind == "data":
        return jsonb_order(
            {
                "type": "image/tiff; application=geotiff",
                "title": f"{polarisation}: {_POLARISATIONS[polarisation]}",
                "roles": ["data"],
                "data_type": "cint16" if slc else "uint16",
                "nodata": 0,
                **common,
            }
        )
    if kind == "calibration-":
        fields = _xml(
            f"{polarisation} calibration Schema",
            "Calibration metadata including calibration information and the beta nought, "
            "sigma nought, gamma and digital number look-up tables.",
        )
    elif kind == "noise-":
        fields = _xml(f"{polarisation} noise Schema", "Estimated thermal noise look-up tables.")
    else:
        fields = _xml(
            f"{polarisation} Product Schema",
            "Main source of band's metadata, including: state of the platform during "
            "acquisition, image properties, Doppler information, geographic location, etc.",
        )
    return jsonb_order({**fields, **common})
