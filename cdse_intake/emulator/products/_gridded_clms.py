"""CLMS products of the STAC collections :mod:`..records.clms_more` fills: NDVI 300 m (V2 as
netCDF, V3 as netCDF and as COGs) and the CLCplus LULUCF instance.

Real (CLMS NDVI 300 m product user manual and file naming; ``CLMS_NetCDF2COG``): the global
dekad product ``c_gls_NDVI300_<YYYYMMDDHHMM>_GLOBE_OLCI_V<version>.nc`` holds ``NDVI``
(uint8 DN, ``NDVI = DN * 0.004 - 0.08``, DN 0..250 valid, 254 sea, 255 missing, also the
``_FillValue``), ``NDVI_unc`` (uncertainty, same packing), ``NOBS`` (observations in the dekad)
and ``QFLAG`` (quality bits) on ``(time, lat, lon)``, the 1/336° lat/lon grid (pixel centres on
multiples of 1/336°), a ``crs`` grid-mapping variable (``latitude_longitude``, WKT in
``spatial_ref``, ``GeoTransform``) and CF global attributes; the COG form is one file per layer
``<base>_NDVI.tif``, ``_NOBS.tif``, ``_QFLAG.tif``, ``_UNC.tif`` (as :mod:`..stac.layout_generic`
lists them). CLCplus: 100 m tiles in EPSG:3035, uint8 classes.

Emulated: the 512 x 512 window of :mod:`.geotiff` (the same pixels as the NDVI V2 GeoTIFF of the
same site and dekad, :func:`._clms_pixels.dn_window`), CLCplus a 256 x 256 window around the site
with the scene's land cover of the reference year's 1 July. Inferred: the exact attribute sets,
``NOBS`` (1-9 on land, 0 elsewhere), the ``QFLAG`` bits (1 sea, 2 no observation), the
uncertainty (2-10 % of the value) and the CLCplus file naming and class codes (the IPCC LULUCF
categories 1 forest land .. 6 other land, 255 outside land).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from ._clms_pixels import dn_window, middle
from ._gridded_cog import Grid, cog, lonlat_of
from .geotiff import NODATA, OFFSET, PIXEL, SCALE, SEA, SIZE, window_origin

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["LULUCF", "build_clcplus", "build_ndvi_cog", "build_ndvi_nc", "ndvi_layers"]

#: scene class -> LULUCF category (water, forest, cropland, grassland, bare, urban, snow).
LULUCF = np.array([255, 1, 2, 3, 6, 5, 6], np.uint8)
LULUCF_MEANINGS = "forest_land cropland grassland wetlands settlements other_land"
WKT_4326 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)


def _base(entry: Entry) -> str:
    return entry.stem.rpartition("_")[0]


def _version(entry: Entry) -> str:
    return _base(entry).rsplit("_V", 1)[-1]


def ndvi_layers(entry: Entry) -> tuple[Grid, dict[str, np.ndarray]]:
    """The window's grid and its layers (raw DN): NDVI, NDVI_unc, NOBS, QFLAG."""
    from ..scene.noise import fbm, seed_of

    west, north = window_origin(entry.extra["lon"], entry.extra["lat"])
    when = middle(entry.start, entry.end)
    dn = dn_window(west, north, SIZE, PIXEL, when, (SCALE, OFFSET, 250, SEA, NODATA))
    grid = Grid("EPSG:4326", west, north, PIXEL, PIXEL, SIZE, SIZE)
    lon, lat = lonlat_of(grid)
    valid = dn <= 250
    u = fbm(lon, lat, seed_of("nobs", entry.start.isoformat()), 360 / 8192, 3)
    nobs = np.where(valid, 1 + np.rint(8 * u), 0).astype(np.uint8)
    unc = np.where(valid, np.rint(dn * (0.02 + 0.08 * (1 - u)) + 2), NODATA).astype(np.uint8)
    qflag = np.where(dn == SEA, 1, 0) | np.where(dn == NODATA, 2, 0)
    layers = {"NDVI": dn, "NDVI_unc": unc, "NOBS": nobs, "QFLAG": qflag.astype(np.uint8)}
    return grid, layers


def _global_attrs(entry: Entry) -> dict[str, str]:
    version = _version(entry)
    return {
        "Conventions": "CF-1.6",
        "title": "Normalized Difference Vegetation Index: Collection 300m Version "
        + version.split(".")[0],
        "institution": "VITO NV",
        "product_version": f"V{version}",
        "platform": "Sentinel-3",
        "sensor": "OLCI",
        "time_coverage_start": entry.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "time_coverage_end": entry.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "identifier": _base(entry),
    }


_NDVI_ATTRS = {
    "long_name": "Normalized Difference Vegetation Index",
    "standard_name": "normalized_difference_vegetation_index",
    "units": "-",
}

#: NDVI's band tags as CLMS's converter writes lists.
_NDVI_FLAGS = {
    "valid_range": "{0, 250}",
    "flag_values": "{254, 255}",
    "flag_meanings": "sea missing",
}


