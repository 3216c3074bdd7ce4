"""Sentinel-1 SLC products in the SAFE layout: IW's three TOPS sub-swaths of a few bursts each,
EW's five (``EW_SLC__1S``, HH+HV), or one stripmap beam without bursts (``S1_SLC__1S``..., file
swath ``s1``..``s6``). A mode is data: its sub-swath layouts in :data:`MODE_SWATHS`, its incidence
range in :data:`._s1_modes.MODES`.

Shaped after the real ``S1B_IW_SLC__1SDV_20210401T052622_...`` in
``reference/samples/products/sentinel-1``::

    <Name>.SAFE/
      manifest.safe
      annotation/s1a-iw1-slc-vh-<start>-<stop>-<orbit>-<datatake>-001.xml   (IW1..IW3 x VH, VV)
      annotation/calibration/calibration-s1a-iw1-slc-vh-...-001.xml
      annotation/calibration/noise-s1a-iw1-slc-vh-...-001.xml
      measurement/s1a-iw1-slc-vh-...-001.tiff   (complex int16, GCPs in EPSG:4326)

As in real products, a swath's files carry its own first and last line times, and images are
numbered cross-polarisation first: VH is ``001``..``003`` (IW1..IW3), VV ``004``..``006``.

A *decimated* SLC: each swath has a few bursts (:data:`SWATHS`: IW2 four, IW1 and IW3 three) of
~40 lines by ~200 samples, staggered along azimuth like the real swaths (IW2 first and last, IW3
a third of a burst cycle later, IW1 two thirds). ``azimuthTimeInterval`` is stretched so that IW2
spans the catalogue's start to stop, and the range sampling rate divided by
:data:`RANGE_DECIMATION` so each swath spans its real slant-range extent; the geolocation grid
(lines at burst starts plus the last line, as real SLCs have it) and the TIFF GCPs place the image
on the catalogue footprint, bilinear in (azimuth time, slant range time). Bursts overlap in time
(:data:`BURST_CYCLE` lines between burst starts); each burst's first and last lines and a few
edge samples are invalid (zero, ``firstValidSample`` -1), as real bursts have.

Pixels are the synthetic Earth's backscatter at each sample's place, incidence and time, as
single-look complex samples (:mod:`._s1_pixels`): amplitude from the scene's sigma0 through the
sigma-nought LUT with single-look speckle, a hashed uniform phase. The GRD of the same
acquisition shows the same scene.

Values: :func:`expected_dn` (pixels), :func:`expected_sigma0` (the speckled backscatter they
encode), :func:`expected_sigma_nought` (calibration LUT), :func:`azimuth_time` and
:func:`geolocation` (coordinates). The encoded TIFFs are cached per swath, polarisation and
acquisition (:func:`_measurement`), the scene's sample points per footprint; the XML is written
from :mod:`._s1_slc_xml`.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _s1_slc_xml as slc_xml
from ._raster import raster_bytes
from ._s1_common import RANGE_SAMPLING_RATE, Facts, haversine, manifest, orbit_list
from ._s1_modes import MODES
from ._s1_pixels import Acquisition, backscatter, complex_dn, place, single_look

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BURST_CYCLE",
    "EW_SWATHS",
    "MODE_SWATHS",
    "RANGE_DECIMATION",
    "SWATHS",
    "SwathSpec",
    "azimuth_time",
    "build_slc",
    "burst_times",
    "expected_dn",
    "expected_sigma0",
    "expected_sigma_nought",
    "geolocation",
    "grid_lines",
    "grid_pixels",
    "image_numbers",
    "incidence_angle",
    "mode_swaths",
    "slant_range_time",
    "swath_shape",
]


@dataclass(frozen=True)
class SwathSpec:
    """The layout of one sub-swath."""

    bursts: int
    lines_per_burst: int
    samples: int
    offset: int
    """First line of the first burst, in azimuth time intervals after the product start."""
    slant_range_time: float
    """Two-way slant range time of the first sample (s): the real swath's."""
    steering_rate: float
    """``azimuthSteeringRate`` (degrees/s), the real swath's."""
    sigma_nought: float
    """Sigma-nought LUT value at line 0, pixel 0."""
    tops: bool = True
    """TOPS (IW, EW): bursts, each with invalid first and last lines; stripmap: one image."""

    @property
    def lines(self) -> int:
        return self.bursts * self.lines_per_burst


