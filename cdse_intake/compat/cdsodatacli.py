"""cdsodatacli's query and download functions over cdse_intake.

:func:`fetch_data` takes the tool's table of queries (``start_datetime``, ``end_datetime``,
``id_query``; optional ``name``, ``collection``, ``sensormode``, ``producttype``, ``geometry``,
``Attributes``) and returns its frame: the OData product columns (:data:`COLUMNS`), then
``id_original_query`` and ``geometry`` (and ``sea_percent`` with ``min_sea_percent``). The
queries run through :func:`cdse_intake.search_many` (``querymode="multi"``: concurrently); no
1000-product cut exists there, so ``timedelta_slice`` only splits the requests.
:func:`download_list_product` skips products already in the output folder (zip or ``.SAFE``)
and spreads the rest over several accounts, each within its 4 sessions.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..product import Product
from ._result_cache import cache_load as _cache_load
from ._result_cache import cache_store as _cache_store

__all__ = ["COLUMNS", "download_list_product", "fetch_data", "product_frame"]

#: The OData product columns of the tool's frame (CDSE's entity, ``$expand=Attributes``).
COLUMNS = (
    "@odata.mediaContentType",
    "Id",
    "Name",
    "ContentType",
    "ContentLength",
    "OriginDate",
    "PublicationDate",
    "ModificationDate",
    "Online",
    "EvictionDate",
    "S3Path",
    "Checksum",
    "ContentDate",
    "Footprint",
    "GeoFootprint",
    "Attributes",
)
_REQUIRED = ("start_datetime", "end_datetime", "id_query")


def fetch_data(
    gdf: Any,
    timedelta_slice: timedelta | None = None,
    min_sea_percent: float | None = None,
    top: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    querymode: str = "seq",
    email: str | None = None,
    password: str | None = None,
    display_tqdm: bool = False,
    *,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> Any:
    """The products of every query of ``gdf``, as cdsodatacli's GeoDataFrame.

    Per ``id_query`` (in order of first appearance), products found twice keep their latest
    version (by ``ModificationDate``), as the tool does. ``cache_dir``: each (sliced) query's
    products are kept there and reused on the next call without a request. ``email`` and
    ``password`` are accepted for the tool's private collections (the catalogue itself is open).
    """
    import pandas as pd

    from ..api import search_many

    if querymode not in ("seq", "multi"):
        raise ValueError(f"querymode={querymode!r} is invalid; expected 'seq' or 'multi'")
    missing = [c for c in _REQUIRED if c not in gdf.columns]
    if missing:
        raise ValueError(f"gdf lacks the column(s) {missing}; expected {list(_REQUIRED)}")
    slices = _slices(gdf, timedelta_slice, top, min_sea_percent)
    cache = Path(cache_dir) if cache_dir is not None else None
    found: dict[str, list[Product]] = {}
    todo = []
    for key, row in slices:
        cached = _cache_load(cache, row)
        if cached is not None:
            found[key] = cached
        else:
            todo.append({"query_id": key, **row})
    if todo:
        with warnings.catch_warnings():  # an empty time slice is no news
            warnings.filterwarnings("ignore", message="No products")
            results = search_many(
                todo, parallel=querymode == "multi", endpoints=endpoints, settings=settings
            )
        fetched: dict[str, list[Product]] = {row["query_id"]: [] for row in todo}
        for product, key in zip(results, results.query_ids, strict=True):
            fetched[key].append(product)
        for row in todo:
            _cache_store(
                cache, {k: v for k, v in row.items() if k != "query_id"}, fetched[row["query_id"]]
            )
        found.update(fetched)
    frames = []
    for id_query in dict.fromkeys(id_q for _, id_q, _ in _keys(slices)):
        products = [p for key, q, _ in _keys(slices) if q == id_query for p in found[key]]
        frame = product_frame(products, id_query, with_sea=min_sea_percent is not None)
        frame = frame.sort_values("ModificationDate", ascending=False, kind="stable")
        frames.append(frame.drop_duplicates(subset=["Name"]))
    empty = product_frame([], None, with_sea=min_sea_percent is not None)
    return _geo(pd.concat([empty, *frames], ignore_index=True) if frames else empty)


def product_frame(products: Sequence[Product], id_query: Any, with_sea: bool = False) -> Any:
    """The tool's rows for ``products`` (OData entity columns, id_original_query, geometry)."""
    import pandas as pd
    import shapely

    rows = []
    for p in products:
        geometry = shapely.geometry.shape(p.footprint) if p.footprint else None
        if geometry is not None and geometry.geom_type == "MultiPolygon":
            geometry = shapely.unary_union(geometry.geoms)
        row = {
            "@odata.mediaContentType": "application/octet-stream",
            "Id": p.id,
            "Name": p.name,
            "ContentType": "application/octet-stream",
            "ContentLength": p.size,
            "OriginDate": _iso(p.attributes.get("originDate")),
            "PublicationDate": _iso(p.published),
            "ModificationDate": _iso(p.modified),
            "Online": p.online,
            "EvictionDate": _iso(p.attributes.get("evictionDate")),
            "S3Path": p.s3_path,
            "Checksum": [{"Value": v, "Algorithm": k} for k, v in p.checksums.items()],
            "ContentDate": {"Start": _iso(p.start), "End": _iso(p.end)},
            "Footprint": None
            if not p.footprint
            else f"geography'SRID=4326;{shapely.to_wkt(shapely.geometry.shape(p.footprint))}'",
            "GeoFootprint": dict(p.footprint) if p.footprint else None,
            "Attributes": [{"Name": k, "Value": _iso(v)} for k, v in p.attributes.items()],
            "id_original_query": id_query,
            "geometry": geometry,
        }
        if with_sea:
            land = getattr(p, "land_fraction", None)
            row["sea_percent"] = None if land is None else (1.0 - float(land)) * 100.0
        rows.append(row)
    columns = [*COLUMNS, "id_original_query", "geometry"] + (["sea_percent"] if with_sea else [])
    return pd.DataFrame(rows, columns=columns)


