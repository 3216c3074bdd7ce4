"""Which records are deliverable: the showcase, the records without bytes, the faults.

Every product of a family with a writer (:data:`..products.BUILDERS`) is deliverable; its size
and checksums are then those of its bytes, computed when first read (:data:`..payloads.LAZY`).
As on the real service, a few records cannot be served as listed (:data:`FAULT_SHARES`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ..payloads import LAZY, deliverable

if TYPE_CHECKING:
    from ..catalogue import Entry

#: Which products a catalogue can deliver (``deliver=``): ``"all"``, every product of a family
#: with a writer (built on demand); ``"showcase"``, only the :data:`SHOWCASE` ones (the rest
#: answer 404 DAT-ZIP-915 "not available", as a catalogue of records without their bytes).
DELIVER = ("all", "showcase")

#: How many products of each family make the showcase (``Catalogue.materialised``): the first
#: ones in the demo's area and period, what the demo and tests pick. Every product of a family
#: with a writer is deliverable; the showcase is only a stable selection of them.
SHOWCASE = {
    "sentinel2_l1c": 2,
    "sentinel2_l2a": 2,
    "sentinel1_grd": 2,
    "sentinel1_slc": 1,
    "sentinel1_orbit": 1,
    "sentinel3_olci_efr": 1,
    "sentinel3_slstr_lst": 1,
    "sentinel3_syn": 1,
    "sentinel5p_l2": 2,
    "eopf_zarr": 1,
    "clms_geotiff": 1,
}

#: Shares of the catalogue's deliverable products (outside the showcase) that carry a fault,
#: as on the real service where a few records cannot be served as listed: ``unavailable``
#: (``$value`` answers 404 DAT-ZIP-915), ``offline`` (``Online: false``, in the long-term
#: archive), ``no_checksum`` (``"Checksum": []``), ``wrong_checksum`` (an MD5 the bytes do not
#: have). Drawn per product from its id, so the same products carry the same faults every run.
FAULT_SHARES = {
    "unavailable": 0.004,
    "offline": 0.01,
    "no_checksum": 0.003,
    "wrong_checksum": 0.001,
}


def _fault_of(entry: Entry) -> str | None:
    """The fault ``entry`` carries (None for most): a uniform draw from its id."""
    draw = int(entry.id.replace("-", "")[:8], 16) / 0x1_0000_0000
    for name, share in FAULT_SHARES.items():
        if draw < share:
            return name
        draw -= share
    return None


def make_deliverable(entries: list[Entry], everything: bool) -> None:
    """Sizes and checksums of deliverable entries come from their bytes (computed when first
    read); the first few of each family in :data:`SHOWCASE` are marked as the showcase; without
    ``everything`` the others are records only, with it a few carry a fault
    (:data:`FAULT_SHARES`, recorded in ``extra["fault"]``)."""
    counts = dict.fromkeys(SHOWCASE, 0)
    for entry in entries:
        if not deliverable(entry):
            continue
        family = entry.family or ""
        wanted = family in SHOWCASE and counts[family] < SHOWCASE[family]
        if wanted and not entry.extra.get("showcase"):
            counts[family] += 1
            entry.extra["showcase"] = True
        if not (everything or entry.extra.get("showcase")):
            entry.extra["metadata_only"] = True
            continue
        fault = None if entry.extra.get("showcase") else _fault_of(entry)
        if fault is not None:
            entry.extra["fault"] = fault
        if fault == "unavailable":
            entry.extra["metadata_only"] = True
            continue
        if fault == "offline":
            entry.online = False
        entry.content_length = entry.md5 = entry.blake3 = LAZY
        if fault == "no_checksum":
            entry.md5 = entry.blake3 = None
        elif fault == "wrong_checksum":
            # two unrelated values, neither the bytes' (a client comparing them sees nothing odd)
            entry.md5 = hashlib.sha256(f"wrong:{entry.id}".encode()).hexdigest()[:32]
            entry.blake3 = hashlib.sha256(f"wrong:{entry.name}".encode()).hexdigest()
