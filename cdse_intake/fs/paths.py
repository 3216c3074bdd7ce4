"""``cdse://`` paths: which product, and which file inside it.

A path is ``<product>[/<path inside the product>]``. ``<product>`` is how the caller names the
product: its full name (``S2A_…SAFE``), the name without the folder suffix (``.SAFE``, ``.SEN3``,
``.zarr``: the STAC item id), or its id (a UUID). Listings echo the caller's spelling, so globbing
``cdse://<id>/GRANULE/*`` matches what it lists. Nothing here touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cache.safety import check_member, safe_filename
from ..errors import UnsafePathError
from ..product import FOLDER_SUFFIXES, is_product_id, name_candidates

__all__ = ["FOLDER_SUFFIXES", "CDSEPath", "is_product_id", "name_candidates", "split"]


@dataclass(frozen=True)
class CDSEPath:
    """A parsed ``cdse://`` path (protocol already stripped)."""

    key: str
    """The product as the caller named it (name, name without suffix, or id)."""
    inner: tuple[str, ...] = ()
    """Path components inside the product folder; empty for the product itself."""

    def __str__(self) -> str:
        return "/".join((self.key, *self.inner))

    def child(self, name: str) -> str:
        """The path of ``name`` inside this one (as listings return it)."""
        return f"{self}/{name}"


def split(path: str) -> CDSEPath:
    """Parse a stripped path; raises UnsafePathError for ``..``, ``.``, empty or odd components."""
    key, _, rest = path.strip("/").partition("/")
    try:
        safe_filename(key)
        if rest:
            check_member(rest)
    except UnsafePathError as err:
        raise UnsafePathError(
            f"unsafe cdse:// path {path!r}: {err.message}; expected "
            "cdse://<product name or id>/<path inside the product>"
        ) from None
    return CDSEPath(key, tuple(rest.split("/")) if rest else ())
