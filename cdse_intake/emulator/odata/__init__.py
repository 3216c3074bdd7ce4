"""The emulated OData catalogue (``/odata/v1`` on the catalogue host, cdse-api.md §1).

``$filter`` is parsed by a real recursive-descent parser (:mod:`.parser`) into a tree that is
evaluated over the catalogue's numpy columns (:mod:`.evaluate`); options, paging links
(:mod:`.options`) and records (:mod:`.render`) follow the recorded responses of the real service.
"""

from .handlers import routes

__all__ = ["routes"]
