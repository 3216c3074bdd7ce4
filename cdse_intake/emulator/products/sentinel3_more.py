"""Sentinel-3 products of every type the mission modules' writers do not make: the records of
:mod:`..records.sentinel3_more` (family ``sentinel3_more``), each in the SEN3 layout: a folder
of netCDF-4 files and the ``xfdumanifest.xml`` listing them (size and MD5 of each).

- OLCI ``OL_1_ERR___``, ``OL_2_LFR___``/``LRR``, ``OL_2_WFR___``/``WRR`` (:mod:`._s3more_olci`,
  Level-2 files :mod:`._s3more_olci_l2`)
- SLSTR ``SL_1_RBT___``, ``SL_2_FRP___`` (:mod:`._s3more_slstr` on the grids of
  :mod:`._s3more_slstr_grids`), ``SL_2_WST___``, ``SL_2_AOD___`` (:mod:`._s3more_single`)
- SYNERGY ``SY_2_V10___``, ``SY_2_VG1___``, ``SY_2_VGP___`` (:mod:`._s3more_syn`),
  ``SY_2_AOD___`` (:mod:`._s3more_single`)
- SRAL ``SR_1_SRA___``, ``SR_1_SRA_A_``, ``SR_2_LAN___`` (+ ``_HY``, ``_LI``, ``_SI``),
  ``SR_2_WAT___`` (:mod:`._s3more_sral`)

Each module says which file names, variables and dimensions are real (and where seen) and
what is inferred. The manifest is the SEN3 manifest the other Sentinel-3 writers share
(:mod:`._sen3_manifest`). Values are the synthetic Earth (:mod:`..scene`) at the record's place,
date and clouds; products are small (tens of pixels a side, a few hundred KB).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import Builder
from ._s3more_common import Product

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "PRODUCT_TYPES", "build"]

#: The product types this family writes.
PRODUCT_TYPES = (
    "OL_1_ERR___",
    "OL_2_LFR___",
    "OL_2_LRR___",
    "OL_2_WFR___",
    "OL_2_WRR___",
    "SL_1_RBT___",
    "SL_2_FRP___",
    "SL_2_WST___",
    "SL_2_AOD___",
    "SY_2_V10___",
    "SY_2_VG1___",
    "SY_2_VGP___",
    "SY_2_AOD___",
    "SR_1_SRA___",
    "SR_1_SRA_A_",
    "SR_2_LAN___",
    "SR_2_LAN_HY",
    "SR_2_LAN_LI",
    "SR_2_LAN_SI",
    "SR_2_WAT___",
)


def _writer(product_type: str) -> Callable[[Product], dict[str, bytes]]:
    if product_type not in PRODUCT_TYPES:
        raise ValueError(
            f"product type {product_type!r} is not one of the sentinel3_more family: "
            + ", ".join(PRODUCT_TYPES)
        )
    instrument = product_type[:2]
    if instrument == "OL":
        from ._s3more_olci import build_olci

        return build_olci
    if instrument == "SL":
        from ._s3more_slstr import build_slstr

        return build_slstr
    if instrument == "SY":
        from ._s3more_syn import build_syn_more

        return build_syn_more
    from ._s3more_sral import build_sral

    return build_sral


def build(entry: Entry) -> dict[str, bytes]:
    """The files of ``entry``'s SEN3 product (paths relative to the product folder)."""
    write = _writer(entry.product_type)
    return write(Product(entry))


FAMILY_BUILDERS = {"sentinel3_more": Builder(build)}
