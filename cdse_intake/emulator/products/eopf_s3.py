"""Sentinel-3 OLCI Level-1 EFR products in the EOPF Zarr format (``S03OLCEFR_...zarr``).

Shaped after the EOPF documentation (Sentinel-3 OLCI L1 product format specification of the
re-engineered processors; eopf-stac's asset paths ``measurements/oa01_radiance``..``oa21``;
EOPF sample-service notebooks reading ``measurements/latitude``/``longitude`` and
``conditions/meteorology`` on the tie-point grid)::

    <Name>.zarr/
      measurements/   oa01_radiance..oa21_radiance (rows, columns) uint16, scaled per band,
                      latitude, longitude (int32, 1e-6 deg), altitude (int16, m),
                      time_stamp (rows; microseconds since 2000-01-01)
      conditions/geometry/      sza, saa, oza, oaa, latitude, longitude (tp_rows, tp_columns)
      conditions/meteorology/   atmospheric_temperature_profile (tp_rows, tp_columns,
                                pressure_level), sea_level_pressure, total_ozone,
                                total_columnar_water_vapour
      conditions/image/         detector_index, frame_offset (rows, columns)
      conditions/instrument/    lambda0, fwhm, solar_flux (bands, detectors)
      quality/                  quality_flags (rows, columns) uint32, flag masks and meanings

Approximated: the image is small (:data:`ROWS` x :data:`COLUMNS` instead of ~4090 x 4865), the
tie-point grid subsamples both axes by :data:`TIE_STEP` (the real one keeps every row and every
64th column), the instrument tables hold :data:`DETECTORS` detectors (not 3700), only the
``land``/``bright``/``invalid`` flags are set, and the radiance is a smooth synthetic scene (a
land/sea pattern and clouds, the band's solar flux and the sun's elevation), not the SAFE
writer's synthetic Earth. The product-name field after the orbit (``T<nnn>``) is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._eopf_tree import Tree, lonlat_grid, random_for, stac_discovery
from .sentinel3 import FLAG_MEANINGS, SCALE_FACTORS, SOLAR_FLUX, WAVELENGTHS

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["BANDS", "COLUMNS", "ROWS", "build_efr", "expected_dn"]

ROWS, COLUMNS = 96, 72
TIE_STEP = 16
DETECTORS = 8
BANDS = tuple(f"oa{i:02d}" for i in range(1, 22))
FILL = 65535
_IMAGE = ["rows", "columns"]
_TIE = ["tp_rows", "tp_columns"]
_FLAGS = FLAG_MEANINGS.split()


def _index(band: str) -> int:
    return BANDS.index(band)


def _scene(entry: Entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(land mask, cloud fraction, sun zenith) per image pixel, deterministic per product."""
    lon, lat = lonlat_grid(entry, ROWS, COLUMNS)
    land = np.sin(np.radians(lon) * 40) + np.cos(np.radians(lat) * 55) > 0.2
    rng = random_for(entry, "clouds")
    field = rng.random((ROWS // 8 + 1, COLUMNS // 8 + 1))
    cloud = np.kron(field, np.ones((8, 8)))[:ROWS, :COLUMNS]
    cloud = np.clip((cloud - 0.6) * 2.5, 0, 1)
    sza = np.clip(np.abs(lat) * 0.8 + 20 + np.arange(ROWS)[:, None] * 0.01, 0, 85)
    return land, cloud, sza


def expected_dn(entry: Entry, band: str) -> np.ndarray:
    """The stored counts of ``band`` (``oa01``..``oa21``) over the whole image."""
    i = _index(band)
    land, cloud, sza = _scene(entry)
    wavelength = WAVELENGTHS[i][0]
    surface = np.where(land, 0.05 + 0.3 * (wavelength > 700), 0.02 * (wavelength < 600) + 0.005)
    reflectance = surface * (1 - cloud) + 0.7 * cloud
    radiance = SOLAR_FLUX[i] * reflectance * np.cos(np.radians(sza)) / np.pi
    dn = np.clip(np.round(radiance / SCALE_FACTORS[i]), 0, FILL - 1).astype(np.uint16)
    dn[:, :2] = FILL  # the first columns lie outside the instrument's swath here: no data
    return dn


def expected_flags(entry: Entry) -> np.ndarray:
    land, cloud, _ = _scene(entry)
    bit = {name: 1 << k for k, name in enumerate(_FLAGS)}
    flags = np.where(land, bit["land"], 0) | np.where(cloud > 0.5, bit["bright"], 0)
    flags = flags.astype(np.uint32)
    flags[:, :2] |= bit["invalid"]
    return flags


def build_efr(entry: Entry) -> dict[str, bytes]:
    """The files of an EOPF OLCI EFR product (paths relative to the ``<Name>.zarr`` folder)."""
    tree = Tree()
    tree.root.attrs.update(_root_attributes(entry))
    _measurements(tree, entry)
    _conditions(tree, entry)
    land = expected_flags(entry)
    meanings = " ".join(_FLAGS)
    masks = [1 << k for k in range(len(_FLAGS))]
    tree.array(
        "quality/quality_flags",
        land,
        _IMAGE,
        {
            "flag_masks": masks,
            "flag_meanings": meanings,
            "long_name": "Classification and quality flags",
        },
        coordinates=["latitude", "longitude"],
    )
    return tree.files()


def _measurements(tree: Tree, entry: Entry) -> None:
    coords = ["time_stamp", "latitude", "longitude"]
    for i, band in enumerate(BANDS):
        tree.array(
            f"measurements/{band}_radiance",
            expected_dn(entry, band),
            _IMAGE,
            {
                "add_offset": 0.0,
                "long_name": f"TOA radiance for OLCI acquisition band {band}",
                "scale_factor": SCALE_FACTORS[i],
                "standard_name": "toa_upwelling_spectral_radiance",
                "units": "mW.m-2.sr-1.nm-1",
                "valid_max": FILL - 1,
                "valid_min": 0,
            },
            coordinates=coords,
            fill=np.uint16(FILL),
            chunks=(ROWS // 2, COLUMNS),
        )
    lon, lat = lonlat_grid(entry, ROWS, COLUMNS)
    micro = {"scale_factor": 1e-6, "add_offset": 0.0}
    int_fill = np.int32(-2147483648)
    tree.array(
        "measurements/latitude",
        np.round(lat * 1e6).astype(np.int32),
        _IMAGE,
        {
            **micro,
            "long_name": "DEM corrected latitude",
            "standard_name": "latitude",
            "units": "degrees_north",
        },
        fill=int_fill,
    )
    tree.array(
        "measurements/longitude",
        np.round(lon * 1e6).astype(np.int32),
        _IMAGE,
        {
            **micro,
            "long_name": "DEM corrected longitude",
            "standard_name": "longitude",
            "units": "degrees_east",
        },
        fill=int_fill,
    )
    land, _, _ = _scene(entry)
    altitude = np.where(land, 50 + (np.abs(lat * 1000) % 400), 0).astype(np.int16)
    tree.array(
        "measurements/altitude",
        altitude,
        _IMAGE,
        {"long_name": "DEM corrected altitude", "standard_name": "altitude", "units": "m"},
        coordinates=["latitude", "longitude"],
        fill=np.int16(-32768),
    )
    epoch = np.datetime64("2000-01-01T00:00:00", "us")
    start = np.datetime64(entry.start.replace(tzinfo=None), "us")
    line = np.timedelta64(44_000, "us")  # OLCI's frame period, ~44 ms
    stamps = ((start - epoch) + np.arange(ROWS) * line).astype(np.int64)
    tree.array(
        "measurements/time_stamp",
        stamps,
        ["rows"],
        {
            "long_name": "Time stamp",
            "standard_name": "time",
            "units": "microseconds since 2000-01-01 00:00:00",
        },
    )


def _conditions(tree: Tree, entry: Entry) -> None:
    tp_rows, tp_cols = ROWS // TIE_STEP + 1, COLUMNS // TIE_STEP + 1
    lon, lat = lonlat_grid(entry, tp_rows, tp_cols)
    _, _, sza_image = _scene(entry)
    sza = sza_image[::TIE_STEP, ::TIE_STEP][:tp_rows, :tp_cols]
    sza = np.pad(sza, ((0, tp_rows - sza.shape[0]), (0, tp_cols - sza.shape[1])), mode="edge")
    deg = {"scale_factor": 1e-6, "add_offset": 0.0, "units": "degrees"}
    angles = {
        "sza": sza,
        "saa": np.full((tp_rows, tp_cols), 140.0) + lon * 0.01,
        "oza": np.abs(np.linspace(-40, 20, tp_cols))[None, :].repeat(tp_rows, 0),
        "oaa": np.where(np.arange(tp_cols) < tp_cols // 3, 100.0, 280.0)[None, :].repeat(
            tp_rows, 0
        ),
    }
    names = {
        "sza": "Sun zenith angle",
        "saa": "Sun azimuth angle",
        "oza": "Viewing zenith angle",
        "oaa": "Viewing azimuth angle",
    }
    for name, values in angles.items():
        tree.array(
            f"conditions/geometry/{name}",
            np.round(values * 1e6).astype(np.uint32),
            _TIE,
            {**deg, "long_name": names[name]},
            coordinates=["latitude", "longitude"],
        )
    for name, values, units in (
        ("latitude", lat, "degrees_north"),
        ("longitude", lon, "degrees_east"),
    ):
        tree.array(
            f"conditions/geometry/{name}",
            np.round(values * 1e6).astype(np.int32),
            _TIE,
            {"scale_factor": 1e-6, "add_offset": 0.0, "standard_name": name, "units": units},
        )
    rng = random_for(entry, "meteorology")
    levels = np.array([1000, 925, 850, 700, 500, 300, 200, 100], dtype=np.float32)
    surface_t = 300 - np.abs(lat) * 0.6 + rng.normal(0, 0.5, lat.shape)
    profile = surface_t[..., None] - 6.5 * 7.0 * np.log(1000 / levels)  # a standard lapse
    meteo = "conditions/meteorology"
    tree.array(f"{meteo}/pressure_level", levels, ["pressure_level"], {"units": "hPa"})
    tree.array(
        f"{meteo}/atmospheric_temperature_profile",
        profile.astype(np.float32),
        [*_TIE, "pressure_level"],
        {"long_name": "Atmospheric temperature profile", "units": "K"},
        coordinates=["pressure_level"],
    )
    for name, value, units in (
        ("sea_level_pressure", 1013.0, "hPa"),
        ("total_ozone", 0.0068, "kg.m-2"),
        ("total_columnar_water_vapour", 18.0, "kg.m-2"),
    ):
        field = (value * (1 + rng.normal(0, 0.01, lat.shape))).astype(np.float32)
        tree.array(f"{meteo}/{name}", field, _TIE, {"units": units})
    detector = (np.arange(COLUMNS) * DETECTORS // COLUMNS).astype(np.int16)
    tree.array(
        "conditions/image/detector_index",
        np.broadcast_to(detector, (ROWS, COLUMNS)).copy(),
        _IMAGE,
        {"long_name": "Detector index"},
        fill=np.int16(-1),
    )
    tree.array(
        "conditions/image/frame_offset",
        np.zeros((ROWS, COLUMNS), np.int8),
        _IMAGE,
        {"long_name": "Re-sampling along-track frame offset"},
    )
    band_dims = ["bands", "detectors"]
    centre = np.array([w for w, _ in WAVELENGTHS], dtype=np.float32)
    width = np.array([b for _, b in WAVELENGTHS], dtype=np.float32)
    shift = np.linspace(-0.3, 0.3, DETECTORS, dtype=np.float32)
    instrument = "conditions/instrument"
    tree.array(f"{instrument}/lambda0", centre[:, None] + shift, band_dims, {"units": "nm"})
    tree.array(
        f"{instrument}/fwhm", np.repeat(width[:, None], DETECTORS, 1), band_dims, {"units": "nm"}
    )
    flux = np.repeat(np.asarray(SOLAR_FLUX, dtype=np.float32)[:, None], DETECTORS, 1)
    tree.array(f"{instrument}/solar_flux", flux, band_dims, {"units": "mW.m-2.nm-1"})


def _root_attributes(entry: Entry) -> dict:
    attrs = {name: value for name, _, value in entry.attributes}
    unit = str(attrs.get("platformSerialIdentifier", "A")).lower()
    bands = {
        f"Oa{i + 1:02d}": {"central_wavelength": w, "bandwidth": b, "units": "nm"}
        for i, (w, b) in enumerate(WAVELENGTHS)
    }
    properties = {
        "constellation": "sentinel-3",
        "eo:cloud_cover": attrs.get("cloudCover"),
        "eopf:baseline": attrs.get("processorVersion"),
        "eopf:timeline": attrs.get("timeliness"),
        "instrument": "olci",
        "platform": f"sentinel-3{unit}",
        "processing:level": "L1",
        "product:type": "S03OLCEFR",
        "sat:absolute_orbit": attrs.get("orbitNumber"),
        "sat:orbit_state": str(attrs.get("orbitDirection", "descending")).lower(),
        "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
    }
    return {
        "other_metadata": {
            "band_description": bands,
            "eopf_category": "eoproduct",
            "legacy_name": entry.extra.get("legacy_name"),
            "product_quality_status": "PASSED",
        },
        "stac_discovery": stac_discovery(
            entry, properties, ("https://stac-extensions.github.io/eo/v1.1.0/schema.json",)
        ),
    }


FAMILY_BUILDERS = {"eopf_s3_olci_efr": Builder(build_efr)}
