"""A Landsat time series in an emulator: the generated catalogue has at most one scene per WRS-2
path/row, so tests add records of their own, made by the emulator's own Landsat record factory
(same footprint, hence the same path/row and grid, every 16 days), deliverable as all others."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue_list import ODATA_ONLY
from cdse_intake.emulator.records.common import new_uuid
from cdse_intake.emulator.records.complementary import odata_only_entry
from cdse_intake.emulator.records.delivery import fault_shares, make_deliverable

#: Near Paris: WRS-2 path/row as the emulator's records number it.
SITE = (2.35, 48.85)
FIRST = datetime(2023, 3, 2, 10, 30, tzinfo=UTC)


def series(collection: str, level: str, n: int, *, site=SITE, first=FIRST, offset: int = 0):
    """``n`` records of ``collection`` at ``level`` (``L2SP``, ``L1TP``) over ``site``, 16 days
    apart from ``first``."""
    row = next(c for c in ODATA_ONLY if c.odata == collection)
    index = row.product_types.index(level)
    out = []
    for i in range(n):
        rng = random.Random(f"landsat-series:{collection}:{level}:{offset + i}")
        k = index + len(row.product_types) * (1000 + offset + i)  # k picks the product type
        entry = odata_only_entry(row, rng, first + timedelta(days=16 * (offset + i)), *site, k)
        entry.id = new_uuid(rng)
        entry.quicklook_id = None
        entry.family = "landsat"
        out.append(entry)
    make_deliverable(out, True, fault_shares({}))
    return out


def emulator_with_series() -> tuple[Emulator, dict[str, list]]:
    """A small emulator (not started) holding a Landsat 8 Level-2 series of 6 scenes, 2 Level-1
    scenes of the same path/row and 3 Landsat 9 Level-2 ones."""
    emu = Emulator(deliver="all", faults={}, scale=0.01)
    added = {
        "l2": series("LANDSAT-8", "L2SP", 6),
        "l1": series("LANDSAT-8", "L1TP", 2, offset=1),
        "l9": series("LANDSAT-9", "L2SP", 3, first=FIRST + timedelta(days=8)),
    }
    emu.catalogue.add(*(e for entries in added.values() for e in entries))
    return emu, added
