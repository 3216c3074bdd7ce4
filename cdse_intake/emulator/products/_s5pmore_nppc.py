"""Sentinel-5P NPP-VIIRS cloud files (``L2__NP_BD3``, ``L2__NP_BD6``, ``L2__NP_BD7``).

Real (the ``S5P_OFFL_L2__NP_BD3_…nc`` sample in ``reference/samples/products/sentinel-5p``): the
data group ``BAND<n>_NPPC/STANDARD_MODE`` with the dimensions time (1), scanline, ground_pixel,
ncorner (4) and scaled_field_of_view (4), none with a coordinate variable; the global
attributes, ``ALGORITHM_SETTINGS`` keys (Number_of_scaled_FOV, Scaled_FOV, VIIRS_Bands "7; 9;
11; ", S5P_L1B_file, S5P_Band_Number…), ``GRANULE_DESCRIPTION`` and the ``QA_STATISTICS``
counts. The sample's variables were stripped; their names come from its ``QA_STATISTICS``
histograms (``vcm_confidently_cloudy``, ``vcm_probably_cloudy``, ``vcm_probably_clear``,
``vcm_confidently_clear`` per scaled field of view over a cloud-fraction axis; ``band07_srf_mean``,
``band07_srf_coverage``, ``band07_fov_mean``/``_stdev``/``_nvalid`` and the same for bands 09 and
11; ``viirs_delta_time``, ``viirs_viewing_zenith_angle``). Inferred: the subgroups ``GEODATA``
(latitude, longitude, their bounds over ``ncorner``, delta_time, as in the L1B files the product
is collocated with) and ``OBSERVATIONS`` (the VIIRS statistics), their dtypes and units, and
that bands 6 and 7 use the same VIIRS bands as band 3.

Grid: the L1B band's (:func:`._s5pmore_l1b.l1b_grid`). Values: the VIIRS cloud mask fractions
from the scene's cloud field (ramped as the L2 cloud fraction; larger fields of view a little
closer to half cloudy), sun-normalised radiances of the cloudy and clear parts (land brighter
than sea at M07 and M11, clouds only at the M09 cirrus band), fill where the sun is below the
horizon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import scene
from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s5p_grid import FILL_FLOAT
from ._s5p_pixels import CLOUD_RAMP
from ._s5pmore_geo import Grid, grid
from ._s5pmore_l1b import SCANLINES, pixels_of
from ._s5pmore_meta import Identity, global_attributes, metadata

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FOV_SCALES", "VCM_CLASSES", "VIIRS_BANDS", "build_nppc", "expected_nppc"]

FOV_SCALES = (1.0, 1.1, 1.5, 2.0)
VIIRS_BANDS = (7, 9, 11)
VCM_CLASSES = ("confidently_cloudy", "probably_cloudy", "probably_clear", "confidently_clear")
#: VIIRS M-band pixels (750 m) in a TROPOMI pixel of the nominal field of view.
PIXELS_PER_FOV = 34
FILL_INT32 = np.int32(-2147483647)


def band_of(entry: Entry) -> int:
    kind = entry.product_type
    if kind not in ("L2__NP_BD3", "L2__NP_BD6", "L2__NP_BD7"):
        raise ValueError(f"{entry.name}: not an NPP-VIIRS cloud product type: {kind!r}")
    return int(kind[-1])


def expected_nppc(entry: Entry) -> dict[str, np.ndarray]:
    """The file's ``OBSERVATIONS`` variables, float32 (``*_fov_nvalid`` int32), each
    ``(scanline, ground_pixel[, scaled_field_of_view])``, NaN where the sun is down."""
    g = grid(entry, SCANLINES, pixels_of(band_of(entry)))
    lon, lat = g.lon.astype(np.float64), g.lat.astype(np.float64)
    clear, overcast = CLOUD_RAMP
    cloud = np.clip((scene.cloud_field(lon, lat, entry.start) - clear) / (overcast - clear), 0, 1)
    land = scene.land_fraction(lon, lat)
    night = g.solar_zenith >= 90.0
    spread = np.array([0.0, 0.03, 0.1, 0.2])
    fov = cloud[..., None] + spread * (0.5 - cloud[..., None])
    out: dict[str, np.ndarray] = {
        "vcm_confidently_cloudy": 0.8 * fov,
        "vcm_probably_cloudy": 0.2 * fov,
        "vcm_probably_clear": 0.2 * (1.0 - fov),
        "vcm_confidently_clear": 0.8 * (1.0 - fov),
    }
    clear_part = {7: 0.03 + 0.27 * land, 9: np.full(land.shape, 0.005), 11: 0.01 + 0.2 * land}
    cloudy_part = {7: 0.7, 9: 0.35, 11: 0.45}
    counts = np.round(PIXELS_PER_FOV * np.square(FOV_SCALES)).astype(np.int32)
    for band in VIIRS_BANDS:
        mean = cloud * cloudy_part[band] + (1.0 - cloud) * clear_part[band]
        mean = np.where(night, np.nan, mean)
        key = f"band{band:02d}"
        out[f"{key}_srf_mean"] = mean
        out[f"{key}_srf_coverage"] = np.where(night, np.nan, 0.98)
        out[f"{key}_fov_mean"] = mean[..., None] + spread * 0.1 * (0.5 - mean[..., None])
        out[f"{key}_fov_stdev"] = np.broadcast_to(
            (0.02 + 0.3 * cloud * (1.0 - cloud))[..., None] * (1.0 + spread), fov.shape
        )
        out[f"{key}_fov_stdev"] = np.where(night[..., None], np.nan, out[f"{key}_fov_stdev"])
        out[f"{key}_fov_nvalid"] = np.where(night[..., None], 0, counts).astype(np.int32)
    out["viirs_delta_time"] = np.full(cloud.shape, 215.0)
    out["viirs_viewing_zenith_angle"] = np.broadcast_to(
        np.abs(np.linspace(-56.0, 56.0, cloud.shape[1])), cloud.shape
    )
    return {k: v if v.dtype == np.int32 else np.asarray(v, np.float32) for k, v in out.items()}


_UNITS = {"viirs_delta_time": "s", "viirs_viewing_zenith_angle": "degrees"}


def _long_name(name: str) -> str:
    if name.startswith("vcm_"):
        kind = name[4:].upper()
        return f"Fraction of VIIRS pixels classified as {kind} in each S5P scaled field-of-view"
    if name.startswith("band"):
        band, what = name[4:6], name[7:]
        return {
            "srf_mean": f"Mean of valid VIIRS band M{band} sun-normalised radiances weighted by "
            "the S5P spatial response function",
            "srf_coverage": f"Fractional energy of SRF covered by valid VIIRS band M{band} "
            "radiances",
            "fov_mean": f"Mean of valid VIIRS band M{band} sun-normalised radiances in each S5P "
            "scaled field-of-view",
            "fov_stdev": f"Standard deviation of valid VIIRS band M{band} sun-normalised "
            "radiances in each S5P scaled field-of-view",
            "fov_nvalid": f"Number of valid VIIRS band M{band} pixels in each S5P scaled "
            "field-of-view",
        }[what]
    return {
        "viirs_delta_time": "Time difference from S5P observation",
        "viirs_viewing_zenith_angle": "VIIRS viewing zenith angle",
    }[name]


def build_nppc(entry: Entry) -> bytes:
    """The netCDF bytes of an NPP-VIIRS cloud product."""
    band = band_of(entry)
    title = "TROPOMI/S5P VIIRS/NPP Cloud product"
    who = Identity(entry, title, "RAL", "2")
    g = grid(entry, SCANLINES, pixels_of(band))
    values = expected_nppc(entry)

    def write(nc: NcGroup) -> None:
        attrs = global_attributes(
            who,
            "Information related to cloud derived for each TROPOMI/S5P field-of-view from "
            "VIIRS/NPP data",
            "Sentinel-5 Precursor NPP-Cloud Processor ATBD; Source: RAL; "
            "ref: S5P-NPPC-RAL-ATBD-0001",
        )
        for key, value in attrs.items():
            nc.attrs[key] = value
        mode = nc.create_group(f"BAND{band}_NPPC").create_group("STANDARD_MODE")
        mode.dimensions = {
            "time": 1,
            "scanline": g.lat.shape[0],
            "ground_pixel": g.lat.shape[1],
            "ncorner": 4,
            "scaled_field_of_view": len(FOV_SCALES),
        }
        _geodata(mode.create_group("GEODATA"), g, who)
        _observations(mode.create_group("OBSERVATIONS"), values, f"BAND{band}_NPPC/STANDARD_MODE")
        pixels = np.array([g.lat.size], np.int32)
        day = np.array([int((values["band07_fov_nvalid"][..., 0] > 0).sum())], np.int32)
        counts = {
            "number_of_S5P_groundpixels": pixels,
            "number_of_S5P_groundpixels_with_VIIRS_geolocation": pixels,
            "number_of_S5P_groundpixels_with_VCM": pixels,
        }
        for viirs in VIIRS_BANDS:
            counts[f"number_of_S5P_groundpixels_with_VIIRS_band{viirs:02d}"] = day
        metadata(nc.create_group("METADATA"), who, "S5P_NPPC", _settings(who, band), counts)

    return netcdf_bytes(write)


def _settings(who: Identity, band: int) -> dict[str, str]:
    scaled = "".join(
        f"Fov {k}: ymin = -{s:g}, ymax = {s:g}, zmin = -{s:g}, zmax = {s:g} ; "
        for k, s in enumerate(FOV_SCALES, start=1)
    )
    l1b = who.stem.replace("L2__NP_BD", "L1B_RA_BD")
    return {
        "Number_of_scaled_FOV": str(len(FOV_SCALES)),
        "Scaled_FOV": scaled,
        "Number_of_VIIRS_Bands": str(len(VIIRS_BANDS)),
        "VIIRS_Bands": "".join(f"{b}; " for b in VIIRS_BANDS),
        "S5P_L1B_file": f"{l1b}.nc",
        "Output_file": f"{who.stem}.nc",
        "S5P_Band_Number": str(band),
    }


def _geodata(geo: NcGroup, g: Grid, who: Identity) -> None:
    dims3 = ("time", "scanline", "ground_pixel")
    variable(geo, "delta_time", ("time", "scanline"), g.delta_ms[None], np.int32,
             units=f"milliseconds since {who.day:%Y-%m-%d} 00:00:00",
             long_name="offset of start time of measurement relative to time_reference",
             )  # fmt: skip
    for name, data, units in (("latitude", g.lat, "degrees_north"),
                              ("longitude", g.lon, "degrees_east")):  # fmt: skip
        variable(geo, name, dims3, data[None], np.float32, fill=FILL_FLOAT, units=units,
                 standard_name=name, long_name=f"pixel center {name}",
                 bounds=f"{name}_bounds")  # fmt: skip
    for name, data in (("latitude_bounds", g.lat_bounds), ("longitude_bounds", g.lon_bounds)):
        variable(geo, name, (*dims3, "ncorner"), data[None], np.float32, fill=FILL_FLOAT)


def _observations(obs: NcGroup, values: dict[str, np.ndarray], path: str) -> None:
    for name, data in values.items():
        dims = ("time", "scanline", "ground_pixel")
        if data.ndim == 3:
            dims = (*dims, "scaled_field_of_view")
        integer = data.dtype == np.int32
        fill = FILL_INT32 if integer else FILL_FLOAT
        stored = data if integer else np.where(np.isnan(data), FILL_FLOAT, data)
        variable(obs, name, dims, stored[None], data.dtype, fill=fill,
                 units=_UNITS.get(name, "1"), long_name=_long_name(name),
                 coordinates=f"/{path}/GEODATA/longitude /{path}/GEODATA/latitude")  # fmt: skip
