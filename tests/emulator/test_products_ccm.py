"""The emulator's Copernicus Contributing Missions products: DEM tiles in the Copernicus DEM
layout, DIMAP optical scenes and SAR scenes, with the synthetic Earth's values, deterministic."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import numpy as np
import pytest

from cdse_intake.emulator.catalogue_list import BY_ID
from cdse_intake.emulator.products import BUILDERS, ccm
from cdse_intake.emulator.products import _ccm_optical as optical
from cdse_intake.emulator.products import _ccm_sar as sar
from cdse_intake.emulator.products._ccm_grid import scene_grid
from cdse_intake.emulator.products._ccm_pixels import is_sea
from cdse_intake.emulator.records.ccm import ccm_entry

rasterio = pytest.importorskip("rasterio")
ET = pytest.importorskip("defusedxml.ElementTree")

MAX_BYTES = 2_000_000
#: Amsterdam's coast: sea to the west, land to the east.
SITE = (4.9, 52.4)


def entry_of(product_type: str, lon: float = SITE[0], lat: float = SITE[1]):
    """A CCM record of ``product_type`` near ``(lon, lat)``, family set."""
    row = next(r for r in BY_ID.values() if r.odata == "CCM" and product_type in r.product_types)
    k = row.product_types.index(product_type)
    entry = ccm_entry(
        row, random.Random(product_type), datetime(2021, 6, 1, tzinfo=UTC), lon, lat, k
    )
    entry.family = "ccm"
    return entry


def read(data: bytes, name: str):
    from rasterio.io import MemoryFile

    with MemoryFile(data, filename=name.rsplit("/", 1)[-1]) as mem, mem.open() as ds:
        return ds.read(), ds.crs, ds.transform, ds.gcps[0], ds.tags()


ALL = [t for rid in ("ccm-dem", "ccm-optical", "ccm-sar") for t in BY_ID[rid].product_types]


def test_registered():
    assert BUILDERS["ccm"].build is ccm.build
    assert not BUILDERS["ccm"].single_file


@pytest.mark.parametrize("product_type", ALL)
def test_small_deterministic_and_readable(product_type):
    entry = entry_of(product_type)
    files = ccm.build(entry)
    assert files == ccm.build(entry)
    assert sum(map(len, files.values())) < MAX_BYTES
    for path, data in files.items():
        if path.upper().endswith((".XML",)):
            ET.fromstring(data)
        elif path.lower().endswith((".tif", ".dt2")):
            pixels, *_ = read(data, path)
            assert pixels.size > 0


@pytest.mark.parametrize("product_type", ["SAR_DGE_10", "SAR_DGE_30", "SAR_DGE_90", "SAR_INS_10"])
def test_dem_tile_layout_and_grid(product_type):
    entry = entry_of(product_type)
    files = ccm.build(entry)
    code = {"SAR_DGE_30": "10", "SAR_DGE_90": "30"}.get(product_type, "04")
    tile = f"Copernicus_DSM_{code}_N52_00_E004_00"
    assert set(files) == {
        f"{tile}/DEM/{tile}_DEM.tif",
        *(f"{tile}/AUXFILES/{tile}_{m}.tif" for m in ("EDM", "FLM", "HEM", "WBM")),
        f"{tile}/INFO/{tile}.xml",
        f"{tile}/PREVIEW/{tile}_DEM_QL.tif",
    }
    dem, crs, transform, _, tags = read(files[f"{tile}/DEM/{tile}_DEM.tif"], "x_DEM.tif")
    assert crs.to_epsg() == (4258 if product_type == "SAR_INS_10" else 4326)
    assert tags["AREA_OR_POINT"] == "Point"
    rows, cols = dem.shape[1:]
    # point grid: first pixel centred on the NW corner, last on the SE corner; 52°N: 1.5x wider
    assert (rows - 1) == round((cols - 1) * 1.5)
    assert transform.c + transform.a / 2 == pytest.approx(4.0)
    assert transform.f + transform.e / 2 == pytest.approx(53.0)
    assert transform.c + transform.a * (cols - 0.5) == pytest.approx(5.0)
    wbm, *_ = read(files[f"{tile}/AUXFILES/{tile}_WBM.tif"], "x_WBM.tif")
    sea = wbm[0] == 1
    assert sea.any() and (~sea).any()  # the North Sea and Holland
    assert np.all(dem[0][sea] == 0)
    assert dem[0][~sea].min() > 0


def test_dted_tile():
    files = ccm.build(entry_of("SAR_DTE_30"))
    path = next(p for p in files if p.endswith("_DEM.dt2"))
    assert re.fullmatch(
        r"Copernicus_DSM_10_N52_00_E004_00/DEM/Copernicus_DSM_10_N52_00_E004_00_DEM\.dt2", path
    )
    heights, crs, *_ = read(files[path], path)
    assert heights.dtype == np.int16 and crs.to_epsg() == 4326
    assert heights.min() == 0 and heights.max() > 0


@pytest.mark.parametrize("product_type", ["PHR_MS___3", "WV3_MS4_OR", "HRS_MS4_1C"])
def test_optical_dimap(product_type):
    entry = entry_of(product_type)
    files = ccm.build(entry)
    stem = optical.file_stem(entry)
    assert set(files) == {f"DIM_{stem}.XML", f"IMG_{stem}_R1C1.TIF"}
    assert re.fullmatch(r"[A-Z0-9]+_MS_\d{15}_(ORT|PRJ)_\d+-001", stem)
    dn, crs, _transform, _, _ = read(files[f"IMG_{stem}_R1C1.TIF"], "img.tif")
    assert dn.shape[0] == 4 and dn.dtype == np.uint16
    assert crs.to_epsg() == 32631
    np.testing.assert_array_equal(dn, optical.expected_dn(entry))
    doc = ET.fromstring(files[f"DIM_{stem}.XML"])
    assert doc.find("Raster_Data/Raster_Dimensions/NROWS").text == str(dn.shape[1])
    assert doc.find(".//DATA_FILE_PATH").get("href") == f"IMG_{stem}_R1C1.TIF"
    # without clouds, the sea (the IJsselmeer, the North Sea) is darker than the land in the NIR
    clear = entry_of(product_type, 4.5, 52.6)
    clear.attributes = [(n, t, 0.0 if n == "cloudCover" else v) for n, t, v in clear.attributes]
    nir = optical.expected_dn(clear)[3].astype(float)
    lon, lat = scene_grid(clear, optical._gsd(clear)).lonlat()
    sea = is_sea(lon, lat)
    assert sea.any() and (~sea).any()
    assert np.median(nir[sea]) * 2 < np.median(nir[~sea])


@pytest.mark.parametrize(
    ("product_type", "paths"),
    [
        (
            "SAR_SC_GEC",
            ["IMAGEDATA/IMAGE_HH_SRA_scan_008.tif", "ANNOTATION/GEOREF.xml", "{name}.xml"],
        ),
        ("SAR_SN_SCN", ["imagery_HH.tif", "product.xml", "lutSigma.xml"]),
        ("SAR_SC__GR", ["{name}.tif", "{name}.xml"]),
    ],
)
def test_sar_layouts_and_calibration(product_type, paths):
    entry = entry_of(product_type)
    files = ccm.build(entry)
    assert set(files) == {p.format(name=entry.name) for p in paths}
    image = sar.image_path(entry)
    dn, crs, _transform, gcps, _ = read(files[image], image)
    if sar.LAYOUTS[product_type].geocoded:
        assert crs.to_epsg() == 32631 and not gcps
    else:
        assert len(gcps) == 25
    linear = sar.CAL_FACTOR * dn[0].astype(float) ** 2 * np.sin(np.radians(sar.INCIDENCE))
    expected = sar.expected_sigma0(entry).astype(float)
    np.testing.assert_allclose(10 * np.log10(linear), expected, atol=0.2)


def test_unknown_product_type():
    entry = entry_of("PHR_MS___3")
    entry.product_type = "XYZ_MS4_OR"
    with pytest.raises(ValueError, match="XYZ_MS4_OR"):
        ccm.build(entry)
