"""The emulated USGS/EROS machine-to-machine (M2M) API, ``https://m2m.cr.usgs.gov/api/api/json/stable``.

Written from the M2M API's public documentation and well-kept clients (landsatxplore, usgs,
eodag's USGS plugin): login with an application token (``login-token``), the JSON envelope with
error codes (``AUTH_INVALID``, ``AUTH_UNAUTHROIZED`` [sic], ``AUTH_KEY_INVALID``,
``RATE_LIMIT``, ``DATASET_INVALID``, ``INPUT_PARAMETER_INVALID``, ``NOT_FOUND``), scene search,
download options, requests and their retrieval (preparing, then available). Mounted on the
emulator's main host at ``/usgs/api/api/json/stable``; the scenes are the catalogue's Landsat
entries (:mod:`.scenes`), the state and the test switches are :class:`.service.UsgsService`
(``emulator.usgs``), the HTTP face :mod:`.routes`.
"""

from .routes import API_PREFIX, routes
from .service import UsgsService

__all__ = ["API_PREFIX", "UsgsService", "routes"]
