"""The single-file Level-2 products of SLSTR and SYNERGY: WST's GHRSST L2P file and the
aerosol files of ``SL_2_AOD___`` and ``SY_2_AOD___``.

- WST: ``<start>-MAR-L2P_GHRSST-SSTskin-SLSTR<A|B>-<created>-v02.0-fv01.0.nc`` (the real name,
  from stactools-sentinel3's WST item), GHRSST L2P variables (``sea_surface_temperature``,
  ``sst_dtime``, ``sses_bias``, ``sses_standard_deviation``, ``quality_level``, ``l2p_flags``,
  ``lat``, ``lon``, ``time``) on ``(time, nj, ni)`` as the GHRSST specification has them; sea
  surface temperature of the synthetic Earth over clear sea, fill over land and clouds.
- AOD: ``NRT_AOD.nc`` (near real time) or ``NTC_AOD.nc`` on 12 x 15 super-pixels:
  ``AOD_<nm>`` with uncertainties (and ``SSA_<nm>`` for SYNERGY), an Angstrom exponent,
  ``Cloud_Fraction``, ``latitude``, ``longitude``; the file names are real, the variable list
  abridged and their values a smooth aerosol load (more over land, none under clouds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import scene
from ._netcdf import NcGroup
from ._s3more_common import Product, grid_lonlat, nc_file, stored
from ._s3more_slstr_grids import IMAGE, Grid
from ._sen3 import variable

__all__ = ["aod_file", "l2p_name", "wst_file"]


def l2p_name(product: Product) -> str:
    """The GHRSST L2P file name of a WST product."""
    n = product.name
    return (
        f"{n['start'].replace('T', '')}-MAR-L2P_GHRSST-SSTskin-SLSTR{n['platform']}-"
        f"{n['created'].replace('T', '')}-v02.0-fv01.0.nc"
    )


def wst_file(product: Product, grid: Grid, attrs: dict[str, Any]) -> dict[str, bytes]:
    sst = np.where(grid.land | grid.cloud, np.nan, grid.temperature)[None]
    dims3 = ("time", "nj", "ni")
    seconds = product.when - 347_155_200.0  # since 1981-01-01

    def body(g: NcGroup) -> None:
        for name, values, axis, units in (
            ("lat", grid.lat, "latitude", "degrees_north"),
            ("lon", grid.lon, "longitude", "degrees_east"),
        ):
            stored(g, name, ("nj", "ni"), values, np.float32, standard_name=axis, units=units)
        stored(
            g,
            "time",
            ("time",),
            [round(seconds)],
            np.int32,
            standard_name="time",
            units="seconds since 1981-01-01 00:00:00",
            long_name="reference time of sst file",
        )
        stored(
            g,
            "sea_surface_temperature",
            dims3,
            sst,
            np.int16,
            scale=0.01,
            offset=273.15,
            fill=-32768,
            units="kelvin",
            standard_name="sea_surface_skin_temperature",
            coordinates="lon lat",
        )
        stored(
            g,
            "sst_dtime",
            dims3,
            np.zeros(sst.shape),
            np.int32,
            fill=-2147483648,
            units="second",
            long_name="time difference from reference time",
        )
        stored(
            g,
            "sses_bias",
            dims3,
            np.where(np.isfinite(sst), -0.1, np.nan),
            np.int8,
            scale=0.01,
            fill=-128,
            units="kelvin",
        )
        stored(
            g,
            "sses_standard_deviation",
            dims3,
            np.where(np.isfinite(sst), 0.3, np.nan),
            np.int8,
            scale=0.01,
            offset=1.0,
            fill=-128,
            units="kelvin",
        )
        stored(
            g,
            "quality_level",
            dims3,
            np.where(np.isfinite(sst), 5, 0)[...],
            np.int8,
            fill=-128,
            flag_values=np.arange(6, dtype=np.int8),
            flag_meanings="no_data bad_data worst_quality low_quality acceptable_quality "
            "best_quality",
        )
        flags = (grid.land * 2 | grid.cloud * 0).astype(np.int16)[None]
        variable(
            g,
            "l2p_flags",
            dims3,
            flags,
            np.int16,
            flag_masks=np.array([1, 2, 4, 8], np.int16),
            flag_meanings="microwave land ice lake",
        )

    ghrsst = {
        **attrs,
        "Conventions": "CF-1.7, ACDD-1.3",
        "gds_version_id": "2.0",
        "platform": f"Sentinel-3{product.name['platform']}",
        "sensor": "SLSTR",
        "processing_level": "L2P",
    }
    dims = {"time": 1, "nj": grid.rows, "ni": grid.cols}
    text = f"Sentinel-3{product.name['platform']} SLSTR L2P SST"
    return {l2p_name(product): nc_file(dims, body, ghrsst, text)}


def aod_file(product: Product, attrs: dict[str, Any], syn: bool) -> dict[str, bytes]:
    """The aerosol file of SLSTR (``syn=False``) or SYNERGY AOD products: 12 x 15 super-pixels."""
    rows, cols = 12, 15
    lon, lat = grid_lonlat(product.swath, rows, cols)
    land = scene.is_land(lon, lat)
    cloud = scene.cloud_mask(lon, lat, product.when, product.cover)
    base = np.where(cloud, np.nan, 0.08 + 0.12 * land + 0.1 * np.cos(np.radians(lat)) ** 4)
    wavelengths = (440, 550, 670, 985, 1600, 2250) if syn else (550, 659, 865, 1610, 2250)

    def body(g: NcGroup) -> None:
        stored(
            g, "latitude", IMAGE, lat, np.float32, units="degrees_north", standard_name="latitude"
        )
        stored(
            g, "longitude", IMAGE, lon, np.float32, units="degrees_east", standard_name="longitude"
        )
        for w in wavelengths:
            aod = base * (550.0 / w) ** 1.3
            stored(
                g,
                f"AOD_{w}",
                IMAGE,
                aod,
                np.float32,
                fill=-999.0,
                units="1",
                long_name=f"Aerosol optical depth at {w} nm",
                coordinates="latitude longitude",
            )
            stored(
                g,
                f"AOD_{w}_uncertainty",
                IMAGE,
                aod * 0.15 + 0.02,
                np.float32,
                fill=-999.0,
                units="1",
            )
            if syn:
                stored(
                    g,
                    f"SSA_{w}",
                    IMAGE,
                    np.where(np.isfinite(base), 0.93, np.nan),
                    np.float32,
                    fill=-999.0,
                    units="1",
                )
        stored(
            g,
            "Angstrom_exp_550_865" if syn else "Angstrom_exponent_550_865",
            IMAGE,
            np.where(np.isfinite(base), 1.3, np.nan),
            np.float32,
            fill=-999.0,
            units="1",
        )
        stored(g, "Cloud_Fraction", IMAGE, cloud.astype(float), np.float32, units="1")

    name = "NRT_AOD.nc" if product.name["timeliness"] == "NR" else "NTC_AOD.nc"
    title = f"{'SYNERGY' if syn else 'SLSTR'} Level 2 aerosol optical depth"
    return {name: nc_file({"rows": rows, "columns": cols}, body, attrs, title)}
