"""What the writers of the other Sentinel-3 product types (:mod:`.sentinel3_more`) share.

- :class:`Product`: :class:`._sen3.Product` for every name the records make, altimetry's too
  (no frame number: ``____``, which the manifest then calls frame 0).
- :func:`stored`: a variable from physical values (NaN: missing), packed as the real files
  pack them (integers with ``scale_factor``/``add_offset`` and a ``_FillValue``).
- :func:`grid_lonlat`: positions on the footprint for an image of any size, or a part of
  its width (SLSTR's oblique view).
- :func:`finish`: the ``xfdumanifest.xml`` of the files (the shared SEN3 manifest, one data
  unit per file).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scene.climate import epoch_seconds
from . import _sen3, _xml
from ._geo import footprint_quad
from ._netcdf import NcGroup
from ._sen3 import Spec, Swath, Unit

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["Product", "finish", "grid_lonlat", "nc_file", "seeded", "spec", "stored"]

_NAME = re.compile(
    r"^S3(?P<platform>[A-D])_(?P<type>\w\w_\d_\w{6})_(?P<start>\d{8}T\d{6})_"
    r"(?P<stop>\d{8}T\d{6})_(?P<created>\d{8}T\d{6})_(?P<duration>\d{4})_(?P<cycle>\d{3})_"
    r"(?P<rel>\d{3})_(?P<frame>\d{4}|_{4})_(?P<centre>\w{3})_O_(?P<timeliness>\w\w)_"
    r"(?P<baseline>\d{3})\.SEN3$"
)


class Product(_sen3.Product):
    """A catalogue entry read as a SEN3 product of its own type (any of the family's)."""

    def __init__(self, entry: Entry) -> None:
        match = _NAME.match(entry.name)
        if not match or match["type"] != entry.product_type:
            raise ValueError(
                f"Sentinel-3 {entry.product_type} product name expected, got {entry.name!r}"
            )
        self.entry = entry
        self.name = match.groupdict()
        if self.name["frame"] == "____":  # altimetry: a half orbit, no frame
            self.name["frame"] = "0000"
        self.orbit = int(entry.attribute("orbitNumber", 0))
        created = datetime.strptime(self.name["created"], "%Y%m%dT%H%M%S")
        self.created = created.replace(tzinfo=entry.start.tzinfo)
        self.direction = str(entry.attribute("orbitDirection", "DESCENDING")).lower()
        self.swath = Swath(footprint_quad(entry), self.direction == "ascending")

    @property
    def when(self) -> float:
        """Sensing start in epoch seconds (what the scene takes)."""
        return epoch_seconds(self.entry.start)

    @property
    def cover(self) -> float:
        """The record's cloud cover as a fraction (0 when it has none)."""
        return min(max(float(self.entry.attribute("cloudCover", 0.0)) / 100.0, 0.0), 1.0)

    def attrs(self, **extra: Any) -> dict[str, Any]:
        """Global attributes: the family's common ones and ``extra``."""
        return {**self.common_attrs(_xml.iso(self.created, 0)), **extra}


def seeded(*parts: Any) -> np.random.Generator:
    """A generator seeded from ``parts`` (product name, file...): same values every build."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def grid_lonlat(
    swath: Swath, rows: int, cols: int, span: tuple[float, float] = (0.0, 1.0)
) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a ``rows`` x ``cols`` image over the footprint, its columns spanning the
    fraction ``span`` of the swath width (row 0 acquired first, as :class:`._sen3.Swath`)."""
    r, c = np.indices((rows, cols), dtype=float)
    width = 1000.0
    first, last = span
    col = (first + (last - first) * c / max(cols - 1, 1)) * (width - 1)
    return swath.lonlat(r, col, rows, int(width))


def stored(
    group: NcGroup,
    name: str,
    dims: tuple[str, ...],
    values: Any,
    dtype: Any,
    *,
    scale: float | None = None,
    offset: float = 0.0,
    fill: Any = None,
    **attrs: Any,
) -> None:
    """Variable ``name`` holding physical ``values`` (NaN for missing): integers are stored as
    ``round((value - offset) / scale)`` clipped to the type, missing ones as ``fill``."""
    dt = np.dtype(dtype)
    v = np.asarray(values, dtype=float)
    missing = ~np.isfinite(v)
    if dt.kind in "iu":
        raw = v if scale is None else (v - offset) / scale
        info = np.iinfo(dt)
        raw = np.clip(np.round(np.where(missing, 0, raw)), info.min, info.max)
        if fill is not None:
            raw = np.where(missing, fill, raw)
        data = raw.astype(dt)
    else:
        data = np.where(missing, fill if fill is not None else np.nan, v).astype(dt)
    packing: dict[str, Any] = {}
    if scale is not None:
        # small integers decode to float32, wide ones need float64 (altimetry ranges)
        real = np.float32 if dt.itemsize <= 2 else np.float64
        packing = {"scale_factor": real(scale), "add_offset": real(offset)}
    fill_value = None if fill is None else dt.type(fill)
    _sen3.variable(group, name, dims, data, dt, fill=fill_value, **attrs, **packing)


def nc_file(
    dims: dict[str, int], body: Callable[[NcGroup], None], attrs: dict[str, Any], title: str
) -> bytes:
    """A netCDF file with the product's global attributes and ``title``."""
    return _sen3.nc(dims, body, {**attrs, "title": title})


def finish(
    product: Product,
    spec: Spec,
    files: dict[str, bytes],
    measurements: Iterable[str],
    info: list[str] | None = None,
) -> dict[str, bytes]:
    """``files`` with their ``xfdumanifest.xml``: a data unit per file (measurement units
    for the stems in ``measurements``, annotation units for the others)."""
    measured = set(measurements)
    units = []
    for path in sorted(files, key=str.lower):
        stem = path[:-3]
        key = re.sub(r"\W", "_", stem[0].lower() + stem[1:])
        text = stem.replace("_", " ")
        units.append(Unit(path, f"{key}Data", f"{key}Unit", stem in measured, text))
    files["xfdumanifest.xml"] = _sen3.manifest(product, spec, units, info or [], files).encode()
    return files


def spec(
    namespace: str, version: str, text: str, instrument: tuple[str, str], level: str, facility: str
) -> Spec:
    """A manifest :class:`._sen3.Spec` (package text ``text``, one instrument namespace)."""
    return Spec(
        namespaces=namespace,
        version=version,
        package_text=text,
        package_dmd="acquisitionPeriod platform measurementOrbitReference "
        "measurementQualityInformation processing measurementFrameSet "
        "generalProductInformation",
        instrument=instrument,
        facility=facility,
        level=level,
    )
