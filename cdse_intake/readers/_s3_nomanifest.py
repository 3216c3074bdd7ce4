"""A Sentinel-3 product whose ``xfdumanifest.xml`` is absent, described from its netCDF files.

Every ``.nc`` file present becomes a :class:`DataObject` (no size, checksum or content unit);
the product facts come from the product name (platform, product type, cycle, relative orbit,
timeliness, baseline) and from the global attributes every SEN3 netCDF file carries
(``product_name``, ``start_time``, ``stop_time``, ``creation_time``, ``absolute_orbit_number``).
The manifest's footprint, band wavelengths and processor are then unknown.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._s3_files import open_file
from ._s3_manifest import MANIFEST, as_int, type_from_name
from ._s3_metadata import DataObject, Sentinel3Metadata
from ._times import parse_utc
from .source import ProductSource

__all__ = ["NOTE", "metadata_from_files"]

#: What the warning says of a product opened without its manifest.
NOTE = (
    "opened from the netCDF files present: product facts from their global attributes and the "
    "product name; no footprint, band wavelengths or list of the files it should hold"
)

_INSTRUMENTS = {"OL": "OLCI", "SL": "SLSTR", "SY": "SYNERGY", "SR": "SRAL"}
_NAME = re.compile(
    r"^S3(?P<unit>[A-D])_(?P<type>\w\w_\w_.{6})_\d{8}T\d{6}_\d{8}T\d{6}_\d{8}T\d{6}_"
    r"(?P<duration>.{4})_(?P<cycle>.{3})_(?P<relative>.{3})_(?P<frame>.{4})_(?P<centre>.{3})_"
    r"(?P<platform>.)_(?P<timeliness>.{2})_(?P<baseline>.{3})"
)


def metadata_from_files(source: ProductSource, chunks: Any, parts: list[xr.Dataset]) -> Any:
    """A :class:`Sentinel3Metadata` from the product's name and netCDF files (the first one is
    opened for its global attributes; the Datasets opened are appended to ``parts``)."""
    files = [f for f in source.files() if f.lower().endswith(".nc")]
    if not files:
        raise UnsupportedProduct(
            f"{source.location} holds no {MANIFEST} and no netCDF file: not a Sentinel-3 SEN3 "
            "product"
        )
    attrs = open_file(source, files[0], chunks, parts).attrs
    name = _text(attrs.get("product_name")) or source.name
    product_type = type_from_name(name) or type_from_name(source.name)
    if product_type is None:
        raise UnsupportedProduct(
            f"{source.location} holds no {MANIFEST}, and neither its name nor the product_name "
            f"attribute of {files[0]} ({name!r}) is a Sentinel-3 product name "
            "(expected S3A_OL_1_EFR___... or the like)"
        )
    parsed = _NAME.match(name) or _NAME.match(source.name)
    field = parsed.groupdict() if parsed else {}
    objects = tuple(
        DataObject(_stem(f), f, "application/x-netcdf", None, None, None, None) for f in files
    )
    return Sentinel3Metadata(
        name=name,
        product_type=product_type,
        platform=f"Sentinel-3{field['unit']}" if field else None,
        instrument=_INSTRUMENTS.get(product_type[:2]),
        start=parse_utc(_text(attrs.get("start_time"))),
        stop=parse_utc(_text(attrs.get("stop_time"))),
        creation_time=parse_utc(_text(attrs.get("creation_time"))),
        timeliness=_code(field.get("timeliness")),
        baseline=_code(field.get("baseline")),
        orbit=_number(attrs.get("absolute_orbit_number")),
        relative_orbit=as_int(field.get("relative")),
        cycle=as_int(field.get("cycle")),
        orbit_direction=None,
        processor=None,
        footprint=(),
        data_objects=objects,
    )


def _stem(rel: str) -> str:
    return posixpath.splitext(posixpath.basename(rel))[0]


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _code(value: str | None) -> str | None:
    return value if value and value.strip("_") else None


def _number(value: Any) -> int | None:
    values = np.asarray(value).ravel() if value is not None else ()
    return as_int(values[0]) if len(values) else None
