"""What the Sentinel-3 SEN3 builders (OLCI EFR, SLSTR LST, SYNERGY SYN) share.

- :class:`Product`: a catalogue entry read as a SEN3 product (name fields, orbit, pass direction)
  and its :class:`Swath`, the geometry its arrays depend on (footprint corners, direction).
- Global attributes: every ``.nc`` of a real product carries the same ones (alphabetical, as
  netCDF-C lists them), of which only product name, times and orbit differ between two products
  of a site. :func:`render` writes a family's files with same-size placeholders once (those
  that do not depend on the geometry) or once per swath (positions, tie points), and patches
  each product's values in (:mod:`._h5patch`); the files of what the product sees of the
  synthetic Earth (radiances, temperatures, flags: its place, date and clouds) are written for
  each product. The cache holds 48 file sets (~0.1-0.8 MB each).
- :func:`manifest` (from :mod:`._sen3_manifest`): the ``xfdumanifest.xml`` the three share.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import Quad, footprint_quad
from ._h5patch import Template, TemplateError
from ._netcdf import NcGroup, netcdf_bytes
from ._netcdf import variable as _variable
from ._sen3_manifest import Spec, Unit, band_lines, manifest, metadata_object

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "PerProduct",
    "Product",
    "Spec",
    "Swath",
    "Unit",
    "band_lines",
    "degrees",
    "manifest",
    "metadata_object",
    "nc",
    "render",
    "variable",
]

_NAME = re.compile(
    r"^S3(?P<platform>[AB])_(?P<type>\w\w_\d_\w{6})_(?P<start>\d{8}T\d{6})_"
    r"(?P<stop>\d{8}T\d{6})_(?P<created>\d{8}T\d{6})_(?P<duration>\d{4})_(?P<cycle>\d{3})_"
    r"(?P<rel>\d{3})_(?P<frame>\d{4})_(?P<centre>\w{3})_O_(?P<timeliness>\w\w)_"
    r"(?P<baseline>\d{3})\.SEN3$"
)
_log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1)
#: Global attributes whose values differ between products of one site (patched per product).
PER_PRODUCT = (
    "absolute_orbit_number",
    "creation_time",
    "history",
    "product_name",
    "start_offset",
    "start_time",
    "stop_time",
)
TIME = "time"
"""The slot of the per-row time stamps (int64 microseconds since 2000, stored uncompressed)."""


@dataclass(frozen=True)
class Swath:
    """Footprint corners and pass direction: what a product's arrays depend on (a cache key).

    Row 0 is the first line acquired: the northern edge of a descending pass, the southern edge
    of an ascending one; column 0 lies right of the track (west descending, east ascending).
    """

    quad: Quad
    ascending: bool

    def lonlat(self, row: Any, col: Any, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) of image position ``(row, col)`` (fractions allowed, and beyond the
        edges) of a ``rows`` x ``cols`` image spanning the footprint."""
        u = np.asarray(col, float) / (cols - 1)
        v = 1 - np.asarray(row, float) / (rows - 1)
        if self.ascending:
            u, v = 1 - u, 1 - v
        return self.quad.interpolate(u, v)


class Product:
    """A catalogue entry as a SEN3 product of ``product_type`` (``SL_2_LST___``)."""

    def __init__(self, entry: Entry, product_type: str, label: str) -> None:
        match = _NAME.match(entry.name)
        if not match or match["type"] != product_type:
            raise ValueError(f"Sentinel-3 {label} product name expected, got {entry.name!r}")
        self.entry = entry
        self.name = match.groupdict()
        self.orbit = int(entry.attribute("orbitNumber", 0))
        created = datetime.strptime(self.name["created"], "%Y%m%dT%H%M%S")
        self.created = created.replace(tzinfo=entry.start.tzinfo)
        self.direction = str(entry.attribute("orbitDirection", "DESCENDING")).lower()
        self.swath = Swath(footprint_quad(entry), self.direction == "ascending")

    def stamps(self, rows: int) -> np.ndarray:
        """Row times, microseconds since 2000-01-01, evenly from the start to the stop."""
        epoch = EPOCH.replace(tzinfo=self.entry.start.tzinfo)
        start = (self.entry.start - epoch) // timedelta(microseconds=1)
        total = (self.entry.end - self.entry.start) // timedelta(microseconds=1)
        return start + total * np.arange(rows, dtype=np.int64) // (rows - 1)

    def history(self) -> str:
        """The processing line of the real files, its job number drawn from the name."""
        job = 600_000_000 + int(hashlib.sha256(self.entry.name.encode()).hexdigest(), 16) % 10**8
        folder = f"/data/ipf-s3/workdir{job % 90 + 10}/{job}"
        return f"  {_xml.iso(self.created, 0)}: PUGCoreProcessor {folder}/JobOrder.{job}.xml"

    def common_attrs(self, creation_time: str) -> dict[str, Any]:
        """The global attributes every family's files carry."""
        return {
            "absolute_orbit_number": np.array([self.orbit], dtype=np.uint32),
            "comment": " ",
            "contact": "eosupport@copernicus.esa.int",
            "creation_time": creation_time,
            "history": self.history(),
            "institution": self.name["centre"],
            "netCDF_version": "4.2 of Mar 13 2018 10:14:33 $",
            "product_name": self.entry.name,
            "start_time": _xml.iso(self.entry.start),
            "stop_time": _xml.iso(self.entry.end),
        }


