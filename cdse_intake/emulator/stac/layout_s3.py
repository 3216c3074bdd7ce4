"""Sentinel-3 SEN3 files as STAC assets, as the eometadatatool templates name them (EOMETA).

* OLCI L1 (``sentinel-3-ol1-earth``): ``geo-coordinates``, ``quality-flags``, ... titled
  "<Words> Annotations", ``removed-pixels``, ``Oa01_radianceData`` ... with their OLCI band.
* SLSTR L2 (``sentinel-3-sl2-frp-lst-wst``): the file stem (``LST_in``, ``geodetic_tx``, ...)
  with the template's titles; ``LST_in`` carries ``processing:lineage``.
* SYNERGY L2 (``sentinel-3-sy2-syn``): ``syn_Oa01_reflectance``, ``syn_S1N_reflectance``,
  ``syn_aot550``, ``flags``, ``geolocation``, ... with their bands.

Every netCDF is ``application/netcdf`` with role ``data`` (the framework's ``NetCDFAsset``);
``xfdumanifest`` is the "Product manifest".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .jsonb import jsonb_order

__all__ = ["S3_FILES", "classify_s3"]

NETCDF = "application/netcdf"

#: Measurement files by product type (the files the emulator's writers produce, real names).
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
        "Syn_Angstrom_exp550.nc",
        "Syn_AMIN.nc",
        "Syn_SDR_removed_pixel.nc",
        "Syn_annot_rem.nc",
        "flags.nc",
        "geolocation.nc",
        "time.nc",
        "tiepoints_meteo.nc",
        "tiepoints_olci.nc",
        "tiepoints_slstr_n.nc",
        "tiepoints_slstr_o.nc",
    ),
}


def _more_files() -> dict[str, tuple[str, ...]]:
    """The files of the other Sentinel-3 types (``products.sentinel3_more``), sorted; WST's one
    file is named after the product (``virtual_files`` lists only its manifest)."""
    olci = ("geo_coordinates", "instrument_data", "time_coordinates", "tie_geo_coordinates",
            "tie_geometries", "tie_meteo")  # fmt: skip
    water_bands = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 21)
    water = (*olci, *(f"Oa{b:02d}_reflectance" for b in water_bands), "chl_nn", "chl_oc4me",
             "iop_nn", "iwv", "par", "trsp", "tsm_nn", "w_aer", "wqsf")  # fmt: skip
    land = (*olci, "gifapar", "iwv", "lqsf", "otci", "rc_gifapar")
    err = (*olci, *(f"Oa{i:02d}_radiance" for i in range(1, 22)), "qualityFlags",
           "removed_pixels")  # fmt: skip
    rbt = ["viscal", "met_tx", "geometry_tn", "geometry_to", "geodetic_tx", "cartesian_tx",
           "time_an", "time_bn", "time_in"]  # fmt: skip
    rbt += [f"{kind}_{g}" for kind in ("geodetic", "cartesian", "indices", "flags")
            for g in ("an", "ao", "bn", "bo", "in", "io", "fn", "fo")]  # fmt: skip
    views = {"S1": "an ao", "S2": "an ao", "S3": "an ao", "S4": "an ao bn bo",
             "S5": "an ao bn bo", "S6": "an ao bn bo"}  # fmt: skip
    rbt += [f"{b}_{part}_{c}" for b, cs in views.items() for c in cs.split()
            for part in ("radiance", "quality")]  # fmt: skip
    thermal = {"S7": "in io", "S8": "in io", "S9": "in io", "F1": "fn fo", "F2": "in io"}
    rbt += [f"{b}_{part}_{c}" for b, cs in thermal.items() for c in cs.split()
            for part in ("BT", "quality")]  # fmt: skip
    frp = ["FRP_in", "time_in", "met_tx", "geometry_tn", "geodetic_tx", "cartesian_tx"]
    frp += [f"{kind}_{g}" for kind in ("geodetic", "cartesian", "indices", "flags")
            for g in ("in", "fn")]  # fmt: skip
    vgt = ("B0", "B2", "B3", "MIR", "ag", "og", "saa", "sm", "sza", "vaa", "vza", "wvg")
    sral = ("enhanced_measurement", "reduced_measurement", "standard_measurement")
    stems: dict[str, Sequence[str]] = {
        "OL_1_ERR___": err,
        "OL_2_LFR___": land,
        "OL_2_LRR___": land,
        "OL_2_WFR___": water,
        "OL_2_WRR___": water,
        "SL_1_RBT___": rbt,
        "SL_2_FRP___": frp,
        "SY_2_V10___": (*vgt, "NDVI", "tg"),
        "SY_2_VG1___": (*vgt, "NDVI", "tg"),
        "SY_2_VGP___": vgt,
        "SR_1_SRA___": ("measurement_l1b",),
        "SR_1_SRA_A_": ("measurement_l1a",),
        **{t: sral for t in ("SR_2_LAN___", "SR_2_LAN_HY", "SR_2_LAN_LI", "SR_2_LAN_SI")},
        "SR_2_WAT___": sral,
    }
    return {t: tuple(sorted(f"{stem}.nc" for stem in names)) for t, names in stems.items()}


S3_FILES.update(_more_files())

#: ``stac_bands.OLCI_Bands``: description, centre and FWHM (µm).
OLCI_BANDS: dict[str, tuple[str, float, float]] = {
    "Oa01": ("Aerosol correction, improved water constituent retrieval", 0.4, 0.015),
    "Oa02": ("Yellow substance and detrital pigments (turbidity)", 0.4125, 0.01),
    "Oa03": ("Chlorophyll absorption maximum, biogeochemistry, vegetation", 0.4425, 0.01),
    "Oa04": ("Chlorophyll", 0.49, 0.01),
    "Oa05": ("Chlorophyll, sediment, turbidity, red tide", 0.51, 0.01),
    "Oa06": ("Chlorophyll reference (minimum)", 0.56, 0.01),
    "Oa07": ("Sediment loading", 0.62, 0.01),
    "Oa08": (
        "2nd Chlorophyll absorption maximum, sediment, yellow substance / vegetation",
        0.665,
        0.01,
    ),
    "Oa09": ("Improved fluorescence retrieval", 0.67375, 0.0075),
    "Oa10": ("Chlorophyll fluorescence peak, red edge", 0.68125, 0.0075),
    "Oa11": ("Chlorophyll fluorescence baseline, red edge transition", 0.70875, 0.01),
    "Oa12": ("O2 absorption / clouds, vegetation", 0.75375, 0.0075),
    "Oa13": ("O2 absorption / aerosol correction", 0.76125, 0.0025),
    "Oa14": ("Atmospheric correction", 0.764375, 0.00375),
    "Oa15": ("O2 absorption used for cloud top pressure, fluorescence over land", 0.7675, 0.0025),
    "Oa16": ("Atmospheric / aerosol correction", 0.77875, 0.015),
    "Oa17": ("Atmospheric / aerosol correction, clouds, pixel co-registration", 0.865, 0.02),
    "Oa18": (
        "Water vapour absorption reference. Common reference band with SLSTR. "
        "Vegetation monitoring",
        0.885,
        0.01,
    ),
    "Oa19": ("Water vapour absorption, vegetation monitoring (maximum REFLECTANCE)", 0.9, 0.01),
    "Oa20": ("Water vapour absorption, atmospheric / aerosol correction", 0.94, 0.02),
    "Oa21": ("Water vapour absorption, atmospheric / aerosol correction", 1.02, 0.04),
}
#: ``stac_bands.SLSTR_Bands`` used by SYNERGY.
SLSTR_BANDS: dict[str, tuple[str, float, float]] = {
    "S1": ("Cloud screening, vegetation monitoring, aerosol", 0.55427, 0.01926),
    "S2": ("NDVI, vegetation monitoring, aerosol", 0.65947, 0.01925),
    "S3": ("NDVI, cloud flagging, pixel co-registration", 0.868, 0.0206),
    "S5": ("Cloud clearing, ice, snow, vegetation monitoring", 1.6134, 0.06068),
    "S6": ("Vegetation state and cloud clearing", 2.2557, 0.05015),
}
_SYN_OLCI = ("Oa01", "Oa02", "Oa03", "Oa04", "Oa05", "Oa06", "Oa07", "Oa08", "Oa09", "Oa10")
_SYN_OLCI += ("Oa11", "Oa12", "Oa16", "Oa17", "Oa18", "Oa21")

_OLCI_ANNOTATIONS = {
    "geo_coordinates": "geo-coordinates",
    "instrument_data": "instrument-data",
    "qualityFlags": "quality-flags",
    "tie_geo_coordinates": "tie-geo-coordinates",
    "tie_geometries": "tie-geometries",
    "tie_meteo": "tie-meteo",
    "time_coordinates": "time-coordinates",
}
#: The SLSTR L2 template's titles (LST and FRP files).
_SLSTR_TITLES = {
    "cartesian_fn": "Full resolution cartesian coordinates for the 1km F1 grid, nadir view",
    "cartesian_in": "Full resolution cartesian coordinates for the 1km TIR grid, nadir view",
    "cartesian_tx": "16km cartesian coordinates",
    "flags_fn": "Global flags for the 1km F1 grid, nadir view",
    "flags_in": "Global flags for the 1km TIR grid, nadir view",
    "FRP_in": "FRP_in measurements",
    "geodetic_fn": "Full resolution geodetic coordinates for the 1km F1 grid, nadir view",
    "geodetic_in": "Full resolution geodetic coordinates for the 1km TIR grid, nadir view",
    "geodetic_tx": "16km geodetic coordinates",
    "geometry_tn": "16km solar and satellite geometry annotations, nadir view",
    "indices_fn": "Scan, pixel and detector annotations for the 1km F1 grid, nadir view",
    "indices_in": "Scan, pixel and detector annotations for the 1km TIR grid, nadir view",
    "met_tx": "Meteorological parameters regridded onto the 16km tie points",
    "time_in": "Time annotations for the 1 KM grid",
    "LST_ancillary_ds": "LST ancillary measurements",
    "LST_in": "LST_in measurements",
    "L2P": "L2P measurements",
}
_LINEAGE = {
    "LST_in": "Input bands: S8, S9",
    "FRP_in": "Input bands: S5, S6, S7, F1",
    "L2P": "Input bands: S7, S8, S9",
}
_SYN_TITLES = {
    "flags": "Classification and quality Flags associated with OLCI, SLSTR and SYNERGY products",
    "geolocation": "High resolution georeferencing data",
    "syn_amin": "L2 Aerosol model index number data",
    "syn_angstrom_exp550": "Aerosol Angstrom Exponent Data Set",
    "syn_annot_rem": "Annotations parameters associated with removed pixel",
    "syn_aot550": "Aerosol Optical Thickness Data Set",
    "syn_sdr_removed_pixel": (
        "Surface directional reflectance and aerosol parameters associated with removed pixel"
    ),
    "tiepoints_meteo": "ECMWF meteorology data",
    "tiepoints_olci": (
        "Low resolution georeferencing data and Sun and View angles associated with OLCI products"
    ),
    "tiepoints_slstr_n": (
        "Low resolution georeferencing data and Sun and View angles associated with SLSTR "
        "nadir view products"
    ),
    "tiepoints_slstr_o": (
        "Low resolution georeferencing data and Sun and View angles associated with SLSTR "
        "oblique view products"
    ),
    "time": "Time stamps annotation",
}
_SYN_WITH_BANDS = {"syn_angstrom_exp550", "syn_aot550", "syn_sdr_removed_pixel"}
_OLCI_RADIANCE = re.compile(r"^(Oa\d\d)_radiance(_unc)?$")
_SYN_OLCI_REFL = re.compile(r"^Syn_(Oa\d\d)_reflectance$")
_SYN_SLSTR_REFL = re.compile(r"^Syn_S(\d)([NO])_reflectance$")


def classify_s3(rel: str, product_type: str) -> tuple[str, dict[str, Any]] | None:
    """Asset key and static fields of a SEN3 file (cached, in jsonb order); None for others."""
    if rel == "xfdumanifest.xml":
        return "xfdumanifest", _manifest()
    if "/" in rel or not rel.endswith(".nc"):
        return None
    return _classify_nc(rel[:-3], product_type[:4])


@functools.lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    return jsonb_order(
        {"type": "application/xml", "title": "Product manifest", "roles": ["metadata"]}
    )


@functools.lru_cache(maxsize=1024)
def _classify_nc(stem: str, kind: str) -> tuple[str, dict[str, Any]]:
    if kind == "OL_1":
        match = _OLCI_RADIANCE.match(stem)
        if match:
            band, unc = match.groups()
            title = (
                f"Log10 scaled Radiometric Uncertainty Estimate for OLCI acquisition band {band}"
                if unc
                else f"TOA radiance for OLCI acquisition band {band}"
            )
            key = f"{band}_radiance_uncData" if unc else f"{band}_radianceData"
            return key, _netcdf(title, bands=(_eo_band(band, OLCI_BANDS[band]),))
        if stem in _OLCI_ANNOTATIONS:
            key = _OLCI_ANNOTATIONS[stem]
            words = " ".join(word.title() for word in key.split("-"))
            return key, _netcdf(f"{words} Annotations")
        if stem == "removed_pixels":
            return "removed-pixels", _netcdf(
                "Removed Pixels information used for SYN L1c reconstruction"
            )
    if kind == "SL_2" and stem in _SLSTR_TITLES:
        lineage = _LINEAGE.get(stem)
        extra = {"processing:lineage": lineage} if lineage else {}
        return stem, _netcdf(_SLSTR_TITLES[stem], **extra)
    if kind == "SY_2":
        return _classify_syn(stem)
    return stem, _netcdf(stem.replace("_", " "))


def _classify_syn(stem: str) -> tuple[str, dict[str, Any]]:
    match = _SYN_OLCI_REFL.match(stem)
    if match:
        band = match.group(1)
        desc, centre, fwhm = OLCI_BANDS[band]
        title = f"Surface directional reflectance associated with OLCI channel {band[2:]}"
        bands = ({"name": f"SYN{band[2:]}", **_eo_fields(desc, centre, fwhm)},)
        return f"syn_{band}_reflectance", _netcdf(title, bands=bands)
    match = _SYN_SLSTR_REFL.match(stem)
    if match:
        channel, view = int(match.group(1)), match.group(2)
        view_name = "nadir" if view == "N" else "oblique"
        _, centre, fwhm = SLSTR_BANDS[f"S{channel}"]
        title = (
            f"Surface directional reflectance associated with SLSTR channel {channel:02d} "
            f"acquired in {view_name} view"
        )
        number = 17 + channel if view == "N" else 22 + channel
        band = {"name": f"SYN{number}"}
        band |= _eo_fields(f"SLSTR {view_name} channel S{channel}", centre, fwhm)
        return f"syn_S{channel}{view}_reflectance", _netcdf(title, bands=(band,))
    key = "syn_" + stem[4:].lower() if stem.startswith("Syn_") else stem
    title = _SYN_TITLES.get(key, stem.replace("_", " "))
    if key in _SYN_WITH_BANDS:
        return key, _netcdf(title, bands=_sdr_bands())
    return key, _netcdf(title)


@functools.lru_cache(maxsize=1)
def _sdr_bands() -> tuple[dict[str, Any], ...]:
    """The SDR band list (SLSTR first, then OLCI) of the aerosol files."""
    slstr = tuple(_eo_band(name, facts) for name, facts in SLSTR_BANDS.items())
    return slstr + tuple(_eo_band(name, OLCI_BANDS[name]) for name in _SYN_OLCI)


def _eo_fields(description: str, centre: float, fwhm: float) -> dict[str, Any]:
    return {
        "description": description,
        "eo:center_wavelength": centre,
        "eo:full_width_half_max": fwhm,
    }


def _eo_band(name: str, facts: tuple[str, float, float]) -> dict[str, Any]:
    return {"name": name, **_eo_fields(*facts)}


def _netcdf(
    title: str, bands: tuple[dict[str, Any], ...] | None = None, **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": NETCDF, "title": title, "roles": ["data"], **extra}
    if bands:
        fields["bands"] = list(bands)
    return jsonb_order(fields)
