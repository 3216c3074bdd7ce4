"""A full-size Sentinel-1 IW GRD SAFE product of a catalogue entry, written to disk once.

The realistic size profile (:mod:`..sizes`) replaces the showcase's small GRD products (400 x
500 pixels, :mod:`.sentinel1`) by this one: the same name, SAFE layout, file names and XML (the
small writer's code, ``_Product``, reused) over ``shape = (lines, samples)`` pixels. What depends
on the image size is redone here for ``shape``: the annotation's ``numberOfLines``/
``numberOfSamples``, pixel spacings and line interval, the 10 x 21 geolocation grid (and the
TIFF's GCPs), the calibration and noise vectors (every 40 pixels, as ESA's, at most
:data:`VECTOR_LINES_MAX` along azimuth) and the manifest's footprint, sizes and MD5s.

The LUTs are the small product's at the same place in the swath: ``sigmaNought(line, pixel)``
here is :func:`.sentinel1.expected_sigma_nought` at ``(line * (LINES-1) / (lines-1), pixel *
(SAMPLES-1) / (samples-1))``, still linear in line and pixel, so the reader's bilinear
interpolation of the vectors gives it exactly at every pixel. Pixels are the same backscatter
model as the small writer's (:mod:`._s1_pixels`: the scene's sigma0 at the nodes of the
footprint, bilinear in range and azimuth fractions, with 4-look speckle hashed from line, pixel
and acquisition), computed :data:`STRIP` lines at a time and written strip by strip into an
uncompressed striped GeoTIFF (as ESA's measurement TIFFs are): a build never holds a whole band.
:func:`expected_dn` and :func:`expected_sigma0` are the oracle for any window.

The zip (stored, ``<Name>.SAFE/`` on top, as :meth:`..payloads.Payload.from_files` lays out the
small one) is built once per ``(entry, shape)`` next to a JSON sidecar of its MD5 and BLAKE3
(:func:`ensure_zip`), with :mod:`.large_s2`'s zip and checksum code.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import sentinel1
from ._s1_common import Facts
from ._s1_pixels import GRD_LOOKS, Acquisition, backscatter, detected_dn, place, speckle
from .large_s2 import _Mapped, built_zip

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "FORMAT_VERSION",
    "STRIP",
    "VECTOR_LINES_MAX",
    "ensure_zip",
    "expected_dn",
    "expected_sigma0",
    "sigma_nought",
]

#: Bumped when the files written change, so stale builds in a reused folder are rebuilt.
FORMAT_VERSION = 1
#: Image lines computed and written at a time: a build's traced memory peaks at ~50 MB at
#: 10,000 samples (~40 bytes of temporaries per pixel of a strip).
STRIP = 128
#: Most calibration/noise vectors along azimuth (ESA's are ~1 s apart: ~25 per slice). They
#: are on multiples of the small writer's 100 lines, so a 400-line image has the small one's.
VECTOR_LINES_MAX = 16
#: Pixels between the vectors' points (as in ESA's and the small writer's vectors).
VECTOR_PIXEL_STEP = 40


def _small(shape: tuple[int, int], line: Any, pixel: Any) -> tuple[Any, Any]:
    """``(line, pixel)`` of the full-size image moved to the small image's at the same place."""
    lines, samples = shape
    scale_l = (sentinel1.LINES - 1) / (lines - 1)
    scale_p = (sentinel1.SAMPLES - 1) / (samples - 1)
    return np.asarray(line, float) * scale_l, np.asarray(pixel, float) * scale_p


def sigma_nought(shape: tuple[int, int], line: Any, pixel: Any) -> Any:
    """The sigmaNought LUT of a ``shape`` image: the small product's at the same place (575..704,
    linear in line and pixel). Works on arrays."""
    return sentinel1.expected_sigma_nought(*_small(shape, line, pixel))


def _noise_lut(shape: tuple[int, int], line: Any, pixel: Any) -> Any:
    """The noiseRangeLut of a ``shape`` image: the small product's at the same place."""
    return sentinel1._noise(*_small(shape, line, pixel))


