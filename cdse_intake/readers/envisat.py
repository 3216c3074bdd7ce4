"""Envisat MERIS Level-1b products (MER_FRS_1P, MER_RR__1P ``.N1``) as an xarray Dataset.

The file is parsed here (:mod:`._envisat_format`: MPH, SPH, DSDs), so it reads from any
:class:`~.source.ProductSource` (a local file, a zip, ``cdse://`` by range requests) and
pickles for dask; GDAL's ESAT driver reads the same files but only from a path, and reads the
flags band with the radiance's record size.

What the Dataset holds, ``(y, x)`` = (image line, column):

- ``radiance_1`` … ``radiance_15``: top-of-atmosphere radiance (float32, mW m-2 sr-1 nm-1), the
  Radiance MDS counts times the band's ``SCALING_FACTOR_RAD`` (Scaling Factor GADS), with
  ``wavelength`` and ``bandwidth`` (nm, from the SPH); read lazily, record by record;
- ``l1_flags`` (uint8, the L1b flags: bit 4 land, bit 5 bright, …) and ``detector_index``
  (int16), from the Flags MDS;
- the tie point grids of the Tie points ADS on ``(tie_y, tie_x)`` (their image line and column
  as coordinates): ``tie_latitude``, ``tie_longitude``, DEM altitude, sun and view angles (deg),
  winds, pressure, ozone, humidity (scaled by the GADS factors);
- coordinates ``latitude``/``longitude`` per pixel, bilinear between the tie points (as BEAM's
  tie-point geocoding), and ``time`` per line (``FIRST_LINE_TIME`` + line x
  ``LINE_TIME_INTERVAL``);
- attributes: the MPH and SPH fields (``MPH_<key>``, ``SPH_<key>``, as GDAL names them).

``variables=`` keeps only some of these; ``scale=False`` gives the stored counts and integers
with their ``scale_factor``. An empty, foreign or truncated ``.N1`` is refused naming it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import UnsupportedProduct
from ._envisat_format import DataSet, Header, parse_header, parse_time
from ._members import check_file
from ._subset import names, select
from .options import check_bool, check_chunks
from .source import ProductSource

__all__ = ["open", "read_header"]

#: Tie point fields of a MERIS Level-1b Tie points ADS record (after its 13-byte prefix), in
#: order: name, big-endian type, factor to physical units (an int: the Scaling Factor GADS
#: factor of that index), units.
TIE_FIELDS = (
    ("tie_latitude", ">i4", 1e-6, "degrees_north"),
    ("tie_longitude", ">i4", 1e-6, "degrees_east"),
    ("dem_alt", ">i4", 0, "m"),
    ("dem_rough", ">u4", 1, "m"),
    ("lat_corr", ">i4", 1e-6, "degrees"),
    ("lon_corr", ">i4", 1e-6, "degrees"),
    ("sun_zenith", ">u4", 1e-6, "degrees"),
    ("sun_azimuth", ">i4", 1e-6, "degrees"),
    ("view_zenith", ">u4", 1e-6, "degrees"),
    ("view_azimuth", ">i4", 1e-6, "degrees"),
    ("zonal_wind", ">i2", 2, "m s-1"),
    ("merid_wind", ">i2", 3, "m s-1"),
    ("atm_press", ">u2", 4, "hPa"),
    ("ozone", ">u2", 5, "DU"),
    ("rel_hum", ">u2", 6, "%"),
)
_FLAG_MEANINGS = "cosmetic duplicated glint_risk suspect land_ocean bright coastline invalid"
_PREFIX = 13
_DIMS = {name: name for name in ("y", "x", "tie_y", "tie_x")}


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
) -> xr.Dataset:
    """The MERIS Level-1b product of ``source`` as a lazy Dataset (see the module docstring).

    ``variables``: only these (``["radiance_8", "l1_flags"]``), coordinates kept.
    ``scale=False``: radiances as their stored uint16 counts and tie point grids as their
    stored integers, each with its ``scale_factor`` (coordinates stay physical).
    """
    wanted = names(variables, "['radiance_8']")
    scale = check_bool("scale", scale)
    chunks = check_chunks(chunks, _DIMS, what="the MERIS arrays")
    rel = _n1_file(source)
    check_file(source, rel)
    header = read_header(source, rel)
    product = str(header.mph.get("PRODUCT", ""))
    if not product.startswith("MER_") or product[8:10] != "1P":
        raise UnsupportedProduct(
            f"{source.location}: {product!r} is not a MERIS Level-1b product (MER_*_1P)"
        )
    width, lines = int(header.sph.get("LINE_LENGTH", 0)), header.dataset("Radiance MDS(1)").num_dsr
    if width <= 0 or lines <= 0:
        raise UnsupportedProduct(f"{source.location}: LINE_LENGTH={width}, {lines} lines")
    with source.open(rel) as f:
        gads = _read(f, header.dataset("Scaling Factor GADS"), 0, 1)[0]
        factors = np.frombuffer(gads[:88], ">f4").astype(np.float64)
        ties, raw_ties = _tie_grids(f, header, factors, width)
    wavelengths = list(np.atleast_1d(header.sph.get("BAND_WAVELEN", [])))
    bandwidths = list(np.atleast_1d(header.sph.get("BANDWIDTH", [])))
    dims = ("y", "x")
    data_vars: dict[str, Any] = {}
    for band in range(1, 16):
        ds = header.datasets.get(f"Radiance MDS({band})")
        if ds is None:
            continue
        factor = float(factors[6 + band])
        array = _Mds(source, rel, ds, width, "radiance" if scale else "counts", factor)
        attrs = {"long_name": f"TOA radiance, band {band}", "units": "mW m-2 sr-1 nm-1"}
        if not scale:
            attrs["scale_factor"] = np.float32(factor)
        if len(wavelengths) >= band:
            attrs["wavelength"] = wavelengths[band - 1] / 1000.0
        if len(bandwidths) >= band:
            attrs["bandwidth"] = bandwidths[band - 1] / 1000.0
        data_vars[f"radiance_{band}"] = xr.Variable(dims, indexing.LazilyIndexedArray(array), attrs)
    flags = header.datasets.get("Flags MDS(16)")
    if flags is not None:
        data_vars["l1_flags"] = xr.Variable(
            dims,
            indexing.LazilyIndexedArray(_Mds(source, rel, flags, width, "flags")),
            {
                "long_name": "MERIS Level-1b flags",
                "flag_masks": np.array([1, 2, 4, 8, 16, 32, 64, 128], np.uint8),
                "flag_meanings": _FLAG_MEANINGS,
            },
        )
        data_vars["detector_index"] = xr.Variable(
            dims,
            indexing.LazilyIndexedArray(_Mds(source, rel, flags, width, "detector")),
            {"long_name": "index of the detector that saw the pixel"},
        )
    tie_y = np.arange(ties["tie_latitude"].shape[0]) * int(header.sph["LINES_PER_TIE_PT"])
    tie_x = np.arange(ties["tie_latitude"].shape[1]) * int(header.sph["SAMPLES_PER_TIE_PT"])
    for name, values in ties.items():
        units = next(u for n, _, _, u in TIE_FIELDS if n == name)
        if scale:
            variable = xr.Variable(("tie_y", "tie_x"), values.astype(np.float32), {"units": units})
        else:
            stored, factor = raw_ties[name]
            attrs = {"units": units, "scale_factor": factor}
            variable = xr.Variable(("tie_y", "tie_x"), stored, attrs)
        data_vars[name] = variable
    lat, lon = _interpolate(ties, tie_y, tie_x, lines, width)
    first = parse_time(str(header.sph["FIRST_LINE_TIME"])).replace(tzinfo=None)
    step = timedelta(microseconds=int(header.sph.get("LINE_TIME_INTERVAL", 0)))
    times = np.array([np.datetime64(first + i * step, "ns") for i in range(lines)])
    coords = {
        "latitude": (dims, lat, {"standard_name": "latitude", "units": "degrees_north"}),
        "longitude": (dims, lon, {"standard_name": "longitude", "units": "degrees_east"}),
        "time": ("y", times, {"standard_name": "time", "long_name": "time of the image line"}),
        "tie_y": ("tie_y", tie_y, {"long_name": "image line of the tie points"}),
        "tie_x": ("tie_x", tie_x, {"long_name": "image column of the tie points"}),
    }
    out = xr.Dataset(data_vars, coords=coords)
    out = select(out, wanted, f"{source.location} ({product[:10]})")
    out.attrs = {f"MPH_{k}": _attr(v) for k, v in header.mph.items()}
    out.attrs |= {f"SPH_{k}": _attr(v) for k, v in header.sph.items()}
    if chunks is not None:
        if chunks == "auto":
            chunks = {"y": min(lines, 512), "x": -1}
        elif isinstance(chunks, dict):  # the dimensions the variables kept have
            chunks = {d: n for d, n in chunks.items() if d in out.dims}
        out = out.chunk(chunks)
    return out


def read_header(source: ProductSource, rel: str = "") -> Header:
    """The product's MPH, SPH and data set descriptors."""
    with source.open(rel) as f:
        return parse_header(f, f"{source.location}/{rel}" if rel else source.location)


