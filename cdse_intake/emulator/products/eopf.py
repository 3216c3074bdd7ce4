"""Sentinel-2 Level-2A products in the new EOPF Zarr format (Zarr v2 layout, consolidated).

Shaped after the pydantic-zarr dump of a real EOPF S2 L2A product in
``reference/samples/products/eopf-zarr`` (hierarchy, dtypes, Blosc-zstd compressor, the
``_eopf_attrs``/``proj:*`` array attributes, ``other_metadata`` and ``stac_discovery``)::

    <Name>.zarr/
      .zgroup .zattrs .zmetadata
      measurements/reflectance/r10m|r20m|r60m/   b02… (uint16, scale 1e-4, offset -0.1), x, y
      conditions/geometry/                       angles
      conditions/mask/l2a_classification/r20m|r60m/scl
      quality/atmosphere/r20m/aot|wvp, quality/probability/r20m/cld|snw,
      quality/l2a_quicklook/r10m/tci

The arrays cover the same 3.66 km UTM window as the SAFE products (:mod:`.sentinel2`), and hold
the same values (the synthetic Earth of :mod:`._s2_pixels`): reflectance bands follow
:func:`.sentinel2.expected_dn` (at the group's resolution), ``scl`` follows
:func:`.sentinel2.expected_scl`, ``tci`` :func:`.sentinel2.expected_tci`; the cloud probability
``cld`` grows with the clouds' optical thickness, ``snw`` is 100 on snow and ice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._s2_pixels import image, view_of
from .sentinel2 import BOA_OFFSET, QUANTIFICATION, WAVELENGTHS, granule_window, has_offset

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ._geo import UtmWindow

__all__ = ["REFLECTANCE", "build_zarr"]

#: Reflectance bands per resolution group, as in the real product.
REFLECTANCE = {
    "r10m": ("b02", "b03", "b04", "b08"),
    "r20m": ("b01", "b02", "b03", "b04", "b05", "b06", "b07", "b11", "b12", "b8a"),
    "r60m": ("b01", "b02", "b03", "b04", "b05", "b06", "b07", "b09", "b11", "b12", "b8a"),
}
RESOLUTION = {"r10m": 10, "r20m": 20, "r60m": 60}


def _band(name: str) -> str:
    """``b8a`` -> ``B8A`` (the SAFE band name)."""
    return name.upper()


def build_zarr(entry: Entry) -> dict[str, bytes]:
    """The files of an EOPF Zarr product (paths relative to the ``<Name>.zarr`` folder)."""
    import zarr

    store_dict: dict[str, Any] = {}
    store = zarr.storage.MemoryStore(store_dict=store_dict)
    _Writer(entry, store).write()
    zarr.consolidate_metadata(store, zarr_format=2)
    return {key: value.to_bytes() for key, value in sorted(store_dict.items())}


class _Writer:
    def __init__(self, entry: Entry, store: Any) -> None:
        import numcodecs
        import zarr

        self.entry = entry
        self.window: UtmWindow = granule_window(entry)
        self.view = view_of(entry)
        self.baseline = entry.extra["baseline"]
        self.root = zarr.open_group(store, mode="w", zarr_format=2)
        # The real product's compressor: Blosc zstd level 3, bit shuffle.
        self.compressor = numcodecs.Blosc(
            cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE
        )

    def _proj(self, resolution: int) -> dict[str, Any]:
        from rasterio.crs import CRS

        w = self.window
        n = w.shape(resolution)[0]
        return {
            "proj:bbox": [w.x0, w.y0 - w.size, w.x0 + w.size, w.y0],
            "proj:epsg": w.epsg,
            "proj:shape": [n, n],
            "proj:transform": [resolution, 0.0, w.x0, 0.0, -resolution, w.y0, 0.0, 0.0, 1.0],
            "proj:wkt2": CRS.from_epsg(w.epsg).to_wkt(),
        }

    def _array(
        self,
        path: str,
        data: np.ndarray,
        dims: list[str],
        attrs: dict[str, Any],
        fill: Any = None,
        chunks: tuple[int, ...] | None = None,
    ) -> None:
        array = self.root.create_array(
            path,
            shape=data.shape,
            dtype=data.dtype,
            chunks=chunks or data.shape,
            compressors=self.compressor,
            fill_value=fill,
            attributes={"_ARRAY_DIMENSIONS": dims, **attrs},
        )
        array[...] = data

    def _coords(self, group: str, resolution: int) -> None:
        x, y = self.window.centres(resolution)
        self._array(f"{group}/x", x.astype(np.int64), ["x"], {})
        self._array(f"{group}/y", y.astype(np.int64), ["y"], {})

    def write(self) -> None:
        self.root.attrs.update(self.root_attributes())
        for group, bands in REFLECTANCE.items():
            res = RESOLUTION[group]
            path = f"measurements/reflectance/{group}"
            chunks = (183, 183) if res == 10 else None
            for band in bands:
                centre = WAVELENGTHS[_band(band)][2]
                long_name = (
                    f"BOA reflectance from MSI acquisition at spectral band {band} {centre} nm"
                )
                offset = BOA_OFFSET / QUANTIFICATION if has_offset(self.baseline) else 0.0
                scaling = {"add_offset": offset, "scale_factor": 1 / QUANTIFICATION}
                eopf = {
                    **scaling,
                    "coordinates": ["x", "y"],
                    "dimensions": ["y", "x"],
                    "dtype": "<u2",
                    "eopf_is_masked": True,
                    "eopf_target_dtype": "<f8",
                    "fill_value": 0,
                    "long_name": long_name,
                    "units": "digital_counts",
                }
                attrs = {
                    "_eopf_attrs": eopf,
                    "add_offset": offset,
                    "dtype": "<u2",
                    "fill_value": 0,
                    "long_name": long_name,
                    **self._proj(res),
                    "scale_factor": 1 / QUANTIFICATION,
                    "units": "digital_counts",
                    "valid_max": 65535,
                    "valid_min": 1,
                }
                data = image(self.view, _band(band), res)
                self._array(f"{path}/{band}", data, ["y", "x"], attrs, fill=0, chunks=chunks)
            self._coords(path, res)
        for group in ("r20m", "r60m"):
            res = RESOLUTION[group]
            path = f"conditions/mask/l2a_classification/{group}"
            attrs = {
                "_eopf_attrs": {"coordinates": ["x", "y"], "dimensions": ["y", "x"]},
                **self._proj(res),
            }
            self._array(f"{path}/scl", image(self.view, "SCL", res), ["y", "x"], attrs)
            self._coords(path, res)
        self._geometry()
        self._quality()

    def _geometry(self) -> None:
        path = "conditions/geometry"
        zenith = float(self.entry.attribute("illuminationZenithAngle", 40.0))
        # as in the real product: float angles masked, NaN as fill value (a string in JSON)
        masked = {"eopf_is_masked": True, "fill_value": "NaN"}
        eopf = {"coordinates": ["angle"], "dimensions": ["angle"], **masked}
        self._array(f"{path}/angle", np.array(["zenith", "azimuth"], dtype="<U7"), ["angle"], {})
        bands = np.array([b.lower().replace("b0", "b") for b in WAVELENGTHS], dtype="<U3")
        self._array(f"{path}/band", bands, ["band"], {})
        self._array(
            f"{path}/mean_sun_angles",
            np.array([zenith, 158.5]),
            ["angle"],
            {"_eopf_attrs": eopf, "unit": "deg"},
            fill=np.nan,
        )
        self._array(
            f"{path}/mean_viewing_incidence_angles",
            np.tile([5.0, 100.0], (len(bands), 1)),
            ["band", "angle"],
            {
                "_eopf_attrs": {
                    "coordinates": ["angle", "band"],
                    "dimensions": ["band", "angle"],
                    **masked,
                },
                "unit": "deg",
            },
            fill=np.nan,
        )

    def _quality(self) -> None:
        res = 20
        attrs = {
            "_eopf_attrs": {"coordinates": ["x", "y"], "dimensions": ["y", "x"]},
            **self._proj(res),
        }
        path = "quality/atmosphere/r20m"
        for name in ("aot", "wvp"):
            self._array(f"{path}/{name}", image(self.view, name.upper(), res), ["y", "x"], attrs)
        self._coords(path, res)
        path = "quality/probability/r20m"
        for name in ("cld", "snw"):
            self._array(f"{path}/{name}", image(self.view, name.upper(), res), ["y", "x"], attrs)
        self._coords(path, res)
        path = "quality/l2a_quicklook/r10m"
        self._array(f"{path}/band", np.arange(1, 4, dtype=np.int64), ["band"], {})
        self._array(
            f"{path}/tci",
            image(self.view, "TCI", 10),
            ["band", "y", "x"],
            {
                "_eopf_attrs": {
                    "coordinates": ["band", "x", "y"],
                    "dimensions": ["band", "y", "x"],
                },
                **self._proj(10),
            },
            chunks=(3, 183, 183),
        )
        self._coords(path, 10)

    def root_attributes(self) -> dict[str, Any]:
        e = self.entry
        parts = e.stem.split("_")
        platform = parts[0][-1].lower()
        quad = e.footprint or {"type": "Polygon", "coordinates": [[]]}
        ring = quad["coordinates"][0] if quad["type"] == "Polygon" else quad["coordinates"][0][0]
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        w = self.window
        start = _xml.iso(e.start, 6, zulu=False) + "+00:00"
        bands = {
            band[1:] if band != "B8A" else "8A": {
                "central_wavelength": centre,
                "wavelength_min": lo,
                "wavelength_max": hi,
                "units": "nm",
            }
            for band, (lo, hi, centre) in WAVELENGTHS.items()
        }
        return {
            "other_metadata": {
                "band_description": bands,
                "eopf_category": "eoproduct",
                "horizontal_CRS_code": f"EPSG:{w.epsg}",
                "horizontal_CRS_name": w.zone_name,
                "mean_sensing_time": _xml.iso(e.start),
                "meteo": {"source": "ECMWF", "type": "FORECAST"},
                "product_quality_status": "PASSED,PASSED,PASSED,PASSED,PASSED,PASSED",
            },
            "stac_discovery": {
                "assets": {},
                "bbox": [min(lons), min(lats), max(lons), max(lats)],
                "geometry": {"coordinates": [ring], "type": "Polygon"},
                "id": e.stem,
                "links": [{"href": "./.zattrs.json", "rel": "self", "type": "application/json"}],
                "properties": {
                    "constellation": "sentinel-2",
                    "created": _xml.iso(e.origin, 0, zulu=False) + "+00:00",
                    "datetime": None,
                    "end_datetime": _xml.iso(e.end, 6, zulu=False) + "+00:00",
                    "eo:cloud_cover": e.attribute("cloudCover", 0.0),
                    "eopf:baseline": self.baseline,
                    "eopf:data_take_id": e.attribute("productGroupId", ""),
                    "eopf:instrument_mode": "INS-NOBS",
                    "instrument": "msi",
                    "platform": f"sentinel-2{platform}",
                    "processing:level": "L2A",
                    "product:type": "S02MSIL2A",
                    "proj:bbox": [w.x0, w.y0 - w.size, w.x0 + w.size, w.y0],
                    "proj:epsg": w.epsg,
                    "sat:absolute_orbit": e.attribute("orbitNumber", 0),
                    "sat:orbit_state": "descending",
                    "sat:relative_orbit": e.attribute("relativeOrbitNumber", 0),
                    "start_datetime": start,
                },
                "stac_extensions": [
                    "https://stac-extensions.github.io/eopf/v1.0.0/schema.json",
                    "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                    "https://stac-extensions.github.io/sat/v1.0.0/schema.json",
                    "https://stac-extensions.github.io/processing/v1.2.0/schema.json",
                    "https://stac-extensions.github.io/product/v0.1.0/schema.json",
                ],
                "stac_version": "1.0.0",
                "type": "Feature",
            },
        }