#: IW1 and IW2 slant range times and steering rates are the real sample's; IW3's are
#: approximations (the sample lacks IW3's annotation).
SWATHS: dict[str, SwathSpec] = {
    "IW1": SwathSpec(3, 40, 200, 24, 5.343035814454385e-03, 1.590368784, 330.0),
    "IW2": SwathSpec(4, 43, 236, 0, 5.652320550663123e-03, 9.798633249999998e-01, 345.0),
    "IW3": SwathSpec(3, 41, 228, 12, 6.029500000000000e-03, 1.402720928, 360.0),
}
#: EW's five sub-swaths: decimated like IW's, slant range times and steering rates
#: approximated from EW's 18.9-47 degree incidence range (each swath ~0.4 ms of range).
EW_SWATHS: dict[str, SwathSpec] = {
    f"EW{k + 1}": SwathSpec(3, 40, 250, 7 * k, 4.87e-03 + k * 4.05e-04, rate, 320.0 + 15 * k)
    for k, rate in enumerate((2.390895448, 2.811502724, 2.366195855, 2.512694636, 2.122855427))
}
#: Sub-swaths of each mode (the product name's second field): stripmap beams are one image of
#: 120 lines by 160 samples (~80 km), no bursts.
MODE_SWATHS: dict[str, dict[str, SwathSpec]] = {
    "IW": SWATHS,
    "EW": EW_SWATHS,
    **{
        beam: {beam: SwathSpec(1, 120, 160, 0, mode.near_slant_range_time, 0.0, 340.0, False)}
        for beam, mode in MODES.items()
        if mode.mode == "SM"
    },
}
_BEAM_OF = {name: beam for beam, table in MODE_SWATHS.items() for name in table}
#: Lines between the starts of consecutive bursts (bursts are longer: they overlap in time).
BURST_CYCLE = 36


def _span(table: dict[str, SwathSpec]) -> int:
    """Azimuth time intervals from a mode's first line to its last (IW: IW2's first and last)."""
    return max(
        s.offset + (s.bursts - 1) * BURST_CYCLE + s.lines_per_burst - 1 for s in table.values()
    )


INTERVALS = _span(SWATHS)
#: One sample stands for this many real ones (6.43e7 Hz real range sampling rate).
RANGE_DECIMATION = 108
SAMPLING_RATE = RANGE_SAMPLING_RATE / RANGE_DECIMATION
INVALID_LINES = 1  # invalid lines at each end of a burst
FIRST_VALID_SAMPLE = 5
INVALID_FAR_SAMPLES = 6  # the last valid sample is ``samples - 1 - INVALID_FAR_SAMPLES``
#: Time from a burst's first zero-Doppler line to its first sensed line (the real sample's).
SENSING_DELAY = timedelta(microseconds=1_137_923)
BURST_ID_T_BEAM = 2.758273  # s, ESA burst ID definition
BURST_ID_T_PRE = 2.299849
ORBIT_PERIOD = 12 * 86_400 / 175


def _spec(swath: str) -> SwathSpec:
    beam = _BEAM_OF.get(swath.upper())
    if beam is None:
        raise ValueError(f"swath must be one of {', '.join(_BEAM_OF)}, got {swath!r}")
    return MODE_SWATHS[beam][swath.upper()]


def _table(swath: str) -> dict[str, SwathSpec]:
    """The sub-swaths of ``swath``'s mode."""
    _spec(swath)
    return MODE_SWATHS[_BEAM_OF[swath.upper()]]


def mode_swaths(entry: Entry) -> dict[str, SwathSpec]:
    """The sub-swaths of ``entry``'s mode (IW1..IW3, EW1..EW5 or one stripmap beam)."""
    return MODE_SWATHS[entry.name[4:6]]


def swath_shape(swath: str) -> tuple[int, int]:
    """``(lines, samples)`` of a swath's image."""
    spec = _spec(swath)
    return spec.lines, spec.samples


def image_numbers(
    polarisations: tuple[str, ...], swaths: tuple[str, ...] = tuple(SWATHS)
) -> dict[tuple[str, str], str]:
    """``(swath, pol)`` -> image number: cross-polarisation first (IW: VH ``001``-``003``, VV
    ``004``-``006``), as the real dual-polarisation SLC numbers them."""
    ordered = sorted(polarisations, key=lambda p: p[0] == p[1])
    return {
        (swath, pol): f"{1 + p * len(swaths) + s:03d}"
        for p, pol in enumerate(ordered)
        for s, swath in enumerate(swaths)
    }


