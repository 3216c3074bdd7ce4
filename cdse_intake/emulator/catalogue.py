"""The emulator's catalogue: deterministic product records and the products it can deliver.

Written from the behaviour of the real service (``reference/cdse-api.md``), sharing nothing with
the client side. An :class:`Entry` is one product as CDSE's catalogue knows it; the
:class:`Catalogue` holds tens of thousands, generated per mission by :mod:`.records`. Every
product of a family with a writer (``products/``) is deliverable: its small but real-format bytes
are built when first needed (:mod:`.payloads`), and its ``ContentLength``, MD5 and BLAKE3 are
those of the bytes.

Generation is seeded: the same ``(seed, scale)`` gives the same catalogue, byte for byte.
"""

from __future__ import annotations

import functools
import gc
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from . import catalogue_disk
from .payloads import Derived, Payload, add_folders
from .records import (
    clms,
    eopf_s1_s3,
    sentinel1,
    sentinel1_ew_sm,
    sentinel1_ocn_raw,
    sentinel2,
    sentinel3,
    sentinel5p,
    table,
)
from .records.common import NEVER_EVICTED, SITES, fmt_time, mgrs, new_uuid
from .records.delivery import DELIVER, FAULT_SHARES, SHOWCASE, fault_shares, make_deliverable
from .records.sentinel1 import S1_UNITS
from .records.sentinel2 import S2_ATTRS

