"""The emulator's catalogue: deterministic product records and the products it can deliver.

Written from the behaviour of the real service (``reference/cdse-api.md``), sharing nothing with
the client side. An :class:`Entry` is one product as CDSE's catalogue knows it; the
:class:`Catalogue` holds tens of thousands. Every product of a family with a writer
(``products/``) is deliverable: its small but real-format bytes are built when first needed
(:mod:`.payloads`), and its ``ContentLength``, MD5 and BLAKE3 are those of the bytes.

Generation is seeded: the same ``(seed, scale)`` gives the same catalogue, byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from .payloads import LAZY, Derived, Payload, add_folders, deliverable

__all__ = [
    "Catalogue",
    "Entry",
    "Payload",
    "add_folders",
    "build_catalogue",
    "fmt_time",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEVER_EVICTED = "9999-12-31T23:59:59.999999Z"


def fmt_time(value: datetime) -> str:
    """CDSE's datetime format since 2024-09-02: six-digit microseconds and ``Z``."""
    v = value.astimezone(UTC) if value.tzinfo is not UTC else value
    # Formatted by hand: strftime was most of the catalogue's generation time.
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
        f".{v.microsecond:06d}Z"
    )


def to_us(value: datetime) -> int:
    """Microseconds since the epoch (the index's time unit)."""
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass
class Entry:
    """One product record, as the real OData catalogue holds it."""

    id: str
    name: str
    collection: str
    product_type: str
    start: datetime
    end: datetime
    origin: datetime
    publication: datetime
    modification: datetime
    online: bool
    eviction: str
    s3_path: str
    checksum_date: datetime
    footprint: dict[str, Any] | None
    """GeoJSON geometry (Polygon or MultiPolygon), lon/lat; None for AUX products."""
    attributes: list[tuple[str, str, Any]]
    """``(name, ValueType, value)`` in the order the real service lists them."""
    quicklook_id: str | None = None
    family: str | None = None
    """Which product writer builds this entry's bytes (``products.BUILDERS`` key; None: none)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Facts the product builders need (tile, orbit, bounds, resolution, ...)."""
    # The fields below come from the bytes (``payloads.Derived``): LAZY computes them when
    # first read, from the payload built by the family's writer; explicit values are kept.
    content_length: int = Derived()  # type: ignore[assignment]
    md5: str | None = Derived()  # type: ignore[assignment]
    blake3: str | None = Derived()  # type: ignore[assignment]
    payload: Payload | None = Derived(default=None)  # type: ignore[assignment]  # noqa: RUF009
    """An explicit payload (a benchmark's file); None: the writer's, built on demand."""

    @property
    def content_type(self) -> str:
        return "application/octet-stream"

    def attribute(self, name: str, default: Any = None) -> Any:
        for att_name, _, value in self.attributes:
            if att_name == name:
                return value
        return default

    @property
    def stem(self) -> str:
        """Name without ``.SAFE``/``.SEN3``/``.zarr`` (STAC item id, zip file name)."""
        for suffix in (".SAFE", ".SEN3", ".zarr"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name

    @property
    def s3_key(self) -> str:
        """Key prefix in the ``eodata`` bucket: ``S3Path`` without ``/eodata/``."""
        return self.s3_path.removeprefix("/eodata/")


class Catalogue:
    """All entries, with a columnar index for fast vectorised filtering."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._index(list(entries))

    def copy(self) -> Catalogue:
        """An independent catalogue over the same entries (``add`` on it leaves this one alone).

        The derived indexes (geometries, tree, attribute columns) are shared until ``add``.
        """
        clone = Catalogue.__new__(Catalogue)
        clone.__dict__.update(self.__dict__)
        clone.entries = list(self.entries)
        clone.by_id = dict(self.by_id)
        clone.by_name = dict(self.by_name)
        return clone

    def add(self, *entries: Entry) -> None:
        """Add entries (e.g. a large product for a benchmark); the index is rebuilt."""
        self._index([*self.entries, *entries])
        for name in ("geometries", "tree", "_attribute_columns"):
            self.__dict__.pop(name, None)

    def _index(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.by_id: dict[str, Entry] = {e.id: e for e in self.entries}
        self.by_name: dict[str, Entry] = {e.name: e for e in self.entries}
        n = len(self.entries)
        self.ids = np.array([e.id for e in self.entries], dtype=object)
        self.names = np.array([e.name for e in self.entries], dtype=object)
        self.collections = np.array([e.collection for e in self.entries], dtype=object)
        self.product_types = np.array([e.product_type for e in self.entries], dtype=object)
        self.start_us = np.fromiter((to_us(e.start) for e in self.entries), np.int64, n)
        self.end_us = np.fromiter((to_us(e.end) for e in self.entries), np.int64, n)
        self.publication_us = np.fromiter((to_us(e.publication) for e in self.entries), np.int64, n)
        self.modification_us = np.fromiter(
            (to_us(e.modification) for e in self.entries), np.int64, n
        )
        self.origin_us = np.fromiter((to_us(e.origin) for e in self.entries), np.int64, n)
        self.online = np.fromiter((e.online for e in self.entries), bool, n)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    @functools.cached_property
    def geometries(self) -> np.ndarray:
        """Shapely geometries (None where the product has no footprint)."""
        import shapely

        return np.array(
            [shapely.geometry.shape(e.footprint) if e.footprint else None for e in self.entries],
            dtype=object,
        )

    @functools.cached_property
    def tree(self) -> Any:
        """An STRtree over the footprints, for ``Intersects``."""
        import shapely

        return shapely.STRtree(self.geometries)

    def attribute_column(self, name: str) -> tuple[np.ndarray, np.ndarray, str | None]:
        """``(values, present, value_type)`` for one attribute name over all entries."""
        return self._attribute_columns.get(
            name,
            (np.empty(len(self), dtype=object), np.zeros(len(self), bool), None),
        )

    @functools.cached_property
    def _attribute_columns(self) -> dict[str, tuple[np.ndarray, np.ndarray, str | None]]:
        n = len(self)
        values: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        types: dict[str, str] = {}
        for i, entry in enumerate(self.entries):
            for name, vtype, value in entry.attributes:
                if name not in values:
                    values[name] = np.empty(n, dtype=object)
                    present[name] = np.zeros(n, bool)
                    types[name] = vtype
                values[name][i] = value
                present[name][i] = True
        return {name: (values[name], present[name], types[name]) for name in values}

    def attribute_names(self, collection: str) -> list[tuple[str, str]]:
        """``(Name, ValueType)`` of the attributes a collection's products carry."""
        seen: dict[str, str] = {}
        for entry in self.entries:
            if entry.collection == collection:
                for name, vtype, _ in entry.attributes:
                    seen.setdefault(name, vtype)
        return sorted(seen.items())

    @property
    def materialised(self) -> list[Entry]:
        """The showcase: a few deliverable products of each family in the demo's area and
        period (a stable pick for the demo and tests), and products added with a payload."""
        return [
            e
            for e in self.entries
            if e.extra.get("showcase") or e.__dict__.get("_payload") is not None
        ]


# ---------------------------------------------------------------------------------------------
# Deterministic generation


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def _stamp(v: datetime) -> str:
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}"


