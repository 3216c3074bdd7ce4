"""Sentinel-1 Level-2 ocean products (``IW_OCN__2S``, ``EW_OCN__2S``, ``WV_OCN__2S``) in the
SAFE layout::

    <Name>.SAFE/
      manifest.safe
      measurement/s1a-iw-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001.nc
      preview/quick-look.png, preview/map-overlay.kml, preview/product-preview.html

and in wave mode one file per vignette, alternately WV1 and WV2, with the vignette's times::

      measurement/s1a-wv1-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001.nc
      measurement/s1a-wv2-ocn-vv-<start>-<stop>-<orbit>-<datatake>-002.nc ...

Real (ESA's Sentinel-1 product specification, Level-2 OCN): no ``annotation/`` folder; one
netCDF-4 file named after the co-polarisation holding the components as variables with their
prefix, each on its own dimensions: ocean wind ``owi*`` on ``(owiAzSize, owiRaSize)``
(``owiLat``, ``owiLon``, ``owiWindSpeed`` m/s, ``owiWindDirection`` degrees from north,
meteorological, ``owiMask`` 0 sea, 1 land, 2 ice, 4 no data, ``owiIncidenceAngle``,
``owiNrcs``, ``owiHeading``, ``owiInversionQuality``) and radial velocity ``rvl*`` on
``(rvlAzSize, rvlRaSize, rvlSwath)`` (``rvlLat``, ``rvlLon``, ``rvlRadVel`` m/s,
``rvlDcObs``, ``rvlDcGeo`` Hz, ``rvlIncidenceAngle``, ``rvlLandCoverage``). The swell
component (``osw*``) is made for wave mode and stripmap only, so IW and EW products have none.
A wave-mode file holds all three for its vignette, the swell as one cell (``oswAzSize`` =
``oswRaSize`` = 1): ``oswLat``, ``oswLon``, ``oswIncidenceAngle``, ``oswLandFlag``, per
partition (``oswPartitions``) ``oswHs`` m, ``oswWl`` m, ``oswDirmet`` degrees from north, and
the spectrum ``oswPolSpec`` (m^4) on ``(oswAngularBinSize, oswWavenumberBinSize)`` with its axes
``oswPhi`` and ``oswK`` (the names, dimensions and units of the OSW files as IFREMER's tools
read them).

Decimated: :data:`OWI_SHAPE` wind cells (real: ~1 km, ~250 x 170 for IW) and
:data:`RVL_SHAPE` radial-velocity cells per sub-swath; in wave mode the WV SLC's
:data:`.sentinel1_wv.IMAGETTES` vignettes (real ~60 per product) with 2 x 2 wind and radial
velocity cells and a 36 x 30 spectrum (real 72 x 60). Values: the synthetic Earth's sea wind
at the acquisition's hour (the same field the GRD's sea backscatter grows with), a direction
field of its own, masked on land (``owiMask`` 1, ``_FillValue``); radial velocities of a few
tenths of m/s from the wind's along-look component; swell partitions from smooth fields of
their own (:func:`swell`: 1-6 m and 0.3-1.8 m), the spectrum consistent with them, fill values
on land.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from . import Builder
from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s1_common import RADAR_FREQUENCY, SPEED_OF_LIGHT, Facts
from ._s1_l0l2 import FileObject, facts, manifest, mode_of, preview_files
from ._s1_pixels import place
from .sentinel1_wv import IMAGETTES, SAMPLES, VIGNETTE_M, incidence_angle

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "FAMILY_BUILDERS",
    "OWI_SHAPE",
    "PARTITIONS",
    "PHI",
    "RVL_SHAPE",
    "K",
    "Vignette",
    "build",
    "expected_swell",
    "expected_wind",
    "stem",
    "swell",
    "vignettes",
    "wv_stem",
]

#: Wind cells (azimuth, range) and radial-velocity cells (azimuth, range) per sub-swath.
OWI_SHAPE = (40, 32)
RVL_SHAPE = (12, 8)
#: Incidence at near and far range of the whole swath, by mode (degrees).
INCIDENCE = {"IW": (30.7, 46.0), "EW": (18.9, 47.0)}
SWATHS = {"IW": 3, "EW": 5}
FILL = np.float32(-999.0)
#: Wave mode, per vignette: wind cells, radial-velocity cells (one swath), swell partitions, and
#: the spectrum's grid: directions every 10 degrees, log-spaced wavenumbers (wavelengths 800 to
#: 30 m).
WV_OWI_SHAPE = (2, 2)
WV_RVL_SHAPE = (2, 2)
PARTITIONS = 2
PHI = np.arange(0.0, 360.0, 10.0, dtype=np.float32)
K = (2 * np.pi / np.geomspace(800.0, 30.0, 30)).astype(np.float32)


def stem(f: Facts) -> str:
    """``s1a-iw-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001``."""
    return (
        f"{f.mission.lower()}-{mode_of(f).lower()}-ocn-{f.polarisations[0].lower()}-"
        f"{f.start:%Y%m%dt%H%M%S}-{f.stop:%Y%m%dt%H%M%S}-{f.orbit:06d}-{f.datatake:06x}-001"
    )


def _grid(f: Facts, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of cell centres across the footprint, ``shape`` (azimuth, range)."""
    az, ra = shape
    v = (np.arange(az)[:, None] + 0.5) / az
    u = (np.arange(ra)[None, :] + 0.5) / ra
    return place(f.quad, f.ascending, u, v)


