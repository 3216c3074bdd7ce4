"""Sentinel-1 Level-0 products (``IW_RAW__0S``, ``EW_RAW__0S``, ``WV_RAW__0S``, ``S<n>_RAW__0S``)
in the SAFE layout::

    <Name>.SAFE/
      manifest.safe
      s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>.dat         (the ISPs)
      s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>-annot.dat   (one record per ISP)
      s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>-index.dat   (one record per block)

one triple per polarisation (``vh`` too for dual polarisation). Real (ESA's Sentinel-1 SAR
Space Packet Protocol Data Unit and Level-0 product format specification; the open decoders
``sentinel1decoder`` and ``sentinel1_level0`` read them): the measurement file is a sequence of
CCSDS space packets, big-endian: a 6-byte primary header (version 0, type 0, secondary header
flag, PID 65 and category 12, sequence flags and count, data length minus one), a 62-byte
secondary header (GPS coarse and fine time, sync marker ``0x352EF853``, data take ID, ECC
number, counters, radar configuration, swath number, number of quads) and the user data, each
packet a multiple of 4 bytes. The annotation file has a 26-byte record per packet (sensing and
downlink times as days, milliseconds and microseconds since 2000-01-01, packet length, frames,
missing frames, CRC flag, virtual channel, channel, spare); the index file a 36-byte record
per block of packets (MJD2000 time and time span as doubles, block size, packet number, byte
offset, variable-size flag, spare).

Decimated: :data:`PACKETS` packets per polarisation of :data:`USER_BYTES` bytes of user data
(real: ~50,000 packets of ~10-20 kB each per IW slice), noise-like bytes as compressed echoes
look. Inferred: the ECC numbers per mode and the user data's content (not decodable BAQ).
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._s1_common import Facts
from ._s1_l0l2 import FileObject, facts, manifest, mode_of

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["ANNOT_RECORD", "FAMILY_BUILDERS", "INDEX_RECORD", "PACKETS", "build", "stems"]

PACKETS = 96
USER_BYTES = 192
#: Packets per index block.
BLOCK = 16
ANNOT_RECORD = 26
INDEX_RECORD = 36
SYNC = 0x352EF853
GPS_EPOCH = datetime(1980, 1, 6, tzinfo=UTC)
MJD2000 = datetime(2000, 1, 1, tzinfo=UTC)
#: GPS time is ahead of UTC by the leap seconds since 1980 (18 since 2017).
GPS_LEAP = 18
#: Event control numbers by mode (stripmap beams 1..6), and the swath numbers of the packets.
ECC = {"IW": 8, "EW": 10, "WV": 11, **{f"S{k}": k for k in range(1, 7)}}
SWATH_NUMBERS = {"IW": (10, 11, 12), "EW": (20, 21, 22, 23, 24), "WV": (1, 4)}
#: PRI (s) by mode: ~1.7 kHz in TOPS, ~1.9 kHz in stripmap and wave mode.
PRI = {"IW": 5.8e-4, "EW": 5.8e-4, "WV": 5.0e-4, "SM": 5.3e-4}
F_REF = 37.53472224e6


def stems(f: Facts) -> list[str]:
    """``s1a-iw-raw-s-vv-<start>-<stop>-<orbit>-<datatake>`` per polarisation."""
    beam = f.entry.name[4:6].lower()
    return [
        f"{f.mission.lower()}-{beam}-raw-s-{pol.lower()}-{f.start:%Y%m%dt%H%M%S}-"
        f"{f.stop:%Y%m%dt%H%M%S}-{f.orbit:06d}-{f.datatake:06x}"
        for pol in f.polarisations
    ]


def _times(when: datetime) -> bytes:
    """Days, milliseconds and microseconds since 2000-01-01 (the annotation's time format)."""
    delta = when - MJD2000
    ms, us = divmod(delta.seconds * 1_000_000 + delta.microseconds, 1000)
    return struct.pack(">HIH", delta.days, ms, us)


def _packets(f: Facts, k: int, pol: str) -> tuple[bytes, bytes, bytes]:
    """(measurement, annotation, index) of polarisation number ``k``."""
    beam = f.entry.name[4:6]
    mode = mode_of(f)
    pri = PRI[mode]
    swaths = SWATH_NUMBERS.get(mode, (int(beam[1]),) if mode == "SM" else (1,))
    seed = int.from_bytes(hashlib.sha256(f"{f.entry.name}:{pol}".encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    duration = (f.stop - f.start).total_seconds()
    packets, annots, index = bytearray(), bytearray(), bytearray()
    block_start = 0
    for n in range(PACKETS):
        when = f.start + timedelta(seconds=duration * n / PACKETS)
        gps = (when - GPS_EPOCH).total_seconds() + GPS_LEAP
        coarse, fine = int(gps), int((gps % 1) * 65536)
        swath = swaths[(n * len(swaths)) // PACKETS]
        user = rng.integers(0, 256, USER_BYTES, dtype=np.uint8).tobytes()
        secondary = (
            struct.pack(">IHI", coarse, fine, SYNC)
            + struct.pack(">IBB", f.datatake, ECC.get(beam, ECC.get(mode, 8)), k)
            + struct.pack(">I", 7)  # instrument configuration ID
            + struct.pack(">BH", n % 64, 0)  # sub-commutated ancillary data word index, word
            + struct.pack(">II", n, n)  # space packet count, PRI count
            + bytes([0x0C, 31, 0, 8, 20])  # BAQ mode FDBAQ, block length, spare, decimation, gain
            + struct.pack(">HH", 0x8000 | 1100, 0x8000 | 2000)  # Tx ramp rate, start frequency
            + int(52.4e-6 * F_REF).to_bytes(3, "big")  # Tx pulse length
            + bytes([9])  # rank
            + int(pri * F_REF).to_bytes(3, "big")
            + int(pri * 0.18 * F_REF).to_bytes(3, "big")  # sampling window start
            + int(pri * 0.55 * F_REF).to_bytes(3, "big")  # sampling window length
            + bytes([(k + 1) << 4 & 0x70, 0, 0, 0, 0, swath])  # polarisation, cal., signal
            + struct.pack(">HB", USER_BYTES // 4, 0)  # number of quads, spare
        )
        assert len(secondary) == 62
        body = secondary + user
        primary = struct.pack(">HHH", 0x0C1C, 0xC000 | (n & 0x3FFF), len(body) - 1)
        if n % BLOCK == 0:
            block_start = len(packets)
        packets += primary + body
        downlink = when + timedelta(seconds=1.2)
        annots += _times(when) + _times(downlink)
        annots += struct.pack(">HHHBBBB", 6 + len(body) - 1, 1, 0, 0, 3 + k, 1, 0)
        if n % BLOCK == BLOCK - 1:
            first = f.start + timedelta(seconds=duration * (n + 1 - BLOCK) / PACKETS)
            mjd = (first - MJD2000).total_seconds() / 86400
            span = duration * BLOCK / PACKETS
            size = len(packets) - block_start
            index += struct.pack(">ddIIQB3x", mjd, span, size, n + 1 - BLOCK, block_start, 0)
    return bytes(packets), bytes(annots), bytes(index)


def build(entry: Entry) -> dict[str, bytes]:
    """The files of a Level-0 SAFE product."""
    f = facts(entry, "RAW")
    files: dict[str, bytes] = {}
    objects = []
    for k, (pol, name) in enumerate(zip(f.polarisations, stems(f), strict=True)):
        data, annot, index = _packets(f, k, pol)
        files[f"{name}.dat"] = data
        files[f"{name}-annot.dat"] = annot
        files[f"{name}-index.dat"] = index
        key = pol.lower()
        objects += [
            FileObject(f"measurementData{key}", "s1Level0MeasurementSchema", f"{name}.dat"),
            FileObject(f"annotationData{key}", "s1Level0AnnotationSchema", f"{name}-annot.dat"),
            FileObject(f"indexData{key}", "s1Level0IndexSchema", f"{name}-index.dat"),
        ]
    start_anx = float(entry.attribute("startTimeFromAscendingNode", 0.0))
    info = [
        "<s1sar:productClass>S</s1sar:productClass>",
        "<s1sar:productClassDescription>SAR Standard L0 Product</s1sar:productClassDescription>",
        "<s1sar:productConsolidation>SLICE</s1sar:productConsolidation>",
        "<s1sar:instrumentConfigurationID>7</s1sar:instrumentConfigurationID>",
        f"<s1sar:missionDataTakeID>{f.datatake}</s1sar:missionDataTakeID>",
        *(
            f"<s1sar:transmitterReceiverPolarisation>{p}</s1sar:transmitterReceiverPolarisation>"
            for p in f.polarisations
        ),
        f"<s1sar:productTimelinessCategory>{f.timeliness}</s1sar:productTimelinessCategory>",
        "<s1sar:sliceProductFlag>true</s1sar:sliceProductFlag>",
        f"<s1sar:segmentStartTime>{f.start:%Y-%m-%dT%H:%M:%S.%f}</s1sar:segmentStartTime>",
        f"<s1sar:sliceNumber>{entry.attribute('sliceNumber', 1)}</s1sar:sliceNumber>",
        f"<s1sar:totalSlices>{entry.attribute('totalSlices', 1)}</s1sar:totalSlices>",
        f"<s1sar:startTimeANX>{start_anx:.1f}</s1sar:startTimeANX>",
    ]
    files["manifest.safe"] = manifest(
        f, level=0, files=files, objects=objects, product_info=info
    ).encode()
    return files


FAMILY_BUILDERS = {"sentinel1_raw": Builder(build)}