def _window(
    acq: Acquisition, pol: str, shape: tuple[int, int], lines: np.ndarray, pixels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(sigma0 dB with speckle, DN) on the grid of 1-D ``lines`` x ``pixels``, as the small
    writer's ``_images`` computes a whole small image."""
    n_lines, n_samples = shape
    rows, cols = lines[:, None], pixels[None, :]
    base = backscatter(acq, pol, pixels / (n_samples - 1), lines / (n_lines - 1))
    spread = speckle(acq.seed("GRD", pol), rows, cols, GRD_LOOKS)
    dn = detected_dn(base, sigma_nought(shape, rows, cols), spread)
    return (base + np.float32(10.0) * np.log10(spread)).astype(np.float32), dn


def _window_of(
    entry: Entry, polarisation: str, shape: tuple[int, int], line: Any, pixel: Any
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_window` of ``entry``'s ``polarisation`` (checked against the product's)."""
    pol = polarisation.upper()
    facts = Facts.from_entry(entry, "GRD")
    if pol not in facts.polarisations:
        raise ValueError(f"polarisation must be one of {', '.join(facts.polarisations)}")
    lines = np.atleast_1d(np.asarray(line, np.int64))
    pixels = np.atleast_1d(np.asarray(pixel, np.int64))
    return _window(Acquisition.of(facts), pol, shape, lines, pixels)


def expected_dn(
    entry: Entry, polarisation: str, shape: tuple[int, int], line: Any, pixel: Any
) -> np.ndarray:
    """DN (uint16) of the full-size ``shape`` image on the grid of 1-D ``line`` x ``pixel``."""
    return _window_of(entry, polarisation, shape, line, pixel)[1]


def expected_sigma0(
    entry: Entry, polarisation: str, shape: tuple[int, int], line: Any, pixel: Any
) -> np.ndarray:
    """sigma0 (dB, float32, speckled) that those DN encode, to their rounding."""
    return _window_of(entry, polarisation, shape, line, pixel)[0]


class _LargeGrd(sentinel1._Product):  # the small writer's names and XML, reused
    """The small GRD writer over a ``shape = (lines, samples)`` image."""

    def vector_lines(self) -> tuple[int, ...]:
        small_step = sentinel1.VECTOR_LINES[1]
        step = small_step * math.ceil(self.lines / VECTOR_LINES_MAX / small_step)
        return (*range(0, self.lines - 1, step), self.lines - 1)

    def vector_pixels(self) -> np.ndarray:
        return np.array([*range(0, self.samples - 1, VECTOR_PIXEL_STEP), self.samples - 1])

    def sigma_lut(self, line: int, pixels: np.ndarray) -> Any:
        return sigma_nought(self.shape, line, pixels)

    def noise_lut(self, line: int, pixels: np.ndarray) -> Any:
        return _noise_lut(self.shape, line, pixels)

    def lonlat(self, line: Any, pixel: Any) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) of image coordinates, as :func:`.sentinel1.geolocation` for this shape."""
        u = np.asarray(pixel, float) / (self.samples - 1)
        return place(self.quad, self.ascending, u, np.asarray(line, float) / (self.lines - 1))

    def metadata(self) -> dict[str, bytes]:
        """The XML files of every image (annotation, calibration, noise), by path."""
        files: dict[str, bytes] = {}
        for pol, number in self.images:
            files.update(self.image_metadata(pol, number))
        return files

    def measurement_paths(self) -> dict[str, str]:
        """``path -> polarisation`` of the measurement TIFFs."""
        return {f"measurement/{self.stem(pol, n)}.tiff": pol.upper() for pol, n in self.images}

    def write_measurement(self, target: Path, pol: str) -> None:
        """The ``pol`` image as an uncompressed striped GeoTIFF with the grid as GCPs, computed
        and written :data:`STRIP` lines at a time."""
        from rasterio.control import GroundControlPoint
        from rasterio.errors import NotGeoreferencedWarning

        gcps = [
            GroundControlPoint(row=line, col=pixel, x=lon, y=lat, z=0.0)
            for line, pixel, lon, lat in self.grid()
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            self._write_strips(target, pol, gcps)
        for extra in target.parent.glob(f"{target.name}.aux.xml"):
            extra.unlink()

    def _write_strips(self, target: Path, pol: str, gcps: list[Any]) -> None:
        """Compute and write the image :data:`STRIP` lines at a time."""
        import rasterio
        from rasterio.crs import CRS
        from rasterio.windows import Window

        profile = {"driver": "GTiff", "width": self.samples, "height": self.lines, "count": 1}
        pixels = np.arange(self.samples, dtype=np.int64)
        with (
            rasterio.Env(GDAL_CACHEMAX=32),  # MB: GDAL's block cache stays small too
            rasterio.open(target, "w", dtype="uint16", **profile) as dst,
        ):
            dst.gcps = (gcps, CRS.from_epsg(4326))
            dst.update_tags(
                TIFFTAG_IMAGEDESCRIPTION=f"Sentinel-1{self.mission[-1]} IW GRD HR L1",
                TIFFTAG_SOFTWARE="Sentinel-1 IPF 003.71",
                TIFFTAG_DATETIME=f"{self.entry.origin:%Y:%m:%d %H:%M:%S}",
            )
            for r0 in range(0, self.lines, STRIP):
                rows = np.arange(r0, min(self.lines, r0 + STRIP), dtype=np.int64)
                dn = _window(self.acquisition, pol, self.shape, rows, pixels)[1]
                dst.write(dn, 1, window=Window(0, r0, self.samples, len(rows)))


def ensure_zip(entry: Entry, path: Path, shape: tuple[int, int]) -> dict[str, Any]:
    """Build ``entry``'s GRD at ``shape = (lines, samples)`` as the zip ``path`` (atomically),
    unless a complete one of this version is there; its sums (``md5``, ``blake3``...)."""
    lines, samples = shape
    if lines < 2 * STRIP or samples < 2 * VECTOR_PIXEL_STEP:
        raise ValueError(f"shape must be at least {2 * STRIP} x {2 * VECTOR_PIXEL_STEP}: {shape}")
    return built_zip(
        path,
        FORMAT_VERSION,
        entry.name,
        lambda staging: _stage(entry, shape, staging),
        shape=list(shape),
    )


def _stage(
    entry: Entry, shape: tuple[int, int], staging: Path
) -> tuple[list[str], dict[str, bytes]]:
    """Write the measurement TIFFs under ``staging``: their paths, and the product's other
    files (XML and ``manifest.safe``, whose sizes and MD5s are the staged files')."""
    product = _LargeGrd(entry, shape)
    measurements = product.measurement_paths()
    for rel, pol in measurements.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        product.write_measurement(target, pol)
    metadata = product.metadata()
    # Read in blocks, not through the map (its pages would count as the process's memory);
    # the map only gives the manifest the files' sizes.
    checksums = {rel: _md5(staging / rel) for rel in measurements}
    mapped = _Mapped(staging, list(measurements))
    try:
        every: dict[str, Any] = {**{rel: mapped[rel] for rel in measurements}, **metadata}
        metadata["manifest.safe"] = product.manifest(every, checksums).encode()
    finally:
        mapped.close()
    return list(measurements), metadata


def _md5(path: Path) -> str:
    """MD5 (hex) of a file, read 8 MB at a time."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while block := f.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()