def _attr(value: Any) -> Any:
    return np.array(value) if isinstance(value, list) else value


def _n1_file(source: ProductSource) -> str:
    if source.single_file:
        return ""
    return source.find_one("*.N1", "ENVISAT product file")


def _read(f: Any, ds: DataSet, first: int, count: int) -> np.ndarray:
    """Records ``first``… of data set ``ds`` as uint8 ``(count, dsr_size)``."""
    f.seek(ds.offset + first * ds.dsr_size)
    data = f.read(count * ds.dsr_size)
    if len(data) != count * ds.dsr_size:
        raise UnsupportedProduct(f"data set {ds.name!r} is truncated")
    return np.frombuffer(data, np.uint8).reshape(count, ds.dsr_size)


def _tie_grids(
    f: Any, header: Header, factors: np.ndarray, width: int
) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, float]]]:
    """The tie point grids in physical units, and as stored (native-endian) with their
    factor."""
    ds = header.dataset("Tie points ADS")
    per_line = math.ceil(width / int(header.sph["SAMPLES_PER_TIE_PT"]))
    if ds.dsr_size != _PREFIX + 50 * per_line:
        raise UnsupportedProduct(
            f"Tie points ADS records of {ds.dsr_size} bytes, expected {_PREFIX + 50 * per_line}"
        )
    records = _read(f, ds, 0, ds.num_dsr)[:, _PREFIX:]
    out, stored, at = {}, {}, 0
    for name, dtype, factor, _ in TIE_FIELDS:
        size = np.dtype(dtype).itemsize * per_line
        raw = records[:, at : at + size].copy().view(dtype)
        scale = float(factors[factor]) if isinstance(factor, int) else factor
        out[name] = raw.astype(np.float64) * scale
        stored[name] = (raw.astype(np.dtype(dtype).newbyteorder("=")), scale)
        at += size
    return out, stored


