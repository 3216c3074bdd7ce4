"""Sentinel-6 Michael Freilich products (collection SENTINEL-6): SEN6 folders of Poseidon-4
altimetry (``P4_1B_LR_____``, ``P4_2__LR_____``) and AMR-C radiometry (``MW_2__AMR____``).

A product is a folder ``<Name>.SEN6/`` holding exactly the files its STAC item lists
(``stac.layout_generic._s6_files``): ``xfdumanifest.xml``, ``manifest.safe``, ``EOPMetadata.xml``
and its measurement netCDF-4 files, named
``S6A_<P4_2__LR_STD_|P4_2__LR_RED_|P4_1B_LR_____|MW_2__AMR_STD_>_<NR|ST|NT>_<cycle>_<pass>_
<start>_<stop>_F09.nc`` (real names seen in readers of real products, e.g.
``S6A_P4_2__LR_STD__ST_002_140_20201207T011501_20201207T013023_F00.nc``). Real L1B products name
their file ``measurement.nc`` (CDSE's STAC item of an L1B LR product; WASDI's reader): the
emulator follows its own STAC layout, and the reader accepts both.

What is real and what is inferred, file by file: :mod:`._s6_l2` (groups ``data_01``/``data_20``
with ``ku``/``c`` subgroups, variable names, types, fills), :mod:`._s6_l1b` (``data_20/ku|c``
waveforms), :mod:`._s6_amr` (brightness temperatures), :mod:`._s6_xml` (metadata files, inferred),
:mod:`._s6_track` (ground track along the record's footprint, the synthetic ocean and the land
mask of :mod:`..scene.landmask`). Global attributes (:func:`global_attributes`) follow the
Jason-CS/Sentinel-6 product conventions (names inferred: ``mission_name``, ``cycle_number``,
``pass_number``, ``first_measurement_time`` ...).

Small: 300 1 Hz records (6,000 20 Hz ones in the standard L2 file), 1,200 L1B waveforms of 256
samples per band, 300 AMR records, spread over the whole span of the record.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from . import Builder, _xml
from ._s6_amr import amr_file
from ._s6_l1b import l1b_file
from ._s6_l2 import l2_files
from ._s6_track import Track
from ._s6_xml import eop_metadata, manifest_safe, xfdumanifest

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "NAME", "build", "global_attributes", "measurement_names"]

NAME = re.compile(
    r"^S6(?P<platform>[AB])_(?P<type>(MW|P4)_\w{10})_(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_"
    r"(?P<created>\d{8}T\d{6})_(?P<duration>\d{4})_(?P<cycle>\d{3})_(?P<pass>\d{3})_"
    r"(?P<orbit>\d{3})_(?P<centre>\w{3})_{2}(?P<class>\w{3})_(?P<timeliness>NR|ST|NT)_"
    r"(?P<baseline>\w{3})\.SEN6$"
)
TITLES = {
    "P4_2__LR_STD__": "Sentinel-6 Poseidon-4 Level-2 Low Resolution standard measurement data",
    "P4_2__LR_RED__": "Sentinel-6 Poseidon-4 Level-2 Low Resolution reduced measurement data",
    "P4_1B_LR______": "Sentinel-6 Poseidon-4 Level-1B Low Resolution measurement data",
    "MW_2__AMR_STD__": "Sentinel-6 AMR-C Level-2 measurement data",
}


def parse(entry: Entry) -> dict[str, str]:
    match = NAME.match(entry.name)
    if not match:
        raise ValueError(f"Sentinel-6 SEN6 product name expected, got {entry.name!r}")
    return match.groupdict()


def measurement_names(entry: Entry) -> dict[str, str]:
    """The measurement file names, by kind (``std``/``red`` for L2, ``l1b``, ``amr``), as the
    STAC layout names them."""
    n = parse(entry)
    tail = f"{n['timeliness']}_{n['cycle']}_{n['pass']}_{n['start']}_{n['stop']}_{n['baseline']}.nc"
    sat = f"S6{n['platform']}"
    if n["type"].startswith("MW"):
        return {"amr": f"{sat}_MW_2__AMR_STD__{tail}"}
    if "_1B_" in n["type"]:
        return {"l1b": f"{sat}_P4_1B_LR______{tail}"}
    return {"std": f"{sat}_P4_2__LR_STD__{tail}", "red": f"{sat}_P4_2__LR_RED__{tail}"}


def global_attributes(entry: Entry, track: Track, file_kind: str) -> dict[str, Any]:
    """The global attributes of a measurement file (``product_name`` added by the writer)."""
    n = parse(entry)
    first, last = track.at(np.array([track.start])), track.at(np.array([track.stop]))
    mid = track.at(np.array([(track.start + track.stop) / 2]))
    key = {"std": "P4_2__LR_STD__", "red": "P4_2__LR_RED__", "l1b": "P4_1B_LR______",
           "amr": "MW_2__AMR_STD__"}[file_kind]  # fmt: skip
    created = entry.attribute("processingDate", _xml.iso(entry.origin))
    return {
        "Conventions": "CF-1.7",
        "title": TITLES[key],
        "institution": "EUMETSAT",
        "source": f"Sentinel-6{n['platform']} {'AMR-C' if file_kind == 'amr' else 'Poseidon-4'}",
        "history": f"{created} : Creation",
        "references": "Jason-CS/Sentinel-6 Generic Product Format Specification, "
        "EUM/LEO-JASCS/SPE/17/897975",
        "contact": "ops@eumetsat.int",
        "mission_name": f"Sentinel-6{n['platform']}",
        "product_type": key.rstrip("_"),
        "timeliness": n["timeliness"],
        "processing_center": n["centre"],
        "processing_baseline": n["baseline"],
        "processor_version": str(entry.attribute("processorVersion", "")),
        "cycle_number": np.int32(int(n["cycle"])),
        "pass_number": np.int32(int(n["pass"])),
        "absolute_rev_number": np.int32(int(entry.attribute("orbitNumber", 0))),
        "absolute_pass_number": np.int32((int(n["cycle"]) - 1) * 254 + int(n["pass"])),
        "pass_direction": "ascending" if track.ascending else "descending",
        "first_measurement_time": _xml.iso(entry.start),
        "last_measurement_time": _xml.iso(entry.end),
        "first_measurement_latitude": np.float64(round(float(first.lat[0]), 6)),
        "first_measurement_longitude": np.float64(round(float(first.lon360[0]), 6)),
        "last_measurement_latitude": np.float64(round(float(last.lat[0]), 6)),
        "last_measurement_longitude": np.float64(round(float(last.lon360[0]), 6)),
        "equator_longitude": np.float64(round(float(mid.lon360[0]), 6)),
    }


def build(entry: Entry) -> dict[str, bytes]:
    """The files of a Sentinel-6 product, paths relative to its ``.SEN6`` folder."""
    names = measurement_names(entry)
    track = Track(entry)
    if "amr" in names:
        measurements = {
            names["amr"]: amr_file(track, global_attributes(entry, track, "amr"), names["amr"])
        }
    elif "l1b" in names:
        measurements = {
            names["l1b"]: l1b_file(track, global_attributes(entry, track, "l1b"), names["l1b"])
        }
    else:
        attrs = {kind: global_attributes(entry, track, kind) for kind in ("std", "red")}
        measurements = l2_files(track, attrs, names)
    return {
        "xfdumanifest.xml": xfdumanifest(entry, measurements, track.ascending),
        "manifest.safe": manifest_safe(entry, measurements),
        "EOPMetadata.xml": eop_metadata(entry),
        **measurements,
    }


FAMILY_BUILDERS = {"sentinel6": Builder(build)}
