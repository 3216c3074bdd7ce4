"""What every reader does with absent and broken member files, the same way.

Absent files: the product opens with what exists and one :class:`PartialProductWarning` names
what is missing (files left out on purpose by ``bands=``/``variables=`` are not reported).
Broken files: an empty, truncated or foreign file is refused with :class:`UnsupportedProduct`
naming the file and the problem, before a format library reports it in its own words.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from ..errors import PartialProductWarning, UnsupportedProduct

__all__ = ["check_member", "listed", "warn_missing"]

#: Leading bytes of each member format (by the file's extension).
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "jp2": (b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51"),
    "tif": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "nc": (b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05"),
    "h5": (b"\x89HDF\r\n\x1a\n",),
    "hdf": (b"\x0e\x03\x13\x01",),
}
_XML = ("xml", "safe", "eof", "kml", "gml")


def listed(names: Sequence[str], most: int = 6) -> str:
    """``a, b, c and 4 more``."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def warn_missing(location: str, missing: Sequence[str], kind: str = "files") -> None:
    """Warn once that ``location`` opened without its ``missing`` member files (or bands...)."""
    if missing:
        warnings.warn(
            f"{location}: opened without {len(missing)} missing {kind}: {listed(missing)}",
            PartialProductWarning,
            stacklevel=3,
        )


def check_member(location: str, name: str, head: bytes, size: int | None = None) -> None:
    """Refuse member ``name`` of ``location`` if it is empty or does not start as its format
    does; ``head`` is its first bytes (16 are enough), ``size`` its length when known."""
    if size == 0 or (size is None and not head):
        raise UnsupportedProduct(f"{location}: {name} is empty (0 bytes)")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in _XML:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if start and not start.startswith(b"<"):
            raise UnsupportedProduct(f"{location}: {name} is not XML (starts {head[:8]!r})")
        return
    magics = _MAGIC.get(ext)
    if magics and not any(head.startswith(magic) for magic in magics):
        what = {"jp2": "JPEG 2000", "tif": "TIFF", "tiff": "TIFF", "hdf": "HDF4"}
        raise UnsupportedProduct(
            f"{location}: {name} is not a {what.get(ext, ext.upper() + ' (HDF5/netCDF)')} file "
            f"(starts {head[:8]!r}: damaged or truncated)"
        )
