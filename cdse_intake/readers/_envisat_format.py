"""The ENVISAT product format (``.N1``): its MPH, SPH and Data Set Descriptors, and records.

ESA's ENVISAT products start with a Main Product Header of 1247 bytes, then a Specific Product
Header whose tail is ``NUM_DSD`` Data Set Descriptors of ``DSD_SIZE`` bytes; each DSD gives a
data set's type (``M`` measurement, ``A`` annotation, ``G`` global annotation, ``R`` reference
to an auxiliary file), offset in the file, size, number of records and record size. Headers
are ``KEY=value<unit>`` lines: strings quoted, numbers signed and zero-padded, several numbers
run together for arrays (``BAND_WAVELEN=+0000412500+0000442500…``). Binary data is big-endian;
every ADS/MDS record starts with its time (MJD2000 days, seconds, microseconds: three int32)
and a one-byte flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import UnsupportedProduct

__all__ = ["MPH_SIZE", "DataSet", "Header", "parse_header", "parse_time", "parse_values"]

MPH_SIZE = 1247
_NUMBERS = re.compile(r"[+-](?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class DataSet:
    """One Data Set Descriptor."""

    name: str
    type: str
    filename: str
    offset: int
    size: int
    num_dsr: int
    dsr_size: int


@dataclass(frozen=True)
class Header:
    """A product's MPH and SPH (``KEY -> value``) and its data sets by name."""

    mph: dict[str, Any]
    sph: dict[str, Any]
    datasets: dict[str, DataSet] = field(default_factory=dict)

    def dataset(self, name: str) -> DataSet:
        try:
            return self.datasets[name]
        except KeyError:
            raise UnsupportedProduct(
                f"{self.mph.get('PRODUCT', '?')}: no data set {name!r}; it has "
                + ", ".join(repr(n) for n in self.datasets)
            ) from None


def parse_values(text: str) -> dict[str, Any]:
    """``KEY=value`` lines as a dict: quoted strings (trailing blanks dropped), integers,
    floats, lists of numbers; units dropped; blank lines skipped."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, raw = line.partition("=")
        if not sep or not key.strip():
            continue
        raw = raw.strip()
        if raw.startswith('"'):
            out[key.strip()] = raw[1:].rsplit('"', 1)[0].rstrip()
            continue
        raw = raw.split("<", 1)[0]
        numbers = _NUMBERS.findall(raw)
        if not numbers or "".join(numbers) != raw:
            out[key.strip()] = raw
            continue
        values = [_number(n) for n in numbers]
        out[key.strip()] = values[0] if len(values) == 1 else values
    return out


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_time(text: str) -> datetime:
    """``09-MAY-2006 09:12:40.384813`` (UTC)."""
    try:
        day, month, rest = text.strip().split("-", 2)
        year, clock = rest.split(" ", 1)
        when = datetime.strptime(
            f"{year}-{_MONTHS.index(month.upper()) + 1:02d}-{day} {clock}", "%Y-%m-%d %H:%M:%S.%f"
        )
    except ValueError as err:
        raise UnsupportedProduct(f"not an ENVISAT time: {text!r}") from err
    return when.replace(tzinfo=UTC)


def mjd2000(days: int, seconds: int, microseconds: int) -> datetime:
    """A record time (MJD2000) as a UTC datetime."""
    return datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days, seconds, microseconds)


def parse_header(f: Any, where: str) -> Header:
    """The MPH, SPH and DSDs read from the start of the binary file ``f``."""
    head = f.read(MPH_SIZE)
    if not head.startswith(b"PRODUCT="):
        raise UnsupportedProduct(
            f"{where} is not an ENVISAT product: it does not start with PRODUCT="
        )
    if len(head) < MPH_SIZE:
        raise UnsupportedProduct(f"{where}: truncated MPH ({len(head)} of {MPH_SIZE} bytes)")
    mph = parse_values(head.decode("ascii", "replace"))
    sph_size, num_dsd, dsd_size = (int(mph.get(k, 0)) for k in ("SPH_SIZE", "NUM_DSD", "DSD_SIZE"))
    if sph_size <= 0 or dsd_size <= 0:
        raise UnsupportedProduct(f"{where}: MPH has SPH_SIZE={sph_size}, DSD_SIZE={dsd_size}")
    sph_bytes = f.read(sph_size)
    if len(sph_bytes) < sph_size:
        raise UnsupportedProduct(f"{where}: truncated SPH ({len(sph_bytes)} of {sph_size} bytes)")
    sph_text = sph_bytes.decode("ascii", "replace")
    first = sph_text.find("DS_NAME=")
    if first < 0:
        raise UnsupportedProduct(f"{where}: the SPH has no data set descriptors")
    datasets = {}
    for i in range(num_dsd):
        values = parse_values(sph_text[first + i * dsd_size : first + (i + 1) * dsd_size])
        name = str(values.get("DS_NAME", "")).strip()
        if not name:  # the blank spare DSDs at the end
            continue
        datasets[name] = DataSet(
            name,
            str(values.get("DS_TYPE", "")).strip(),
            str(values.get("FILENAME", "")).strip(),
            int(values.get("DS_OFFSET", 0)),
            int(values.get("DS_SIZE", 0)),
            int(values.get("NUM_DSR", 0)),
            int(values.get("DSR_SIZE", 0)),
        )
    length = f.seek(0, 2)
    for ds in datasets.values():
        if ds.size and ds.offset + ds.size > length:
            raise UnsupportedProduct(
                f"{where}: truncated: data set {ds.name!r} ends at byte {ds.offset + ds.size}, "
                f"the file has {length} bytes"
            )
    return Header(mph, parse_values(sph_text[:first]), datasets)