def _valid(spec: SwathSpec, line: Any, pixel: Any) -> Any:
    k = np.asarray(line) % spec.lines_per_burst
    pixel = np.asarray(pixel)
    invalid = INVALID_LINES if spec.tops else 0
    return (
        (k >= invalid)
        & (k < spec.lines_per_burst - invalid)
        & (pixel >= FIRST_VALID_SAMPLE)
        & (pixel <= spec.samples - 1 - INVALID_FAR_SAMPLES)
    )


def expected_dn(entry: Entry, swath: str, polarisation: str, line: Any, pixel: Any) -> Any:
    """Complex digital number (complex64 of int16 parts) at ``(line, pixel)`` of a swath of
    ``entry``: ``expected_sigma_nought * sqrt(sigma0) * exp(i phase)`` rounded, with sigma0 the
    speckled backscatter (:func:`expected_sigma0`) and a hashed phase; 0 on invalid lines and
    samples (the first and last line of each burst, the near and far edge samples). Works on
    arrays."""
    return _images(*_image_key(entry, swath, polarisation))[1][np.asarray(line), np.asarray(pixel)]


def expected_sigma0(entry: Entry, swath: str, polarisation: str, line: Any, pixel: Any) -> Any:
    """The backscatter (dB, float32; NaN on invalid samples) that a swath's sample encodes: the
    scene's sigma0 at its place, incidence and time, with single-look speckle."""
    return _images(*_image_key(entry, swath, polarisation))[0][np.asarray(line), np.asarray(pixel)]


def _image_key(
    entry: Entry, swath: str, polarisation: str
) -> tuple[Acquisition, tuple[int, int], str, str]:
    facts = Facts.from_entry(entry, "SLC")
    if swath.upper() not in mode_swaths(entry):
        raise ValueError(
            f"swath must be one of {', '.join(mode_swaths(entry))} (the product's), got {swath!r}"
        )
    pol = polarisation.upper()
    if pol not in facts.polarisations:
        raise ValueError(
            f"polarisation must be one of {', '.join(facts.polarisations)} (the product's), "
            f"got {polarisation!r}"
        )
    return Acquisition.of(facts), _timing(entry), swath.upper(), pol


@functools.lru_cache(maxsize=12)
def _images(
    acq: Acquisition, timing: tuple[int, int], swath: str, pol: str
) -> tuple[np.ndarray, np.ndarray]:
    """(speckled sigma0 in dB, complex DN) of a whole swath image, read-only."""
    spec = _spec(swath)
    lines, pixels = np.arange(spec.lines)[:, None], np.arange(spec.samples)[None, :]
    interval, duration = timing
    u = _range_fraction(swath, np.arange(spec.samples))
    base = backscatter(acq, pol, u, _intervals(swath, np.arange(spec.lines)) * interval / duration)
    spread, phasor = single_look(acq.seed("SLC", swath, pol), lines, pixels)
    valid = _valid(spec, lines, pixels)
    dn = complex_dn(base, expected_sigma_nought(swath, lines, pixels), spread, phasor)
    dn[~valid] = 0
    sigma = np.where(valid, base + np.float32(10.0) * np.log10(spread), np.nan)
    sigma = sigma.astype(np.float32)
    sigma.flags.writeable = dn.flags.writeable = False
    return sigma, dn


def expected_sigma_nought(swath: str, line: Any, pixel: Any) -> Any:
    """The sigma-nought LUT of a swath: ``sigma0_swath - 0.05*pixel + 0.02*line``.

    Linear in line and pixel, so its bilinear interpolation at any image pixel equals this
    formula (the LUT's lines run from before the first line to after the last).
    """
    spec = _spec(swath)
    line = np.asarray(line, dtype=np.float64)
    return spec.sigma_nought - 0.05 * np.asarray(pixel, dtype=np.float64) + 0.02 * line


def _noise_range(swath: str, line: Any, pixel: Any) -> Any:
    shape = np.broadcast(line, pixel).shape
    return np.broadcast_to(480.0 - 0.8 * np.asarray(pixel, dtype=np.float64), shape)