def expected_wind(entry: Entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(speed m/s with NaN off the sea, direction degrees, mask) of the OWI grid."""
    f = facts(entry, "OCN")
    return _wind(*_grid(f, OWI_SHAPE), f.start)


def _wind(lon: np.ndarray, lat: np.ndarray, when: Any) -> tuple[Any, Any, Any]:
    """The scene's sea wind at ``when``'s hour (as :mod:`..scene.radar` draws it)."""
    from ..scene import is_land
    from ..scene.climate import epoch_seconds
    from ..scene.noise import fbm, seed_of

    hour = int(epoch_seconds(when) // 3600)
    n = fbm(lon.ravel(), lat.ravel(), seed_of("wind", hour), 360 / 1024, 6).reshape(lon.shape)
    speed = (3.0 + 9.0 * np.clip(2.0 * n - 0.5, 0.0, 1.0)).astype(np.float32)
    turn = fbm(lon.ravel(), lat.ravel(), seed_of("wind-direction", hour), 360 / 256, 3)
    direction = ((200.0 + 240.0 * (turn.reshape(lon.shape) - 0.5)) % 360).astype(np.float32)
    land = is_land(lon.ravel(), lat.ravel()).reshape(lon.shape)
    mask = np.where(land, 1, 0).astype(np.int8)
    speed = np.where(land, np.float32(np.nan), speed)
    return speed, direction, mask


def _owi(
    root: NcGroup, f: Facts, lon: np.ndarray, lat: np.ndarray, incidence: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The wind component on the cells ``lon``, ``lat`` (azimuth, range); (speed, direction)."""
    shape = lon.shape
    speed, direction, mask = _wind(lon, lat, f.start)
    heading = np.float32(-12.0 if f.ascending else -168.0)
    sea = mask == 0
    nrcs = np.where(sea, -23.0 + 12.0 * np.log10(np.where(sea, speed, 6.0) / 6.0), FILL)
    dims = ("owiAzSize", "owiRaSize")
    root.dimensions = dict(zip(dims, shape, strict=True))
    variable(root, "owiLon", dims, lon, "f4", long_name="longitude", units="degrees")
    variable(root, "owiLat", dims, lat, "f4", long_name="latitude", units="degrees")
    variable(root, "owiIncidenceAngle", dims, incidence, "f4", long_name="Incidence angle",
             units="degrees")  # fmt: skip
    variable(root, "owiHeading", dims, np.full(shape, heading), "f4",
             long_name="Platform heading (azimuth from North)", units="degrees")  # fmt: skip
    variable(root, "owiNrcs", dims, nrcs, "f4", fill=FILL,
             long_name="Normalized Radar Cross Section", units="dB")  # fmt: skip
    variable(root, "owiWindSpeed", dims, np.where(sea, speed, FILL), "f4", fill=FILL,
             long_name="SAR Wind speed", units="m/s")  # fmt: skip
    variable(root, "owiWindDirection", dims, np.where(sea, direction, FILL), "f4", fill=FILL,
             long_name="SAR Wind direction (meteorological convention=clockwise direction "
             "from where the wind comes respect to North)", units="degrees")  # fmt: skip
    quality = np.where(sea, np.where(speed > 10.0, 1, 0), 3).astype(np.int8)
    variable(root, "owiInversionQuality", dims, quality, "i1",
             long_name="Inversion quality (0 good, 1 medium, 2 poor, 3 no inversion)")  # fmt: skip
    variable(root, "owiMask", dims, mask, "i1",
             long_name="Mask of the wind field (0 valid, 1 land, 2 ice, 4 no data)")  # fmt: skip
    return speed, direction


def _rvl(
    root: NcGroup,
    f: Facts,
    lon: np.ndarray,
    lat: np.ndarray,
    incidence: np.ndarray,
    doppler_geo: np.ndarray,
) -> None:
    """The radial-velocity component on the cells ``lon``, ``lat`` (azimuth, range, swath)."""
    shape = lon.shape
    speed, direction, mask = _wind(lon, lat, f.start)
    look = -102.0 if f.ascending else 78.0  # right-looking: the look azimuth
    along = np.cos(np.radians(direction - look))
    sea = mask == 0
    velocity = np.where(sea, 0.03 * np.where(sea, speed, 0.0) * along, FILL).astype(np.float32)
    wavelength = SPEED_OF_LIGHT / RADAR_FREQUENCY
    doppler = np.where(
        sea, doppler_geo - 2.0 * velocity * np.sin(np.radians(incidence)) / wavelength, FILL
    )
    dims = ("rvlAzSize", "rvlRaSize", "rvlSwath")
    root.dimensions = dict(zip(dims, shape, strict=True))
    variable(root, "rvlLon", dims, lon, "f4", long_name="longitude", units="degrees")
    variable(root, "rvlLat", dims, lat, "f4", long_name="latitude", units="degrees")
    variable(root, "rvlIncidenceAngle", dims, incidence, "f4", long_name="Incidence angle",
             units="degrees")  # fmt: skip
    variable(root, "rvlDcObs", dims, doppler, "f4", fill=FILL,
             long_name="Observed Doppler centroid frequency", units="Hz")  # fmt: skip
    variable(root, "rvlDcGeo", dims, doppler_geo, "f4",
             long_name="Doppler centroid frequency from geometry", units="Hz")  # fmt: skip
    variable(root, "rvlRadVel", dims, velocity, "f4", fill=FILL,
             long_name="Radial velocity", units="m/s")  # fmt: skip
    variable(root, "rvlLandCoverage", dims, (~sea).astype(np.float32), "f4",
             long_name="Land coverage fraction")  # fmt: skip


def _header(root: NcGroup, f: Facts, swath: str, start: Any, stop: Any, osw: bool) -> None:
    root.attrs["Conventions"] = "CF-1.6"
    root.attrs["missionName"] = f.mission
    root.attrs["polarisation"] = "/".join(f.polarisations)
    root.attrs["productType"] = "OCN"
    root.attrs["swath"] = swath
    root.attrs["firstMeasurementTime"] = f"{start:%Y-%m-%dT%H:%M:%S.%fZ}"
    root.attrs["lastMeasurementTime"] = f"{stop:%Y-%m-%dT%H:%M:%S.%fZ}"
    if osw:
        root.attrs["oswAlgorithmVersion"] = "2.0"
    root.attrs["owiAlgorithmVersion"] = "2.0"
    root.attrs["rvlAlgorithmVersion"] = "2.0"
    root.attrs["IPFversion"] = str(f.entry.attribute("processorVersion", "003.71"))


def netcdf(f: Facts) -> tuple[bytes, np.ndarray]:
    """The measurement file's bytes (IW, EW) and the wind speed it holds."""
    out: dict[str, np.ndarray] = {}
    near, far = INCIDENCE[mode_of(f)]
    swaths = SWATHS[mode_of(f)]
    az, ra = RVL_SHAPE
    lon, lat = _grid(f, (az, ra * swaths))
    shape = (az, ra, swaths)
    rvl_lon = lon.reshape(az, swaths, ra).transpose(0, 2, 1)
    rvl_lat = lat.reshape(az, swaths, ra).transpose(0, 2, 1)
    rvl_incidence = np.broadcast_to(
        np.linspace(near, far, ra * swaths).reshape(swaths, ra).T[None], shape
    )
    doppler_geo = np.broadcast_to(np.linspace(-30.0, 30.0, ra)[None, :, None], shape)

    def write(root: NcGroup) -> None:
        _header(root, f, mode_of(f), f.start, f.stop, osw=False)
        incidence = np.broadcast_to(np.linspace(near, far, OWI_SHAPE[1]), OWI_SHAPE)
        out["speed"], _ = _owi(root, f, *_grid(f, OWI_SHAPE), incidence)
        _rvl(root, f, rvl_lon, rvl_lat, rvl_incidence, doppler_geo)

    return netcdf_bytes(write), out["speed"]


# -- wave mode: one file per vignette ------------------------------------------------------------


@dataclass(frozen=True)
class Vignette:
    """A wave-mode vignette: number, beam, azimuth span (footprint fractions) and times."""

    number: str
    swath: str
    v0: float
    v1: float
    start: datetime
    stop: datetime


def vignettes(entry: Entry) -> list[Vignette]:
    """The vignettes of a WV OCN: those of its WV SLC (:func:`.sentinel1_wv.imagettes`, the same
    count, spacing and times; the OCN has the SLC's footprint and times)."""
    from ._s1_common import haversine

    f = facts(entry, "OCN")
    span = min(VIGNETTE_M / max(haversine(f.quad.sw, f.quad.nw), 1.0), 1.0 / IMAGETTES)
    duration = entry.end - entry.start
    out = []
    for k in range(IMAGETTES):
        v0, v1 = (k + 0.5) / IMAGETTES - span / 2, (k + 0.5) / IMAGETTES + span / 2
        swath = "WV1" if k % 2 == 0 else "WV2"
        times = (entry.start + duration * v0, entry.start + duration * v1)
        out.append(Vignette(f"{k + 1:03d}", swath, v0, v1, *times))
    return out


def wv_stem(f: Facts, vig: Vignette) -> str:
    """``s1a-wv1-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001`` (the vignette's times)."""
    return (
        f"{f.mission.lower()}-{vig.swath.lower()}-ocn-{f.polarisations[0].lower()}-"
        f"{vig.start:%Y%m%dt%H%M%S}-{vig.stop:%Y%m%dt%H%M%S}-{f.orbit:06d}-{f.datatake:06x}-"
        f"{vig.number}"
    )


def _cells(f: Facts, vig: Vignette, shape: tuple[int, int]) -> tuple[Any, Any, Any]:
    """(lon, lat, incidence) of cell centres across a vignette, ``shape`` (azimuth, range)."""
    az, ra = shape
    u = np.broadcast_to((np.arange(ra)[None, :] + 0.5) / ra, shape)
    v = vig.v0 + (vig.v1 - vig.v0) * (np.arange(az)[:, None] + 0.5) / az
    lon, lat = place(f.quad, f.ascending, u, np.broadcast_to(v, shape))
    incidence = np.broadcast_to(incidence_angle(vig.swath, u * (SAMPLES - 1)), shape)
    return lon, lat, incidence


def swell(lon: float, lat: float, when: Any) -> dict[str, np.ndarray]:
    """The synthetic sea state at a vignette's centre: per partition (:data:`PARTITIONS`)
    significant height ``hs`` (m), dominant wavelength ``wl`` (m) and direction ``dirmet``
    (degrees from north, where the waves come from), and the spectrum ``spec`` (m^4) on
    (:data:`PHI`, :data:`K`): Gaussian in log k and direction about each partition's peak,
    scaled so that 4 sqrt(sum spec k dk dphi) of a partition is its ``hs``."""
    from ..scene.climate import epoch_seconds
    from ..scene.noise import fbm, seed_of

    day = int(epoch_seconds(when) // 86400)
    x, y = np.array([lon]), np.array([lat])

    def field(name: str) -> float:
        return float(np.clip(fbm(x, y, seed_of("swell", name, day), 360 / 256, 4)[0], 0.0, 1.0))

    hs = np.array([1.0 + 5.0 * field("hs0"), 0.3 + 1.5 * field("hs1")], np.float32)
    wl = np.array([160.0 + 240.0 * field("wl0"), 50.0 + 60.0 * field("wl1")], np.float32)
    dirmet = np.array([(360.0 * field("dir0")) % 360, (360.0 * field("dir1")) % 360], np.float32)
    spec = np.zeros((PHI.size, K.size))
    dk = np.gradient(K.astype(np.float64))
    dphi = np.radians(360.0 / PHI.size)
    for p in range(PARTITIONS):
        turn = (PHI[:, None] - dirmet[p] + 180.0) % 360.0 - 180.0
        shape = np.exp(-0.5 * (np.log(K[None, :] * wl[p] / (2 * np.pi)) / 0.12) ** 2)
        shape = shape * np.exp(-0.5 * (turn / 20.0) ** 2)
        m0 = float((shape * K[None, :] * dk[None, :]).sum() * dphi)
        spec += shape * (hs[p] / 4.0) ** 2 / m0
    return {"hs": hs, "wl": wl, "dirmet": dirmet, "spec": spec.astype(np.float32)}


def _osw(root: NcGroup, f: Facts, vig: Vignette) -> dict[str, np.ndarray]:
    """The swell component of a vignette: one cell at its centre (``oswAzSize`` = ``oswRaSize``
    = 1), its spectrum on the (direction, wavenumber) grid; fill values on land."""
    from ..scene import is_land

    lon, lat, incidence = _cells(f, vig, (1, 1))
    land = bool(is_land(lon.ravel(), lat.ravel())[0])
    sea = swell(float(lon[0, 0]), float(lat[0, 0]), f.start)
    if land:
        sea = {k: np.full(v.shape, FILL, np.float32) for k, v in sea.items()}
    cell = ("oswAzSize", "oswRaSize")
    root.dimensions = {
        "oswAzSize": 1, "oswRaSize": 1, "oswPartitions": PARTITIONS,
        "oswAngularBinSize": PHI.size, "oswWavenumberBinSize": K.size,
    }  # fmt: skip
    parts = (*cell, "oswPartitions")
    variable(root, "oswLon", cell, lon, "f4", long_name="longitude", units="degrees")
    variable(root, "oswLat", cell, lat, "f4", long_name="latitude", units="degrees")
    variable(root, "oswIncidenceAngle", cell, incidence, "f4", long_name="incidence angle",
             units="degrees")  # fmt: skip
    variable(root, "oswLandFlag", cell, np.full((1, 1), land, np.float32), "f4",
             long_name="land flag: 1 if more than 10% land coverage, 0 otherwise")  # fmt: skip
    variable(root, "oswK", ("oswWavenumberBinSize",), K, "f4",
             long_name="wavenumbers of the polar spectrum", units="rad/m")  # fmt: skip
    variable(root, "oswPhi", ("oswAngularBinSize",), PHI, "f4",
             long_name="directions of the polar spectrum", units="degrees")  # fmt: skip
    variable(root, "oswPolSpec", (*cell, "oswAngularBinSize", "oswWavenumberBinSize"),
             sea["spec"][None, None], "f4", fill=FILL,
             long_name="estimated swell spectrum on log-polar grid", units="m^4")  # fmt: skip
    variable(root, "oswHs", parts, sea["hs"][None, None], "f4", fill=FILL,
             long_name="significant wave height for each partition", units="m")  # fmt: skip
    variable(root, "oswWl", parts, sea["wl"][None, None], "f4", fill=FILL,
             long_name="dominant wave length for each partition", units="m")  # fmt: skip
    variable(root, "oswDirmet", parts, sea["dirmet"][None, None], "f4", fill=FILL,
             long_name="dominant wave direction for each partition",
             units="degrees clockwise from north")  # fmt: skip
    return sea


def wv_netcdf(f: Facts, vig: Vignette) -> tuple[bytes, dict[str, np.ndarray]]:
    """A vignette's measurement file (OSW, OWI, RVL) and the swell it holds."""
    out: dict[str, dict[str, np.ndarray]] = {}
    lon, lat, incidence = _cells(f, vig, WV_OWI_SHAPE)
    shape = (*WV_RVL_SHAPE, 1)
    r_lon, r_lat, r_inc = (a[..., None] for a in _cells(f, vig, WV_RVL_SHAPE))
    doppler_geo = np.broadcast_to(np.linspace(-30.0, 30.0, shape[1])[None, :, None], shape)

    def write(root: NcGroup) -> None:
        _header(root, f, vig.swath, vig.start, vig.stop, osw=True)
        out["swell"] = _osw(root, f, vig)
        _owi(root, f, lon, lat, incidence)
        _rvl(root, f, r_lon, r_lat, r_inc, doppler_geo)

    return netcdf_bytes(write), out["swell"]


def expected_swell(entry: Entry) -> list[dict[str, np.ndarray]]:
    """The swell (:func:`swell`, fill values on land) of each vignette of a WV OCN."""
    f = facts(entry, "OCN")
    return [wv_netcdf(f, vig)[1] for vig in vignettes(entry)]


def _measurements(entry: Entry, f: Facts) -> tuple[dict[str, bytes], np.ndarray]:
    """``measurement/`` files and a grey quick-look (IW, EW: wind speed; WV: swell height)."""
    if mode_of(f) != "WV":
        name = stem(f)
        data, speed = netcdf(f)
        grey = np.where(np.isnan(speed), 0, np.clip(speed * 255 / 20, 1, 255))
        return {f"measurement/{name}.nc": data}, grey.astype(np.uint8)
    files, heights = {}, []
    for vig in vignettes(entry):
        data, sea = wv_netcdf(f, vig)
        files[f"measurement/{wv_stem(f, vig)}.nc"] = data
        heights.append(0.0 if sea["hs"][0] == FILL else float(np.hypot(*sea["hs"])))
    grey = np.clip(np.array(heights)[:, None] * 255 / 10, 0, 255).astype(np.uint8)
    return files, np.repeat(grey, 8, axis=1)


def build(entry: Entry) -> dict[str, bytes]:
    """The files of an IW, EW or WV OCN SAFE product."""
    from ._raster import raster_bytes

    f = facts(entry, "OCN")
    files, grey = _measurements(entry, f)
    files.update(preview_files(entry, f, raster_bytes(grey, driver="PNG")))
    wave = mode_of(f) == "WV"
    info = [
        "<s1sarl2:productClass>S</s1sarl2:productClass>",
        "<s1sarl2:productClassDescription>SAR Standard L2 Product"
        "</s1sarl2:productClassDescription>",
        f"<s1sarl2:missionDataTakeID>{f.datatake}</s1sarl2:missionDataTakeID>",
        *(
            f"<s1sarl2:transmitterReceiverPolarisation>{p}</s1sarl2:transmitterReceiverPolarisation>"
            for p in f.polarisations
        ),
        "<s1sarl2:productType>OCN</s1sarl2:productType>",
        f"<s1sarl2:productTimelinessCategory>{f.timeliness}</s1sarl2:productTimelinessCategory>",
        # wave mode is not sliced (as its Level-1 products)
        f"<s1sarl2:productComposition>{'Individual' if wave else 'Slice'}"
        "</s1sarl2:productComposition>",
        f"<s1sarl2:sliceNumber>{entry.attribute('sliceNumber', 1)}</s1sarl2:sliceNumber>",
        f"<s1sarl2:totalSlices>{entry.attribute('totalSlices', 1)}</s1sarl2:totalSlices>",
    ]
    objects = [
        *(
            FileObject(
                rel.removeprefix("measurement/").removesuffix(".nc").replace("-", ""),
                "s1Level2MeasurementSchema", rel, "application/x-netcdf",
            )
            for rel in files
            if rel.startswith("measurement/")
        ),
        FileObject("quicklook", "s1Level2QuicklookSchema", "preview/quick-look.png", "image/png"),
    ]  # fmt: skip
    files["manifest.safe"] = manifest(
        f, level=2, files=files, objects=objects, product_info=info
    ).encode()
    return files


FAMILY_BUILDERS = {"sentinel1_ocn": Builder(build)}
