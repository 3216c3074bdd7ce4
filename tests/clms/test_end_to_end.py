"""Issue 17's first proof: service key -> search "NDVI" -> request a box as GeoTIFF in
EPSG:4326 -> poll -> download -> open -> the values are the emulator's source data there."""

from __future__ import annotations

from datetime import date

import numpy as np

from cdse_intake import clms
from cdse_intake.readers import open_clms_result

from .emulated import requests


def test_an_ndvi_cut_opens_with_the_values_of_the_source(land, cdse_emulator):
    from cdse_intake.emulator.land.source import values

    found = clms.search("NDVI")
    ndvi = next(d for d in found if "300 m" in d.title and "version 2" in d.title)
    box = (11.0, 44.6, 11.4, 44.9)  # west, south, east, north: the Po valley
    job = clms.request(
        ndvi, bbox=box, output_format="Geotiff", crs="EPSG:4326", time=("2023-06-01", "2023-06-30")
    )
    status = job.wait(timeout=60)
    assert status.done and len(requests(cdse_emulator, "@datarequest_post")) == 1
    cut = open_clms_result(job.download()[0], scale=False)  # digital numbers, as written

    assert cut.rio.crs.to_epsg() == 4326
    dekads = [date(2023, 6, day) for day in (1, 11, 21)]
    assert [str(t)[:10] for t in cut.time.values] == [d.isoformat() for d in dekads]
    # The pixels the file declares (its own georeferencing: the dataset's 1/336 degree grid)
    # are those the box touches...
    x, y = cut.x.values, cut.y.values
    step = abs(x[1] - x[0])
    assert abs(step - 1 / 336) < 1e-12
    left, right = x.min() - step / 2, x.max() + step / 2
    bottom, top = y.min() - step / 2, y.max() + step / 2
    assert left <= box[0] < left + step and right - step < box[2] <= right
    assert bottom <= box[1] < bottom + step and top - step < box[3] <= top
    # ...and at each of them the value is the source's on that dekad.
    lon, lat = np.meshgrid(x, y)
    for t, when in enumerate(dekads):
        expected = values(ndvi.uid, lon, lat, when)
        np.testing.assert_array_equal(cut.NDVI[t].values, expected)
    assert np.mean(cut.NDVI.values <= 250) > 0.5  # mostly land: not only flags
