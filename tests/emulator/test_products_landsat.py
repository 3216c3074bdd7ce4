"""Landsat Collection 2 writer: the USGS file set and names per sensor and level, an MTL whose
groups, keys, grid and factors agree with the GeoTIFFs, the record's clouds in QA_PIXEL, land and
sea where the Earth has them, and the same bytes every time."""

from __future__ import annotations

import json
import re
from io import BytesIO

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS, _landsat_pixels
from cdse_intake.emulator.products.landsat import build, expected
from cdse_intake.emulator.records.table import table_entries

rasterio = pytest.importorskip("rasterio")
ET = pytest.importorskip("defusedxml.ElementTree")

KINDS = [
    ("LANDSAT-5", "L1TP"), ("LANDSAT-5", "L1GT"), ("LANDSAT-7", "L1TP"), ("LANDSAT-7", "L1GT"),
    ("LANDSAT-8", "L1TP"), ("LANDSAT-8", "L1GT"), ("LANDSAT-8", "L2SP"), ("LANDSAT-9", "L1TP"),
    ("LANDSAT-9", "L2SP"),
]  # fmt: skip


@pytest.fixture(scope="module")
def all_entries():
    return [e for e in table_entries(2026, 1.0) if e.family == "landsat"]


@pytest.fixture(scope="module")
def entries(all_entries):
    found = {}
    for entry in all_entries:
        found.setdefault((entry.collection, entry.product_type), entry)
    assert sorted(found) == sorted(KINDS)
    return found


@pytest.fixture(scope="module", params=KINDS, ids=lambda k: f"{k[0]}-{k[1]}")
def product(request, entries):
    entry = entries[request.param]
    return entry, build(entry)


def _mtl(files, entry) -> dict[str, dict[str, str]]:
    text = files[f"{entry.name}_MTL.txt"].decode()
    groups: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        key, _, value = (p.strip() for p in line.partition("="))
        if key == "GROUP" and value != "LANDSAT_METADATA_FILE":
            current = groups.setdefault(value, {})
        elif key == "END_GROUP":
            current = None
        elif current is not None:
            current[key] = value.strip('"')
    return groups


def test_registered_as_a_folder_writer():
    assert BUILDERS["landsat"].build is build and not BUILDERS["landsat"].single_file


def test_file_sets_as_usgs_names_them(entries):
    def suffixes(kind):
        entry = entries[kind]
        return {name.removeprefix(entry.name + "_") for name in build(entry)}

    oli_l1 = {f"B{b}.TIF" for b in range(1, 12)} | {
        "QA_PIXEL.TIF", "QA_RADSAT.TIF", "SAA.TIF", "SZA.TIF", "VAA.TIF", "VZA.TIF", "ANG.txt",
        "MTL.txt", "MTL.xml", "MTL.json", "stac.json",
    }  # fmt: skip
    assert suffixes(("LANDSAT-8", "L1TP")) == oli_l1
    assert suffixes(("LANDSAT-9", "L1TP")) == oli_l1
    etm = suffixes(("LANDSAT-7", "L1TP"))
    assert {"B6_VCID_1.TIF", "B6_VCID_2.TIF", "B8.TIF", "GCP.txt"} <= etm and "B6.TIF" not in etm
    assert "GCP.txt" not in suffixes(("LANDSAT-7", "L1GT"))  # no ground control: not precision
    tm = suffixes(("LANDSAT-5", "L1TP"))
    assert {f"B{b}.TIF" for b in range(1, 8)} <= tm and "B8.TIF" not in tm
    l2 = suffixes(("LANDSAT-8", "L2SP"))
    assert {f"SR_B{b}.TIF" for b in range(1, 8)} | {
        "ST_B10.TIF", "ST_QA.TIF", "ST_TRAD.TIF", "ST_URAD.TIF", "ST_DRAD.TIF", "ST_ATRAN.TIF",
        "ST_EMIS.TIF", "ST_EMSD.TIF", "ST_CDIST.TIF", "SR_QA_AEROSOL.TIF", "QA_PIXEL.TIF",
        "QA_RADSAT.TIF", "ANG.txt", "MTL.txt", "MTL.xml", "MTL.json", "SR_stac.json",
        "ST_stac.json",
    } == l2  # fmt: skip


