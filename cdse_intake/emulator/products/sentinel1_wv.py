"""Sentinel-1 Wave mode SLC products (``WV_SLC__1S``) in the SAFE layout: one vignette per
imagette, alternately WV1 and WV2, each with its own files::

    <Name>.SAFE/
      manifest.safe
      annotation/s1a-wv1-slc-vv-<start>-<stop>-<orbit>-<datatake>-001.xml   (wv2 ... -002 ...)
      annotation/calibration/calibration-s1a-wv1-slc-vv-...-001.xml
      annotation/calibration/noise-s1a-wv1-slc-vv-...-001.xml
      measurement/s1a-wv1-slc-vv-...-001.tiff     (complex int16, GCPs in EPSG:4326)
      preview/map-overlay.kml, preview/product-preview.html, preview/quick-look.png

Real (ESA's Sentinel-1 product specification and the wave-mode products' names): the file names
with the imagette's own start and stop times and its number (odd WV1, even WV2), one image per
imagette with its annotation, calibration and noise XML in the IW SLC's format
(:mod:`._s1_slc_xml`, written from a real product), single polarisation, incidence about 23°
(WV1) and 36.5° (WV2), no bursts (``burstList count="0"``: stripmap-like imagettes), the
manifest's mode ``WV`` and swaths ``WV1``/``WV2``. Inferred: the manifest's version suffix
(``wvsp``) and the preview content for wave mode.

Decimated: :data:`IMAGETTES` imagettes (real: one every 100 km, ~60 per 7-minute product) of
:data:`LINES` x :data:`SAMPLES` samples (real: ~20 x 20 km at ~5 m), evenly spaced along the
catalogue footprint and spanning its width (real WV1 and WV2 lie ~100 km apart across track;
the catalogue's strip is ~20 km wide). The range sampling rate is divided so a vignette spans
~20 km of ground range. Pixels: the synthetic Earth's sigma0 at each sample's place and
incidence, as single-look complex samples through a constant sigma-nought LUT
(:func:`expected_dn`, :func:`expected_sigma0`); places by :func:`geolocation`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import Builder
from ._raster import raster_bytes
from ._s1_common import Facts, manifest, orbit_list
from ._s1_pixels import complex_dn, place, single_look

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "FAMILY_BUILDERS",
    "IMAGETTES",
    "LINES",
    "SAMPLES",
    "SWATHS",
    "Imagette",
    "build",
    "expected_dn",
    "expected_sigma0",
    "facts",
    "geolocation",
    "imagettes",
    "incidence_angle",
    "stem",
]

IMAGETTES = 8
LINES = 48
SAMPLES = 56
#: Ground length of a vignette along track (m), and across: the real ~20 km.
VIGNETTE_M = 20_000.0


@dataclass(frozen=True)
class WaveSwath:
    """One wave-mode beam."""

    incidence: float
    """Incidence angle at mid swath (degrees)."""
    slant_range_time: float
    """Two-way slant range time of the first sample (s)."""
    sampling_rate: float
    """Range sampling rate of the decimated vignette (Hz)."""
    sigma_nought: float
    """The (constant) sigma-nought LUT value."""


SWATHS = {
    "WV1": WaveSwath(23.0, 4.95e-3, 1.23e6, 400.0),
    "WV2": WaveSwath(36.5, 5.60e-3, 8.10e5, 450.0),
}

_NAME = re.compile(
    r"^(?P<mission>S1[A-D])_WV_SLC__1S(?P<pols>S[VH])_\d{8}T\d{6}_\d{8}T\d{6}_(?P<orbit>\d{6})_"
    r"(?P<datatake>[0-9A-F]{6})_[0-9A-F]{4}(\.SAFE)?$"
)


def facts(entry: Entry) -> Facts:
    """The product facts of a WV SLC entry (the IW facts' fields; ValueError for other names)."""
    m = _NAME.match(entry.name)
    if m is None:
        raise ValueError(f"Sentinel-1 WV SLC product name expected, got {entry.name!r}")
    return Facts.from_match(entry, m)


@dataclass(frozen=True)
class Imagette:
    """One vignette: number, beam, azimuth span (footprint fractions) and times."""

    number: str
    swath: str
    v0: float
    v1: float
    start: datetime
    stop: datetime

    @property
    def interval(self) -> timedelta:
        return (self.stop - self.start) / (LINES - 1)


def imagettes(entry: Entry) -> list[Imagette]:
    """The product's imagettes, evenly spaced along the footprint (odd numbers WV1)."""
    f = facts(entry)
    from ._s1_common import haversine

    length = haversine(f.quad.sw, f.quad.nw)
    span = min(VIGNETTE_M / max(length, 1.0), 1.0 / IMAGETTES)
    duration = entry.end - entry.start
    out = []
    for k in range(IMAGETTES):
        middle = (k + 0.5) / IMAGETTES
        v0, v1 = middle - span / 2, middle + span / 2
        out.append(
            Imagette(
                number=f"{k + 1:03d}",
                swath="WV1" if k % 2 == 0 else "WV2",
                v0=v0,
                v1=v1,
                start=entry.start + duration * v0,
                stop=entry.start + duration * v1,
            )
        )
    return out


def _imagette(entry: Entry, number: int | str) -> Imagette:
    found = {i.number: i for i in imagettes(entry)}
    key = f"{int(number):03d}"
    if key not in found:
        raise ValueError(f"imagette must be one of 1..{IMAGETTES}, got {number!r}")
    return found[key]


def geolocation(entry: Entry, number: int | str, line: Any, pixel: Any) -> tuple[Any, Any]:
    """(lon, lat) of samples of an imagette: bilinear in the footprint's corners (range across
    the strip, azimuth along it; right-looking as the IW products)."""
    im = _imagette(entry, number)
    f = facts(entry)
    u = np.asarray(pixel, np.float64) / (SAMPLES - 1)
    v = im.v0 + (im.v1 - im.v0) * np.asarray(line, np.float64) / (LINES - 1)
    return place(f.quad, f.ascending, u, v)


def incidence_angle(swath: str, pixel: Any) -> Any:
    """Incidence (degrees) across a vignette: ±0.7° about the beam's mid-swath angle."""
    return SWATHS[swath].incidence + 1.4 * (np.asarray(pixel, np.float64) / (SAMPLES - 1) - 0.5)


def expected_sigma0(entry: Entry, number: int | str) -> np.ndarray:
    """The speckled sigma0 (dB, float32, ``(LINES, SAMPLES)``) an imagette encodes."""
    return _images(entry)[0][_index(entry, number)]


def expected_dn(entry: Entry, number: int | str) -> np.ndarray:
    """The complex samples (complex64 of int16 parts) of an imagette."""
    return _images(entry)[1][_index(entry, number)]


def _index(entry: Entry, number: int | str) -> int:
    return int(_imagette(entry, number).number) - 1


def _images(entry: Entry) -> tuple[np.ndarray, np.ndarray]:
    f = facts(entry)
    return _all_images(entry.name, f.quad, f.ascending, f.polarisations[0], tuple(imagettes(entry)))


@functools.lru_cache(maxsize=8)
def _all_images(
    name: str, quad: Any, ascending: bool, pol: str, ims: tuple[Imagette, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(speckled sigma0 dB, complex DN) of every imagette, ``(IMAGETTES, LINES, SAMPLES)``,
    read-only; the scene sampled once for all of them."""
    from ..scene import sigma0_db
    from ..scene.noise import seed_of

    lines, pixels = np.arange(LINES)[:, None], np.arange(SAMPLES)[None, :]
    u = np.broadcast_to(pixels / (SAMPLES - 1), (len(ims), LINES, SAMPLES))
    v = np.stack([im.v0 + (im.v1 - im.v0) * lines / (LINES - 1) for im in ims])
    v = np.broadcast_to(v, u.shape)
    lon, lat = place(quad, ascending, u, v)
    incidence = np.stack(
        [np.broadcast_to(incidence_angle(im.swath, pixels), (LINES, SAMPLES)) for im in ims]
    )
    base = sigma0_db(lon, lat, ims[0].start, pol, incidence)
    sigma, dn = np.empty(base.shape, np.float32), np.empty(base.shape, np.complex64)
    for k, im in enumerate(ims):
        spread, phasor = single_look(seed_of("s1wv", name, im.number), lines, pixels)
        lut = np.full((LINES, SAMPLES), SWATHS[im.swath].sigma_nought)
        dn[k] = complex_dn(base[k], lut, spread, phasor)
        sigma[k] = base[k] + np.float32(10.0) * np.log10(spread)
    sigma.flags.writeable = dn.flags.writeable = False
    return sigma, dn


def stem(f: Facts, im: Imagette) -> str:
    """``s1a-wv1-slc-vv-<start>-<stop>-<orbit>-<datatake>-001``."""
    return (
        f"{f.mission.lower()}-{im.swath.lower()}-slc-{f.polarisations[0].lower()}-"
        f"{im.start:%Y%m%dt%H%M%S}-{im.stop:%Y%m%dt%H%M%S}-{f.orbit:06d}-{f.datatake:06x}-"
        f"{im.number}"
    )


def build(entry: Entry) -> dict[str, bytes]:
    """The files of a WV SLC SAFE product."""
    from rasterio.control import GroundControlPoint

    from . import _s1_wv_xml as wv_xml

    f = facts(entry)
    ipf = str(entry.attribute("processorVersion", "003.71"))
    ims = imagettes(entry)
    sigmas, dns = _images(entry)
    orbit = orbit_list(f)  # the same state vectors in every imagette's annotation
    rows, cols = np.meshgrid(wv_xml.GRID_LINES, wv_xml.GRID_PIXELS, indexing="ij")
    files: dict[str, bytes] = {}
    stems = []
    for k, im in enumerate(ims):
        name = stem(f, im)
        stems.append(name)
        u = cols / (SAMPLES - 1)
        v = im.v0 + (im.v1 - im.v0) * rows / (LINES - 1)
        lon, lat = place(f.quad, f.ascending, u, v)
        grid = list(zip(rows.ravel(), cols.ravel(), lon.ravel(), lat.ravel(), strict=True))
        head = wv_xml.header(f, im)
        files[f"annotation/{name}.xml"] = wv_xml.annotation(f, im, head, grid, orbit)
        files[f"annotation/calibration/calibration-{name}.xml"] = wv_xml.calibration(im, head)
        files[f"annotation/calibration/noise-{name}.xml"] = wv_xml.noise(im, head)
        gcps = [
            GroundControlPoint(row=float(r), col=float(c), x=float(x), y=float(y), z=0.0)
            for r, c, x, y in grid
        ]
        files[f"measurement/{name}.tiff"] = raster_bytes(
            dns[k], driver="GTiff", crs="EPSG:4326", gcps=gcps,
            tags={"TIFFTAG_IMAGEDESCRIPTION": f"Sentinel-1{f.mission[-1]} WV SLC L1",
                  "TIFFTAG_SOFTWARE": f"Sentinel-1 IPF {ipf}",
                  "TIFFTAG_DATETIME": f"{entry.origin:%Y:%m:%d %H:%M:%S}"},
            dtype="complex_int16", blockysize=1,
        )  # fmt: skip
    files.update(wv_xml.preview(entry, f, list(sigmas)))
    lon, lat = place(f.quad, f.ascending, [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0])
    text = manifest(
        f,
        product_type="SLC",
        swaths=tuple(SWATHS),
        stems=stems,
        files=files,
        corners=list(zip(lon.tolist(), lat.tolist(), strict=True)),
    )
    files["manifest.safe"] = text.encode()
    return files


FAMILY_BUILDERS = {"sentinel1_wv": Builder(build)}
