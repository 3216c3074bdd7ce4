"""One Sentinel-2 image as an xarray variable: its attributes and radiometric scaling.

Digital numbers become reflectance as ``(DN + offset) / QUANTIFICATION_VALUE``. From processing
baseline 04.00 (January 2022) on, the MTD carries per-band offsets (-1000): products of older
baselines have none, and the same DN means a different reflectance. DN 0 is NODATA. AOT and WVP
have their own quantification values; SCL and TCI are not scaled. The raw DNs carry the scaling
as CF ``scale_factor``/``add_offset``/``_FillValue``, so decoding them gives the reflectance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._s2_bands import COMMON_NAMES, SCL_CLASSES, Image
from ._s2_metadata import Sentinel2Metadata
from .raster import RasterInfo, open_raster
from .source import ProductSource

__all__ = ["variable"]


def variable(
    source: ProductSource,
    image: Image,
    info: RasterInfo,
    md: Sentinel2Metadata,
    chunks: Any,
    scale: bool,
) -> xr.DataArray:
    """One image as a ``(y, x)`` (TCI: ``(rgb, y, x)``) variable with its attributes."""
    assert image.path is not None
    da = open_raster(source, image.path, chunks=chunks, name=image.name, info=info)
    da.attrs.pop("_FillValue", None)
    da.attrs.pop("scale_factor", None)
    da.attrs.pop("add_offset", None)
    if image.name == "TCI":
        da = da.rename(band="rgb").assign_coords(rgb=["red", "green", "blue"][: info.count])
        da.attrs.update(
            long_name="True colour image (B04, B03, B02)",
            units="1",
            comment="0 is no data",
            resolution=image.resolution,
        )
        return da
    da = da.isel(band=0, drop=True)
    attrs: dict[str, Any] = {"resolution": image.resolution}
    q: float | None = None
    offset = 0.0
    if image.name in md.bands:
        band = md.bands[image.name]
        q, offset = md.quantification, band.offset
        kind = "top-of-atmosphere" if md.level == "L1C" else "bottom-of-atmosphere"
        attrs.update(
            long_name=f"{band.name} ({COMMON_NAMES.get(band.name, '')}) {kind} reflectance",
            standard_name=(
                "toa_bidirectional_reflectance"
                if md.level == "L1C"
                else "surface_bidirectional_reflectance"
            ),
            units="1",
            band_id=band.band_id,
            common_name=COMMON_NAMES.get(band.name, ""),
            native_resolution=band.resolution,
            wavelength=band.wavelength_central,
            wavelength_min=band.wavelength_min,
            wavelength_max=band.wavelength_max,
            bandwidth=(
                band.wavelength_max - band.wavelength_min
                if band.wavelength_max is not None and band.wavelength_min is not None
                else None
            ),
            wavelength_units="nm",
            solar_irradiance=band.solar_irradiance,
            solar_irradiance_units="W m-2 um-1",
        )
    elif image.name == "SCL":
        classes = md.scene_classes or dict(enumerate(SCL_CLASSES))
        attrs.update(
            long_name="Scene classification",
            flag_values=np.array(sorted(classes), dtype=np.uint8),
            flag_meanings=" ".join(classes[k].lower() for k in sorted(classes)),
        )
    elif image.name == "AOT":
        q = md.aot_quantification
        attrs.update(long_name="Aerosol optical thickness at 550 nm", units="1")
    elif image.name == "WVP":
        q = md.wvp_quantification
        attrs.update(long_name="Water vapour column", units="cm")
    da.attrs.update({k: v for k, v in attrs.items() if v is not None})
    if q is None:
        return da
    da.attrs.update(quantification_value=q, radiometric_offset=offset)
    da.attrs.update(
        scale_factor=np.float32(1.0 / q),
        add_offset=np.float32(offset / q),
        _FillValue=np.array(md.nodata_value, dtype=da.dtype)[()],
    )
    if not scale:
        return da
    decoded = xr.decode_cf(
        da.to_dataset(name=image.name),
        decode_times=False,
        decode_coords=False,
        decode_timedelta=False,
    )
    return decoded[image.name]