def build_ndvi_cog(entry: Entry) -> dict[str, bytes]:
    grid, layers = ndvi_layers(entry)
    base, tags = _base(entry), _global_attrs(entry)
    packed = {"nodata": NODATA, "scale": SCALE, "offset": OFFSET}
    spec = {
        "NDVI": ("NDVI", packed, {**_NDVI_ATTRS, **_NDVI_FLAGS}),
        "NOBS": ("NOBS", {"nodata": 255}, {"long_name": "Number of observations"}),
        "QFLAG": ("QFLAG", {}, {"long_name": "Quality flag", "flag_masks": "{1, 2}"}),
        "UNC": ("NDVI_unc", packed, {"long_name": "Uncertainty on NDVI", "units": "-"}),
    }
    return {
        f"{base}_{suffix}.tif": cog(layers[layer], grid, tags=tags, band_tags=band, **options)
        for suffix, (layer, options, band) in spec.items()
    }


def build_ndvi_nc(entry: Entry) -> dict[str, bytes]:
    from ._netcdf import netcdf_bytes, variable

    grid, layers = ndvi_layers(entry)
    lon = grid.x0 + PIXEL * (np.arange(SIZE) + 0.5)
    lat = grid.y0 - PIXEL * (np.arange(SIZE) + 0.5)
    days = (entry.start.replace(tzinfo=None) - datetime(1970, 1, 1)).days

    def write(root) -> None:
        root.dimensions = {"time": 1, "lat": SIZE, "lon": SIZE}
        for key, value in _global_attrs(entry).items():
            root.attrs[key] = value
        variable(root, "time", ("time",), [days], np.float64, standard_name="time",
                 long_name="time", units="days since 1970-01-01 00:00:00", calendar="standard",
                 axis="T")  # fmt: skip
        variable(root, "lat", ("lat",), lat, np.float64, standard_name="latitude",
                 long_name="latitude", units="degrees_north", axis="Y")  # fmt: skip
        variable(root, "lon", ("lon",), lon, np.float64, standard_name="longitude",
                 long_name="longitude", units="degrees_east", axis="X")  # fmt: skip
        geo = f"{grid.x0!r} {PIXEL!r} 0 {grid.y0!r} 0 {-PIXEL!r}"
        variable(root, "crs", (), np.int32(0), grid_mapping_name="latitude_longitude",
                 longitude_of_prime_meridian=0.0, semi_major_axis=6378137.0,
                 inverse_flattening=298.257223563, spatial_ref=WKT_4326, crs_wkt=WKT_4326,
                 GeoTransform=geo)  # fmt: skip
        dims = ("time", "lat", "lon")
        packed = {"scale_factor": np.float32(SCALE), "add_offset": np.float32(OFFSET)}
        packed["grid_mapping"] = "crs"
        variable(root, "NDVI", dims, layers["NDVI"][None], np.uint8, fill=np.uint8(NODATA),
                 **_NDVI_ATTRS, **packed, valid_range=np.array([0, 250], np.uint8),
                 flag_values=np.array([254, 255], np.uint8),
                 flag_meanings="sea missing")  # fmt: skip
        variable(root, "NDVI_unc", dims, layers["NDVI_unc"][None], np.uint8,
                 fill=np.uint8(NODATA), long_name="Uncertainty on NDVI", units="-",
                 **packed)  # fmt: skip
        variable(root, "NOBS", dims, layers["NOBS"][None], np.uint8, fill=np.uint8(255),
                 long_name="Number of observations", units="-",
                 grid_mapping="crs")  # fmt: skip
        variable(root, "QFLAG", dims, layers["QFLAG"][None], np.uint8,
                 long_name="Quality flag", flag_masks=np.array([1, 2], np.uint8),
                 flag_meanings="sea no_observation", grid_mapping="crs")  # fmt: skip

    return {f"{_base(entry)}.nc": netcdf_bytes(write)}


def clcplus_grid(entry: Entry) -> Grid:
    """A 256 x 256 window of the 100 m EPSG:3035 grid around the site."""
    from rasterio.warp import transform

    (x,), (y,) = transform("EPSG:4326", "EPSG:3035", [entry.extra["lon"]], [entry.extra["lat"]])
    x0, y0 = 100 * round(x / 100) - 12_800, 100 * round(y / 100) + 12_800
    return Grid("EPSG:3035", float(x0), float(y0), 100.0, 100.0, 256, 256)


def build_clcplus(entry: Entry) -> dict[str, bytes]:
    from ..scene import is_land, surface_class

    grid = clcplus_grid(entry)
    lon, lat = lonlat_of(grid)
    year = entry.start.year
    classes = np.where(
        is_land(lon, lat), LULUCF[surface_class(lon, lat, datetime(year, 7, 1))], 255
    )
    classes = classes.astype(np.uint8)
    tags = {"reference_year": str(year), "product_name": entry.name}
    band = {"long_name": "LULUCF category", "flag_values": "{1, 2, 3, 4, 5, 6}",
            "flag_meanings": LULUCF_MEANINGS}  # fmt: skip
    return {f"{_base(entry)}.tif": cog(classes, grid, nodata=255, tags=tags, band_tags=band)}
