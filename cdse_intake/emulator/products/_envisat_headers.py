"""The ASCII headers of an ENVISAT product file (``.N1``): MPH, SPH and DSDs.

ENVISAT's product format (ESA PO-RS-MDA-GS-2009): a Main Product Header of exactly 1247 bytes,
a Specific Product Header whose last part is the Data Set Descriptors (280 bytes each), then the
data sets. Headers are ``KEY=value`` lines, strings in double quotes, numbers signed and zero
padded to a fixed width, units in ``<...>`` after the value; blank "spare" lines separate
groups. Field widths as real files show them (GDAL's ``EnvisatFile.c`` parser, BEAM's header
parser tests with a real MERIS FR MPH/SPH/DSD); spare lengths are inferred (the MPH is padded to
its fixed 1247 bytes with its last spare).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["DSD_SIZE", "MPH_SIZE", "Dsd", "dsd_block", "envisat_time", "mph", "signed", "spare"]

MPH_SIZE = 1247
DSD_SIZE = 280
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def envisat_time(when: datetime) -> str:
    """``09-MAY-2006 09:12:40.384813``: ENVISAT's UTC time format (27 characters)."""
    return (
        f"{when.day:02d}-{_MONTHS[when.month - 1]}-{when.year:04d} "
        f"{when:%H:%M:%S}.{when.microsecond:06d}"
    )


def signed(value: int, digits: int) -> str:
    """``+00123``: a sign and ``digits`` zero-padded digits."""
    return f"{'-' if value < 0 else '+'}{abs(int(value)):0{digits}d}"


def spare(blanks: int = 40) -> str:
    return " " * blanks + "\n"


@dataclass(frozen=True)
class Dsd:
    """One Data Set Descriptor: type ``A`` (ADS), ``G`` (GADS), ``M`` (MDS) or ``R`` (a
    reference to an auxiliary file, no data in the product)."""

    name: str
    type: str
    offset: int = 0
    size: int = 0
    num_dsr: int = 0
    dsr_size: int = 0
    filename: str = ""

    def text(self) -> str:
        out = (
            f'DS_NAME="{self.name:<28}"\n'
            f"DS_TYPE={self.type}\n"
            f'FILENAME="{self.filename:<62}"\n'
            f"DS_OFFSET={signed(self.offset, 20)}<bytes>\n"
            f"DS_SIZE={signed(self.size, 20)}<bytes>\n"
            f"NUM_DSR={signed(self.num_dsr, 10)}\n"
            f"DSR_SIZE={signed(self.dsr_size, 10)}<bytes>\n" + spare(32)
        )
        if len(out) != DSD_SIZE:
            raise ValueError(f"DSD {self.name!r} is {len(out)} bytes, not {DSD_SIZE}")
        return out


def dsd_block(dsds: list[Dsd], spares: int = 1) -> str:
    """The DSDs followed by ``spares`` blank DSDs (real products end their list with one)."""
    blank = " " * (DSD_SIZE - 1) + "\n"
    return "".join(d.text() for d in dsds) + blank * spares


def mph(fields: dict[str, str]) -> bytes:
    """The Main Product Header: ``fields`` are the already formatted values by key, in the
    real order; spare lines between the groups; padded to :data:`MPH_SIZE` bytes."""
    groups = (
        ("PRODUCT", "PROC_STAGE", "REF_DOC"),
        ("ACQUISITION_STATION", "PROC_CENTER", "PROC_TIME", "SOFTWARE_VER"),
        ("SENSING_START", "SENSING_STOP"),
        (
            *("PHASE", "CYCLE", "REL_ORBIT", "ABS_ORBIT", "STATE_VECTOR_TIME", "DELTA_UT1"),
            *("X_POSITION", "Y_POSITION", "Z_POSITION", "X_VELOCITY", "Y_VELOCITY", "Z_VELOCITY"),
            "VECTOR_SOURCE",
        ),
        ("UTC_SBT_TIME", "SAT_BINARY_TIME", "CLOCK_STEP"),
        ("LEAP_UTC", "LEAP_SIGN", "LEAP_ERR"),
        ("PRODUCT_ERR", "TOT_SIZE", "SPH_SIZE", "NUM_DSD", "DSD_SIZE", "NUM_DATA_SETS"),
    )
    text = "".join(
        "".join(f"{key}={fields[key]}\n" for key in group) + spare(32 if i == 4 else 40)
        for i, group in enumerate(groups)
    )
    # The last spare absorbs a longer value (the catalogue's MERIS names have one character
    # more than the 62 of the real PRODUCT field), keeping the MPH at its fixed size.
    extra = len(text) - MPH_SIZE
    if extra > 40:
        raise ValueError(f"MPH of {len(text)} bytes exceeds {MPH_SIZE}")
    text = text[:-41] + " " * (40 - extra) + "\n"
    return text.encode("ascii")
