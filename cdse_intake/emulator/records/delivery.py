"""Which records are deliverable: the showcase, the records without bytes, the faults.

Every product of a family with a writer (:data:`..products.BUILDERS`) is deliverable; its size
and checksums are then those of its bytes, computed when first read (:data:`..payloads.LAZY`).
As on the real service, a few records cannot be served as listed (:data:`FAULT_SHARES`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
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
    "eopf_s1_grd": 1,
    "eopf_s3_olci_efr": 1,
    "clms_geotiff": 1,
    "sentinel3_more": 1,
    "sentinel5p_more": 1,
    "sentinel6": 1,
    "sentinel1_wv": 1,
    "gridded": 1,
    "landsat": 1,
    "ccm": 1,
    "envisat": 1,
    "smos": 1,
    "cams": 1,
    "modis": 1,
    "sentinel1_ocn": 1,
    "sentinel1_raw": 1,
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


def fault_shares(shares: Mapping[str, float] | None) -> tuple[tuple[str, float], ...]:
    """``shares`` checked and complete (the missing faults at 0; None: :data:`FAULT_SHARES`),
    as a hashable tuple in :data:`FAULT_SHARES`' order."""
    if shares is None:
        return tuple(FAULT_SHARES.items())
    if not isinstance(shares, Mapping):
        raise ValueError(f"faults={shares!r}: expected a mapping of fault name to share")
    unknown = sorted(set(shares) - set(FAULT_SHARES))
    if unknown:
        raise ValueError(
            f"faults: {', '.join(map(repr, unknown))} is not a fault; expected some of "
            + ", ".join(map(repr, FAULT_SHARES))
        )
    for name, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError(f"faults[{name!r}]={share!r}: expected a share between 0 and 1")
    if sum(shares.values()) > 1:
        raise ValueError(f"faults={dict(shares)!r}: the shares add up to more than 1")
    return tuple((name, float(shares.get(name, 0.0))) for name in FAULT_SHARES)


def parse_fault_shares(text: str) -> dict[str, float]:
    """``"offline=0.05,unavailable=0"`` (or ``"none"``) as a mapping for :func:`fault_shares`."""
    if text.strip().lower() == "none":
        return {}
    shares: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            shares[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"fault share {part!r}: expected name=share, e.g. offline=0.05")
    fault_shares(shares)
    return shares


def _fault_of(entry: Entry, shares: tuple[tuple[str, float], ...]) -> str | None:
    """The fault ``entry`` carries (None for most): a uniform draw from its id."""
    draw = int(entry.id.replace("-", "")[:8], 16) / 0x1_0000_0000
    for name, share in shares:
        if draw < share:
            return name
        draw -= share
    return None


def make_deliverable(
    entries: list[Entry],
    everything: bool,
    shares: tuple[tuple[str, float], ...] = tuple(FAULT_SHARES.items()),
) -> None:
    """Sizes and checksums of deliverable entries come from their bytes (computed when first
    read); the first few of each family in :data:`SHOWCASE` are marked as the showcase; without
    ``everything`` the others are records only, with it a few carry a fault (``shares``, see
    :func:`fault_shares`; recorded in ``extra["fault"]``)."""
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
        fault = None if entry.extra.get("showcase") else _fault_of(entry, shares)
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
