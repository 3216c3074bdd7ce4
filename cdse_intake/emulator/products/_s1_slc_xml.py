"""The XML of a Sentinel-1 SLC swath (IW, EW or stripmap): product annotation, calibration and
noise.

Written as text, element by element in the real files' order (the ``s1b-iw1-slc-vv-...-004.xml``
files of the reference sample), from the layout :mod:`.sentinel1_slc` computes. The polarisations
of a swath share everything but the ``adsHeader``, so :func:`bodies` writes each file's body once
per swath and :func:`document` puts a header on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from . import _xml
from . import sentinel1_slc as slc
from ._s1_annotation import NO_BURSTS, NO_CONVERSION, Image, annotation_lines, noise_azimuth_vector
from ._s1_common import (
    SPEED_OF_LIGHT,
    Facts,
    t,
    vector,
)
from ._s1_common import header as ads_header

if TYPE_CHECKING:
    from .sentinel1_slc import SwathSpec, _Product, _Swath

__all__ = ["bodies", "document", "header"]

#: Absolute calibration constant of SLC products (the reference sample's; GRD carry 1.0).
ABSOLUTE_CALIBRATION_CONSTANT = 1.393


def header(facts: Facts, pol: str, swath: _Swath, number: str) -> str:
    """The ``adsHeader`` of one image's files."""
    mode = facts.mode.mode
    return "\n".join(
        ads_header(facts, "SLC", pol, swath.name, swath.start, swath.stop, number, mode)
    )


def document(root: str, head: str, body: str) -> bytes:
    """A whole annotation file: declaration, root element, header and body."""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n{head}\n{body}'.encode()


def bodies(product: _Product, swath: _Swath, offsets: tuple[int, ...]) -> tuple[str, str, str]:
    """The bodies (after the header, up to the closing root tag) of the product annotation, the
    calibration and the noise XML of a swath; ``offsets``: the bursts' TIFF byte offsets."""
    return (
        "\n".join(_annotation(product, swath, offsets)),
        "\n".join(_calibration(swath)),
        "\n".join(_noise(swath)),
    )


def _vector_pixels(samples: int) -> np.ndarray:
    """Pixels of the calibration and noise vectors: every 10th and the last (real: 40th)."""
    return np.array([*range(0, samples - 1, 10), samples - 1])


def _lut_lines(spec: SwathSpec) -> list[int]:
    """Lines of the calibration vectors: every half burst cycle, from before the first line to
    after the last (real LUTs overhang the image too)."""
    step = slc.BURST_CYCLE // 2
    return list(range(-step, spec.lines + step, step))


@dataclass(frozen=True)
class _Static:
    """The text of a swath that no product changes (LUT values, pixel columns), written once."""

    calibration: tuple[tuple[int, str], ...]
    """``(line, vector after its azimuthTime)`` of each calibration vector."""
    noise_range: tuple[str, ...]
    """Each burst's noise range vector after its azimuthTime."""
    noise_azimuth: str
    valid_samples: str
    """The ``firstValidSample`` and ``lastValidSample`` lines of every burst."""
    grid_pixels: dict[int, tuple[str, str, str]]
    """Pixel -> a grid point's text from azimuthTime's end to the line number, from there to
    the latitude, and after the longitude."""


@functools.lru_cache(maxsize=8)
def _static(name: str) -> _Static:
    spec = slc._spec(name)
    pixels = _vector_pixels(spec.samples)
    pixel_text = "      " + vector("pixel", pixels, "{}")
    beta = vector("betaNought", np.full(pixels.shape, 237.0))
    dn = vector("dn", np.full(pixels.shape, 200.8))
    calibration = []
    for line in _lut_lines(spec):
        sigma = slc.expected_sigma_nought(name, line, pixels)
        text = [
            f"      <line>{line}</line>",
            pixel_text,
            "      " + vector("sigmaNought", sigma),
            f"      {beta}",
            "      " + vector("gamma", sigma * 0.93),
            f"      {dn}",
            "    </calibrationVector>",
        ]
        calibration.append((line, "\n".join(text)))
    noise_range = tuple(
        "\n".join(
            [
                f"      <line>{line}</line>",
                pixel_text,
                "      " + vector("noiseRangeLut", slc._noise_range(name, line, pixels)),
                "    </noiseRangeVector>",
            ]
        )
        for line in range(0, spec.lines, spec.lines_per_burst)
    )
    azimuth_lines = [*range(0, spec.lines - 1, 10), spec.lines - 1]
    lut = [1.0 + 0.002 * (line % spec.lines_per_burst) for line in azimuth_lines]
    noise_azimuth = [
        '  <noiseAzimuthVectorList count="1">',
        *noise_azimuth_vector(name, 0, spec.lines - 1, spec.samples - 1, azimuth_lines, lut),
        "  </noiseAzimuthVectorList>",
    ]
    k = np.arange(spec.lines_per_burst)
    invalid = slc.INVALID_LINES if spec.tops else 0
    valid = (k >= invalid) & (k < spec.lines_per_burst - invalid)
    last = spec.samples - 1 - slc.INVALID_FAR_SAMPLES
    valid_samples = (
        "        "
        + vector("firstValidSample", np.where(valid, slc.FIRST_VALID_SAMPLE, -1), "{}")
        + "\n        "
        + vector("lastValidSample", np.where(valid, last, -1), "{}")
    )
    grid_pixels = {}
    for pixel in slc.grid_pixels(name):
        inc = float(slc.incidence_angle(name, pixel))
        srt = _xml.sci(float(slc.slant_range_time(name, pixel)), 15)
        grid_pixels[pixel] = (
            f"</azimuthTime>\n        <slantRangeTime>{srt}</slantRangeTime>\n        <line>",
            f"</line>\n        <pixel>{pixel}</pixel>\n        <latitude>",
            "</longitude>\n        <height>0.000000000000000e+00</height>\n"
            f"        <incidenceAngle>{_xml.sci(inc, 15)}</incidenceAngle>\n"
            f"        <elevationAngle>{_xml.sci(inc - 3.3, 15)}</elevationAngle>\n"
            "      </geolocationGridPoint>",
        )
    return _Static(
        calibration=tuple(calibration),
        noise_range=noise_range,
        noise_azimuth="\n".join(noise_azimuth),
        valid_samples=valid_samples,
        grid_pixels=grid_pixels,
    )