def _box(lon: float, lat: float, half_w: float, half_h: float, skew: float = 0.0) -> list:
    ring = [
        [lon - half_w + skew, lat - half_h],
        [lon + half_w + skew, lat - half_h],
        [lon + half_w - skew, lat + half_h],
        [lon - half_w - skew, lat + half_h],
    ]
    ring = [[round(x, 4), round(y, 4)] for x, y in ring]
    return [*ring, ring[0]]


def _footprint(lon: float, lat: float, half_w: float, half_h: float, skew: float = 0.0) -> dict:
    """A Polygon, or a MultiPolygon split at the antimeridian as CDSE stores such footprints."""
    half_w = half_w / max(math.cos(math.radians(lat)), 0.2)
    ring = _box(lon, lat, half_w, half_h, skew)
    xs = [p[0] for p in ring]
    if max(xs) <= 180 and min(xs) >= -180:
        return {"type": "Polygon", "coordinates": [ring]}
    ys = [p[1] for p in ring]
    south, north = round(min(ys), 4), round(max(ys), 4)
    if max(xs) > 180:
        east_part = (min(xs), 180.0)
        west_part = (-180.0, round(max(xs) - 360, 4))
    else:
        east_part = (round(min(xs) + 360, 4), 180.0)
        west_part = (-180.0, max(xs))

    def rect(w: float, e: float) -> list:
        return [[[w, south], [e, south], [e, north], [w, north], [w, south]]]

    return {"type": "MultiPolygon", "coordinates": [rect(*east_part), rect(*west_part)]}


