"""Landsat through USGS's machine-to-machine (M2M) API: the ``"usgs"`` backend.

The same Landsat Collection 2 scenes CDSE holds, searched (a list of Products here;
``cdse_intake.search(backend="usgs")`` gives SearchResults) and downloaded from USGS with the
same query model, and opened the same way (:func:`cdse_intake.open_product` opens a bundle
``.tar`` as it opens CDSE's zip of the same product)::

    found = cdse_intake.usgs.search(collection="LANDSAT-8", bbox=(4, 50, 5, 51), cloud=20,
                                    start="2023-06-01", end="2023-07-01", path=198, row=25)
    report = cdse_intake.usgs.download(found)  # or cdse_intake.download(found)
    ds = cdse_intake.open_product(report.paths()[0])

The account is a USGS username and M2M application token (:mod:`cdse_intake.auth.usgs`:
``credentials=``, ``USGS_USERNAME``/``USGS_TOKEN``, or ``.netrc``); the API root is
``Endpoints.usgs`` (``CDSE_USGS_URL``). Modules: :mod:`.api` (calls, envelope, errors, rate
limits), :mod:`.search` (query to ``scene-search``, scenes to Products), :mod:`.download`
(download requests, polling, verified files).
"""

from ._public import download, search
from .search import DATASETS, is_usgs

__all__ = ["DATASETS", "download", "is_usgs", "search"]
