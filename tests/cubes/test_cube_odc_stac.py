"""The same Sentinel-2 L2A scenes through odc-stac, as CDSE's odc-stac users load them, give the
same values as ``cdse_intake.load()`` where both have data.

odc-stac's side is what CDSE documents for STAC tools: pystac-client on the STAC API, then
``odc.stac.load(items, bands=[...])`` reading the assets' ``s3://eodata/...`` hrefs through GDAL's
``/vsis3/`` with the account's S3 keys and ``AWS_S3_ENDPOINT`` (here the emulator's S3 server,
plain HTTP, path-style). odc-stac returns the files' digital numbers and ignores the assets'
``raster:scale``/``raster:offset`` (0.0001 and -0.1 from processing baseline 04.00 on, as on
CDSE's own items): a careful user applies them, and then gets our reflectance to the float32
rounding (the same DN, recovered exactly), with no-data at the same pixels and SCL equal. A user
who skips the offset is off by 0.1 everywhere, which the last assertions pin down.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

odc_stac = pytest.importorskip("odc.stac")
pystac_client = pytest.importorskip("pystac_client")

from cdse_intake.emulator.records.common import SITES  # noqa: E402

LON, LAT = SITES[0]  # Paris: the products cover a 3.66 km window around it, tile 31UNE
#: A 2.2 x 2.2 km box inside the products' window, and ~10 scenes of one tile.
BBOX = (LON - 0.015, LAT - 0.01, LON + 0.015, LAT + 0.01)
START, END = "2023-02-01", "2023-02-25"
#: Our variable -> the asset odc-stac loads (CDSE's STAC asset keys carry the resolution).
ASSETS = {"B04": "B04_10m", "B08": "B08_10m", "SCL": "SCL_20m"}
REFLECTANCE = ("B04", "B08")


def gdal_s3_env(env: dict[str, str]) -> dict[str, str]:
    """The environment GDAL needs to read CDSE's ``s3://eodata`` hrefs from the emulator's S3
    server: its endpoint (host:port, no scheme), plain HTTP, path-style addressing, the account's
    keys; nothing that would let GDAL look elsewhere (no ~/.aws files, no EC2 metadata probe)."""
    endpoint = env["CDSE_S3_ENDPOINT"]
    assert endpoint.startswith("http://127.0.0."), endpoint
    return {
        "AWS_S3_ENDPOINT": endpoint.removeprefix("http://"),
        "AWS_HTTPS": "NO",
        "AWS_VIRTUAL_HOSTING": "FALSE",
        "AWS_ACCESS_KEY_ID": env["CDSE_S3_ACCESS_KEY"],
        "AWS_SECRET_ACCESS_KEY": env["CDSE_S3_SECRET_KEY"],
        "AWS_NO_SIGN_REQUEST": "NO",
        "AWS_REGION": "default",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "CPL_AWS_AUTODETECT_EC2": "NO",
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        # GDAL's /vsicurl/ cache is per process and keyed by path, not endpoint: keep this
        # emulator's bytes out of it, for the next test's emulator serves other bytes there.
        "CPL_VSIL_CURL_NON_CACHED": "/vsis3/eodata/",
        "GDAL_HTTP_MAX_RETRY": "0",
    }


@pytest.fixture
def emulator(cdse_emulator_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A private emulator delivering every product (the session one delivers only the
    showcase), with CDSE_* and GDAL's AWS_* variables pointed at it for this test only.

    ``scale=0.1``: a tenth of the catalogue, generated in a second or two; a site still has
    every revisit from late 2022 on (ten L2A products of 31UNE in February 2023)."""
    emu = cdse_emulator_factory(deliver="all", scale=0.1)
    env = emu.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # No proxy between GDAL's curl and loopback; no AWS profile or session token of the user's.
    for key in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):  # fmt: skip
        monkeypatch.delenv(key, raising=False)
    for key, value in gdal_s3_env(env).items():
        monkeypatch.setenv(key, value)
    return emu