__all__ = [
    "DELIVER",
    "EPOCH",
    "FAULT_SHARES",
    "NEVER_EVICTED",
    "S1_UNITS",
    "S2_ATTRS",
    "SHOWCASE",
    "Catalogue",
    "Entry",
    "Payload",
    "add_folders",
    "build_catalogue",
    "fmt_time",
    "to_us",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        """Name without ``.SAFE``/``.SEN3``/``.SEN6``/``.zarr`` (STAC item id, zip file name)."""
        for suffix in (".SAFE", ".SEN3", ".SEN6", ".zarr"):
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

        The derived indexes (geometries, bounds, tree, attribute columns) are shared until
        ``add``.
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
        for name in ("geometries", "bounds", "tree", "_attribute_columns"):
            self.__dict__.pop(name, None)

    def remove(self, *ids: str) -> list[Entry]:
        """Take the entries with these ids out (a deleted product); the index is rebuilt, so
        every service, which reads this catalogue, stops listing and serving them."""
        gone = set(ids)
        removed = [e for e in self.entries if e.id in gone]
        self._index([e for e in self.entries if e.id not in gone])
        for name in ("geometries", "bounds", "tree", "_attribute_columns"):
            self.__dict__.pop(name, None)
        return removed

    def replace(self, entry: Entry) -> None:
        """Put ``entry`` in place of the entry with its id (same name, times and state: the
        index stays valid), in this catalogue only."""
        old = self.by_id[entry.id]
        if (old.name, old.start, old.end, old.online) != (
            entry.name, entry.start, entry.end, entry.online
        ):  # fmt: skip
            raise ValueError(f"{entry.name}: a replacement must keep the indexed fields")
        self.entries = [entry if e is old else e for e in self.entries]
        self.by_id[entry.id] = self.by_name[entry.name] = entry

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

        out = np.full(len(self.entries), None, dtype=object)
        simple, points, rings = [], [], []  # one-ring polygons, built at once (~15x faster)
        for i, entry in enumerate(self.entries):
            footprint = entry.footprint
            if not footprint:
                continue
            coords = footprint.get("coordinates")
            if (
                footprint.get("type") == "Polygon"
                and len(coords) == 1
                and len(coords[0]) >= 4
                and all(len(p) == 2 for p in coords[0])
            ):
                simple.append(i)
                points += coords[0]
                rings += [len(simple) - 1] * len(coords[0])
            else:  # holes, several parts, other types: shapely reads the GeoJSON
                out[i] = shapely.geometry.shape(footprint)
        if simple:
            xy = np.asarray(points, dtype=float)
            out[simple] = shapely.polygons(shapely.linearrings(xy, indices=rings))
        return out

    @functools.cached_property
    def bounds(self) -> np.ndarray:
        """``(west, south, east, north)`` of each footprint's coordinates, as shapely's bounds
        (NaN where the product has none): read from the GeoJSON, ~20x faster than building
        :attr:`geometries` where only extents are wanted (collection documents)."""
        out = np.full((len(self.entries), 4), np.nan)
        for i, entry in enumerate(self.entries):
            footprint = entry.footprint
            if not footprint:
                continue
            kind, coords = footprint.get("type"), footprint.get("coordinates")
            if kind == "Polygon":
                rings = [coords[0]]
            elif kind == "MultiPolygon":
                rings = [polygon[0] for polygon in coords]
            else:  # not a footprint CDSE gives; shapely knows every GeoJSON type
                import shapely

                out[i] = shapely.bounds(shapely.geometry.shape(footprint))
                continue
            xs = [point[0] for ring in rings for point in ring]
            ys = [point[1] for ring in rings for point in ring]
            out[i] = (min(xs), min(ys), max(xs), max(ys))
        return out

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
# Generation

#: Where Sentinel-3 frames are generated (indices into ``SITES``): Paris, Berlin, Lisbon, Dakar,
#: Nairobi, Brasilia, Beijing and Fiji (frames across the antimeridian). Fewer sites than the
#: other missions, each at the real revisit: with S3A and S3B a site is seen about once a day
#: (each unit every other day). As many records as the former 48 sites every 6 days, so the
#: records generated after them keep their ids.
S3_SITES = (0, 1, 8, 19, 20, 24, 33, 45)

#: The per-site generators, in generation order: ``(seed label, generator, products per site at
#: scale 1, revisit step, sites)``; sites: the first n of ``SITES``, or the indices of some.
#: Steps follow each mission's revisit over one site: Sentinel-2 a tile every 2-3 days (two
#: units, overlapping orbits), Sentinel-1 every 6 days (one unit's 12-day repeat, ascending and
#: descending), Sentinel-3 daily. The label seeds each site's random stream, so it is part of
#: the catalogue's identity: renaming one changes every record it generates.
GENERATORS: list[tuple[str, Callable[..., Entry], int, timedelta, int | tuple[int, ...]]] = [
    ("_s2_entry_l1c", sentinel2.l1c_entry, 290, timedelta(days=2.5), 48),
    ("_s2_entry_l2a", sentinel2.l2a_entry, 290, timedelta(days=2.5), 48),
    ("_s1_entry_grd", sentinel1.grd_entry, 60, timedelta(days=6), 48),
    ("_s1_entry_slc", sentinel1.slc_entry, 60, timedelta(days=6), 48),
    ("_s3_entry_efr", sentinel3.efr_entry, 360, timedelta(days=1), S3_SITES),
    ("_s3_entry_lst", sentinel3.lst_entry, 360, timedelta(days=1), S3_SITES),
    ("_s3_entry_syn", sentinel3.syn_entry, 300, timedelta(days=1), S3_SITES),
    ("_clms_entry", clms.ndvi_entry, 72, timedelta(days=10), 4),
]


def build_catalogue(
    seed: int = 42,
    scale: float = 1.0,
    materialise: bool = True,
    deliver: str = "showcase",
    faults: Mapping[str, float] | None = None,
) -> Catalogue:
    """A deterministic catalogue; ``scale`` multiplies the number of metadata records.

    At ``scale=1`` there are about 65,000 records: ~28,000 SENTINEL-2 (so a whole-collection query
    exceeds the 10,000-offset limit several times over), ~8,000 SENTINEL-1, ~8,000 SENTINEL-3,
    ~21,000 SENTINEL-5P (one per orbit and type) and a few hundred CLMS. ``deliver``: see
    :data:`DELIVER`. Listing a product of a deliverable family needs its size and checksums:
    those of its bytes, shipped for this default catalogue (:mod:`.sums_pack`), else computed
    by building it.
    ``materialise=False``: records only, nothing deliverable. ``faults``: the share of the
    deliverable products (outside the showcase) carrying each fault, the others at 0 (default
    :data:`FAULT_SHARES`; ``{}``: none).
    """
    if deliver not in DELIVER:
        raise ValueError(f"deliver={deliver!r}: expected one of {', '.join(DELIVER)}")
    shares = fault_shares(faults)
    return _cached_catalogue(seed, round(scale, 6), materialise, deliver, shares)


@functools.lru_cache(maxsize=4)
def _cached_catalogue(
    seed: int,
    scale: float,
    materialise: bool,
    deliver: str,
    shares: tuple[tuple[str, float], ...] = tuple(FAULT_SHARES.items()),
) -> Catalogue:
    """Generated once per process, and kept on disk for the next (:mod:`.catalogue_disk`)."""
    arguments = (seed, scale, materialise, deliver, shares)
    kept = catalogue_disk.load(arguments)
    if kept is not None:
        return kept
    with catalogue_disk.generating(arguments):
        kept = catalogue_disk.load(arguments)  # another process kept it meanwhile
        if kept is not None:
            return kept
        enabled = gc.isenabled()
        gc.disable()  # only new long-lived objects: collections would rescan them for nothing
        try:
            catalogue = _generate(seed, scale, materialise, deliver, shares)
        finally:
            if enabled:
                gc.enable()
        catalogue_disk.save(arguments, catalogue)
    return catalogue


def _generate(
    seed: int,
    scale: float,
    materialise: bool,
    deliver: str,
    shares: tuple[tuple[str, float], ...],
) -> Catalogue:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    entries: list[Entry] = []
    for label, gen, per_site, step, sites in GENERATORS:
        indices = range(sites) if isinstance(sites, int) else sites
        for site_index in indices:
            lon, lat = SITES[site_index]
            site_rng = random.Random(f"{seed}:{label}:{site_index}")
            tile = mgrs(lon, lat)
            offset = timedelta(hours=site_rng.uniform(0, 24 * step.total_seconds() / 86400))
            for k in range(int(per_site * scale)):
                when = start + offset + k * step + timedelta(seconds=site_rng.randint(0, 600))
                entries.append(gen(site_rng, when, lon, lat, tile, site_index, k))
    entries.extend(sentinel1.orbit_entries(seed, start, int(730 * scale)))
    entries.extend(sentinel5p.orbit_entries(seed, start, int(730 * scale)))
    for entry in entries:
        entry.id = new_uuid(rng)
        entry.quicklook_id = new_uuid(rng) if entry.footprint else None
    entries.extend(sentinel2.eopf_entries(rng, start))
    entries.extend(sentinel2.legacy_entries(rng))
    # Every other collection CDSE lists (catalogue_list): a few dozen records each.
    entries.extend(table.table_entries(seed, scale))
    # Sentinel-1 EW and stripmap scenes: their own random streams and ids, after the rest.
    entries.extend(sentinel1_ew_sm.ew_sm_entries(seed, start, int(730 * scale)))
    # Sentinel-1 Level-0 and Level-2 OCN products of those acquisitions: also after the rest.
    entries.extend(sentinel1_ocn_raw.ocn_raw_entries(seed, entries))
    # Sentinel-1 GRD and Sentinel-3 OLCI EFR in the EOPF Zarr format: their own streams, last.
    entries.extend(eopf_s1_s3.eopf_s1_s3_entries(seed, start))
    if materialise:
        make_deliverable(entries, everything=deliver == "all", shares=shares)
    else:
        for entry in entries:
            entry.extra["metadata_only"] = True
    return Catalogue(entries)
