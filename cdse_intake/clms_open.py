"""``open_clms``: a cut of a CLMS dataset as one Dataset, from CDSE's copy when it holds one.

CDSE keeps some global CLMS products in its own catalogue (:mod:`.clms.cdse_copy`). A cut that
needs nothing only the land service does (the copy's native CRS, a raster output) is read from
there: no queue, no expiring link, the products read by range (or from the cache) and cut to
the pixels the box touches, as the land service cuts. Otherwise, and when CDSE lacks a date of
the period or does not cover the box (said at INFO), the land service makes the cut:
``clms.request`` -> ``wait`` -> ``download`` -> :func:`~cdse_intake.readers.open_clms_result`.
Both paths give the same Dataset: ``time, y, x``, the variable and its ``<var>_flags``, the same
scaling and CRS; ``attrs["clms_source"]`` says which (``"cdse"`` or ``"land"``).

Public face: it needs ``clms``, ``readers`` and :func:`.api.search`; nothing below imports it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from .clms.requests import checked_crs, parse_bbox, parse_time
from .config import resolve

if TYPE_CHECKING:
    import xarray as xr

    from .clms import CDSECopy, CLMSDataset
    from .product import Product

__all__ = ["open_clms"]

log = logging.getLogger("cdse_intake.clms")

#: CDSE copies on one global lat/lon grid (STAC collection -> its pixel, degrees), which this
#: module cuts; CDSE's other copies (CLCplus, 100 m tiles in EPSG:3035) need a mosaic: not yet.
GLOBAL_GRIDS = {
    "clms_ndvi_global_300m_10daily_v2_nc": 1 / 336,
    "clms_ndvi_global_300m_10daily_v3_nc": 1 / 336,
}
#: Output formats that are only a transport of the raster (the result is a Dataset anyway).
RASTER_FORMATS = ("geotiff", "netcdf")
_TIME_ATTRS = {"standard_name": "time", "long_name": "start of the product's period"}
_X_ATTRS = {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
_Y_ATTRS = {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}


def open_clms(
    dataset: str | CLMSDataset,
    *,
    bbox: Any,
    time: Any = None,
    crs: str | int = "EPSG:4326",
    output_format: str | None = None,
    prefer_cdse: bool = True,
    chunks: Any = "auto",
    scale: bool = True,
    remote: bool = True,
    service_key: Any = None,
    timeout: float | None = None,
    endpoints: Any = None,
    settings: Any = None,
    **open_kwargs: Any,
) -> xr.Dataset:
    """A cut of the CLMS ``dataset`` over ``bbox`` as a lazy Dataset; from CDSE when it can.

    ``bbox`` (west, south, east, north; degrees), ``time`` (``(start, end)``: the files whose
    period starts within it), ``crs`` and ``output_format`` as for
    :func:`cdse_intake.clms.request`. With ``prefer_cdse`` (default) and a CDSE copy of the
    dataset (:func:`cdse_intake.clms.cdse_copy`), a cut in the copy's CRS as a raster is read
    from CDSE (``remote``: by range unless cached; else downloaded; ``open_kwargs`` go to
    :func:`~cdse_intake.open_product`); a copy missing a date of the period or the box falls
    back to the land service (logged at INFO), which ``service_key`` and ``timeout`` (seconds
    to wait for its task) are for. ``chunks``, ``scale``: as
    :func:`~cdse_intake.readers.open_clms_result`, whose Dataset both paths return, with
    ``attrs["clms_source"]`` (``"cdse"``: and ``clms_products``; ``"land"``: and
    ``clms_task_id``). Bad ``bbox``, ``time`` or ``crs`` raise
    :class:`~cdse_intake.errors.CLMSQueryError` naming the value.
    """
    from . import clms
    from .readers.options import check_bool

    area = parse_bbox(bbox)
    period = parse_time(time)
    gcs = checked_crs(crs, ())  # spelt canonically; the land service checks it is offered
    scale, remote = check_bool("scale", scale), check_bool("remote", remote)
    context = resolve(endpoints=endpoints, settings=settings)  # once, for every call below
    endpoints, settings = context.endpoints, context.settings
    found = clms.dataset(dataset, endpoints=endpoints, settings=settings)
    if prefer_cdse:
        copy = clms.cdse_copy(found, period, area, endpoints=endpoints, settings=settings)
        why = _land_only(copy, gcs, output_format, period)
        if why is None and copy is not None and period is not None:
            ds = _from_cdse(copy, area, period, chunks, scale, remote, endpoints, settings,
                            open_kwargs)  # fmt: skip
            if ds is not None:
                return ds
        elif copy is not None:
            log.info("CLMS %r from the land service: %s", found.title, why)
    job = clms.request(
        found,
        bbox=area,
        time=time,
        crs=gcs,
        output_format=output_format or "Geotiff",
        service_key=service_key,
        endpoints=endpoints,
        settings=settings,
    )
    job.wait(timeout=timeout)
    return _from_land(job, chunks, scale)


def _land_only(
    copy: CDSECopy | None, crs: str, output_format: str | None, period: Any
) -> str | None:
    """Why only the land service can make this cut (None: CDSE's copy can)."""
    if copy is None:
        return "CDSE holds no copy"
    if copy.stac_collection not in GLOBAL_GRIDS:
        return f"CDSE's copy {copy.stac_collection} is tiled (no mosaic here)"
    if crs not in ("EPSG:4326", "EPSG:4258"):
        return f"crs={crs!r} asks for a reprojection (CDSE's copy is in EPSG:4326)"
    if output_format is not None and str(output_format).strip().casefold() not in RASTER_FORMATS:
        return f"output_format={output_format!r} is not a raster"
    if period is None:
        return "no time= given: CDSE's copy holds one product per period"
    return None


def _from_cdse(
    copy: CDSECopy,
    area: tuple[float, float, float, float],
    period: tuple[dt.datetime, dt.datetime],
    chunks: Any,
    scale: bool,
    remote: bool,
    endpoints: Any,
    settings: Any,
    open_kwargs: dict[str, Any],
) -> xr.Dataset | None:
    """The cut from CDSE's copy; None (logged) when the copy lacks a date or the box."""
    import xarray as xr

    from .api import search
    from .errors import ProductNotFound, ProductOffline
    from .readers import open_product

    results = search(**copy.search_kwargs(), endpoints=endpoints, settings=settings)
    results.warn_empty = False  # nothing found is said below, with what happens instead
    products = _products(results)
    products = {d: p for d, p in products.items() if period[0] <= d <= period[1]}
    missing = [d for d in _period_starts(copy, period) if d not in products]
    if not products or missing:
        what = ", ".join(f"{d:%Y-%m-%d}" for d in missing) or "every date"
        span = f"{period[0]:%Y-%m-%d}..{period[1]:%Y-%m-%d}"
        log.info(
            "CDSE's copy %s lacks %s of %s: the land service cuts it instead",
            copy.stac_collection,
            what,
            span,
        )
        return None
    parts = []
    for when, product in sorted(products.items()):
        var = _variable(product)
        try:
            raw = open_product(product, chunks=chunks, remote=remote, scale=False,
                               variables=[var], endpoints=endpoints, settings=settings,
                               **open_kwargs)  # fmt: skip
        except (ProductOffline, ProductNotFound) as err:  # in the archive, withdrawn
            log.info("CDSE product %s cannot be read (%s): the land service cuts it instead",
                     product.name, err)  # fmt: skip
            return None
        cut = _cut(raw, area, GLOBAL_GRIDS[copy.stac_collection])
        if cut is None:
            log.info("CDSE product %s does not cover bbox=%s: the land service cuts it instead",
                     product.name, list(area))  # fmt: skip
            return None
        parts.append(_as_result(cut, var, when, scale))
    ds = xr.concat(parts, dim="time", combine_attrs="drop_conflicts").sortby("time")
    names = [p.name for _, p in sorted(products.items())]
    log.info("CLMS %r from CDSE's copy: %d products", copy.title, len(names))
    ds.attrs.update(
        {
            "source_files": names,
            "grid": _label(ds),
            "cdse_source": f"cdse collection {copy.stac_collection}",
            "clms_source": "cdse",
            "clms_dataset": copy.dataset_uid,
            "clms_products": names,
        }
    )
    return ds


def _products(results: Any) -> dict[dt.datetime, Product]:
    """Products by the (naive UTC) start of their period; the first of a date kept."""
    out: dict[dt.datetime, Product] = {}
    for product in results:
        if product.start is not None:
            start = product.start.astimezone(dt.UTC).replace(tzinfo=None)
            out.setdefault(start, product)
    return out


def _period_starts(copy: CDSECopy, period: tuple[dt.datetime, dt.datetime]) -> list[dt.datetime]:
    """The dekads (1st, 11th, 21st) starting within ``period``: the files the land service
    gives for a 10-daily dataset; none known for other periods."""
    if "10daily" not in copy.stac_collection:
        return []
    day, out = period[0].date(), []
    while day <= period[1].date():
        if day.day in (1, 11, 21) and period[0] <= dt.datetime.combine(day, dt.time()):
            out.append(dt.datetime.combine(day, dt.time()))
        day += dt.timedelta(days=1)
    return out


def _variable(product: Product) -> str:
    """The variable the land service names its file's layer after (``NDVI``)."""
    from .readers.geotiff import clms_name

    parts = clms_name(product.name)
    return parts.variable if parts is not None else product.name.split("_")[0]


def _cut(raw: xr.Dataset, area: tuple[float, float, float, float], pixel: float) -> Any:
    """The pixels of ``raw`` (lat/lon centres) the box touches, as the land service cuts
    (``floor``/``ceil`` to whole pixels, a billionth of a pixel of tolerance); None when the
    product does not hold the whole box."""
    import numpy as np

    west, south, east, north = area
    x = raw["lon"].values if "lon" in raw.dims else raw["x"].values
    y = raw["lat"].values if "lat" in raw.dims else raw["y"].values
    half, eps = pixel / 2, pixel * 1e-9
    if x.min() - half > west + eps or x.max() + half < east - eps:
        return None
    if y.min() - half > south + eps or y.max() + half < north - eps:
        return None
    cols = np.flatnonzero((x + half > west + eps) & (x - half < east - eps))
    rows = np.flatnonzero((y + half > south + eps) & (y - half < north - eps))
    xdim, ydim = ("lon", "lat") if "lon" in raw.dims else ("x", "y")
    return raw.isel({xdim: slice(cols[0], cols[-1] + 1), ydim: slice(rows[0], rows[-1] + 1)})


def _as_result(cut: xr.Dataset, var: str, when: dt.datetime, scale: bool) -> xr.Dataset:
    """One product's cut as :func:`~cdse_intake.readers.open_clms_result` gives a GeoTIFF of
    the land service: ``time, y, x``, EPSG:4326, float32 values and ``<var>_flags`` with
    ``scale``, else the raw DNs with their CF attributes."""
    import numpy as np
    import xarray as xr

    cut = cut.rename({d: n for d, n in (("lat", "y"), ("lon", "x")) if d in cut.dims})
    dn = cut[var]
    if "time" in dn.dims:
        dn = dn.isel(time=0, drop=True)
    dn = dn.drop_vars([c for c in dn.coords if c not in ("y", "x")])
    dn.attrs.pop("grid_mapping", None)
    ds = xr.Dataset({var: _decoded(dn, var) if scale else _raw(dn)})
    if scale and dn.attrs.get("flag_values") is not None:
        flags = dn.copy()
        flags.attrs = {
            "long_name": f"{var} digital numbers: flag_values mark flagged pixels",
            "flag_values": np.asarray(dn.attrs["flag_values"], dn.dtype),
            "flag_meanings": dn.attrs.get("flag_meanings", ""),
        }
        flags.encoding = {}
        ds[f"{var}_flags"] = flags
        ds[var].attrs["ancillary_variables"] = f"{var}_flags"
    ds["x"].attrs, ds["y"].attrs = dict(_X_ATTRS), dict(_Y_ATTRS)
    ds = ds.expand_dims(time=[np.datetime64(when, "ns")])
    ds["time"].attrs.update(_TIME_ATTRS)
    ds.attrs = {k: v for k, v in cut.attrs.items() if not k.startswith("cdse_")}
    ds.attrs.pop("product_name", None)  # one product's: the names are in ``clms_products``
    return ds.rio.write_crs("EPSG:4326").rio.write_transform(ds.rio.transform(recalc=True))


def _raw(dn: xr.DataArray) -> xr.DataArray:
    """The DNs with their CF packing as attributes (``_FillValue`` too), as ``scale=False``."""
    out = dn.copy()
    out.attrs = {**dn.encoding, **dn.attrs}
    out.attrs = {k: v for k, v in out.attrs.items() if k in _CF_KEEP or k in dn.attrs}
    out.encoding = {}
    return out


_CF_KEEP = ("_FillValue", "scale_factor", "add_offset", "missing_value")


def _decoded(dn: xr.DataArray, var: str) -> xr.DataArray:
    """``DN * scale + offset`` in float32 (<= 16-bit DNs), NaN at the fill value, the flag
    values and outside ``valid_range``: the GeoTIFF reader's arithmetic, bit for bit."""
    import numpy as np

    attrs = {**dn.encoding, **dn.attrs}
    ftype = np.float32 if dn.dtype.itemsize <= 2 else np.float64
    factor, offset = ftype(attrs.get("scale_factor", 1)), ftype(attrs.get("add_offset", 0))
    invalid = [v for k in ("_FillValue", "flag_values", "missing_value") if k in attrs
               for v in np.ravel(attrs[k])]  # fmt: skip
    bad = dn.isin(invalid) if invalid else dn != dn
    if "valid_range" in attrs:
        low, high = np.ravel(attrs["valid_range"])[:2]
        bad = bad | (dn < low) | (dn > high)
    values = (dn.astype(ftype) * factor + offset).where(~bad).astype(ftype)
    keep = ("long_name", "standard_name", "units")
    values.attrs = {k: v for k, v in dn.attrs.items() if k in keep}
    values.encoding = {
        "_FillValue": attrs.get("_FillValue"),
        "scale_factor": float(factor),
        "add_offset": float(offset),
        "dtype": dn.dtype,
    }
    values.name = var
    return values


def _label(ds: xr.Dataset) -> str:
    """The grid's label as :func:`~cdse_intake.readers.open_clms_result` writes it."""
    a, _, c, _, e, f = tuple(ds.rio.transform())[:6]
    w, h = ds.sizes["x"], ds.sizes["y"]
    west = c if a > 0 else c + a * w
    north = f if e < 0 else f + e * h
    return f"EPSG:4326 {w}x{h}{west:+.10g}{north:+.10g}"


def _from_land(job: Any, chunks: Any, scale: bool) -> xr.Dataset:
    from .readers import open_clms_result

    files = job.download()
    ds = open_clms_result(files[0], chunks=chunks, scale=scale)
    ds.attrs["clms_source"] = "land"
    ds.attrs["clms_task_id"] = job.task_id
    return ds
