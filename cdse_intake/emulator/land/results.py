"""The result zip of a finished task, and the single files of the auxiliary API.

Emulated [unverified: the layout of FME's zips]: one folder per requested dataset,
``NN_<title>/`` (NN its 1-based place in the request), holding one file per date of the
``TemporalFilter`` (time series) or one file (an epoch), named as :func:`.writers.file_name`;
a prepackaged ``FileID`` gives its file over :data:`DEMO_CENTRE`. The zip is deterministic (its
entries dated at the task's registration) and written once, atomically, to the service's
private folder; memory stays bounded by the output caps (:data:`.grids.MAX_SIDE` a side,
:data:`MAX_PIXELS` per task).
"""

from __future__ import annotations

import os
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from .datasets import Dataset
from .grids import OutputTooLarge, lonlat, output_grid, pixel_size
from .source import encoding, values
from .tasks import Task
from .validate import Cut
from .writers import VECTOR_CELLS, VECTOR_FORMATS, file_name, geojson, geotiff, netcdf

__all__ = ["DEMO_CENTRE", "MAX_PIXELS", "OutputError", "build_zip", "render"]

MAX_PIXELS = 16_000_000
#: Where the auxiliary API's files and prepackaged files lie (Torino): (lon, lat).
DEMO_CENTRE = (7.5, 45.25)


class OutputError(ValueError):
    """The task cannot produce its output; the message becomes the task's ``Message``."""


def build_zip(task: Task, path: Path) -> int:
    """Write the task's zip to ``path`` (atomically) and return its size in bytes."""
    stamp = datetime.fromtimestamp(task.registered, UTC).timetuple()[:6]
    budget = [MAX_PIXELS]
    tmp = path.with_suffix(".part")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, cut in enumerate(task.cuts):
                folder = f"{index + 1:02d}_{_safe(cut.dataset.title)}"
                for name, data in _files(cut, budget):
                    info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.stat().st_size


def _files(cut: Cut, budget: list[int]) -> list[tuple[str, bytes]]:
    ds = cut.dataset
    if cut.file is not None:
        name = Path(cut.file.path.replace("\\", "/")).stem
        data = render(ds, cut.file.format, demo_bbox(ds), "EPSG:4326", None)
        return [(name + Path(file_name(ds, None, cut.file.format)).suffix, data)]
    if cut.bbox is None:
        region = cut.echo.get("NUTSID")
        raise OutputError(f"NUTS region {region} is not available in the emulator")
    if ds.timeseries and cut.start and cut.end:
        dates: list[date | None] = list(ds.dates(cut.start, cut.end))
        if not dates:
            raise OutputError("There is no data of this dataset in the requested time range")
    else:
        dates = [None]
    out = []
    for when in dates:
        out.append((file_name(ds, when, cut.output_format),
                    render(ds, cut.output_format, cut.bbox, cut.crs, when, budget)))  # fmt: skip
    return out


def render(ds: Dataset, output_format: str, bbox: tuple[float, float, float, float], crs: str,
           when: date | None, budget: list[int] | None = None) -> bytes:  # fmt: skip
    """One file of ``ds`` over ``bbox`` in ``crs``: the bytes the results zip holds."""
    vector = output_format in VECTOR_FORMATS
    try:
        grid = output_grid(bbox, crs, ds, cells=VECTOR_CELLS if vector else None)
    except OutputTooLarge as err:
        raise OutputError(str(err)) from err
    if budget is not None:
        budget[0] -= grid.width * grid.height
        if budget[0] < 0:
            raise OutputError(
                f"the requested files hold more than {MAX_PIXELS} pixels; request fewer dates "
                "or a smaller area"
            )
    lon, lat = lonlat(grid)
    data = values(ds.uid, lon, lat, when)
    enc = encoding(ds.uid)
    writer = geojson if vector else netcdf if output_format == "Netcdf" else geotiff
    return writer(np.ascontiguousarray(data), grid, enc, ds, when)


def demo_bbox(ds: Dataset) -> tuple[float, float, float, float]:
    """The window of the auxiliary API's files: 1° around :data:`DEMO_CENTRE`, at most 500
    pixels a side at the dataset's resolution."""
    half = min(0.5, 250 * pixel_size(ds, "EPSG:4326"))
    lon, lat = DEMO_CENTRE
    return lon - half, lat - half, lon + half, lat + half


def _safe(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", title).strip("_")[:80]
