"""A CDSE emulator: the real protocols on loopback, for tests, demos and offline work.

Identity (Keycloak), OData catalogue and download, STAC and S3 answer like the real services
(paths, status codes, JSON shapes and key order, headers), over a deterministic catalogue with a
few materialised products in the real formats. Faults can be injected per test and per product.

>>> from cdse_intake.emulator import Emulator   # doctest: +SKIP
>>> with Emulator() as emu:
...     env = emu.env()                          # CDSE_* variables pointing at it
"""

from .server import Emulator, ServiceContext, ServiceURLs

__all__ = ["Emulator", "ServiceContext", "ServiceURLs"]
