"""Envisat MERIS Level-1b products (MER_FRS_1P, MER_RR__1P): one ENVISAT-format ``.N1`` file.

Real (ESA's ENVISAT product format, as GDAL's ESAT driver and BEAM read it; a real MER_RR__1P
DSD list and a real MERIS SPH seen in BEAM's tests): the 1247-byte MPH, the SPH with its DSDs
(30 for a Level-1b: Quality ADS, Scaling Factor GADS, Tie points ADS, Radiance MDS(1)..(15),
Flags MDS(16), the references to the auxiliary files (type ``R``) and one blank spare), then
the data sets at the offsets the DSDs give, big-endian:

- every ADS/MDS record starts with its time (MJD2000: int32 days, uint32 seconds, uint32
  microseconds) and a one-byte attachment/quality flag;
- Radiance MDS(b): uint16 counts per pixel, radiance ``count * SCALING_FACTOR_RAD[b]``
  (mW m-2 sr-1 nm-1) from the Scaling Factor GADS (GDAL's record layout);
- Flags MDS(16): three bytes a pixel: the L1b flags (bit 4 LAND_OCEAN, bit 5 BRIGHT) and the
  int16 detector index;
- Tie points ADS: a record every ``LINES_PER_TIE_PT`` lines, ``ceil(LINE_LENGTH /
  SAMPLES_PER_TIE_PT)`` points each, 50 bytes a point: latitude, longitude (int32 1e-6 deg),
  DEM altitude, roughness, latitude and longitude DEM corrections, sun zenith (uint32 1e-6 deg)
  and azimuth, view zenith and azimuth, zonal and meridional wind (int16), pressure, ozone and
  relative humidity (uint16, scaled by the GADS factors).

Reduced (inferred): a child product of 129 x 129 (FRS) or 81 x 81 (RR) pixels around the site
instead of the full 4481/1121-column swath, so ``LINE_LENGTH`` is the window's width and the
sensing times those of its lines; spare line lengths; auxiliary file names; the GADS values
other than the scaling factors. Values: :mod:`._envisat_pixels`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._envisat_headers import DSD_SIZE, MPH_SIZE, Dsd, dsd_block, envisat_time, mph, signed
from ._envisat_pixels import BANDWIDTHS, GRIDS, HEADING, RAD_SCALE, WAVELENGTHS, Grid, lonlat
from ._envisat_pixels import look as pixels

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "GADS_FACTORS", "build_meris", "mjd2000", "tie_points"]

MJD2000 = datetime(2000, 1, 1, tzinfo=UTC)
#: Scaling Factor GADS: altitude, roughness, zonal and meridional wind, pressure, ozone,
#: relative humidity (inferred values).
GADS_FACTORS = (1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.1)
_TIE_FIELDS = (
    ("latitude", ">i4"),
    ("longitude", ">i4"),
    ("dem_alt", ">i4"),
    ("dem_rough", ">u4"),
    ("lat_corr", ">i4"),
    ("lon_corr", ">i4"),
    ("sun_zenith", ">u4"),
    ("sun_azimuth", ">i4"),
    ("view_zenith", ">u4"),
    ("view_azimuth", ">i4"),
    ("zonal_wind", ">i2"),
    ("merid_wind", ">i2"),
    ("atm_press", ">u2"),
    ("ozone", ">u2"),
    ("rel_hum", ">u2"),
)


def mjd2000(when: datetime) -> bytes:
    """The 12-byte ENVISAT time: days, seconds and microseconds since 2000-01-01 UTC."""
    delta = when - MJD2000
    return np.array([delta.days, delta.seconds, delta.microseconds], ">i4").tobytes()


def _records(times: list[datetime], payload: np.ndarray) -> bytes:
    """Records of ``payload`` rows (uint8), each prefixed by its time and a zero flag byte."""
    prefix = np.frombuffer(b"".join(mjd2000(t) + b"\x00" for t in times), np.uint8)
    return np.hstack([prefix.reshape(len(times), 13), payload]).tobytes()


def tie_points(entry: Entry, grid: Grid) -> dict[str, np.ndarray]:
    """The tie point grids (physical units: degrees, m, m/s, hPa, DU, %), ``(tie line, tie
    sample)``, as the Tie points ADS stores them (before scaling)."""
    from .. import scene
    from ..scene.climate import sun_position

    step = grid.tie_step
    rows = np.arange(0, grid.lines, step)[:, None]
    cols = np.arange(0, math.ceil(grid.samples / step) * step, step)[None, :]
    lon, lat = lonlat(entry.extra["lon"], entry.extra["lat"], grid, rows, cols)
    lon, lat = np.broadcast_arrays(lon, lat)
    when = entry.start.replace(tzinfo=None)
    times = np.array(
        [when + timedelta(microseconds=int(r) * grid.line_interval_us) for r in rows[:, 0]]
    )
    sun_zenith = np.empty(lon.shape)
    sun_azimuth = np.empty(lon.shape)
    for i, t in enumerate(times):
        sun_zenith[i], sun_azimuth[i] = sun_position(lon[i], lat[i], t)
    across_km = (np.broadcast_to(cols, lon.shape) - (grid.samples - 1) / 2) * grid.spacing / 1e3
    view_zenith = np.degrees(np.arctan(np.abs(across_km) / 800.0))
    view_azimuth = np.where(across_km >= 0, HEADING - 90.0, HEADING + 90.0) % 360.0
    land = scene.is_land(lon, lat)
    season = math.cos(2 * math.pi * (when.timetuple().tm_yday - 80) / 365.25)
    return {
        "latitude": lat,
        "longitude": lon,
        "dem_alt": np.where(land, 250.0, 0.0),
        "dem_rough": np.zeros(lon.shape),
        "lat_corr": np.zeros(lon.shape),
        "lon_corr": np.zeros(lon.shape),
        "sun_zenith": sun_zenith,
        "sun_azimuth": sun_azimuth,
        "view_zenith": view_zenith,
        "view_azimuth": view_azimuth,
        "zonal_wind": 8.0 * np.sin(np.radians(2 * lat)) + np.zeros(lon.shape),
        "merid_wind": 2.0 * np.cos(np.radians(lon)) + np.zeros(lon.shape),
        "atm_press": np.where(land, 985.0, 1013.0),
        "ozone": 300.0 + 0.9 * np.abs(lat) + 20 * season * np.sign(lat),
        "rel_hum": 60.0 + 20.0 * np.cos(np.radians(lat)) * np.where(land, 0.6, 1.0),
    }


def _tie_payload(ties: dict[str, np.ndarray]) -> np.ndarray:
    """Tie point records without their prefix, uint8 ``(record, bytes)``."""
    angle = 1e6  # 1e-6 degrees
    names = ("zonal_wind", "merid_wind", "atm_press", "ozone", "rel_hum")
    gads = dict(zip(names, GADS_FACTORS[2:], strict=True))
    scale = {"dem_alt": 1.0, "dem_rough": 1.0} | {k: 1 / v for k, v in gads.items()}
    parts = []
    for name, dtype in _TIE_FIELDS:
        factor = scale.get(name, angle)
        parts.append(np.rint(ties[name] * factor).astype(dtype).view(np.uint8))
    n = ties["latitude"].shape[0]
    return np.hstack([p.reshape(n, -1) for p in parts])


def build_meris(entry: Entry) -> dict[str, bytes]:
    """The product's single ``.N1`` file, keyed by the product name."""
    if entry.product_type not in GRIDS or not entry.name.endswith(".N1"):
        raise ValueError(
            f"MERIS Level-1b .N1 product expected (MER_FRS_1P, MER_RR__1P), got {entry.name!r}"
        )
    grid = GRIDS[entry.product_type]
    start = entry.start
    view = pixels(entry.name, entry.product_type, entry.extra["lon"], entry.extra["lat"], start)
    times = list(view.line_times)
    ties = tie_points(entry, grid)
    tie_times = times[:: grid.tie_step]
    width = grid.samples

    quality_times = times[::128]
    quality = _records(quality_times, np.zeros((len(quality_times), 20), np.uint8))
    gads = np.array([*GADS_FACTORS, *RAD_SCALE], ">f4").tobytes()
    gads += bytes(80) + np.array([1], ">u4").tobytes()  # gain settings, sampling rate
    gads += np.array([1713.7] * 15, ">f4").tobytes() + bytes(60)  # solar flux, spare
    tie = _records(tie_times, _tie_payload(ties))
    bands = [_records(times, view.counts[b].astype(">u2").view(np.uint8)) for b in range(15)]
    flags = (view.land.astype(np.uint8) << 4) | (view.cloud.astype(np.uint8) << 5)
    first_detector = (grid.full_width - width) // 2
    detector = (first_detector + np.arange(width)).astype(">i2").view(np.uint8).reshape(width, 2)
    pixel = np.concatenate(
        [flags[..., None], np.broadcast_to(detector, (*flags.shape, 2))], axis=-1
    )
    flag_records = _records(times, pixel.reshape(len(times), 3 * width))

    data = [
        ("Quality ADS", "A", quality, len(quality_times)),
        ("Scaling Factor GADS", "G", gads, 1),
        ("Tie points ADS", "A", tie, len(tie_times)),
        *((f"Radiance MDS({b + 1})", "M", bands[b], len(times)) for b in range(15)),
        ("Flags MDS(16)", "M", flag_records, len(times)),
    ]
    refs = _references(entry, start)
    num_dsd = len(data) + len(refs) + 1
    sph_text = _sph(entry, grid, ties, times)
    offset = MPH_SIZE + len(sph_text) + num_dsd * DSD_SIZE
    dsds = []
    for name, kind, blob, count in data:
        dsds.append(Dsd(name, kind, offset, len(blob), count, len(blob) // count))
        offset += len(blob)
    dsds += [Dsd(name, "R", filename=file) for name, file in refs]
    header = (sph_text + dsd_block(dsds)).encode("ascii")
    main = mph(_mph_fields(entry, times, offset, len(header), num_dsd, len(data)))
    return {entry.name: main + header + b"".join(blob for _, _, blob, _ in data)}


def _references(entry: Entry, start: datetime) -> list[tuple[str, str]]:
    """The auxiliary files a Level-1b product names (DS_TYPE R); names inferred."""
    day = f"{start:%Y%m%d}"
    level0 = entry.name.replace("_1P", "_0P", 1)[:62]
    return [
        ("MERIS_SOURCE_PACKETS", level0),
        ("INSTRUMENT_DATA_FILE", f"MER_INS_AXVIEC{day}_000000_20020321_193100_20120321_193100"),
        (
            "PROCESSING_PARAMS_L1B_FILE",
            f"MER_CP1_AXVIEC{day}_000000_20020321_193100_20120321_193100",
        ),
        (
            "RADIOMETRIC_CALIBRATION_FILE",
            f"MER_RAC_AXVIEC{day}_000000_20020321_193100_20120321_193100",
        ),
        (
            "DIGITAL_ELEVATION_MODEL_FILE",
            "AUX_DEM_AXVIEC20031201_000000_20031201_000000_20200101_000000",
        ),
        (
            "DIGITAL_ROUGHNESS_MODEL_FILE",
            "MER_DRM_AXVIEC20020122_083343_20020101_000000_20200101_000000",
        ),
        (
            "LAND_SEA_MASK_DATA_FILE",
            "AUX_LSM_AXVIEC20020123_141228_20020101_000000_20200101_000000",
        ),
        ("ECMWF_DATA_FILE", f"AUX_ECF_AXNECM{day}_000000_{day}_000000_{day}_120000"),
        ("ORBIT_STATE_VECTOR_FILE", f"DOR_NAV_0PNPDK{day}_000000_000060562047_00000_00000_0000.N1"),
        ("ATTITUDE_DATA_FILE", "AUX_ATT_AXVIEC20020924_131534_20020703_120000_20781231_235959"),
    ]


def _corner(ties: dict[str, np.ndarray], row: int, col: int) -> tuple[int, int]:
    return round(ties["latitude"][row, col] * 1e6), round(ties["longitude"][row, col] * 1e6)


def _sph(entry: Entry, grid: Grid, ties: dict[str, np.ndarray], times: list[datetime]) -> str:
    """The SPH's own fields (before the DSDs)."""
    lines = [f'SPH_DESCRIPTOR="{entry.product_type + " SPECIFIC HEADER":<28}"']
    lines += ["STRIPLINE_CONTINUITY_INDICATOR=+000", "SLICE_POSITION=+001", "NUM_SLICES=+001"]
    lines += [f'FIRST_LINE_TIME="{envisat_time(times[0])}"']
    lines += [f'LAST_LINE_TIME="{envisat_time(times[-1])}"']
    last_row, mid_col = ties["latitude"].shape[0] - 1, ties["latitude"].shape[1] // 2
    for row_name, row in (("FIRST", 0), ("LAST", last_row)):
        for col_name, col in (("FIRST", 0), ("MID", mid_col), ("LAST", -1)):
            lat, lon = _corner(ties, row, col)
            lines += [f"{row_name}_{col_name}_LAT={signed(lat, 10)}<10-6degN>"]
            lines += [f"{row_name}_{col_name}_LONG={signed(lon, 10)}<10-6degE>"]
    lines += [" " * 40, "TRANS_ERR_FLAG=0", "FORMAT_ERR_FLAG=0", "DATABASE_FLAG=0"]
    lines += ["COARSE_ERR_FLAG=0", "ECMWF_TYPE=1", "NUM_TRANS_ERR=+0000000000"]
    lines += ["NUM_FORMAT_ERR=+0000000000", "TRANS_ERR_THRESH=+0.00000000E+00<%>"]
    lines += ["FORMAT_ERR_THRESH=+0.00000000E+00<%>", " " * 40, "NUM_BANDS=+015"]
    lines += [
        "BAND_WAVELEN=" + "".join(signed(round(w * 1000), 10) for w in WAVELENGTHS) + "<10-3nm>"
    ]
    lines += ["BANDWIDTH=" + "".join(signed(round(w * 1000), 5) for w in BANDWIDTHS) + "<10-3nm>"]
    lines += ["INST_FOV=+0000019151<10-6deg>", "PROC_MODE=0", "OFFSET_COMP=1"]
    lines += [f"LINE_TIME_INTERVAL={signed(grid.line_interval_us, 10)}<10-6s>"]
    lines += [f"LINE_LENGTH={signed(grid.samples, 5)}<samples>"]
    lines += [f"LINES_PER_TIE_PT={signed(grid.tie_step, 3)}"]
    lines += [f"SAMPLES_PER_TIE_PT={signed(grid.tie_step, 3)}"]
    lines += [f"COLUMN_SPACING={grid.spacing:+.8E}<m>", " " * 40]
    return "\n".join(lines) + "\n"


def _mph_fields(
    entry: Entry, times: list[datetime], total: int, sph_size: int, num_dsd: int, data_sets: int
) -> dict[str, str]:
    start, stop = times[0], times[-1]
    orbit = int(entry.attribute("orbitNumber", 0))
    cycle = int(entry.attribute("cycleNumber", 0))
    rel_orbit = int(entry.name.split("_")[-2]) if entry.name.count("_") >= 6 else orbit % 501
    lat, lon = math.radians(entry.extra["lat"]), math.radians(entry.extra["lon"])
    radius = 7_159_500.0  # Envisat's orbit: about 782 km up
    position = [radius * math.cos(lat) * math.cos(lon), radius * math.cos(lat) * math.sin(lon)]
    position.append(radius * math.sin(lat))
    leap = max(d for d in ("1999-01-01", "2006-01-01", "2009-01-01") if d <= f"{start:%Y-%m-%d}")
    return {
        "PRODUCT": f'"{entry.name:<62}"',
        "PROC_STAGE": entry.name[10],
        "REF_DOC": f'"{"PO-RS-MDA-GS-2009_4/C":<23}"',
        "ACQUISITION_STATION": f'"{"PDHS-E":<20}"',
        "PROC_CENTER": f'"{"PDHS-" + entry.name[11]:<6}"',
        "PROC_TIME": f'"{envisat_time(entry.origin)}"',
        "SOFTWARE_VER": f'"{"MERIS/5.05":<14}"',
        "SENSING_START": f'"{envisat_time(start)}"',
        "SENSING_STOP": f'"{envisat_time(stop)}"',
        "PHASE": str(entry.attribute("phaseNumber", 2))[:1],
        "CYCLE": signed(cycle, 3),
        "REL_ORBIT": signed(rel_orbit, 5),
        "ABS_ORBIT": signed(orbit, 5),
        "STATE_VECTOR_TIME": f'"{envisat_time(start - timedelta(minutes=6))}"',
        "DELTA_UT1": "+.000000<s>",
        "X_POSITION": f"{position[0]:+012.3f}<m>",
        "Y_POSITION": f"{position[1]:+012.3f}<m>",
        "Z_POSITION": f"{position[2]:+012.3f}<m>",
        "X_VELOCITY": f"{-1567.0 * math.sin(lat):+012.6f}<m/s>",
        "Y_VELOCITY": f"{1012.0 * math.cos(lon):+012.6f}<m/s>",
        "Z_VELOCITY": f"{-7376.0 * math.cos(lat):+012.6f}<m/s>",
        "VECTOR_SOURCE": '"FP"',
        "UTC_SBT_TIME": f'"{envisat_time(start - timedelta(hours=2))}"',
        "SAT_BINARY_TIME": signed(int(start.timestamp()) % 4_000_000_000, 10),
        "CLOCK_STEP": "+3906249969<ps>",
        "LEAP_UTC": f'"{envisat_time(datetime.fromisoformat(leap))}"',
        "LEAP_SIGN": "+001",
        "LEAP_ERR": "0",
        "PRODUCT_ERR": "0",
        "TOT_SIZE": f"{signed(total, 20)}<bytes>",
        "SPH_SIZE": f"{signed(sph_size, 10)}<bytes>",
        "NUM_DSD": signed(num_dsd, 10),
        "DSD_SIZE": f"{signed(DSD_SIZE, 10)}<bytes>",
        "NUM_DATA_SETS": signed(data_sets, 10),
    }


FAMILY_BUILDERS = {"envisat": Builder(build_meris, single_file=True)}
