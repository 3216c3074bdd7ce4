"""The XML of a Sentinel-1 wave-mode imagette (product annotation, calibration, noise) and the
preview folder.

The elements and their order follow the IW SLC writer's (:mod:`._s1_slc_xml`, itself written from
a real product), with the imagette's own geometry: no bursts (``linesPerBurst`` 0, an empty
``burstList``, as stripmap and wave imagettes have), constant LUTs per beam, a 5 x 5 geolocation
grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import sentinel1_wv as wv
from ._s1_annotation import (
    NO_BURSTS,
    NO_CONVERSION,
    Image,
    annotation_lines,
    grid_point,
    noise_azimuth_vector,
)
from ._s1_common import (
    SPEED_OF_LIGHT,
    Facts,
    t,
    vector,
)
from ._s1_common import header as ads_header
from ._s1_l0l2 import preview_files

if TYPE_CHECKING:
    from ..catalogue import Entry
    from .sentinel1_wv import Imagette

__all__ = [
    "GRID_LINES",
    "GRID_PIXELS",
    "annotation",
    "calibration",
    "header",
    "noise",
    "preview",
]

GRID_LINES = tuple(round(x) for x in np.linspace(0, wv.LINES - 1, 5))
GRID_PIXELS = tuple(round(x) for x in np.linspace(0, wv.SAMPLES - 1, 5))
#: Pixels of the calibration and noise vectors: every 8th and the last.
_VECTOR_PIXELS = np.array([*range(0, wv.SAMPLES - 1, 8), wv.SAMPLES - 1])


def header(f: Facts, im: Imagette) -> str:
    """The ``adsHeader`` of an imagette's three XML files."""
    pol = f.polarisations[0]
    return "\n".join(ads_header(f, "SLC", pol, im.swath, im.start, im.stop, im.number, "WV"))


def _document(root: str, head: str, body: list[str]) -> bytes:
    text = "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>', head, *body, ""])
    return text.encode()


def _line_time(im: Imagette, line: float) -> Any:
    return im.start + im.interval * line


def calibration(im: Imagette, head: str) -> bytes:
    """Calibration vectors at the first, middle and last line: a constant sigma-nought LUT."""
    beam = wv.SWATHS[im.swath]
    n = _VECTOR_PIXELS.size
    body = [
        "  <calibrationInformation>",
        "    <absoluteCalibrationConstant>1.000000e+00</absoluteCalibrationConstant>",
        "  </calibrationInformation>",
        '  <calibrationVectorList count="3">',
    ]
    for line in (0, wv.LINES // 2, wv.LINES - 1):
        body += [
            "    <calibrationVector>",
            f"      <azimuthTime>{t(_line_time(im, line))}</azimuthTime>",
            f"      <line>{line}</line>",
            "      " + vector("pixel", _VECTOR_PIXELS, "{}"),
            "      " + vector("sigmaNought", np.full(n, beam.sigma_nought)),
            "      " + vector("betaNought", np.full(n, 237.0)),
            "      " + vector("gamma", np.full(n, beam.sigma_nought * 0.93)),
            "      " + vector("dn", np.full(n, 237.0)),
            "    </calibrationVector>",
        ]
    return _document("calibration", head, [*body, "  </calibrationVectorList>", "</calibration>"])


def noise(im: Imagette, head: str) -> bytes:
    """One range noise vector at the first line, one azimuth vector for the imagette."""
    lut = 60.0 - 0.2 * _VECTOR_PIXELS
    lines = [0, wv.LINES - 1]
    body = [
        '  <noiseRangeVectorList count="1">',
        "    <noiseRangeVector>",
        f"      <azimuthTime>{t(im.start)}</azimuthTime>",
        "      <line>0</line>",
        "      " + vector("pixel", _VECTOR_PIXELS, "{}"),
        "      " + vector("noiseRangeLut", lut),
        "    </noiseRangeVector>",
        "  </noiseRangeVectorList>",
        '  <noiseAzimuthVectorList count="1">',
        *noise_azimuth_vector(im.swath, 0, wv.LINES - 1, wv.SAMPLES - 1, lines, [1.0, 1.0]),
        "  </noiseAzimuthVectorList>",
    ]
    return _document("noise", head, [*body, "</noise>"])


def _grid(im: Imagette, grid: list[tuple[Any, Any, Any, Any]]) -> list[str]:
    beam = wv.SWATHS[im.swath]
    out = ["  <geolocationGrid>", f'    <geolocationGridPointList count="{len(grid)}">']
    for line, pixel, lon, lat in grid:
        inc = float(wv.incidence_angle(im.swath, pixel))
        srt = beam.slant_range_time + float(pixel) / beam.sampling_rate
        when = _line_time(im, float(line))
        out += grid_point(when, srt, int(line), int(pixel), float(lon), float(lat), inc, inc - 2.6)
    return [*out, "    </geolocationGridPointList>", "  </geolocationGrid>"]


def annotation(
    f: Facts, im: Imagette, head: str, grid: list[tuple[Any, Any, Any, Any]], orbit: list[str]
) -> bytes:
    """The product annotation of an imagette (``orbit``: :func:`._s1_common.orbit_list`)."""
    beam = wv.SWATHS[im.swath]
    middle = [_line_time(im, wv.LINES / 2)]
    image = Image(
        facts=f,
        projection="Slant Range",
        sampling_rate=beam.sampling_rate,
        steering_rate=0.0,
        orbit=orbit,
        times=middle,
        slant_range_time=beam.slant_range_time,
        start=im.start,
        stop=im.stop,
        anchor=im.start,
        composition="Individual",
        slice_number=0,
        detected=False,
        range_spacing=SPEED_OF_LIGHT / 2 / beam.sampling_rate,
        azimuth_spacing=wv.VIGNETTE_M / (wv.LINES - 1),
        interval=im.interval.total_seconds(),
        samples=wv.SAMPLES,
        lines=wv.LINES,
        incidence=beam.incidence,
    )
    body = annotation_lines(image, NO_BURSTS, _grid(im, grid), NO_CONVERSION)
    return _document("product", head, body)


def preview(entry: Entry, f: Facts, sigmas: list[np.ndarray]) -> dict[str, bytes]:
    """``preview/``: a quick-look PNG of the imagettes side by side, a KML overlay and the HTML
    page."""
    from ._raster import raster_bytes

    strip = np.concatenate([s[::2, ::2] for s in sigmas], axis=1)
    grey = np.clip((strip + 30.0) * 255.0 / 30.0, 0, 255).astype(np.uint8)
    return preview_files(entry, f, raster_bytes(grey, driver="PNG"))
