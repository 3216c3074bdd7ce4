"""MODIS tiles are HDF-EOS2 grids: the grid's Vgroup (class GRID) holds ``Data Fields`` with
every field of StructMetadata.0 attached and ``Grid Attributes``, so GDAL opens the file as an
HDF-EOS grid (``HDF4_EOS:EOS_GRID`` subdatasets) whose values and sinusoidal georeferencing
agree with our reader's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr

from cdse_intake import open_product
from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products._modis_layers import KINDS
from cdse_intake.emulator.records.table import table_entries

SD = pytest.importorskip("pyhdf.SD")
HDF = pytest.importorskip("pyhdf.HDF")
pytest.importorskip("pyhdf.V")
rasterio = pytest.importorskip("rasterio")

DFTAG_NDG = 720  # an SDS, as HDF-EOS attaches it (DFTAG_VG 1965 is a Vgroup)
DFTAG_VG = 1965


@pytest.fixture(scope="module", params=sorted(KINDS))
def written(request, tmp_path_factory):
    entry = next(
        e
        for e in table_entries(2026, 1.0)
        if e.collection == "TERRAAQUA" and e.product_type.split(".")[0] == request.param
    )
    path = tmp_path_factory.mktemp("modis") / entry.name
    path.write_bytes(BUILDERS["modis"](entry)[entry.name])
    return KINDS[request.param], path


def _fields(path) -> tuple[str, list[str]]:
    """(grid name, DataFieldName list) of the file's StructMetadata.0."""
    sd = SD.SD(str(path), SD.SDC.READ)
    try:
        text = sd.attributes()["StructMetadata.0"]
    finally:
        sd.end()
    return re.search(r'GridName="([^"]+)"', text)[1], re.findall(r'DataFieldName="([^"]+)"', text)


def _vgroups(path) -> dict[int, tuple[str, str, list[tuple[int, int]]]]:
    """Every Vgroup of the file by ref: (name, class, [(tag, ref)] of its members)."""
    hdf = HDF.HDF(str(path), HDF.HC.READ)
    v = hdf.vgstart()
    found, ref = {}, -1
    try:
        while True:
            try:
                ref = v.getid(ref)
            except HDF.HDF4Error:
                break
            group = v.attach(ref)
            found[ref] = (group._name, group._class, [tuple(t) for t in group.tagrefs()])
            group.detach()
    finally:
        v.end()
        hdf.close()
    return found


def _sds_refs(path) -> dict[str, int]:
    sd = SD.SD(str(path), SD.SDC.READ)
    try:
        refs = {}
        for name, (*_, index) in sd.datasets().items():
            sds = sd.select(index)
            refs[name] = sds.ref()
            sds.endaccess()
        return refs
    finally:
        sd.end()


def test_grid_vgroups_as_hdfeos_lays_them_out(written):
    kind, path = written
    grid, fields = _fields(path)
    assert grid == kind.grid and fields == [layer.name for layer in kind.layers]
    groups = _vgroups(path)
    roots = [ref for ref, (name, cls, _) in groups.items() if cls == "GRID"]
    assert len(roots) == 1
    name, _, members = groups[roots[0]]
    assert name == grid
    # HDF-EOS (GDattach) takes the first two members as Data Fields, Grid Attributes.
    assert [tag for tag, _ in members] == [DFTAG_VG, DFTAG_VG]
    (data_name, data_cls, data), (attr_name, attr_cls, attrs) = (groups[r] for _, r in members)
    assert (data_name, data_cls) == ("Data Fields", "GRID Vgroup")
    assert (attr_name, attr_cls) == ("Grid Attributes", "GRID Vgroup")
    assert attrs == []
    refs = _sds_refs(path)
    assert data == [(DFTAG_NDG, refs[field]) for field in fields]  # every field, in order


def _subdatasets(path) -> list[str]:
    """GDAL's subdatasets of the file: through rasterio when its GDAL has the HDF4 driver,
    else through the GDAL command-line tools (rasterio's wheels are built without HDF4)."""
    with rasterio.Env() as env:
        if "HDF4" in env.drivers():
            with rasterio.open(path) as src:
                return list(src.subdatasets)
    if shutil.which("gdalinfo") is None:
        pytest.skip("neither rasterio's GDAL nor a gdalinfo has the HDF4 driver")
    done = subprocess.run(
        ["gdalinfo", "-json", str(path)], capture_output=True, check=True, text=True
    )
    info = json.loads(done.stdout)
    assert info["driverShortName"] == "HDF4"
    meta = info["metadata"].get("SUBDATASETS", {})
    return [meta[f"SUBDATASET_{k}_NAME"] for k in range(1, len(meta) // 2 + 1)]


def _read(subdataset: str, folder) -> tuple[np.ndarray, object, object]:
    """(values, CRS, transform) of one subdataset, by GDAL."""
    with rasterio.Env() as env:
        if "HDF4" not in env.drivers():
            tif = folder / "subdataset.tif"
            subprocess.run(
                ["gdal_translate", "-q", "-of", "GTiff", subdataset, str(tif)],
                capture_output=True,
                check=True,
            )
            subdataset = str(tif)
        with rasterio.open(subdataset) as src:
            return src.read(1), src.crs, src.transform


def test_gdal_sees_the_hdfeos_grid(written, tmp_path):
    kind, path = written
    names = _subdatasets(path)
    quoted = [f'"{layer.name}"' if " " in layer.name else layer.name for layer in kind.layers]
    assert names == [f'HDF4_EOS:EOS_GRID:"{path}":{kind.grid}:{q}' for q in quoted]
    ds = open_product(path)
    rng, varied = np.random.default_rng(7), 0
    for layer, subdataset in zip(kind.layers, names, strict=True):
        raw, crs, transform = _read(subdataset, tmp_path)
        assert raw.shape == ds[layer.name].shape and raw.dtype == np.dtype(layer.dtype)
        params = crs.to_dict()
        assert params["proj"] == "sinu" and params.get("R", params.get("a")) == 6371007.181
        assert transform.almost_equals(ds.rio.transform(), precision=1e-6)
        rows, cols = rng.integers(0, raw.shape[0], 40), rng.integers(0, raw.shape[1], 40)
        x, y = transform * (cols + 0.5, rows + 0.5)  # pixel centres, by GDAL's georeferencing
        ours = (
            ds[layer.name]
            .sel(x=xr.DataArray(x, dims="p"), y=xr.DataArray(y, dims="p"), method="nearest")
            .values
        )
        gdal = raw[rows, cols]
        if layer.scale is not None:
            bad = (gdal == layer.fill) | (gdal < layer.valid[0]) | (gdal > layer.valid[1])
            gdal = np.where(bad, np.nan, gdal.astype(np.float32) * np.float32(layer.scale))
        np.testing.assert_array_equal(ours, gdal, err_msg=layer.name)
        varied += np.unique(raw[rows, cols]).size > 1
    assert varied >= len(kind.layers) / 2  # the points sample real values, not one fill