# -- netCDF files and their per-product patches ---------------------------------------------


def nc(dims: dict[str, int], body: Callable[[NcGroup], None], attrs: Mapping[str, Any]) -> bytes:
    """A netCDF file: ``dims``, the variables ``body`` writes, global ``attrs`` sorted by name
    (strings as fixed-length ASCII, as the real files hold them)."""

    def write(root: NcGroup) -> None:
        root.dimensions = dims
        body(root)
        values = {k: attrs[k] for k in sorted(attrs)}
        set_attrs(root, {k: np.bytes_(v.encode()) if isinstance(v, str) else v
                         for k, v in values.items()})  # fmt: skip

    return netcdf_bytes(write)


def variable(
    group: NcGroup,
    name: str,
    dims: tuple[str, ...],
    data: Any,
    dtype: Any = None,
    fill: Any = None,
    compress: bool = True,
    **attrs: Any,
) -> Any:
    """:func:`._netcdf.variable`, its attributes written by :func:`set_attrs`."""
    var = _variable(group, name, dims, data, dtype, fill=fill, compress=compress)
    set_attrs(var, attrs)
    return var


def time_stamps(
    group: NcGroup,
    stamps: Any,
    name: str = "time_stamp",
    long_name: str = "Elapsed time since 01 Jan 2000 0h",
    compress: bool = True,
) -> None:
    """The rows' times (int64 microseconds since 2000); ``compress=False`` keeps the raw bytes
    for the per-product patches."""
    variable(
        group,
        name,
        ("rows",),
        stamps,
        np.int64,
        compress=compress,
        long_name=long_name,
        standard_name="time",
        units="microseconds since 2000-01-01 00:00:00",
    )


def set_attrs(obj: Any, attrs: Mapping[str, Any]) -> None:
    """``obj.attrs[name] = value`` for each item in order, as h5py writes them (same bytes)
    but without its per-call checks, which made attributes most of the writing time."""
    manager = obj.attrs
    try:
        from h5py import h5a, h5s, h5t
        from h5py._hl.base import array_for_new_object

        target = manager._id
    except (ImportError, AttributeError):  # pragma: no cover - h5py changed: the plain way
        for name, value in attrs.items():
            manager[name] = value
        return
    for name, value in attrs.items():
        data = array_for_new_object(value)
        attr = h5a.create(
            target, name.encode(), h5t.py_create(data.dtype, logical=True),
            h5s.create_simple(data.shape),
        )  # fmt: skip
        attr.write(data, mtype=h5t.py_create(data.dtype))
        attr.close()


def degrees(
    group: NcGroup, name: str, dims: tuple[str, ...], values: Any, limit: int, **attrs: Any
) -> None:
    """A latitude or longitude as the real files store it: int32 micro-degrees."""
    variable(
        group,
        name,
        dims,
        np.round(np.asarray(values) * 1e6),
        np.int32,
        fill=np.int32(-2147483648),
        **attrs,
        scale_factor=1e-06,
        valid_max=np.int32(limit * 1_000_000),
        valid_min=np.int32(-limit * 1_000_000),
    )


