"""Reading products through the catalogue: every family into lazy xarray, downloads verified and
cached once, remote reads, pickling (for dask), credentials from the environment or .netrc."""

from __future__ import annotations

import importlib.util
import os
import pickle
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import xarray as xr

from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings
from cdse_intake.emulator.products import geotiff as clms
from cdse_intake.emulator.products import sentinel2 as s2
from cdse_intake.errors import DownloadError
from cdse_intake.intake_plugin import CDSEProductReader
from cdse_intake.product import Product
from cdse_intake.readers import FAMILIES, open_product

from .conftest import around

#: (the emulator's product family, the catalogue entry that finds it)
FAMILY_ENTRIES = [
    ("sentinel2_l1c", "sentinel2_l1c"),
    ("sentinel2_l2a", "sentinel2_l2a"),
    ("sentinel1_grd", "sentinel1_grd"),
    ("sentinel3_olci_efr", "sentinel3_olci"),
    ("sentinel5p_l2", "sentinel5p_l2"),
    ("clms_geotiff", "clms"),
    ("eopf_zarr", "sentinel2_l2a"),
]


def _require_reader(name: str) -> None:
    family = next(f for f in FAMILIES if f.names.search(name))
    if importlib.util.find_spec(f"cdse_intake.readers.{family.module}") is None:
        pytest.skip(f"the {family.key} reader (cdse_intake.readers.{family.module}) is missing")


def _downloads(emu: Any) -> list[Any]:
    return [r for r in emu.state.requests() if r.path.endswith("$value")]


def _first_array(obj: Any) -> tuple[str, xr.DataArray]:
    """The first variable with two or more dimensions, and the group holding it."""
    nodes = obj.subtree if isinstance(obj, xr.DataTree) else [obj]
    for node in nodes:
        ds = node.to_dataset(inherit=False) if isinstance(node, xr.DataTree) else node
        for name, var in ds.data_vars.items():
            if var.ndim >= 2:
                return getattr(node, "path", "/"), var.rename(name)
    raise AssertionError(f"no 2-D variable in {obj}")


def _corner(var: xr.DataArray) -> np.ndarray:
    return var.isel({d: slice(0, 6) for d in var.dims}).values


def _reader_for(catalog: Any, entry_name: str, entry: Any, **kw: Any) -> CDSEProductReader:
    found = catalog[entry_name](**around(entry), **kw).read()
    assert entry.name in list(found)
    return found[entry.name]


@pytest.mark.parametrize(("family", "entry_name"), FAMILY_ENTRIES)
def test_every_family_reads_into_lazy_xarray(
    catalog, cdse_emulator, materialised, family, entry_name
):
    entry = materialised(family)
    _require_reader(entry.name)
    reader = _reader_for(catalog, entry_name, entry)
    obj = reader.read()
    assert f"xarray:{type(obj).__name__}" == reader.output_instance
    assert obj.attrs["cdse_id"] == entry.id
    group, var = _first_array(obj)
    assert var.chunks is not None  # dask-backed: read() only read metadata
    assert len(_downloads(cdse_emulator)) == 1

    product = Product.from_dict(reader.data.record)
    cached = ProductCache(Settings.from_env().cache_dir).lookup(product)
    assert cached is not None  # downloaded, verified, into the cache
    direct = open_product(cached)
    expected = direct[group] if isinstance(direct, xr.DataTree) else direct
    np.testing.assert_array_equal(_corner(var), _corner(expected[var.name]))

    cdse_emulator.state.reset_counters()
    again = reader.to_dask()  # the same lazy object, from the cache this time
    assert _downloads(cdse_emulator) == []
    np.testing.assert_array_equal(_corner(_first_array(again)[1]), _corner(var))


