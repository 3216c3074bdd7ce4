"""The local name of a product's file: what CDSE's Content-Disposition names, checked safe."""

from __future__ import annotations

from ..product import FOLDER_SUFFIXES, Product, is_single_file_name
from .safety import safe_filename

__all__ = ["FOLDER_SUFFIXES", "file_name"]


def file_name(product: Product) -> str:
    """The local file name of ``product`` (CDSE's Content-Disposition name), checked safe."""
    name = safe_filename(product.name)
    if not is_single_file_name(name):  # a folder product: CDSE delivers it zipped
        return safe_filename(product.stem + ".zip")
    return name
