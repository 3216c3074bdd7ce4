"""The emulated USGS datasets: the emulator catalogue's Landsat entries, as M2M scenes.

The scenes are the very entries CDSE's Landsat collections list (same name, same footprint,
same files): a scene's bundle is a ``.tar`` of the files the CDSE download zips
(``entry.payload.files``), flat, as USGS's Collection 2 bundles are (no top folder). So a scene
found through either service opens to the same arrays.

Datasets (the real names): ``landsat_ot_c2_l1``/``_l2`` (Landsat 8-9 OLI/TIRS),
``landsat_etm_c2_l1``/``_l2`` (Landsat 7), ``landsat_tm_c2_l1``/``_l2`` (Landsat 4-5). A
scene's ``entityId`` is the Landsat scene id (``LC81050592024145LGN00``, the ``sceneId``
attribute), its ``displayId`` the product name.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

__all__ = ["DATASETS", "FILTER_IDS", "bundle_of", "dataset_of", "matches", "scene_json"]

#: Dataset name -> (platforms, processing levels).
DATASETS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "landsat_ot_c2_l1": (frozenset({"LANDSAT-8", "LANDSAT-9"}), frozenset({"L1TP", "L1GT"})),
    "landsat_ot_c2_l2": (frozenset({"LANDSAT-8", "LANDSAT-9"}), frozenset({"L2SP", "L2SR"})),
    "landsat_etm_c2_l1": (frozenset({"LANDSAT-7"}), frozenset({"L1TP", "L1GT"})),
    "landsat_etm_c2_l2": (frozenset({"LANDSAT-7"}), frozenset({"L2SP", "L2SR"})),
    "landsat_tm_c2_l1": (frozenset({"LANDSAT-4", "LANDSAT-5"}), frozenset({"L1TP", "L1GT"})),
    "landsat_tm_c2_l2": (frozenset({"LANDSAT-4", "LANDSAT-5"}), frozenset({"L2SP", "L2SR"})),
}
#: ``dataset-filters`` ids of the WRS path and row (the real ids differ per dataset; a client
#: must look them up, as it must on the real service).
FILTER_IDS = {"WRS Path": "5e83d14fb9436d88", "WRS Row": "5e83d14ff1eda1b8"}


def dataset_of(entry: Any) -> str | None:
    """The dataset holding ``entry`` (None: not a Landsat scene USGS would list)."""
    for name, (platforms, levels) in DATASETS.items():
        if entry.collection in platforms and entry.product_type in levels:
            return name
    return None


def scenes(entries: Iterable[Any], dataset: str) -> list[Any]:
    """The entries of ``dataset``, oldest first (USGS's order is by acquisition here)."""
    found = [e for e in entries if dataset_of(e) == dataset and e.attribute("sceneId")]
    return sorted(found, key=lambda e: (e.start, e.name))


def _bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    coords: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if value and isinstance(value[0], (int, float)):
            coords.append((float(value[0]), float(value[1])))
        else:
            for item in value:
                walk(item)

    walk(geometry.get("coordinates", []))
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    return min(xs), min(ys), max(xs), max(ys)


def matches(entry: Any, scene_filter: dict[str, Any]) -> bool:
    """Whether ``entry`` passes the (already validated) ``sceneFilter``."""
    acq = scene_filter.get("acquisitionFilter")
    if acq:
        day = entry.start.date().isoformat()
        if acq.get("start") and day < acq["start"][:10]:
            return False
        if acq.get("end") and day > acq["end"][:10]:
            return False
    cloud = scene_filter.get("cloudCoverFilter")
    if cloud:
        value = entry.attribute("cloudCover")
        if value is None:
            return bool(cloud.get("includeUnknown", True))
        if not float(cloud.get("min", 0)) <= float(value) <= float(cloud.get("max", 100)):
            return False
    box = scene_filter.get("spatialFilter")
    if box and entry.footprint:
        w, s, e, n = box
        fw, fs, fe, fn = _bounds(entry.footprint)
        if fe < w or fw > e or fn < s or fs > n:
            return False
    for field, value in scene_filter.get("_values", {}).items():
        if int(entry.attribute(field, -1)) != int(value):
            return False
    return True


def scene_json(entry: Any, dataset: str) -> dict[str, Any]:
    """One ``scene-search`` result (``metadataType`` ``summary`` plus the WRS fields)."""
    start: datetime = entry.start
    end: datetime = entry.end
    return {
        "browse": [],
        "cloudCover": str(entry.attribute("cloudCover", -1)),
        "entityId": entry.attribute("sceneId"),
        "displayId": entry.name,
        "orderingId": None,
        "metadata": [
            {
                "id": FILTER_IDS["WRS Path"],
                "fieldName": "WRS Path",
                "value": f"{int(entry.attribute('pathNumber')):03d}",
            },
            {
                "id": FILTER_IDS["WRS Row"],
                "fieldName": "WRS Row",
                "value": f"{int(entry.attribute('rowNumber')):03d}",
            },
            {
                "id": "5e83d0b8e7f6734c",
                "fieldName": "Landsat Product Identifier L1"
                if dataset.endswith("_l1")
                else "Landsat Product Identifier L2",
                "value": entry.name,
            },
        ],
        "hasCustomizedMetadata": False,
        "options": {"bulk": True, "download": True, "order": False, "secondary": False},
        "selected": None,
        "spatialBounds": entry.footprint,
        "spatialCoverage": entry.footprint,
        "temporalCoverage": {
            "endDate": end.strftime("%Y-%m-%d %H:%M:%S"),
            "startDate": start.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "publishDate": entry.publication.strftime("%Y-%m-%d %H:%M:%S"),
    }


def product_id(dataset: str) -> str:
    """The bundle's download product id in ``dataset`` (stable, 16 hex digits like USGS's)."""
    return hashlib.sha256(f"bundle:{dataset}".encode()).hexdigest()[:16]


def bundle_of(entry: Any) -> bytes:
    """The scene's Collection 2 bundle: a tar of the product's files, flat, sorted."""
    payload = entry.payload
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for rel in sorted(payload.files):
            data = payload.files[rel]
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mtime = int(entry.publication.timestamp())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
