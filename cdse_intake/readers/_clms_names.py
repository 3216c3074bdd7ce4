"""What the file names and tags of a CLMS data-request result say: a variable name and a date.

CLMS names carry the date of the data: ``c_gls_NDVI300_202307010000_GLOBE_OLCI_V2.0.1.tif``
(``YYYYMMDDHHMM``, the start of the period), ``…_20230701_…`` (``YYYYMMDD``),
``…_20230701T103021_…``, ``…_2023-07-01_…`` or an epoch year for land cover
(``CLMS_CLCPLUS_RASTER_2018_010m_eu_03035_V1_1.tif``). The first date found, most specific
pattern first, is the file's. A name without one leaves the date to the file's metadata
(:func:`time_from_attrs`).

Variable names: the CLMS product's variable for ``c_gls_`` names (``NDVI`` from ``NDVI300``,
as :func:`.geotiff.clms_name`); otherwise the name without its extension, date, version
(``V1_1``, ``v020``), resolution (``010m``) and bare numbers (CRS codes), so that the files of
one layer at different dates share one name (``CLMS_CLCPLUS_RASTER_eu``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._times import parse_utc

__all__ = ["time_from_attrs", "time_from_name", "variable_from_name"]

#: Date patterns of file names, most specific first, delimited by anything but a digit.
_DATES = (
    (re.compile(r"(?<!\d)(\d{8}T\d{6})(?!\d)"), "%Y%m%dT%H%M%S"),
    (re.compile(r"(?<!\d)(\d{14})(?!\d)"), "%Y%m%d%H%M%S"),
    (re.compile(r"(?<!\d)(\d{12})(?!\d)"), "%Y%m%d%H%M"),
    (re.compile(r"(?<!\d)(\d{4}-\d\d-\d\dT\d{6})(?!\d)"), "%Y-%m-%dT%H%M%S"),
    (re.compile(r"(?<!\d)(\d{4}-\d\d-\d\d)(?!\d)"), "%Y-%m-%d"),
    (re.compile(r"(?<!\d)(\d{8})(?!\d)"), "%Y%m%d"),
    # an epoch year is a token of its own (``_2018_``, ``_2019-nrt``), not ``CLC2018``/``V2020``
    (re.compile(r"(?<![0-9A-Za-z])((?:19[5-9]|20\d)\d)(?![0-9A-Za-z])"), "%Y"),
)
#: Global attributes (GeoTIFF tags) holding the data's date, best first. ``TIFFTAG_DATETIME``
#: is when the image was made (TIFF 6.0), so it is the last resort.
_TIME_ATTRS = (
    "time_coverage_start",
    "start_date",
    "date",
    "acquisition_date",
    "time_coverage_end",
    "TIFFTAG_DATETIME",
)
_CLMS = re.compile(r"^c_gls_([A-Za-z0-9-]+)_", re.IGNORECASE)
#: Parts of a CLMS product tag that index time (``FAPAR300-RT0``), not variables.
_TIME_INDEX = re.compile(r"^(RT|SE)\d+$", re.IGNORECASE)
_VERSION = re.compile(r"^[vV]\d+(\.\d+)*$")
_RESOLUTION = re.compile(r"^\d+(\.\d+)?(m|km|deg)$", re.IGNORECASE)


def stem(name: str) -> str:
    """The file name without folders and extension."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if base.lower().endswith((".tif", ".tiff", ".nc")) else base


def _date_match(text: str) -> tuple[re.Match[str], datetime] | None:
    for pattern, layout in _DATES:
        for found in pattern.finditer(text):
            try:
                return found, datetime.strptime(found[1], layout)
            except ValueError:
                continue  # digits that are no date (a tile number): try the next
    return None


def time_from_name(name: str) -> datetime | None:
    """The date in the file ``name`` (naive, UTC); None when it has none."""
    found = _date_match(stem(name))
    return None if found is None else found[1]


def time_from_attrs(attrs: Mapping[str, Any]) -> datetime | None:
    """The date in a file's global attributes or tags (``NC_GLOBAL#`` prefixes ignored)."""
    lowered = {str(k).rsplit("#", 1)[-1].lower(): v for k, v in attrs.items()}
    for key in _TIME_ATTRS:
        value = lowered.get(key.lower())
        if not isinstance(value, str):
            continue
        if key == "TIFFTAG_DATETIME":  # ``YYYY:MM:DD HH:MM:SS``
            value = value.strip().replace(":", "-", 2)
        when = parse_utc(value) or time_from_name(value)
        if when is not None:
            return when.replace(tzinfo=None)
    return None


def variable_from_name(name: str) -> str:
    """The variable a file holds, from its name (see the module docstring)."""
    text = stem(name)
    clms = _CLMS.match(text)
    if clms:
        parts = clms[1].split("-")
        named = [p for p in parts[1:] if not _TIME_INDEX.match(p)]
        return named[-1] if named else re.sub(r"\d+$", "", parts[0]) or parts[0]
    found = _date_match(text)
    if found is not None:
        text = text[: found[0].start(1)] + "_" + text[found[0].end(1) :]
    text = re.sub(r"[vV]\d+(?:_\d+)+(?=_|$)", "_", text)  # ``V1_1``: a version split by ``_``
    tokens = [
        t
        for t in re.split(r"[^0-9A-Za-z]+", text)
        if t and not t.isdigit() and not _VERSION.match(t) and not _RESOLUTION.match(t)
    ]
    out = "_".join(tokens)
    return out if out and not out[0].isdigit() else f"band_{out}" if out else "band_data"