def test_open_options_reach_the_family_reader(catalog, materialised):
    entry = materialised("sentinel2_l2a")
    _require_reader(entry.name)
    reader = _reader_for(catalog, "sentinel2_l2a", entry, open_options={"resolution": 10})
    assert reader.output_instance == "xarray:Dataset"
    ds = reader.read()
    rows, cols = np.mgrid[0:8, 0:8]
    offset = s2.BOA_OFFSET if s2.has_offset(entry.extra["baseline"]) else 0
    expected = (
        s2.expected_dn(entry, "B04", rows, cols, 10).astype("float32") + offset
    ) / s2.QUANTIFICATION
    np.testing.assert_allclose(
        ds["B04"].isel(x=slice(0, 8), y=slice(0, 8)).values, expected, rtol=1e-6
    )
    with pytest.raises(TypeError, match="'resolutions'"):  # the family reader's options, checked
        reader.read(resolutions=10)
    with pytest.raises(ValueError, match="'credentials'"):  # not even for one call
        reader.read(credentials=("someone", "hunter2"))


def test_remote_reads_leave_the_cache_empty(catalog, materialised):
    entry = materialised("clms_geotiff")
    _require_reader(entry.name)
    reader = _reader_for(catalog, "clms", entry)
    ds = reader.read(remote=True, scale=False)
    (name,) = [n for n in ds.data_vars if n != "flags"] or list(ds.data_vars)
    rows, cols = np.mgrid[0:6, 0:6]
    np.testing.assert_array_equal(
        _corner(ds[name].squeeze(drop=True)), clms.expected_dn(entry, rows, cols)
    )
    assert ds.attrs["cdse_source"] == f"cdse://{entry.name}"
    product = Product.from_dict(reader.data.record)
    assert ProductCache(Settings.from_env().cache_dir).lookup(product) is None


def test_catalogues_and_readers_pickle_without_secrets(catalog, cdse_emulator, materialised):
    entry = materialised("clms_geotiff")
    _require_reader(entry.name)
    top = pickle.loads(pickle.dumps(catalog))
    assert top.sentinel2_l2a.kwargs == catalog.sentinel2_l2a.kwargs
    search = pickle.loads(pickle.dumps(top.clms(**around(entry))))
    found = search.read()
    blob = pickle.dumps(found)
    assert cdse_emulator.password.encode() not in blob
    reader = pickle.loads(pickle.dumps(pickle.loads(blob)[entry.name]))
    ds = pickle.loads(pickle.dumps(reader.read()))
    assert ds.attrs["cdse_id"] == entry.id
    name = next(iter(ds.data_vars))
    assert np.isfinite(ds[name].values).any()


def _summary(reader: CDSEProductReader) -> tuple[str, float]:
    ds = reader.read(scale=False)
    return ds.attrs["cdse_id"], float(ds[next(iter(ds.data_vars))].sum())


def test_an_entry_reads_in_another_process(catalog, materialised):
    """What dask does with an entry: pickle it, read it in a worker process."""
    dask = pytest.importorskip("dask")
    entry = materialised("clms_geotiff")
    _require_reader(entry.name)
    reader = _reader_for(catalog, "clms", entry)
    (result,) = dask.compute(dask.delayed(_summary)(reader), scheduler="processes", num_workers=1)
    product_id, total = result
    assert product_id == entry.id
    assert total == _summary(reader)[1]


def test_credentials_come_from_the_environment_or_netrc(
    catalog, cdse_emulator, materialised, monkeypatch
):
    entry = materialised("clms_geotiff")
    _require_reader(entry.name)
    monkeypatch.delenv("CDSE_USERNAME")
    monkeypatch.delenv("CDSE_PASSWORD")
    reader = _reader_for(catalog, "clms", entry)
    with pytest.raises(DownloadError, match="no CDSE credentials found"):
        reader.read()

    netrc = Path(os.environ["HOME"]) / ".netrc"
    host = urlsplit(cdse_emulator.env()["CDSE_IDENTITY_URL"]).hostname
    netrc.write_text(
        f"machine {host} login {cdse_emulator.username} password {cdse_emulator.password}\n"
    )
    netrc.chmod(0o600)
    assert reader.read().attrs["cdse_id"] == entry.id
