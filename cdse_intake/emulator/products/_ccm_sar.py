"""CCM SAR scenes (``SAR_SC_GEC``, ``SAR_WS_EEC``, ``SAR_SN_SCN``, ``SAR_HIM_1B``,
``SAR_SC__GR``): one uint16 amplitude GeoTIFF and the mission's metadata XML.

Layouts, by mission (:data:`LAYOUTS`):

- TerraSAR-X (``GEC``/``EEC``: geocoded, UTM)::

      <name>.xml                          level1Product annotation (calFactor, CRS, times)
      ANNOTATION/GEOREF.xml               geolocation grid
      IMAGEDATA/IMAGE_HH_SRA_<beam>.tif

- RADARSAT-2 (``SCN``: ground range, GCPs): ``product.xml``, ``lutSigma.xml``,
  ``imagery_HH.tif``;
- COSMO-SkyMed (``HIM_1B``, ground range, GCPs): the TerraSAR-X layout (inferred: real CSK
  products are HDF5);
- ICEYE (``SC__GR``, ground range, GCPs): ``<name>.tif`` and ``<name>.xml``.

Real: TerraSAR-X's folder names (``IMAGEDATA``, ``ANNOTATION``), its ``IMAGE_<pol>_SRA_<beam>``
naming and ``calFactor`` calibration (``sigma0 = calFactor * DN^2 * sin(incidence)``, noise
ignored); RADARSAT-2's ``product.xml``/``imagery_<pol>.tif``/``lutSigma.xml`` names and its
``sigma0 = DN^2 / A^2``. Inferred: everything else in the XML (short documents holding the
values a user needs), the calibration constants, the polarisations. Decimated like the optical
scenes: :data:`SIZE` pixels across. Pixels: the synthetic Earth's C-band sigma0 (no X-band
model) at :data:`INCIDENCE`, with speckle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import _xml
from ._ccm_grid import SceneGrid, scene_grid
from ._ccm_pixels import sigma0
from ._geo import footprint_quad
from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["CAL_FACTOR", "INCIDENCE", "LAYOUTS", "build_sar", "expected_sigma0", "image_path"]

#: TerraSAR-X-style calibration constant: ``sigma0 = CAL_FACTOR * DN^2 * sin(incidence)``.
CAL_FACTOR = 1e-7
INCIDENCE = 35.0
#: Pixels across a scene (one pixel stands for several real ones, a whole number of them).
SIZE = 160


@dataclass(frozen=True)
class Layout:
    mission: str
    """``tsx``, ``rs2`` or ``iceye``: the folder layout."""
    polarisation: str
    geocoded: bool
    beam: str


LAYOUTS = {
    "SAR_SC_GEC": Layout("tsx", "HH", True, "scan_008"),
    "SAR_WS_EEC": Layout("tsx", "HH", True, "scan_020"),
    "SAR_SN_SCN": Layout("rs2", "HH", False, "SCNA"),
    "SAR_HIM_1B": Layout("tsx", "HH", False, "himage_09"),
    "SAR_SC__GR": Layout("iceye", "VV", False, "SC"),
}


def _layout(entry: Entry) -> Layout:
    layout = LAYOUTS.get(entry.product_type)
    if layout is None:
        raise ValueError(f"not a CCM SAR product type: {entry.product_type!r}")
    return layout


def image_path(entry: Entry) -> str:
    """The image's path inside the product folder."""
    layout = _layout(entry)
    if layout.mission == "rs2":
        return f"imagery_{layout.polarisation}.tif"
    if layout.mission == "iceye":
        return f"{entry.name}.tif"
    return f"IMAGEDATA/IMAGE_{layout.polarisation}_SRA_{layout.beam}.tif"


def _grid(entry: Entry) -> SceneGrid:
    return scene_grid(entry, float(entry.attribute("spatialResolution", 20) or 20), across=SIZE)


