"""A CDSE emulator: the real protocols on loopback, for tests, demos and offline work.

Identity (Keycloak), OData catalogue and download, STAC and S3 answer like the real services
(paths, status codes, JSON shapes and key order, headers), over a deterministic catalogue with a
few materialised products in the real formats. Faults can be injected per test and per product.

>>> from cdse_intake.emulator import Emulator   # doctest: +SKIP
>>> with Emulator() as emu:
...     env = emu.env()                          # CDSE_* variables pointing at it
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import Emulator, ServiceContext, ServiceURLs

__all__ = ["Emulator", "ServiceContext", "ServiceURLs"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the pytest plugin (``emulator.pytest_plugin``, loaded by every pytest run where
    # cdse_intake is installed) imports without the ``emulator`` extra.
    if name in __all__:
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