def slant_range_time(swath: str, pixel: Any) -> Any:
    """Two-way slant range time (s) of a swath's samples."""
    return _spec(swath).slant_range_time + np.asarray(pixel, dtype=np.float64) / SAMPLING_RATE


def incidence_angle(swath: str, pixel: Any) -> Any:
    """Incidence angle (degrees) of a swath's samples: linear in slant range time from the
    mode's near range (IW1's) to its far range (IW3's)."""
    near, far = MODES[_BEAM_OF[swath.upper()]].incidence
    return near + (far - near) * _range_fraction(swath, pixel)


def grid_pixels(swath: str) -> tuple[int, ...]:
    """Pixels of the geolocation grid's columns: 21, evenly spaced, first to last sample."""
    spec = _spec(swath)
    return tuple(round(p) for p in np.linspace(0, spec.samples - 1, 21))


def grid_lines(swath: str) -> tuple[int, ...]:
    """Lines of the geolocation grid's rows: each burst's first line and the last line (TOPS);
    ten evenly spaced lines (stripmap)."""
    spec = _spec(swath)
    if not spec.tops:
        return tuple(round(v) for v in np.linspace(0, spec.lines - 1, 10))
    return (*range(0, spec.lines, spec.lines_per_burst), spec.lines - 1)


def _timing(entry: Entry) -> tuple[int, int]:
    """``(interval, duration)`` in microseconds: the azimuth time interval and the product's
    duration (from the catalogue's start and stop)."""
    duration = round((entry.end - entry.start) / timedelta(microseconds=1))
    return duration // _span(mode_swaths(entry)), duration


