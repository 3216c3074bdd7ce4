"""Sentinel-1 orbit files (``AUX_POEORB``, ``AUX_RESORB``): Earth Explorer XML of orbit states.

What the real CDSE holds and delivers (sources in brackets; ``reference/`` is the shared
reference folder):

- Name ``S1A_OPER_AUX_POEORB_OPOD_<created>_V<validity start>_<validity stop>.EOF`` (and
  ``AUX_RESORB``), times ``YYYYMMDDTHHMMSS`` UTC [CDSETool ``odata_page_3..5.json``, sentineleof
  cassettes and ``eof/products.py``]. One record per file: ``ContentType`` and
  ``@odata.mediaContentType`` ``application/octet-stream``, ``Footprint``/``GeoFootprint`` null,
  ``ContentDate`` = the validity window (``.000000Z``), attributes origin, platformShortName,
  instrumentShortName ``SAR``, platformSerialIdentifier, productType, beginning/endingDateTime.
- ``S3Path`` ``/eodata/Sentinel-1/AUX/<productType>/<YYYY/MM/DD of ContentDate/Start>/<Name>``:
  a single object, the bare ``.EOF`` (for POEORB the folder is the day *before* the covered day).
- ``$value`` returns the raw EOF XML, not a zip, although the response says ``Content-Type:
  application/zip``; ``Content-Disposition: attachment; filename=<Name>`` and ``Content-Length``
  = ``ContentLength`` (POEORB 4,410,922 bytes) [sentineleof ``test_download_mission_date.yaml``,
  recorded 2025-10-13; ``reference/cdse-api.md`` §2.2]. sentineleof saves the body as ``<Name>``
  and parses it with ElementTree at ``./Data_Block/List_of_OSVs/OSV`` [``eof/parsing.py``].
- POEORB: one file a day, validity ``D-1 23:00:00`` to ``D+1 01:00:00`` GPS time (26 h), i.e.
  ``22:59:42``-``00:59:42`` UTC since 2017 (TAI-UTC 37 s), ``22:59:44`` in 2014 (35 s); created
  ~12:20 UTC 20 days after the covered day D (``…_OPOD_20210203T122423_V20210113T225942_…``);
  reprocessed archives carry later creation dates (``20210301`` for 2014 files). 9,361 OSVs.
- RESORB: one file per orbit, starting at the ascending node (ANX) of each orbit, so every
  ~5924.6 s (starts alternate 5925/5924 s apart), each 11,850 s long (two orbits and a second:
  consecutive files overlap by one orbit), created 20-45 min after the validity stop
  (``…_OPOD_20250310T220905_V20250310T180852_20250310T212622.EOF``, ~590 kB, 1,186 OSVs)
  [sentineleof ``test_query_resorb_s1_reader_issue68.yaml``, ASF bucket listing
  ``test_list_public_bucket_resorb.yaml``].
- Content (a real POEORB, the cassette above): ``Earth_Explorer_Header`` (``Fixed_Header``:
  File_Name without ``.EOF``, File_Description, Notes, Mission ``Sentinel-1A``, File_Class
  ``OPER``, File_Type, Validity_Period ``UTC=…``, File_Version ``0001``, Source System/Creator
  ``OPOD``/Creator_Version/Creation_Date; ``Variable_Header``: Ref_Frame ``EARTH_FIXED``,
  Time_Reference ``UTC``) and ``Data_Block type="xml"`` with ``List_of_OSVs count=…``: an ``OSV``
  every 10 s from validity start to stop inclusive with TAI/UTC/UT1 (``TAI=…`` µs), the
  ``Absolute_Orbit`` (``+30598``; it steps at each ANX), X/Y/Z (m) and VX/VY/VZ (m/s) with six
  decimals in the Earth-fixed frame, Quality ``NOMINAL``. Unverified: the RESORB
  File_Description and whether RESORB OSVs sit on the same 10 s grid from the validity start.

The orbit here is a circular-ish sun-synchronous orbit in the Earth-fixed frame: the 12-day,
175-orbit repeat fixes the nodal period (5924.57 s) and, by Kepler, a = 7,076.7 km; inclination
98.18°; ascending node at 18:00 mean local solar time, so its longitude turns once per solar
day; frozen eccentricity 0.0006 with perigee over the north pole (|r| 7.072-7.081e6 m, |v| in
the rotating frame 7.57-7.60e3 m/s). S1A's ANX phase and orbit numbering come from the real POEORB
above (orbit 30599 starts at 2019-12-31T23:04:57 UTC); this model lands within ~10-20 s of the
real RESORB starts of 2023-2025. S1B flies half an orbit apart (its numbering then matches the
real relative orbit formulas, ``(abs-73)%175+1`` for A, ``(abs-27)%175+1`` for B); S1C is on
S1B's slot, numbered from its launch (approximate). UT1-UTC is a smooth made-up series.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "INCLINATION",
    "PERIOD",
    "SEMI_MAJOR",
    "STEP",
    "OrbitFile",
    "build_orbit",
    "eof_bytes",
    "orbit_windows",
    "parse_name",
    "state_vectors",
]

STEP = 10
"""Seconds between state vectors."""
PERIOD = 12 * 86400 / 175
"""Nodal period (s): 175 orbits in the 12-day repeat cycle."""
MU = 3.986004418e14
SEMI_MAJOR = (MU * (PERIOD / (2 * math.pi)) ** 2) ** (1 / 3)
ECCENTRICITY = 6e-4
INCLINATION = 98.18
"""Degrees."""
POEORB_LENGTH = timedelta(hours=26)
RESORB_LENGTH = timedelta(seconds=11_850)
_GPS_TAI = 19  # TAI - GPS, seconds
#: (from, TAI - UTC seconds) since Sentinel-1's time.
_LEAP = ((date(2012, 7, 1), 35), (date(2015, 7, 1), 36), (date(2017, 1, 1), 37))
_DESCRIPTION = {
    "POEORB": "Precise Orbit Ephemerides (POE) Orbit File",
    "RESORB": "Restituted Orbit File",
}
_CREATOR_VERSION = "1.10.1"
NAME = re.compile(
    r"^S1(?P<unit>[A-D])_OPER_AUX_(?P<kind>POEORB|RESORB)_OPOD_(?P<created>\d{8}T\d{6})_"
    r"V(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})\.EOF$"
)


def _anx_reference() -> dict[str, tuple[datetime, int]]:
    """Per unit: one ascending-node crossing (UTC) and the absolute orbit starting there."""
    a = datetime(2019, 12, 31, 23, 4, 57, tzinfo=UTC)
    b = a + timedelta(seconds=PERIOD / 2)
    launch_c = datetime(2024, 12, 5, 21, 20, tzinfo=UTC)
    first_c = b + timedelta(seconds=PERIOD * math.ceil((launch_c - b).total_seconds() / PERIOD))
    return {"A": (a, 30599), "B": (b, 19616), "C": (first_c, 1)}


_ANX = _anx_reference()


@dataclass(frozen=True)
class OrbitFile:
    """One orbit file as the catalogue lists it (all times UTC, whole seconds)."""

    unit: str
    """``A``, ``B`` or ``C``."""
    kind: str
    """``POEORB`` or ``RESORB``."""
    start: datetime
    """Validity start = ContentDate/Start = beginningDateTime."""
    stop: datetime
    created: datetime
    """Creation_Date (in the name; the records' processingDate)."""

    @property
    def product_type(self) -> str:
        return f"AUX_{self.kind}"

    @property
    def name(self) -> str:
        return (
            f"S1{self.unit}_OPER_{self.product_type}_OPOD_{_stamp(self.created)}_"
            f"V{_stamp(self.start)}_{_stamp(self.stop)}.EOF"
        )

    @property
    def s3_path(self) -> str:
        return f"/eodata/Sentinel-1/AUX/{self.product_type}/{self.start:%Y/%m/%d}/{self.name}"

    @property
    def osv_count(self) -> int:
        return int((self.stop - self.start).total_seconds()) // STEP + 1


def orbit_windows(
    unit: str, day: date, kinds: tuple[str, ...] = ("POEORB", "RESORB")
) -> list[OrbitFile]:
    """The orbit files of ``unit`` (``"A"`` or ``"S1A"``) for the UTC ``day`` D.

    POEORB: the one file covering D, valid from D-1 23:00:00 GPS (22:59:42 UTC since 2017) for
    26 h, created D+20 ~12:20 UTC. RESORB: every file whose validity starts on D (14 or 15: one
    per orbit, from its ascending node, 11,850 s long), created 20-45 min after its stop.
    """
    unit = unit.removeprefix("S1").upper()
    if unit not in _ANX:
        raise ValueError(f"unknown Sentinel-1 unit {unit!r}; expected one of A, B, C")
    day = day.date() if isinstance(day, datetime) else day
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    out: list[OrbitFile] = []
    if "POEORB" in kinds:
        tai_utc = _tai_utc(day - timedelta(days=1))
        start = midnight - timedelta(hours=1, seconds=tai_utc - _GPS_TAI)
        jitter = timedelta(seconds=(day.toordinal() * 7919) % 600)
        created = midnight + timedelta(days=20, hours=12, minutes=17) + jitter
        out.append(OrbitFile(unit, "POEORB", start, start + POEORB_LENGTH, created))
    if "RESORB" in kinds:
        ref, _ = _ANX[unit]
        first = math.ceil((midnight - ref).total_seconds() / PERIOD)
        for k in range(first, first + 16):
            start = _whole(ref + timedelta(seconds=k * PERIOD))
            if start.date() != day:
                continue
            stop = start + RESORB_LENGTH
            created = stop + timedelta(minutes=20, seconds=(k * 397) % 1500)
            out.append(OrbitFile(unit, "RESORB", start, stop, created))
    return out


def parse_name(name: str) -> OrbitFile:
    """The :class:`OrbitFile` a name describes; ValueError if it is not an S1 orbit file name."""
    m = NAME.match(name)
    if m is None or m["unit"] not in _ANX:
        raise ValueError(f"Sentinel-1 AUX_POEORB/AUX_RESORB .EOF name expected, got {name!r}")
    start, stop, created = (_parse_stamp(m[k]) for k in ("start", "stop", "created"))
    return OrbitFile(m["unit"], m["kind"], start, stop, created)


def build_orbit(entry: Entry) -> dict[str, bytes]:
    """The product's single ``.EOF`` file, keyed by the product name."""
    return {entry.name: eof_bytes(parse_name(entry.name))}


def state_vectors(unit: str, start: datetime, count: int) -> dict[str, np.ndarray]:
    """``count`` state vectors every :data:`STEP` s from ``start`` (UTC): seconds since
    ``start`` (``t``), ``orbit``, ``x, y, z`` (m) and ``vx, vy, vz`` (m/s), Earth-fixed."""
    ref, ref_orbit = _ANX[unit]
    t = np.arange(count, dtype=np.float64) * STEP
    phase = ((start - ref).total_seconds() + t) / PERIOD
    orbit = ref_orbit + np.floor(phase).astype(np.int64)
    n = 2 * math.pi / PERIOD
    u = 2 * math.pi * (phase - np.floor(phase))
    # node longitude: 18:00 mean local solar time at the node, so -15° per UTC hour
    seconds_of_day = (start - start.replace(hour=0, minute=0, second=0, microsecond=0)).seconds
    rate = 2 * math.pi / 86400
    lam = 1.5 * math.pi - rate * ((seconds_of_day + t) % 86400)
    ci, si = math.cos(math.radians(INCLINATION)), math.sin(math.radians(INCLINATION))
    cu, su, cl, sl = np.cos(u), np.sin(u), np.cos(lam), np.sin(lam)
    r = SEMI_MAJOR * (1 - ECCENTRICITY * su)
    dr = -SEMI_MAJOR * ECCENTRICITY * cu * n
    p = (cl * cu - sl * su * ci, sl * cu + cl * su * ci, su * si)
    dp_du = (-cl * su - sl * cu * ci, -sl * su + cl * cu * ci, cu * si)
    dp_dl = (-sl * cu - cl * su * ci, cl * cu - sl * su * ci, 0.0)
    out: dict[str, np.ndarray] = {"t": t, "orbit": orbit}
    for i, axis in enumerate("xyz"):
        out[axis] = r * p[i]
        out[f"v{axis}"] = dr * p[i] + r * (n * dp_du[i] - rate * np.asarray(dp_dl[i]))
    return out


def eof_bytes(orbit: OrbitFile) -> bytes:
    """The EOF XML of ``orbit``, laid out line for line like the real files."""
    count = orbit.osv_count
    sv = state_vectors(orbit.unit, orbit.start, count)
    first = np.datetime64(orbit.start.replace(tzinfo=None), "us")
    utc = first + np.arange(count) * np.timedelta64(STEP, "s")
    tai = utc + np.timedelta64(_tai_utc(orbit.start.date()), "s")
    ut1 = utc + _ut1_utc(utc)
    strings = [np.datetime_as_string(a, unit="us").tolist() for a in (utc, tai, ut1)]
    columns = [sv[k].tolist() for k in ("x", "y", "z", "vx", "vy", "vz")]
    osv = (
        "    <OSV>\n      <TAI>TAI=%s</TAI>\n      <UTC>UTC=%s</UTC>\n      <UT1>UT1=%s</UT1>\n"
        "      <Absolute_Orbit>%+06d</Absolute_Orbit>\n"
        '      <X unit="m">%.6f</X>\n      <Y unit="m">%.6f</Y>\n      <Z unit="m">%.6f</Z>\n'
        '      <VX unit="m/s">%.6f</VX>\n      <VY unit="m/s">%.6f</VY>\n'
        '      <VZ unit="m/s">%.6f</VZ>\n      <Quality>NOMINAL</Quality>\n    </OSV>\n'
    )
    rows = zip(strings[1], strings[0], strings[2], sv["orbit"].tolist(), *columns, strict=True)
    body = "".join([osv % row for row in rows])
    return (
        _header(orbit, count) + body + "  </List_of_OSVs>\n</Data_Block>\n</Earth_Explorer_File>\n"
    ).encode("ascii")


def _header(orbit: OrbitFile, count: int) -> str:
    return f"""<?xml version="1.0" ?>
<Earth_Explorer_File>
  <Earth_Explorer_Header>
    <Fixed_Header>
      <File_Name>{orbit.name.removesuffix(".EOF")}</File_Name>
      <File_Description>{_DESCRIPTION[orbit.kind]}</File_Description>
      <Notes></Notes>
      <Mission>Sentinel-1{orbit.unit}</Mission>
      <File_Class>OPER</File_Class>
      <File_Type>{orbit.product_type}</File_Type>
      <Validity_Period>
        <Validity_Start>UTC={orbit.start:%Y-%m-%dT%H:%M:%S}</Validity_Start>
        <Validity_Stop>UTC={orbit.stop:%Y-%m-%dT%H:%M:%S}</Validity_Stop>
      </Validity_Period>
      <File_Version>0001</File_Version>
      <Source>
        <System>OPOD</System>
        <Creator>OPOD</Creator>
        <Creator_Version>{_CREATOR_VERSION}</Creator_Version>
        <Creation_Date>UTC={orbit.created:%Y-%m-%dT%H:%M:%S}</Creation_Date>
      </Source>
    </Fixed_Header>
    <Variable_Header>
      <Ref_Frame>EARTH_FIXED</Ref_Frame>
      <Time_Reference>UTC</Time_Reference>
    </Variable_Header>
  </Earth_Explorer_Header>
<Data_Block type="xml">
  <List_of_OSVs count="{count}">
"""


def _tai_utc(day: date) -> int:
    """TAI - UTC (leap seconds) on ``day``; a window is not split at a leap second."""
    return next((s for since, s in reversed(_LEAP) if day >= since), _LEAP[0][1])


def _ut1_utc(utc: np.ndarray) -> np.ndarray:
    """UT1 - UTC, constant over each UTC day (as the real files step it): a smooth made-up
    series within ±0.5 s, equal to the real -0.177124 s on 2019-12-31."""
    days = (utc.astype("datetime64[D]") - np.datetime64("2019-12-31", "D")).astype(np.float64)
    seconds = -0.177124 + 0.25 * np.sin(2 * np.pi * days / 3652.5)
    return np.round(seconds * 1e6).astype(np.int64).astype("timedelta64[us]")


def _whole(value: datetime) -> datetime:
    """``value`` rounded up to a whole second (a RESORB starts at or just after its ANX)."""
    return value.replace(microsecond=0) + timedelta(seconds=1 if value.microsecond else 0)


def _stamp(value: datetime) -> str:
    return f"{value:%Y%m%dT%H%M%S}"


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
