"""The emulated Sentinel-1 SLC Bursts service (``reference/cdse-api.md`` §1.9): burst records
derived from the catalogue's IW/EW SLC products (:mod:`.records`), their ``$filter``
(:mod:`.evaluate`), the entity (:mod:`.render`), on-demand extraction (:mod:`.extract`) and the
endpoints (:mod:`.handlers`)."""

from .handlers import download_routes, routes

__all__ = ["download_routes", "routes"]