def _interpolate(
    ties: dict[str, np.ndarray], tie_y: np.ndarray, tie_x: np.ndarray, lines: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (lat, lon), bilinear between the tie points (longitudes unwrapped)."""
    rows, cols = np.arange(lines, dtype=np.float64), np.arange(width, dtype=np.float64)
    lon_ties = np.degrees(np.unwrap(np.radians(ties["tie_longitude"]), axis=1))
    out = []
    for grid in (ties["tie_latitude"], lon_ties):
        along = np.stack([np.interp(cols, tie_x, row) for row in grid])  # (tie_y, x)
        out.append(np.stack([np.interp(rows, tie_y, along[:, c]) for c in range(width)], axis=1))
    lat, lon = out
    return lat.astype(np.float32), ((lon + 180.0) % 360.0 - 180.0).astype(np.float32)


class _Mds(BackendArray):
    """One measurement data set as a lazy ``(line, column)`` array, read by whole records."""

    def __init__(
        self,
        source: ProductSource,
        rel: str,
        ds: DataSet,
        width: int,
        kind: str,
        scale: float = 1.0,
    ) -> None:
        self.source, self.rel, self.ds, self.width, self.kind, self.scale = (
            source,
            rel,
            ds,
            width,
            kind,
            scale,
        )
        self.shape = (ds.num_dsr, width)
        self.dtype = np.dtype(
            {"radiance": np.float32, "counts": np.uint16, "flags": np.uint8, "detector": np.int16}[
                kind
            ]
        )

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.BASIC, self._raw
        )

    def _raw(self, key: tuple[Any, ...]) -> np.ndarray:
        rows = key[0] if isinstance(key[0], slice) else slice(key[0], key[0] + 1)
        start, stop, _ = rows.indices(self.shape[0])
        count = max(stop - start, 0)
        with self.source.open(self.rel) as f:
            records = (
                _read(f, self.ds, start, count)[:, _PREFIX:]
                if count
                else np.zeros((0, self.ds.dsr_size - _PREFIX), np.uint8)
            )
        if self.kind == "radiance":
            values = records[:, : 2 * self.width].copy().view(">u2") * np.float32(self.scale)
        elif self.kind == "counts":
            values = records[:, : 2 * self.width].copy().view(">u2")
        else:
            pixels = records[:, : 3 * self.width].reshape(count, self.width, 3)
            if self.kind == "flags":
                values = pixels[..., 0].copy()
            else:
                values = pixels[..., 1:].copy().view(">i2")[..., 0].astype(np.int16)
        values = values.astype(self.dtype, copy=False)
        local = (slice(None, None, rows.step) if isinstance(key[0], slice) else 0, *key[1:])
        return values[local]
