"""Sentinel-5P products of every type but L2 NO2 and CO: one netCDF-4 file each.

The records of :mod:`..records.sentinel5p_more` (collection SENTINEL-5P, family
``sentinel5p_more``): the L1B radiance bands ``L1B_RA_BD1``..``BD8``, the L2 swath products
(aerosol index and layer height, cloud, formaldehyde, sulphur dioxide, methane, total ozone,
ozone profile), the gridded tropospheric ozone ``L2__O3_TCL`` and the NPP-VIIRS cloud products
``L2__NP_BD3``/``BD6``/``BD7``. Reprocessed NO2 and CO records carry the NO2/CO writer's family
(:mod:`.sentinel5p`); given to this one, they are built by that writer all the same.

Each writer says what is real and what inferred:

- L2 swath types: :mod:`._s5pmore_l2` (the NO2/CO writer :class:`._s5p_swath.SwathWriter` with
  the type tables of :mod:`._s5pmore_table`; values :mod:`._s5pmore_air`).
- ``L2__O3_TCL``: :mod:`._s5pmore_tcl` (the 0.5° x 1° tropical grid, ``latitude_ccd`` /
  ``longitude_ccd``).
- L1B radiances: :mod:`._s5pmore_l1b` (``BAND<n>_RADIANCE/STANDARD_MODE/OBSERVATIONS/radiance``
  over ``spectral_channel``, positions in ``GEODATA``).
- NPP-VIIRS clouds: :mod:`._s5pmore_nppc` (``BAND<n>_NPPC/STANDARD_MODE``).

Small: the L2 swath is the NO2 writer's (200 x 50 pixels), the L1B and NPP files 48 scanlines,
a sixteenth of the band's ground pixels and (L1B) 32 spectral channels: 100-350 KB a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import Builder

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "build"]


def build(entry: Entry) -> dict[str, bytes]:
    """The product's single file, keyed by the product name."""
    if not entry.name.startswith("S5P_") or not entry.name.endswith(".nc"):
        raise ValueError(f"Sentinel-5P product name expected, got {entry.name!r}")
    kind = entry.product_type
    if kind.startswith("L1B_RA_BD"):
        from ._s5pmore_l1b import build_l1b

        return {entry.name: build_l1b(entry)}
    if kind.startswith("L2__NP_BD"):
        from ._s5pmore_nppc import build_nppc

        return {entry.name: build_nppc(entry)}
    if kind == "L2__O3_TCL":
        from ._s5pmore_tcl import TclWriter

        return {entry.name: TclWriter(entry).netcdf()}
    if kind in ("L2__NO2___", "L2__CO____"):
        from .sentinel5p import build_l2

        return build_l2(entry)
    from ._s5pmore_l2 import TableWriter  # raises for a type it does not know

    return {entry.name: TableWriter(entry).netcdf()}


FAMILY_BUILDERS = {"sentinel5p_more": Builder(build, single_file=True)}