@dataclass(frozen=True)
class _Globals:
    """Global attributes with each per-product value replaced by its size: ``(name, text)``,
    ``(name, ("text", size))``, ``(name, (dtype, int))`` or ``(name, (dtype, None))``; and the
    number of time stamps. Equal for products of one site: the template cache key."""

    items: tuple[tuple[str, Any], ...]
    rows: int

    def attrs(self, salt: int) -> dict[str, Any]:
        """The attributes with placeholders (``salt`` varies them should one collide)."""
        out: dict[str, Any] = {}
        for i, (name, value) in enumerate(self.items):
            if isinstance(value, str):
                out[name] = value
            elif value[0] == "text":
                out[name] = _text_placeholder(name, value[1], salt).decode()
            elif value[1] is None:
                out[name] = _number_placeholder(value[0], i, salt)
            else:
                out[name] = np.array([value[1]], dtype=value[0])
        return out

    def placeholders(self, salt: int) -> dict[str, bytes]:
        out = {}
        for i, (name, value) in enumerate(self.items):
            if isinstance(value, tuple) and value[0] == "text":
                out[name] = _text_placeholder(name, value[1], salt)
            elif isinstance(value, tuple) and value[1] is None:
                out[name] = _number_placeholder(value[0], i, salt).tobytes()
        out[TIME] = self.stamps(salt).tobytes()
        return out

    def stamps(self, salt: int) -> np.ndarray:
        base = 0x7E5A_3C00_0000_0000 + salt * 0x1_0000_0000
        return base + np.arange(self.rows, dtype=np.int64) * 0x0101_0001


def _text_placeholder(name: str, size: int, salt: int) -> bytes:
    unit = f"\x1b{salt}{name}#".encode()
    return (unit * (size // len(unit) + 1))[:size]


def _number_placeholder(dtype: str, index: int, salt: int) -> np.ndarray:
    """One value of ``dtype`` with an unlikely bit pattern."""
    pattern = ((0xA5C3_5A3C_6B1E_97D1 + 0x0101_0101_0101_0101 * salt + 0x1F3D * index)
               & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")  # fmt: skip
    size = np.dtype(dtype).itemsize
    return np.frombuffer(pattern[:size], dtype=dtype).copy()


def _split(attrs: Mapping[str, Any], stamps: np.ndarray) -> tuple[_Globals, dict[str, bytes]]:
    """The template key of ``attrs`` and the bytes each per-product slot takes."""
    items: list[tuple[str, Any]] = []
    values: dict[str, bytes] = {TIME: np.asarray(stamps, dtype=np.int64).tobytes()}
    for name, value in attrs.items():
        changes = name in PER_PRODUCT
        if isinstance(value, str):
            raw = value.encode()
            items.append((name, ("text", len(raw)) if changes else value))
        else:
            array = np.asarray(value).ravel()
            raw = array.tobytes()
            items.append((name, (array.dtype.str, None if changes else array[0].item())))
        if changes:
            values[name] = raw
    return _Globals(tuple(items), len(stamps)), values


Writer = Callable[[Swath | None, dict[str, Any], np.ndarray], dict[str, bytes]]
"""A family's file writer: (swath, shared global attributes, row time stamps) -> the files on
that swath, or with ``swath=None`` the files that do not depend on it (band data, flags...)."""


@functools.lru_cache(maxsize=48)
def _templates(write: Writer, swath: Swath | None, key: _Globals) -> dict[str, Template] | None:
    """The templates of ``write``'s files, or None when they cannot be patched safely."""
    problem = None
    for salt in range(4):
        files = write(swath, key.attrs(salt), key.stamps(salt))
        holders = key.placeholders(salt)
        try:
            return {path: Template.make(data, holders, raw=(TIME,)) for path, data in files.items()}
        except TemplateError as err:
            problem = err  # a placeholder collided with other bytes: try others
    _log.warning("%s: files written afresh for every product (%s)", write.__module__, problem)
    return None


PerProduct = Callable[[Product, dict[str, Any]], dict[str, bytes]]
"""A family's writer of the files that differ in their data from product to product: (product,
its global attributes) -> files."""


def render(
    product: Product,
    write: Writer,
    attrs: Mapping[str, Any],
    rows: int,
    cached: bool = True,
    per_product: PerProduct | None = None,
) -> dict[str, bytes]:
    """The files ``write`` makes for ``product`` with the shared global ``attrs`` and ``rows``
    time stamps: written once per family (swath-free files) and per swath, then patched per
    product; or (``cached=False``) written afresh, which gives the same bytes. Then the files
    ``per_product`` writes for this product alone."""
    own = per_product(product, dict(attrs)) if per_product else {}
    if not cached:
        stamps = product.stamps(rows)
        swath_free = write(None, dict(attrs), stamps)
        return {**swath_free, **write(product.swath, dict(attrs), stamps), **own}
    key, values = _split(attrs, product.stamps(rows))
    common, on_swath = _templates(write, None, key), _templates(write, product.swath, key)
    if common is None or on_swath is None:  # an HDF5 layout the patching does not know
        return {**render(product, write, attrs, rows, cached=False), **own}
    patched = {path: t.render(values) for path, t in {**common, **on_swath}.items()}
    return {**patched, **own}
