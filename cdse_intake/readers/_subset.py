"""``variables=`` (alias ``bands=``) of the netCDF and binary families: only the data variables
asked for, their coordinates kept; a name the product does not have is refused, listing those it
has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xarray as xr

from .options import check_names

__all__ = ["check_known", "names", "select", "select_tree"]


def names(value: Any, example: str) -> list[str] | None:
    """``variables=`` as a list of names (None: every variable)."""
    return check_names("variables", value, example)


def select(ds: xr.Dataset, wanted: list[str] | None, where: str) -> xr.Dataset:
    """``ds`` with only the ``wanted`` data variables (all when None)."""
    if wanted is None:
        return ds
    check_known(wanted, [str(n) for n in ds.data_vars], where)
    return ds.drop_vars([n for n in ds.data_vars if n not in wanted])


def select_tree(
    datasets: Mapping[str, xr.Dataset], wanted: list[str] | None, where: str
) -> dict[str, xr.Dataset]:
    """The groups of a tree (``path -> Dataset``) with only the ``wanted`` data variables; every
    group stays, with its coordinates and attributes (children inherit their parents' indexed
    coordinates), a group holding none of them without data variables."""
    if wanted is None:
        return dict(datasets)
    have = sorted({str(n) for ds in datasets.values() for n in ds.data_vars})
    check_known(wanted, have, where)
    return {
        path: ds.drop_vars([n for n in ds.data_vars if n not in wanted])
        for path, ds in datasets.items()
    }


def check_known(wanted: list[str], have: list[str], where: str) -> None:
    """Refuse the ``wanted`` names not in ``have``, listing those."""
    unknown = [n for n in wanted if n not in have]
    if unknown:
        raise ValueError(
            f"variables={unknown!r}: not in {where}; available: "
            + (", ".join(have) if have else "none (it holds no data variables)")
        )