def test_mtl_lists_exactly_the_rasters_with_their_types_and_grid(product):
    entry, files = product
    mtl = _mtl(files, entry)
    assert list(mtl)[:3] == ["PRODUCT_CONTENTS", "IMAGE_ATTRIBUTES", "PROJECTION_ATTRIBUTES"]
    contents = mtl["PRODUCT_CONTENTS"]
    assert contents["LANDSAT_PRODUCT_ID"] == entry.name
    assert contents["PROCESSING_LEVEL"] == entry.product_type
    listed = {v for k, v in contents.items() if k.startswith("FILE_NAME_")}
    assert listed == {n for n in files if not n.endswith(("json",))}
    image = mtl["IMAGE_ATTRIBUTES"]
    path, row = re.match(r"^L\w{3}_\w{4}_(\d{3})(\d{3})_", entry.name).groups()
    assert int(image["WRS_PATH"]) == int(path) and int(image["WRS_ROW"]) == int(row)
    assert float(image["CLOUD_COVER"]) == pytest.approx(entry.attribute("cloudCover"))
    assert float(image["SUN_ELEVATION"]) == pytest.approx(entry.attribute("sunElevationAngle"))
    assert image["DATE_ACQUIRED"] == f"{entry.start:%Y-%m-%d}"
    proj = mtl["PROJECTION_ATTRIBUTES"]
    assert int(proj["UTM_ZONE"]) == entry.attribute("proj:epsg") % 100
    cell = float(proj["GRID_CELL_SIZE_REFLECTIVE"])
    assert cell % 30 == 0
    for key, file_name in contents.items():
        if not file_name.endswith(".TIF"):
            continue
        with rasterio.open(BytesIO(files[file_name])) as ds:
            assert ds.crs.to_epsg() == entry.attribute("proj:epsg")
            assert ds.dtypes[0].upper() == contents["DATA_TYPE_" + key[len("FILE_NAME_") :]]
            pan = ds.res[0] == cell / 2
            lines = proj["PANCHROMATIC_LINES" if pan else "REFLECTIVE_LINES"]
            assert (ds.height, ds.width) == (
                int(lines),
                int(proj["PANCHROMATIC_SAMPLES" if pan else "REFLECTIVE_SAMPLES"]),
            )
            # corners are the centres of the corner pixels
            x, y = ds.xy(0, 0)
            assert (x, y) == (
                pytest.approx(float(proj["CORNER_UL_PROJECTION_X_PRODUCT"]), abs=ds.res[0]),
                pytest.approx(float(proj["CORNER_UL_PROJECTION_Y_PRODUCT"]), abs=ds.res[0]),
            )
            assert ds.block_shapes[0] == (256, 256) and ds.compression.name == "deflate"


def test_xml_and_json_say_what_the_odl_says(product):
    entry, files = product
    mtl = _mtl(files, entry)
    root = ET.fromstring(files[f"{entry.name}_MTL.xml"])
    assert root.tag == "LANDSAT_METADATA_FILE"
    from_xml = {g.tag: {e.tag: e.text for e in g} for g in root}
    from_json = json.loads(files[f"{entry.name}_MTL.json"])["LANDSAT_METADATA_FILE"]
    assert from_xml == mtl == from_json


def test_calibration_groups(entries):
    l2 = entries[("LANDSAT-8", "L2SP")]
    mtl = _mtl(build(l2), l2)
    sr = mtl["LEVEL2_SURFACE_REFLECTANCE_PARAMETERS"]
    assert float(sr["REFLECTANCE_MULT_BAND_1"]) == 2.75e-05
    assert float(sr["REFLECTANCE_ADD_BAND_7"]) == -0.2
    st = mtl["LEVEL2_SURFACE_TEMPERATURE_PARAMETERS"]
    assert float(st["TEMPERATURE_MULT_BAND_ST_B10"]) == 0.00341802
    assert float(st["TEMPERATURE_ADD_BAND_ST_B10"]) == 149.0
    assert mtl["LEVEL1_PROCESSING_RECORD"]["LANDSAT_PRODUCT_ID"] == l2.name.replace("L2SP", "L1TP")
    l1 = entries[("LANDSAT-7", "L1TP")]
    mtl = _mtl(build(l1), l1)
    assert "RADIANCE_MULT_BAND_6_VCID_2" in mtl["LEVEL1_RADIOMETRIC_RESCALING"]
    assert "REFLECTANCE_MULT_BAND_6_VCID_1" not in mtl["LEVEL1_RADIOMETRIC_RESCALING"]
    assert mtl["LEVEL1_MIN_MAX_PIXEL_VALUE"]["QUANTIZE_CAL_MAX_BAND_1"] == "255"
    assert float(mtl["LEVEL1_THERMAL_CONSTANTS"]["K1_CONSTANT_BAND_6_VCID_1"]) == 666.09


