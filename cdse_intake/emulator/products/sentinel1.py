"""Sentinel-1 GRD products in the SAFE layout (the name's polarisations: VV+VH, HH+HV...), of any
mode: IW, EW (``EW_GRDM``, 40 m) and the stripmap beams (``S3_GRDH``), the mode's swath,
incidence and timing read from :data:`._s1_modes.MODES`.

Shaped after the real GRD in ``reference/samples/products/sentinel-1`` and CDSE's December 2024
``manifest.safe``::

    <Name>.SAFE/
      manifest.safe
      annotation/s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-001.xml   (and -vh-...-002)
      annotation/calibration/calibration-s1a-iw-grd-vv-...-001.xml
      annotation/calibration/noise-s1a-iw-grd-vv-...-001.xml
      measurement/s1a-iw-grd-vv-...-001.tiff   (uint16, GCPs in EPSG:4326, no geotransform)

An EW product's files are ``s1a-ew-grd-hh-...``, a stripmap one's ``s1a-s3-grd-vv-...``.

Small (400 lines x 500 samples) but complete enough for ``xarray_sentinel`` to open every group
(``IW/VV``, ``IW/VV/calibration``, ``IW/VV/gcp``, ``IW/VV/orbit``...). The image spans the
catalogue footprint: the geolocation grid and the TIFF's GCPs interpolate its corners. The
images are the synthetic Earth's backscatter in the product's polarisations (``1SDV``: VV and
VH; ``1SDH``: HH and HV) with 4-look speckle, as digital numbers that the sigma-nought LUT
(:func:`expected_sigma_nought`) calibrates back to it (:mod:`._s1_pixels`): the sea dark, land
brighter, cross-polarisation lower. :func:`expected_dn` and :func:`expected_sigma0` are the
oracle: what the writer encodes, for a catalogue entry.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import Quad, footprint_quad
from ._raster import raster_bytes
from ._s1_annotation import NO_BURSTS, Image, annotation_lines, grid_point, noise_azimuth_vector
from ._s1_common import (
    RANGE_SAMPLING_RATE,
    SPEED_OF_LIGHT,
    Facts,
    haversine,
    header,
    manifest,
    orbit_list,
    t,
    vector,
)
from ._s1_modes import MODES
from ._s1_pixels import GRD_LOOKS, Acquisition, backscatter, detected_dn, place, speckle

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "LINES",
    "SAMPLES",
    "build_grd",
    "expected_dn",
    "expected_sigma0",
    "expected_sigma_nought",
    "geolocation",
]

LINES = 400
SAMPLES = 500
NEAR_SLANT_RANGE_TIME = MODES["IW"].near_slant_range_time  # s, real IW GRD value
#: Lines and pixels of the calibration/noise vectors and of the geolocation grid.
VECTOR_LINES = (0, 100, 200, 300, LINES - 1)
VECTOR_PIXELS = (*range(0, SAMPLES - 1, 40), SAMPLES - 1)
GRID_LINES = tuple(round(v) for v in np.linspace(0, LINES - 1, 10))
GRID_PIXELS = tuple(round(v) for v in np.linspace(0, SAMPLES - 1, 21))


def expected_dn(entry: Entry, polarisation: str, line: Any, pixel: Any) -> Any:
    """Digital number (uint16) at ``(line, pixel)`` of ``entry``'s ``polarisation`` image: the
    scene's speckled sigma0 (:func:`expected_sigma0`) through the sigma-nought LUT,
    ``round(expected_sigma_nought * sqrt(sigma0))``. Works on arrays."""
    return _images(*_image_key(entry, polarisation))[1][np.asarray(line), np.asarray(pixel)]


def expected_sigma0(entry: Entry, polarisation: str, line: Any, pixel: Any) -> Any:
    """The backscatter (dB, float32) that ``entry``'s pixel at ``(line, pixel)`` encodes: the
    scene's sigma0 at its place, incidence and time, with speckle. Calibrating the product's DN
    gives it back to their rounding (half a DN in amplitude: ~0.1 dB at the sea's typical DN)."""
    return _images(*_image_key(entry, polarisation))[0][np.asarray(line), np.asarray(pixel)]


def _image_key(entry: Entry, polarisation: str) -> tuple[Acquisition, str]:
    facts = Facts.from_entry(entry, "GRD")
    pol = polarisation.upper()
    if pol not in facts.polarisations:
        raise ValueError(
            f"polarisation must be one of {', '.join(facts.polarisations)} (the product's), "
            f"got {polarisation!r}"
        )
    return Acquisition.of(facts), pol


@lru_cache(maxsize=8)
def _images(acq: Acquisition, pol: str) -> tuple[np.ndarray, np.ndarray]:
    """(sigma0 in dB, DN) of a whole image, read-only: the scene on the image's grid of range
    and azimuth fractions, times speckle hashed from the acquisition, line and pixel."""
    lines, pixels = np.arange(LINES)[:, None], np.arange(SAMPLES)[None, :]
    base = backscatter(acq, pol, np.arange(SAMPLES) / (SAMPLES - 1), np.arange(LINES) / (LINES - 1))
    spread = speckle(acq.seed("GRD", pol), lines, pixels, GRD_LOOKS)
    dn = detected_dn(base, expected_sigma_nought(lines, pixels), spread)
    sigma = (base + np.float32(10.0) * np.log10(spread)).astype(np.float32)
    sigma.flags.writeable = dn.flags.writeable = False
    return sigma, dn


def expected_sigma_nought(line: Any, pixel: Any) -> Any:
    """The sigma-nought calibration LUT: ``700 - 0.25*pixel + 0.01*line``.

    Linear in line and pixel, so its bilinear interpolation at any image pixel equals this
    formula (``calibrate_amplitude`` gives ``dn / expected_sigma_nought(line, pixel)``).
    """
    return 700.0 - 0.25 * np.asarray(pixel, dtype=np.float64) + 0.01 * np.asarray(line, float)


def _beta_nought(line: Any, pixel: Any) -> Any:
    return np.full(np.broadcast(line, pixel).shape, 474.0)


def _noise(line: Any, pixel: Any) -> Any:
    return np.broadcast_to(50.0 + 0.1 * np.asarray(pixel, float), np.broadcast(line, pixel).shape)


def geolocation(entry: Entry, line: Any, pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image coordinates, interpolated between the footprint's corners.

    The radar looks right: ascending, the first line is the southern edge and near range (pixel
    0) the western one; descending, the first line is northern and near range eastern.
    """
    ascending = entry.extra.get("direction", "DESCENDING") == "ASCENDING"
    u = np.asarray(pixel, float) / (SAMPLES - 1)
    return place(footprint_quad(entry), ascending, u, np.asarray(line, float) / (LINES - 1))


def build_grd(entry: Entry) -> dict[str, bytes]:
    """The files of a GRD SAFE product (IW, EW or stripmap)."""
    return _Product(entry).files()


class _Product:
    """The GRD product of ``entry`` with ``shape = (lines, samples)`` images; the hooks below
    the geometry are what :mod:`.large_s1` changes for larger images."""

    def __init__(self, entry: Entry, shape: tuple[int, int] = (LINES, SAMPLES)) -> None:
        self.facts = facts = Facts.from_entry(entry, "GRD")
        self.entry = entry
        self.mission = facts.mission  # S1A
        self.mode = facts.mode
        self.start, self.stop = facts.start, facts.stop
        self.orbit = facts.orbit
        self.datatake = facts.datatake
        self.ascending = facts.ascending
        self.anx = facts.anx
        self.quad: Quad = facts.quad
        self.acquisition = Acquisition.of(facts)
        #: (polarisation, image number): ``001`` co-polarisation, ``002`` cross-polarisation.
        self.images = [(pol.lower(), f"{k:03d}") for k, pol in enumerate(facts.polarisations, 1)]
        self.lines, self.samples = shape
        self.interval = (self.stop - self.start).total_seconds() / (self.lines - 1)
        width = haversine(self.quad.sw, self.quad.se)
        length = haversine(self.quad.sw, self.quad.nw)
        self.range_spacing = width / (self.samples - 1)
        self.azimuth_spacing = length / (self.lines - 1)
        mid_inc = math.radians(sum(self.mode.incidence) / 2)
        # Slant range time per ground-range pixel (a flat-earth model, good enough here).
        self.srt_step = 2 * self.range_spacing * math.sin(mid_inc) / SPEED_OF_LIGHT

    def stem(self, pol: str, number: str) -> str:
        start = f"{self.start:%Y%m%dt%H%M%S}"
        stop = f"{self.stop:%Y%m%dt%H%M%S}"
        return (
            f"{self.mission.lower()}-{self.mode.beam.lower()}-grd-{pol}-{start}-{stop}-"
            f"{self.orbit:06d}-"
            f"{self.datatake:06x}-{number}"
        )

    @property
    def shape(self) -> tuple[int, int]:
        return self.lines, self.samples

    def files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for pol, number in self.images:
            files.update(self.image_metadata(pol, number))
            files[f"measurement/{self.stem(pol, number)}.tiff"] = self.measurement(pol)
        files["manifest.safe"] = self.manifest(files).encode()
        return files

    def image_metadata(self, pol: str, number: str) -> dict[str, bytes]:
        """The XML files of one image (annotation, calibration, noise), by path."""
        stem = self.stem(pol, number)
        return {
            f"annotation/{stem}.xml": self.annotation(pol, number).encode(),
            f"annotation/calibration/calibration-{stem}.xml": (
                self.calibration(pol, number).encode()
            ),
            f"annotation/calibration/noise-{stem}.xml": self.noise(pol, number).encode(),
        }

    # -- what a larger image changes ---------------------------------------------------------

    def vector_lines(self) -> tuple[int, ...]:
        """Lines of the calibration and noise vectors."""
        return VECTOR_LINES

    def vector_pixels(self) -> np.ndarray:
        """Pixels of the calibration and noise vectors."""
        return np.array(VECTOR_PIXELS)

    def sigma_lut(self, line: int, pixels: np.ndarray) -> Any:
        """The sigmaNought LUT along ``line``."""
        return expected_sigma_nought(line, pixels)

    def noise_lut(self, line: int, pixels: np.ndarray) -> Any:
        """The noiseRangeLut along ``line``."""
        return _noise(line, pixels)

    def lonlat(self, line: Any, pixel: Any) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) of image coordinates."""
        return geolocation(self.entry, line, pixel)

    # -- geometry ----------------------------------------------------------------------------

    def azimuth_time(self, line: float) -> datetime:
        return self.start + timedelta(seconds=line * self.interval)

    def slant_range_time(self, pixel: float) -> float:
        return self.mode.near_slant_range_time + pixel * self.srt_step

    def incidence(self, pixel: float) -> float:
        near, far = self.mode.incidence
        return near + (far - near) * pixel / (self.samples - 1)

    def grid(self) -> list[tuple[int, int, float, float]]:
        """Geolocation grid points ``(line, pixel, lon, lat)``, lines outer, pixels inner: as
        many at any shape (10 lines x 21 pixels, as ESA's GRD)."""
        grid_lines = np.linspace(0, self.lines - 1, len(GRID_LINES)).round()
        grid_pixels = np.linspace(0, self.samples - 1, len(GRID_PIXELS)).round()
        lines, pixels = np.meshgrid(grid_lines.astype(int), grid_pixels.astype(int), indexing="ij")
        lon, lat = self.lonlat(lines, pixels)
        return [
            (int(ln), int(px), float(x), float(y))
            for ln, px, x, y in zip(
                lines.ravel(), pixels.ravel(), lon.ravel(), lat.ravel(), strict=True
            )
        ]

    # -- files -------------------------------------------------------------------------------

    def measurement(self, pol: str) -> bytes:
        from rasterio.control import GroundControlPoint

        gcps = [
            GroundControlPoint(row=line, col=pixel, x=lon, y=lat, z=0.0)
            for line, pixel, lon, lat in self.grid()
        ]
        return raster_bytes(
            _images(self.acquisition, pol.upper())[1],
            driver="GTiff",
            crs="EPSG:4326",
            gcps=gcps,
            tags={
                "TIFFTAG_IMAGEDESCRIPTION": (
                    f"Sentinel-1{self.mission[-1]} {self.mode.beam} GRD "
                    f"{self.entry.name[10]}R L1"  # GRDH: HR, GRDM: MR
                ),
                "TIFFTAG_SOFTWARE": "Sentinel-1 IPF 003.71",
                "TIFFTAG_DATETIME": f"{self.entry.origin:%Y:%m:%d %H:%M:%S}",
            },
        )

    def _header(self, pol: str, number: str) -> list[str]:
        beam, mode = self.mode.beam, self.mode.mode
        return header(self.facts, "GRD", pol, beam, self.start, self.stop, number, mode)

    def calibration(self, pol: str, number: str) -> str:
        pixels = self.vector_pixels()
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<calibration>",
            *self._header(pol, number),
            "  <calibrationInformation>",
            # GRD products carry 1.0 (the SLC sample carries 1.393).
            "    <absoluteCalibrationConstant>1.000000e+00</absoluteCalibrationConstant>",
            "  </calibrationInformation>",
            f'  <calibrationVectorList count="{len(self.vector_lines())}">',
        ]
        for line in self.vector_lines():
            sigma = self.sigma_lut(line, pixels)
            beta = _beta_nought(line, pixels)
            lines += [
                "    <calibrationVector>",
                f"      <azimuthTime>{t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + vector("pixel", pixels, "{}"),
                "      " + vector("sigmaNought", sigma),
                "      " + vector("betaNought", beta),
                "      " + vector("gamma", sigma * 0.95),
                "      " + vector("dn", beta),
                "    </calibrationVector>",
            ]
        lines += ["  </calibrationVectorList>", "</calibration>", ""]
        return "\n".join(lines)

    def noise(self, pol: str, number: str) -> str:
        pixels = self.vector_pixels()
        vector_lines = self.vector_lines()
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<noise>",
            *self._header(pol, number),
            f'  <noiseRangeVectorList count="{len(vector_lines)}">',
        ]
        for line in vector_lines:
            lines += [
                "    <noiseRangeVector>",
                f"      <azimuthTime>{t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + vector("pixel", pixels, "{}"),
                "      " + vector("noiseRangeLut", self.noise_lut(line, pixels)),
                "    </noiseRangeVector>",
            ]
        # One azimuth vector per sub-swath, each over its share of the range samples.
        swaths = self.mode.swaths
        lines += [
            "  </noiseRangeVectorList>",
            f'  <noiseAzimuthVectorList count="{len(swaths)}">',
        ]
        bounds = np.linspace(0, self.samples, len(swaths) + 1).astype(int)
        for i, swath in enumerate(swaths):
            lines += noise_azimuth_vector(
                swath,
                bounds[i],
                self.lines - 1,
                bounds[i + 1] - 1,
                vector_lines,
                [1.0] * len(vector_lines),
            )
        lines += ["  </noiseAzimuthVectorList>", "</noise>", ""]
        return "\n".join(lines)

    def annotation(self, pol: str, number: str) -> str:
        times = [self.start + (self.stop - self.start) * f for f in (0.0, 0.5, 1.0)]
        near_srt = self.mode.near_slant_range_time
        sr0 = near_srt * SPEED_OF_LIGHT / 2
        sin_inc = math.sin(math.radians(sum(self.mode.incidence) / 2))
        srgr = [0.0, 1 / sin_inc, 0.0, 0.0, 0.0, 0.0]
        grsr = [sr0, sin_inc, 0.0, 0.0, 0.0, 0.0]
        image = Image(
            facts=self.facts,
            projection="Ground Range",
            sampling_rate=RANGE_SAMPLING_RATE,
            steering_rate=self.mode.steering_rate,
            orbit=orbit_list(self.facts),
            times=times,
            slant_range_time=near_srt,
            start=self.start,
            stop=self.stop,
            anchor=self.start,
            composition="Slice",
            slice_number=self.entry.attribute("sliceNumber", 1),
            detected=True,
            range_spacing=self.range_spacing,
            azimuth_spacing=self.azimuth_spacing,
            interval=self.interval,
            samples=self.samples,
            lines=self.lines,
            incidence=sum(self.mode.incidence) / 2,
        )
        grid = [
            "  <geolocationGrid>",
            f'    <geolocationGridPointList count="{len(GRID_LINES) * len(GRID_PIXELS)}">',
        ]
        for line, pixel, lon, lat in self.grid():
            inc = self.incidence(pixel)
            srt = self.slant_range_time(pixel)
            grid += grid_point(self.azimuth_time(line), srt, line, pixel, lon, lat, inc, inc - 3.3)
        grid += ["    </geolocationGridPointList>", "  </geolocationGrid>"]
        conversion = [
            "  <coordinateConversion>",
            f'    <coordinateConversionList count="{len(times)}">',
        ]
        for when in times:
            conversion += [
                "      <coordinateConversion>",
                f"        <azimuthTime>{t(when)}</azimuthTime>",
                f"        <slantRangeTime>{_xml.sci(near_srt, 15)}</slantRangeTime>",
                f"        <sr0>{_xml.sci(sr0, 15)}</sr0>",
                "        " + vector("srgrCoefficients", srgr, "{:.15e}"),
                "        <gr0>0.000000000000000e+00</gr0>",
                "        " + vector("grsrCoefficients", grsr, "{:.15e}"),
                "      </coordinateConversion>",
            ]
        conversion += ["    </coordinateConversionList>", "  </coordinateConversion>"]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<product>",
            *self._header(pol, number),
            *annotation_lines(image, NO_BURSTS, grid, conversion),
            "",
        ]
        return "\n".join(lines)

    def manifest(self, files: dict[str, Any], checksums: dict[str, str] | None = None) -> str:
        """``manifest.safe`` of ``files`` (``checksums``: the MD5s already known, by path)."""
        last_line, last_pixel = self.lines - 1, self.samples - 1
        corners = [(last_line, 0), (last_line, last_pixel), (0, last_pixel), (0, 0)]
        lon, lat = self.lonlat([c[0] for c in corners], [c[1] for c in corners])
        return manifest(
            self.facts,
            product_type="GRD",
            swaths=(self.mode.beam,),
            stems=[self.stem(pol, number) for pol, number in self.images],
            files=files,
            corners=list(zip(lon, lat, strict=True)),
            checksums=checksums,
        )
