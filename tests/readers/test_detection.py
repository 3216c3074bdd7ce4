"""Which reader opens a product whose name says nothing (renamed by a user or a tool) and whose
own metadata file is absent: the family is told from the files it holds (issue 14)."""

from __future__ import annotations

import warnings

import pytest

from cdse_intake.emulator.products import BUILDERS
from cdse_intake.readers import open_product
from cdse_intake.readers.families import NAMES, detect
from cdse_intake.readers.source import from_local

from .conftest import write_product


def _renamed(entry, tmp_path, drop: str):
    folder = write_product(entry, tmp_path, "folder")
    (folder / drop).unlink()
    return folder.rename(tmp_path / "my_scene")


def test_a_renamed_sentinel2_without_its_mtd_is_still_sentinel2(entries, tmp_path):
    entry = entries("sentinel2_l2a")[0]
    folder = _renamed(entry, tmp_path, "MTD_MSIL2A.xml")
    assert detect(from_local(folder)).key == "sentinel-2"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the manifest fallback says what it lacks
        tree = open_product(folder)
    assert tree.attrs["cdse_family"] == "sentinel-2" and tree["r10m"].data_vars


def test_a_renamed_sentinel3_without_its_manifest_is_still_sentinel3(entries, tmp_path):
    entry = entries("sentinel3_olci_efr")[0]
    folder = tmp_path / "my_scene"
    for rel, data in BUILDERS["sentinel3_olci_efr"].build(entry).items():
        if rel.rsplit("/", 1)[-1] == "xfdumanifest.xml":
            continue
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert detect(from_local(folder)).key == "sentinel-3"


def test_a_renamed_sentinel1_without_annotations_is_still_sentinel1(entries, tmp_path):
    entry = entries("sentinel1_grd")[0]
    folder = write_product(entry, tmp_path, "folder")
    for annotation in (folder / "annotation").glob("*.xml"):
        annotation.unlink()
    folder = folder.rename(tmp_path / "my_scene")
    assert detect(from_local(folder)).key == "sentinel-1"


@pytest.mark.parametrize(
    ("family", "name", "groups"),
    [
        (
            "sentinel-2",
            "S2B_MSIL1C_20230101T102343_N0509_R065_T31UNE_20230101T120000",
            {"level": "1C"},
        ),
        (
            "sentinel-5p",
            "S5P_OFFL_L2__NO2____20230101T101010_20230101T115140_27040_03_020400_20230103T022150",
            {"mode": "OFFL", "product_type": "L2__NO2___", "orbit": "27040"},
        ),
        ("modis", "MCD43A4.A2023001.h18v04.061.2023010031412.hdf", {"h": "18", "v": "04"}),
        ("cams", "z_cams_c_ecmf_20230101120000_prod_fc_sfc_012_aod550.nc", {"kind": "fc"}),
    ],
)
def test_one_pattern_table_detects_and_parses(family, name, groups):
    found = NAMES[family].match(name)
    assert found is not None
    for key, value in groups.items():
        assert found[key] == value
