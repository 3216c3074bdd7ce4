"""The local name of a product's file: what CDSE's Content-Disposition names, checked safe."""

from __future__ import annotations

from ..product import FOLDER_SUFFIXES, Product
from .safety import safe_filename

__all__ = ["FOLDER_SUFFIXES", "file_name"]


def file_name(product: Product) -> str:
    """The local file name of ``product`` (CDSE's Content-Disposition name), checked safe."""
    name = safe_filename(product.name)
    if name.endswith(FOLDER_SUFFIXES):
        return safe_filename(product.stem + ".zip")
    return name
