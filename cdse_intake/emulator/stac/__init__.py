"""The emulated CDSE STAC API (``stac.dataspace.copernicus.eu/v1``, cdse-api.md §4).

Modules: ``collections`` (entry -> collection, collection specs, from the table of every CDSE
collection in ``..catalogue_list``), ``collection_bands``, ``missions`` (per-mission product
asset, links, thumbnail, extensions), ``properties``, ``layouts`` with ``layout_s1``,
``layout_s3``, ``layout_single`` and ``layout_generic`` (files -> asset keys and fields; the
generic one for collections without a writer), ``assets``, ``cube`` (S5P
datacube fields), ``items``, ``index`` (columnar view and caches), ``params`` (request parsing),
``cql`` (filter and query extensions), ``search``, ``fields``, ``queryables``, ``documents``
(landing, conformance, collections), ``collection_search``, ``openapi`` (service-desc and
service-doc) and ``api`` (HTTP handlers).
"""

from .api import routes

__all__ = ["routes"]
