"""Downloads spread over dask workers, within one cluster-wide connection budget."""

from __future__ import annotations

import pandas as pd

from cdse_intake.downloads import download_on_cluster
from cdse_intake.manifest import rows_for, write_manifest

from .test_download_common import assert_final_files_verified, grants, materialised


def test_products_spread_over_workers_share_the_budget(
    cdse_emulator, cdse_env, tmp_path, dask_client
):
    products = materialised(cdse_emulator)
    manifest = write_manifest(tmp_path / "m.csv", rows_for(products))
    cdse_emulator.state.throttle = 4_000_000  # bytes/s per connection: downloads overlap
    client = dask_client(n_workers=2, threads_per_worker=3)
    report = download_on_cluster(client, manifest, tmp_path / "out", max_connections=2)
    assert report.ok, [o.reason for o in report.failed]
    assert len(report.verified) == len(products)
    assert assert_final_files_verified(tmp_path / "out", cdse_emulator) == len(products)
    # Six worker threads, one budget of two connections for the whole cluster.
    assert cdse_emulator.state.peak_downloads[cdse_emulator.username] <= 2
    assert grants(cdse_emulator, "password") <= 1  # one login at most, shared in the process
    table = pd.read_csv(manifest, comment="#")
    assert set(table["Downloaded"]) == {"verified"}
    assert table["LocalPath"].str.startswith(str(tmp_path / "out")).all()