def _calibration(swath: _Swath) -> list[str]:
    static = _static(swath.name)
    lines = [
        "  <calibrationInformation>",
        "    <absoluteCalibrationConstant>"
        f"{_xml.sci(ABSOLUTE_CALIBRATION_CONSTANT)}</absoluteCalibrationConstant>",
        "  </calibrationInformation>",
        f'  <calibrationVectorList count="{len(static.calibration)}">',
    ]
    for line, text in static.calibration:
        lines += [
            "    <calibrationVector>",
            f"      <azimuthTime>{t(swath.line_time(line))}</azimuthTime>",
            text,
        ]
    return [*lines, "  </calibrationVectorList>", "</calibration>", ""]


def _noise(swath: _Swath) -> list[str]:
    """One range vector per burst, at its first line; one azimuth vector for the swath."""
    static = _static(swath.name)
    lines = [f'  <noiseRangeVectorList count="{len(static.noise_range)}">']
    for when, text in zip(swath.bursts, static.noise_range, strict=True):
        lines += ["    <noiseRangeVector>", f"      <azimuthTime>{t(when)}</azimuthTime>", text]
    return [*lines, "  </noiseRangeVectorList>", static.noise_azimuth, "</noise>", ""]


def _burst_list(product: _Product, swath: _Swath, offsets: tuple[int, ...]) -> list[str]:
    spec = swath.spec
    valid_samples = _static(swath.name).valid_samples
    lines = [
        "  <swathTiming>",
        f"    <linesPerBurst>{spec.lines_per_burst}</linesPerBurst>",
        f"    <samplesPerBurst>{spec.samples}</samplesPerBurst>",
        f'    <burstList count="{spec.bursts}">',
    ]
    ids = product.burst_ids(swath)
    for when, offset, (relative, absolute) in zip(swath.bursts, offsets, ids, strict=True):
        anx = (when - product.facts.anx).total_seconds()
        lines += [
            "      <burst>",
            f"        <azimuthTime>{t(when)}</azimuthTime>",
            f"        <azimuthAnxTime>{_xml.sci(anx, 15)}</azimuthAnxTime>",
            f"        <sensingTime>{t(when + slc.SENSING_DELAY)}</sensingTime>",
            f"        <byteOffset>{offset}</byteOffset>",
            valid_samples,
            f'        <burstId absolute="{absolute}">{relative}</burstId>',
            "      </burst>",
        ]
    return [*lines, "    </burstList>", "  </swathTiming>"]


def _grid(swath: _Swath) -> list[str]:
    pixels = _static(swath.name).grid_pixels
    lines = [
        "  <geolocationGrid>",
        f'    <geolocationGridPointList count="{len(swath.grid)}">',
    ]
    heads: dict[int, str] = {}
    for line, pixel, lon, lat in swath.grid:
        if line not in heads:
            heads[line] = (
                f"      <geolocationGridPoint>\n        <azimuthTime>{t(swath.line_time(line))}"
            )
        to_line, to_latitude, tail = pixels[pixel]
        lines.append(
            f"{heads[line]}{to_line}{line}{to_latitude}{lat:.15e}</latitude>\n"
            f"        <longitude>{lon:.15e}{tail}"
        )
    return [*lines, "    </geolocationGridPointList>", "  </geolocationGrid>"]


def _annotation(product: _Product, swath: _Swath, offsets: tuple[int, ...]) -> list[str]:
    facts = product.facts
    spec = swath.spec
    # Doppler centroid and FM rate estimates at the middle of each burst.
    middles: list[datetime] = [
        b + spec.lines_per_burst // 2 * product.interval for b in swath.bursts
    ]
    image = Image(
        facts=facts,
        projection="Slant Range",
        sampling_rate=slc.SAMPLING_RATE,
        steering_rate=spec.steering_rate,
        orbit=product.orbit,
        times=middles,
        slant_range_time=spec.slant_range_time,
        start=swath.start,
        stop=swath.stop,
        anchor=facts.start,
        composition="Slice",
        slice_number=facts.entry.attribute("sliceNumber", 1),
        detected=False,
        range_spacing=SPEED_OF_LIGHT / 2 / slc.SAMPLING_RATE,
        azimuth_spacing=product.azimuth_spacing,
        interval=product.interval.total_seconds(),
        samples=spec.samples,
        lines=spec.lines,
        incidence=float(slc.incidence_angle(swath.name, (spec.samples - 1) / 2)),
        tops=spec.tops,
    )
    timing = _burst_list(product, swath, offsets) if spec.tops else NO_BURSTS
    return [*annotation_lines(image, timing, _grid(swath), NO_CONVERSION), ""]
