"""Member files of the single-file and netCDF families checked before a library sees them.

A file that is empty, or does not start as its format does (:func:`._partial.check_member`), is
refused with :class:`UnsupportedProduct` naming it; :func:`damaged` is the error for a file that
starts right but that its library cannot open (a truncated copy), naming it too. Used by the
Sentinel-5P/6, CAMS, SMOS, Envisat, MODIS and orbit readers.
"""

from __future__ import annotations

from ..errors import UnsupportedProduct
from ._partial import check_member
from .source import ProductSource

__all__ = ["check_file", "damaged", "member_name"]

#: Bytes read to recognise a member's format.
HEAD = 16
#: A small range request for a remote file's first bytes (not the filesystem's default block).
_REMOTE_BLOCK = 2**16


def member_name(source: ProductSource, rel: str) -> str:
    """The file's name for messages: ``rel``, or the product's own name for a single file."""
    return rel or source.name


def check_file(source: ProductSource, rel: str = "") -> None:
    """Refuse the member ``rel`` (``""``: the single-file product) if it is empty or does not
    start as its extension says (netCDF/HDF5, HDF4, XML)."""
    if source.origin == "remote":
        with source.open(rel, block_size=_REMOTE_BLOCK, cache_type="readahead") as f:
            head = f.read(HEAD)
        size = len(head) if len(head) < HEAD else None  # fewer bytes: the whole file
    else:
        size = int(source.fs.size(source.path(rel)))
        with source.open(rel) as f:
            head = f.read(HEAD)
    check_member(source.location, member_name(source, rel), head, size)


def damaged(
    source: ProductSource, rel: str, err: Exception, expected: str, kind: str = "netCDF-4/HDF5"
) -> UnsupportedProduct:
    """The error for member ``rel`` that starts right but that its ``kind`` library cannot
    read: ``expected`` says what it should be (``"a Sentinel-6 netCDF-4 file"``)."""
    return UnsupportedProduct(
        f"{source.location}: cannot read {member_name(source, rel)}: not a readable {kind} file "
        f"({err}): damaged or truncated; expected {expected} (download the product again)"
    )
