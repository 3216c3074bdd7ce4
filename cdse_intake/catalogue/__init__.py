"""Search backends: each turns a :class:`~cdse_intake.query.Query` into Product records.

- :mod:`.odata`: the OData catalogue (``$filter`` from :mod:`.odata_filter`);
- :mod:`.stac`: the STAC catalogue through pystac-client;
- :mod:`.windowed`: the splitting both share, for result sets of any size;
- :mod:`.records`: OData entities and STAC items to :class:`~cdse_intake.product.Product`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BACKENDS", "backend_class"]

BACKENDS = ("odata", "stac")


def backend_class(name: str) -> Any:
    """The backend class for ``"odata"`` or ``"stac"``."""
    from ..errors import QueryError

    if name == "odata":
        from .odata import ODataBackend

        return ODataBackend
    if name == "stac":
        from .stac import StacBackend

        return StacBackend
    raise QueryError(f"backend={name!r} is not a search backend; expected one of {BACKENDS}")