def odc_stac_load(items: list[Any], geobox: Any) -> Any:
    """``odc.stac.load`` on a thread of its own, without dask: odc-stac keeps a rasterio session
    per thread, built from the environment on first use; this one ends with the thread."""

    def run() -> Any:
        return odc_stac.load(
            items, bands=list(ASSETS.values()), geobox=geobox, groupby="id", chunks=None
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_odc_stac_on_cdse_items_matches_our_cube(emulator: Any) -> None:
    import cdse_intake

    results = cdse_intake.search(
        "SENTINEL-2", product_type="S2MSI2A", bbox=BBOX, start=START, end=END
    )
    assert 8 <= len(results) <= 12, [p.name for p in results]
    ours = cdse_intake.load(results, bands=list(ASSETS), groupby=None, bbox=BBOX).compute()

    catalog = pystac_client.Client.open(emulator.env()["CDSE_STAC_URL"])
    found = catalog.search(collections=["sentinel-2-l2a"], bbox=BBOX, datetime=f"{START}/{END}")
    items = sorted(found.items(), key=lambda i: (i.datetime, i.id))
    # The same products on both sides, in the same order (ours: sensing time, then name).
    names = [str(n).removesuffix(".SAFE") for n in ours["product"].values]
    assert [i.id for i in items] == names
    for item in items:  # CDSE's per-band assets, read from the eodata bucket
        assert all(item.assets[a].href.startswith("s3://eodata/") for a in ASSETS.values())

    emulator.state.reset_counters()
    theirs = odc_stac_load(items, ours.odc.geobox)
    traffic = emulator.state.requests()
    s3_host = emulator.env()["CDSE_S3_ENDPOINT"].removeprefix("http://")
    assert traffic and {r.host for r in traffic} == {s3_host}  # GDAL read S3, and nothing else
    assert all(r.status in (200, 206) for r in traffic), {r.status for r in traffic}

    assert theirs.odc.geobox == ours.odc.geobox
    assert [str(t)[:19] for t in theirs.time.values] == [
        i.datetime.strftime("%Y-%m-%dT%H:%M:%S") for i in items
    ]

    covered = 0
    for step, item in enumerate(items):
        for band in REFLECTANCE:
            asset = item.assets[ASSETS[band]]
            scale = asset.extra_fields["raster:scale"]
            offset = asset.extra_fields["raster:offset"]
            nodata = asset.extra_fields["nodata"]
            # Baseline 04.00 on: DN 1000 is reflectance 0 (CDSE's items say so, as the MTD).
            assert item.properties["processing:version"] >= "04.00"
            assert (scale, offset, nodata) == (0.0001, -0.1, 0)

            dn = theirs[ASSETS[band]].isel(time=step).values
            mine = ours[band].isel(time=step).values
            assert dn.dtype == np.uint16
            valid = dn != nodata
            # No-data at the same pixels (inside and outside the product's footprint).
            np.testing.assert_array_equal(np.isnan(mine), ~valid, err_msg=f"{item.id} {band}")
            covered += int(valid.sum())

            careful = dn[valid] * scale + offset  # what a careful odc-stac user computes
            np.testing.assert_allclose(mine[valid], careful, rtol=0, atol=1e-6)
            # Exactly the file's digital numbers behind our reflectance.
            recovered = np.rint((mine[valid].astype(np.float64) - offset) / scale)
            np.testing.assert_array_equal(recovered.astype(np.uint16), dn[valid])

            # The pitfall: DN x scale without the offset is 0.1 too bright, everywhere.
            naive = dn[valid] * scale
            np.testing.assert_allclose(naive - mine[valid], 0.1, rtol=0, atol=1e-6)
            assert not np.allclose(naive, mine[valid], atol=0.05)

        scl = theirs[ASSETS["SCL"]].isel(time=step).values
        np.testing.assert_array_equal(ours["SCL"].isel(time=step).values, scl, err_msg=item.id)
    # The comparison is not vacuous: most of the box is covered in every scene.
    assert covered > 0.8 * len(items) * len(REFLECTANCE) * ours.odc.geobox.shape.x * (
        ours.odc.geobox.shape.y
    )
