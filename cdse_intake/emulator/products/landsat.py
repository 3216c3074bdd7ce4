"""Landsat Collection 2 products (Landsat 4-5 TM, 7 ETM+, 8-9 OLI/TIRS; L1TP, L1GT, L2SP): the
USGS product folder of one GeoTIFF per band plus metadata files.

Real (USGS Collection 2 MTL files of LC08 L1GT/L2SP and LE07 L1TP/L2SP seen in public
repositories, the USGS Collection 2 data format descriptions): the file set and names
(``<name>_B1.TIF`` … ``_B11.TIF`` for OLI/TIRS, ``_B6_VCID_1/2`` and ``_B8`` for ETM+,
``_QA_PIXEL``, ``_QA_RADSAT``, the angle bands ``_SAA/_SZA/_VAA/_VZA`` of Level-1, ``_ANG.txt``,
``_MTL.txt/.xml/.json``; Level-2 ``_SR_B*``, ``_ST_B10`` (``_ST_B6`` for TM/ETM+), the ST
intermediate bands, ``_SR_QA_AEROSOL`` (OLI) or ``_SR_ATMOS_OPACITY``/``_SR_CLOUD_QA`` (TM/ETM+));
data types (TM/ETM+ Level-1 bands UINT8, OLI UINT16, angles INT16, ST intermediates INT16 with
-9999 fill); the MTL's groups, keys and formats; Level-1 calibration constants; Level-2 scale
factors (SR 2.75e-05/-0.2, ST 0.00341802/149.0); the ``QA_PIXEL`` bit layout. Files are tiled,
deflate-compressed GeoTIFFs as USGS's COGs are (256 px tiles, predictor 2); the DN 0 fill (QA_PIXEL
1, ST intermediates -9999) is also the GDAL nodata.

Small on purpose, and the main departure from a real product: each band covers the whole scene
(the record's footprint, the UTM zone of its ``proj:epsg``) in about 128 x 128 pixels of ~1.5 km
instead of ~7,700 x 7,800 of 30 m (panchromatic: twice as many pixels per side, each
reflective cell repeated 2 x 2); the MTL states the grid the files really have
(``GRID_CELL_SIZE_*``, ``*_LINES``/``*_SAMPLES``, corners), so it stays consistent with them.
Real southern-hemisphere scenes use the northern UTM zone with negative northings; here the
record's ``proj:epsg`` is kept. Pixels: :mod:`._landsat_pixels` (the synthetic Earth, clouds of
the record's ``cloudCover`` in ``QA_PIXEL``); :func:`expected` is the oracle of the values
written. Inferred: see :mod:`._landsat_mtl`, :mod:`._landsat_texts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._landsat_bands import FileSpec, files_of
from ._landsat_mtl import mtl_groups
from ._landsat_odl import to_json, to_odl, to_xml
from ._landsat_pixels import View, expected, image, view_of
from ._landsat_texts import ang_txt, gcp_txt, stac_items
from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "build", "expected"]


def build(entry: Entry) -> dict[str, bytes]:
    """The product folder's files, by name relative to ``<entry.name>/``."""
    view = view_of(entry)
    name = entry.name
    files = {
        f"{name}_{spec.suffix}.TIF": _tiff(view, spec, image(view, spec))
        for spec in files_of(view.sensor, view.level)
    }
    files[f"{name}_ANG.txt"] = ang_txt(entry, view)
    if view.level == "L1TP" and not view.sensor.oli:
        files[f"{name}_GCP.txt"] = gcp_txt(entry, view)
    groups = mtl_groups(entry, view)
    files[f"{name}_MTL.txt"] = to_odl(groups)
    files[f"{name}_MTL.xml"] = to_xml(groups)
    files[f"{name}_MTL.json"] = to_json(groups)
    files |= stac_items(entry, view)
    return dict(sorted(files.items()))


def _tiff(view: View, spec: FileSpec, data: np.ndarray) -> bytes:
    grid = view.grid.half() if spec.kind == "pan" else view.grid
    return raster_bytes(
        data,
        driver="GTiff",
        crs=f"EPSG:{grid.epsg}",
        transform=grid.transform(),
        nodata=spec.nodata,
        TILED="YES",
        blockxsize=256,  # lower case: rasterio overrides BLOCKXSIZE
        blockysize=256,
        COMPRESS="DEFLATE",
        PREDICTOR=2,
    )


FAMILY_BUILDERS = {"landsat": Builder(build)}