def download_list_product(
    inputdf: Any,
    outputdir: str | os.PathLike[str],
    accounts: Any = None,
    hideprogressbar: bool = False,
    check_on_disk: bool = True,
    *,
    max_connections: int = 4,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> Any:
    """Download the products of ``inputdf`` (``id``/``safename`` or ``Id``/``Name`` columns).

    Products already in ``outputdir`` (``<name>.zip`` or an unzipped ``<name>.SAFE``) are
    skipped with ``check_on_disk``. ``accounts``: a list of ``(email, password)`` (or any of
    our credentials) used round-robin, each with at most ``max_connections`` sessions (CDSE's
    4); None: the environment's or ``.netrc``'s account. Returns ``inputdf`` with ``status``
    (``verified``, ``skipped``, ``present``, ``failed``), ``path`` and ``reason`` columns.
    """
    from ..downloads import download
    from ..fs import CDSEFileSystem

    ids, names = _id_name_columns(inputdf)
    out = Path(outputdir)
    frame = inputdf.copy()
    frame["status"], frame["path"], frame["reason"] = "", "", ""
    todo: list[Product] = []
    fs = None
    for index, pid, name in zip(frame.index, frame[ids], frame[names], strict=True):
        present = _present(out, str(name)) if check_on_disk else None
        if present is not None:
            frame.loc[index, ["status", "path"]] = ["present", str(present)]
            continue
        checksums = frame.loc[index, "Checksum"] if "Checksum" in frame.columns else None
        if isinstance(checksums, list):
            product = Product(
                id=str(pid),
                name=str(name),
                checksums={c["Algorithm"]: c["Value"] for c in checksums},
                size=_int(frame.loc[index, "ContentLength"]) if "ContentLength" in frame else None,
            )
        else:  # a listing of ids and names: the catalogue gives sizes and checksums
            fs = fs or CDSEFileSystem(endpoints=endpoints, settings=settings)
            product = fs.product(str(pid))
        todo.append(product)
    if todo:
        credentials = list(accounts) if accounts is not None else None
        report = download(
            todo,
            out,
            progress=not hideprogressbar,
            endpoints=endpoints,
            settings=settings,
            credentials=credentials,
            max_connections=max_connections,
        )
        outcome = {o.id: o for o in report}
        for index, pid in zip(frame.index, frame[ids], strict=True):
            o = outcome.get(str(pid))
            if o is not None:
                frame.loc[index, ["status", "path", "reason"]] = [
                    o.status,
                    "" if o.path is None else str(o.path),
                    o.reason,
                ]
    return frame


# -- helpers ---------------------------------------------------------------------------------------
def _slices(
    gdf: Any, step: timedelta | None, top: int | None, min_sea_percent: float | None
) -> list[tuple[str, dict[str, Any]]]:
    """``(key, search keywords)`` per query row and time slice; key ``<id_query>\\x00<n>``."""
    import pandas as pd

    if step is not None and step <= timedelta(0):
        raise ValueError(f"timedelta_slice={step!r} is invalid; expected a positive timedelta")
    out = []
    for number, record in enumerate(gdf.to_dict(orient="records")):
        start = pd.Timestamp(record["start_datetime"])
        end = pd.Timestamp(record["end_datetime"])
        start = start.tz_localize("UTC") if start.tzinfo is None else start
        end = end.tz_localize("UTC") if end.tzinfo is None else end
        base: dict[str, Any] = {}
        for column, keyword in (
            ("collection", "collection"),
            ("producttype", "product_type"),
            ("name", "name_contains"),
        ):
            if not _blank(record.get(column)):
                base[keyword] = str(record[column])
        attributes: dict[str, Any] = {}
        if not _blank(record.get("sensormode")):
            attributes["operationalMode"] = str(record["sensormode"])
        if not _blank(record.get("Attributes")):  # the tool's "name,max" (att le max)
            att_name, _, att_max = str(record["Attributes"]).replace(" ", "").partition(",")
            attributes[att_name] = ("le", float(att_max))
        if attributes:
            base["attributes"] = attributes
        geometry = record.get("geometry")
        if not _blank(geometry):
            base["geometry"] = geometry.wkt if hasattr(geometry, "wkt") else geometry
        if top is not None:
            base["limit"] = int(top)
        if min_sea_percent is not None:
            base["min_sea_percent"] = float(min_sea_percent)
        cuts = [start]
        while step is not None and cuts[-1] + step < end:
            cuts.append(cuts[-1] + step)
        cuts.append(end)
        for part, (begin, stop) in enumerate(itertools.pairwise(cuts)):
            key = f"{record['id_query']}\x00{number}\x00{part}"
            out.append((key, {**base, "start": begin.isoformat(), "end": stop.isoformat()}))
    return out


def _keys(slices: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str, int]]:
    parsed = []
    for key, _ in slices:
        id_query, _, part = key.split("\x00")
        parsed.append((key, id_query, int(part)))
    return parsed


def _geo(frame: Any) -> Any:
    import geopandas

    return geopandas.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def _present(folder: Path, name: str) -> Path | None:
    stem = name[: -len(".SAFE")] if name.endswith(".SAFE") else name
    for candidate in (folder / f"{stem}.zip", folder / f"{stem}.SAFE", folder / name):
        if candidate.exists():
            return candidate
    return None


def _id_name_columns(frame: Any) -> tuple[str, str]:
    for ids, names in (("id", "safename"), ("Id", "Name")):
        if ids in frame.columns and names in frame.columns:
            return ids, names
    raise ValueError(
        f"inputdf has columns {list(frame.columns)}; expected 'id' and 'safename' (a listing) "
        "or 'Id' and 'Name' (fetch_data's frame)"
    )


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not hasattr(value, "geom_type") else value.is_empty
    except (TypeError, ValueError):
        return False


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _iso(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value