def _lonlat(entry: Entry, grid: SceneGrid, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of every pixel: the map grid's, or (radar geometry) bilinear in the
    footprint's corners, first line north, first column west."""
    if layout.geocoded:
        return grid.lonlat()
    quad = footprint_quad(entry)
    u = (np.arange(grid.cols) + 0.5) / grid.cols
    v = 1.0 - (np.arange(grid.rows) + 0.5) / grid.rows
    return quad.interpolate(u[None, :], v[:, None])


def expected_sigma0(entry: Entry) -> np.ndarray:
    """The speckled sigma0 (dB, float32) the image encodes, ``(rows, cols)``."""
    layout = _layout(entry)
    grid = _grid(entry)
    lon, lat = _lonlat(entry, grid, layout)
    return sigma0(lon, lat, entry.start, layout.polarisation, INCIDENCE)


def _dn(entry: Entry) -> np.ndarray:
    linear = 10.0 ** (expected_sigma0(entry).astype(np.float64) / 10.0)
    amplitude = np.sqrt(linear / (CAL_FACTOR * np.sin(np.radians(INCIDENCE))))
    return np.clip(np.rint(amplitude), 1, 65535).astype(np.uint16)


def build_sar(entry: Entry) -> dict[str, bytes]:
    """The image and metadata files of a SAR scene."""
    from rasterio.control import GroundControlPoint

    layout = _layout(entry)
    grid = _grid(entry)
    options = {"TILED": "YES", "blockxsize": 128, "blockysize": 128, "COMPRESS": "DEFLATE"}
    gcps = None
    if layout.geocoded:
        tif = raster_bytes(_dn(entry), driver="GTiff", crs=grid.crs, transform=grid.transform,
                           nodata=0, **options)  # fmt: skip
    else:
        gcps = _gcps(entry, grid)
        points = [GroundControlPoint(row=r, col=c, x=x, y=y, z=0.0) for r, c, x, y in gcps]
        tif = raster_bytes(_dn(entry), driver="GTiff", crs="EPSG:4326", gcps=points, nodata=0,
                           **options)  # fmt: skip
    files = {image_path(entry): tif}
    annotation = _annotation(entry, layout, grid, gcps)
    if layout.mission == "rs2":
        files["product.xml"] = annotation
        files["lutSigma.xml"] = _rs2_lut(grid.cols)
    else:
        files[f"{entry.name}.xml"] = annotation
    if layout.mission == "tsx":
        files["ANNOTATION/GEOREF.xml"] = _georef(entry, grid, layout)
    return files


def _gcps(entry: Entry, grid: SceneGrid) -> list[tuple[float, float, float, float]]:
    """(row, col, lon, lat) on a 5 x 5 grid over the image (pixel edges)."""
    quad = footprint_quad(entry)
    out = []
    for r in np.linspace(0, grid.rows, 5):
        for c in np.linspace(0, grid.cols, 5):
            lon, lat = quad.interpolate(c / grid.cols, 1.0 - r / grid.rows)
            out.append((float(r), float(c), float(lon), float(lat)))
    return out


def _annotation(entry: Entry, layout: Layout, grid: SceneGrid, gcps: list | None) -> bytes:
    root = {"tsx": "level1Product", "rs2": "product", "iceye": "iceye_product_metadata"}
    tag = root[layout.mission]
    sensor = str(entry.attribute("platformShortName", ""))
    calibration = (
        f"<calFactor>{CAL_FACTOR:.6e}</calFactor>"
        if layout.mission != "rs2"
        else "<lutSigma>lutSigma.xml</lutSigma>"
    )
    crs = grid.crs if layout.geocoded else "EPSG:4326 (GCPs)"
    points = "".join(
        f'<gcp row="{r:g}" col="{c:g}" lon="{x:.6f}" lat="{y:.6f}"/>' for r, c, x, y in gcps or ()
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<{tag}>",
        "  <productInfo>",
        f"    {_xml.el('productName', entry.name)}",
        f"    {_xml.el('productType', entry.product_type)}",
        f"    {_xml.el('mission', sensor)}",
        f"    {_xml.el('imagingMode', layout.beam)}",
        f"    {_xml.el('polarisation', layout.polarisation)}",
        f"    {_xml.el('startTimeUTC', _xml.iso(entry.start))}",
        f"    {_xml.el('stopTimeUTC', _xml.iso(entry.end))}",
        f"    {_xml.el('projection', 'MAP' if layout.geocoded else 'GROUNDRANGE')}",
        f"    {_xml.el('coordinateReferenceSystem', crs)}",
        f"    {_xml.el('imageDataFile', image_path(entry))}",
        f"    <numberOfRows>{grid.rows}</numberOfRows><numberOfColumns>{grid.cols}"
        "</numberOfColumns>",
        f"    <incidenceAngle>{INCIDENCE}</incidenceAngle>",
        "  </productInfo>",
        f"  <calibration>{calibration}</calibration>",
        f"  <geolocation>{points}</geolocation>",
        f"</{tag}>",
        "",
    ]
    return "\n".join(lines).encode()


def _rs2_lut(cols: int) -> bytes:
    """RADARSAT-2 sigma-nought LUT: ``sigma0 = DN^2 / A^2``, here constant over range."""
    gain = 1.0 / np.sqrt(CAL_FACTOR * np.sin(np.radians(INCIDENCE)))
    values = " ".join(f"{gain:.6e}" for _ in range(cols))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<lut>\n  <offset>0.000000e+00</offset>\n'
        f"  <gains>{values}</gains>\n</lut>\n"
    ).encode()


def _georef(entry: Entry, grid: SceneGrid, layout: Layout) -> bytes:
    quad = footprint_quad(entry)
    corners = "".join(
        f'<gridPoint lon="{lon:.6f}" lat="{lat:.6f}"/>'
        for lon, lat in (quad.nw, quad.ne, quad.sw, quad.se)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<georef>\n'
        f"  <geolocationGrid>{corners}</geolocationGrid>\n"
        f"  <projection>{grid.crs if layout.geocoded else 'GROUNDRANGE'}</projection>\n"
        "</georef>\n"
    ).encode()
