"""Sentinel-1 Level-2 ocean products (``IW_OCN__2S``, ``EW_OCN__2S``) in the SAFE layout::

    <Name>.SAFE/
      manifest.safe
      measurement/s1a-iw-ocn-vv-<start>-<stop>-<orbit>-<datatake>-001.nc
      preview/quick-look.png, preview/map-overlay.kml, preview/product-preview.html

Real (ESA's Sentinel-1 product specification, Level-2 OCN): no ``annotation/`` folder; one
netCDF-4 file named after the co-polarisation holding the components as variables with their
prefix, each on its own dimensions: ocean wind ``owi*`` on ``(owiAzSize, owiRaSize)``
(``owiLat``, ``owiLon``, ``owiWindSpeed`` m/s, ``owiWindDirection`` degrees from north,
meteorological, ``owiMask`` 0 sea, 1 land, 2 ice, 4 no data, ``owiIncidenceAngle``,
``owiNrcs``, ``owiHeading``, ``owiInversionQuality``) and radial velocity ``rvl*`` on
``(rvlAzSize, rvlRaSize, rvlSwath)`` (``rvlLat``, ``rvlLon``, ``rvlRadVel`` m/s,
``rvlDcObs``, ``rvlDcGeo`` Hz, ``rvlIncidenceAngle``, ``rvlLandCoverage``). The swell
component (``osw*``) is made for wave mode and stripmap only, so IW and EW products have none.

Decimated: :data:`OWI_SHAPE` wind cells (real: ~1 km, ~250 x 170 for IW) and
:data:`RVL_SHAPE` radial-velocity cells per sub-swath. Values: the synthetic Earth's sea wind
at the acquisition's hour (the same field the GRD's sea backscatter grows with), a direction
field of its own, masked on land (``owiMask`` 1, ``_FillValue``); radial velocities of a few
tenths of m/s from the wind's along-look component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import Builder
from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s1_common import RADAR_FREQUENCY, SPEED_OF_LIGHT, Facts
from ._s1_l0l2 import FileObject, facts, manifest, mode_of, preview_files
from ._s1_pixels import place

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "OWI_SHAPE", "RVL_SHAPE", "build", "expected_wind", "stem"]

#: Wind cells (azimuth, range) and radial-velocity cells (azimuth, range) per sub-swath.
OWI_SHAPE = (40, 32)
RVL_SHAPE = (12, 8)
#: Incidence at near and far range of the whole swath, by mode (degrees).
INCIDENCE = {"IW": (30.7, 46.0), "EW": (18.9, 47.0)}
SWATHS = {"IW": 3, "EW": 5}
FILL = np.float32(-999.0)


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


def _owi(root: NcGroup, f: Facts) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _grid(f, OWI_SHAPE)
    speed, direction, mask = _wind(lon, lat, f.start)
    near, far = INCIDENCE[mode_of(f)]
    incidence = np.broadcast_to(np.linspace(near, far, OWI_SHAPE[1]), OWI_SHAPE)
    heading = np.float32(-12.0 if f.ascending else -168.0)
    sea = mask == 0
    nrcs = np.where(sea, -23.0 + 12.0 * np.log10(np.where(sea, speed, 6.0) / 6.0), FILL)
    dims = ("owiAzSize", "owiRaSize")
    root.dimensions = dict(zip(dims, OWI_SHAPE, strict=True))
    variable(root, "owiLon", dims, lon, "f4", long_name="longitude", units="degrees")
    variable(root, "owiLat", dims, lat, "f4", long_name="latitude", units="degrees")
    variable(root, "owiIncidenceAngle", dims, incidence, "f4", long_name="Incidence angle",
             units="degrees")  # fmt: skip
    variable(root, "owiHeading", dims, np.full(OWI_SHAPE, heading), "f4",
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


def _rvl(root: NcGroup, f: Facts) -> None:
    swaths = SWATHS[mode_of(f)]
    az, ra = RVL_SHAPE
    lon, lat = _grid(f, (az, ra * swaths))
    shape = (az, ra, swaths)
    lon = lon.reshape(az, swaths, ra).transpose(0, 2, 1)
    lat = lat.reshape(az, swaths, ra).transpose(0, 2, 1)
    speed, direction, mask = _wind(lon, lat, f.start)
    look = -102.0 if f.ascending else 78.0  # right-looking: the look azimuth
    along = np.cos(np.radians(direction - look))
    sea = mask == 0
    velocity = np.where(sea, 0.03 * np.where(sea, speed, 0.0) * along, FILL).astype(np.float32)
    near, far = INCIDENCE[mode_of(f)]
    incidence = np.broadcast_to(
        np.linspace(near, far, ra * swaths).reshape(swaths, ra).T[None], shape
    )
    wavelength = SPEED_OF_LIGHT / RADAR_FREQUENCY
    doppler_geo = np.broadcast_to(np.linspace(-30.0, 30.0, ra)[None, :, None], shape)
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


def netcdf(f: Facts) -> tuple[bytes, np.ndarray]:
    """The measurement file's bytes and the wind speed it holds."""
    out: dict[str, np.ndarray] = {}

    def write(root: NcGroup) -> None:
        root.attrs["Conventions"] = "CF-1.6"
        root.attrs["missionName"] = f.mission
        root.attrs["polarisation"] = "/".join(f.polarisations)
        root.attrs["productType"] = "OCN"
        root.attrs["swath"] = mode_of(f)
        root.attrs["firstMeasurementTime"] = f"{f.start:%Y-%m-%dT%H:%M:%S.%fZ}"
        root.attrs["lastMeasurementTime"] = f"{f.stop:%Y-%m-%dT%H:%M:%S.%fZ}"
        root.attrs["owiAlgorithmVersion"] = "2.0"
        root.attrs["rvlAlgorithmVersion"] = "2.0"
        root.attrs["IPFversion"] = str(f.entry.attribute("processorVersion", "003.71"))
        out["speed"], _ = _owi(root, f)
        _rvl(root, f)

    return netcdf_bytes(write), out["speed"]


def build(entry: Entry) -> dict[str, bytes]:
    """The files of an IW or EW OCN SAFE product."""
    from ._raster import raster_bytes

    f = facts(entry, "OCN")
    name = stem(f)
    data, speed = netcdf(f)
    files = {f"measurement/{name}.nc": data}
    grey = np.where(np.isnan(speed), 0, np.clip(speed * 255 / 20, 1, 255)).astype(np.uint8)
    files.update(preview_files(entry, f, raster_bytes(grey, driver="PNG")))
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
        "<s1sarl2:productComposition>Slice</s1sarl2:productComposition>",
        f"<s1sarl2:sliceNumber>{entry.attribute('sliceNumber', 1)}</s1sarl2:sliceNumber>",
        f"<s1sarl2:totalSlices>{entry.attribute('totalSlices', 1)}</s1sarl2:totalSlices>",
    ]
    objects = [
        FileObject(
            name.replace("-", ""), "s1Level2MeasurementSchema", f"measurement/{name}.nc",
            "application/x-netcdf",
        ),
        FileObject("quicklook", "s1Level2QuicklookSchema", "preview/quick-look.png", "image/png"),
    ]  # fmt: skip
    files["manifest.safe"] = manifest(
        f, level=2, files=files, objects=objects, product_info=info
    ).encode()
    return files


FAMILY_BUILDERS = {"sentinel1_ocn": Builder(build)}
