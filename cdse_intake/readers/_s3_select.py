"""The variables of a Sentinel-3 product kept by ``variables=`` and ``bands=``.

``variables``: names as in the files (``Oa08_radiance``, ``LST``, ``SZA``). ``bands``: band
names as the variable names spell them (``Oa08``, ``S3``, ``S1N``, ``F1``): every variable of
the band is kept (``Oa08_radiance``; ``Oa08_reflectance`` and ``Oa08_reflectance_err``). A name
that no file present holds is an error; an :class:`UnsupportedProduct` (see
:func:`._s3_partial.refuse`) when files are absent, as it may be in one of them.
"""

from __future__ import annotations

import re
from typing import Any

import xarray as xr

from ._s3_metadata import DataObject
from ._s3_partial import holders, refuse

__all__ = ["band_variables", "check_names", "select"]

#: A band in a variable name: ``Oa08_radiance``, ``Syn_S1N_reflectance``, ``F1_BT_fn``.
_BAND = re.compile(r"(?:^|_)(Oa\d\d|S\d{1,2}[NO]?|F\d)(?=_|$)")


def check_names(value: Any, option: str, example: str) -> list[str]:
    """``value`` of ``option=`` (a name or a non-empty list of names) as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        names = None
    if names is None or not all(isinstance(n, str) for n in names) or not names:
        raise ValueError(
            f"{option}={value!r}: expected a name or a non-empty list of names (e.g. {example})"
        )
    return names


def band_variables(
    datasets: dict[str, xr.Dataset],
    bands: list[str],
    product: str,
    location: str,
    absent: list[DataObject],
) -> list[str]:
    """The variables of the ``bands`` asked for; an error naming a band no variable has, or
    whose file is absent."""
    found: dict[str, list[str]] = {}
    for ds in datasets.values():
        for name in ds.data_vars:
            for band in _BAND.findall(str(name)):
                found.setdefault(band, []).append(str(name))
    # a band whose file is absent is refused even if other files (removed pixels) have it
    unknown = [b for b in bands if b not in found or holders(b, absent)]
    present = sorted(b for b in found if not holders(b, absent))
    refuse(location, unknown, absent, present, "band")
    if unknown:
        raise ValueError(
            f"bands={unknown!r}: not in {product}; available: "
            + (", ".join(present) if present else "none (no variable names a band)")
        )
    return [v for b in bands for v in found[b]]


def select(
    datasets: dict[str, xr.Dataset],
    wanted: list[str],
    product: str,
    grid: str | None,
    location: str,
    absent: list[DataObject],
) -> dict[str, xr.Dataset]:
    """The grids holding the ``wanted`` variables, with those only (and their coordinates)."""
    available = {str(n) for ds in datasets.values() for n in ds.variables}
    unknown = [n for n in wanted if n not in available]
    data = sorted({str(n) for ds in datasets.values() for n in ds.data_vars})
    refuse(location, unknown, absent, data)
    if unknown:
        where = f"grid {grid!r} of {product}" if grid else product
        raise ValueError(
            f"variables={unknown!r}: not in {where}; available: "
            + (", ".join(data) if data else "none (the files hold no variables)")
        )
    out = {}
    for name, ds in datasets.items():
        if not any(n in ds.variables for n in wanted) and grid is None:
            continue
        drop = [n for n in ds.data_vars if n not in wanted]
        out[name] = ds.drop_vars(drop)
    return out
