"""The emulated Copernicus Land Monitoring Service (CLMS) API, ``https://land.copernicus.eu/api``.

Written from the CLMS API documentation (eea/clms-api-docs), its recorded exchanges, and the
code the portal runs (clms.downloadtool, ftw.tokenauth); what is assumed is marked
``[unverified]`` in each module. Two hosts, as the real service: the portal (token endpoint
and API, ``127.0.0.3``) and the FME file server of the results (``127.0.0.4``; both fall back to
the emulator's main host where those addresses cannot be bound).

- service keys and tokens: :mod:`.keys`, :mod:`.grants`, :mod:`.access`;
- the catalogue: :mod:`.datasets`, :mod:`.families` (:mod:`.families_eea`,
  :mod:`.families_global`), :mod:`.search`, :mod:`.nuts`;
- data requests: :mod:`.validate`, :mod:`.tasks`; results: :mod:`.source` (the pixel values,
  :func:`.source.values`), :mod:`.encodings`, :mod:`.periods`, :mod:`.grids`, :mod:`.writers`,
  :mod:`.results`, :mod:`.auxiliary`;
- HTTP: :mod:`.api`, :mod:`.files`, :mod:`.plone`; state and controls: :mod:`.service`
  (``emulator.land``), :mod:`.clock`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import LandService
    from .source import values

__all__ = ["LandService", "values"]


def __getattr__(name: str) -> Any:
    if name == "LandService":
        from .service import LandService

        return LandService
    if name == "values":
        from .source import values

        return values
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