def _mgrs(lon: float, lat: float, rng: random.Random | None = None) -> str:
    """A plausible MGRS tile id for a site: the real zone and band, letters fixed per site."""
    site_rng = random.Random(f"tile:{lon:.4f}:{lat:.4f}")  # one tile per site, every product
    zone = int((lon + 180) // 6) + 1
    band = "CDEFGHJKLMNPQRSTUVWX"[min(int((lat + 80) // 8), 19)]
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"{zone:02d}{band}{site_rng.choice(letters)}{site_rng.choice(letters[:20])}"


#: Tile / scene centres: Europe, Africa, the Americas, Asia, and two by the antimeridian.
SITES = [
    (2.35, 48.85),
    (13.4, 52.5),
    (-3.7, 40.4),
    (12.5, 41.9),
    (21.0, 52.2),
    (4.9, 52.4),
    (16.4, 48.2),
    (24.9, 60.2),
    (-9.1, 38.7),
    (23.7, 37.98),
    (10.75, 59.9),
    (18.1, 59.3),
    (-0.13, 51.5),
    (14.4, 50.1),
    (19.0, 47.5),
    (26.1, 44.4),
    (-6.3, 53.3),
    (8.5, 47.4),
    (30.5, 50.45),
    (-17.4, 14.7),
    (36.8, -1.3),
    (31.2, 30.0),
    (28.0, -26.2),
    (3.4, 6.5),
    (-47.9, -15.8),
    (-58.4, -34.6),
    (-74.1, 4.7),
    (-99.1, 19.4),
    (-77.0, 38.9),
    (-122.4, 37.8),
    (-123.1, 49.3),
    (-70.6, -33.4),
    (77.2, 28.6),
    (116.4, 39.9),
    (139.7, 35.7),
    (103.8, 1.35),
    (151.2, -33.9),
    (144.9, -37.8),
    (174.8, -41.3),
    (106.8, -6.2),
    (100.5, 13.75),
    (55.3, 25.2),
    (44.4, 33.3),
    (-155.5, 19.6),
    (-21.9, 64.1),
    (178.45, -18.1),
    (-179.6, 65.0),
    (69.2, 41.3),
]

S2_ATTRS = [
    "origin",
    "tileId",
    "cloudCover",
    "datastripId",
    "orbitNumber",
    "processingDate",
    "productGroupId",
    "operationalMode",
    "processingLevel",
    "processorVersion",
    "platformShortName",
    "instrumentShortName",
    "relativeOrbitNumber",
    "platformSerialIdentifier",
    "productType",
    "beginningDateTime",
    "endingDateTime",
    "processingBaseline",
    "processingCenter",
    "qualityStatus",
    "illuminationZenithAngle",
]


@dataclass(frozen=True)
class _Plan:
    """How many products of one kind to generate: ``count`` per site, every ``step``."""

    collection: str
    product_type: str
    family: str | None
    per_site: int
    step: timedelta
    sites: int


#: Which products a catalogue can deliver (``deliver=``): ``"all"``, every product of a family
#: with a writer (built on demand); ``"showcase"``, only the :data:`SHOWCASE` ones (the rest
#: answer 404 DAT-ZIP-915 "not available", as a catalogue of records without their bytes).
DELIVER = ("all", "showcase")


def build_catalogue(
    seed: int = 42, scale: float = 1.0, materialise: bool = True, deliver: str = "showcase"
) -> Catalogue:
    """A deterministic catalogue; ``scale`` multiplies the number of metadata records.

    At ``scale=1`` there are about 50,000 records: ~28,000 SENTINEL-2 (so a whole-collection query
    exceeds the 10,000-offset limit several times over), ~7,000 SENTINEL-1, ~8,000 SENTINEL-3,
    ~6,000 SENTINEL-5P and a few hundred CLMS. ``deliver``: see :data:`DELIVER`. Listing a
    product of a deliverable family builds it (its size and checksums are those of its bytes),
    so with ``"all"`` a listing of thousands of never-built products costs thousands of builds.
    ``materialise=False``: records only, nothing deliverable.
    """
    if deliver not in DELIVER:
        raise ValueError(f"deliver={deliver!r}: expected one of {', '.join(DELIVER)}")
    return _cached_catalogue(seed, round(scale, 6), materialise, deliver)


@functools.lru_cache(maxsize=4)
def _cached_catalogue(seed: int, scale: float, materialise: bool, deliver: str) -> Catalogue:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    entries: list[Entry] = []
    generators: list[tuple[Callable[..., Entry], int, timedelta, int]] = [
        # (generator, products per site, revisit step, number of sites)
        (_s2_entry_l1c, int(290 * scale), timedelta(days=2.5), 48),
        (_s2_entry_l2a, int(290 * scale), timedelta(days=2.5), 48),
        (_s1_entry_grd, int(60 * scale), timedelta(days=6), 48),
        (_s1_entry_slc, int(60 * scale), timedelta(days=6), 48),
        (_s3_entry_efr, int(60 * scale), timedelta(days=6), 48),
        (_s3_entry_lst, int(60 * scale), timedelta(days=6), 48),
        (_s3_entry_syn, int(50 * scale), timedelta(days=7), 48),
        (_s5p_entry_no2, int(1460 * scale), timedelta(hours=12), 2),
        (_s5p_entry_co, int(1460 * scale), timedelta(hours=12), 2),
        (_clms_entry, int(72 * scale), timedelta(days=10), 4),
    ]
    for gen, per_site, step, n_sites in generators:
        for site_index, (lon, lat) in enumerate(SITES[:n_sites]):
            site_rng = random.Random(f"{seed}:{gen.__name__}:{site_index}")
            tile = _mgrs(lon, lat)
            offset = timedelta(hours=site_rng.uniform(0, 24 * step.total_seconds() / 86400))
            for k in range(per_site):
                when = start + offset + k * step + timedelta(seconds=site_rng.randint(0, 600))
                entries.append(gen(site_rng, when, lon, lat, tile, site_index, k))
    entries.extend(_orbit_entries(seed, start, int(730 * scale)))
    for entry in entries:
        entry.id = _uuid(rng)
        entry.quicklook_id = _uuid(rng) if entry.footprint else None
    entries.extend(_eopf_entries(rng, start))
    entries.extend(_legacy_s2_entries(rng))
    if materialise:
        _make_deliverable(entries, everything=deliver == "all")
    else:
        for entry in entries:
            entry.extra["metadata_only"] = True
    return Catalogue(entries)


def _common_times(rng: random.Random, start: datetime, duration: float) -> dict[str, Any]:
    start = start.replace(microsecond=rng.randint(0, 999) * 1000)
    end = start + timedelta(seconds=duration)
    origin = end + timedelta(hours=rng.uniform(1, 30), microseconds=rng.randint(0, 999_999))
    publication = origin + timedelta(minutes=rng.uniform(5, 600), microseconds=rng.randint(0, 999))
    modification = publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 30))
    return {
        "start": start,
        "end": end,
        "origin": origin,
        "publication": publication,
        "modification": modification,
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }


def _sized(rng: random.Random, mean_mb: float) -> tuple[int, str, str]:
    size = int(rng.uniform(0.6, 1.4) * mean_mb * 1_000_000)
    return size, _hex(rng, 32), _hex(rng, 64)


def _entry(rng: random.Random, **kw: Any) -> Entry:
    size, md5, b3 = _sized(rng, kw.pop("mean_mb"))
    online = kw.pop("online", True)
    return Entry(
        id="",
        online=online,
        eviction=kw.pop("eviction", NEVER_EVICTED),
        content_length=size,
        md5=md5,
        blake3=b3,
        **kw,
    )


def _s2_entry(
    level: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    platform = "AB"[k % 2] if when.year < 2025 else "BC"[k % 2]
    # Sentinel-2 is sun-synchronous with a 10:30 descending node: local solar time ~10:30.
    utc_hours = (10.5 - lon / 15.0) % 24
    when = datetime(when.year, when.month, when.day, tzinfo=UTC) + timedelta(
        hours=utc_hours, seconds=rng.randint(0, 300)
    )
    rel_orbit = 1 + (site * 7 + k * 3) % 143
    abs_orbit = 30000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).days * 14.3) + site
    baseline = "05.09" if when.year == 2023 else "05.10"
    times = _common_times(rng, when, 0)
    processed = times["origin"] - timedelta(minutes=30)
    product_type = "S2MSI1C" if level == "L1C" else "S2MSI2A"
    name = (
        f"S2{platform}_MSI{level}_{_stamp(when)}_N{baseline.replace('.', '')}_R{rel_orbit:03d}"
        f"_T{tile}_{_stamp(processed)}.SAFE"
    )
    cloud = round(min(100.0, max(0.0, rng.betavariate(0.6, 1.2) * 100)), 12)
    datastrip = (
        f"S2{platform}_OPER_MSI_{level}_DS_2BPS_{_stamp(processed)}_S{_stamp(when)}_N{baseline}"
    )
    values = {
        "origin": ("String", "ESA"),
        "tileId": ("String", tile),
        "cloudCover": ("Double", cloud),
        "datastripId": ("String", datastrip),
        "orbitNumber": ("Integer", abs_orbit),
        "processingDate": ("DateTimeOffset", fmt_time(processed)),
        "productGroupId": ("String", f"GS2{platform}_{_stamp(when)}_{abs_orbit:06d}_N{baseline}"),
        "operationalMode": ("String", "INS-NOBS"),
        "processingLevel": ("String", product_type),
        "processorVersion": ("String", baseline),
        "platformShortName": ("String", "SENTINEL-2"),
        "instrumentShortName": ("String", "MSI"),
        "relativeOrbitNumber": ("Integer", rel_orbit),
        "platformSerialIdentifier": ("String", platform),
        "productType": ("String", product_type),
        "beginningDateTime": ("DateTimeOffset", fmt_time(times["start"])),
        "endingDateTime": ("DateTimeOffset", fmt_time(times["end"])),
        "processingBaseline": ("String", baseline),
        "processingCenter": ("String", "ESA"),
        "qualityStatus": ("String", "NOMINAL"),
        "illuminationZenithAngle": ("Double", round(abs(lat) * 0.6 + rng.uniform(15, 25), 6)),
    }
    attrs = [(n, *values[n]) for n in S2_ATTRS]
    day = f"{when:%Y/%m/%d}"
    return _entry(
        rng,
        name=name,
        collection="SENTINEL-2",
        product_type=product_type,
        footprint=_footprint(lon, lat, 0.55, 0.45),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-2/MSI/{level}/{day}/{name}",
        mean_mb=800 if level == "L1C" else 1000,
        family=f"sentinel2_{level.lower()}",
        extra={"tile": tile, "lon": lon, "lat": lat, "baseline": baseline},
        **times,
    )


def _s2_entry_l1c(*args: Any) -> Entry:
    return _s2_entry("L1C", *args)


def _s2_entry_l2a(*args: Any) -> Entry:
    return _s2_entry("L2A", *args)


def _s1_attrs(
    rng: random.Random,
    when: datetime,
    end: datetime,
    product_type: str,
    mode: str,
    level: str,
    platform: str,
    abs_orbit: int,
    rel_orbit: int,
    direction: str,
    datatake: int,
    processed: datetime,
) -> list[tuple[str, str, Any]]:
    values: list[tuple[str, str, Any]] = [
        ("origin", "String", "ESA"),
        ("datatakeID", "Integer", datatake),
        ("timeliness", "String", "Fast-24h"),
        ("cycleNumber", "Integer", 1 + abs_orbit // 175),
        ("orbitNumber", "Integer", abs_orbit),
        ("sliceNumber", "Integer", 1 + rng.randint(0, 20)),
        ("totalSlices", "Integer", 21),
        ("productClass", "String", "S"),
        ("processorName", "String", "Sentinel-1 IPF"),
        ("orbitDirection", "String", direction),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("operationalMode", "String", mode),
        ("processingLevel", "String", level),
        ("swathIdentifier", "String", "IW1 IW2 IW3" if mode == "IW" else "EW1 EW2 EW3 EW4 EW5"),
        ("processingCenter", "String", "Production Service-SERCO"),
        ("processorVersion", "String", "003.71"),
        ("platformShortName", "String", "SENTINEL-1"),
        ("instrumentShortName", "String", "SAR"),
        ("relativeOrbitNumber", "Integer", rel_orbit),
        ("polarisationChannels", "String", "VV&VH"),
        ("platformSerialIdentifier", "String", platform),
        ("productType", "String", product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(when)),
        ("endingDateTime", "DateTimeOffset", fmt_time(end)),
        ("sliceProductFlag", "Boolean", False),
        ("startTimeFromAscendingNode", "Double", round(rng.uniform(0, 6_000_000), 1)),
        ("completionTimeFromAscendingNode", "Double", round(rng.uniform(0, 6_000_000), 1)),
    ]
    return values


def _s1_entry(
    kind: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    # Only the units flying that day (S1_UNITS): S1A throughout, S1C from its launch on.
    platform = "C" if k % 3 == 0 and when >= S1_UNITS["C"][0] else "A"
    product_type = {"GRD": "IW_GRDH_1S", "SLC": "IW_SLC__1S"}[kind]
    duration = 25 if kind == "GRD" else 27
    times = _common_times(rng, when, duration)
    # 175 orbits every 12 days; S1A was at orbit ~46,530 on 2023-01-01, S1C starts from 1.
    first_day, first_orbit = S1_ORBIT_EPOCH[platform]
    abs_orbit = first_orbit + int((when - first_day).total_seconds() / 86400 * 175 / 12)
    rel_orbit = 1 + (abs_orbit - 73) % 175
    datatake = rng.randint(0x40000, 0xFFFFF)
    direction = "ASCENDING" if k % 2 else "DESCENDING"
    processed = times["origin"] - timedelta(minutes=45)
    name = (
        f"S1{platform}_IW_{'GRDH' if kind == 'GRD' else 'SLC_'}_1SDV_{_stamp(times['start'])}_"
        f"{_stamp(times['end'])}_{abs_orbit:06d}_{datatake:06X}_{_hex(rng, 4).upper()}.SAFE"
    )
    attrs = _s1_attrs(
        rng,
        times["start"],
        times["end"],
        product_type,
        "IW",
        "LEVEL1",
        platform,
        abs_orbit,
        rel_orbit,
        direction,
        datatake,
        processed,
    )
    day = f"{when:%Y/%m/%d}"
    return _entry(
        rng,
        name=name,
        collection="SENTINEL-1",
        product_type=product_type,
        footprint=_footprint(lon, lat, 1.2, 0.9, skew=0.25 if direction == "ASCENDING" else -0.25),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-1/SAR/{product_type}/{day}/{name}",
        mean_mb=1700 if kind == "GRD" else 4200,
        family="sentinel1_grd" if kind == "GRD" else "sentinel1_slc",
        extra={"lon": lon, "lat": lat, "orbit": abs_orbit, "direction": direction},
        **times,
    )


def _s1_entry_grd(*args: Any) -> Entry:
    return _s1_entry("GRD", *args)


def _s1_entry_slc(*args: Any) -> Entry:
    return _s1_entry("SLC", *args)


#: Sentinel-1 units and the days they fly (S1B failed on 2021-12-23; S1C flies from 2024-12-05).
S1_UNITS = {
    "A": (datetime(2014, 4, 3, tzinfo=UTC), None),
    "B": (datetime(2016, 4, 25, tzinfo=UTC), datetime(2021, 12, 23, tzinfo=UTC)),
    "C": (datetime(2024, 12, 5, tzinfo=UTC), None),
}
#: A reference day and the absolute orbit of each unit then (orbits count on at 175 / 12 days).
S1_ORBIT_EPOCH = {
    "A": (datetime(2023, 1, 1, tzinfo=UTC), 46_531),
    "B": (datetime(2021, 1, 1, tzinfo=UTC), 24_968),
    "C": (datetime(2024, 12, 5, tzinfo=UTC), 1),
}
#: RESORB records are listed for the catalogue's last this many days (one per orbit, ~15 a day
#: per unit); POEORB for every day.
RESORB_DAYS = 90


def _orbit_entries(seed: int, start: datetime, days: int) -> list[Entry]:
    """Orbit files of every flying Sentinel-1 unit: one POEORB per day, RESORBs per orbit.

    Names, validity windows and creation times follow the real files (``products.orbits``).
    """
    from .products.orbits import orbit_windows

    out: list[Entry] = []
    for k in range(days):
        day = start + timedelta(days=k)
        kinds = ("POEORB", "RESORB") if k >= days - RESORB_DAYS else ("POEORB",)
        for unit, (first, last) in S1_UNITS.items():
            if day < first or (last is not None and day > last):
                continue
            for window in orbit_windows(unit, day.date(), kinds):
                if window.created > datetime(2026, 12, 31, tzinfo=UTC):
                    continue
                rng = random.Random(f"{seed}:{window.name}")
                out.append(_orbit_entry(rng, window))
    return out


def _orbit_entry(rng: random.Random, window: Any) -> Entry:
    """One orbit file's record: no footprint (``Footprint: null``), ``ContentDate`` the validity
    window to the second, the attributes real AUX records carry."""
    published = window.created + timedelta(minutes=1, seconds=rng.uniform(20, 60))
    attrs = [
        ("origin", "String", "ESA"),
        ("platformShortName", "String", "SENTINEL-1"),
        ("instrumentShortName", "String", "SAR"),
        ("platformSerialIdentifier", "String", window.unit),
        ("productType", "String", window.product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(window.start)),
        ("endingDateTime", "DateTimeOffset", fmt_time(window.stop)),
    ]
    return _entry(
        rng,
        name=window.name,
        collection="SENTINEL-1",
        product_type=window.product_type,
        footprint=None,
        attributes=attrs,
        s3_path=window.s3_path,
        mean_mb=4.4 if window.kind == "POEORB" else 0.59,
        start=window.start,
        end=window.stop,
        origin=window.created + timedelta(minutes=1),
        publication=published,
        modification=published,
        checksum_date=published + timedelta(seconds=rng.uniform(1, 30)),
        family="sentinel1_orbit",
    )


#: The writer of each Sentinel-3 product type (``products.BUILDERS`` keys).
S3_FAMILIES = {
    "OL_1_EFR___": "sentinel3_olci_efr",
    "SL_2_LST___": "sentinel3_slstr_lst",
    "SY_2_SYN___": "sentinel3_syn",
}


def _s3_entry(
    product_type: str,
    instrument: str,
    level: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    platform = "AB"[k % 2]
    times = _common_times(rng, when, 180)
    abs_orbit = 35000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).days * 14.26) + site
    rel_orbit = 1 + abs_orbit % 385
    # Synergy has no near-real-time products on CDSE: non-time-critical or short-time-critical.
    if product_type.startswith("SY_"):
        timeliness = "NT" if k % 4 else "ST"
    else:
        timeliness = "NT" if k % 4 else "NR"
    processed = times["origin"] - timedelta(minutes=20)
    direction = (
        "DESCENDING" if product_type.startswith("OL") else ("ASCENDING", "DESCENDING")[k % 2]
    )
    centre = "LN1" if level == "1" else "LN2"
    name = (
        f"S3{platform}_{product_type}_{_stamp(times['start'])}_{_stamp(times['end'])}_"
        f"{_stamp(processed)}_0179_{rel_orbit % 100:03d}_{rel_orbit:03d}_"
        f"{rng.randint(1, 6) * 900:04d}"
        f"_{centre}_O_{timeliness}_{'002' if level == '1' else '004'}.SEN3"
    )
    attrs: list[tuple[str, str, Any]] = [
        ("origin", "String", "ESA"),
        ("cycleNumber", "Integer", 90 + abs_orbit // 385),
        ("orbitNumber", "Integer", abs_orbit),
        ("timeliness", "String", timeliness),
        ("cloudCover", "Double", round(rng.uniform(0, 100), 6)),
        ("landCover", "Double", round(rng.uniform(0, 100), 6)),
        ("processorName", "String", "PUG" if instrument == "OLCI" else "SL2"),
        ("orbitDirection", "String", direction),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("operationalMode", "String", "EO"),
        ("processingLevel", "String", level),
        ("processingCenter", "String", "LN1" if level == "1" else "LN2"),
        ("processorVersion", "String", "06.17"),
        ("platformShortName", "String", "SENTINEL-3"),
        ("instrumentShortName", "String", instrument),
        ("relativeOrbitNumber", "Integer", rel_orbit),
        ("platformSerialIdentifier", "String", platform),
        ("productType", "String", product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    # Near-real-time products live in a rolling archive and carry a real eviction date.
    eviction = (
        fmt_time(times["publication"] + timedelta(days=30)) if timeliness == "NR" else NEVER_EVICTED
    )
    return _entry(
        rng,
        name=name,
        collection="SENTINEL-3",
        product_type=product_type,
        footprint=_footprint(lon, lat, 5.5, 5.0, skew=0.8),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-3/{instrument}/{product_type}/{day}/{name}",
        mean_mb=600 if level == "1" else 80,
        eviction=eviction,
        family=S3_FAMILIES.get(product_type),
        extra={"lon": lon, "lat": lat},
        **times,
    )


def _s3_entry_efr(*args: Any) -> Entry:
    return _s3_entry("OL_1_EFR___", "OLCI", "1", *args)


def _s3_entry_lst(*args: Any) -> Entry:
    return _s3_entry("SL_2_LST___", "SLSTR", "2", *args)


def _s3_entry_syn(*args: Any) -> Entry:
    return _s3_entry("SY_2_SYN___", "SYNERGY", "2", *args)


def _s5p_entry(
    product_type: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    times = _common_times(rng, when, 101 * 60)
    orbit = 27000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).total_seconds() // 6060)
    mode = "OFFL" if k % 5 else "NRTI"
    # Processed after the orbit ends and before publication (origin is ~1-30 h after the end).
    processed = times["end"] + (times["origin"] - times["end"]) / 2
    name = (
        f"S5P_{mode}_{product_type}_{_stamp(times['start'])}_{_stamp(times['end'])}_{orbit:05d}"
        f"_03_020600_{_stamp(processed)}.nc"
    )
    # Half an orbit: a long strip from south to north, ~2600 km wide.
    strip_lon = ((orbit * 24.7 + site * 180) % 340) - 170
    attrs: list[tuple[str, str, Any]] = [
        ("orbitNumber", "Integer", orbit),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("processingMode", "String", mode),
        ("processingLevel", "String", "L2"),
        ("processorVersion", "String", "02.06.00"),
        ("platformShortName", "String", "SENTINEL-5P"),
        ("instrumentShortName", "String", "TROPOMI"),
        ("platformSerialIdentifier", "String", "5P"),
        ("productType", "String", product_type),
        ("processingBaseline", "String", "020600"),
        ("baselineCollection", "String", "03"),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    return _entry(
        rng,
        name=name,
        collection="SENTINEL-5P",
        product_type=product_type,
        footprint=_strip(strip_lon),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-5P/TROPOMI/{product_type}/{day}/{name}",
        mean_mb=450 if "NO2" in product_type else 60,
        family="sentinel5p_l2",
        extra={"orbit": orbit, "lon": strip_lon},
        **times,
    )


def _strip(lon: float) -> dict:
    """Half an orbit (~2600 km wide, pole to pole), split at the antimeridian when it crosses."""
    ring = _box(lon, 0.0, 12.0, 84.0, 6.0)
    xs = [x for x, _ in ring]
    if min(xs) >= -180 and max(xs) <= 180:
        return {"type": "Polygon", "coordinates": [ring]}
    import json

    import shapely
    import shapely.affinity

    poly = shapely.Polygon(ring)
    shift = -360 if max(xs) > 180 else 360
    inside = poly.intersection(shapely.box(-180, -90, 180, 90))
    outside = shapely.affinity.translate(
        poly.difference(shapely.box(-180, -90, 180, 90)), xoff=shift
    )
    parts = [inside, outside]
    polys = [g for p in parts for g in getattr(p, "geoms", [p]) if not g.is_empty]
    rounded = shapely.set_precision(shapely.MultiPolygon(polys), 1e-4)
    return json.loads(shapely.to_geojson(rounded))  # plain lists, like every other footprint


def _s5p_entry_no2(*args: Any) -> Entry:
    return _s5p_entry("L2__NO2___", *args)


def _s5p_entry_co(*args: Any) -> Entry:
    return _s5p_entry("L2__CO____", *args)


def _clms_entry(
    rng: random.Random, when: datetime, lon: float, lat: float, tile: str, site: int, k: int
) -> Entry:
    """Copernicus Land Monitoring: dekadal NDVI 300 m GeoTIFF tiles."""
    when = when.replace(hour=0, minute=0, second=0, microsecond=0)
    times = _common_times(rng, when, 10 * 86400 - 1)
    name = f"c_gls_NDVI300_{when:%Y%m%d}0000_X{site:02d}Y{k % 10:02d}_OLCI_V2.0.1.tif"
    attrs: list[tuple[str, str, Any]] = [
        ("productType", "String", "NDVI300"),
        ("platformShortName", "String", "SENTINEL-3"),
        ("instrumentShortName", "String", "OLCI"),
        ("processingLevel", "String", "L3"),
        ("spatialResolution", "Integer", 300),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    return _entry(
        rng,
        name=name,
        collection="CLMS",
        product_type="NDVI300",
        footprint=_footprint(lon, lat, 5.0, 5.0),
        attributes=attrs,
        s3_path=f"/eodata/CLMS/bio-geophysical/vegetation_indices/ndvi_global_300m_10daily_v2/"
        f"{day}/{name}",
        mean_mb=40,
        family="clms_geotiff",
        extra={"lon": lon, "lat": lat},
        **times,
    )


def _eopf_entries(rng: random.Random, start: datetime) -> list[Entry]:
    """A few products in the new EOPF Zarr format (Sentinel-2 L2A)."""
    out = []
    for k, (lon, lat) in enumerate(SITES[:3]):
        entry = _s2_entry(
            "L2A", rng, start + timedelta(days=400 + k), lon, lat, _mgrs(lon, lat, rng), k, k
        )
        entry.name = entry.name.replace(".SAFE", ".zarr")
        entry.s3_path = entry.s3_path.replace(".SAFE", ".zarr").replace("/L2A/", "/L2A_EOPF/")
        entry.family = "eopf_zarr"
        entry.id = _uuid(rng)
        entry.quicklook_id = None
        out.append(entry)
    return out


def _legacy_s2_entries(rng: random.Random) -> list[Entry]:
    """Sentinel-2 products of processing baselines before 04.00 (no radiometric offset)."""
    out = []
    for level, baseline in (("L1C", "03.01"), ("L2A", "03.00")):
        lon, lat = SITES[0]
        entry = _s2_entry(
            level,
            rng,
            datetime(2021, 6, 12, 10, 56, tzinfo=UTC),
            lon,
            lat,
            _mgrs(lon, lat, rng),
            0,
            0,
        )
        old = f"N{baseline.replace('.', '')}"
        entry.name = entry.name.replace(f"N{entry.extra['baseline'].replace('.', '')}", old)
        entry.s3_path = entry.s3_path.rsplit("/", 1)[0] + "/" + entry.name
        entry.extra["baseline"] = baseline
        entry.attributes = [
            (n, t, baseline if n in ("processingBaseline", "processorVersion") else v)
            for n, t, v in entry.attributes
        ]
        entry.id = _uuid(rng)
        entry.quicklook_id = _uuid(rng)
        entry.extra["showcase"] = True
        out.append(entry)
    return out


#: How many products of each family make the showcase (:attr:`Catalogue.materialised`): the
#: first ones in the demo's area and period, what the demo and tests pick. Every product of a
#: family with a writer is deliverable; the showcase is only a stable selection of them.
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


def _fault_of(entry: Entry, shares: dict[str, float]) -> str | None:
    """The fault ``entry`` carries (None for most): a uniform draw from its id."""
    draw = int(entry.id.replace("-", "")[:8], 16) / 0x1_0000_0000
    for name, share in shares.items():
        if draw < share:
            return name
        draw -= share
    return None


def _make_deliverable(
    entries: list[Entry], everything: bool, shares: dict[str, float] | None = None
) -> None:
    """Sizes and checksums of deliverable entries come from their bytes (computed when first
    read); the first few of each family in :data:`SHOWCASE` are marked as the showcase; without
    ``everything`` the others are records only, with it a few carry a fault
    (:data:`FAULT_SHARES`, or ``shares``; recorded in ``extra["fault"]``)."""
    shares = FAULT_SHARES if shares is None else shares
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
            wrong = hashlib.sha256(entry.name.encode()).hexdigest()  # not the bytes' sums
            entry.md5, entry.blake3 = wrong[:32], wrong
