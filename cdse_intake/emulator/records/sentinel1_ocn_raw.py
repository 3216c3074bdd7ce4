"""Sentinel-1 Level-0 (``*_RAW__0S``) and Level-2 ocean (``*_OCN__2S``) records, derived from the
Level-1 acquisitions already in the catalogue.

Follows the real catalogue: every acquisition is first a Level-0 product,
``S1A_IW_RAW__0SDV_<start>_<stop>_<orbit>_<datatake>_<id>.SAFE`` (``EW_RAW__0SDH``,
``S3_RAW__0SDV``, ``WV_RAW__0SSV``),
the same datatake and orbit as its Level-1 products, sensing a few seconds longer on each side
(an IW slice is ~25 s as GRD, ~33 s as RAW); and an ocean product ``S1A_IW_OCN__2SDV_...``
(``EW_OCN__2SDH``) with the Level-1 product's times accompanies most IW and EW acquisitions
over the sea (:data:`OCN_SHARE` of those whose footprint is at least :data:`SEA_SHARE` sea), and
every wave-mode acquisition has its ``WV_OCN__2SSV`` (wave mode samples the open ocean). The
attributes are the Level-1 record's (:func:`.sentinel1._attrs`, so the orbits are those the
other records compute and only units then flying appear) with ``productType``,
``processingLevel`` (``LEVEL0``/``LEVEL2``), processing date and, for RAW, the sensing times.

One RAW per IW GRD, EW GRD, stripmap GRD and WV SLC record; one WV OCN per WV SLC record. Each
record draws from a generator seeded by the seed and its Level-1 record's name, and the ids from
one of their own, after every other record's: adding these records shifts no other record. The
WV OCN records came later: they have generators of their own, ids included, and come last, so
the IW, EW and RAW records stay as they were and no other record's absence moves them.
"""

from __future__ import annotations

import functools
import random
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .common import fmt_time, hex_digits, new_entry, new_uuid, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["OCN_SHARE", "SEA_SHARE", "ocn_raw_entries", "sea_share"]

#: An OCN product is made for an IW or EW acquisition whose footprint is at least this share sea…
SEA_SHARE = 0.3
#: …for this share of them (most, not all: the real OCN production has gaps).
OCN_SHARE = {"IW": 0.85, "EW": 0.5}
#: Level-0 sensing starts and stops this many seconds before and after the Level-1 product.
RAW_MARGIN = (3.5, 4.0)
#: Mean sizes (MB) of the real products, by mode: RAW (dual polarisation) and OCN.
RAW_MB = {"IW": 1600, "EW": 520, "SM": 1100, "WV": 430}
OCN_MB = {"IW": 9, "EW": 7, "WV": 5}
#: Level-1 product types a Level-0 product is derived from (one RAW per acquisition).
_PARENTS = ("IW_GRDH_1S", "EW_GRDM_1S", "WV_SLC__1S")
#: A Level-1 SAFE name (EOPF Zarr records of the same product types are other formats of it).
_L1_SAFE = re.compile(r"^S1[A-D]_(IW|EW|WV|S[1-6])_(GRD[HM]|SLC_)_1S[SD][VH]_.*\.SAFE$")