def _intervals(swath: str, line: Any) -> Any:
    """Azimuth time intervals from the product start to each line (bursts restart)."""
    spec = _spec(swath)
    line = np.asarray(line, dtype=np.int64)
    burst = np.clip(line // spec.lines_per_burst, 0, spec.bursts - 1)
    return spec.offset + burst * BURST_CYCLE + line - burst * spec.lines_per_burst


def burst_times(entry: Entry, swath: str) -> np.ndarray:
    """Zero-Doppler time of the first line of each burst of a swath (``datetime64[ns]``)."""
    spec = _spec(swath)
    return azimuth_time(entry, swath, np.arange(spec.bursts) * spec.lines_per_burst)


def azimuth_time(entry: Entry, swath: str, line: Any) -> np.ndarray:
    """Zero-Doppler time of lines of a swath (``datetime64[ns]``): each burst's lines follow
    its first line at the azimuth time interval."""
    interval, _ = _timing(entry)
    start = np.datetime64(entry.start.replace(tzinfo=None), "us")
    micros = _intervals(swath, line) * interval
    return (start + micros.astype("timedelta64[us]")).astype("datetime64[ns]")


def _range_fraction(swath: str, pixel: Any) -> Any:
    """Slant range time across the mode's swaths: 0 at the first's near range (IW1's), 1 at the
    last's far range (IW3's)."""
    names = list(_table(swath))
    far = slant_range_time(names[-1], _spec(names[-1]).samples - 1)
    near = _spec(names[0]).slant_range_time
    return (slant_range_time(swath, pixel) - near) / (far - near)


def _fractions(entry: Entry, swath: str, line: Any, pixel: Any) -> tuple[Any, Any]:
    """``(range, azimuth)`` fractions of the footprint: slant range time across the mode's
    swaths, azimuth time from the product's start to its stop."""
    interval, duration = _timing(entry)
    return _range_fraction(swath, pixel), _intervals(swath, line) * interval / duration


def geolocation(entry: Entry, swath: str, line: Any, pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a swath's image coordinates, bilinear between the footprint's corners.

    Right-looking radar, as for GRD: ascending, the first line is southern and near range
    western; descending, the first line is northern and near range eastern.
    """
    facts = Facts.from_entry(entry, "SLC")
    return place(facts.quad, facts.ascending, *_fractions(entry, swath, line, pixel))


def build_slc(entry: Entry) -> dict[str, bytes]:
    """The files of an SLC SAFE product (IW, EW or stripmap)."""
    return _Product(entry).files()


@dataclass(frozen=True)
class _Tiff:
    data: bytes
    stamp_at: int
    """Offset of the ``TIFFTAG_DATETIME`` value, stamped per product."""
    mission_at: int
    """Offset of the mission letter in ``TIFFTAG_IMAGEDESCRIPTION``."""
    burst_offsets: tuple[int, ...]
    """Byte offset of each burst's first line (the annotation's ``byteOffset``)."""
    head_md5: Any
    """MD5 state of the bytes before the first placeholder (GDAL writes the tags last, so the
    pixels need not be hashed again for each product)."""

    def stamped(self, mission: str, when: datetime) -> tuple[bytes, str]:
        """The file of a product, its mission letter and processing time written in, and its
        MD5."""
        stamp = f"{when:%Y:%m:%d %H:%M:%S}".encode()
        if len(stamp) != len(_STAMP):
            raise ValueError(f"cannot write {when!r} as a TIFF date")
        out = bytearray(self.data)
        out[self.stamp_at : self.stamp_at + len(stamp)] = stamp
        out[self.mission_at] = ord(mission[-1])
        md5 = self.head_md5.copy()
        md5.update(memoryview(out)[min(self.stamp_at, self.mission_at) :])
        return bytes(out), md5.hexdigest()


_STAMP = "0000:00:00 00:00:00"


def _description(swath: str) -> str:
    """``TIFFTAG_IMAGEDESCRIPTION``, ``_`` standing for the mission letter: ``Sentinel-1_ IW SLC
    L1`` (the mode's name field: ``EW``, ``S3``...)."""
    return f"Sentinel-1_ {_BEAM_OF[swath]} SLC L1"


@functools.lru_cache(maxsize=36)
def _measurement(
    key: tuple[Acquisition, tuple[int, int], str, str],
    gcps: tuple[tuple[float, ...], ...],
    ipf: str,
) -> _Tiff:
    """A swath's TIFF for one acquisition, swath and polarisation (``key`` as
    :func:`_image_key` gives it; ``gcps``: ``(line, pixel, lon, lat)``), mission and date left
    as placeholders. Uncompressed, one line per strip, as the real ones. Cached (a product is
    often built twice: for its checksums, then for its bytes).
    """
    from rasterio.control import GroundControlPoint
    from rasterio.io import MemoryFile

    spec = _spec(key[2])
    description = _description(key[2])
    data = raster_bytes(
        _images(*key)[1],
        driver="GTiff",
        crs="EPSG:4326",
        gcps=[GroundControlPoint(row=r, col=c, x=x, y=y, z=0.0) for r, c, x, y in gcps],
        tags={
            "TIFFTAG_IMAGEDESCRIPTION": description,
            "TIFFTAG_SOFTWARE": f"Sentinel-1 IPF {ipf}",
            "TIFFTAG_DATETIME": _STAMP,
        },
        dtype="complex_int16",
        blockysize=1,
    )
    with MemoryFile(data) as memfile, memfile.open() as ds:
        offsets = tuple(
            int(ds.get_tag_item(f"BLOCK_OFFSET_0_{b * spec.lines_per_burst}", "TIFF", bidx=1))
            for b in range(spec.bursts)
        )
    stamp_at = data.index(_STAMP.encode())
    mission_at = data.index(description.encode()) + description.index("_")
    head = hashlib.md5(data[: min(stamp_at, mission_at)], usedforsecurity=False)
    return _Tiff(data, stamp_at, mission_at, offsets, head)


class _Swath:
    """One swath of a product: its times, geolocation grid and encoded images."""

    def __init__(self, product: _Product, name: str) -> None:
        self.name = name
        self.spec = spec = _spec(name)
        entry = product.facts.entry
        self.interval = product.interval
        self.bursts = [_datetime(t) for t in burst_times(entry, name)]
        self.start = self.bursts[0]
        self.stop = _datetime(azimuth_time(entry, name, spec.lines - 1))
        rows, columns = np.meshgrid(grid_lines(name), grid_pixels(name), indexing="ij")
        lon, lat = geolocation(entry, name, rows, columns)
        self.grid = tuple(
            zip(
                rows.ravel().tolist(),
                columns.ravel().tolist(),
                lon.ravel().tolist(),
                lat.ravel().tolist(),
                strict=True,
            )
        )

    def line_time(self, line: int) -> datetime:
        """Time of a line, also before the first and after the last (LUT lines)."""
        burst = min(max(line // self.spec.lines_per_burst, 0), self.spec.bursts - 1)
        offset = line - burst * self.spec.lines_per_burst
        return self.bursts[burst] + offset * self.interval


def _datetime(value: np.datetime64) -> datetime:
    micros = int(np.datetime64(value, "us").astype(np.int64))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


class _Product:
    def __init__(self, entry: Entry) -> None:
        self.facts = facts = Facts.from_entry(entry, "SLC")
        self.timing = _timing(entry)
        interval = self.timing[0]
        if interval <= 0:
            raise ValueError(f"{entry.name}: the product's stop must follow its start")
        self.interval = timedelta(microseconds=interval)
        self.acquisition = Acquisition.of(facts)
        quad = facts.quad
        # Ground speed from the footprint's length over the product's duration.
        speed = haversine(quad.sw, quad.nw) / (entry.end - entry.start).total_seconds()
        self.azimuth_spacing = speed * self.interval.total_seconds()
        self.table = mode_swaths(entry)
        self.numbers = image_numbers(facts.polarisations, tuple(self.table))
        self.orbit = orbit_list(facts)  # the annotations' orbitList (the same for every swath)
        self.swaths = {name: _Swath(self, name) for name in self.table}

    def stem(self, swath: str, pol: str) -> str:
        s = self.swaths[swath]
        return (
            f"{self.facts.mission.lower()}-{swath.lower()}-slc-{pol.lower()}-"
            f"{s.start:%Y%m%dt%H%M%S}-{s.stop:%Y%m%dt%H%M%S}-{self.facts.orbit:06d}-"
            f"{self.facts.datatake:06x}-{self.numbers[swath, pol]}"
        )

    def files(self) -> dict[str, bytes]:
        facts = self.facts
        entry = facts.entry
        ipf = str(entry.attribute("processorVersion", "003.71"))
        files: dict[str, bytes] = {}
        checksums: dict[str, str] = {}
        for name, swath in self.swaths.items():
            tiffs = {
                pol: _measurement((self.acquisition, self.timing, name, pol), swath.grid, ipf)
                for pol in facts.polarisations
            }
            # VV and VH share the swath's annotation, LUTs and burst layout: only the header
            # (polarisation, image number) differs.
            offsets = tiffs[facts.polarisations[0]].burst_offsets
            bodies = slc_xml.bodies(self, swath, offsets)
            for pol, tiff in tiffs.items():
                stem = self.stem(name, pol)
                number = self.numbers[name, pol]
                head = slc_xml.header(facts, pol, swath, number)
                files[f"annotation/{stem}.xml"] = slc_xml.document("product", head, bodies[0])
                files[f"annotation/calibration/calibration-{stem}.xml"] = slc_xml.document(
                    "calibration", head, bodies[1]
                )
                files[f"annotation/calibration/noise-{stem}.xml"] = slc_xml.document(
                    "noise", head, bodies[2]
                )
                path = f"measurement/{stem}.tiff"
                files[path], checksums[path] = tiff.stamped(facts.mission, entry.origin)
        order = sorted(self.numbers, key=self.numbers.__getitem__)
        # (last line, near), (last line, far), (first line, far), (first line, near): the
        # real manifests' order
        lon, lat = place(facts.quad, facts.ascending, [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0])
        files["manifest.safe"] = manifest(
            facts,
            product_type="SLC",
            swaths=tuple(self.table),
            stems=[self.stem(swath, pol) for swath, pol in order],
            files=files,
            corners=list(zip(lon.tolist(), lat.tolist(), strict=True)),
            checksums=checksums,
        ).encode()
        return files

    def burst_ids(self, swath: _Swath) -> list[tuple[int, int]]:
        """``(relative, absolute)`` burst IDs (ESA's definition, applied to the first burst
        cycle; the decimated bursts stand for consecutive real ones, so IDs follow on)."""
        near = next(iter(self.swaths.values()))  # IW1, EW1
        first = near.bursts[0] + near.spec.lines_per_burst / 2 * self.interval
        since_anx = (first - self.facts.anx).total_seconds()

        def burst_id(orbit: int) -> int:
            t = since_anx + (orbit - 1) * ORBIT_PERIOD - BURST_ID_T_PRE
            return 1 + math.floor(t / BURST_ID_T_BEAM)

        relative, absolute = burst_id(self.facts.rel_orbit), burst_id(self.facts.orbit)
        return [(relative + b, absolute + b) for b in range(swath.spec.bursts)]
