"""Sentinel-1 SLC bursts (``/odata/v1/Bursts``, ``reference/cdse-api.md`` §1.9): search with the
product search's query model (:mod:`.query`, :mod:`.search`), which burst ids cover an area,
extraction on request into the cache (:mod:`.extract`) and opening with the Sentinel-1 reader.

::

    bursts = search_bursts(bbox=(2.1, 51.0, 3.4, 51.3), swath="IW1", polarisation="VV")
    done = extract_bursts(bursts[:2])
    tree = open_burst(done[0])
"""

from ._api import burst_coverage, extract_bursts, open_burst, search_bursts
from .extract import Extracted
from .query import BurstQuery
from .record import Burst
from .search import Coverage

__all__ = [
    "Burst",
    "BurstQuery",
    "Coverage",
    "Extracted",
    "burst_coverage",
    "extract_bursts",
    "open_burst",
    "search_bursts",
]
