"""Sentinel-3 member files checked before a format library sees them.

A netCDF file that is empty or does not start as netCDF/HDF5, and an ``xfdumanifest.xml`` that
is empty or not XML, are refused with :class:`UnsupportedProduct` naming the file (not h5py's
"file signature not found"); a netCDF file whose header survived but whose end is missing (a
truncated copy) is named when the library fails to open it (:func:`damaged`).
"""

from __future__ import annotations

from ..errors import UnsupportedProduct
from ._members import check_file
from ._partial import check_member
from .source import ProductSource

__all__ = ["check_netcdf", "check_xml", "damaged"]

#: Bytes read to recognise a member's format.
HEAD = 16


def check_netcdf(source: ProductSource, rel: str) -> None:
    """Refuse the netCDF member ``rel`` if it is empty or does not start as netCDF/HDF5."""
    check_file(source, rel)


def check_xml(source: ProductSource, rel: str, data: bytes) -> bytes:
    """``data``, the content of the XML member ``rel``, unless it is empty or not XML."""
    check_member(source.location, rel, data[:HEAD], len(data))
    return data


def damaged(source: ProductSource, rel: str, err: Exception) -> UnsupportedProduct:
    """The error for a netCDF member that starts right but cannot be opened."""
    return UnsupportedProduct(
        f"{source.location}: {rel} cannot be opened as netCDF-4/HDF5 ({err}): damaged or "
        "truncated; expected a whole Sentinel-3 netCDF file (download the product again)"
    )
