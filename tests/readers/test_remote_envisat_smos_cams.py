"""Envisat, SMOS and CAMS products read straight from an emulator (``cdse://`` range reads over
HTTPS and S3), without a download: their families are not in the suite's showcase, so this
module starts an emulator that delivers every product."""

from __future__ import annotations

import numpy as np
import pytest

from cdse_intake.emulator.payloads import deliverable
from cdse_intake.emulator.products import cams
from cdse_intake.emulator.products._envisat_pixels import RAD_SCALE, look
from cdse_intake.emulator.products._smos_values import patch
from cdse_intake.fs import CDSEFileSystem
from cdse_intake.readers import cams as cams_reader
from cdse_intake.readers import envisat, smos
from cdse_intake.readers.source import from_remote


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=2026, scale=0.02, deliver="all") as emulator:
        yield emulator


def _source(emu, family: str, via: str):
    entry = next(
        e
        for e in emu.catalogue
        if e.family == family and e.online and deliverable(e) and not e.extra.get("fault")
    )
    kwargs = {}
    if via == "s3":
        env = emu.env()
        kwargs["s3_keys"] = (env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"])
    fs = CDSEFileSystem(
        via,
        credentials=(emu.username, emu.password),
        endpoints=emu.endpoints,
        skip_instance_cache=True,
        **kwargs,
    )
    return entry, from_remote(fs, fs.product(entry.name))


@pytest.mark.parametrize("via", ["https", "s3"])
def test_envisat_by_range(emu, via):
    entry, source = _source(emu, "envisat", via)
    assert source.single_file
    ds = envisat.open(source, chunks=None)
    view = look(entry.name, entry.product_type, entry.extra["lon"], entry.extra["lat"], entry.start)
    scale = np.float32(RAD_SCALE[0])
    np.testing.assert_allclose(ds.radiance_1[3:6].values, view.counts[0][3:6] * scale, rtol=1e-6)


@pytest.mark.parametrize("via", ["https", "s3"])
def test_smos_folder(emu, via):
    entry, source = _source(emu, "smos", via)
    assert not source.single_file
    ds = smos.open(source, chunks=None)
    view = patch(entry.extra["lon"], entry.extra["lat"], entry.start)
    np.testing.assert_array_equal(ds.grid_point_id.values, view.ids)


def test_cams_netcdf(emu):
    entry, source = _source(emu, "cams", "https")
    ds = cams_reader.open(source, chunks=None)
    name, values = next(iter(cams.fields(entry).items()))
    step = float(ds[name].encoding["scale_factor"])
    np.testing.assert_allclose(ds[name][0, :5, :5].values, values[0, :5, :5], atol=step)
    ds.close()