def sea_share(footprint: dict[str, Any] | None, lon: float, lat: float) -> float:
    """The share of sea in a footprint's bounding box around ``(lon, lat)`` (0 to 1)."""
    if not footprint:
        return 0.0
    rings = (
        [footprint["coordinates"][0]]
        if footprint["type"] == "Polygon"
        else [p[0] for p in footprint["coordinates"]]
    )
    xs = [(x - lon + 180) % 360 - 180 for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    box = (round(min(xs), 2), round(max(xs), 2), round(min(ys) - lat, 2), round(max(ys) - lat, 2))
    return _sea_share(round(lon, 4), round(lat, 4), box)


@functools.lru_cache(maxsize=512)
def _sea_share(lon: float, lat: float, box: tuple[float, float, float, float]) -> float:
    import numpy as np

    from ..scene import land_fraction

    west, east, south, north = box
    x, y = np.meshgrid(np.linspace(lon + west, lon + east, 13), np.linspace(south, north, 13))
    y = np.clip(y + lat, -89.9, 89.9)
    return 1.0 - float(land_fraction((x + 180) % 360 - 180, y).mean())


def _mode(parent: Entry) -> str:
    """``IW``, ``EW``, ``WV`` or ``SM`` (a stripmap beam ``S1``..``S6``)."""
    field = parent.name[4:6]
    return "SM" if field[0] == "S" else field


def ocn_raw_entries(seed: int, entries: list[Entry]) -> list[Entry]:
    """The RAW and OCN records of the Level-1 acquisitions among ``entries``, ids set."""
    out: list[Entry] = []
    for parent in entries:
        if parent.collection != "SENTINEL-1":
            continue
        kind = parent.product_type
        if kind not in _PARENTS and not (kind[0] == "S" and kind.endswith("_GRDH_1S")):
            continue
        if not _L1_SAFE.match(parent.name):
            continue
        rng = random.Random(f"{seed}:s1_ocn_raw:{parent.name}")
        mode = _mode(parent)
        out.append(_raw(rng, parent, mode))
        if mode in OCN_SHARE and rng.random() < OCN_SHARE[mode]:
            lon, lat = parent.extra["lon"], parent.extra["lat"]
            if sea_share(parent.footprint, lon, lat) >= SEA_SHARE:
                out.append(_ocn(rng, parent, mode))
    wave = _wv_ocn_entries(seed, entries)
    ids = random.Random(f"{seed}:s1_ocn_raw")
    wave_ids = random.Random(f"{seed}:s1_ocn_wv")  # the wave-mode OCN's own: none shifts another
    for entry in out:
        entry.id = new_uuid(ids)
        entry.quicklook_id = new_uuid(ids)
    for entry in wave:
        entry.id = new_uuid(wave_ids)
        entry.quicklook_id = new_uuid(wave_ids)
    return out + wave


def _wv_ocn_entries(seed: int, entries: list[Entry]) -> list[Entry]:
    """One ``WV_OCN__2S`` per wave-mode SLC SAFE record, each from a generator of its own."""
    return [
        _ocn(random.Random(f"{seed}:s1_ocn_wv:{parent.name}"), parent, "WV")
        for parent in entries
        if parent.collection == "SENTINEL-1"
        and parent.product_type == "WV_SLC__1S"
        and _L1_SAFE.match(parent.name)
    ]


def _derived(
    rng: random.Random,
    parent: Entry,
    product_type: str,
    name: str,
    level: str,
    times: dict[str, Any],
    values: dict[str, Any],
    mean_mb: float,
    family: str,
) -> Entry:
    """A record of ``parent``'s acquisition: its attributes with ``values`` replaced."""
    values = values | {
        "productType": product_type,
        "processingLevel": level,
        "processingDate": fmt_time(times["origin"] - timedelta(minutes=rng.uniform(1, 5))),
        "beginningDateTime": fmt_time(times["start"]),
        "endingDateTime": fmt_time(times["end"]),
    }
    attrs = [(n, t, values.get(n, v)) for n, t, v in parent.attributes]
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-1",
        product_type=product_type,
        footprint=parent.footprint,
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-1/SAR/{product_type}/{parent.start:%Y/%m/%d}/{name}",
        mean_mb=mean_mb,
        family=family,
        extra=dict(parent.extra),
        **times,
    )


def _name(parent: Entry, kind: str, times: dict[str, Any], crc: str) -> str:
    """``S1A_IW_RAW__0SDV_<start>_<stop>_<orbit>_<datatake>_<crc>.SAFE`` from the parent's."""
    fields = parent.name.split("_")
    mission, beam, pols = fields[0], fields[1], parent.name[14:16]
    orbit, datatake = fields[-3], fields[-2]
    return (
        f"{mission}_{beam}_{kind}{pols}_{stamp(times['start'])}_{stamp(times['end'])}_"
        f"{orbit}_{datatake}_{crc}.SAFE"
    )


def _raw(rng: random.Random, parent: Entry, mode: str) -> Entry:
    """The Level-0 product of ``parent``'s acquisition: a few seconds longer, published first."""
    before, after = (m + rng.uniform(-0.5, 0.5) for m in RAW_MARGIN)
    start = parent.start - timedelta(seconds=before)
    end = parent.end + timedelta(seconds=after)
    origin = min(parent.origin, end + timedelta(minutes=rng.uniform(20, 90)))
    publication = origin + timedelta(minutes=rng.uniform(2, 15))
    times = {
        "start": start,
        "end": end,
        "origin": origin,
        "publication": publication,
        "modification": publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 30)),
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }
    shift_ms = before * 1000
    anx = float(parent.attribute("startTimeFromAscendingNode", 0.0))
    values = {
        "startTimeFromAscendingNode": round(max(anx - shift_ms, 0.0), 1),
        "completionTimeFromAscendingNode": round(
            max(anx - shift_ms, 0.0) + (end - start).total_seconds() * 1000, 1
        ),
        "swathIdentifier": parent.attribute("swathIdentifier"),
    }
    name = _name(parent, "RAW__0S", times, hex_digits(rng, 4).upper())
    pols = 2 if parent.name[14] == "D" else 1
    return _derived(
        rng, parent, f"{parent.name[4:6]}_RAW__0S", name, "LEVEL0", times, values,
        RAW_MB[mode] * pols / 2, "sentinel1_raw",
    )  # fmt: skip


def _ocn(rng: random.Random, parent: Entry, mode: str) -> Entry:
    """The Level-2 ocean product of ``parent``'s acquisition: its times, made a little later."""
    origin = parent.origin + timedelta(minutes=rng.uniform(5, 40))
    publication = origin + timedelta(minutes=rng.uniform(2, 30))
    times = {
        "start": parent.start,
        "end": parent.end,
        "origin": origin,
        "publication": publication,
        "modification": publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 30)),
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }
    name = _name(parent, "OCN__2S", times, hex_digits(rng, 4).upper())
    # IW/EW: the OCN covers the whole swath as one image; WV: the vignettes of both beams
    values = {"swathIdentifier": "WV1 WV2" if mode == "WV" else mode}
    return _derived(
        rng, parent, f"{mode}_OCN__2S", name, "LEVEL2", times, values, OCN_MB[mode], "sentinel1_ocn"
    )
