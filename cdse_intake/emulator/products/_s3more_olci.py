"""OLCI products other than EFR: Level-1 ``OL_1_ERR___`` and the Level-2 land (``OL_2_LFR___``,
``OL_2_LRR___``) and water (``OL_2_WFR___``, ``OL_2_WRR___``) products.

Files (real names: the LFR set as stactools-sentinel3's example item lists it, with the
collection-3 names ``gifapar``/``rc_gifapar`` of what baseline 002 called ``ogvi``/``rc_ogvi``;
the ERR and WFR sets as the OLCI product descriptions give them, not checked against a sample
here; ERR's ``removed_pixels.nc`` is inferred from EFR)::

    ERR       Oa01_radiance.nc … Oa21_radiance.nc, qualityFlags.nc, removed_pixels.nc
    WFR, WRR  Oa{01-12,16,17,18,21}_reflectance.nc, chl_nn.nc, chl_oc4me.nc, iop_nn.nc, iwv.nc,
              par.nc, trsp.nc, tsm_nn.nc, w_aer.nc, wqsf.nc
    LFR, LRR  gifapar.nc, iwv.nc, lqsf.nc, otci.nc, rc_gifapar.nc
    all       geo_coordinates.nc, instrument_data.nc, time_coordinates.nc,
              tie_geo_coordinates.nc, tie_geometries.nc, tie_meteo.nc

Variables have the real names (``Oa01_reflectance``/``_err``, ``CHL_NN``, ``CHL_OC4ME``,
``ADG443_NN``, ``TSM_NN``, ``KD490_M07``, ``PAR``, ``A865``, ``T865``, ``IWV``, ``WQSF``,
``GIFAPAR``, ``OTCI``, ``RC681``, ``RC865``, ``LQSF``) on the image grid ``(rows, columns)``;
their packing, flag bit order and the retrieval formulas are inferred. Small: 48 x 65 pixels
spanning the footprint, tie points every 16 columns.

Values are the synthetic Earth at each pixel on the sensing start with the record's clouds
(:mod:`._s3_pixels`): water products hold water-leaving reflectance and water constituents over
clear water and fill elsewhere; land products vegetation indices over clear land; the radiances
of ERR are :mod:`.sentinel3`'s top-of-atmosphere model. Flags mark land, water and cloud.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _s3_pixels
from ._netcdf import NcGroup
from ._s3more_common import Product, finish, grid_lonlat, nc_file, spec, stored
from ._s3more_olci_l2 import land_files, water_files
from ._s3more_olci_scene import (
    CENTRES,
    COLUMNS,
    IMAGE,
    ROWS,
    TIE,
    TIE_COLUMNS,
    TIE_STEP,
    WATER_BANDS,
    Scene,
)
from ._sen3 import degrees, time_stamps, variable
from .sentinel3 import (
    BANDS,
    SCALE_FACTORS,
    SOLAR_FLUX,
    WAVELENGTHS,
    olci_info,
)

__all__ = ["build_olci"]


def build_olci(product: Product) -> dict[str, bytes]:
    """The files of an OLCI ERR, LFR, LRR, WFR or WRR product."""
    kind = product.name["type"]
    s = Scene(product)
    full = kind[7] == "F"
    attrs = product.attrs(
        ac_subsampling_factor=np.array([TIE_STEP], dtype=np.uint16),
        al_subsampling_factor=np.array([1], dtype=np.uint16),
        resolution="[ 270 294 ]" if full else "[ 1080 1176 ]",
        source=f"IPF-OL-{kind[3]}-EO 06.17",
    )
    level = "Level 1b" if kind.startswith("OL_1") else "Level 2"

    def nc(name: str, dims: dict[str, int], body: Any) -> bytes:
        return nc_file(dims, body, attrs, f"OLCI {level} Product, {name} Data Set")

    image = {"rows": ROWS, "columns": COLUMNS}
    files = _annotations(product, s, nc, detectors=3700 if full else 740)
    if kind.startswith("OL_1"):
        files |= _radiances(s, nc, image)
        measured = [f"{b}_radiance" for b in BANDS] + ["removed_pixels"]
    elif kind.startswith("OL_2_W"):
        files |= water_files(s, nc, image)
        measured = [f"{b}_reflectance" for b in WATER_BANDS]
        measured += ["chl_nn", "chl_oc4me", "iop_nn", "iwv", "par", "trsp", "tsm_nn", "w_aer"]
    else:
        files |= land_files(s, nc, image)
        measured = ["gifapar", "iwv", "otci", "rc_gifapar"]
    name = {"1": "Level 1", "2": "Level 2"}[kind[3]]
    text = f"SENTINEL-3 OLCI {name} {'Full' if full else 'Reduced'} Resolution Product"
    return finish(
        product, _spec(kind[3], text), files, measured, olci_info(ROWS, COLUMNS, sampling=False)
    )


def _spec(level: str, text: str) -> Any:
    return spec(
        'xmlns:olci="http://www.esa.int/safe/sentinel/sentinel-3/olci/1.0"',
        f"esa/safe/sentinel/sentinel-3/olci/level-{level}/1.0",
        text,
        ("OLCI", "Ocean Land Colour Instrument"),
        level,
        "Land OLCI Processing and Archiving Centre",
    )


def _annotations(product: Product, s: Scene, nc: Any, detectors: int) -> dict[str, bytes]:
    tie = {"tie_rows": ROWS, "tie_columns": TIE_COLUMNS}
    tie_lon, tie_lat = grid_lonlat(product.swath, ROWS, TIE_COLUMNS)
    sza, saa = s.sza[:, ::TIE_STEP], s.saa[:, ::TIE_STEP]
    stamps = product.stamps(ROWS)

    def geo(g: NcGroup, lon: Any, lat: Any, dims: tuple[str, str]) -> None:
        if dims == IMAGE:
            stored(
                g,
                "altitude",
                dims,
                np.where(s.land, 120.0, 0.0),
                np.int16,
                fill=-32768,
                long_name="DEM corrected altitude",
                units="m",
            )
        for name, values, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
            units = f"degrees_{'north' if name == 'latitude' else 'east'}"
            degrees(g, name, dims, values, limit, long_name=name, standard_name=name, units=units)

    def angles(g: NcGroup) -> None:
        cols = np.broadcast_to(np.arange(TIE_COLUMNS) * TIE_STEP, (ROWS, TIE_COLUMNS))
        for key, name, values in (
            ("OAA", "observation azimuth", 100 + 0 * cols),
            ("OZA", "observation zenith", np.abs(cols - COLUMNS / 2) * 0.9),
            ("SAA", "sun azimuth", saa),
            ("SZA", "sun zenith", sza),
        ):
            stored(
                g,
                key,
                TIE,
                values,
                np.uint32 if key == "SZA" else np.int32,
                scale=1e-6,
                long_name=f"{name.capitalize()} angle",
                units="degree",
                standard_name=f"{name.replace(' ', '_')}_angle",
            )

    def meteo(g: NcGroup) -> None:
        shape = (ROWS, TIE_COLUMNS)
        for name, value, long_name, units in (
            ("sea_level_pressure", 1013.25, "Mean sea level pressure", "hPa"),
            ("total_columnar_water_vapour", 15.0, "Total column water vapour", "kg.m-2"),
            ("total_ozone", 0.0065, "Total column ozone", "kg.m-2"),
        ):
            stored(
                g, name, TIE, np.full(shape, value), np.float32, long_name=long_name, units=units
            )
        stored(
            g,
            "horizontal_wind",
            (*TIE, "wind_vectors"),
            np.full((*shape, 2), 3.5),
            np.float32,
            long_name="Horizontal wind vector at 10m altitude",
            units="m s-1",
        )

    def instrument(g: NcGroup) -> None:
        cols = np.broadcast_to(np.arange(COLUMNS), (ROWS, COLUMNS))
        stored(
            g,
            "detector_index",
            IMAGE,
            cols * (detectors // COLUMNS),
            np.int16,
            fill=-1,
            long_name="Detector index",
        )
        per_band = (len(BANDS), detectors)
        for name, data, units in (
            ("lambda0", CENTRES, "nm"),
            ("FWHM", np.array([b for _, b in WAVELENGTHS]), "nm"),
            ("solar_flux", np.array(SOLAR_FLUX), "mW.m-2.nm-1"),
        ):
            stored(
                g,
                name,
                ("bands", "detectors"),
                np.broadcast_to(data[:, None], per_band),
                np.float32,
                units=units,
            )

    def times(g: NcGroup) -> None:
        time_stamps(g, stamps)

    image = {"rows": ROWS, "columns": COLUMNS}
    return {
        "geo_coordinates.nc": nc("Geo Coordinates", image, lambda g: geo(g, s.lon, s.lat, IMAGE)),
        "tie_geo_coordinates.nc": nc(
            "Tie-Point Geo Coordinates", tie, lambda g: geo(g, tie_lon, tie_lat, TIE)
        ),
        "tie_geometries.nc": nc("Tie-Point Geometries", tie, angles),
        "tie_meteo.nc": nc("Tie-Point Meteo", {**tie, "wind_vectors": 2}, meteo),
        "instrument_data.nc": nc(
            "Instrument", {**image, "bands": len(BANDS), "detectors": detectors}, instrument
        ),
        "time_coordinates.nc": nc("Time Stamps", {"rows": ROWS}, times),
    }


def _radiances(s: Scene, nc: Any, image: dict[str, int]) -> dict[str, bytes]:
    sun = np.cos(np.radians(np.minimum(s.sza, 88.0)))
    files = {}
    for i, band in enumerate(BANDS):
        radiance = s.toa[i] * SOLAR_FLUX[i] * sun / np.pi
        files[f"{band}_radiance.nc"] = nc(
            f"Radiance {band}",
            image,
            lambda g, i=i, band=band, radiance=radiance: stored(
                g,
                f"{band}_radiance",
                IMAGE,
                radiance,
                np.uint16,
                scale=SCALE_FACTORS[i],
                fill=65535,
                long_name=f"TOA radiance for OLCI acquisition band {band.lower()}",
                standard_name="toa_upwelling_spectral_radiance",
                units="mW.m-2.sr-1.nm-1",
                coordinates="time_stamp altitude latitude longitude",
            ),
        )
    meanings = (
        "land coastline fresh_inland_water tidal_region bright straylight_risk invalid "
        "cosmetic duplicated sun-glint_risk dubious"
    )
    bits = {"land": s.land, "coastline": _s3_pixels.coast(s.land), "bright": s.toa[3] > 0.3}

    def flags(g: NcGroup) -> None:
        names = meanings.split()
        value = np.zeros((ROWS, COLUMNS), np.uint32)
        for flag, mask in bits.items():
            value |= np.where(mask, np.uint32(1 << (31 - names.index(flag))), np.uint32(0))
        masks = np.array([1 << (31 - i) for i in range(len(names))], dtype=np.uint32)
        variable(
            g,
            "quality_flags",
            IMAGE,
            value,
            np.uint32,
            flag_masks=masks,
            flag_meanings=meanings,
            long_name="Classification and quality flags",
        )

    def removed(g: NcGroup) -> None:
        variable(g, "rows", ("removed_pixels",), np.arange(4), np.int32, long_name="Row index")
        variable(g, "columns", ("removed_pixels",), np.zeros(4), np.int32, long_name="Column index")

    files["qualityFlags.nc"] = nc("Classification and Quality Flags", image, flags)
    files["removed_pixels.nc"] = nc("Removed Pixels", {"removed_pixels": 4}, removed)
    return files
