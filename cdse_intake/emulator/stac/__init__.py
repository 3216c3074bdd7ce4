"""The emulated CDSE STAC API (``stac.dataspace.copernicus.eu/v1``, cdse-api.md §4).

Modules: ``collections`` (entry -> collection, collection specs), ``properties``, ``layouts`` and
``assets`` (entry -> item parts), ``items``, ``index`` (columnar view and caches), ``params``
(request parsing), ``cql`` (filter and query extensions), ``search``, ``fields``,
``queryables``, ``documents`` (landing, conformance, collections) and ``api`` (HTTP handlers).
"""

from .api import routes

__all__ = ["routes"]