def test_qa_pixel_clouds_are_the_record_cloud_cover(all_entries):
    for entry in all_entries[::6]:
        qa = expected(entry, "QA_PIXEL")
        valid = qa != 1
        assert 0.5 < valid.mean() < 1.0  # the rotated scene, fill in the corners
        cloudy = (qa & 8) > 0
        assert cloudy[valid].mean() * 100 == pytest.approx(entry.attribute("cloudCover"), abs=0.05)
        clear = (qa & 64) > 0
        assert not (clear & cloudy).any()
        if entry.name.startswith("LC0"):  # clear land on OLI: the well-known 21824
            assert (qa[valid & clear & ((qa & 0b10111000) == 0)] & 0x3F00 == 0x1500).all()


def test_land_and_sea_as_the_earth_has_them(all_entries):
    from cdse_intake.emulator.products._landsat_grid import lonlat
    from cdse_intake.emulator.scene import is_land

    checked = 0
    for entry in all_entries:
        if not entry.name.startswith(("LC08_L2SP", "LC09_L2SP")):
            continue
        view = _landsat_pixels.view_of(entry)
        land = is_land(*lonlat(view.grid))
        qa = expected(entry, "QA_PIXEL")
        clear = (qa != 1) & ((qa & 0b11010) == 0)  # no cloud, dilated cloud or shadow
        water = (qa & 128) > 0
        if (clear & land).sum() < 50 or (clear & ~land).sum() < 50:
            continue
        assert water[clear & ~land].mean() > 0.9 and water[clear & land].mean() < 0.3
        nir = expected(entry, "SR_B5") * 2.75e-05 - 0.2
        assert np.median(nir[clear & ~land]) < 0.05 < np.median(nir[clear & land])
        kelvin = expected(entry, "ST_B10")[clear] * 0.00341802 + 149.0
        assert 230 < np.median(kelvin) < 330
        checked += 1
    assert checked


def test_level1_values(entries):
    entry = entries[("LANDSAT-8", "L1TP")]
    b4, b10 = expected(entry, "B4"), expected(entry, "B10")
    valid = expected(entry, "QA_PIXEL") != 1
    assert b4.dtype == np.uint16 and (b4[~valid] == 0).all() and (b4[valid] > 0).all()
    rho = b4[valid] * 2e-5 - 0.1  # TOA reflectance times sin(sun elevation)
    assert 0.0 < np.median(rho) < 0.5
    radiance = b10[valid] * 3.342e-4 + 0.1
    bt = 1321.0789 / np.log(774.8853 / radiance + 1)
    assert 200 < np.median(bt) < 330
    etm = entries[("LANDSAT-7", "L1TP")]
    assert expected(etm, "B4").dtype == np.uint8 and expected(etm, "B8").shape == tuple(
        2 * n for n in expected(etm, "B4").shape
    )
    sza = expected(entry, "SZA")[valid] / 100
    assert sza == pytest.approx(90 - entry.attribute("sunElevationAngle"), abs=1.5)


def test_same_bytes_every_time(entries):
    entry = entries[("LANDSAT-9", "L2SP")]
    first = build(entry)
    _landsat_pixels.image.cache_clear()
    _landsat_pixels._scene.cache_clear()
    assert build(entry) == first
    assert sum(map(len, first.values())) < 1_000_000


def test_bad_name_is_named(entries):
    import dataclasses

    entry = dataclasses.replace(entries[("LANDSAT-8", "L1TP")], name="LC08_L1XX_bad")
    with pytest.raises(ValueError, match="LC08_L1XX_bad"):
        build(entry)
